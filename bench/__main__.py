"""Run the benchmarks: `make bench` (or `python -m bench [name ...]`).

Each benchmark measures Fazhi's operation and a baseline doing the same database work without
the mechanism under test, in the same process and database, and prints the ratio. Results are
recorded by hand in docs/performance.md with the machine they ran on.
"""

from __future__ import annotations

import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable


def _setup() -> None:
    workdir = tempfile.mkdtemp(prefix="fazhi-bench-")
    os.environ.setdefault("FAZHI_VAR_DIR", workdir)
    os.environ.setdefault("FAZHI_DATABASE_URL", f"sqlite:///{workdir}/bench.sqlite3")
    os.environ["DJANGO_SETTINGS_MODULE"] = "fazhi.settings.dev"
    os.environ["FAZHI_ALLOWED_HOSTS"] = "testserver"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)


def timed(func: Callable[[], object], repeat: int = 3) -> float:
    """Best of `repeat` runs, in seconds."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - start)
    return best


def report(name: str, subject: float, baseline: float, unit_count: int) -> None:
    print(
        f"{name:<28} fazhi {subject * 1e6 / unit_count:9.1f} µs/op   "
        f"baseline {baseline * 1e6 / unit_count:9.1f} µs/op   ratio {subject / baseline:5.2f}"
    )


def bench_audit_append(n: int = 2000) -> None:
    """Appending to the hash chain vs inserting the same rows with no chain (no lock, no hash)."""
    from django.db import transaction
    from django.utils import timezone

    from fazhi.core import audit
    from fazhi.core.models import Event

    def chained():
        with transaction.atomic():
            for i in range(n):
                audit.record("bench.append", data={"i": i})

    counter = iter(range(10**9))

    def plain():
        with transaction.atomic():
            base = 10**8 + next(counter) * n
            for i in range(n):
                Event(
                    seq=base + i,
                    verb="bench.plain",
                    data={"i": i},
                    at=timezone.now(),
                    prev_hash="",
                    hash=f"plain-{base + i}",
                ).save()

    report("audit append", timed(chained), timed(plain), n)


def bench_audit_verify() -> None:
    """Verifying the whole chain vs reading the same rows in the same batches."""
    from fazhi.core.audit import _iter_events, verify_chain
    from fazhi.core.models import Event

    # The plain rows of the previous benchmark are not part of the chain.
    Event.objects.filter(verb="bench.plain")._raw_delete(Event.objects.db)
    count = Event.objects.count()
    result = verify_chain()
    assert result.ok, result
    report(
        "audit verify (per event)",
        timed(verify_chain),
        timed(lambda: sum(1 for _ in _iter_events(2000))),
        count,
    )


def bench_account_list(rows: int = 500) -> None:
    """The sysadmin's account list page vs evaluating its selector for the same 50 rows."""
    from django.test import Client

    from fazhi.accounts import selectors
    from fazhi.accounts.models import User
    from fazhi.core.models import Agency, Membership
    from fazhi.core.roles import Role
    from fazhi.testing.clients import verified_client

    agency = Agency.objects.create(name="基准机关", code="bench", short_name="基", region="基准区")
    admin = User.objects.create(username="bench-admin", home_agency=agency)
    admin.set_password("Bench-pass-2026")
    admin.save()
    Membership.objects.create(user=admin, agency=agency, role=Role.SYSADMIN)
    for i in range(rows):
        user = User.objects.create(username=f"bench{i:04d}", home_agency=agency)
        Membership.objects.create(user=user, agency=agency, role=Role.INSPECTOR)
    client: Client = verified_client(admin)
    assert client.get("/staff/accounts/").status_code == 200

    def bare():
        page = list(
            selectors.accounts_for_sysadmin(admin).prefetch_related(
                selectors.active_roles_prefetch()
            )[:50]
        )
        assert len(page) == 50

    report(
        "account list page (50 rows)",
        timed(lambda: client.get("/staff/accounts/"), 5),
        timed(bare, 5),
        1,
    )


def bench_calendar_add_workdays() -> None:
    """1,000,000 add_workdays calls vs plain date + timedelta additions."""
    from bench.calendar_bench import bench_add_workdays

    bench_add_workdays()


def bench_search() -> None:
    """Full-text search over 100,000 segmented documents vs an icontains scan (same rows)."""
    from bench.search_bench import bench_search as run

    run(None)


def bench_rules() -> None:
    """Library search and staff worklist with 1,000 and 10,000 normative documents."""
    from bench.rules_bench import bench_rules as run

    run(None)


def bench_disclosure() -> None:
    """The annual report's tables 三 and 四 over 100,000 requests vs the bare SQL aggregate."""
    from bench.disclosure_bench import bench_disclosure as run

    run(None)


def bench_services() -> None:
    """The staff case list over 1,000,000 cases vs an admin changelist; the statistics."""
    from bench.services_bench import bench_services as run

    run(None)


BENCHMARKS = {
    "search": bench_search,
    "rules": bench_rules,
    "disclosure": bench_disclosure,
    "services": bench_services,
    "calendar_add_workdays": bench_calendar_add_workdays,
    "audit_append": bench_audit_append,
    "audit_verify": bench_audit_verify,
    "account_list": bench_account_list,
}


def main(names: list[str]) -> None:
    _setup()
    print(
        f"Fazhi benchmarks · Python {platform.python_version()} · {platform.machine()} · "
        f"{os.cpu_count()} cores · SQLite"
    )
    for name in names or list(BENCHMARKS):
        BENCHMARKS[name]()


if __name__ == "__main__":
    main(sys.argv[1:])
