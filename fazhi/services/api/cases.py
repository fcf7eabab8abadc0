"""Cases (办件) through the API, at /api/services/cases/ (see docs/services.md).

- `GET /` the cases the caller reads in one agency, newest first (filters: state, department,
  center, item, channel, overdue=1|2, received_from, received_to, q; `cursor` pages by keyset
  like the staff list); `POST /` registers a case — 201 for a new one, 200 when the one-stop
  platform sends an `external_ref` already registered (the same case, also under concurrency);
- `GET /{id}` the case with `state`, `due_on`, `overdue`, `available_actions` and `timeline`;
- one route per step: `POST /{id}/accept`, `not_accept`, `start_review`, `request_supplement`,
  `receive_supplement`, `propose`, `grant`, `deny`, `conclude` (answers the rating links too),
  `deliver`, `transfer`, `urge`; `POST /{id}/reveal` shows a full number (with a reason);
- `POST /lookup` (刷证办事: number + reason; a bad check digit is 400, nothing recorded) and
  `GET /figures?year=` (decisions by kind, on-time rates per item and department).
Same services and checks as the staff pages: a role without cases work 403, a case of another
agency or one the caller does not read 404, a state or guard that refuses 409, bad input 422 —
in the error shape of fazhi.api.api. The static paths are declared before `/{case_id}`, and
ids are digits only.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import Field

from fazhi.api.inputs import ApiIn, Day, Text
from fazhi.core import workflow
from fazhi.core.errors import Conflict, InvalidInput
from fazhi.core.models import Agency
from fazhi.services.models import (
    Appointment,
    CaseChannel,
    PowerKind,
    ServiceCase,
    ServiceCenter,
    ServiceItem,
)
from fazhi.services.permissions import cases as perms
from fazhi.services.selectors import cases as selectors
from fazhi.services.services import cases as services

router = Router(tags=["政务服务: 办件"])
public_router = Router(tags=["public-services-cases"])

State = ServiceCase.State
_ID = re.compile(r"[0-9]{1,18}")
VIEW = "services.view_cases"


def _id(text) -> int | None:
    return int(text) if _ID.fullmatch(str(text or "")) else None


def _limit(text: str) -> int:
    if not text:
        return selectors.PAGE_SIZE
    if not re.fullmatch(r"[0-9]{1,3}", text) or not 1 <= int(text) <= 200:
        raise InvalidInput(_("每页条数须在 1 至 200 之间。"), code="bad_limit")
    return int(text)


# --- Schemas ------------------------------------------------------------------------------------


class RegisterIn(ApiIn):
    agency: Text = Field(
        "", title="机关", max_length=20, description="机关 id；只属一个机关时可省略"
    )
    item: Text = Field("", title="服务事项", max_length=20, description="服务事项 id")
    channel: Literal["counter", "appointment", "online"] = Field("online", title="收件渠道")
    applicant_kind: Literal["person", "organisation", ""] = Field("person", title="申请人类型")
    applicant_name: Text = Field("", title="申请人", max_length=100)
    resident_id: Text = Field("", title="公民身份号码", max_length=30)
    credit_code: Text = Field("", title="统一社会信用代码", max_length=30)
    phone: Text = Field("", title="联系电话", max_length=20)
    summary: Text = Field("", title="申请事项摘要", max_length=200)
    center: Text = Field("", title="受理中心", max_length=20, description="受理中心 id")
    appointment: Text = Field(
        "", title="预约", max_length=20, description="已签到预约的 id（收件渠道为 appointment）"
    )
    external_ref: Text = Field(
        "",
        title="一网通办申请编号",
        max_length=64,
        description="同一编号再次提交返回同一办件（200）",
    )
    received_on: Day | None = Field(None, title="收件日期", description="默认今天")
    accept_now: bool = Field(False, title="当场受理")


class StepIn(ApiIn):
    comment: Text = Field("", title="意见", max_length=500)
    # The state the caller saw; a different current state answers 409 instead of acting.
    expected_state: Text | None = Field(None, title="预期状态", max_length=20)


class DayIn(StepIn):
    on: Day | None = Field(None, title="日期", description="默认今天，不能晚于今天")


class ReasonIn(ApiIn):
    reason: Text = Field(..., title="理由", max_length=2000)
    on: Day | None = Field(None, title="日期")
    expected_state: Text | None = Field(None, title="预期状态", max_length=20)


class SupplementIn(DayIn):
    items: list[Text] = Field(..., title="需补正的材料", max_length=30)


class ProposeIn(ApiIn):
    decision: Literal["granted", "denied"] = Field(..., title="拟办结果")
    opinion: Text = Field(..., title="拟办意见", max_length=2000)


class DeliverIn(DayIn):
    method: Text = Field(
        ..., title="送达方式", max_length=20, description="counter/post/electronic/notice"
    )


class TransferIn(ApiIn):
    to_user: Text = Field(..., title="转办给", max_length=20, description="用户 id")
    comment: Text = Field("", title="说明", max_length=500)


class RevealIn(ApiIn):
    field: Literal["resident_id", "credit_code", "phone"] = Field(..., title="号码")
    reason: Text = Field(..., title="查看理由", max_length=200)


class LookupIn(ApiIn):
    agency: Text = Field("", title="机关", max_length=20)
    number: Text = Field(..., title="公民身份号码", max_length=30)
    reason: Text = Field(..., title="查询事由", max_length=200)


class ListQuery(Schema):
    agency: str = ""
    state: str = ""
    department: str = ""
    center: str = ""
    item: str = ""
    channel: str = ""
    overdue: str = ""
    received_from: str = ""
    received_to: str = ""
    q: str = ""
    cursor: str = ""
    limit: str = ""


class Ref(Schema):
    id: str
    name: str


class CaseSummary(Schema):
    id: str
    case_number: str
    agency: str
    item: Ref
    department: Ref
    center: Ref | None
    channel: str
    applicant_kind: str
    applicant_name: str
    state: str
    state_label: str
    received_on: dt.date
    accepted_on: dt.date | None
    promised_due_on: dt.date | None
    statutory_due_on: dt.date | None
    concluded_on: dt.date | None
    overdue_level: int
    on_time_promised: bool | None
    on_time_statutory: bool | None


class CasePage(Schema):
    items: list[CaseSummary]
    next_cursor: str | None


class CaseOut(CaseSummary):
    power_kind: str
    power_kind_label: str
    appointment: str | None
    external_ref: str
    resident_id: str
    credit_code: str
    phone: str
    summary: str
    promised_days: int | None
    statutory_days: int | None
    due_on: dt.date | None
    overdue: bool
    due_explanation: dict[str, str]
    supplement_items: list[str]
    supplement_requested_on: dt.date | None
    supplement_received_on: dt.date | None
    decision: str
    decision_label: str
    decision_reason: str
    decided_on: dt.date | None
    delivered_on: dt.date | None
    delivery_method: str
    handler: str | None
    proposal: dict[str, Any] | None
    available_actions: list[dict[str, Any]]
    timeline: list[dict[str, Any]]
    # Issued when the case concludes (the `conclude` answer): {channel: path of the rating page}.
    rating_links: dict[str, str]


class RevealOut(Schema):
    field: str
    value: str


class LookupCase(Schema):
    id: str
    case_number: str
    item: str
    department: str
    state: str
    state_label: str
    received_on: dt.date
    readable: bool


class LookupAppointment(Schema):
    id: str
    booking_number: str
    center: str
    item: str
    day: dt.date
    starts_at: str
    ends_at: str
    state: str
    state_label: str


class LookupOut(Schema):
    masked: str
    cases: list[LookupCase]
    appointments: list[LookupAppointment]


class DecisionRow(Schema):
    kind: str
    label: str
    granted: int
    denied: int
    not_accepted: int
    total: int


class RateRow(Schema):
    id: str | None
    name: str
    concluded: int
    with_promised: int
    on_time_promised: int
    promised_rate: str | None
    with_statutory: int
    on_time_statutory: int
    statutory_rate: str | None


class FiguresOut(Schema):
    agency: str
    year: int
    decisions: list[DecisionRow]
    on_time_by_item: list[RateRow]
    on_time_by_department: list[RateRow]


# --- Helpers ------------------------------------------------------------------------------------


def _may_work(user) -> None:
    if not user.has_perm(VIEW):
        raise PermissionDenied


def _case(request, case_id) -> ServiceCase:
    _may_work(request.user)
    return selectors.access_case(request.user, _id(case_id))


def _reading_agency(user, agency: str) -> Agency:
    ids = selectors.reading_agency_ids(user)
    if agency:
        if _id(agency) not in ids:
            raise Http404
        return Agency.objects.get(pk=_id(agency))
    if not ids:
        raise PermissionDenied
    return Agency.objects.get(pk=ids[0])


def _counter_agency(user, agency: str) -> Agency:
    ids = sorted(perms.counter_agency_ids(user))
    if agency:
        if _id(agency) not in ids:
            if _id(agency) in selectors.reading_agency_ids(user):
                raise PermissionDenied
            raise Http404
        return Agency.objects.get(pk=_id(agency))
    if not ids:
        raise PermissionDenied
    if len(ids) != 1:
        raise InvalidInput(_("请选择机关。"), code="agency_required", fields=["agency"])
    return Agency.objects.get(pk=ids[0])


def _ref(obj) -> dict | None:
    return {"id": str(obj.pk), "name": obj.name} if obj is not None else None


def _summary(case, today) -> dict:
    return {
        "id": str(case.pk),
        "case_number": case.case_number,
        "agency": str(case.agency_id),
        "item": _ref(case.item),
        "department": _ref(case.department),
        "center": _ref(case.center) if case.center_id else None,
        "channel": case.channel,
        "applicant_kind": case.applicant_kind,
        "applicant_name": case.applicant_name,
        "state": case.state,
        "state_label": str(case.get_state_display()),
        "received_on": case.received_on,
        "accepted_on": case.accepted_on,
        "promised_due_on": case.promised_due_on,
        "statutory_due_on": case.statutory_due_on,
        "concluded_on": case.concluded_on,
        "overdue_level": case.overdue_level(today),
        "on_time_promised": case.on_time_promised,
        "on_time_statutory": case.on_time_statutory,
    }


def _extra_actions(case, user) -> list[dict]:
    if case.state == State.REVIEWING and perms.may_handle(user, case):
        return [{"name": "propose", "label": _("提出拟办意见"), "kind": "event",
                 "comment_required": True}]  # fmt: skip
    return []


def _out(request, case_id, links=None, *, case=None) -> dict:
    """The case as the API shows it; `case` given: one the caller just registered (a repeated
    external reference names the caller's own submission, read or not otherwise)."""
    if case is None:
        case = selectors.access_case(request.user, case_id)
    today = timezone.localdate()
    explanation = {}
    for which in ("promised", "statutory"):
        clock = case.clock(which)
        if clock is not None:
            explanation[which] = clock.explain()
    proposal = services.latest_proposal(case) if case.state == State.REVIEWING else None
    if proposal:
        proposal = {**proposal, "at": proposal["at"].isoformat()}
    return {
        **_summary(case, today),
        "power_kind": case.power_kind,
        "power_kind_label": str(PowerKind(case.power_kind).label) if case.power_kind else "",
        "appointment": str(case.appointment_id) if case.appointment_id else None,
        "external_ref": case.external_ref,
        "resident_id": str(case.resident_id or ""),
        "credit_code": str(case.credit_code or ""),
        "phone": str(case.phone or ""),
        "summary": case.summary,
        "promised_days": case.promised_days,
        "statutory_days": case.statutory_days,
        "due_on": case.due_on,
        "overdue": case.overdue_level(today) > 0,
        "due_explanation": explanation,
        "supplement_items": list(case.supplement_items or []),
        "supplement_requested_on": case.supplement_requested_on,
        "supplement_received_on": case.supplement_received_on,
        "decision": case.decision,
        "decision_label": str(case.get_decision_display()) if case.decision else "",
        "decision_reason": case.decision_reason,
        "decided_on": case.decided_on,
        "delivered_on": case.delivered_on,
        "delivery_method": case.delivery_method,
        "handler": case.handler.get_username() if case.handler_id else None,
        "proposal": proposal,
        "available_actions": workflow.available_actions(case, request.user)
        + _extra_actions(case, request.user),
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
            for e in workflow.timeline(case)
        ],
        "rating_links": dict(links or {}),
    }


