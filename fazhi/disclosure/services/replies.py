"""The reply with its outcome (a result row of table 三) and what was sent to the applicant."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fazhi.core import workflow
from fazhi.core.errors import Conflict, InvalidInput
from fazhi.disclosure.choices import (
    DeliveryMethod,
    NoticeDocument,
)
from fazhi.disclosure.models import (
    HANDLE,
    DeliveryRecord,
    DisclosureRequest,
    Reply,
    ReplyPart,
)
from fazhi.disclosure.outcomes import LAPSE_OUTCOMES, PART_REASONS, Outcome
from fazhi.disclosure.services._common import (
    MAX_TEXT,
    State,
    _choice,
    _clock_start,
    _day,
    _event,
    _lock,
    _not_before,
    _one,
    _require,
    _require_state,
    _text,
)

# --- Reply ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Part:
    """One part of a partial disclosure: disclosed, or withheld with a reason row and words."""

    description: str
    disclosed: bool
    reason: str = ""
    explanation: str = ""


def _clean_parts(outcome: str, parts: Iterable[Part]) -> list[Part]:
    parts = list(parts)
    if outcome != Outcome.PARTIAL:
        if parts:
            raise InvalidInput(
                _("只有“部分公开”需要逐项列明公开和不予公开的内容。"), code="parts_not_allowed"
            )
        return []
    cleaned = []
    for number, part in enumerate(parts, start=1):
        description = _text(
            part.description,
            _("第%(n)d项的信息内容") % {"n": number},
            limit=2000,
            code="part_description",
        )
        if part.disclosed:
            cleaned.append(Part(description, True))
            continue
        if part.reason not in PART_REASONS:
            raise InvalidInput(
                _("第%(n)d项不予公开，请选择不予公开或无法提供的理由。") % {"n": number},
                code="part_reason_required",
            )
        explanation = _text(
            part.explanation,
            _("第%(n)d项不予公开的理由说明") % {"n": number},
            limit=2000,
            code="part_explanation",
        )
        cleaned.append(Part(description, False, part.reason, explanation))
    if not any(p.disclosed for p in cleaned) or all(p.disclosed for p in cleaned):
        raise InvalidInput(
            _("部分公开须至少列明一项予以公开的内容和一项不予公开的内容（条例第三十七条）。"),
            code="parts_incomplete",
        )
    return cleaned


def reply(
    *,
    actor,
    request: DisclosureRequest,
    outcome: str,
    text: str,
    parts: Iterable[Part] = (),
    referral: str = "",
    replied_on: date | None = None,
) -> Reply:
    """Decide the outcome — one of the report's result rows — and write the reply."""
    if outcome not in Outcome.values:
        raise InvalidInput(_("请选择办理结果。"), code="outcome_invalid")
    if outcome in LAPSE_OUTCOMES:
        raise InvalidInput(
            _("“逾期不补正”和“逾期未缴费”在期限届满后由系统办结，不能作为答复结果。"),
            code="outcome_not_for_reply",
        )
    text = _text(text, _("答复内容"), limit=MAX_TEXT, code="reply_text")
    referral = _text(
        referral, _("负责公开的机关及联系方式"), limit=200, code="referral", required=False
    )
    cleaned = _clean_parts(outcome, parts)
    today = timezone.localdate()
    replied_on = _day(replied_on, _("答复日期"), today=today)
    with transaction.atomic():
        locked = _lock(request)
        _require(actor, HANDLE, locked)
        _require_state(locked, State.RECEIVED)
        _not_before(replied_on, _clock_start(locked), _("答复日期"), _("答复期限的起算日"))
        supplement_request = _one(locked, "supplement_request")
        if outcome == Outcome.UNAVAILABLE_UNCLEAR and (
            supplement_request is None or supplement_request.supplemented_on is None
        ):
            raise Conflict(
                _("“补正后申请内容仍不明确”只能用于已经补正的申请。"),
                code="outcome_needs_supplement_request",
            )
        if outcome == Outcome.NOT_PROCESSED_EXCESSIVE and not locked.excessive:
            raise Conflict(
                _("该申请人本月申请数量未超过合理范围，不能以“无正当理由大量反复申请”不予处理。"),
                code="outcome_needs_excessive",
            )
        record_reply = Reply.objects.create(
            request=locked, text=text, referral=referral, replied_on=replied_on, replied_by=actor
        )
        ReplyPart.objects.bulk_create(
            ReplyPart(
                reply=record_reply,
                number=number,
                description=part.description,
                disclosed=part.disclosed,
                reason=part.reason,
                explanation=part.explanation,
            )
            for number, part in enumerate(cleaned, start=1)
        )
        workflow.perform(
            locked,
            "reply",
            actor=actor,
            outcome=outcome,
            concluded_on=replied_on,
            parts=len(cleaned),
        )
    return record_reply


