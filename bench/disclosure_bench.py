"""The annual report's tables 三 and 四 over 100,000 disclosure requests, on SQLite or PostgreSQL.

    python -m bench.disclosure_bench                                 # SQLite file in a temp folder
    python -m bench.disclosure_bench postgresql://postgres@127.0.0.1:5432/DBNAME
    python -m bench.disclosure_bench URL --requests 20000 --repeat 5 # a quicker run

One agency's requests over two years are bulk-created (the benchmark measures the report, not
intake): received evenly over the two years, the six applicant kinds of table 三 weighted like a
district bureau's (mostly natural persons), the 21 outcomes weighted like the national reports
(most disclosed or not held, a few of each withheld row), answered 1–40 days after receipt; what
would be answered after 31 December of the report year is still open, and so is one in five of
its fourth quarter's, so that about a tenth of the year's requests are open at its end (结转下年度)
and those of the year before that ran into January are 上年结转. With them, 2 % as many
reconsiderations and lawsuits, of the three kinds, decided or pending. The report year is the
second year (last year: the report written now).

Timed, best of `repeat`: `selectors.table_three` + `selectors.table_four` — what the annual
report computes while it is drafted — against the bare SQL aggregate: one statement through
`connection.cursor()` (two GROUP BYs joined by UNION ALL) computing the same counts, from which
the same cells are summed in Python. The benchmark first checks that both give every cell the
same number, then prints times, the ratio (selectors ÷ bare SQL) and the query counts. Not a
test; results go to docs/performance.md by hand. The requests are deleted at the end; the agency
and its user stay (their audit events cannot be deleted), so the same database can be used again.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import tempfile
import time
from datetime import date, timedelta

from bench.rules_bench import _best, _engine, _queries

AGENCY_CODE = "bench-disclosure"
BATCH = 2_000
CHALLENGE_SHARE = 0.02
STUCK_SHARE = 0.2  # of the report year's fourth quarter, still open at its end
APPLICANT_KINDS: list[tuple[str, int]] = [
    ("natural_person", 82),
    ("business", 9),
    ("research", 2),
    ("public_welfare", 1),
    ("legal_service", 4),
    ("other_organisation", 2),
]
# Roughly the shares of a district's reports: 予以公开 and 本机关不掌握 dominate.
OUTCOMES: list[tuple[str, int]] = [
    ("disclosed", 380),
    ("partial", 80),
    ("withheld_state_secret", 2),
    ("withheld_prohibited", 5),
    ("withheld_security", 3),
    ("withheld_third_party", 15),
    ("withheld_internal", 10),
    ("withheld_process", 15),
    ("withheld_case_file", 5),
    ("withheld_query", 20),
    ("unavailable_not_held", 220),
    ("unavailable_needs_creation", 40),
    ("unavailable_unclear", 10),
    ("not_processed_petition", 40),
    ("not_processed_repeat", 30),
    ("not_processed_publication", 5),
    ("not_processed_excessive", 10),
    ("not_processed_confirmation", 10),
    ("other_no_supplement", 50),
    ("other_no_fee", 5),
    ("other", 45),
]
CHANNELS = ["online", "online", "platform", "visit", "registered_mail", "email", "fax"]
LAPSED = {"other_no_supplement", "other_no_fee"}


def _setup(backend_url: str | None) -> None:
    """Configure Django on `backend_url` (or keep the configured database when None)."""
    from django.apps import apps

    if apps.ready:
        if backend_url is not None:
            raise RuntimeError(
                "Django is already set up on another database; run `python -m "
                "bench.disclosure_bench URL` in its own process, or call bench_disclosure(None)."
            )
        return
    workdir = tempfile.mkdtemp(prefix="fazhi-bench-disclosure-")
    os.environ.setdefault("FAZHI_VAR_DIR", workdir)
    os.environ["FAZHI_DATABASE_URL"] = backend_url or f"sqlite:///{workdir}/bench.sqlite3"
    os.environ["DJANGO_SETTINGS_MODULE"] = "fazhi.settings.dev"
    os.environ["FAZHI_ALLOWED_HOSTS"] = "testserver"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.DEBUG = False  # query logging would be timed too
    call_command("migrate", verbosity=0)


def _agency():
    from fazhi.accounts.models import User
    from fazhi.core.models import Agency

    agency, _ = Agency.objects.get_or_create(
        code=AGENCY_CODE,
        defaults={"name": "基准区民政局（公开）", "short_name": "基公", "region": "基准区"},
    )
    officer, _ = User.objects.get_or_create(
        username="bench-disclosure-officer",
        defaults={"display_name": "基准公开员", "home_agency": agency},
    )
    return agency, officer


def _cleanup(agency) -> None:
    from fazhi.disclosure.models import DisclosureChallenge, DisclosureRequest

    DisclosureChallenge.objects.filter(agency=agency).delete()
    DisclosureRequest.objects.filter(agency=agency).delete()


def _build(agency, officer, count: int, year: int, seed: int) -> tuple[int, int]:
    """Bulk-create `count` requests received in `year - 1` and `year`; returns (requests,
    challenges)."""
    from django.db import transaction

    from fazhi.core.identity.validators import credit_code_check_char, resident_id_check_char
    from fazhi.disclosure.models import DisclosureChallenge, DisclosureRequest

    rng = random.Random(seed)
    kinds, kind_weights = zip(*APPLICANT_KINDS, strict=True)
    outcomes, outcome_weights = zip(*OUTCOMES, strict=True)
    first = date(year - 1, 1, 1)
    span = (date(year, 12, 31) - first).days + 1
    numbers: dict[int, int] = {}
    # A few hundred people and organisations, each with a valid identity number.
    people = [
        (f"申请人{i:03d}", f"310115{1950 + i % 50}0{1 + i % 9}1{i % 10}{i % 1000:03d}")
        for i in range(400)
    ]
    people = [(name, n + resident_id_check_char(n)) for name, n in people]
    firms = [(f"基准机构{i:03d}", f"91310115MA1K{i:04d}0") for i in range(100)]
    firms = [(name, c + credit_code_check_char(c)) for name, c in firms]
    made_requests = made_challenges = 0
    for start in range(0, count, BATCH):
        rows, challenges = [], []
        for _ in range(min(BATCH, count - start)):
            received = first + timedelta(days=rng.randrange(span))
            numbers[received.year] = numbers.get(received.year, 0) + 1
            kind = rng.choices(kinds, kind_weights)[0]
            person = kind == "natural_person"
            name, number = rng.choice(people if person else firms)
            outcome = rng.choices(outcomes, outcome_weights)[0]
            concluded = received + timedelta(days=rng.randint(1, 40))
            stuck = received >= date(year, 10, 1) and rng.random() < STUCK_SHARE
            if concluded > date(year, 12, 31) or stuck:
                outcome, concluded = "", None
            state = ("closed" if outcome in LAPSED else "replied") if outcome else "received"
            rows.append(
                DisclosureRequest(
                    agency=agency,
                    tracking_number=f"基公依申〔{received.year}〕{numbers[received.year]}号",
                    channel=rng.choice(CHANNELS),
                    arrived_on=received,
                    confirmed_on=received,
                    received_on=received,
                    receipt_rule="基准数据",
                    applicant_kind=kind,
                    applicant_name=name,
                    contact_person="" if person else "联系人",
                    id_document="resident_id" if person else "credit_code",
                    resident_id=number if person else "",
                    credit_code="" if person else number,
                    phone=f"139{rng.randrange(10**8):08d}",
                    description="本区最低生活保障资金的发放情况。",
                    info_form="electronic",
                    delivery="online",
                    state=state,
                    due_on=received + timedelta(days=28),
                    outcome=outcome,
                    concluded_on=concluded,
                )
            )
        with transaction.atomic():
            created = DisclosureRequest.objects.bulk_create(rows)
            for request in created:
                if request.concluded_on is None or rng.random() >= CHALLENGE_SHARE:
                    continue
                filed = request.concluded_on + timedelta(days=rng.randint(5, 60))
                result = rng.choice(["upheld", "upheld", "corrected", "other", "pending"])
                challenges.append(
                    DisclosureChallenge(
                        agency=agency,
                        request=request,
                        kind=rng.choice(
                            ["reconsideration", "litigation_direct", "litigation_after"]
                        ),
                        subject="不服政府信息公开申请答复",
                        filed_on=filed,
                        body="基准区人民政府",
                        result=result,
                        result_on=None
                        if result == "pending"
                        else filed + timedelta(days=rng.randint(20, 120)),
                        recorded_by=officer,
                    )
                )
            DisclosureChallenge.objects.bulk_create(challenges)
        made_requests += len(rows)
        made_challenges += len(challenges)
    return made_requests, made_challenges


# --- The bare SQL aggregate ------------------------------------------------------------------


def _bare_sql(agency, year: int) -> tuple[dict, dict]:
    """Tables 三 and 四's counts in one statement: ({(kind, outcome): (new, carried, open at
    end, concluded)}, {(kind, result, decided by 31 December): n})."""
    from django.db import connection

    from fazhi.disclosure.models import DisclosureChallenge, DisclosureRequest

    q = connection.ops.quote_name
    requests, challenges = DisclosureRequest._meta.db_table, DisclosureChallenge._meta.db_table
    first, last = date(year, 1, 1), date(year, 12, 31)
    sql = f"""
        SELECT 'three', applicant_kind, outcome,
               SUM(CASE WHEN received_on >= %s THEN 1 ELSE 0 END),
               SUM(CASE WHEN received_on < %s THEN 1 ELSE 0 END),
               SUM(CASE WHEN concluded_on IS NULL OR concluded_on > %s THEN 1 ELSE 0 END),
               SUM(CASE WHEN concluded_on >= %s AND concluded_on <= %s THEN 1 ELSE 0 END)
        FROM {q(requests)}
        WHERE agency_id = %s AND received_on <= %s
              AND (concluded_on IS NULL OR concluded_on >= %s)
        GROUP BY applicant_kind, outcome
        UNION ALL
        SELECT 'four', kind, result,
               SUM(CASE WHEN result_on <= %s THEN 1 ELSE 0 END), COUNT(*), 0, 0
        FROM {q(challenges)}
        WHERE agency_id = %s AND filed_on >= %s AND filed_on <= %s
        GROUP BY kind, result
    """  # noqa: S608 - table names from the models, values bound as parameters
    params = [first, first, last, first, last, agency.pk, last, first]
    params += [last, agency.pk, first, last]
    three, four = {}, {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for table, a, b, n1, n2, n3, n4 in cursor.fetchall():
            if table == "three":
                three[(a, b)] = (int(n1), int(n2), int(n3), int(n4))
            else:
                four[(a, b)] = (int(n1), int(n2))
    return three, four


def _tables_from_sql(three: dict, four: dict) -> tuple[dict, dict]:
    """The cells of tables 三 and 四 from the bare aggregate, keyed like the selectors' rows."""
    cells3: dict[tuple[str, str], int] = {}

    def add(row: str, kind: str, n: int) -> None:
        for column in (kind, "total"):
            cells3[(row, column)] = cells3.get((row, column), 0) + n

    for (kind, outcome), (new, carried, open_at_end, concluded) in three.items():
        add("new", kind, new)
        add("carried_in", kind, carried)
        add("carried_out", kind, open_at_end)
        if concluded:
            add(outcome, kind, concluded)
            add("total", kind, concluded)
    cells4: dict[tuple[str, str], int] = {}
    for (kind, result), (decided, total) in four.items():
        # Decided after 31 December (or not yet): 尚未审结 in this year's table.
        if result != "pending":
            cells4[(kind, result)] = cells4.get((kind, result), 0) + decided
        cells4[(kind, "pending")] = cells4.get((kind, "pending"), 0) + total - decided
        cells4[(kind, "total")] = cells4.get((kind, "total"), 0) + total
    return cells3, cells4