def _expect(case, expected: str | None) -> None:
    if expected and case.state != expected:
        raise Conflict(
            _("办件当前为“%(state)s”，可能已被他人处理，请刷新。")
            % {"state": case.get_state_display()},
            code="state_changed",
        )


def _object(model, agency, value: str, label: str, code: str):
    if not value:
        return None
    found = model.objects.filter(pk=_id(value), agency=agency).first() if _id(value) else None
    if found is None:
        raise InvalidInput(
            _("%(label)s不存在或不属于本机关。") % {"label": label},
            code=f"{code}_unknown",
            fields=[code],
        )
    return found


def _day_text(value: str, label: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            _("%(label)s须为日期，格式 YYYY-MM-DD。") % {"label": label}, code="bad_filter"
        ) from None


def _rate(row) -> dict:
    return {
        "id": str(row.key) if row.key is not None else None,
        "name": row.name,
        "concluded": row.concluded,
        "with_promised": row.with_promised,
        "on_time_promised": row.on_time_promised,
        "promised_rate": str(row.promised_rate) if row.promised_rate is not None else None,
        "with_statutory": row.with_statutory,
        "on_time_statutory": row.on_time_statutory,
        "statutory_rate": str(row.statutory_rate) if row.statutory_rate is not None else None,
    }


