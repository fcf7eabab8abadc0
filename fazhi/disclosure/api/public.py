"""Public (no login) disclosure-request endpoints, at /api/public/disclosure/, for 一网通办 and
other platforms and for the citizen.

- `GET  /agencies`: the agencies that accept applications (code and name);
- `POST /requests`: an application through the same service as the portal form
  (`services.request_submit`), on the platform channel; the `Idempotency-Key` header (or the
  `idempotency_key` field) makes a repeated submission return the first request and the same
  answer; rate-limited per client address as the portal form is;
- `POST /status`: tracking number and phone → state, due date, outcome, reply date. An unknown
  number and a wrong phone get the same 404, so the endpoint tells nothing about which numbers
  exist; POST keeps the phone out of addresses and logs.

Only what the applicant was shown on the portal leaves here: never an identifier, never a
staff member's name.
"""

from __future__ import annotations

import datetime as dt
import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, Header, Router, Schema, Status

from fazhi.api.inputs import ApiIn, Text
from fazhi.core import ratelimit
from fazhi.core.errors import DomainError, InvalidInput
from fazhi.core.models import Agency
from fazhi.disclosure import selectors, services
from fazhi.disclosure.api.request_schemas import ApplicantIn
from fazhi.disclosure.choices import Channel
from fazhi.disclosure.models import DisclosureRequest
from fazhi.disclosure.outcomes import Outcome, describe
from fazhi.rules.api.public import ErrorOut, RateLimited

public_router = Router(auth=None, tags=["public: disclosure"])

# Printable ASCII without spaces: the key is echoed into no page, but it is a header value.
_KEY = re.compile(r"[!-~]{16,64}")


class SubmitIn(ApiIn):
    agency: Text = Field(..., title="受理机关", description="机关代码（见 /agencies），或机关编号")
    applicant: ApplicantIn = Field(..., title="申请人")
    description: Text = Field(..., title="所需信息的内容描述", description="至多 5000 字")
    info_reference: Text = Field("", title="文件名称、文号等特征")
    info_form: Text = Field(..., title="提供形式", description="paper、electronic、inspection")
    delivery: Text = Field(..., title="获取方式", description="post、email、pickup、online、fax")
    idempotency_key: Text = Field(
        "",
        title="幂等键",
        description="16–64 个可见 ASCII 字符；也可用 Idempotency-Key 请求头。同一键重复提交只生成"
        "一件申请，并返回相同结果",
    )


class StatusIn(ApiIn):
    tracking_number: Text = Field(..., title="申请编号", max_length=60)
    phone: Text = Field(..., title="联系电话", max_length=30)


class AgencyOut(Schema):
    code: str
    name: str


class ReceiptOut(Schema):
    tracking_number: str
    agency: str
    state: str
    state_label: str
    received_on: dt.date
    receipt_rule: str
    due_on: dt.date | None
    # A year without a confirmed holiday schedule was consulted: the date may still move.
    due_provisional: bool
    explanation: str


class StatusOut(ReceiptOut):
    outcome: str
    outcome_label: str
    outcome_summary: str
    replied_on: dt.date | None


class NotFound(DomainError):
    """Unknown number or wrong phone: one answer for both, in the applicant's words."""

    code = "not_found"
    status = 404
    default_message = gettext_lazy("未找到与该申请编号和联系电话相符的申请，请核对后重试。")


ERRORS = {404: ErrorOut, 409: ErrorOut, 422: ErrorOut, 429: ErrorOut}


def _agency(text: str) -> Agency:
    """By code, as the portal's `?agency=<code>`; or by the numeric id the portal form posts."""
    agencies = Agency.objects.filter(is_active=True)
    found = agencies.filter(code=text).first()
    if found is None and text.isascii() and text.isdigit() and len(text) <= 18:
        found = agencies.filter(pk=int(text)).first()
    if found is None:
        raise InvalidInput(
            _("受理机关不存在或暂不受理网上申请。"), code="agency_invalid", fields=["agency"]
        )
    return found


def _receipt(found: DisclosureRequest) -> dict:
    due = selectors.due_explained(found)
    return {
        "tracking_number": found.tracking_number,
        "agency": found.agency.name,
        "state": found.state,
        "state_label": str(found.get_state_display()),
        "received_on": found.received_on,
        "receipt_rule": found.receipt_rule,
        "due_on": due.due_on,
        "due_provisional": due.provisional,
        "explanation": due.explanation,
    }


@public_router.get("/agencies", response=list[AgencyOut], summary="受理政府信息公开申请的机关")
def agency_list(request):
    """The agencies that accept applications; `code` is what `agency` in an application takes."""
    return [
        {"code": a.code, "name": a.name}
        for a in Agency.objects.filter(is_active=True).order_by("region", "name")
    ]


@public_router.post(
    "/requests", response={201: ReceiptOut, **ERRORS}, summary="提交政府信息公开申请"
)
def request_submit(
    request,
    body: SubmitIn,
    idempotency_key: str = Header("", alias="Idempotency-Key"),
):
    """An application, received today; the answer is the receipt the portal shows: tracking
    number, date of receipt and the reply deadline with how it was computed."""
    key = (idempotency_key or body.idempotency_key).strip()
    if not _KEY.fullmatch(key):
        raise InvalidInput(
            _(
                "请提供 Idempotency-Key 请求头或 idempotency_key 字段"
                "（16 至 64 个可见 ASCII 字符），重复提交同一申请时使用同一值。"
            ),
            code="idempotency_key_required",
            fields=["idempotency_key"],
        )
    created = services.request_submit(
        agency=_agency(body.agency),
        applicant=body.applicant.applicant(),
        description=body.description,
        info_reference=body.info_reference,
        info_form=body.info_form,
        delivery=body.delivery,
        idempotency_key=key,
        channel=Channel.PLATFORM,
        http_request=request,
    )
    found = DisclosureRequest.objects.select_related("agency").get(pk=created.pk)
    return Status(201, _receipt(found))


@public_router.post("/status", response={200: StatusOut, **ERRORS}, summary="查询申请办理进度")
def status_check(request, body: StatusIn):
    """The applicant's status check by tracking number and the phone given in the application;
    the same 404 for an unknown number and a wrong phone. Rate-limited per client address."""
    if not ratelimit.hit(request, "public_form"):
        raise RateLimited(_("查询过于频繁，请稍后再试。"))
    found = selectors.request_by_tracking(body.tracking_number, body.phone)
    if found is None:
        raise NotFound()
    reply = DisclosureRequest.objects.filter(pk=found.pk).values_list(
        "reply_record__replied_on", flat=True
    )
    return {
        **_receipt(found),
        "outcome": found.outcome,
        "outcome_label": str(dict(Outcome.choices).get(found.outcome, "")),
        "outcome_summary": describe(found.outcome),
        # The reply's date; a request closed by a lapsed period has none, only its end date.
        "replied_on": reply.first() or found.concluded_on,
    }
