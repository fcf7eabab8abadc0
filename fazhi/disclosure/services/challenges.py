"""Reconsiderations and lawsuits about disclosure work (table 四): recorded, then decided once."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fazhi.core import audit
from fazhi.core.calendar import format_day
from fazhi.core.errors import Conflict, InvalidInput, NotAllowed
from fazhi.disclosure.models import DisclosureChallenge, DisclosureRequest
from fazhi.disclosure.services._common import _choice, _day, _not_before, _require, _text

HANDLE_CHALLENGE = "disclosure.handle_challenge"
Result = DisclosureChallenge.Result
# What a decision may record; 尚未审结 is the state before it.
DECIDED = (Result.UPHELD, Result.CORRECTED, Result.OTHER)


def _event(verb: str, *, actor, challenge, from_state: str, http_request=None, **data) -> None:
    audit.record(
        f"disclosure.{verb}",
        actor=actor,
        agency=challenge.agency,
        target=challenge,
        from_state=from_state,
        to_state=challenge.result,
        request=http_request,
        data=data,
    )


def challenge_record(
    *,
    actor,
    agency,
    kind: str,
    subject: str,
    filed_on: date,
    body: str,
    request: DisclosureRequest | None = None,
    note: str = "",
    http_request=None,
) -> DisclosureChallenge:
    """Record a reconsideration or lawsuit as 尚未审结; `request` when it is about a reply."""
    _require(actor, HANDLE_CHALLENGE, DisclosureChallenge(agency=agency))
    kind = _choice(kind, DisclosureChallenge.Kind, _("类型"), "kind_required")
    subject = _text(subject, _("复议或诉讼事项"), limit=200, code="subject")
    body = _text(body, _("复议机关或人民法院"), limit=100, code="body")
    note = _text(note, _("备注"), limit=2000, code="note", required=False)
    filed_on = _day(
        filed_on, _("申请复议或起诉日期"), today=timezone.localdate(), default_today=False
    )
    with transaction.atomic():
        if request is not None:
            request = DisclosureRequest.objects.get(pk=request.pk)
            # Another agency's request is refused like another agency's anything.
            if request.agency_id != agency.pk:
                raise NotAllowed()
            _not_before(filed_on, request.received_on, _("申请复议或起诉日期"), _("收到申请日期"))
        challenge = DisclosureChallenge.objects.create(
            agency=agency,
            request=request,
            kind=kind,
            subject=subject,
            filed_on=filed_on,
            body=body,
            note=note,
            recorded_by=actor,
        )
        _event(
            "challenge_record",
            actor=actor,
            challenge=challenge,
            from_state="",
            http_request=http_request,
            kind=kind,
            filed_on=filed_on.isoformat(),
            body=body,
            request=request.tracking_number if request is not None else "",
        )
    return challenge


def challenge_decide(
    *,
    actor,
    challenge: DisclosureChallenge,
    result: str,
    result_on: date,
    note: str = "",
    http_request=None,
) -> DisclosureChallenge:
    """Record the result (维持 / 纠正 / 其他) once; a wrong entry is a matter for the admin."""
    if result not in DECIDED:
        raise InvalidInput(_("请选择结果：维持、纠正或其他。"), code="result_required")
    note = _text(note, _("备注"), limit=2000, code="note", required=False)
    result_on = _day(result_on, _("审结日期"), today=timezone.localdate(), default_today=False)
    with transaction.atomic():
        locked = DisclosureChallenge.objects.select_for_update().get(pk=challenge.pk)
        _require(actor, HANDLE_CHALLENGE, locked)
        if locked.result != Result.PENDING:
            raise Conflict(
                _("本案已于%(day)s审结（%(result)s），不能再次登记结果。")
                % {"day": format_day(locked.result_on), "result": locked.get_result_display()},
                code="challenge_decided",
            )
        _not_before(result_on, locked.filed_on, _("审结日期"), _("申请复议或起诉日期"))
        locked.result = result
        locked.result_on = result_on
        locked.decided_by = actor
        if note:
            locked.note = f"{locked.note}\n{note}".strip()
        locked.save(update_fields=["result", "result_on", "decided_by", "note"])
        _event(
            "challenge_decide",
            actor=actor,
            challenge=locked,
            from_state=Result.PENDING,
            http_request=http_request,
            result=result,
            result_on=result_on.isoformat(),
        )
    return locked
