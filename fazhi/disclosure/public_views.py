"""The citizen's side of disclosure requests: the application form, its receipt, the status check.

The receipt is found through the session (the requests this browser submitted), never through
an identifier in the address, so a shared or logged link shows nobody else's request. The
status check answers an unknown number and a wrong phone with the same page and status, so it
cannot be used to learn which tracking numbers exist; the phone is sent by POST to keep it out of
addresses and logs.
"""

from __future__ import annotations

import uuid

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from fazhi.core import ratelimit
from fazhi.core.errors import DomainError
from fazhi.core.models import Agency
from fazhi.disclosure import clock, selectors, services
from fazhi.disclosure.forms.public import ORGANISATION, PERSON, ApplicationForm, StatusForm
from fazhi.disclosure.models import DisclosureRequest

SESSION_KEY = "disclosure_receipts"
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
    found = selectors.request_by_tracking(
        form.cleaned_data["tracking_number"], form.cleaned_data["phone"]
    )
    if found is None:
        # A fresh form: echoing the typed number would make the two refusals tell apart.
        context["not_found"] = True
        return render(request, "disclosure/public/status.html", context, status=404)
    context["found"] = found
    context["due"] = selectors.due_explained(found)
    context["done"] = found.state in DisclosureRequest.DONE_STATES
    return render(request, "disclosure/public/status.html", context)