# --- Delivery ---------------------------------------------------------------------------------

_DOCUMENT_EXISTS = {
    NoticeDocument.REPLY: lambda r: _one(r, "reply_record") is not None,
    NoticeDocument.SUPPLEMENT_REQUEST: lambda r: _one(r, "supplement_request") is not None,
    NoticeDocument.EXTENSION: lambda r: _one(r, "extension") is not None,
    NoticeDocument.FEE: lambda r: _one(r, "fee") is not None,
    NoticeDocument.TERMINATION: lambda r: r.state == State.CLOSED,
}


def delivery_record(
    *,
    actor,
    request: DisclosureRequest,
    document: str,
    method: str,
    sent_on: date | None = None,
    delivered_on: date | None = None,
    reference: str = "",
    note: str = "",
) -> DeliveryRecord:
    """Record that a document went to the applicant, how, and (when known) when it arrived."""
    document = _choice(document, NoticeDocument, _("送达的文书"), "document_invalid")
    method = _choice(method, DeliveryMethod, _("送达方式"), "delivery_method_invalid")
    reference = _text(reference, _("邮件单号等"), limit=100, code="reference", required=False)
    note = _text(note, _("说明"), limit=200, code="note", required=False)
    today = timezone.localdate()
    sent_on = _day(sent_on, _("发出日期"), today=today)
    if delivered_on is not None:
        delivered_on = _day(delivered_on, _("送达日期"), today=today)
        _not_before(delivered_on, sent_on, _("送达日期"), _("发出日期"))
    with transaction.atomic():
        locked = _lock(request)
        _require(actor, HANDLE, locked)
        if not _DOCUMENT_EXISTS[document](locked):
            raise Conflict(
                _("本申请尚无%(document)s，不能登记送达。")
                % {"document": NoticeDocument(document).label},
                code="document_missing",
            )
        _not_before(sent_on, locked.received_on, _("发出日期"), _("收到申请日期"))
        delivery = DeliveryRecord.objects.create(
            request=locked,
            document=document,
            method=method,
            sent_on=sent_on,
            delivered_on=delivered_on,
            reference=reference,
            note=note,
            recorded_by=actor,
        )
        _event(
            "delivery.record",
            actor=actor,
            request=locked,
            delivery=delivery.pk,
            document=document,
            method=method,
            sent_on=sent_on.isoformat(),
            delivered_on=delivered_on.isoformat() if delivered_on else None,
        )
    return delivery


def delivery_confirm(*, actor, delivery: DeliveryRecord, delivered_on: date) -> DeliveryRecord:
    """Record when a sent document reached the applicant (e.g. the postal return receipt)."""
    today = timezone.localdate()
    delivered_on = _day(delivered_on, _("送达日期"), today=today, default_today=False)
    with transaction.atomic():
        locked = _lock(delivery.request)
        _require(actor, HANDLE, locked)
        row = DeliveryRecord.objects.select_for_update().get(pk=delivery.pk)
        if row.delivered_on is not None:
            raise Conflict(_("已登记送达日期。"), code="already_delivered")
        _not_before(delivered_on, row.sent_on, _("送达日期"), _("发出日期"))
        row.delivered_on = delivered_on
        row.save(update_fields=["delivered_on"])
        _event(
            "delivery.confirm",
            actor=actor,
            request=locked,
            delivery=row.pk,
            delivered_on=delivered_on.isoformat(),
        )
    return row
