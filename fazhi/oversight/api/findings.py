"""Findings and their rectification through the API, at /api/oversight/findings/.

Same services and checks as the staff pages: a role without findings work 403, a record of
another agency (or none) 404, another department's finding 403, a state or guard that does not
allow the step 409, bad input 422 — in the error shape of fazhi.api.api. One route per step
(as the disclosure API, decision 53); `available_actions` of the detail names the routes the
caller may use now. The board, the circulars and their routes are declared before the
`/{finding_id}` routes, and ids are digits only, so no path is taken for another.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status
from pydantic import Field

from fazhi.api.inputs import ApiIn, Day, Text
from fazhi.api.pagination import paginate
from fazhi.core.errors import InvalidInput
from fazhi.core.models import Agency, Department, Subdistrict
from fazhi.core.roles import Role
from fazhi.core.tenancy import agencies_with_role, writable_agency_ids
from fazhi.oversight.models import Circular, Escalation, Rectification, Severity, Source
from fazhi.oversight.permissions.base import department_ids
from fazhi.oversight.selectors import findings as selectors
from fazhi.oversight.services import findings as services

router = Router(tags=["监督: 问题整改"])

State = Rectification.State
_ID = re.compile(r"[0-9]{1,18}")


def _id(text) -> int | None:
    return int(text) if _ID.fullmatch(str(text or "")) else None


# --- Schemas ----------------------------------------------------------------------------------


class FindingIn(ApiIn):
    agency: Text = Field(
        "", title="机关", max_length=20, description="机关 id；只属一个机关时可省略"
    )
    source: Text = Field(
        ..., title="来源", max_length=20, description="complaint / inspection / other"
    )
    title: Text = Field(..., title="问题", min_length=1, max_length=200)
    description: Text = Field(..., title="问题描述", min_length=1, max_length=5000)
    department: Text = Field(..., title="责任单位", max_length=20, description="科室 id")
    severity: Text = Field(Severity.GENERAL, title="严重程度", max_length=10)
    legal_basis: Text = Field("", title="依据", max_length=5000)
    subdistrict: Text = Field("", title="街道/镇", max_length=20)
    found_on: Day | None = Field(None, title="发现日期")
    source_label: Text = Field("", title="来源说明", max_length=200)


class MeasuresIn(ApiIn):
    measures: Text = Field(..., title="整改措施", max_length=5000)


class SubmitIn(ApiIn):
    completion_note: Text = Field(..., title="整改情况", max_length=5000)


class VerifyIn(ApiIn):
    comment: Text = Field("", title="核验意见", max_length=500)


class SendBackIn(ApiIn):
    reason: Text = Field(..., title="驳回理由", max_length=500)


class DueIn(ApiIn):
    due_on: Day = Field(..., title="整改期限")
    reason: Text = Field(..., title="调整理由", max_length=500)


class InterviewIn(ApiIn):
    note: Text = Field(..., title="约谈情况", max_length=5000)


class AccountabilityIn(ApiIn):
    person_name: Text = Field(..., title="责任人", max_length=50)
    position: Text = Field("", title="职务", max_length=100)
    measure: Text = Field(..., title="处理措施", max_length=20)
    decided_on: Day = Field(..., title="决定日期")
    decided_by: Text = Field(..., title="决定机关", max_length=100)
    basis: Text = Field("", title="依据", max_length=5000)
    note: Text = Field("", title="备注", max_length=5000)


class CircularIn(ApiIn):
    agency: Text = Field("", title="机关", max_length=20)
    title: Text = Field(..., title="标题", max_length=200)
    period_start: Day = Field(..., title="起始日期")
    period_end: Day = Field(..., title="截止日期")


class IssueIn(ApiIn):
    issued_on: Day | None = Field(None, title="印发日期")


class ListQuery(Schema):
    state: str = ""
    source: str = ""
    department: str = ""
    severity: str = ""
    overdue: str = ""
    q: str = ""
    cursor: str = ""
    limit: str = ""


class FileOut(Schema):
    id: str
    name: str
    size: int
    download_url: str


class FindingSummary(Schema):
    id: str
    title: str
    source: str
    source_label: str
    severity: str
    severity_label: str
    agency: str
    department: str
    department_id: str
    subdistrict: str
    found_on: dt.date
    state: str
    state_label: str
    due_on: dt.date
    due_provisional: bool
    overdue: bool
    level: int
    level_label: str
    closed_on: dt.date | None


class FindingPage(Schema):
    items: list[FindingSummary]
    next_cursor: str | None


class EscalationOut(Schema):
    step: int
    step_label: str
    taken_on: dt.date
    note: str
    document_url: str | None
    circular: str | None


class AccountabilityOut(Schema):
    id: str
    person_name: str
    position: str
    measure: str
    measure_label: str
    decided_on: dt.date
    decided_by: str
    basis: str
    note: str


class FindingOut(FindingSummary):
    description: str
    legal_basis: str
    source_ref: str
    measures: str
    completion_note: str
    rejection_count: int
    overdue_workdays: int
    evidence: list[FileOut]
    completion_files: list[FileOut]
    escalations: list[EscalationOut]
    accountability: list[AccountabilityOut]
    available_actions: list[dict[str, Any]]
    timeline: list[dict[str, Any]]


class FlagOut(Schema):
    id: str
    name: str
    flag: str
    open: int
    overdue: int
    due_soon: int
    sent_back: int
    submitted: int
    closed_on_time: int
    closed_late: int


class BoardOut(Schema):
    agency: str
    today: dt.date
    departments: list[FlagOut]
    subdistricts: list[FlagOut]


class CircularOut(Schema):
    id: str
    title: str
    state: str
    state_label: str
    period_start: dt.date
    period_end: dt.date
    number: str
    issued_on: dt.date | None
    document_url: str | None
    items: list[dict[str, Any]]


class CircularPage(Schema):
    items: list[CircularOut]
    next_cursor: str | None


# --- Helpers ----------------------------------------------------------------------------------


def _may_work(user) -> None:
    if not user.has_perm("oversight.view_findings"):
        raise PermissionDenied


def _finding(request, finding_id):
    _may_work(request.user)
    return selectors.access_finding(request.user, _id(finding_id))


def _rect(finding) -> Rectification:
    return Rectification.objects.get(finding=finding)


def _file(stored) -> dict:
    return {
        "id": str(stored.pk),
        "name": stored.original_name,
        "size": stored.size,
        "download_url": reverse("files:download", args=[stored.pk]),
    }


def _summary(finding, today) -> dict:
    rect = finding.rectification
    return {
        "id": str(finding.pk),
        "title": finding.title,
        "source": finding.source,
        "source_label": str(finding.get_source_display()),
        "severity": finding.severity,
        "severity_label": str(finding.get_severity_display()),
        "agency": finding.agency.name,
        "department": finding.department.name,
        "department_id": str(finding.department_id),
        "subdistrict": finding.subdistrict.name if finding.subdistrict_id else "",
        "found_on": finding.found_on,
        "state": rect.state,
        "state_label": str(rect.get_state_display()),
        "due_on": rect.due_on,
        "due_provisional": rect.due_provisional,
        "overdue": rect.state in services.UNIT_STATES and rect.due_on < today,
        "level": rect.level,
        "level_label": str(rect.get_level_display()),
        "closed_on": rect.closed_on,
    }


# Actions that are not transitions of the model: who may take them, and their route.
def _extra_actions(request, finding, rect) -> list[dict]:
    user = request.user
    writable = finding.agency_id in writable_agency_ids(user)
    found = []
    if writable and user.has_perm("oversight.rectify", rect) and rect.state == State.RECTIFYING:
        found.append({"name": "completion_files", "label": _("上传整改佐证材料"), "kind": "upload"})
    if writable and user.has_perm("oversight.verify_rectification", rect):
        if rect.is_open:
            found.append({"name": "set_due", "label": _("调整整改期限"), "kind": "edit"})
        if rect.escalations.filter(step=Escalation.Step.INTERVIEW, note="").exists():
            found.append({"name": "interview", "label": _("记录约谈情况"), "kind": "edit"})
    if writable and user.has_perm("oversight.record_accountability", finding):
        found.append({"name": "accountability", "label": _("记录责任追究"), "kind": "create"})
        found.append({"name": "evidence", "label": _("补充证据材料"), "kind": "upload"})
    return found


def _out(request, finding_id) -> dict:
    finding = selectors.access_finding(request.user, finding_id)
    rect = Rectification.objects.select_related("closed_by").get(finding=finding)
    finding.rectification = rect
    today = timezone.localdate()
    from fazhi.core.models import Event

    events = Event.objects.filter(
        target_type__in=["oversight.finding", "oversight.rectification"],
        target_id__in=[str(finding.pk), str(rect.pk)],
    ).order_by("seq")
    mine = {("oversight.finding", str(finding.pk)), ("oversight.rectification", str(rect.pk))}
    return {
        **_summary(finding, today),
        "description": finding.description,
        "legal_basis": finding.legal_basis,
        "source_ref": finding.source_ref,
        "measures": rect.measures,
        "completion_note": rect.completion_note,
        "rejection_count": rect.rejection_count,
        "overdue_workdays": services.overdue_workdays(rect.due_on, today) if rect.is_open else 0,
        "evidence": [_file(f) for f in selectors.finding_evidence(finding)],
        "completion_files": [_file(f) for f in selectors.rectification_files(rect)],
        "escalations": [
            {
                "step": e.step,
                "step_label": str(e.get_step_display()),
                "taken_on": e.taken_on,
                "note": e.note,
                "document_url": (
                    reverse("oversight:finding_notice", args=[finding.pk])
                    if e.step == Escalation.Step.NOTICE
                    else None
                ),
                "circular": str(e.circular_id) if e.circular_id else None,
            }
            for e in selectors.rectification_escalations(rect)
        ],
        "accountability": [
            {
                "id": str(a.pk),
                "person_name": a.person_name,
                "position": a.position,
                "measure": a.measure,
                "measure_label": str(a.get_measure_display()),
                "decided_on": a.decided_on,
                "decided_by": a.decided_by,
                "basis": a.basis,
                "note": a.note,
            }
            for a in selectors.finding_accountability(finding)
        ],
        "available_actions": selectors.rectification_actions(rect, request.user)
        + _extra_actions(request, finding, rect),
        "timeline": [
            {
                "seq": e.seq,
                "at": e.at.isoformat(),
                "actor": e.actor_name,
                "verb": e.verb,
                "from_state": e.from_state,
                "to_state": e.to_state,
                "comment": str((e.data or {}).get("comment", "")),
            }
            for e in events
            if (e.target_type, e.target_id) in mine
        ],
    }


def _office_agency(user, agency_id: str) -> Agency:
    offices = [
        a for a in agencies_with_role(user, Role.LEGAL_OFFICER) if a in writable_agency_ids(user)
    ]
    if agency_id:
        if _id(agency_id) not in offices:
            if _id(agency_id) in writable_agency_ids(user):
                raise PermissionDenied
            raise Http404
        return Agency.objects.get(pk=_id(agency_id))
    if not offices:
        raise PermissionDenied
    if len(offices) != 1:
        raise InvalidInput(_("请选择机关。"), code="agency_required", fields=["agency"])
    return Agency.objects.get(pk=offices[0])


def _limit(text: str) -> int | None:
    if not text:
        return None
    if not re.fullmatch(r"[0-9]{1,3}", text):
        raise InvalidInput(_("每页条数格式不正确。"), code="bad_limit")
    return int(text)


def _flag(row) -> dict:
    return {
        "id": str(row.unit_id),
        "name": row.name,
        "flag": row.flag,
        "open": row.open,
        "overdue": row.overdue,
        "due_soon": row.due_soon,
        "sent_back": row.sent_back,
        "submitted": row.submitted,
        "closed_on_time": row.closed_on_time,
        "closed_late": row.closed_late,
    }


def _circular(circular) -> dict:
    return {
        "id": str(circular.pk),
        "title": circular.title,
        "state": circular.state,
        "state_label": str(circular.get_state_display()),
        "period_start": circular.period_start,
        "period_end": circular.period_end,
        "number": circular.number.text if circular.number_id else "",
        "issued_on": circular.issued_on,
        "document_url": (
            reverse("files:download", args=[circular.document_id]) if circular.document_id else None
        ),
        "items": services.circular_items(circular),
    }


# --- The board and circulars (static paths first) ---------------------------------------------


@router.get("/board", response=BoardOut, url_name="oversight_findings_board")
def board(request, agency: str = ""):
    """Flags per department and subdistrict (red / yellow / none) with their counts; a
    department user gets their own department's row only."""
    _may_work(request.user)
    user = request.user
    full = selectors.full_agency_ids(user)
    own = department_ids(user)
    own_agencies = set(Department.objects.filter(pk__in=own).values_list("agency_id", flat=True))
    allowed = full | own_agencies
    if agency:
        if _id(agency) not in allowed:
            raise Http404
        chosen = _id(agency)
    elif allowed:
        chosen = min(allowed)
    else:
        raise PermissionDenied
    the_agency = Agency.objects.get(pk=chosen)
    data = selectors.board(the_agency, department_ids_only=None if chosen in full else sorted(own))
    return {
        "agency": the_agency.name,
        "today": data["today"],
        "departments": [_flag(r) for r in data["departments"]],
        "subdistricts": [_flag(r) for r in data["subdistricts"]],
    }


