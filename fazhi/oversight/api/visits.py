"""Supervisors, plans and visits through the API, at /api/oversight/visits/.

The same services and selectors as the pages: the roster and checklist (legal office writes;
leaders and oversight read; phones only masked), monthly plans, visits (a supervisor files
their own, as JSON with photo ids uploaded first to /api/files with purpose
`oversight_visit_photo`, or as multipart with the photos and a `data` JSON field), the legal
office's "转为问题", and the average score per department. Errors in the shape of
fazhi.api.api: 403 role, 404 not visible, 409 state, 422 input.
"""

from __future__ import annotations

import datetime as dt
import json
import re

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status
from pydantic import Field, ValidationError

from fazhi.accounts.models import User
from fazhi.api.inputs import ApiIn, Day, Text
from fazhi.api.pagination import paginate
from fazhi.core.errors import InvalidInput
from fazhi.core.files.models import StoredFile
from fazhi.core.models import Agency, Department, Subdistrict
from fazhi.core.roles import Role
from fazhi.core.tenancy import agencies_with_role, writable_agency_ids
from fazhi.oversight.models import Mode, Severity, Supervisor, VisitChecklistItem
from fazhi.oversight.selectors import visits as selectors
from fazhi.oversight.services import visits as services

router = Router(tags=["监督：明察暗访"])
_ID = re.compile(r"[0-9]{1,18}")


def _id(text) -> int | None:
    return int(text) if _ID.fullmatch(str(text or "")) else None


def _limit(text: str) -> int | None:
    if not text:
        return None
    if not re.fullmatch(r"[0-9]{1,3}", text):
        raise InvalidInput(_("每页条数格式不正确。"), code="bad_limit")
    return int(text)


def _office(user) -> Agency:
    ids = [
        a for a in agencies_with_role(user, Role.LEGAL_OFFICER) if a in writable_agency_ids(user)
    ]
    agency = Agency.objects.filter(pk__in=ids).order_by("pk").first()
    if agency is None:
        raise PermissionDenied
    return agency


def _reader(user) -> set[int]:
    ids = selectors.all_reading_agency_ids(user)
    if not ids:
        raise PermissionDenied
    return ids


def _view(user) -> None:
    if not user.has_perm("oversight.view_visits"):
        raise PermissionDenied


def _of(model, agency_id, value, message, code):
    if value in (None, ""):
        return None
    found = model.objects.filter(agency_id=agency_id, pk=_id(value)).first()
    if found is None:
        raise InvalidInput(message, code=code)
    return found


# --- Schemas -------------------------------------------------------------------------------------


class SupervisorOut(Schema):
    id: str
    agency: str
    name: str
    kind: str
    kind_label: str
    workplace: str
    phone_masked: str
    term_start: dt.date
    term_end: dt.date
    active: bool
    user: str | None


class SupervisorIn(ApiIn):
    name: Text = Field(..., title="姓名", min_length=1, max_length=50)
    kind: Text = Field(..., title="类别", max_length=10)
    workplace: Text = Field("", title="工作单位及职务", max_length=200)
    phone: Text = Field("", title="联系电话", max_length=30)
    term_start: Day = Field(..., title="聘期开始")
    term_end: Day = Field(..., title="聘期结束")
    user: Text = Field("", title="账号", max_length=150, description="用户名；可空")


class SupervisorUpdateIn(ApiIn):
    name: Text | None = Field(None, title="姓名", max_length=50)
    kind: Text | None = Field(None, title="类别", max_length=10)
    workplace: Text | None = Field(None, title="工作单位及职务", max_length=200)
    phone: Text | None = Field(None, title="联系电话", max_length=30)
    term_start: Day | None = Field(None, title="聘期开始")
    term_end: Day | None = Field(None, title="聘期结束")
    user: Text | None = Field(None, title="账号", max_length=150)


class EndTermIn(ApiIn):
    ended_on: Day | None = Field(None, title="离任日期")
    reason: Text = Field("", title="原因", max_length=500)


class ItemOut(Schema):
    id: str
    order: int
    text: str
    max_points: int
    active: bool


class ItemIn(ApiIn):
    text: Text = Field(..., title="评价内容", min_length=1, max_length=200)
    max_points: int = Field(10, title="满分", ge=1, le=100)
    order: int | None = Field(None, title="序号", ge=1, le=999)
    active: bool = Field(True, title="启用")


