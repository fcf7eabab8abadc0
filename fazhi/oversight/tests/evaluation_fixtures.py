"""Records for the evaluation tests, made with the models directly: the services of spot
checks, visits, findings and committees are written in parallel, and the indicators read only
the stored rows. `fixed_data_set` is the small data set the hand computation is made on."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from django.utils import timezone

from fazhi.core.models import Committee
from fazhi.core.roles import Role
from fazhi.oversight.models import (
    Checklist,
    ChecklistItem,
    CommitteeCheckResult,
    CommitteeDisclosureItem,
    Finding,
    Rating,
    Rectification,
    SampledFile,
    SamplingPlan,
    Supervisor,
    Visit,
)
from fazhi.oversight.services import evaluation as services
from fazhi.testing.factories import (
    AgencyFactory,
    DepartmentFactory,
    SubdistrictFactory,
    user_with_role,
)

_n = itertools.count(1)
TZ = dt.timezone(dt.timedelta(hours=8))


def at(day: dt.date) -> dt.datetime:
    """Noon of `day` in Shanghai."""
    return dt.datetime(day.year, day.month, day.day, 12, tzinfo=TZ)


def bureau():
    agency = AgencyFactory(short_name="示民")
    return {
        "agency": agency,
        "officer": user_with_role(Role.LEGAL_OFFICER, agency=agency, display_name="王法制"),
        "leader": user_with_role(Role.LEADER, agency=agency, display_name="陈局长"),
        "head": user_with_role(Role.DEPARTMENT_HEAD, agency=agency, display_name="张科长"),
        "overseer": user_with_role(Role.DISTRICT_OVERSEER, agency=agency),
        "clerk": user_with_role(Role.CLERK, agency=agency),
    }


# --- Records -------------------------------------------------------------------------------------


def checklist(agency, points=(60, 40)) -> Checklist:
    made = Checklist.objects.create(
        agency=agency, name=f"评查表{next(_n)}", population="normative.documents"
    )
    ChecklistItem.objects.create(checklist=made, order=0, text="主体合法", kind="veto")
    for order, value in enumerate(points, start=1):
        ChecklistItem.objects.create(
            checklist=made,
            order=order,
            text=f"评分项{order}",
            kind="points",
            max_points=Decimal(value),
        )
    return made


def plan(agency, the_checklist, officer) -> SamplingPlan:
    return SamplingPlan.objects.create(
        agency=agency,
        title=f"抽查{next(_n)}",
        population="normative.documents",
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2025, 12, 31),
        method="count",
        count=10,
        checklist=the_checklist,
        seed="seed",
        population_digest="d" * 64,
        drawn_at=timezone.now(),
        state=SamplingPlan.State.DRAWN,
        created_by=officer,
    )


def sampled(the_plan, department, reviewer, *, score, on, vetoed=False, reviewed=True):
    n = next(_n)
    values = {
        "plan": the_plan,
        "case_ref": f"normative.documents:{n}",
        "case_label": f"案卷{n}",
        "department": department,
        "draw_order": n,
        "reviewer": reviewer,
    }
    if reviewed:
        rating = Rating.FAIL if vetoed or score < 60 else Rating.PASS
        values.update(
            state=SampledFile.State.REVIEWED,
            score=Decimal(score),
            vetoed=vetoed,
            rating=rating,
            reviewed_at=at(on),
        )
    return SampledFile.objects.create(**values)


def rectification(agency, department, *, due, closed=None, subdistrict=None) -> Rectification:
    finding = Finding.objects.create(
        agency=agency,
        source="other",
        title=f"问题{next(_n)}",
        description="问题描述",
        department=department,
        subdistrict=subdistrict,
        found_on=due - dt.timedelta(days=30),
    )
    return Rectification.objects.create(
        agency=agency,
        finding=finding,
        department=department,
        due_on=due,
        state=Rectification.State.CLOSED if closed else Rectification.State.RECTIFYING,
        closed_on=closed,
    )


def supervisor(agency) -> Supervisor:
    return Supervisor.objects.create(
        agency=agency,
        name=f"监督员{next(_n)}",
        kind="citizen",
        term_start=dt.date(2024, 1, 1),
        term_end=dt.date(2027, 12, 31),
    )


def visit(who, department, *, points, out_of, on, subdistrict=None, filed_by) -> Visit:
    return Visit.objects.create(
        agency=who.agency,
        supervisor=who,
        place="办事窗口",
        department=department,
        subdistrict=subdistrict,
        visited_on=on,
        mode="open",
        total_points=points,
        max_points=out_of,
        filed_by=filed_by,
    )


def disclosure_item(agency) -> CommitteeDisclosureItem:
    return CommitteeDisclosureItem.objects.create(
        agency=agency,
        committee_kind="villagers",
        code=f"finance-{next(_n)}",
        name="财务收支",
        frequency="monthly",
    )


def committee_result(item, committee, *, month: int, status: str, year: int = 2025):
    start = dt.date(year, month, 1)
    return CommitteeCheckResult.objects.create(
        agency=committee.agency,
        committee=committee,
        subdistrict=committee.subdistrict,
        item=item,
        period_start=start,
        period_end=start + dt.timedelta(days=27),
        due_on=start + dt.timedelta(days=35),
        status=status,
        checked_at=timezone.now(),
    )


# --- Schemes -------------------------------------------------------------------------------------


DEPARTMENT_WEIGHTS = [
    ("spot_check_score", 40),
    ("rectification_on_time", 30),
    ("visit_score", 30),
]
SUBDISTRICT_WEIGHTS = [
    ("rectification_on_time", 30),
    ("visit_score", 30),
    ("committee_timeliness", 40),
]


def active_scheme(officer, agency, *, name="科室综合考评", unit_kind="department", weights=None):
    weights = weights or (DEPARTMENT_WEIGHTS if unit_kind == "department" else SUBDISTRICT_WEIGHTS)
    scheme = services.scheme_create(
        actor=officer,
        agency=agency,
        name=name,
        unit_kind=unit_kind,
        indicators=[services.IndicatorWeight(k, w) for k, w in weights],
    )
    return services.scheme_activate(actor=officer, scheme=scheme)


YEAR_START = dt.date(2025, 1, 1)
YEAR_END = dt.date(2025, 12, 31)


def fixed_data_set(people) -> dict:
    """Three departments, two subdistricts and a year (2025) of records; see the hand
    computation in test_evaluation_services.py."""
    agency, officer = people["agency"], people["officer"]
    a = DepartmentFactory(agency=agency, name="社会救助科", sort_order=1)
    b = DepartmentFactory(agency=agency, name="社会事务科", sort_order=2)
    c = DepartmentFactory(agency=agency, name="养老服务科", sort_order=3)
    DepartmentFactory(agency=agency, name="婚姻登记处", sort_order=4)  # no records at all
    s1 = SubdistrictFactory(agency=agency, name="东湖街道", sort_order=1)
    s2 = SubdistrictFactory(agency=agency, name="北塘镇", sort_order=2)
    reviewer = user_with_role(Role.CLERK, agency=agency)

    # Spot checks: a checklist of 60 + 40 points (plus a veto item).
    p = plan(agency, checklist(agency), officer)
    sampled(p, a, reviewer, score=90, on=dt.date(2025, 3, 1))
    sampled(p, a, reviewer, score=80, on=dt.date(2025, 12, 31))
    sampled(p, a, reviewer, score=10, on=dt.date(2026, 1, 5))  # after the period
    sampled(p, a, reviewer, score=0, on=dt.date(2025, 5, 1), reviewed=False)  # pending
    sampled(p, b, reviewer, score=95, on=dt.date(2025, 4, 1))
    sampled(p, b, reviewer, score=70, on=dt.date(2025, 4, 2), vetoed=True)
    sampled(p, c, reviewer, score=70, on=dt.date(2025, 1, 1))

    # Rectifications.
    rectification(agency, a, due=dt.date(2025, 3, 10), closed=dt.date(2025, 3, 5), subdistrict=s1)
    rectification(agency, a, due=dt.date(2025, 6, 10), closed=dt.date(2025, 6, 20), subdistrict=s1)
    rectification(agency, a, due=dt.date(2025, 9, 1), subdistrict=s2)  # still open: late
    rectification(agency, a, due=dt.date(2024, 12, 20), closed=dt.date(2025, 1, 10))
    rectification(agency, a, due=dt.date(2024, 6, 1), closed=dt.date(2024, 6, 1))  # not in 2025
    rectification(agency, b, due=dt.date(2025, 5, 5), closed=dt.date(2025, 5, 5), subdistrict=s2)
    rectification(agency, b, due=dt.date(2025, 11, 30), closed=dt.date(2025, 11, 1), subdistrict=s1)

    # Visits.
    who = supervisor(agency)
    visit(who, a, points=45, out_of=50, on=dt.date(2025, 2, 3), subdistrict=s1, filed_by=officer)
    visit(who, a, points=40, out_of=50, on=dt.date(2025, 7, 3), filed_by=officer)
    visit(who, b, points=30, out_of=50, on=dt.date(2025, 8, 3), subdistrict=s2, filed_by=officer)
    visit(who, b, points=0, out_of=50, on=dt.date(2024, 12, 31), filed_by=officer)  # before
    visit(who, c, points=48, out_of=50, on=dt.date(2025, 9, 3), subdistrict=s1, filed_by=officer)
    visit(who, c, points=50, out_of=50, on=dt.date(2025, 12, 31), subdistrict=s2, filed_by=officer)

    # Committee disclosure check results.
    item = disclosure_item(agency)
    c1 = Committee.objects.create(
        agency=agency, subdistrict=s1, name="东湖村委会", kind="villagers"
    )
    c2 = Committee.objects.create(
        agency=agency, subdistrict=s2, name="荷花村委会", kind="villagers"
    )
    for month, status in [(1, "on_time"), (2, "on_time"), (3, "late"), (4, "on_time")]:
        committee_result(item, c1, month=month, status=status)
    committee_result(item, c1, month=12, status="pending")
    for month, status in [(1, "on_time"), (2, "late"), (3, "missing")]:
        committee_result(item, c2, month=month, status=status)
    committee_result(item, c2, month=12, status="on_time", year=2024)  # before

    # Another agency's records never count.
    other = AgencyFactory()
    other_department = DepartmentFactory(agency=other)
    visit(
        supervisor(other),
        other_department,
        points=0,
        out_of=50,
        on=dt.date(2025, 6, 1),
        filed_by=officer,
    )
    return {"a": a, "b": b, "c": c, "s1": s1, "s2": s2, "item": item, "committee": c1}