@router.get("/circulars/", response=CircularPage, url_name="oversight_circulars_list")
def circular_list(request, cursor: str = "", limit: str = ""):
    _may_work(request.user)
    page = paginate(
        selectors.circulars_for(request.user), cursor=cursor or None, limit=_limit(limit)
    )
    return {"items": [_circular(c) for c in page["items"]], "next_cursor": page["next_cursor"]}


@router.post("/circulars/", response={201: CircularOut}, url_name="oversight_circulars_create")
def circular_create(request, body: CircularIn):
    """A draft circular for a period (legal office); it lists live until issued."""
    _may_work(request.user)
    agency = _office_agency(request.user, body.agency)
    circular = services.circular_create(
        actor=request.user,
        agency=agency,
        title=body.title,
        period_start=body.period_start,
        period_end=body.period_end,
    )
    return Status(201, _circular(circular))


@router.get("/circulars/{circular_id}", response=CircularOut, url_name="oversight_circular")
def circular_detail(request, circular_id: str):
    _may_work(request.user)
    return _circular(selectors.access_circular(request.user, _id(circular_id)))


@router.post(
    "/circulars/{circular_id}/issue", response=CircularOut, url_name="oversight_circular_issue"
)
def circular_issue(request, circular_id: str, body: IssueIn):
    """印发: number, frozen list, DOCX (download at `document_url`)."""
    _may_work(request.user)
    circular = selectors.access_circular(request.user, _id(circular_id))
    issued = services.circular_issue(
        actor=request.user, circular=circular, issued_on=body.issued_on
    )
    return _circular(Circular.objects.select_related("number").get(pk=issued.pk))