class PlanOut(Schema):
    id: str
    month: dt.date
    supervisor: str
    supervisor_name: str
    place: str
    department: str | None
    department_name: str
    subdistrict: str | None
    mode: str
    mode_label: str
    note: str
    done: bool


class PlanIn(ApiIn):
    month: Day = Field(..., title="月份", description="该月任一日")
    supervisor: Text = Field(..., title="监督员", max_length=20)
    place: Text = Field(..., title="走访地点", min_length=1, max_length=200)
    department: Text = Field("", title="被走访单位", max_length=20)
    subdistrict: Text = Field("", title="街道/镇", max_length=20)
    mode: Text = Field(Mode.OPEN, title="方式", max_length=12)
    note: Text = Field("", title="说明", max_length=2000)


class FileOut(Schema):
    id: str
    name: str
    size: int
    download_url: str


class ScoreOut(Schema):
    item: str
    text: str
    points: int
    max_points: int


class FindingRef(Schema):
    id: str
    title: str
    state: str
    state_label: str
    due_on: dt.date | None
    url: str


class VisitSummary(Schema):
    id: str
    agency: str
    supervisor: str
    supervisor_name: str
    plan: str | None
    place: str
    department: str
    department_name: str
    subdistrict: str | None
    visited_on: dt.date
    mode: str
    mode_label: str
    total_points: int
    max_points: int
    finding: FindingRef | None


class VisitOut(VisitSummary):
    remarks: str
    problem: str
    scores: list[ScoreOut]
    photos: list[FileOut]


class VisitPage(Schema):
    items: list[VisitSummary]
    next_cursor: str | None


class VisitIn(ApiIn):
    visited_on: Day = Field(..., title="走访日期")
    plan: Text = Field("", title="走访计划", max_length=20)
    place: Text = Field("", title="走访地点", max_length=200)
    department: Text = Field("", title="被走访单位", max_length=20)
    subdistrict: Text = Field("", title="街道/镇", max_length=20)
    mode: Text = Field(
        "", title="方式", max_length=12, description="open 或 unannounced；按计划可空"
    )
    scores: dict[str, int] = Field(..., title="评分", description="{评价项目 id: 得分}")
    remarks: Text = Field("", title="意见建议", max_length=5000)
    problem: Text = Field("", title="发现的问题", max_length=5000)
    photos: list[str] = Field(
        [], title="照片", description="/api/files 上传的照片 id", max_length=9
    )
    supervisor: Text = Field("", title="监督员", max_length=20, description="只能是本人；可空")


class TurnIn(ApiIn):
    title: Text = Field("", title="问题", max_length=200)
    description: Text = Field("", title="问题描述", max_length=5000)
    severity: Text = Field(Severity.GENERAL, title="严重程度", max_length=10)


class ListQuery(Schema):
    month: str = ""
    supervisor: str = ""
    department: str = ""
    mode: str = ""
    cursor: str = ""
    limit: str = ""


class DepartmentScoreOut(Schema):
    department: str
    department_name: str
    visits: int
    total_points: int
    max_points: int
    percent: str | None


# --- Output --------------------------------------------------------------------------------------


def _supervisor(s: Supervisor) -> dict:
    return {
        "id": str(s.pk),
        "agency": s.agency.code,
        "name": s.name,
        "kind": s.kind,
        "kind_label": str(s.get_kind_display()),
        "workplace": s.workplace,
        "phone_masked": s.phone.masked if s.phone else "",
        "term_start": s.term_start,
        "term_end": s.term_end,
        "active": s.active,
        "user": s.user.username if s.user_id else None,
    }


def _item(i: VisitChecklistItem) -> dict:
    return {
        "id": str(i.pk),
        "order": i.order,
        "text": i.text,
        "max_points": i.max_points,
        "active": i.active,
    }


def _plan(p) -> dict:
    return {
        "id": str(p.pk),
        "month": p.month,
        "supervisor": str(p.supervisor_id),
        "supervisor_name": p.supervisor.name,
        "place": p.place,
        "department": str(p.department_id) if p.department_id else None,
        "department_name": p.department.name if p.department_id else "",
        "subdistrict": str(p.subdistrict_id) if p.subdistrict_id else None,
        "mode": p.mode,
        "mode_label": str(p.get_mode_display()),
        "note": p.note,
        "done": bool(getattr(p, "done", False)),
    }