def _selectors(agency, year: int):
    from fazhi.disclosure import selectors

    return selectors.table_three(agency, year), selectors.table_four(agency, year)


def _check_same(agency, year: int) -> None:
    """Every cell of both tables is the same number whichever way it is counted."""
    three, four = _selectors(agency, year)
    cells3, cells4 = _tables_from_sql(*_bare_sql(agency, year))
    for row in three.rows:
        if row.values is None:
            continue
        for column, value in zip(three.columns, row.values, strict=True):
            expected = cells3.get((row.key, column), 0)
            if value != expected:
                raise SystemExit(f"table 三 {row.key}/{column}: selector {value}, SQL {expected}")
    for group in four.groups:
        for column, value in zip(four.columns, group.values, strict=True):
            expected = cells4.get((group.key, column), 0)
            if value != expected:
                raise SystemExit(f"table 四 {group.key}/{column}: selector {value}, SQL {expected}")
    if three.identity_breaks() or four.identity_breaks():
        raise SystemExit("the tables do not balance")


def bench_disclosure(
    backend_url: str | None = None, requests: int = 100_000, repeat: int = 5
) -> None:
    """Build the requests on `backend_url` and time the report's tables (see module doc)."""
    _setup(backend_url)
    from django.db import connection

    from fazhi.disclosure.models import DisclosureRequest

    year = date.today().year - 1  # the report being written now is last year's
    print(
        f"Disclosure annual-report benchmark · {_engine()} · Python "
        f"{platform.python_version()} · {platform.machine()} · {os.cpu_count()} cores · "
        f"best of {repeat}"
    )
    agency, officer = _agency()
    _cleanup(agency)
    started = time.perf_counter()
    made, challenges = _build(agency, officer, requests, year, seed=2026)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    in_year = DisclosureRequest.objects.filter(agency=agency, received_on__year=year).count()
    print(
        f"{made:,} requests ({in_year:,} received in {year}) and {challenges:,} "
        f"reconsiderations and lawsuits, built in {time.perf_counter() - started:.1f} s"
    )
    _check_same(agency, year)
    three, four = _selectors(agency, year)
    print(
        f"{year}: 新收 {three.value('new', 'total'):,}, 上年结转 "
        f"{three.value('carried_in', 'total'):,}, 办结 {three.value('total', 'total'):,}, "
        f"结转下年度 {three.value('carried_out', 'total'):,}; 复议诉讼 {sum(four.cells()) // 2:,} "
        f"(every cell equal to the bare SQL's)"
    )

    def subject():
        return _selectors(agency, year)

    def baseline():
        return _tables_from_sql(*_bare_sql(agency, year))

    subject()
    baseline()  # warm: statement caches, imports
    subject_queries, baseline_queries = _queries(subject), _queries(baseline)
    subject_time, baseline_time = _best(subject, repeat), _best(baseline, repeat)
    print(f"{'':<34} {'ms':>8} {'queries':>7}")
    print(
        f"{'table_three + table_four':<34} {subject_time * 1e3:8.1f} {subject_queries:>7}\n"
        f"{'bare SQL (one statement)':<34} {baseline_time * 1e3:8.1f} {baseline_queries:>7}\n"
        f"ratio {subject_time / baseline_time:.2f}"
    )
    _cleanup(agency)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", nargs="?", help="database URL (default: SQLite in a temp folder)")
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    bench_disclosure(args.url or None, requests=args.requests, repeat=args.repeat)


if __name__ == "__main__":
    main()
