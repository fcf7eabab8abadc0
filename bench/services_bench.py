"""The staff case list over 1,000,000 cases against the Django admin changelist, and the
satisfaction statistics, on SQLite or PostgreSQL.

    python -m bench.services_bench                                 # SQLite file in a temp folder
    python -m bench.services_bench postgresql://postgres@127.0.0.1:5432/DBNAME
    python -m bench.services_bench URL --cases 100000 --repeat 3   # a quicker run

One agency's cases over three years are bulk-created (the benchmark measures the list, not
intake): 40 service items of five departments, six centers, the three channels, 12,000 people
(each case names one; their ID numbers are encrypted once and reused, as a person applies more
than once), received evenly over three years up to today; about 2 % still open (in every open
state), the rest concluded or delivered, one in twelve past its promised time limit. Six cases in
ten concluded are rated at the counter, one in five of them also online; 3 % of the ratings are
bad reviews.

Timed, best of `repeat`, whole requests through Django's test client as a signed-in legal
officer; queries counted on one request:
- the staff case list (`/staff/services/cases/`): the newest page, a page filtered by a rare
  state, by a department, and the next page after the first;
- the baseline: Django's own admin changelist (`ModelAdmin` with the same columns and filters,
  `list_select_related`, default pagination) over the same rows, on an admin site mounted only
  by this benchmark (the production admin never shows business records);
- the satisfaction statistics of the last full year (`selectors.ratings.statistics`) against
  one bare SQL GROUP BY computing the same counts.
Then the same list pages after adding 10 % more cases: the query counts must not move.

Not a test; results go to docs/performance.md by hand. The cases and ratings are deleted at the
end; the agency, its items and users stay (their audit events cannot be deleted).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import tempfile
import time
from datetime import date, timedelta
from urllib.parse import quote

from bench.rules_bench import _best, _engine, _queries

AGENCY_CODE = "bench-services"
BATCH = 5_000
PEOPLE = 12_000
DEPARTMENTS = ["社会救助科", "社会事务科", "养老服务科", "社会组织管理科", "婚姻登记处"]
KINDS = ["licensing", "benefit", "confirmation", "other", "reward"]
CENTERS = ["城东街道", "城西街道", "南湖街道", "北山镇", "滨江镇", "高新园区"]
ADMIN_PREFIX = "bench-admin/"


def _setup(backend_url: str | None) -> None:
    """Configure Django on `backend_url` (or keep the configured database when None)."""
    from django.apps import apps

    if apps.ready:
        if backend_url is not None:
            raise RuntimeError(
                "Django is already set up on another database; run `python -m "
                "bench.services_bench URL` in its own process, or call bench_services(None)."
            )
    else:
        workdir = tempfile.mkdtemp(prefix="fazhi-bench-services-")
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
    # The Django admin baseline is mounted only here, never in production (see bench_admin).
    settings.ROOT_URLCONF = "bench.services_admin"
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)


# --- The agency, its items, centers, people --------------------------------------------------


def _agency():
    from django.utils import timezone

    from fazhi.accounts.models import User
    from fazhi.core.models import Agency, Department, Membership, Subdistrict
    from fazhi.core.roles import Role
    from fazhi.services.models import ServiceCenter, ServiceItem

    agency, _ = Agency.objects.get_or_create(
        code=AGENCY_CODE,
        defaults={"name": "基准区民政局（政务服务）", "short_name": "基服", "region": "基准区"},
    )
    departments = [
        Department.objects.get_or_create(agency=agency, name=name)[0] for name in DEPARTMENTS
    ]
    items = []
    for i in range(40):
        department = departments[i % len(departments)]
        item, _ = ServiceItem.objects.get_or_create(
            agency=agency,
            name=f"基准服务事项{i + 1:02d}",
            defaults={"power_code": f"B{i + 1:03d}", "department": department},
        )
        items.append(item)
    centers = []
    for name in CENTERS:
        subdistrict, _ = Subdistrict.objects.get_or_create(agency=agency, name=name)
        center, _ = ServiceCenter.objects.get_or_create(
            agency=agency,
            name=f"{name}社区事务受理服务中心",
            defaults={
                "subdistrict": subdistrict,
                "address": f"基准区{name}1号",
                "morning_opens": "09:00",
                "morning_closes": "12:00",
                "afternoon_opens": "13:30",
                "afternoon_closes": "17:00",
            },
        )
        centers.append(center)
    officer, created = User.objects.get_or_create(
        username="bench-services-officer",
        defaults={"display_name": "基准法制员", "home_agency": agency},
    )
    if created:
        officer.set_password("Bench-pass-2026")
    officer.password_changed_at = timezone.now()  # an expired password would redirect the pages
    officer.save()
    Membership.objects.get_or_create(user=officer, agency=agency, role=Role.LEGAL_OFFICER)
    # The admin baseline's user: the plain Django admin site admits active staff users.
    admin, created = User.objects.get_or_create(
        username="bench-services-admin",
        defaults={"display_name": "基准管理员", "home_agency": agency},
    )
    if created:
        admin.set_password("Bench-pass-2026")
    admin.password_changed_at = timezone.now()
    admin.is_staff = admin.is_superuser = True
    admin.save()
    Membership.objects.get_or_create(user=admin, agency=agency, role=Role.LEGAL_OFFICER)
    return agency, departments, items, centers, officer, admin


def _cleanup(agency) -> None:
    from fazhi.services.models import (
        BadReviewFollowUp,
        Rating,
        RatingAppeal,
        RatingToken,
        ServiceCase,
    )

    RatingAppeal.objects.filter(agency=agency)._raw_delete(RatingAppeal.objects.db)
    BadReviewFollowUp.objects.filter(agency=agency)._raw_delete(BadReviewFollowUp.objects.db)
    Rating.objects.filter(agency=agency)._raw_delete(Rating.objects.db)
    RatingToken.objects.filter(agency=agency)._raw_delete(RatingToken.objects.db)
    ServiceCase.objects.filter(agency=agency)._raw_delete(ServiceCase.objects.db)


def _resident_id(rng: random.Random) -> str:
    from fazhi.core.identity.validators import resident_id_check_char

    born = date(1940, 1, 1) + timedelta(days=rng.randrange(365 * 65))
    first17 = f"110105{born:%Y%m%d}{rng.randrange(1000):03d}"
    return first17 + resident_id_check_char(first17)


def _people(rng: random.Random) -> list:
    """PEOPLE applicants: (name, encrypted ID number, encrypted phone), encrypted once each."""
    from fazhi.core.identity.kinds import Kind
    from fazhi.core.identity.protected import Protected

    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
    given = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
    people = []
    for _ in range(PEOPLE):
        name = rng.choice(surnames) + "".join(rng.choice(given) for _ in range(rng.randint(1, 2)))
        phone = f"13{rng.randrange(10**9):09d}"
        people.append(
            (
                name,
                Protected.from_plaintext(Kind.RESIDENT_ID, _resident_id(rng)),
                Protected.from_plaintext(Kind.PHONE, phone),
            )
        )
    return people


# --- Cases and ratings -------------------------------------------------------------------------

# How the cases stand, like three years of a district's counters: almost all done.
OPEN_STATES: list[tuple[str, int]] = [
    ("received", 2),
    ("accepted", 3),
    ("reviewing", 8),
    ("supplement", 1),
    ("granted", 2),
    ("denied", 1),
]
DONE_STATES: list[tuple[str, int]] = [("delivered", 80), ("concluded", 15), ("not_accepted", 5)]


def _pick(rng: random.Random, weighted: list[tuple[str, int]]) -> str:
    return rng.choices([k for k, _ in weighted], [w for _, w in weighted])[0]


def _build(agency, departments, items, centers, officer, count: int, first: int, seed: int):
    """Bulk-create `count` cases numbered from `first`, and their ratings; returns (cases,
    ratings). The working-day calendar is not consulted: due dates are received + 14 or 28
    calendar days, which is what a list shows and sorts by."""
    from django.db import transaction

    from fazhi.services.models import Rating, ServiceCase

    rng = random.Random(seed)
    people = _people(rng)
    today = date.today()
    span = 3 * 365
    made = rated = 0
    channels = ["counter", "counter", "counter", "appointment", "online"]
    with transaction.atomic():
        for start in range(first, first + count, BATCH):
            cases, ratings_for = [], []
            for n in range(start, min(first + count, start + BATCH)):
                item = items[n % len(items)]
                received = today - timedelta(days=rng.randrange(span))
                name, resident_id, phone = people[rng.randrange(PEOPLE)]
                channel = rng.choice(channels)
                late = rng.random() < 1 / 12
                open_case = received > today - timedelta(days=30) and rng.random() < 0.5
                state = _pick(rng, OPEN_STATES if open_case else DONE_STATES)
                decided = state in {"granted", "denied", "concluded", "delivered", "not_accepted"}
                concluded = state in {"concluded", "delivered", "not_accepted"}
                done_on = received + timedelta(days=rng.randint(1, 40 if late else 13))
                decision = (
                    "not_accepted"
                    if state == "not_accepted"
                    else ("denied" if state == "denied" or rng.random() < 0.05 else "granted")
                )
                cases.append(
                    ServiceCase(
                        agency=agency,
                        case_number=f"基服〔{received.year}〕{n:07d}号",
                        item=item,
                        department_id=item.department_id,
                        power_kind=KINDS[n % len(KINDS)],
                        center=None if channel == "online" else centers[n % len(centers)],
                        channel=channel,
                        applicant_kind="person",
                        applicant_name=name,
                        resident_id=resident_id,
                        phone=phone,
                        state=state,
                        received_on=received,
                        accepted_on=None if state == "received" else received,
                        promised_days=10,
                        statutory_days=20,
                        promised_due_on=received + timedelta(days=14),
                        statutory_due_on=received + timedelta(days=28),
                        decision=decision if decided else "",
                        decided_on=min(done_on, today) if decided else None,
                        concluded_on=min(done_on, today) if concluded else None,
                        on_time_promised=(not late) if concluded else None,
                        on_time_statutory=True if concluded else None,
                        delivered_on=min(done_on, today) if state == "delivered" else None,
                        overdue=1 if (late and not concluded) else 0,
                        created_by=officer,
                    )
                )
                ratings_for.append(concluded and state != "not_accepted" and rng.random() < 0.6)
            ServiceCase.objects.bulk_create(cases, batch_size=1000)
            made += len(cases)
            ratings = []
            for case, wanted in zip(cases, ratings_for, strict=True):
                if not wanted:
                    continue
                for channel in ("counter", "online") if rng.random() < 0.2 else ("counter",):
                    level = rng.choices([1, 2, 3, 4, 5], [70, 20, 7, 2, 1])[0]
                    ratings.append(
                        Rating(
                            agency=agency,
                            case_id=case.pk,
                            channel=channel,
                            level=level,
                            item_id=case.item_id,
                            department_id=case.department_id,
                            center_id=case.center_id,
                            rated_on=case.concluded_on,
                            bad=level >= 4,
                            real_name=False,
                        )
                    )
            Rating.objects.bulk_create(ratings, batch_size=1000)
            rated += len(ratings)
    return made, rated


# --- Measuring ---------------------------------------------------------------------------------


def _pages(officer, departments) -> list[tuple[str, str, str]]:
    """(what, staff list URL, admin changelist URL) for the same rows."""
    from fazhi.services.models import ServiceCase
    from fazhi.services.selectors import cases

    agency_id = departments[0].agency_id
    older = cases.case_page(officer, agency_id, cases.CaseFilters(), count=False).older
    assert older, "the first page has an older page"
    department = departments[2].pk
    number = ServiceCase.objects.filter(agency_id=agency_id).order_by("pk")[123].case_number
    names = ServiceCase.objects.filter(
        agency_id=agency_id, applicant_name__startswith="王伟"
    ).count()
    admin = f"/{ADMIN_PREFIX}services/servicecase/"
    return [
        ("newest 50", "/staff/services/cases/", admin),
        ("second page", f"/staff/services/cases/?after={older}", f"{admin}?p=2"),
        (
            f"state 待补正 ({ServiceCase.objects.filter(state='supplement').count():,} rows)",
            "/staff/services/cases/?state=supplement",
            f"{admin}?state__exact=supplement",
        ),
        (
            "one department",
            f"/staff/services/cases/?department={department}",
            f"{admin}?department__id__exact={department}",
        ),
        (
            "search a whole case number",
            f"/staff/services/cases/?q={quote(number)}",
            f"{admin}?q={quote(number)}",
        ),
        (
            f"search a name beginning 王伟 ({names:,} rows)",
            f"/staff/services/cases/?q={quote('王伟')}",
            f"{admin}?q={quote('王伟')}",
        ),
    ]


def _measure_pages(officer, staff, admin_client, departments, repeat: int):
    rows = []
    for what, mine, theirs in _pages(officer, departments):
        for client, url in ((staff, mine), (admin_client, theirs)):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
        rows.append(
            (
                what,
                _best(lambda u=mine: staff.get(u), repeat),
                _queries(lambda u=mine: staff.get(u)),
                _best(lambda u=theirs: admin_client.get(u), repeat),
                _queries(lambda u=theirs: admin_client.get(u)),
            )
        )
    return rows


def _bare_statistics(agency, year: int) -> dict[int, list[int]]:
    """The per-month counts of the statistics in one bare SQL statement: {month: [total, l1..l5,
    bad, answered]} (excluded ratings left out, like the selector)."""
    from django.db import connection

    from fazhi.services.models import BadReviewFollowUp, Rating

    rating, follow_up = Rating._meta.db_table, BadReviewFollowUp._meta.db_table
    month = (
        "CAST(strftime('%%m', r.rated_on) AS INTEGER)"
        if connection.vendor == "sqlite"
        else "EXTRACT(MONTH FROM r.rated_on)::int"
    )
    sql = f"""
        SELECT {month} AS m, COUNT(*),
               SUM(CASE WHEN r.level = 1 THEN 1 ELSE 0 END),
               SUM(CASE WHEN r.level = 2 THEN 1 ELSE 0 END),
               SUM(CASE WHEN r.level = 3 THEN 1 ELSE 0 END),
               SUM(CASE WHEN r.level = 4 THEN 1 ELSE 0 END),
               SUM(CASE WHEN r.level = 5 THEN 1 ELSE 0 END),
               SUM(CASE WHEN r.bad THEN 1 ELSE 0 END),
               SUM(CASE WHEN r.bad AND f.state = 'answered' THEN 1 ELSE 0 END)
        FROM {rating} r LEFT JOIN {follow_up} f ON f.rating_id = r.id
        WHERE r.agency_id = %s AND r.rated_on >= %s AND r.rated_on <= %s AND NOT r.excluded
        GROUP BY m
    """  # noqa: S608 - table names from the models, values bound as parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [agency.pk, date(year, 1, 1), date(year, 12, 31)])
        return {int(row[0]): [int(v or 0) for v in row[1:]] for row in cursor.fetchall()}


def _statistics(agency, year: int):
    from fazhi.services.selectors import ratings

    return ratings.figures(agency, year=year, by="month")


def _check_statistics(agency, year: int) -> None:
    figures = _statistics(agency, year)
    bare = _bare_statistics(agency, year)
    for row in figures.rows:
        expected = bare[row.key]
        assert [row.total, *row.level_counts, row.bad, row.answered] == expected, (row, expected)
    assert len(figures.rows) == len(bare)


def bench_services(backend_url: str | None = None, cases: int = 1_000_000, repeat: int = 5):
    """Build the cases on `backend_url` and time the list and the statistics (module doc)."""
    _setup(backend_url)
    from django.db import connection

    from fazhi.testing.clients import verified_client

    print(
        f"Services benchmark · {_engine()} · Python {platform.python_version()} · "
        f"{platform.machine()} · {os.cpu_count()} cores · best of {repeat}"
    )
    agency, departments, items, centers, officer, admin = _agency()
    _cleanup(agency)
    started = time.perf_counter()
    made, rated = _build(agency, departments, items, centers, officer, cases, 1, seed=2026)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"{made:,} cases and {rated:,} ratings built in {time.perf_counter() - started:.1f} s")
    staff, admin_client = verified_client(officer), verified_client(admin)
    rows = _measure_pages(officer, staff, admin_client, departments, repeat)
    print(f"{'page':<34} {'list ms':>9} {'q':>3} {'admin ms':>9} {'q':>3} {'list ÷ admin':>13}")
    for what, mine, mine_q, theirs, theirs_q in rows:
        print(
            f"{what:<34} {mine * 1e3:9.1f} {mine_q:>3} {theirs * 1e3:9.1f} {theirs_q:>3} "
            f"{mine / theirs:13.3f}"
        )

    year = date.today().year - 1
    _check_statistics(agency, year)
    _statistics(agency, year)
    _bare_statistics(agency, year)  # warm
    subject = _best(lambda: _statistics(agency, year), repeat)
    baseline = _best(lambda: _bare_statistics(agency, year), repeat)
    print(
        f"statistics {year} by month: selectors {subject * 1e3:.1f} ms "
        f"({_queries(lambda: _statistics(agency, year))} queries), bare SQL "
        f"{baseline * 1e3:.1f} ms (1 query), ratio {subject / baseline:.2f} "
        "(every cell equal to the bare SQL's)"
    )

    # Constant query count: 10 % more cases, the same pages, the same number of queries.
    extra = max(1, cases // 10)
    _build(agency, departments, items, centers, officer, extra, cases + 1, seed=2027)
    again = _measure_pages(officer, staff, admin_client, departments, 1)
    for (what, _m, before, _t, _tq), (_w, _m2, after, _t2, _tq2) in zip(rows, again, strict=True):
        assert before == after, f"{what}: {before} → {after} queries with 10 % more cases"
    print(f"after {extra:,} more cases: the list's query counts are unchanged")
    _cleanup(agency)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", nargs="?", help="database URL (default: SQLite in a temp folder)")
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    bench_services(args.url or None, cases=args.cases, repeat=args.repeat)


if __name__ == "__main__":
    main()