def _finding(visit) -> dict | None:
    finding = visit.finding
    if finding is None:
        return None
    rectification = getattr(finding, "rectification", None)
    return {
        "id": str(finding.pk),
        "title": finding.title,
        "state": rectification.state if rectification else "",
        "state_label": str(rectification.get_state_display()) if rectification else "",
        "due_on": rectification.due_on if rectification else None,
        "url": f"/staff/oversight/findings/{finding.pk}/",
    }


def _summary(v) -> dict:
    return {
        "id": str(v.pk),
        "agency": v.agency.code,
        "supervisor": str(v.supervisor_id),
        "supervisor_name": v.supervisor.name,
        "plan": str(v.plan_id) if v.plan_id else None,
        "place": v.place,
        "department": str(v.department_id),
        "department_name": v.department.name,
        "subdistrict": str(v.subdistrict_id) if v.subdistrict_id else None,
        "visited_on": v.visited_on,
        "mode": v.mode,
        "mode_label": str(v.get_mode_display()),
        "total_points": v.total_points,
        "max_points": v.max_points,
        "finding": _finding(v),
    }


def _file(f) -> dict:
    return {
        "id": str(f.pk),
        "name": f.original_name,
        "size": f.size,
        "download_url": reverse("files:download", args=[f.pk]),
    }


def _visit_out(user, visit_id) -> dict:
    v = selectors.access_visit(user, visit_id)
    return {
        **_summary(v),
        "remarks": v.remarks,
        "problem": v.problem,
        "scores": [
            {
                "item": str(s.item_id),
                "text": s.item.text,
                "points": s.points,
                "max_points": s.item.max_points,
            }
            for s in sorted(v.scores.all(), key=lambda s: s.item.order)
        ],
        "photos": [_file(f) for f in v.photos.all()],
    }


# --- Roster --------------------------------------------------------------------------------------


def _account(agency, username: str | None):
    if not username:
        return None
    user = User.objects.filter(username=username).first()
    if user is None:
        raise InvalidInput(_("账号不存在。"), code="user_unknown")
    return user


@router.get("/supervisors/", response=list[SupervisorOut], url_name="oversight_supervisors")
def supervisor_list(request):
    """The roster (legal office, leaders, oversight); phones masked."""
    _reader(request.user)
    return [_supervisor(s) for s in selectors.roster(request.user)]


@router.post("/supervisors/", response={201: SupervisorOut}, url_name="oversight_supervisor_add")
def supervisor_add(request, body: SupervisorIn):
    agency = _office(request.user)
    created = services.supervisor_add(
        actor=request.user,
        agency=agency,
        name=body.name,
        kind=body.kind,
        workplace=body.workplace,
        phone=body.phone,
        term_start=body.term_start,
        term_end=body.term_end,
        user=_account(agency, body.user),
    )
    return Status(201, _supervisor(selectors.access_supervisor(request.user, created.pk)))


@router.patch(
    "/supervisors/{supervisor_id}", response=SupervisorOut, url_name="oversight_supervisor_update"
)
def supervisor_update(request, supervisor_id: str, body: SupervisorUpdateIn):
    supervisor = selectors.access_supervisor(request.user, _id(supervisor_id))
    fields = body.dict(exclude_unset=True)
    if "user" in fields:
        fields["user"] = _account(supervisor.agency, fields["user"])
    if "phone" in fields and fields["phone"] is None:
        fields.pop("phone")
    services.supervisor_update(actor=request.user, supervisor=supervisor, **fields)
    return _supervisor(selectors.access_supervisor(request.user, supervisor.pk))


@router.post(
    "/supervisors/{supervisor_id}/end", response=SupervisorOut, url_name="oversight_supervisor_end"
)
def supervisor_end(request, supervisor_id: str, body: EndTermIn):
    supervisor = selectors.access_supervisor(request.user, _id(supervisor_id))
    services.supervisor_end_term(
        actor=request.user, supervisor=supervisor, ended_on=body.ended_on, reason=body.reason
    )
    return _supervisor(selectors.access_supervisor(request.user, supervisor.pk))


