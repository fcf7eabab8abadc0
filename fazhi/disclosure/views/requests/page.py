"""The request page: who may open it, which steps are open now, and its context.

The page is rendered both by GET and by a refused POST (with the refusal's 4xx status and the
message, like rules/views/page.py), so a person sees why and the status tells a machine it
failed. Which step forms it shows is decided by `fazhi.disclosure.steps` (the same answer the
API gives), from the request's state and records only; the services decide again, so a stale
page can never do what is no longer allowed.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fazhi.core import workflow
from fazhi.core.errors import DomainError
from fazhi.core.forms import form_error_messages
from fazhi.core.models import Event
from fazhi.core.tenancy import access
from fazhi.disclosure import clock, selectors
from fazhi.disclosure.forms import requests as forms
from fazhi.disclosure.models import (
    DeliveryRecord,
    DisclosureChallenge,
    DisclosureRequest,
    ThirdPartyConsultation,
)
from fazhi.disclosure.steps import step_keys

State = DisclosureRequest.State
VIEW = "disclosure.view_request"

# What the timeline says for the services' own events (the transitions carry their labels).
VERB_LABELS = {
    "disclosure.request.register": _("登记申请"),
    "disclosure.request.submit": _("网上提交申请"),
    "disclosure.consultation.open": _("征求意见"),
    "disclosure.consultation.answer": _("登记征求意见答复"),
    "disclosure.extension.approve": _("批准延期答复"),
    "disclosure.delivery.record": _("登记送达"),
    "disclosure.delivery.confirm": _("登记送达日期"),
    "disclosure.challenge_record": _("登记行政复议、行政诉讼"),
    "disclosure.challenge_decide": _("登记复议、诉讼结果"),
}

# The steps in the order the page shows them; each is one POST to `disclosure:request_step`.
STEPS = (
    "supplement_request",
    "supplement_received",
    "supplement_lapse",
    "consultation_open",
    "consultation_answer",
    "extension",
    "fee_notice",
    "fee_paid",
    "fee_lapse",
    "reply",
    "delivery",
    "delivery_confirm",
    "challenge",
    "challenge_decide",
)


def _one(record, name):
    try:
        return getattr(record, name)
    except ObjectDoesNotExist:
        return None


def with_records(queryset):
    """The request with every record `steps.available_steps` reads, in a fixed number of queries."""
    return queryset.select_related(
        "agency", "handler", "supplement_request", "fee", "extension", "reply_record"
    ).prefetch_related(
        Prefetch(
            "consultations",
            queryset=ThirdPartyConsultation.objects.order_by("sent_on", "pk"),
        ),
        Prefetch("deliveries", queryset=DeliveryRecord.objects.order_by("sent_on", "pk")),
        Prefetch("challenges", queryset=DisclosureChallenge.objects.order_by("filed_on", "pk")),
    )


def open_request(request: HttpRequest, request_id, *, write: bool = False) -> DisclosureRequest:
    """The request if the user may open its page: 404 outside their agencies (for a step, outside
    the agencies where they may write), 403 for a role that may not read applicants' data."""
    found = access(
        request.user,
        with_records(DisclosureRequest.objects.all()),
        request_id,
        write=write,
    )
    if not request.user.has_perm(VIEW, found):
        raise PermissionDenied
    return found


def _fresh(record) -> DisclosureRequest:
    # A refused service may have locked and changed a copy; show what the database holds.
    return with_records(DisclosureRequest.objects.filter(pk=record.pk)).first() or record


def refused(request: HttpRequest, record, exc: DomainError, *, bound=None) -> HttpResponse:
    """The page again with the refusal's message and status; nothing was written."""
    messages.error(request, str(exc.message))
    return render_detail(request, _fresh(record), status=exc.status, bound=bound)


def invalid_form(request: HttpRequest, record, step: str, form) -> HttpResponse:
    """The page again with the form as typed, its errors on its fields, status 422."""
    form_error_messages(request, form)
    return render_detail(request, _fresh(record), status=422, bound={step: form})


