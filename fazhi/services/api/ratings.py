"""API of 好差评 (see docs/services.md), through the same services and selectors as the pages.

Staff, at /api/services/ratings/ (`router`):
- `GET /` the ratings the user reads (filters, cursor pagination); `GET /{id}` one rating with
  its follow-up (`state`, `due_on`, `overdue`, `available_actions`, `timeline`) and appeals.
- `POST /{id}/actions/{action}` a step of the bad-review loop: `record_callback`
  (called_back_on, note), `verify` (verdict valid|explained, note, answer, answered_on),
  `record_fix` (note), `open_finding` (title, severity), `send_answer` (answer, answered_on).
- `POST /{id}/appeals` file an appeal (reason, `files`: ids of files uploaded to /api/files with
  purpose `services_rating_appeal`); `GET /appeals` the appeals; `POST /appeals/{id}/decide`
  (approve, note).
- `GET /statistics` 满意度统计 (year, by month|item|department|center, filters).
- `POST /counter` a rating at the counter (case, level, reasons, comment, real name);
  `POST /links` issue a channel's link again (case, channel).
Public, at /api/public/services/ratings/ (`public_router`, no authentication):
- `POST /check` what a token opens (404 unknown, 410 used or expired), `POST /submit` the
  rating by token (201; rate-limited per client address), `GET /figures` the public figures
  per month and per center (counts and rates only).
Errors in the shape of fazhi.api.api: 403 role, 404 not visible, 409 state or already rated,
410 link used or expired, 422 input, 429 too many submissions.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import Field

from fazhi.api.inputs import ApiIn, Day, Text
from fazhi.api.pagination import paginate
from fazhi.core import ratelimit, workflow
from fazhi.core.errors import DomainError, InvalidInput
from fazhi.core.files.models import StoredFile
from fazhi.services.models.ratings import (
    REASON_LABELS,
    BadReviewFollowUp,
    Rating,
    RatingAppeal,
    RatingChannel,
    RatingLevel,
)
from fazhi.services.permissions import ratings as perms
from fazhi.services.selectors import ratings as selectors
from fazhi.services.services import rating_followups as followups
from fazhi.services.services import ratings as services

router = Router(tags=["services: ratings"])
public_router = Router(auth=None, tags=["public: services ratings"])

_ID = re.compile(r"[0-9]{1,18}")


class RateLimited(DomainError):
    code = "rate_limited"
    status = 429
    default_message = gettext_lazy("提交过于频繁，请稍后再试。")


def _id(text) -> int | None:
    return int(text) if _ID.fullmatch(str(text or "")) else None


def _limit(text: str) -> int | None:
    if not text:
        return None
    if not re.fullmatch(r"[0-9]{1,3}", text):
        raise InvalidInput(_("每页条数格式不正确。"), code="bad_limit")
    return int(text)


def _filter_id(value: str, field: str) -> int | None:
    """An id filter: empty for none, digits for one; anything else is 422 (not ignored, so a
    typo never answers with the whole unfiltered list)."""
    if not value:
        return None
    found = _id(value)
    if found is None:
        raise InvalidInput(_("筛选条件不正确。"), code="bad_filter", fields=[field])
    return found


def _year(value: str) -> int:
    """A year filter (default this year), 2000–2100."""
    year = _id(value) if value else timezone.localdate().year
    if year is None or not 2000 <= year <= 2100:
        raise InvalidInput(_("年度不正确。"), code="bad_filter", fields=["year"])
    return year


def _may_read(user) -> None:
    if not user.has_perm(perms.VIEW):
        raise PermissionDenied


def _agency(user, agency_id: str):
    _may_read(user)
    if agency_id and _id(agency_id) is None:
        raise Http404
    agency = selectors.agency_for(user, _id(agency_id) if agency_id else None)
    if agency is None:
        raise Http404
    return agency


def _rating(request, rating_id) -> Rating:
    _may_read(request.user)
    return selectors.access_rating(request.user, _id(rating_id))


def _case(request, case_id):
    _may_read(request.user)
    if _id(case_id) is None:
        raise InvalidInput(_("请填写办件。"), code="case_required", fields=["case"])
    return selectors.case_of_agency(request.user, _id(case_id))


def _rate(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


# --- Schemas -------------------------------------------------------------------------------------


class ReasonOut(Schema):
    code: str
    label: str


class FollowUpSummary(Schema):
    id: str
    state: str
    state_label: str
    callback_due_on: dt.date
    fix_due_on: dt.date
    due_on: dt.date
    overdue: bool


class RatingOut(Schema):
    id: str
    agency: str
    case: str
    case_number: str
    item: str
    item_name: str
    department: str
    department_name: str
    center: str | None
    center_name: str
    channel: str
    channel_label: str
    level: int
    level_label: str
    bad: bool
    reasons: list[ReasonOut]
    comment: str
    real_name: bool
    rater_name: str
    rater_phone_masked: str
    rated_on: dt.date
    excluded: bool
    follow_up: FollowUpSummary | None


class RatingPage(Schema):
    items: list[RatingOut]
    next_cursor: str | None


class FollowUpOut(FollowUpSummary):
    department: str
    called_back_on: dt.date | None
    callback_note: str
    verdict: str
    verdict_label: str
    verification_note: str
    fix_note: str
    finding_ref: str
    answer: str
    answered_on: dt.date | None
    available_actions: list[dict[str, Any]]
    timeline: list[dict[str, Any]]


class AppealOut(Schema):
    id: str
    rating: str
    state: str
    state_label: str
    reason: str
    files: list[str]
    filed_by: str
    filed_at: dt.datetime
    decided_by: str | None
    decided_at: dt.datetime | None
    decision_note: str


class RatingDetailOut(RatingOut):
    follow_up_detail: FollowUpOut | None
    appeals: list[AppealOut]


class AppealPage(Schema):
    items: list[AppealOut]
    next_cursor: str | None


class FigureOut(Schema):
    key: str | None
    label: str
    total: int
    levels: dict[str, int]
    satisfied: int
    satisfaction_rate: str | None
    bad: int
    answered: int
    fix_rate: str | None
    real_name_bad: int
    real_name_called_back: int
    callback_rate: str | None


class FiguresOut(Schema):
    agency: str
    year: int
    by: str
    definitions: str
    rows: list[FigureOut]
    total: FigureOut


class PublicFigureOut(Schema):
    label: str
    total: int
    satisfaction_rate: str | None
    bad: int
    fix_rate: str | None


class PublicFiguresOut(Schema):
    agency: str
    year: int
    definitions: str
    total: PublicFigureOut
    by_month: list[PublicFigureOut]
    by_center: list[PublicFigureOut]


class ListQuery(Schema):
    agency: str = ""
    channel: str = ""
    level: str = ""
    bad: str = ""
    department: str = ""
    center: str = ""
    item: str = ""
    year: str = ""
    month: str = ""
    follow_up: str = ""
    appeal: str = ""
    cursor: str = ""
    limit: str = ""


class FigureQuery(Schema):
    agency: str = ""
    year: str = ""
    by: str = "month"
    month: str = ""
    department: str = ""
    center: str = ""
    item: str = ""


class AppealQuery(Schema):
    agency: str = ""
    state: str = ""
    cursor: str = ""
    limit: str = ""


class RatingIn(ApiIn):
    level: int = Field(..., title="评价等级", ge=1, le=5, description="1 非常满意 … 5 非常不满意")
    reasons: list[Text] = Field([], title="评价原因", max_length=20, description="原因代码")
    comment: Text = Field("", title="评价内容", max_length=500)
    real_name: bool = Field(False, title="实名评价")
    rater_name: Text = Field("", title="评价人姓名", max_length=50)
    rater_phone: Text = Field("", title="联系电话", max_length=30)


class CounterIn(RatingIn):
    case: Text = Field(..., title="办件", max_length=20)


class TokenIn(ApiIn):
    token: Text = Field(..., title="评价链接令牌", min_length=1, max_length=100)


class SubmitIn(RatingIn):
    token: Text = Field(..., title="评价链接令牌", min_length=1, max_length=100)


class LinkIn(ApiIn):
    case: Text = Field(..., title="办件", max_length=20)
    channel: Text = Field(..., title="渠道", max_length=10, description="online 或 sms")


class LinkOut(Schema):
    channel: str
    path: str
    sent_to: str


class ActionIn(ApiIn):
    note: Text = Field("", title="情况", max_length=2000)
    called_back_on: Day | None = Field(None, title="回访日期")
    verdict: Text = Field("", title="核实结论", max_length=20, description="valid 或 explained")
    answer: Text = Field("", title="反馈评价人的内容", max_length=500)
    answered_on: Day | None = Field(None, title="反馈日期")
    title: Text = Field("", title="问题", max_length=200)
    severity: Text = Field("general", title="严重程度", max_length=10)


class AppealIn(ApiIn):
    reason: Text = Field(..., title="申诉理由", min_length=1, max_length=2000)
    files: list[Text] = Field([], title="佐证材料", max_length=5, description="文件 id")


class DecideIn(ApiIn):
    approve: bool = Field(..., title="同意剔除")
    note: Text = Field("", title="审核意见", max_length=2000)


class CheckOut(Schema):
    agency: str
    item: str
    department: str
    center: str
    channel: str
    channel_label: str
    concluded_on: dt.date | None
    expires_at: dt.datetime
    levels: list[dict[str, Any]]
    good_reasons: list[ReasonOut]
    bad_reasons: list[ReasonOut]


class SubmitOut(Schema):
    received: bool
    bad: bool
    rated_on: dt.date


# --- Output helpers ----------------------------------------------------------------------------


def _follow_up_summary(fu: BadReviewFollowUp | None, today: dt.date) -> dict | None:
    if fu is None:
        return None
    return {
        "id": str(fu.pk),
        "state": fu.state,
        "state_label": str(fu.get_state_display()),
        "callback_due_on": fu.callback_due_on,
        "fix_due_on": fu.fix_due_on,
        "due_on": fu.callback_due_on
        if fu.state == BadReviewFollowUp.State.AWAITING_CALLBACK
        else fu.fix_due_on,
        "overdue": bool(
            not fu.rating.excluded and (fu.callback_overdue(today) or fu.fix_overdue(today))
        ),
    }


def _rating_out(rating: Rating, today: dt.date) -> dict:
    fu = getattr(rating, "follow_up", None) if rating.bad else None
    if fu is not None:
        fu.rating = rating
    return {
        "id": str(rating.pk),
        "agency": rating.agency.name,
        "case": str(rating.case_id),
        "case_number": rating.case.case_number,
        "item": str(rating.item_id),
        "item_name": rating.item.name,
        "department": str(rating.department_id),
        "department_name": rating.department.name,
        "center": str(rating.center_id) if rating.center_id else None,
        "center_name": rating.center.name if rating.center_id else "",
        "channel": rating.channel,
        "channel_label": str(rating.get_channel_display()),
        "level": rating.level,
        "level_label": str(rating.get_level_display()),
        "bad": rating.bad,
        "reasons": [
            {"code": code, "label": str(REASON_LABELS.get(code, code))}
            for code in rating.reasons or ()
        ],
        "comment": rating.comment,
        "real_name": rating.real_name,
        "rater_name": rating.rater_name,
        "rater_phone_masked": str(rating.rater_phone or ""),
        "rated_on": rating.rated_on,
        "excluded": rating.excluded,
        "follow_up": _follow_up_summary(fu, today),
    }


def _appeal_out(appeal: RatingAppeal) -> dict:
    return {
        "id": str(appeal.pk),
        "rating": str(appeal.rating_id),
        "state": appeal.state,
        "state_label": str(appeal.get_state_display()),
        "reason": appeal.reason,
        "files": [str(f.pk) for f in appeal.evidence.all()],
        "filed_by": appeal.filed_by.get_username(),
        "filed_at": appeal.filed_at,
        "decided_by": appeal.decided_by.get_username() if appeal.decided_by_id else None,
        "decided_at": appeal.decided_at,
        "decision_note": appeal.decision_note,
    }


def _detail(request, rating: Rating) -> dict:
    today = timezone.localdate()
    fu = selectors.follow_up_of(rating) if rating.bad else None
    if fu is not None:
        fu.rating = rating
        rating.follow_up = fu
    out = _rating_out(rating, today)
    detail = None
    if fu is not None:
        detail = {
            **_follow_up_summary(fu, today),
            "department": str(fu.department_id),
            "called_back_on": fu.called_back_on,
            "callback_note": fu.callback_note,
            "verdict": fu.verdict,
            "verdict_label": str(fu.get_verdict_display()) if fu.verdict else "",
            "verification_note": fu.verification_note,
            "fix_note": fu.fix_note,
            "finding_ref": fu.finding_ref,
            "answer": fu.answer,
            "answered_on": fu.answered_on,
            "available_actions": selectors.follow_up_actions(request.user, fu),
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
                for e in workflow.timeline(fu)
            ],
        }
    return {
        **out,
        "follow_up_detail": detail,
        "appeals": [_appeal_out(a) for a in selectors.appeals_of(rating)],
    }


def _figures_out(data, definitions) -> dict:
    def row(r) -> dict:
        d = r.as_dict()
        for key in ("satisfaction_rate", "fix_rate", "callback_rate"):
            d[key] = _rate(d[key])
        return d

    return {
        "agency": data.agency.name,
        "year": data.year,
        "by": data.by,
        "definitions": str(definitions),
        "rows": [row(r) for r in data.rows],
        "total": row(data.total),
    }


def _public_row(r) -> dict:
    return {
        "label": str(r.label),
        "total": r.total,
        "satisfaction_rate": _rate(r.satisfaction_rate),
        "bad": r.bad,
        "fix_rate": _rate(r.fix_rate),
    }


# --- Staff routes --------------------------------------------------------------------------------


@router.get("/", response=RatingPage, url_name="services_ratings_list")
def rating_list(request, filters: Query[ListQuery]):
    """The ratings the user reads, newest first (department staff: their departments')."""
    agency = _agency(request.user, filters.agency)
    if filters.channel and filters.channel not in RatingChannel.values:
        raise InvalidInput(_("评价渠道不正确。"), code="bad_filter", fields=["channel"])
    level = _id(filters.level)
    if filters.level and level not in RatingLevel.values:
        raise InvalidInput(_("评价等级不正确。"), code="bad_filter", fields=["level"])
    year = _id(filters.year)
    if filters.year and not (year and 2000 <= year <= 2100):
        raise InvalidInput(_("年度不正确。"), code="bad_filter", fields=["year"])
    month = _id(filters.month)
    if filters.month and not (year and month and 1 <= month <= 12):
        raise InvalidInput(_("月份不正确。"), code="bad_filter", fields=["month"])
    if filters.bad not in ("", "true", "false", "1", "0"):
        raise InvalidInput(_("差评筛选须为 true 或 false。"), code="bad_filter", fields=["bad"])
    if filters.appeal not in ("", "pending"):
        raise InvalidInput(_("申诉筛选只能为 pending。"), code="bad_filter", fields=["appeal"])
    valid_follow_up = {"", "open", "overdue", *BadReviewFollowUp.State.values}
    if filters.follow_up not in valid_follow_up:
        raise InvalidInput(_("整改状态不正确。"), code="bad_filter", fields=["follow_up"])
    found = selectors.rating_list(
        request.user,
        agency,
        selectors.RatingFilters(
            channel=filters.channel,
            level=level,
            bad={"true": True, "false": False, "1": True, "0": False}.get(filters.bad),
            department=_filter_id(filters.department, "department"),
            center=_filter_id(filters.center, "center"),
            item=_filter_id(filters.item, "item"),
            year=year,
            month=month,
            follow_up=filters.follow_up,
            appeal="pending" if filters.appeal == "pending" else "",
        ),
    )
    page = paginate(found, cursor=filters.cursor or None, limit=_limit(filters.limit))
    today = timezone.localdate()
    return {
        "items": [_rating_out(r, today) for r in page["items"]],
        "next_cursor": page["next_cursor"],
    }


@router.get("/statistics", response=FiguresOut, url_name="services_ratings_statistics")
def statistics(request, query: Query[FigureQuery]):
    """满意度统计 of a year (or a month) per month, item, department or center."""
    agency = _agency(request.user, query.agency)
    year = _year(query.year)
    if query.by not in selectors.DIMENSIONS:
        raise InvalidInput(_("统计维度不正确。"), code="bad_filter", fields=["by"])
    month = _id(query.month)
    if query.month and not (month and 1 <= month <= 12):
        raise InvalidInput(_("月份不正确。"), code="bad_filter", fields=["month"])
    data = selectors.figures(
        agency,
        year=year,
        by=query.by,
        month=month,
        department=_filter_id(query.department, "department"),
        center=_filter_id(query.center, "center"),
        item=_filter_id(query.item, "item"),
    )
    return _figures_out(data, services.DEFINITIONS)


@router.get("/appeals", response=AppealPage, url_name="services_ratings_appeals")
def appeal_list(request, query: Query[AppealQuery]):
    """Appeals of the ratings the user reads (filter `state`: pending, approved, rejected)."""
    agency = _agency(request.user, query.agency)
    if query.state and query.state not in RatingAppeal.State.values:
        raise InvalidInput(_("申诉状态不正确。"), code="bad_filter", fields=["state"])
    visible = selectors.visible_ratings(request.user, agency)
    found = RatingAppeal.objects.filter(rating__in=visible.values("pk")).select_related(
        "filed_by", "decided_by"
    )
    if query.state:
        found = found.filter(state=query.state)
    page = paginate(
        found.prefetch_related("evidence"), cursor=query.cursor or None, limit=_limit(query.limit)
    )
    return {"items": [_appeal_out(a) for a in page["items"]], "next_cursor": page["next_cursor"]}


@router.post("/appeals/{appeal_id}/decide", response=AppealOut, url_name="services_ratings_decide")
def appeal_decide(request, appeal_id: str, body: DecideIn):
    """复核 (legal office or a leader): approve (the rating is excluded) or reject (note)."""
    _may_read(request.user)
    appeal = RatingAppeal.objects.filter(pk=_id(appeal_id)).select_related("rating").first()
    if appeal is None:
        raise Http404
    selectors.access_rating(request.user, appeal.rating_id)
    done = followups.appeal_decide(
        actor=request.user, appeal=appeal, approve=body.approve, note=body.note, request=request
    )
    return _appeal_out(done)


@router.post("/counter", response={201: RatingOut}, url_name="services_ratings_counter")
def counter(request, body: CounterIn):
    """A rating at the counter device (counter staff of the case's agency)."""
    case = _case(request, body.case)
    rating = services.rating_submit(
        channel=RatingChannel.COUNTER,
        case=case,
        actor=request.user,
        level=body.level,
        reasons=body.reasons,
        comment=body.comment,
        real_name=body.real_name,
        rater_name=body.rater_name,
        rater_phone=body.rater_phone,
        request=request,
    )
    rating = Rating.objects.select_related("agency", "case", "item", "department", "center").get(
        pk=rating.pk
    )
    return Status(201, _rating_out(rating, timezone.localdate()))


@router.post("/links", response=LinkOut, url_name="services_ratings_links")
def links(request, body: LinkIn):
    """Issue a channel's link again: online returns the new path (the old one stops working),
    sms sends the text to the applicant's mobile."""
    case = _case(request, body.case)
    result = services.rating_link_resend(
        actor=request.user, case=case, channel=body.channel, request=request
    )
    return {
        "channel": result["channel"],
        "path": result["path"],
        "sent_to": result.get("sent_to", ""),
    }


@router.get("/{rating_id}", response=RatingDetailOut, url_name="services_ratings_detail")
def rating_detail(request, rating_id: str):
    return _detail(request, _rating(request, rating_id))


ACTIONS = ("record_callback", "verify", "record_fix", "open_finding", "send_answer")


@router.post(
    "/{rating_id}/actions/{action}",
    response=RatingDetailOut,
    url_name="services_ratings_action",
)
def follow_up_action(request, rating_id: str, action: str, body: ActionIn):
    """A step of the bad-review loop (see the module doc for the fields of each)."""
    rating = _rating(request, rating_id)
    if action not in ACTIONS:
        raise InvalidInput(_("未知的操作。"), code="unknown_action")
    follow_up = selectors.follow_up_of(rating) if rating.bad else None
    if follow_up is None:
        raise Http404
    actor = request.user
    if action == "record_callback":
        followups.follow_up_record_callback(
            actor=actor, follow_up=follow_up, note=body.note, called_back_on=body.called_back_on
        )
    elif action == "verify":
        followups.follow_up_verify(
            actor=actor,
            follow_up=follow_up,
            verdict=body.verdict,
            note=body.note,
            answer=body.answer,
            answered_on=body.answered_on,
        )
    elif action == "record_fix":
        followups.follow_up_record_fix(actor=actor, follow_up=follow_up, note=body.note)
    elif action == "open_finding":
        followups.follow_up_open_finding(
            actor=actor,
            follow_up=follow_up,
            title=body.title,
            severity=body.severity,
            request=request,
        )
    else:
        followups.follow_up_answer(
            actor=actor, follow_up=follow_up, answer=body.answer, answered_on=body.answered_on
        )
    return _detail(request, selectors.access_rating(request.user, rating.pk))


@router.post("/{rating_id}/appeals", response={201: AppealOut}, url_name="services_ratings_appeal")
def appeal_file(request, rating_id: str, body: AppealIn):
    """申诉 (head of the case's department), with evidence files uploaded first."""
    rating = _rating(request, rating_id)
    files = []
    for file_id in body.files:
        stored = StoredFile.objects.filter(pk=_id(file_id), agency_id=rating.agency_id).first()
        if stored is None:
            raise InvalidInput(_("佐证材料不存在。"), code="file_invalid", fields=["files"])
        files.append(stored)
    appeal = followups.appeal_file(
        actor=request.user, rating=rating, reason=body.reason, evidence=files, request=request
    )
    return Status(201, _appeal_out(appeal))


# --- Public routes -------------------------------------------------------------------------------


@public_router.post("/check", response=CheckOut, url_name="public_ratings_check")
def check(request, body: TokenIn):
    """What a rating link opens: the case's item and agency (no personal data), the levels
    and reasons; 404 for an unknown token, 410 for a used or expired one."""
    found = services.link_state(body.token)
    if found.error is not None:
        raise found.error
    token = found.token
    case = token.case
    from fazhi.services.models.ratings import BAD_REASONS, GOOD_REASONS

    return {
        "agency": case.agency.name,
        "item": case.item.name,
        "department": case.department.name,
        "center": case.center.name if case.center_id else "",
        "channel": token.channel,
        "channel_label": str(token.get_channel_display()),
        "concluded_on": case.concluded_on,
        "expires_at": token.expires_at,
        "levels": [{"level": v, "label": str(label)} for v, label in RatingLevel.choices],
        "good_reasons": [{"code": c, "label": str(label)} for c, label in GOOD_REASONS],
        "bad_reasons": [{"code": c, "label": str(label)} for c, label in BAD_REASONS],
    }


@public_router.post("/submit", response={201: SubmitOut}, url_name="public_ratings_submit")
def submit(request, body: SubmitIn):
    """The rating by its one-time token (the token names the case and the channel)."""
    if not ratelimit.hit(request, "public_form"):
        raise RateLimited()
    found = services.link_state(body.token)
    if found.error is not None:
        raise found.error
    rating = services.rating_submit(
        channel=found.token.channel,
        token=body.token,
        level=body.level,
        reasons=body.reasons,
        comment=body.comment,
        real_name=body.real_name,
        rater_name=body.rater_name,
        rater_phone=body.rater_phone,
        request=request,
    )
    return Status(201, {"received": True, "bad": rating.bad, "rated_on": rating.rated_on})


@public_router.get("/figures", response=PublicFiguresOut, url_name="public_ratings_figures")
def public_figures(request, agency: str = "", year: str = ""):
    """Public figures of an agency's year, per month and per center (no personal data)."""
    agencies = selectors.public_agencies()
    wanted = _id(agency)
    if agency and wanted is None:
        raise Http404
    found = next((a for a in agencies if a.pk == wanted), None) if agency else None
    if found is None and not agency and agencies:
        found = agencies[0]
    if found is None:
        raise Http404
    chosen = _year(year)
    by_month = selectors.figures(found, year=chosen, by="month")
    by_center = selectors.figures(found, year=chosen, by="center")
    return {
        "agency": found.name,
        "year": chosen,
        "definitions": str(services.DEFINITIONS),
        "total": _public_row(by_month.total),
        "by_month": [_public_row(r) for r in by_month.rows],
        "by_center": [_public_row(r) for r in by_center.rows],
    }