# --- Checklist -----------------------------------------------------------------------------------


@router.get("/checklist/", response=list[ItemOut], url_name="oversight_visit_items")
def item_list(request):
    """The checklist a visit is scored on (the supervisor's own agency for a supervisor)."""
    _view(request.user)
    own = services.roster_entry(request.user)
    agency_ids = selectors.all_reading_agency_ids(request.user) or (
        {own.agency_id} if own else set()
    )
    if not agency_ids:
        raise PermissionDenied
    items = VisitChecklistItem.objects.filter(agency_id__in=agency_ids).order_by(
        "agency_id", "order"
    )
    if not selectors.all_reading_agency_ids(request.user):
        items = items.filter(active=True)
    return [_item(i) for i in items]


@router.post("/checklist/", response={201: ItemOut}, url_name="oversight_visit_item_add")
def item_add(request, body: ItemIn):
    agency = _office(request.user)
    item = services.checklist_item_save(
        actor=request.user,
        agency=agency,
        text=body.text,
        max_points=body.max_points,
        order=body.order,
        active=body.active,
    )
    return Status(201, _item(item))


@router.put("/checklist/{item_id}", response=ItemOut, url_name="oversight_visit_item_update")
def item_update(request, item_id: str, body: ItemIn):
    agency = _office(request.user)
    item = VisitChecklistItem.objects.filter(agency=agency, pk=_id(item_id)).first()
    if item is None:
        raise Http404
    item = services.checklist_item_save(
        actor=request.user,
        agency=agency,
        item=item,
        text=body.text,
        max_points=body.max_points,
        order=body.order,
        active=body.active,
    )
    return _item(item)


# --- Plans ---------------------------------------------------------------------------------------


@router.get("/plans/", response=list[PlanOut], url_name="oversight_visit_plans")
def plan_list(request, month: dt.date | None = None):
    """A month's plans the caller may see (this month when omitted), with `done`."""
    _view(request.user)
    from django.utils import timezone

    return [_plan(p) for p in selectors.month_plans(request.user, month or timezone.localdate())]


@router.post("/plans/", response={201: PlanOut}, url_name="oversight_visit_plan_add")
def plan_add(request, body: PlanIn):
    agency = _office(request.user)
    plan = services.plan_add(
        actor=request.user,
        agency=agency,
        month=body.month,
        supervisor=_of(
            Supervisor,
            agency.pk,
            body.supervisor,
            _("请选择本机关的监督员。"),
            "supervisor_invalid",
        ),
        place=body.place,
        department=_of(
            Department, agency.pk, body.department, _("请选择本机关的单位。"), "department_invalid"
        ),
        subdistrict=_of(
            Subdistrict,
            agency.pk,
            body.subdistrict,
            _("请选择本机关的街道/镇。"),
            "subdistrict_invalid",
        ),
        mode=body.mode,
        note=body.note,
    )
    return Status(201, _plan(selectors.access_plan(request.user, plan.pk)))


@router.delete("/plans/{plan_id}", response={204: None}, url_name="oversight_visit_plan_remove")
def plan_remove(request, plan_id: str):
    plan = selectors.access_plan(request.user, _id(plan_id))
    services.plan_remove(actor=request.user, plan=plan)
    return Status(204, None)


# --- Scores --------------------------------------------------------------------------------------


@router.get("/scores/", response=list[DepartmentScoreOut], url_name="oversight_visit_scores")
def scores(request, start: dt.date, end: dt.date, agency: str = ""):
    """Average visit score per department visited in [start, end]."""
    ids = _reader(request.user)
    agency_id = _id(agency) if agency else min(ids)
    if agency_id not in ids:
        raise Http404
    return [
        {
            "department": str(r.department.pk),
            "department_name": r.department.name,
            "visits": r.visits,
            "total_points": r.total,
            "max_points": r.maximum,
            "percent": str(r.percent) if r.percent is not None else None,
        }
        for r in selectors.department_scores(request.user, agency_id, start, end)
    ]


# --- Visits --------------------------------------------------------------------------------------


def _month(text: str):
    if not text:
        return None
    try:
        year, month = text.split("-")[:2]
        return dt.date(int(year), int(month), 1)
    except ValueError:
        raise InvalidInput(_("月份格式应为 YYYY-MM。"), code="bad_filter") from None


