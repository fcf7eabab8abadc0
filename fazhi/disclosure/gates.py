"""The guards of a disclosure request's transitions: each reads the stage records.

A transition only happens through the service that writes its record, so each guard asks "is
the record there?" — a bare `perform(request, "reply")` without a Reply is refused. The lapse
guards compare with today's date, so a lapse can never be recorded early.
"""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone


def _one(request, name):
    try:
        return getattr(request, name)
    except ObjectDoesNotExist:
        return None


def supplement_request_recorded(request) -> bool:
    supplement_request = _one(request, "supplement_request")
    return supplement_request is not None and supplement_request.supplemented_on is None


def supplemented(request) -> bool:
    supplement_request = _one(request, "supplement_request")
    return supplement_request is not None and supplement_request.supplemented_on is not None


def supplement_lapsed(request) -> bool:
    supplement_request = _one(request, "supplement_request")
    return (
        supplement_request is not None
        and supplement_request.supplemented_on is None
        and supplement_request.supplement_due_on < timezone.localdate()
    )


def consultation_open(request) -> bool:
    return request.consultations.filter(answered_on__isnull=True).exists()


def consultations_closed(request) -> bool:
    return (
        request.consultations.exists()
        and not request.consultations.filter(answered_on__isnull=True).exists()
    )


def fee_noticed(request) -> bool:
    fee = _one(request, "fee")
    return fee is not None and fee.paid_on is None and fee.lapsed_on is None


def fee_paid(request) -> bool:
    fee = _one(request, "fee")
    return fee is not None and fee.paid_on is not None


def fee_lapsed(request) -> bool:
    fee = _one(request, "fee")
    return fee is not None and fee.paid_on is None and fee.payment_due_on < timezone.localdate()


def replied(request) -> bool:
    return _one(request, "reply_record") is not None