# --- Static paths ---------------------------------------------------------------------------------


@router.post("/lookup", response=LookupOut, url_name="services_cases_lookup")
def lookup(request, body: LookupIn):
    """刷证办事: a person's cases (all departments) and appointments by ID number; the reason
    and the masked number are recorded; a number failing its check digit answers 400."""
    user = request.user
    agency = _counter_agency(user, body.agency)
    result = services.case_id_lookup(
        actor=user, agency=agency, number=body.number, reason=body.reason, request=request
    )
    return {
        "masked": result.masked,
        "cases": [
            {
                "id": str(c.pk),
                "case_number": c.case_number,
                "item": c.item.name,
                "department": c.department.name,
                "state": c.state,
                "state_label": str(c.get_state_display()),
                "received_on": c.received_on,
                "readable": perms.may_read(user, c),
            }
            for c in result.cases
        ],
        "appointments": [
            {
                "id": str(a.pk),
                "booking_number": a.booking_number,
                "center": a.center.name,
                "item": a.item.name,
                "day": a.day,
                "starts_at": a.starts_at.strftime("%H:%M"),
                "ends_at": a.ends_at.strftime("%H:%M"),
                "state": a.state,
                "state_label": str(a.get_state_display()),
            }
            for a in result.appointments
        ],
    }


