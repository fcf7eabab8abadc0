"""The lapse sweep and the deadline source for reminders."""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fazhi.core.errors import Conflict
from fazhi.core.notify.sweeps import PartialSweepFailure, describe
from fazhi.core.roles import Role
from fazhi.disclosure.models import DisclosureRequest
from fazhi.disclosure.services._common import (
    State,
    _people,
    logger,
)
from fazhi.disclosure.services.procedure import fee_lapse, supplement_request_lapse

# --- Sweep and deadlines ----------------------------------------------------------------------


def lapse_sweep(now: datetime) -> int:
    """Close the requests whose 补正 or payment period is over; safe to run twice.

    A record that fails is logged and skipped; the others still run.
    """
    today = timezone.localdate(now)
    closed = 0
    failures: list[str] = []
    work = [
        (supplement_request_lapse, r)
        for r in DisclosureRequest.objects.filter(
            state=State.SUPPLEMENT_REQUEST,
            supplement_request__supplemented_on__isnull=True,
            supplement_request__supplement_due_on__lt=today,
        ).order_by("pk")
    ] + [
        (fee_lapse, r)
        for r in DisclosureRequest.objects.filter(
            state=State.FEE, fee__paid_on__isnull=True, fee__payment_due_on__lt=today
        ).order_by("pk")
    ]
    for lapse, request in work:
        try:
            lapse(request=request)
        except Conflict:
            continue  # changed since it was listed (supplemented, paid, or closed by a person)
        except Exception as exc:  # one broken record must not stop the sweep
            logger.exception("Lapsing disclosure request %s failed", request.pk)
            failures.append(f"request {request.pk}: {describe(exc)}")
            continue
        closed += 1
    if failures:
        raise PartialSweepFailure(closed, failures)
    return closed


def open_requests(today: date):
    """Deadline source: reminders to the disclosure office before each reply is due, and to
    the leaders as well once it is overdue."""
    from fazhi.core.notify.deadlines import DeadlineItem

    requests = list(
        DisclosureRequest.objects.filter(
            state__in=[State.RECEIVED, State.CONSULTATION, State.FEE], due_on__isnull=False
        )
        .select_related("agency")
        .order_by("pk")
    )
    office = _people({r.agency_id for r in requests}, [Role.LEGAL_OFFICER])
    leaders = _people({r.agency_id for r in requests}, [Role.LEADER])
    for request in requests:
        recipients = office.get(request.agency_id, [])
        yield DeadlineItem(
            request.agency,
            recipients,
            request,
            request.due_on,
            str(_("政府信息公开申请 %(number)s 答复") % {"number": request.tracking_number}),
            "",
            escalate_to=recipients + leaders.get(request.agency_id, []),
        )
