"""The portal library search and the staff worklist with 1,000 and 10,000 normative documents.

    python -m bench.rules_bench                                   # SQLite file in a temp folder
    python -m bench.rules_bench postgresql://postgres@127.0.0.1:5432/DBNAME
    python -m bench.rules_bench URL --sizes 1000 10000 --repeat 5

Documents of one agency in every stage, with the records each stage has (versions,
consultations, legality reviews, filings, numbers for the issued ones, links between them), are
bulk-created; the published ones are indexed through `index_document` (jieba + upsert) like
`document_issue` does. At each size the benchmark times whole requests through Django's test
client — the portal library searched for a two-character word (`/rules/?q=救助`), the library's
first page (`/rules/`), the staff worklist (`/staff/rules/`, and filtered by a state) and the
API collection — counts their queries, and times the bare selector each page runs for the same
rows as the baseline (ratio = page / selector). It then prints how each page grew from the
smallest to the largest size, and fails if the worklist's query count is not identical at every
size. The pages are requested with whatever query parameters they take today: a redirect is
followed, and any status other than 200 stops the run. Not a test; results go to
docs/performance.md by hand. The documents are deleted at the end; the agency and its user stay
(their audit events cannot be deleted), so the same database can be used again.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta

AGENCY_CODE = "bench-rules"
LABEL = "normative.normativedocument"
BATCH = 1_000
SEARCH_WORD = "救助"
# (path, what) — the pages measured; the first two are public, the rest need a staff session.
LIBRARY_SEARCH = f"/rules/?q={SEARCH_WORD}"
LIBRARY = "/rules/"
WORKLIST = "/staff/rules/"
WORKLIST_REVIEW = "/staff/rules/?state=review"
API_LIST = "/api/rules/documents/"
# How the documents are spread over the stages, like an agency's register over ten years.
STATES: list[tuple[str, int]] = [
    ("issued", 55),
    ("drafting", 12),
    ("consultation", 4),
    ("comments", 4),
    ("review", 7),
    ("reviewed", 4),
    ("decided", 3),
    ("abandoned", 11),
]
AFTER_CONSULTATION = {"comments", "review", "reviewed", "decided", "issued"}
AFTER_REVIEW = {"reviewed", "decided", "issued"}
DEPARTMENTS = ["社会救助科", "社会事务科", "养老服务科", "基层政权和社区建设科", "婚姻登记处"]


def _setup(backend_url: str | None) -> None:
    """Configure Django on `backend_url` (or keep the configured database when None)."""
    from django.apps import apps

    if apps.ready:
        if backend_url is not None:
            raise RuntimeError(
                "Django is already set up on another database; run `python -m bench.rules_bench "
                "URL` in its own process, or call bench_rules(None)."
            )
        return
    workdir = tempfile.mkdtemp(prefix="fazhi-bench-rules-")
    os.environ.setdefault("FAZHI_VAR_DIR", workdir)
    os.environ["FAZHI_DATABASE_URL"] = backend_url or f"sqlite:///{workdir}/bench.sqlite3"
    os.environ["DJANGO_SETTINGS_MODULE"] = "fazhi.settings.dev"
    os.environ["FAZHI_ALLOWED_HOSTS"] = "testserver"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    # Query logging of DEBUG would time the logging, not the pages.
    settings.DEBUG = False
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)


def _best(func: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - start)
    return best


def _engine() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT sqlite_version()")
            return f"SQLite {cursor.fetchone()[0]}"
        cursor.execute("SHOW server_version")
        return f"PostgreSQL {cursor.fetchone()[0]}"


def _queries(func: Callable[[], object]) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        func()
    return len(captured.captured_queries)


# --- The agency, its staff member and the documents ------------------------------------------


def _agency():
    from django.utils import timezone

    from fazhi.accounts.models import User
    from fazhi.core.models import Agency, Department, Membership
    from fazhi.core.roles import Role

    agency, _ = Agency.objects.get_or_create(
        code=AGENCY_CODE,
        defaults={"name": "基准区民政局", "short_name": "基民", "region": "基准区"},
    )
    departments = [
        Department.objects.get_or_create(agency=agency, name=name)[0] for name in DEPARTMENTS
    ]
    officer, created = User.objects.get_or_create(
        username="bench-rules-officer",
        defaults={"display_name": "基准法制员", "home_agency": agency},
    )
    if created:
        officer.set_password("Bench-pass-2026")
    officer.password_changed_at = timezone.now()  # an expired password would redirect the pages
    officer.save()
    Membership.objects.get_or_create(
        user=officer, agency=agency, role=Role.LEGAL_OFFICER, revoked_at=None
    )
    return agency, departments, officer


def _cleanup(agency) -> None:
    from fazhi.core.models import IssuedNumber, NumberSeries
    from fazhi.core.search.models import SearchDocument
    from fazhi.rules.models import (
        Consultation,
        DocumentLink,
        DocumentVersion,
        Filing,
        LegalityReview,
        NormativeDocument,
    )

    documents = NormativeDocument.objects.filter(agency=agency)
    SearchDocument.objects.filter(target_type=LABEL, agency=agency).delete()
    DocumentLink.objects.filter(source__agency=agency).delete()
    for model in (Filing, LegalityReview, Consultation, DocumentVersion):
        model.objects.filter(document__agency=agency).delete()
    documents.delete()
    IssuedNumber.objects.filter(series__agency=agency).delete()
    NumberSeries.objects.filter(agency=agency).delete()


def _grow(agency, departments, officer, count: int, first: int, seed: int) -> float:
    """Add `count` documents (keys `first`…); returns the seconds spent indexing."""
    from django.db import transaction

    from bench.search_bench import generate
    from fazhi.core.models import IssuedNumber
    from fazhi.core.search.services import index_document
    from fazhi.rules.models import (
        Consultation,
        DocumentLink,
        DocumentVersion,
        Filing,
        LegalityReview,
        NormativeDocument,
    )

    rng = random.Random(seed)
    names = [s for s, _ in STATES]
    weights = [w for _, w in STATES]
    today = date.today()
    generated = list(generate(first + count, seed=2026))[first:]
    indexing = 0.0
    for start in range(0, count, BATCH):
        chunk = generated[start : start + BATCH]
        with transaction.atomic():
            rows = []
            for item in chunk:
                state = rng.choices(names, weights)[0]
                document = NormativeDocument(
                    agency=agency,
                    department=rng.choice(departments),
                    title=item.title[:200],
                    legal_basis="《社会救助暂行办法》",
                    drafting_note="明确适用范围、办理程序和时限。",
                    state=state,
                    created_by=officer,
                    assignee=officer,
                )
                if state == "issued":
                    published = today - timedelta(days=rng.randint(1, 3650))
                    document.published_on = published
                    document.effective_on = published + timedelta(days=30)
                    document.valid_until = published + timedelta(days=30 + 5 * 365 - 2)
                    document.interpretation = "本文件明确了办理条件、程序和时限。"
                if state == "abandoned":
                    document.abandon_reason = "上位法已调整，不再制定。"
                rows.append((document, item))
            # Numbers first: an issued document must carry one (check constraint).
            _number(agency, officer, [d for d, _ in rows if d.state == "issued"])
            NormativeDocument.objects.bulk_create([d for d, _ in rows])
            DocumentVersion.objects.bulk_create(
                DocumentVersion(document=d, number=1, text=item.body, created_by=officer)
                for d, item in rows
            )
            consulted = [d for d, _ in rows if d.state in AFTER_CONSULTATION | {"consultation"}]
            Consultation.objects.bulk_create(
                Consultation(
                    document=d,
                    opens_on=(d.published_on or today) - timedelta(days=120),
                    closes_on=(d.published_on or today) - timedelta(days=90)
                    if d.state != "consultation"
                    else today + timedelta(days=10),
                    rule="不少于7个工作日",
                    report="征求意见期间未收到意见。" if d.state != "consultation" else "",
                )
                for d in consulted
            )
            reviewed = [d for d, _ in rows if d.state in AFTER_REVIEW | {"review"}]
            LegalityReview.objects.bulk_create(
                LegalityReview(
                    document=d,
                    started_on=(d.published_on or today) - timedelta(days=rng.randint(5, 40)),
                    opinion="" if d.state == "review" else "pass",
                    checklist={}
                    if d.state == "review"
                    else dict.fromkeys(LegalityReview.CHECKLIST, True),
                    reviewer=None if d.state == "review" else officer,
                )
                for d in reviewed
            )
            issued = [d for d, _ in rows if d.state == "issued"]
            Filing.objects.bulk_create(
                Filing(
                    document=d,
                    due_on=d.published_on + timedelta(days=30),
                    outcome=rng.choice(["pending", "filed", "accepted", "accepted"]),
                    filed_on=None,
                )
                for d in issued
            )
            # Some newer documents revise an older one: the badge 已修订 is derived from them.
            ordered = sorted(issued, key=lambda d: d.published_on)
            DocumentLink.objects.bulk_create(
                DocumentLink(source=newer, target=older, kind="revises", created_by=officer)
                for older, newer in zip(ordered[::20], ordered[10::20], strict=False)
                if newer.published_on > older.published_on
            )
            IssuedNumber.objects.bulk_update(
                [
                    IssuedNumber(pk=d.doc_number_id, target_type=LABEL, target_id=str(d.pk))
                    for d in issued
                ],
                ["target_type", "target_id"],
            )
            started = time.perf_counter()
            texts = {d.pk: item.body for d, item in rows}
            for document in issued:
                index_document(
                    target=document,
                    title=f"{document.title}（{document.doc_number.text}）",
                    body=f"{texts[document.pk]}\n{document.interpretation}",
                    url=f"/rules/{document.pk}/",
                    agency=agency,
                    is_public=True,
                )
            indexing += time.perf_counter() - started
    return indexing


def _number(agency, officer, documents) -> None:
    """Give each document the next number of its year's series, in order of publication."""
    from django.db.models import F

    from fazhi.core.models import IssuedNumber, NumberSeries

    by_year: dict[int, list] = {}
    for document in sorted(documents, key=lambda d: d.published_on):
        by_year.setdefault(document.published_on.year, []).append(document)
    for year, group in by_year.items():
        series, _ = NumberSeries.objects.get_or_create(
            agency=agency, key="rules", year=year, defaults={"prefix": "基民规"}
        )
        first = series.next_value
        numbers = IssuedNumber.objects.bulk_create(
            IssuedNumber(
                series=series,
                value=first + offset,
                text=series.render(first + offset),
                issued_by=officer,
            )
            for offset in range(len(group))
        )
        NumberSeries.objects.filter(pk=series.pk).update(next_value=F("next_value") + len(group))
        for document, number in zip(group, numbers, strict=True):
            document.doc_number = number