@router.get("/figures", response=FiguresOut, url_name="services_cases_figures")
def figures(request, year: str = "", agency: str = ""):
    """Decisions by power kind (by 决定日期) and on-time rates per item and department (by
    办结日期) for a year (default this year)."""
    _may_work(request.user)
    the_agency = _reading_agency(request.user, agency)
    this_year = timezone.localdate().year
    chosen = _id(year) if year else this_year
    if chosen is None or not 2000 <= chosen <= this_year:
        raise InvalidInput(_("年度须在 2000 年至今年之间。"), code="bad_filter", fields=["year"])
    return {
        "agency": str(the_agency.pk),
        "year": chosen,
        "decisions": selectors.decision_rows(the_agency, chosen),
        "on_time_by_item": [_rate(r) for r in selectors.on_time_rates(the_agency, chosen)],
        "on_time_by_department": [
            _rate(r) for r in selectors.on_time_rates(the_agency, chosen, by="department")
        ],
    }


@router.get("/", response=CasePage, url_name="services_cases_list")
def case_list(request, filters: Query[ListQuery]):
    _may_work(request.user)
    agency = _reading_agency(request.user, filters.agency)
    if filters.state and filters.state not in State.values:
        raise InvalidInput(_("状态不正确。"), code="bad_filter", fields=["state"])
    if filters.channel and filters.channel not in CaseChannel.values:
        raise InvalidInput(_("收件渠道不正确。"), code="bad_filter", fields=["channel"])
    if filters.overdue not in ("", "1", "2"):
        raise InvalidInput(_("超期筛选须为 1 或 2。"), code="bad_filter", fields=["overdue"])
    if "\x00" in filters.q:
        # PostgreSQL refuses NUL in a query (a 500); a name or a case number never has one.
        raise InvalidInput(_("查询内容不能包含控制字符。"), code="bad_filter", fields=["q"])
    ids = {}
    for name in ("department", "center", "item"):
        value = getattr(filters, name)
        if value and _id(value) is None:
            raise InvalidInput(_("筛选条件不正确。"), code="bad_filter", fields=[name])
        ids[name] = _id(value)
    page = selectors.case_page(
        request.user,
        agency.pk,
        selectors.CaseFilters(
            state=filters.state,
            channel=filters.channel,
            overdue=filters.overdue,
            received_from=_day_text(filters.received_from, _("收件日期起")),
            received_to=_day_text(filters.received_to, _("收件日期止")),
            q=filters.q.strip()[:50],
            **ids,
        ),
        after=filters.cursor,
        size=_limit(filters.limit),
        count=False,
    )
    today = timezone.localdate()
    return {"items": [_summary(c, today) for c in page.rows], "next_cursor": page.older}


