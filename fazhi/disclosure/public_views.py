"""The citizen's side of disclosure requests: the application form, its receipt, the status check.

The receipt is found through the session (the requests this browser submitted), never through
an identifier in the address, so a shared or logged link shows nobody else's request. The
status check answers an unknown number and a wrong phone with the same page and status, so it
cannot be used to learn which tracking numbers exist; the phone is sent by POST to keep it out of
addresses and logs. What follows a status check (sending the 补正, downloading the reply letter)
is a POST that carries the tracking number and phone again and is verified again; the letter
also needs the check to have been made in this browser's session.
"""

from __future__ import annotations

import uuid
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fazhi.core import ratelimit
from fazhi.core.errors import DomainError
from fazhi.core.models import Agency
from fazhi.disclosure import clock, letters, selectors, services
from fazhi.disclosure.forms.public import (
    ORGANISATION,
    PERSON,
    ApplicationForm,
    StatusForm,
    SupplementForm,
    VerifiedForm,
)
from fazhi.disclosure.models import DisclosureRequest, Reply, SupplementRequest

SESSION_KEY = "disclosure_receipts"
# The requests this browser verified by tracking number and phone (for the letter download).
VERIFIED_KEY = "disclosure_verified"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# The receipts a browser keeps: enough for one sitting, not a history.
KEPT_RECEIPTS = 10


def _initial_agency(request: HttpRequest):
    """`?agency=<code>`, or the only active agency; else the applicant chooses."""
    agencies = Agency.objects.filter(is_active=True)
    code = request.GET.get("agency", "").strip()[:40]
    if code:
        return agencies.filter(code=code).first()
    only = list(agencies[:2])
    return only[0] if len(only) == 1 else None