# --- Measuring ---------------------------------------------------------------------------------


def _measure(client, staff, officer, repeat: int) -> list[tuple[str, float, int, float]]:
    """(page, seconds, queries, baseline seconds) for each page at the current size."""
    from fazhi.core.search.selectors import search
    from fazhi.rules import selectors
    from fazhi.rules.models import NormativeDocument

    def get(c, url):
        def call():
            response = c.get(url, follow=True)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")
            return response

        return call

    def worklist_rows(state=""):
        return lambda: list(selectors.worklist(officer, state=state)[:30])

    pages = [
        (
            f"library ?q={SEARCH_WORD}",
            get(client, LIBRARY_SEARCH),
            lambda: search(SEARCH_WORD, public_only=True, target_types=[LABEL], limit=50),
        ),
        (
            "library first page",
            get(client, LIBRARY),
            # The published documents newest first, as the library first showed them.
            lambda: list(
                NormativeDocument.objects.filter(state="issued")
                .select_related("department", "doc_number", "agency")
                .order_by("-published_on", "-pk")[:50]
            ),
        ),
        ("worklist", get(staff, WORKLIST), worklist_rows()),
        ("worklist ?state=review", get(staff, WORKLIST_REVIEW), worklist_rows("review")),
        (
            "API documents list",
            get(staff, API_LIST),
            lambda: list(selectors.worklist(officer).order_by("-pk")[:51]),
        ),
    ]
    results = []
    for name, page, baseline in pages:
        page()  # warm: templates, content types, the session
        queries = _queries(page)
        results.append((name, _best(page, repeat), queries, _best(baseline, repeat)))
    return results