# --- Findings -----------------------------------------------------------------------------------


@router.get("/", response=FindingPage, url_name="oversight_findings_list")
def finding_list(request, filters: Query[ListQuery]):
    """The findings the caller may read, newest first; filters: state, source, department,
    severity, overdue=1, q."""
    _may_work(request.user)
    if filters.state and filters.state not in State.values:
        raise InvalidInput(_("状态不正确。"), code="bad_filter", fields=["state"])
    if filters.source and filters.source not in Source.values:
        raise InvalidInput(_("来源不正确。"), code="bad_filter", fields=["source"])
    if filters.severity and filters.severity not in Severity.values:
        raise InvalidInput(_("严重程度不正确。"), code="bad_filter", fields=["severity"])
    if filters.department and _id(filters.department) is None:
        raise InvalidInput(_("责任单位不正确。"), code="bad_filter", fields=["department"])
    if filters.overdue not in ("", "0", "1", "true", "false"):
        raise InvalidInput(_("逾期筛选须为 1 或 0。"), code="bad_filter", fields=["overdue"])
    today = timezone.localdate()
    page = paginate(
        selectors.finding_worklist(
            request.user,
            state=filters.state,
            source=filters.source,
            department=_id(filters.department),
            severity=filters.severity,
            overdue=filters.overdue in ("1", "true"),
            q=filters.q[:100],
            today=today,
        ),
        cursor=filters.cursor or None,
        limit=_limit(filters.limit),
    )
    return {
        "items": [_summary(f, today) for f in page["items"]],
        "next_cursor": page["next_cursor"],
    }