@router.post("/", response={200: CaseOut, 201: CaseOut}, url_name="services_cases_register")
def register(request, body: RegisterIn):
    """Register a case: 201 new, 200 when `external_ref` was registered before (same case)."""
    _may_work(request.user)
    agency = _counter_agency(request.user, body.agency)
    appointment = _object(Appointment, agency, body.appointment, _("预约"), "appointment")
    item = None
    if appointment is None:
        item = _object(ServiceItem, agency, body.item, _("服务事项"), "item")
        if item is None:
            raise InvalidInput(_("请选择服务事项。"), code="item_required", fields=["item"])
    done = services.case_register_result(
        actor=request.user,
        agency=agency,
        item=item,
        channel=body.channel,
        applicant_kind=body.applicant_kind,
        applicant_name=body.applicant_name,
        resident_id=body.resident_id,
        credit_code=body.credit_code,
        phone=body.phone,
        summary=body.summary,
        center=_object(ServiceCenter, agency, body.center, _("受理中心"), "center"),
        appointment=appointment,
        external_ref=body.external_ref,
        received_on=body.received_on,
        request=request,
        accept_now=body.accept_now,
    )
    case = ServiceCase.objects.select_related(
        "agency", "item", "department", "center", "appointment", "handler"
    ).get(pk=done.case.pk)
    return Status(201 if done.created else 200, _out(request, case.pk, case=case))


# --- One case -----------------------------------------------------------------------------------


@router.get("/{case_id}", response=CaseOut, url_name="services_case")
def case_detail(request, case_id: str):
    return _out(request, _case(request, case_id).pk)


@router.post("/{case_id}/reveal", response=RevealOut, url_name="services_case_reveal")
def reveal(request, case_id: str, body: RevealIn, response: HttpResponse):
    case = _case(request, case_id)
    value = services.case_reveal(
        actor=request.user, case=case, field=body.field, reason=body.reason, request=request
    )
    add_never_cache_headers(response)  # a full number: never kept by a cache
    return {"field": body.field, "value": value}


@router.post("/{case_id}/accept", response=CaseOut, url_name="services_case_accept")
def accept(request, case_id: str, body: DayIn):
    case = _case(request, case_id)
    _expect(case, body.expected_state)
    services.case_accept(actor=request.user, case=case, on=body.on, comment=body.comment)
    return _out(request, case.pk)


