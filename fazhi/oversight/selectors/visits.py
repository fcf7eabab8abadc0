"""Reading supervisors, plans and visits, scoped to what the user may see.

The legal office and leaders see their agency's; district oversight the region's; a
supervisor their own plans and visits; a department's staff the open (明察) plans and visits
of their own department — never an unannounced one (暗访). Every list fetches its related rows
in the same query, so a page costs the same number of queries whatever its length.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum

from fazhi.core.models import Department
from fazhi.core.roles import Role
from fazhi.core.tenancy import access, agencies_with_role, readable_agency_ids, roles_by_agency
from fazhi.oversight.models import Mode, Supervisor, Visit, VisitChecklistItem, VisitPlan
from fazhi.oversight.permissions.base import department_ids
from fazhi.oversight.permissions.visits import DEPARTMENT_STAFF


def all_reading_agency_ids(user) -> set[int]:
    """Agencies whose every plan and visit the user reads (office, leaders, oversight)."""
    readable = readable_agency_ids(user)
    if agencies_with_role(user, Role.DISTRICT_OVERSEER):
        # An overseer reads the whole region (readable_agency_ids already widened it).
        return readable
    return {a for a in agencies_with_role(user, Role.LEGAL_OFFICER, Role.LEADER) if a in readable}


def _visible(user) -> Q:
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    condition = Q(agency_id__in=all_reading_agency_ids(user))
    if any(Role.SUPERVISOR in held for held in roles_by_agency(user).values()):
        condition |= Q(supervisor__user=user)
    own = department_ids(user, roles=DEPARTMENT_STAFF)
    if own:
        condition |= Q(mode=Mode.OPEN, department_id__in=own)
    return condition & Q(agency_id__in=readable_agency_ids(user))


def visits_for(user) -> QuerySet[Visit]:
    return Visit.objects.filter(_visible(user)).select_related(
        "agency", "supervisor", "department", "subdistrict", "plan", "finding__rectification"
    )


def plans_for(user) -> QuerySet[VisitPlan]:
    return VisitPlan.objects.filter(_visible(user)).select_related(
        "agency", "supervisor", "department", "subdistrict"
    )


def access_visit(user, visit_id) -> Visit:
    return access(user, visits_for(user).prefetch_related("photos", "scores__item"), visit_id)


def access_plan(user, plan_id) -> VisitPlan:
    return access(user, plans_for(user), plan_id)


def visit_list(
    user,
    *,
    month: date | None = None,
    supervisor: int | None = None,
    department: int | None = None,
    mode: str = "",
    own: bool = False,
) -> QuerySet[Visit]:
    """The filtered list, newest first; `month` is any day of the month."""
    visits = visits_for(user)
    if own:
        visits = visits.filter(supervisor__user=user)
    if month is not None:
        visits = visits.filter(visited_on__year=month.year, visited_on__month=month.month)
    if supervisor:
        visits = visits.filter(supervisor_id=supervisor)
    if department:
        visits = visits.filter(department_id=department)
    if mode:
        visits = visits.filter(mode=mode)
    return visits.order_by("-visited_on", "-pk")


def supervisors_for(user) -> QuerySet[Supervisor]:
    """The roster: only for those who read every visit (legal office, leaders, oversight)."""
    return Supervisor.objects.filter(agency_id__in=all_reading_agency_ids(user)).select_related(
        "agency", "user"
    )


def access_supervisor(user, supervisor_id) -> Supervisor:
    return access(user, supervisors_for(user), supervisor_id)


def roster(user, *, agency_id: int | None = None) -> QuerySet[Supervisor]:
    rows = supervisors_for(user).annotate(
        visit_count=Count("visits", distinct=True),
    )
    if agency_id is not None:
        rows = rows.filter(agency_id=agency_id)
    return rows.order_by("agency__name", "-active", "name")


def checklist(agency_id: int, *, active_only: bool = True) -> list[VisitChecklistItem]:
    items = VisitChecklistItem.objects.filter(agency_id=agency_id)
    if active_only:
        items = items.filter(active=True)
    return list(items.order_by("order"))


def month_plans(user, month: date, *, agency_id: int | None = None) -> QuerySet[VisitPlan]:
    """A month's plans with `done` (a visit was filed against it)."""
    plans = plans_for(user).filter(month=date(month.year, month.month, 1))
    if agency_id is not None:
        plans = plans.filter(agency_id=agency_id)
    return plans.annotate(done=Exists(Visit.objects.filter(plan_id=OuterRef("pk")))).order_by(
        "supervisor__name", "place", "pk"
    )


def open_plans_of(supervisor: Supervisor, around: date) -> QuerySet[VisitPlan]:
    """Plans a supervisor may file against now: this and last month's, not yet visited."""
    first = date(around.year, around.month, 1)
    previous = (
        date(first.year - 1, 12, 1) if first.month == 1 else first.replace(month=first.month - 1)
    )
    return (
        VisitPlan.objects.filter(supervisor=supervisor, month__in=[previous, first])
        .filter(visits__isnull=True)
        .select_related("department", "subdistrict")
        .order_by("month", "place")
    )


@dataclass(frozen=True)
class DepartmentScore:
    department: Department
    visits: int
    total: int
    maximum: int

    @property
    def percent(self) -> Decimal | None:
        """Average score as a percentage of the full marks of the visits (one decimal)."""
        if not self.maximum:
            return None
        return (Decimal(self.total) * 100 / Decimal(self.maximum)).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )


def department_scores(user, agency_id: int, start: date, end: date) -> list[DepartmentScore]:
    """Per department visited in [start, end]: visits, points and the average as a percentage
    (Σ total / Σ max, so a visit on a longer checklist weighs as much as its points). Two
    queries; only for those who read every visit of the agency."""
    if agency_id not in all_reading_agency_ids(user):
        return []
    rows = (
        Visit.objects.filter(agency_id=agency_id, visited_on__gte=start, visited_on__lte=end)
        .values("department_id")
        .annotate(n=Count("pk"), total=Sum("total_points"), maximum=Sum("max_points"))
    )
    figures = {row["department_id"]: row for row in rows}
    departments = Department.objects.filter(pk__in=list(figures)).order_by("sort_order", "name")
    result = [
        DepartmentScore(
            department=d,
            visits=figures[d.pk]["n"],
            total=figures[d.pk]["total"] or 0,
            maximum=figures[d.pk]["maximum"] or 0,
        )
        for d in departments
    ]
    return sorted(result, key=lambda r: (r.percent is None, -(r.percent or 0)))
