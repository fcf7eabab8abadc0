"""Reads of the findings area: the worklist, one finding, the board's flags, circulars.

Who reads what: the legal office and leaders read all of their agency's findings, district
oversight the region's; department staff (clerks, head, liaison) their own department's. A
record of an agency the user may not read answers 404; one of the user's agency that belongs to
another department answers 403 (`access_finding`).

Flags (督办看板) per unit, derived when read (design principle 4):
- red: a rectification the unit still works on (待制定措施 / 整改中) is past its deadline;
- yellow: otherwise, one is due within the reminder window (`oversight.reminder_workdays`)
  or was sent back (驳回);
- none otherwise. A rectification waiting for verification (待核验) colours nothing: the unit
  has done its part, as on the ladder. Closed on time means the accepted submission came on or
  before the deadline (the legal office's verification time is not the unit's delay).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from fazhi.core import agency_settings
from fazhi.core.calendar import add_workdays
from fazhi.core.models import Department, Subdistrict
from fazhi.core.roles import Role
from fazhi.core.tenancy import access, agencies_with_role, readable_agency_ids, scope
from fazhi.oversight.models import Circular, Escalation, Finding, Rectification
from fazhi.oversight.permissions.base import department_ids

State = Rectification.State
UNIT_STATES = (State.AWAITING_MEASURES, State.RECTIFYING)


def full_agency_ids(user) -> set[int]:
    """Agencies whose findings the user reads in full (not only a department's)."""
    if agencies_with_role(user, Role.DISTRICT_OVERSEER):
        return readable_agency_ids(user)
    return set(agencies_with_role(user, Role.LEGAL_OFFICER, Role.LEADER))


def findings_for(user) -> QuerySet[Finding]:
    readable = scope(user, Finding.objects.all())
    return readable.filter(
        Q(agency_id__in=full_agency_ids(user)) | Q(department_id__in=department_ids(user))
    )


def finding_worklist(
    user,
    *,
    state: str = "",
    source: str = "",
    department: int | None = None,
    severity: str = "",
    overdue: bool = False,
    q: str = "",
    today: date | None = None,
) -> QuerySet[Finding]:
    """The findings the user may read, newest found first, each with its rectification, unit
    and subdistrict joined (one query per page, whatever the rows)."""
    today = today or timezone.localdate()
    found = findings_for(user).select_related(
        "agency", "department", "subdistrict", "rectification"
    )
    if state:
        found = found.filter(rectification__state=state)
    if source:
        found = found.filter(source=source)
    if department:
        found = found.filter(department_id=department)
    if severity:
        found = found.filter(severity=severity)
    if overdue:
        found = found.filter(rectification__state__in=UNIT_STATES, rectification__due_on__lt=today)
    if q:
        found = found.filter(Q(title__icontains=q) | Q(description__icontains=q))
    return found.order_by("-found_on", "-pk")


def access_finding(user, finding_id) -> Finding:
    """The finding if the user may open it: 404 outside their agencies, 403 for another
    department's finding in their own agency."""
    finding = access(
        user,
        Finding.objects.select_related(
            "agency", "department", "subdistrict", "committee", "rectification", "created_by"
        ),
        finding_id,
    )
    if not user.has_perm("oversight.view_finding", finding):
        raise PermissionDenied
    return finding


def finding_evidence(finding: Finding):
    return list(finding.evidence.order_by("pk"))


def rectification_files(rectification: Rectification):
    return list(rectification.completion_files.order_by("pk"))


def rectification_escalations(rectification: Rectification):
    return list(
        rectification.escalations.select_related("document", "circular__number").order_by("step")
    )


def finding_accountability(finding: Finding):
    return list(finding.accountability.select_related("recorded_by").order_by("-decided_on", "-pk"))


# --- The board (督办看板) ---------------------------------------------------------------------


@dataclass
class UnitFlag:
    unit_id: int | None
    name: str
    open: int = 0
    overdue: int = 0
    due_soon: int = 0
    sent_back: int = 0
    submitted: int = 0
    closed_on_time: int = 0
    closed_late: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def flag(self) -> str:
        if self.overdue:
            return "red"
        if self.due_soon or self.sent_back:
            return "yellow"
        return "none"


def _counts(rectifications: QuerySet, group: str, today: date, horizon: date) -> dict:
    unit = Q(state__in=UNIT_STATES)
    on_time = Q(state=State.CLOSED, submitted_at__date__lte=F("due_on"))
    rows = (
        rectifications.values(group)
        .annotate(
            open=Count("pk", filter=~Q(state=State.CLOSED)),
            overdue=Count("pk", filter=unit & Q(due_on__lt=today)),
            due_soon=Count("pk", filter=unit & Q(due_on__gte=today, due_on__lte=horizon)),
            sent_back=Count("pk", filter=Q(state=State.RECTIFYING, rejection_count__gt=0)),
            submitted=Count("pk", filter=Q(state=State.SUBMITTED)),
            closed_on_time=Count("pk", filter=on_time),
            closed_late=Count("pk", filter=Q(state=State.CLOSED) & ~on_time),
        )
        .order_by()
    )
    return {row.pop(group): row for row in rows}


def board(agency, *, today: date | None = None, department_ids_only=None) -> dict:
    """Flags per department and per subdistrict of one agency (four queries in all).

    `department_ids_only`: a department user sees only these departments' rows and no
    subdistricts (their findings there belong to other units too).
    """
    today = today or timezone.localdate()
    lead = agency_settings.get(agency, "oversight.reminder_workdays")
    horizon = add_workdays(today, lead)
    rectifications = Rectification.objects.filter(agency=agency)
    departments = Department.objects.filter(agency=agency).order_by("sort_order", "name")
    if department_ids_only is not None:
        rectifications = rectifications.filter(department_id__in=department_ids_only)
        departments = departments.filter(pk__in=department_ids_only)
    by_department = _counts(rectifications, "department_id", today, horizon)
    department_rows = []
    for department in departments:
        counts = by_department.get(department.pk)
        if counts is None and department.is_legal_office:
            continue  # the legal office itself is rarely a responsible unit; no empty row
        department_rows.append(UnitFlag(department.pk, department.name, **(counts or {})))
    subdistrict_rows = []
    if department_ids_only is None:
        by_subdistrict = _counts(rectifications, "finding__subdistrict_id", today, horizon)
        for subdistrict in Subdistrict.objects.filter(agency=agency).order_by("sort_order", "name"):
            subdistrict_rows.append(
                UnitFlag(subdistrict.pk, subdistrict.name, **by_subdistrict.get(subdistrict.pk, {}))
            )
    return {
        "today": today,
        "horizon": horizon,
        "lead": lead,
        "departments": department_rows,
        "subdistricts": subdistrict_rows,
    }


def department_flag(agency, department_id: int, *, today: date | None = None) -> str:
    rows = board(agency, today=today, department_ids_only=[department_id])["departments"]
    return rows[0].flag if rows else "none"


# --- Circulars --------------------------------------------------------------------------------


def circulars_for(user) -> QuerySet[Circular]:
    """Circulars of the agencies the user reads in full; department staff see issued ones of
    their agencies (a circular is addressed to every unit)."""
    full = full_agency_ids(user)
    own = {aid for aid in readable_agency_ids(user)} if department_ids(user) else set()
    return (
        scope(user, Circular.objects.select_related("agency", "number", "document"))
        .filter(Q(agency_id__in=full) | Q(agency_id__in=own, state=Circular.State.ISSUED))
        .order_by("-period_end", "-pk")
    )


def access_circular(user, circular_id) -> Circular:
    return access(user, circulars_for(user), circular_id)


def pending_circular_steps(agency_id: int) -> int:
    """Rectifications that reached 通报 and wait for the next circular."""
    return Escalation.objects.filter(
        rectification__agency_id=agency_id,
        step=Escalation.Step.CIRCULAR,
        circular__isnull=True,
    ).count()


def rectification_actions(rectification: Rectification, user) -> list[dict]:
    """The steps the user may take now, by state and permission only: `core.workflow`'s
    `available_actions` also applies the guards, which read what the step itself supplies (the
    measures, the evidence), so it would never offer 提交整改措施 before the measures exist."""
    from django_fsm import can_proceed

    from fazhi.core.tenancy import writable_agency_ids
    from fazhi.core.workflow import workflow_of

    if rectification.agency_id not in writable_agency_ids(user):
        return []
    found = []
    for action in workflow_of(rectification).actions:
        method = getattr(rectification, action.name)
        if not can_proceed(method, check_conditions=False):
            continue
        meta = method._django_fsm
        if not meta.has_transition_perm(rectification, meta.field.get_state(rectification), user):
            continue
        found.append(
            {
                "name": action.name,
                "label": str(action.label),
                "kind": action.kind,
                "comment_required": action.comment_required,
            }
        )
    return found