def step_forms(record: DisclosureRequest, steps: list[str], bound: dict | None = None) -> dict:
    """An empty form per available step (or the one the user just sent back with errors)."""
    bound = bound or {}
    consultations = [c for c in record.consultations.all() if c.answered_on is None]
    deliveries = [d for d in record.deliveries.all() if d.delivered_on is None]
    challenges = [
        c for c in record.challenges.all() if c.result == DisclosureChallenge.Result.PENDING
    ]
    makers = {
        "supplement_request": lambda: forms.SupplementRequestForm(prefix="supplement_request"),
        "supplement_received": lambda: forms.SupplementReceivedForm(prefix="supplement_received"),
        "consultation_open": lambda: forms.ConsultationOpenForm(prefix="consultation_open"),
        "consultation_answer": lambda: forms.ConsultationAnswerForm(
            prefix="consultation_answer", consultations=consultations
        ),
        "extension": lambda: forms.ExtensionForm(prefix="extension"),
        "fee_notice": lambda: forms.FeeNoticeForm(prefix="fee_notice"),
        "fee_paid": lambda: forms.FeePaidForm(prefix="fee_paid"),
        "reply": lambda: forms.ReplyForm(prefix="reply"),
        "delivery": lambda: forms.DeliveryForm(prefix="delivery"),
        "delivery_confirm": lambda: forms.DeliveryConfirmForm(
            prefix="delivery_confirm", deliveries=deliveries
        ),
        "challenge": lambda: forms.ChallengeForm(prefix="challenge"),
        "challenge_decide": lambda: forms.ChallengeDecideForm(
            prefix="challenge_decide", challenges=challenges
        ),
    }
    found = {}
    for step in steps:
        if step in bound:
            found[step] = bound[step]
        elif step in makers:
            found[step] = makers[step]()
    if "reply" in steps:
        found["parts"] = bound.get("parts") or forms.PartFormSet(prefix="parts")
    return found


def _timeline(record: DisclosureRequest) -> list[dict]:
    labels = {
        f"{record._meta.label_lower}.{action.name}": action.label
        for action in workflow.workflow_of(record).actions
    }
    events = list(workflow.timeline(record))
    challenge_ids = [str(c.pk) for c in record.challenges.all()]
    if challenge_ids:
        # A challenge is its own record; its events belong on the request it is about.
        events += list(
            Event.objects.filter(
                target_type=DisclosureChallenge._meta.label_lower, target_id__in=challenge_ids
            )
        )
        events.sort(key=lambda event: event.seq)
    return [
        {
            "event": event,
            "label": labels.get(event.verb) or VERB_LABELS.get(event.verb) or event.verb,
            "comment": str(event.data.get("comment", "") or "")[:500],
        }
        for event in events
    ]


def _masked(record: DisclosureRequest) -> dict:
    number = record.resident_id or record.credit_code or record.other_id
    return {"masked_id": number.masked if number else "", "masked_phone": record.phone.masked}


def render_detail(
    request: HttpRequest, record: DisclosureRequest, *, status: int = 200, bound=None
) -> HttpResponse:
    today = timezone.localdate()
    rules = clock.Rules.for_agency(record.agency_id)
    steps = step_keys(record, request.user, today)
    reply = _one(record, "reply_record")
    supplement_request = _one(record, "supplement_request")
    context = {
        "record": record,
        "due": selectors.due_explained(record),
        "rules": rules,
        "supplement_request": supplement_request,
        "supplement_notice_deadline": clock.supplement_request_notice_deadline(
            record.received_on, rules
        ),
        "consultations": list(record.consultations.all()),
        "extension": _one(record, "extension"),
        "fee": _one(record, "fee"),
        "reply": reply,
        "parts": list(reply.parts.all()) if reply is not None else [],
        "deliveries": list(record.deliveries.all()),
        "challenges": list(record.challenges.all()),
        "steps": steps,
        "forms": step_forms(record, steps, bound),
        "can_letter": bool(record.outcome),
        "timeline": _timeline(record),
        "open": record.state in DisclosureRequest.OPEN_STATES,
        **_masked(record),
    }
    return render(request, "disclosure/staff/request_detail.html", context, status=status)