@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest) -> HttpResponse:
    applicant = ORGANISATION if request.GET.get("as") == ORGANISATION else PERSON
    form = ApplicationForm(
        request.POST or None,
        applicant=applicant,
        initial={"token": uuid.uuid4().hex, "agency": _initial_agency(request)},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                created = services.request_submit(
                    agency=data["agency"],
                    applicant=form.applicant_data(),
                    description=data["description"],
                    info_reference=data["info_reference"],
                    info_form=data["info_form"],
                    delivery=data["delivery"],
                    idempotency_key=data["token"],
                    http_request=request,
                )
            except DomainError as exc:
                form.place_error(exc)
                status = exc.status if exc.status in (422, 429) else 400
            else:
                kept = [pk for pk in request.session.get(SESSION_KEY, []) if pk != created.pk]
                request.session[SESSION_KEY] = [*kept, created.pk][-KEPT_RECEIPTS:]
                return redirect("disclosure_public:receipt", request_id=created.pk)
        else:
            status = 400
    return render(
        request,
        "disclosure/public/apply.html",
        {"form": form, "applicant": applicant, "organisation": ORGANISATION},
        status=status,
    )


def _masked(found: DisclosureRequest) -> dict:
    """The applicant's numbers as their masks (`Protected.masked`, core.identity.masking)."""
    number = found.resident_id or found.credit_code or found.other_id
    return {"masked_id": number.masked if number else "", "masked_phone": found.phone.masked}


@require_GET
def receipt(request: HttpRequest, request_id: int) -> HttpResponse:
    """The receipt of a request this browser submitted; any other number goes back to the form."""
    if request_id not in request.session.get(SESSION_KEY, []):
        return redirect("disclosure_public:apply")
    found = DisclosureRequest.objects.select_related("agency").filter(pk=request_id).first()
    if found is None:
        return redirect("disclosure_public:apply")
    return render(
        request,
        "disclosure/public/receipt.html",
        {
            "request_record": found,
            "due": selectors.due_explained(found),
            "rules": clock.Rules.for_agency(found.agency_id),
            **_masked(found),
        },
    )


def _remember_verified(request: HttpRequest, found: DisclosureRequest) -> None:
    """This browser proved tracking number and phone for `found` (the letter needs it)."""
    kept = [pk for pk in request.session.get(VERIFIED_KEY, []) if pk != found.pk]
    request.session[VERIFIED_KEY] = [*kept, found.pk][-KEPT_RECEIPTS:]


def _status_context(found: DisclosureRequest, tracking_number: str, phone: str) -> dict:
    """What the status page shows of a verified request, and the follow-up forms it offers."""
    verified = {"tracking_number": tracking_number, "phone": phone}
    context: dict = {
        "found": found,
        "due": selectors.due_explained(found),
        "done": found.state in DisclosureRequest.DONE_STATES,
        "supplement_request": None,
        "supplement_form": None,
        "letter_form": None,
        "reply": Reply.objects.filter(request=found).first(),
    }
    if found.state == DisclosureRequest.State.SUPPLEMENT_REQUEST:
        context["supplement_request"] = SupplementRequest.objects.filter(request=found).first()
        context["supplement_form"] = SupplementForm(initial={**verified, "token": uuid.uuid4().hex})
    if found.outcome:
        context["letter_form"] = VerifiedForm(initial=verified)
    return context


@require_http_methods(["GET", "POST"])
def status_check(request: HttpRequest) -> HttpResponse:
    context: dict = {"form": StatusForm(), "found": None, "not_found": False, "limited": False}
    if request.method == "GET":
        return render(request, "disclosure/public/status.html", context)
    if not ratelimit.hit(request, "public_form"):
        context["limited"] = True
        return render(request, "disclosure/public/status.html", context, status=429)
    form = StatusForm(request.POST)
    if not form.is_valid():
        context["form"] = form
        return render(request, "disclosure/public/status.html", context, status=400)
    tracking_number, phone = form.cleaned_data["tracking_number"], form.cleaned_data["phone"]
    found = selectors.request_by_tracking(tracking_number, phone)
    if found is None:
        # A fresh form: echoing the typed number would make the two refusals tell apart.
        context["not_found"] = True
        return render(request, "disclosure/public/status.html", context, status=404)
    _remember_verified(request, found)
    context.update(_status_context(found, tracking_number, phone))
    return render(request, "disclosure/public/status.html", context)


def _not_found(request: HttpRequest) -> HttpResponse:
    context = {"form": StatusForm(), "found": None, "not_found": True, "limited": False}
    return render(request, "disclosure/public/status.html", context, status=404)


@require_POST
def supplement(request: HttpRequest) -> HttpResponse:
    """The applicant sends the 补正 from the status page; the page then shows the new due date."""
    form = SupplementForm(request.POST)
    tracking_number = request.POST.get("tracking_number", "")
    phone = request.POST.get("phone", "")
    status = 200
    try:
        if not form.is_valid():
            # Check the pair first: a wrong one must look like any other unknown request.
            services.request_verified(tracking_number, phone)
            status = 400
        else:
            data = form.cleaned_data
            services.supplement_submit_public(
                tracking_number=data["tracking_number"],
                phone=data["phone"],
                supplement=data["supplement"],
                idempotency_key=data["token"],
                http_request=request,
            )
    except services.NotFound:
        return _not_found(request)
    except services.TooManyRequests:
        context = {"form": StatusForm(), "found": None, "not_found": False, "limited": True}
        return render(request, "disclosure/public/status.html", context, status=429)
    except DomainError as exc:
        form.add_error(None, str(exc.message))
        status = exc.status
    found = selectors.request_by_tracking(tracking_number, phone)
    if found is None:
        return _not_found(request)
    _remember_verified(request, found)
    context = {"form": StatusForm(), "not_found": False, "limited": False}
    context.update(_status_context(found, tracking_number, phone))
    if status != 200 and context["supplement_form"] is not None:
        context["supplement_form"] = form
    elif status != 200:
        # No form to show the refusal on (the request has moved on): say it above.
        errors = [e for field_errors in form.errors.values() for e in field_errors]
        context["supplement_error"] = errors[0] if errors else ""
    context["supplemented"] = status == 200
    return render(request, "disclosure/public/status.html", context, status=status)


@require_POST
def letter(request: HttpRequest) -> HttpResponse:
    """The reply letter, for a browser that verified the request in this session and sends the
    tracking number and phone again; anything else gets the status page's 404."""
    form = VerifiedForm(request.POST)
    if not form.is_valid():
        return _not_found(request)
    if not ratelimit.hit(request, "public_form"):
        context = {"form": StatusForm(), "found": None, "not_found": False, "limited": True}
        return render(request, "disclosure/public/status.html", context, status=429)
    found = selectors.request_by_tracking(
        form.cleaned_data["tracking_number"], form.cleaned_data["phone"]
    )
    if found is None or found.pk not in request.session.get(VERIFIED_KEY, []) or not found.outcome:
        return _not_found(request)
    response = HttpResponse(letters.render_reply_letter(found), content_type=DOCX)
    response["Content-Disposition"] = (
        f'attachment; filename="reply-letter.docx"; '
        f"filename*=UTF-8''{quote('政府信息公开申请答复告知书')}.docx"
    )
    response["Cache-Control"] = "no-store"
    return response
