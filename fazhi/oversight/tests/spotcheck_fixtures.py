"""Given-state of the spot-check tests: a bureau with three units, its people, issued normative
documents (the population "normative.documents") and a checklist."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from fazhi.core.numbering import number_allocate
from fazhi.core.roles import Role
from fazhi.oversight.models import ChecklistItem
from fazhi.oversight.services import spotchecks as services
from fazhi.rules.models import NormativeDocument
from fazhi.testing.factories import AgencyFactory, DepartmentFactory, user_with_role

VETO = ChecklistItem.Kind.VETO
POINTS = ChecklistItem.Kind.POINTS
YEAR = 2025
Q1 = (date(YEAR, 1, 1), date(YEAR, 3, 31))
WHOLE_YEAR = (date(YEAR, 1, 1), date(YEAR, 12, 31))

ITEMS = [
    services.ItemSpec(
        "经合法性审核", VETO, basis="《关于加强行政规范性文件制定和监督管理工作的通知》"
    ),
    services.ItemSpec("经集体审议决定", VETO),
    services.ItemSpec("起草说明完整", POINTS, 20),
    services.ItemSpec("公开征求意见及采纳情况说明", POINTS, 30),
    services.ItemSpec("统一登记、编号、公布", POINTS, 30),
    services.ItemSpec("政策解读同步发布", POINTS, 20),
]


@pytest.fixture(name="bureau")
def bureau_fixture(db):
    agency = AgencyFactory(short_name="示民")
    office = DepartmentFactory(agency=agency, name="办公室（法制办）", is_legal_office=True)
    relief = DepartmentFactory(agency=agency, name="社会救助科")
    affairs = DepartmentFactory(agency=agency, name="社会事务科")
    return {
        "agency": agency,
        "office": office,
        "relief": relief,
        "affairs": affairs,
        "officer": user_with_role(Role.LEGAL_OFFICER, agency=agency, display_name="王法制"),
        "head": user_with_role(
            Role.DEPARTMENT_HEAD, agency=agency, department=relief, display_name="张科长"
        ),
        "liaison": user_with_role(
            Role.LIAISON, agency=agency, department=affairs, display_name="赵联络"
        ),
        "clerk": user_with_role(Role.CLERK, agency=agency, department=relief),
        "adviser": user_with_role(Role.LEGAL_ADVISER, agency=agency, display_name="周律师"),
        "leader": user_with_role(Role.LEADER, agency=agency),
        "overseer": user_with_role(Role.DISTRICT_OVERSEER, agency=agency),
        "other_officer": user_with_role(Role.LEGAL_OFFICER),
    }


def issue(bureau, department, published_on: date, title: str = "") -> NormativeDocument:
    """Given a document numbered and published on `published_on` (its making is the rules
    module's business, tested there)."""
    agency = bureau["agency"]
    document = NormativeDocument.objects.create(
        agency=agency,
        department=department,
        title=title or f"{department.name}关于规范工作的通知（{published_on.isoformat()}）",
        created_by=bureau["officer"],
    )
    number = number_allocate(
        actor=bureau["officer"],
        agency=agency,
        key="rules",
        year=published_on.year,
        target=document,
    )
    NormativeDocument.objects.filter(pk=document.pk).update(
        state="issued", doc_number=number, published_on=published_on
    )
    return NormativeDocument.objects.get(pk=document.pk)


def documents(bureau, per_unit: dict[str, int], period=Q1) -> list[NormativeDocument]:
    """`per_unit` documents of each unit ("relief", "affairs", "office"), spread over `period`."""
    start, end = period
    span = (end - start).days
    made = []
    for unit, n in per_unit.items():
        for i in range(n):
            day = start.fromordinal(start.toordinal() + (i * 7) % (span + 1))
            made.append(issue(bureau, bureau[unit], day, f"{bureau[unit].name}第{i + 1}号文件"))
    return made


def checklist(bureau, name="规范性文件案卷评查表", population="normative.documents", items=ITEMS):
    return services.checklist_create(
        actor=bureau["officer"],
        agency=bureau["agency"],
        name=name,
        population=population,
        items=items,
        excellent_min=Decimal(90),
        pass_min=Decimal(60),
    )


def pool(bureau, *names: str) -> None:
    for name in names or ("officer", "head", "liaison", "adviser"):
        services.reviewer_add(actor=bureau["officer"], agency=bureau["agency"], user=bureau[name])


def plan(bureau, *, period=Q1, method="count", count=4, rate=None, min_per_stratum=1, **kw):
    return services.plan_create(
        actor=bureau["officer"],
        agency=bureau["agency"],
        title=kw.pop("title", f"{period[0].year}年规范性文件案卷评查"),
        population=kw.pop("population", "normative.documents"),
        period_start=period[0],
        period_end=period[1],
        method=method,
        count=count if method == "count" else None,
        rate=rate,
        min_per_stratum=min_per_stratum,
        checklist=kw.pop("checklist"),
    )


def answers_for(sampled_file, *, veto_ok=True, points_ratio=Decimal(1)):
    """Every item answered: vetoes passed (or the first failed), points at a share of max."""
    items = list(sampled_file.plan.checklist.items.all())
    found = {}
    first_veto = True
    for item in items:
        if item.kind == VETO:
            found[item.pk] = services.Answer(passed=veto_ok or not first_veto)
            first_veto = False
        else:
            found[item.pk] = services.Answer(
                points=(item.max_points * points_ratio).quantize(Decimal("0.1"))
            )
    return found
