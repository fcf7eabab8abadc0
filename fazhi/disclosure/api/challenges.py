"""Reconsiderations and lawsuits about disclosure work (table 四) through the staff API, at
/api/disclosure/challenges/.

The same services as the staff pages (`challenge_record`, `challenge_decide`) and the same
checks: roles without disclosure work get 403, a case of another agency 404, a decided case
409, bad input 422, in the error shape of fazhi.api.api.
"""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from fazhi.api.inputs import ApiIn, Day, Text
from fazhi.api.pagination import paginate
from fazhi.core.errors import InvalidInput
from fazhi.core.tenancy import access, scope
from fazhi.disclosure import selectors, services
from fazhi.disclosure.api.requests import _handling_agency, _id, _limit
from fazhi.disclosure.models import DisclosureChallenge

router = Router(tags=["disclosure: challenges"])

Kind, Result = DisclosureChallenge.Kind, DisclosureChallenge.Result


class RecordIn(ApiIn):
    agency: Text = Field("", title="机关", description="机关编号；只在一个机关办理的用户可不填")
    kind: Text = Field(
        ..., title="类型", description="reconsideration、litigation_direct、litigation_after"
    )
    subject: Text = Field(..., title="复议或诉讼事项")
    filed_on: Day = Field(..., title="申请复议或起诉日期")
    body: Text = Field(..., title="复议机关或人民法院")
    request: Text = Field(
        "", title="所涉申请", description="申请编号（id）；与申请答复无关的可不填"
    )
    note: Text = Field("", title="备注")


class DecideIn(ApiIn):
    result: Text = Field(..., title="结果", description="upheld、corrected、other")
    result_on: Day = Field(..., title="审结日期")
    note: Text = Field("", title="备注")


class ListQuery(Schema):
    kind: str = ""
    result: str = Field("", description="upheld、corrected、other、pending")
    year: str = Field("", description="申请复议或起诉的年份")
    cursor: str = ""
    limit: str = ""


class ChallengeOut(Schema):
    id: str
    agency: str
    kind: str
    kind_label: str
    subject: str
    filed_on: dt.date
    body: str
    result: str
    result_label: str
    result_on: dt.date | None
    note: str
    request_id: str | None
    request_tracking_number: str | None
    recorded_by: str
    decided_by: str


class ChallengePage(Schema):
    items: list[ChallengeOut]
    next_cursor: str | None


def _may_work_with_challenges(user) -> None:
    if not user.has_perm("disclosure.view_list"):
        raise PermissionDenied


def _challenges_for(user):
    return scope(user, DisclosureChallenge.objects.all()).select_related(
        "agency", "request", "recorded_by", "decided_by"
    )


def _out(challenge: DisclosureChallenge) -> dict:
    return {
        "id": str(challenge.pk),
        "agency": challenge.agency.name,
        "kind": challenge.kind,
        "kind_label": str(challenge.get_kind_display()),
        "subject": challenge.subject,
        "filed_on": challenge.filed_on,
        "body": challenge.body,
        "result": challenge.result,
        "result_label": str(challenge.get_result_display()),
        "result_on": challenge.result_on,
        "note": challenge.note,
        "request_id": str(challenge.request_id) if challenge.request_id else None,
        "request_tracking_number": challenge.request.tracking_number
        if challenge.request_id
        else None,
        "recorded_by": str(challenge.recorded_by),
        "decided_by": str(challenge.decided_by) if challenge.decided_by_id else "",
    }


@router.get("/", response=ChallengePage, url_name="disclosure_challenges_list")
def challenge_list(request, filters: Query[ListQuery]):
    """Cases of the caller's agencies, newest first, by kind, result and year filed."""
    _may_work_with_challenges(request.user)
    challenges = _challenges_for(request.user)
    if filters.kind:
        if filters.kind not in Kind.values:
            raise InvalidInput(_("类型不存在。"), code="bad_kind", fields=["kind"])
        challenges = challenges.filter(kind=filters.kind)
    if filters.result:
        if filters.result not in Result.values:
            raise InvalidInput(_("结果不存在。"), code="bad_result", fields=["result"])
        challenges = challenges.filter(result=filters.result)
    if filters.year:
        if not re.fullmatch(r"[0-9]{4}", filters.year) or not 2000 <= int(filters.year) <= 2100:
            raise InvalidInput(_("年份须在 2000 至 2100 之间。"), code="bad_year", fields=["year"])
        year = int(filters.year)
        challenges = challenges.filter(
            filed_on__gte=dt.date(year, 1, 1), filed_on__lte=dt.date(year, 12, 31)
        )
    page = paginate(challenges, cursor=filters.cursor or None, limit=_limit(filters.limit))
    return {"items": [_out(c) for c in page["items"]], "next_cursor": page["next_cursor"]}


@router.post("/", response={201: ChallengeOut}, url_name="disclosure_challenges_record")
def challenge_record(request, body: RecordIn):
    """Record a reconsideration or lawsuit as 尚未审结; `request` when it is about a reply."""
    _may_work_with_challenges(request.user)
    agency = _handling_agency(request.user, body.agency)
    about = None
    if body.request:
        about = (
            selectors.requests_for(request.user).filter(pk=_id(body.request), agency=agency).first()
        )
        if about is None:
            raise InvalidInput(
                _("所涉申请不存在或不属于该机关。"), code="request_invalid", fields=["request"]
            )
    challenge = services.challenge_record(
        actor=request.user,
        agency=agency,
        kind=body.kind,
        subject=body.subject,
        filed_on=body.filed_on,
        body=body.body,
        request=about,
        note=body.note,
        http_request=request,
    )
    return Status(201, _out(_challenges_for(request.user).get(pk=challenge.pk)))


@router.get("/{challenge_id}", response=ChallengeOut, url_name="disclosure_challenges_detail")
def challenge_detail(request, challenge_id: str):
    _may_work_with_challenges(request.user)
    return _out(access(request.user, _challenges_for(request.user), _id(challenge_id)))


@router.post(
    "/{challenge_id}/decide", response=ChallengeOut, url_name="disclosure_challenges_decide"
)
def challenge_decide(request, challenge_id: str, body: DecideIn):
    """Record the result (维持 / 纠正 / 其他) once."""
    _may_work_with_challenges(request.user)
    with transaction.atomic():
        challenge = access(
            request.user,
            _challenges_for(request.user).select_for_update(of=("self",)),
            _id(challenge_id),
            write=True,
        )
        services.challenge_decide(
            actor=request.user,
            challenge=challenge,
            result=body.result,
            result_on=body.result_on,
            note=body.note,
            http_request=request,
        )
    return _out(_challenges_for(request.user).get(pk=challenge.pk))