@router.get("/", response=VisitPage, url_name="oversight_visits")
def visit_list(request, filters: Query[ListQuery]):
    """The visits the caller may see, newest first."""
    _view(request.user)
    if filters.mode and filters.mode not in Mode.values:
        raise InvalidInput(_("方式不正确。"), code="bad_filter")
    page = paginate(
        selectors.visit_list(
            request.user,
            month=_month(filters.month),
            supervisor=_id(filters.supervisor),
            department=_id(filters.department),
            mode=filters.mode,
        ),
        cursor=filters.cursor or None,
        limit=_limit(filters.limit),
    )
    return {"items": [_summary(v) for v in page["items"]], "next_cursor": page["next_cursor"]}


def _file_visit(request, body: VisitIn, uploads=()) -> dict:
    user = request.user
    own = services.roster_entry(user)
    if own is None:
        raise PermissionDenied
    supervisor = own
    if body.supervisor and _id(body.supervisor) != own.pk:
        # Filing for someone else: refused whoever they are.
        raise PermissionDenied
    agency_id = own.agency_id
    plan = None
    if body.plan:
        plan = selectors.plans_for(user).filter(pk=_id(body.plan), supervisor=own).first()
        if plan is None:
            raise InvalidInput(_("走访计划不存在或不是您的。"), code="plan_invalid")
    photo_files = []
    for file_id in body.photos:
        stored = StoredFile.objects.filter(pk=_id(file_id), agency_id=agency_id).first()
        if stored is None:
            raise InvalidInput(_("照片不存在。"), code="photo_invalid")
        photo_files.append(stored)
    visit = services.visit_file(
        actor=user,
        supervisor=supervisor,
        plan=plan,
        visited_on=body.visited_on,
        place=body.place,
        department=_of(
            Department, agency_id, body.department, _("请选择本机关的单位。"), "department_invalid"
        ),
        subdistrict=_of(
            Subdistrict,
            agency_id,
            body.subdistrict,
            _("请选择本机关的街道/镇。"),
            "subdistrict_invalid",
        ),
        mode=body.mode or None,
        scores=body.scores,
        remarks=body.remarks,
        problem=body.problem,
        photos=uploads,
        photo_files=photo_files,
        request=request,
    )
    return _visit_out(user, visit.pk)


@router.post("/", response={201: VisitOut}, url_name="oversight_visit_file")
def visit_file(request, body: VisitIn):
    """A supervisor files a visit (JSON; photos as ids from /api/files)."""
    _view(request.user)
    return Status(201, _file_visit(request, body))


@router.post("/multipart", response={201: VisitOut}, url_name="oversight_visit_file_multipart")
def visit_file_multipart(
    request,
    data: Form[str],
    photos: File[list[UploadedFile]] = None,  # type: ignore[assignment]
):
    """A supervisor files a visit as multipart: `data` is the JSON of the visit, `photos` the
    image files (each at most the agency's photo limit)."""
    _view(request.user)
    try:
        body = VisitIn.model_validate(json.loads(data))
    except (ValueError, TypeError):
        raise InvalidInput(_("data 须为走访内容的 JSON。"), code="invalid_input") from None
    except ValidationError as exc:
        raise InvalidInput(
            "；".join(str(e.get("msg", "")) for e in exc.errors()), code="invalid_input"
        ) from None
    return Status(201, _file_visit(request, body, uploads=list(photos or [])))


@router.get("/{visit_id}", response=VisitOut, url_name="oversight_visit")
def visit_detail(request, visit_id: str):
    _view(request.user)
    return _visit_out(request.user, _id(visit_id))


@router.post("/{visit_id}/finding", response=VisitOut, url_name="oversight_visit_to_finding")
def visit_to_finding(request, visit_id: str, body: TurnIn):
    """转为问题 (legal office): a finding from the remarks when the supervisor wrote none."""
    _view(request.user)
    visit = selectors.access_visit(request.user, _id(visit_id))
    services.visit_open_finding(
        actor=request.user,
        visit=visit,
        title=body.title,
        description=body.description,
        severity=body.severity,
        request=request,
    )
    return _visit_out(request.user, visit.pk)
