"""The steps of the clock: 补正, consultation, extension and fees (OGI Art. 30–35, 42)."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fazhi.core import agency_settings, workflow
from fazhi.core.calendar import format_day
from fazhi.core.errors import Conflict, InvalidInput
from fazhi.disclosure import clock, fees, selectors
from fazhi.disclosure.choices import (
    ConsultationAnswer,
    ConsultationKind,
    FeeBasis,
)
from fazhi.disclosure.models import (
    APPROVE_EXTENSION,
    HANDLE,
    DisclosureRequest,
    Extension,
    FeeNotice,
    SupplementRequest,
    ThirdPartyConsultation,
)
from fazhi.disclosure.services._common import (
    MAX_DESCRIPTION,
    State,
    _choice,
    _clock_start,
    _day,
    _event,
    _lock,
    _not_before,
    _one,
    _refresh_due,
    _require,
    _require_state,
    _rules,
    _tell_office,
    _text,
    _transition,
)

# --- 补正 -------------------------------------------------------------------------------------


def supplement_request_request(
    *,
    actor,
    request: DisclosureRequest,
    items: str,
    notice_on: date | None = None,
    period_workdays: int | None = None,
) -> SupplementRequest:
    """The one 补正 notice, within 7 working days of receipt (Art. 30); the clock stops."""
    items = _text(items, _("需要补正的事项"), limit=2000, code="items")
    today = timezone.localdate()
    notice_on = _day(notice_on, _("补正告知日期"), today=today)
    with transaction.atomic():
        locked = _lock(request)
        _require(actor, HANDLE, locked)
        if _one(locked, "supplement_request") is not None:
            raise Conflict(
                _("补正只能一次性告知，本申请已于%(day)s告知补正。")
                % {"day": format_day(locked.supplement_request.notice_on)},
                code="supplement_request_once",
            )
        _require_state(locked, State.RECEIVED)
        rules = _rules(locked)
        _not_before(notice_on, locked.received_on, _("补正告知日期"), _("收到申请日期"))
        deadline = clock.supplement_request_notice_deadline(locked.received_on, rules)
        if notice_on > deadline:
            raise Conflict(
                _(
                    "补正告知应当在收到申请之日起%(n)d个工作日内发出（至%(day)s），"
                    "已超过期限，不能再要求补正。"
                )
                % {"n": rules.supplement_notice_workdays, "day": format_day(deadline)},
                code="supplement_request_too_late",
            )
        if period_workdays is None:
            period_workdays = int(
                agency_settings.get(locked.agency_id, "disclosure.supplement_period_workdays")
            )
        if isinstance(period_workdays, bool) or not 1 <= int(period_workdays) <= 60:
            raise InvalidInput(
                _("补正期限应为 1 至 60 个工作日。"), code="supplement_period_invalid"
            )
        supplement_request = SupplementRequest.objects.create(
            request=locked,
            notice_on=notice_on,
            items=items,
            period_workdays=int(period_workdays),
            supplement_due_on=clock.period_end(notice_on, int(period_workdays)),
            noticed_by=actor,
        )
        record = workflow.perform(
            locked,
            "request_supplement_request",
            actor=actor,
            notice_on=notice_on.isoformat(),
            supplement_due_on=supplement_request.supplement_due_on.isoformat(),
        )
        _refresh_due(record)
    return supplement_request


def supplement_request_received(
    *,
    actor,
    request: DisclosureRequest,
    supplement: str,
    supplemented_on: date | None = None,
    late_reason: str = "",
) -> DisclosureRequest:
    """The supplement arrived: the reply clock starts again from its receipt."""
    supplement = _text(supplement, _("补正内容"), limit=MAX_DESCRIPTION, code="supplement")
    late_reason = _text(
        late_reason, _("逾期补正的正当理由"), limit=2000, code="late_reason", required=False
    )
    today = timezone.localdate()
    supplemented_on = _day(supplemented_on, _("收到补正材料日期"), today=today)
    with transaction.atomic():
        locked = _lock(request)
        _require(actor, HANDLE, locked)
        _require_state(locked, State.SUPPLEMENT_REQUEST)
        supplement_request = SupplementRequest.objects.select_for_update().get(request=locked)
        _not_before(
            supplemented_on, supplement_request.notice_on, _("收到补正材料日期"), _("补正告知日期")
        )
        if supplemented_on > supplement_request.supplement_due_on and not late_reason:
            raise InvalidInput(
                _("补正期限已于%(day)s届满；逾期补正的，请写明申请人的正当理由。")
                % {"day": format_day(supplement_request.supplement_due_on)},
                code="supplement_late",
            )
        supplement_request.supplemented_on = supplemented_on
        supplement_request.supplement = supplement
        supplement_request.late_reason = late_reason
        supplement_request.recorded_by = actor
        supplement_request.save(
            update_fields=["supplemented_on", "supplement", "late_reason", "recorded_by"]
        )
        record = workflow.perform(
            locked,
            "receive_supplement",
            actor=actor,
            supplemented_on=supplemented_on.isoformat(),
            late=bool(late_reason),
        )
        _refresh_due(record)
    return record


def supplement_request_lapse(*, actor=None, request: DisclosureRequest) -> DisclosureRequest:
    """No supplement within the period: closed as 其他处理 1 (actor None: the sweep)."""
    with transaction.atomic():
        locked = _lock(request)
        if actor is not None:
            _require(actor, HANDLE, locked)
        _require_state(locked, State.SUPPLEMENT_REQUEST)
        supplement_request = SupplementRequest.objects.select_for_update().get(request=locked)
        lapsed_on = supplement_request.supplement_due_on + timedelta(days=1)
        if supplement_request.supplemented_on is not None or lapsed_on > timezone.localdate():
            raise Conflict(
                _("补正期限至%(day)s，尚未届满。")
                % {"day": format_day(supplement_request.supplement_due_on)},
                code="supplement_not_lapsed",
            )
        supplement_request.lapsed_on = lapsed_on
        supplement_request.save(update_fields=["lapsed_on"])
        record = _transition(
            locked, "lapse_supplement_request", actor=actor, concluded_on=lapsed_on
        )
        _tell_office(
            record,
            kind="disclosure_lapsed",
            title=_("申请 %(number)s 逾期未补正，已终止办理") % {"number": record.tracking_number},
            body=_("请向申请人送达终止办理告知书。"),
        )
    return record


# --- Third-party consultation (Art. 32–34) ---------------------------------------------------


def consultation_open(
    *,
    actor,
    request: DisclosureRequest,
    kind: str,
    party: str,
    subject: str,
    sent_on: date | None = None,
) -> ThirdPartyConsultation:
    """Ask a third party, co-producer or other agency in writing; the clock pauses."""
    kind = _choice(kind, ConsultationKind, _("征求意见的类型"), "consultation_kind_invalid")
    party = _text(party, _("征求对象"), limit=100, code="party")
    subject = _text(subject, _("征求意见事项"), limit=2000, code="subject")
    today = timezone.localdate()
    sent_on = _day(sent_on, _("发出日期"), today=today)
    with transaction.atomic():
        locked = _lock(request)
        _require(actor, HANDLE, locked)
        _require_state(locked, State.RECEIVED, State.CONSULTATION)
        _not_before(sent_on, _clock_start(locked), _("发出日期"), _("答复期限的起算日"))
        consultation = ThirdPartyConsultation.objects.create(
            request=locked,
            kind=kind,
            party=party,
            subject=subject,
            sent_on=sent_on,
            due_on=clock.period_end(sent_on, _rules(locked).consultation_workdays),
            opened_by=actor,
        )
        data = {
            "consultation": consultation.pk,
            "kind": kind,
            "party": party,
            "sent_on": sent_on.isoformat(),
            "due_on": consultation.due_on.isoformat(),
        }
        if locked.state == State.RECEIVED:
            record = workflow.perform(locked, "open_consultation", actor=actor, **data)
        else:
            _event("consultation.open", actor=actor, request=locked, **data)
            record = locked
        _refresh_due(record)
    return consultation


def consultation_answer(
    *,
    actor,
    consultation: ThirdPartyConsultation,
    answer: str,
    text: str = "",
    answered_on: date | None = None,
) -> ThirdPartyConsultation:
    """Record the answer (or the silence once the period is over); the last one resumes the
    clock."""
    answer = _choice(answer, ConsultationAnswer, _("意见"), "answer_invalid")
    text = _text(
        text,
        _("不同意公开的理由"),
        limit=MAX_DESCRIPTION,
        code="answer_text",
        required=answer == ConsultationAnswer.OBJECTION,
    )
    today = timezone.localdate()
    answered_on = _day(answered_on, _("答复日期"), today=today)
    with transaction.atomic():
        locked = _lock(consultation.request)
        _require(actor, HANDLE, locked)
        _require_state(locked, State.CONSULTATION)
        row = ThirdPartyConsultation.objects.select_for_update().get(pk=consultation.pk)
        if row.answered_on is not None:
            raise Conflict(_("该征求意见已登记答复。"), code="already_answered")
        _not_before(answered_on, row.sent_on, _("答复日期"), _("发出日期"))
        if answer == ConsultationAnswer.NO_ANSWER and answered_on <= row.due_on:
            raise Conflict(
                _("答复期限至%(day)s，尚未届满，不能登记为逾期未答复。")
                % {"day": format_day(row.due_on)},
                code="consultation_not_lapsed",
            )
        row.answer = answer
        row.answer_text = text
        row.answered_on = answered_on
        row.answered_by = actor
        row.save(update_fields=["answer", "answer_text", "answered_on", "answered_by"])
        data = {
            "consultation": row.pk,
            "answer": answer,
            "answered_on": answered_on.isoformat(),
        }
        if locked.consultations.filter(answered_on__isnull=True).exists():
            _event("consultation.answer", actor=actor, request=locked, **data)
            record = locked
        else:
            record = workflow.perform(locked, "close_consultation", actor=actor, **data)
        _refresh_due(record)
    return row


# --- Extension (Art. 33 ¶2) -------------------------------------------------------------------


def extension_approve(
    *,
    actor,
    request: DisclosureRequest,
    days: int,
    reason: str,
    approved_on: date | None = None,
    notified_on: date | None = None,
) -> Extension:
    """The office head approves the one extension (≤ 20 working days) before the deadline; the
    applicant is told on `notified_on`."""
    reason = _text(reason, _("延期理由"), limit=2000, code="reason")
    today = timezone.localdate()
    approved_on = _day(approved_on, _("批准日期"), today=today)
    notified_on = _day(notified_on or approved_on, _("告知申请人日期"), today=today)
    with transaction.atomic():
        locked = _lock(request)
        _require(actor, APPROVE_EXTENSION, locked)
        existing = _one(locked, "extension")
        if existing is not None:
            raise Conflict(
                _("答复期限只能延长一次，本申请已于%(day)s延长%(n)d个工作日。")
                % {"day": format_day(existing.approved_on), "n": existing.days},
                code="extension_once",
            )
        _require_state(locked, State.RECEIVED, State.CONSULTATION, State.FEE)
        rules = _rules(locked)
        if isinstance(days, bool) or not isinstance(days, int) or days < 1:
            raise InvalidInput(_("延长的工作日数应为正整数。"), code="extension_invalid")
        if days > rules.extension_workdays:
            raise InvalidInput(
                _("延长答复的期限最长不得超过%(n)d个工作日。") % {"n": rules.extension_workdays},
                code="extension_exceeds_limit",
            )
        before = selectors.due_explained(locked).due_on
        if approved_on > before:
            raise Conflict(
                _("答复期限已于%(day)s届满，不能再延长。") % {"day": format_day(before)},
                code="extension_after_due",
            )
        if notified_on < approved_on:
            raise InvalidInput(
                _("告知申请人日期不能早于批准日期。"), code="notified_before_approval"
            )
        extension = Extension(
            request=locked,
            days=days,
            reason=reason,
            approved_by=actor,
            approved_on=approved_on,
            notified_on=notified_on,
            due_before=before,
            due_after=before,
        )
        extension.save()
        after = _refresh_due(locked).due_on
        extension.due_after = after
        extension.save(update_fields=["due_after"])
        _event(
            "extension.approve",
            actor=actor,
            request=locked,
            days=days,
            reason=reason,
            approved_on=approved_on.isoformat(),
            notified_on=notified_on.isoformat(),
            due_before=before.isoformat(),
            due_after=after.isoformat(),
        )
    return extension


# --- Fees (国办函〔2020〕109号) ---------------------------------------------------------------


def fee_amount(request: DisclosureRequest, basis: str, quantity: int):
    """What the fee rules charge for this request (0 when within the free allowance)."""
    if basis == FeeBasis.PER_ITEM:
        free = int(agency_settings.get(request.agency_id, "disclosure.free_items_per_month"))
        # Each earlier request of the applicant in the month counts as one item.
        return fees.per_item_fee(request.month_ordinal - 1, quantity, free)
    free = int(agency_settings.get(request.agency_id, "disclosure.free_pages"))
    return fees.per_page_fee(quantity, free)


def fee_notice(
    *,
    actor,
    request: DisclosureRequest,
    basis: str,
    quantity: int,
    notice_on: date | None = None,
) -> FeeNotice:
    """Send the fee notice; processing waits for payment (at most the payment period)."""
    basis = _choice(basis, FeeBasis, _("计收方式"), "fee_basis_invalid")
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= 100000:
        raise InvalidInput(_("件数或页数应为 1 至 100000 的整数。"), code="quantity_invalid")
    today = timezone.localdate()
    notice_on = _day(notice_on, _("通知日期"), today=today)
    with transaction.atomic():
        locked = _lock(request)
        _require(actor, HANDLE, locked)
        if _one(locked, "fee") is not None:
            raise Conflict(_("本申请已发出过收费通知。"), code="fee_once")
        _require_state(locked, State.RECEIVED)
        _not_before(notice_on, _clock_start(locked), _("通知日期"), _("答复期限的起算日"))
        amount = fee_amount(locked, basis, quantity)
        if amount <= 0:
            raise InvalidInput(
                _("未超过免费范围，不收取信息处理费（条例第四十二条）。"), code="fee_not_due"
            )
        period = int(agency_settings.get(locked.agency_id, "disclosure.fee_payment_workdays"))
        fee = FeeNotice.objects.create(
            request=locked,
            basis=basis,
            quantity=quantity,
            amount=amount,
            notice_on=notice_on,
            payment_due_on=clock.period_end(notice_on, period),
            issued_by=actor,
        )
        record = workflow.perform(
            locked,
            "notify_fee",
            actor=actor,
            basis=basis,
            quantity=quantity,
            amount=str(amount),
            payment_due_on=fee.payment_due_on.isoformat(),
        )
        _refresh_due(record)
    return fee


def fee_paid(
    *,
    actor,
    request: DisclosureRequest,
    paid_on: date | None = None,
    receipt_number: str = "",
) -> DisclosureRequest:
    receipt_number = _text(
        receipt_number, _("票据号"), limit=60, code="receipt_number", required=False
    )
    today = timezone.localdate()
    paid_on = _day(paid_on, _("缴费日期"), today=today)
    with transaction.atomic():
        locked = _lock(request)
        _require(actor, HANDLE, locked)
        _require_state(locked, State.FEE)
        fee = FeeNotice.objects.select_for_update().get(request=locked)
        _not_before(paid_on, fee.notice_on, _("缴费日期"), _("通知日期"))
        if paid_on > fee.payment_due_on:
            raise Conflict(
                _("缴费期限已于%(day)s届满，申请视为放弃。")
                % {"day": format_day(fee.payment_due_on)},
                code="payment_late",
            )
        fee.paid_on = paid_on
        fee.receipt_number = receipt_number
        fee.save(update_fields=["paid_on", "receipt_number"])
        record = workflow.perform(
            locked, "receive_payment", actor=actor, paid_on=paid_on.isoformat()
        )
        _refresh_due(record)
    return record


def fee_lapse(*, actor=None, request: DisclosureRequest) -> DisclosureRequest:
    """Not paid within the period: closed as 其他处理 2 (actor None: the sweep)."""
    with transaction.atomic():
        locked = _lock(request)
        if actor is not None:
            _require(actor, HANDLE, locked)
        _require_state(locked, State.FEE)
        fee = FeeNotice.objects.select_for_update().get(request=locked)
        lapsed_on = fee.payment_due_on + timedelta(days=1)
        if fee.paid_on is not None or lapsed_on > timezone.localdate():
            raise Conflict(
                _("缴费期限至%(day)s，尚未届满。") % {"day": format_day(fee.payment_due_on)},
                code="fee_not_lapsed",
            )
        fee.lapsed_on = lapsed_on
        fee.save(update_fields=["lapsed_on"])
        record = _transition(locked, "lapse_fee", actor=actor, concluded_on=lapsed_on)
        _tell_office(
            record,
            kind="disclosure_lapsed",
            title=_("申请 %(number)s 逾期未缴费，已终止办理") % {"number": record.tracking_number},
            body=_("请向申请人送达终止办理告知书。"),
        )
    return record