def bench_rules(
    backend_url: str | None = None, sizes: tuple[int, ...] = (1_000, 10_000), repeat: int = 5
) -> None:
    """Grow the documents to each size on `backend_url` and time the pages (see module doc)."""
    _setup(backend_url)
    from django.db import connection
    from django.test import Client

    from fazhi.core.search.selectors import search_count
    from fazhi.rules.models import NormativeDocument
    from fazhi.testing.clients import verified_client

    print(
        f"Normative-documents benchmark · {_engine()} · Python {platform.python_version()} · "
        f"{platform.machine()} · {os.cpu_count()} cores · best of {repeat}"
    )
    agency, departments, officer = _agency()
    _cleanup(agency)
    client, staff = Client(), verified_client(officer)
    print(
        f"{'documents':>9}  {'page':<24} {'ms':>8} {'queries':>7} {'selector ms':>11} {'ratio':>6}"
    )
    measured: dict[int, dict[str, tuple[float, int]]] = {}
    have = 0
    for size in sorted(sizes):
        started = time.perf_counter()
        indexing = _grow(agency, departments, officer, size - have, have, seed=size)
        have = size
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        issued = NormativeDocument.objects.filter(agency=agency, state="issued").count()
        hits = search_count(SEARCH_WORD, public_only=True, target_types=[LABEL])
        print(
            f"{size:>9,}  (built in {time.perf_counter() - started:.1f} s, of which indexing "
            f"{indexing:.1f} s; {issued:,} published, {hits:,} of them contain {SEARCH_WORD})"
        )
        measured[size] = {}
        for name, seconds, queries, baseline in _measure(client, staff, officer, repeat):
            measured[size][name] = (seconds, queries)
            print(
                f"{size:>9,}  {name:<24} {seconds * 1e3:8.1f} {queries:>7} "
                f"{baseline * 1e3:11.1f} {seconds / baseline:6.1f}"
            )
    small, large = min(measured), max(measured)
    print(f"growth {large:,} / {small:,} documents:")
    for name in measured[small]:
        (s_time, s_queries), (l_time, l_queries) = measured[small][name], measured[large][name]
        print(f"  {name:<24} time ×{l_time / s_time:5.2f}   queries {s_queries} → {l_queries}")
    counts = {size: measured[size]["worklist"][1] for size in measured}
    _cleanup(agency)
    if len(set(counts.values())) != 1:
        raise SystemExit(f"the worklist's query count grew with the documents: {counts}")
    print(f"worklist query count identical at every size: {counts[small]}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", nargs="?", help="database URL (default: SQLite in a temp folder)")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    bench_rules(args.url or None, sizes=tuple(args.sizes), repeat=args.repeat)


if __name__ == "__main__":
    main()
