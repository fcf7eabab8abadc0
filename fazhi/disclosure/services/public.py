"""What the applicant does on the portal after applying: send the 补正 (supplement) online.

The portal has no signed-in person, so every call proves again that it comes from the applicant:
the tracking number and the phone given in the application must both match, and a wrong pair
is answered exactly like an unknown number (`NotFound`, 404). The supplement is recorded with
the same fields and the same transition as when the office registers one
(`supplement_request_received`), attributed to "申请人" instead of a staff member.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import can_proceed

from fazhi.core import audit, ratelimit
from fazhi.core.calendar import format_day
from fazhi.core.errors import Conflict, DomainError, InvalidInput
from fazhi.core.models import Event
from fazhi.disclosure import selectors
from fazhi.disclosure.models import DisclosureRequest, SupplementRequest
from fazhi.disclosure.services._common import (
    MAX_DESCRIPTION,
    PUBLIC,
    State,
    TooManyRequests,
    _lock,
    _refresh_due,
    _tell_office,
    _text,
)

RECEIVE = "receive_supplement"


class NotFound(DomainError):
    """No request with this tracking number and phone (HTTP 404); says nothing about which."""

    code = "not_found"
    status = 404
    default_message = _("未找到与该申请编号和联系电话相符的申请，请核对后重试。")


def request_verified(tracking_number: str, phone: str) -> DisclosureRequest:
    """The applicant's request, or NotFound for an unknown number and a wrong phone alike."""
    found = selectors.request_by_tracking(tracking_number, phone)
    if found is None:
        raise NotFound()
    return found


def _replayed(request: DisclosureRequest, supplement_request, supplement: str, key: str) -> bool:
    """A second send of the same supplement (a double click, a resubmitted page)."""
    if supplement_request is None or supplement_request.supplemented_on is None:
        return False
    if supplement_request.supplement == supplement:
        return True
    return bool(key) and (
        Event.objects.filter(
            verb=f"{request._meta.label_lower}.{RECEIVE}",
            target_type=request._meta.label_lower,
            target_id=str(request.pk),
            data__idempotency_key=key,
        ).exists()
    )


def supplement_submit_public(
    *,
    tracking_number: str,
    phone: str,
    supplement: str,
    idempotency_key: str = "",
    http_request=None,
) -> DisclosureRequest:
    """The applicant sends the supplement on the portal; the reply clock starts again today.

    Sending the same supplement again (or with the same key) returns the request unchanged.
    With `http_request` the public-form rate limit applies.
    """
    if http_request is not None and not ratelimit.hit(http_request, "public_form"):
        raise TooManyRequests()
    found = request_verified(tracking_number, phone)
    supplement = _text(supplement, _("补正内容"), limit=MAX_DESCRIPTION, code="supplement")
    key = (idempotency_key or "")[:64]
    today = timezone.localdate()
    with transaction.atomic():
        locked = _lock(found)
        supplement_request = (
            SupplementRequest.objects.select_for_update().filter(request=locked).first()
        )
        if _replayed(locked, supplement_request, supplement, key):
            return locked
        if locked.state != State.SUPPLEMENT_REQUEST or supplement_request is None:
            raise Conflict(
                _("该申请当前为“%(state)s”，无需补正。") % {"state": locked.get_state_display()},
                code="state_changed",
            )
        if today > supplement_request.supplement_due_on:
            # Past the period only the office may accept a supplement, with the good reason.
            raise Conflict(
                _("补正期限已于%(day)s届满。如有正当理由，请与受理机关联系，由其登记逾期补正。")
                % {"day": format_day(supplement_request.supplement_due_on)},
                code="supplement_late",
            )
        if today < supplement_request.notice_on:
            raise InvalidInput(_("补正告知尚未发出。"), code="supplement_before_notice")
        supplement_request.supplemented_on = today
        supplement_request.supplement = supplement
        supplement_request.late_reason = ""
        supplement_request.recorded_by = None
        supplement_request.save(
            update_fields=["supplemented_on", "supplement", "late_reason", "recorded_by"]
        )
        before = locked.state
        method = getattr(locked, RECEIVE)
        # The transition's guard reads the record just written, as for the office's entry.
        if not can_proceed(method):
            raise Conflict(code="guard_failed")
        method(actor=None)
        locked.save()
        due = _refresh_due(locked)
        audit.record(
            f"{locked._meta.label_lower}.{RECEIVE}",
            actor_name=PUBLIC,
            agency=locked.agency,
            target=locked,
            from_state=before,
            to_state=locked.state,
            request=http_request,
            data={
                "action": RECEIVE,
                "comment": "",
                "supplemented_on": today.isoformat(),
                "late": False,
                "channel": "portal",
                "idempotency_key": key,
                "due_on": due.due_on.isoformat() if due.due_on else None,
            },
        )
        _tell_office(
            locked,
            kind="disclosure_supplemented",
            title=_("申请 %(number)s 已网上补正") % {"number": locked.tracking_number},
            body=_("答复期限重新计算为 %(due)s。")
            % {"due": format_day(due.due_on) if due.due_on else "—"},
        )
    return locked