@router.post("/", response={201: FindingOut}, url_name="oversight_findings_create")
def finding_create(request, body: FindingIn):
    """The legal office opens a finding by hand; evidence files: POST /{id}/evidence."""
    _may_work(request.user)
    agency = _office_agency(request.user, body.agency)
    department = Department.objects.filter(pk=_id(body.department), agency=agency).first()
    if department is None:
        raise InvalidInput(
            _("请选择本机关的责任单位。"), code="department_required", fields=["department"]
        )
    subdistrict = None
    if body.subdistrict:
        subdistrict = Subdistrict.objects.filter(pk=_id(body.subdistrict), agency=agency).first()
        if subdistrict is None:
            raise InvalidInput(
                _("街道/镇不属于本机关。"), code="subdistrict_agency", fields=["subdistrict"]
            )
    finding = services.finding_record(
        actor=request.user,
        agency=agency,
        source=body.source,
        title=body.title,
        description=body.description,
        department=department,
        severity=body.severity,
        legal_basis=body.legal_basis,
        subdistrict=subdistrict,
        found_on=body.found_on,
        source_label=body.source_label,
        request=request,
    )
    return Status(201, _out(request, finding.pk))


@router.get("/{finding_id}", response=FindingOut, url_name="oversight_finding")
def finding_detail(request, finding_id: str):
    finding = _finding(request, finding_id)
    return _out(request, finding.pk)