@router.post("/{case_id}/not_accept", response=CaseOut, url_name="services_case_not_accept")
def not_accept(request, case_id: str, body: ReasonIn):
    case = _case(request, case_id)
    _expect(case, body.expected_state)
    services.case_not_accept(actor=request.user, case=case, reason=body.reason, on=body.on)
    return _out(request, case.pk)


@router.post("/{case_id}/start_review", response=CaseOut, url_name="services_case_start_review")
def start_review(request, case_id: str, body: StepIn):
    case = _case(request, case_id)
    _expect(case, body.expected_state)
    services.case_start_review(actor=request.user, case=case, comment=body.comment)
    return _out(request, case.pk)


@router.post(
    "/{case_id}/request_supplement",
    response=CaseOut,
    url_name="services_case_request_supplement",
)
def request_supplement(request, case_id: str, body: SupplementIn):
    case = _case(request, case_id)
    _expect(case, body.expected_state)
    services.case_request_supplement(
        actor=request.user, case=case, items=body.items, on=body.on, comment=body.comment
    )
    return _out(request, case.pk)


@router.post(
    "/{case_id}/receive_supplement",
    response=CaseOut,
    url_name="services_case_receive_supplement",
)
def receive_supplement(request, case_id: str, body: DayIn):
    case = _case(request, case_id)
    _expect(case, body.expected_state)
    services.case_receive_supplement(
        actor=request.user, case=case, on=body.on, comment=body.comment
    )
    return _out(request, case.pk)


@router.post("/{case_id}/propose", response=CaseOut, url_name="services_case_propose")
def propose(request, case_id: str, body: ProposeIn):
    case = _case(request, case_id)
    services.case_propose(
        actor=request.user, case=case, decision=body.decision, opinion=body.opinion,
        request=request,
    )  # fmt: skip
    return _out(request, case.pk)


@router.post("/{case_id}/grant", response=CaseOut, url_name="services_case_grant")
def grant(request, case_id: str, body: DayIn):
    case = _case(request, case_id)
    _expect(case, body.expected_state)
    services.case_grant(actor=request.user, case=case, on=body.on, comment=body.comment)
    return _out(request, case.pk)


@router.post("/{case_id}/deny", response=CaseOut, url_name="services_case_deny")
def deny(request, case_id: str, body: ReasonIn):
    case = _case(request, case_id)
    _expect(case, body.expected_state)
    services.case_deny(actor=request.user, case=case, reason=body.reason, on=body.on)
    return _out(request, case.pk)


@router.post("/{case_id}/conclude", response=CaseOut, url_name="services_case_conclude")
def conclude(request, case_id: str, body: DayIn):
    """办结; the answer's `rating_links` are the one-time rating pages just issued."""
    case = _case(request, case_id)
    _expect(case, body.expected_state)
    _done, links = services.case_conclude(
        actor=request.user, case=case, on=body.on, comment=body.comment
    )
    return _out(request, case.pk, links)


@router.post("/{case_id}/deliver", response=CaseOut, url_name="services_case_deliver")
def deliver(request, case_id: str, body: DeliverIn):
    case = _case(request, case_id)
    _expect(case, body.expected_state)
    services.case_deliver(
        actor=request.user, case=case, method=body.method, on=body.on, comment=body.comment
    )
    return _out(request, case.pk)


@router.post("/{case_id}/transfer", response=CaseOut, url_name="services_case_transfer")
def transfer(request, case_id: str, body: TransferIn):
    from fazhi.accounts.models import User

    case = _case(request, case_id)
    to_user = User.objects.filter(pk=_id(body.to_user), is_active=True).first()
    if to_user is None:
        raise InvalidInput(_("请选择转办对象。"), code="transfer_target_required")
    services.case_transfer(actor=request.user, case=case, to_user=to_user, comment=body.comment)
    return _out(request, case.pk)


@router.post("/{case_id}/urge", response=CaseOut, url_name="services_case_urge")
def urge(request, case_id: str, body: StepIn):
    case = _case(request, case_id)
    services.case_urge(actor=request.user, case=case, comment=body.comment)
    return _out(request, case.pk)