@router.post(
    "/{finding_id}/evidence", response={201: FileOut}, url_name="oversight_finding_evidence"
)
def finding_evidence(request, finding_id: str, file: File[UploadedFile]):
    """The legal office adds an evidence file (multipart field `file`)."""
    finding = _finding(request, finding_id)
    stored = services.finding_attach_evidence(
        actor=request.user, finding=finding, upload=file, request=request
    )
    return Status(201, _file(stored))


@router.post(
    "/{finding_id}/propose_measures", response=FindingOut, url_name="oversight_finding_measures"
)
def propose_measures(request, finding_id: str, body: MeasuresIn):
    finding = _finding(request, finding_id)
    services.rectification_propose_measures(
        actor=request.user, rectification=_rect(finding), measures=body.measures
    )
    return _out(request, finding.pk)


@router.post(
    "/{finding_id}/completion_files",
    response={201: FileOut},
    url_name="oversight_finding_completion_files",
)
def completion_files(request, finding_id: str, file: File[UploadedFile]):
    """The unit uploads a file of its evidence of completion (multipart field `file`)."""
    finding = _finding(request, finding_id)
    stored = services.rectification_attach_evidence(
        actor=request.user, rectification=_rect(finding), upload=file, request=request
    )
    return Status(201, _file(stored))


@router.post(
    "/{finding_id}/submit_evidence", response=FindingOut, url_name="oversight_finding_submit"
)
def submit_evidence(request, finding_id: str, body: SubmitIn):
    finding = _finding(request, finding_id)
    services.rectification_submit_evidence(
        actor=request.user,
        rectification=_rect(finding),
        completion_note=body.completion_note,
        request=request,
    )
    return _out(request, finding.pk)


@router.post("/{finding_id}/verify", response=FindingOut, url_name="oversight_finding_verify")
def verify(request, finding_id: str, body: VerifyIn):
    finding = _finding(request, finding_id)
    services.rectification_verify(
        actor=request.user, rectification=_rect(finding), comment=body.comment
    )
    return _out(request, finding.pk)


@router.post("/{finding_id}/send_back", response=FindingOut, url_name="oversight_finding_send_back")
def send_back(request, finding_id: str, body: SendBackIn):
    finding = _finding(request, finding_id)
    services.rectification_send_back(
        actor=request.user, rectification=_rect(finding), reason=body.reason
    )
    return _out(request, finding.pk)


@router.post("/{finding_id}/set_due", response=FindingOut, url_name="oversight_finding_set_due")
def set_due(request, finding_id: str, body: DueIn):
    finding = _finding(request, finding_id)
    services.rectification_set_due(
        actor=request.user, rectification=_rect(finding), due_on=body.due_on, reason=body.reason
    )
    return _out(request, finding.pk)


@router.post("/{finding_id}/interview", response=FindingOut, url_name="oversight_finding_interview")
def interview(request, finding_id: str, body: InterviewIn):
    finding = _finding(request, finding_id)
    services.interview_record(actor=request.user, rectification=_rect(finding), note=body.note)
    return _out(request, finding.pk)


@router.post(
    "/{finding_id}/accountability",
    response={201: FindingOut},
    url_name="oversight_finding_accountability",
)
def accountability(request, finding_id: str, body: AccountabilityIn):
    finding = _finding(request, finding_id)
    services.accountability_record(
        actor=request.user,
        finding=finding,
        person_name=body.person_name,
        position=body.position,
        measure=body.measure,
        decided_on=body.decided_on,
        decided_by=body.decided_by,
        basis=body.basis,
        note=body.note,
    )
    return Status(201, _out(request, finding.pk))
