"""The citizen's online booking (网上预约), phone first: center → item → day → slot → name, ID
number and mobile → the booking number; and looking up or cancelling a booking.

The confirmation page is found through the session (the bookings this browser made or looked
up), never through an identifier in the address alone, so a shared link shows nobody's
booking. The look-up answers an unknown number and a wrong ID number alike; the ID number is
sent by POST to keep it out of addresses and logs. Cancelling works on a booking this browser
made or verified with the number and the ID number. The form, the look-up and the cancellation
are rate-limited per client address (in the services).
"""

from __future__ import annotations

import uuid
from datetime import date

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fazhi.core import ratelimit
from fazhi.core.errors import DomainError
from fazhi.core.forms import StyledForm
from fazhi.core.models import Agency
from fazhi.services.models import Appointment
from fazhi.services.selectors import appointments as selectors
from fazhi.services.selectors import centers as center_selectors
from fazhi.services.services import appointments as services

SESSION_KEY = "appointments_mine"
# The bookings a browser keeps: enough for one sitting, not a history.
KEPT = 10
STALE_FORM = gettext_lazy("表单已失效，请刷新页面后重新提交。")
NUMBER_HELP = gettext_lazy("预约成功后页面显示的 12 位数字。")


def _int(value) -> int | None:
    text = str(value or "")
    return int(text) if text.isascii() and text.isdigit() and len(text) < 12 else None


def _day(value) -> date | None:
    try:
        return date.fromisoformat(str(value or ""))
    except ValueError:
        return None


def _remember(request: HttpRequest, appointment: Appointment) -> None:
    kept = [pk for pk in request.session.get(SESSION_KEY, []) if pk != appointment.pk]
    request.session[SESSION_KEY] = [*kept, appointment.pk][-KEPT:]


def _mine(request: HttpRequest, appointment_id) -> Appointment | None:
    if appointment_id not in request.session.get(SESSION_KEY, []):
        return None
    return (
        Appointment.objects.select_related("agency", "center", "item")
        .filter(pk=appointment_id)
        .first()
    )


# --- Forms --------------------------------------------------------------------------------------


class BookingForm(StyledForm):
    """The person's details; the service checks them (its messages are placed on the fields)."""

    applicant_name = forms.CharField(
        label=gettext_lazy("姓名"),
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    resident_id = forms.CharField(
        label=gettext_lazy("公民身份号码"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=gettext_lazy("18 位，最后一位可能是 X。取消或查询预约时需要输入。"),
    )
    phone = forms.CharField(
        label=gettext_lazy("手机号码"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )
    # One-time token: a double submit makes one booking (services.appointment_book).
    token = forms.RegexField(
        regex=r"^[0-9a-f]{32}$",
        widget=forms.HiddenInput,
        error_messages={"required": STALE_FORM, "invalid": STALE_FORM},
    )

    ERROR_FIELDS = (
        ("applicant_name", "applicant_name"),
        ("resident_id", "resident_id"),
        ("identity", "resident_id"),
        ("mobile", "phone"),
        ("phone", "phone"),
    )

    def place_error(self, exc: DomainError) -> None:
        code = exc.code or ""
        for prefix, field in self.ERROR_FIELDS:
            if code.startswith(prefix):
                self.add_error(field, str(exc.message))
                return
        self.add_error(None, str(exc.message))


class LookupForm(StyledForm):
    booking_number = forms.CharField(
        label=gettext_lazy("预约号"),
        max_length=30,
        error_messages={"required": gettext_lazy("请填写预约号。")},
        help_text=NUMBER_HELP,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    resident_id = forms.CharField(
        label=gettext_lazy("公民身份号码"),
        max_length=30,
        error_messages={"required": gettext_lazy("请填写预约时填写的公民身份号码。")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def place_error(self, exc: DomainError) -> None:
        code = exc.code or ""
        if code.startswith("booking_number"):
            self.add_error("booking_number", str(exc.message))
        elif code.startswith("resident_id") or code.startswith("identity"):
            self.add_error("resident_id", str(exc.message))
        else:
            self.add_error(None, str(exc.message))


# --- Choosing ----------------------------------------------------------------------------------


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The centers taking online bookings (of one agency when ?agency= is given)."""
    agencies = list(
        Agency.objects.filter(pk__in=center_selectors.public_centers().values("agency_id"))
        .order_by("pk")
        .only("pk", "name")
    )
    wanted = _int(request.GET.get("agency"))
    agency = next((a for a in agencies if a.pk == wanted), None)
    centers = center_selectors.public_centers(agency)
    return render(
        request,
        "services/appointments/public/index.html",
        {"agencies": agencies, "agency": agency, "centers": centers},
    )


def _center(center_id: int):
    center = center_selectors.public_center(center_id)
    if center is None:
        raise Http404
    return center


def _center_item(center_id: int, item_id: int):
    center = _center(center_id)
    center_item = center_selectors.public_center_item(center, item_id)
    if center_item is None:
        raise Http404
    return center_item


@require_GET
def center(request: HttpRequest, center_id: int) -> HttpResponse:
    found = _center(center_id)
    return render(
        request,
        "services/appointments/public/center.html",
        {"center": found, "items": center_selectors.public_center_items(found)},
    )


@require_GET
def slots(request: HttpRequest, center_id: int, item_id: int) -> HttpResponse:
    """The bookable days of an item at a center, and the slots of the chosen day."""
    center_item = _center_item(center_id, item_id)
    now = selectors.local_now()
    cutoff = selectors.cutoff_minutes(center_item.agency_id)
    days = selectors.bookable_days(center_item, now=now, cutoff=cutoff)
    wanted = _day(request.GET.get("day"))
    day = wanted if wanted in days else (days[0] if days else None)
    offers = selectors.open_offers(center_item, day, now=now, cutoff=cutoff) if day else []
    return render(
        request,
        "services/appointments/public/slots.html",
        {
            "center_item": center_item,
            "center": center_item.center,
            "item": center_item.item,
            "days": days,
            "day": day,
            "offers": offers,
            "today": now.date(),
        },
    )


def _offer(center_item, day, start: str):
    if day is None:
        return None
    return next(
        (o for o in selectors.open_offers(center_item, day) if o.key == start and not o.full),
        None,
    )


@require_http_methods(["GET", "POST"])
def book(request: HttpRequest, center_id: int, item_id: int) -> HttpResponse:
    """The person's details for the chosen slot (?day=YYYY-MM-DD&start=HH:MM)."""
    center_item = _center_item(center_id, item_id)
    day = _day(request.GET.get("day"))
    start = str(request.GET.get("start", ""))[:5]
    slots_url = reverse("services_public:appointment_slots", args=[center_id, item_id])
    status = 200
    if request.method == "POST":
        form = BookingForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                appointment = services.appointment_book(
                    center=center_item.center,
                    item=center_item.item,
                    day=day,
                    starts_at=start,
                    applicant_name=data["applicant_name"],
                    resident_id=data["resident_id"],
                    phone=data["phone"],
                    idempotency_key=data["token"],
                    request=request,
                )
            except DomainError as exc:
                form.place_error(exc)
                status = exc.status
            else:
                _remember(request, appointment)
                return redirect("services_public:appointment_done", appointment_id=appointment.pk)
        else:
            status = 400
        offer = _offer(center_item, day, start)
    else:
        offer = _offer(center_item, day, start)
        if offer is None:
            messages.error(request, _("该时段已约满或已截止预约，请重新选择。"))
            return redirect(f"{slots_url}?day={day.isoformat()}" if day else slots_url)
        form = BookingForm(initial={"token": uuid.uuid4().hex})
    return render(
        request,
        "services/appointments/public/book.html",
        {
            "form": form,
            "center_item": center_item,
            "center": center_item.center,
            "item": center_item.item,
            "day": day,
            "start": start,
            "offer": offer,
            "slots_url": slots_url,
        },
        status=status,
    )


# --- After booking: the number, look-up, cancellation ------------------------------------------


def _result(request, appointment: Appointment, *, template: str, status: int = 200):
    now = selectors.local_now()
    return render(
        request,
        template,
        {
            "appointment": appointment,
            "cancellable": appointment.state == Appointment.State.BOOKED
            and appointment.starts > now,
        },
        status=status,
    )


@require_GET
def done(request: HttpRequest, appointment_id: int) -> HttpResponse:
    """The booking number of a booking this browser made; anything else goes to the start."""
    found = _mine(request, appointment_id)
    if found is None:
        return redirect("services_public:appointments")
    return _result(request, found, template="services/appointments/public/done.html")


@require_http_methods(["GET", "POST"])
def lookup(request: HttpRequest) -> HttpResponse:
    form = LookupForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                found = services.appointment_find(
                    booking_number=form.cleaned_data["booking_number"],
                    resident_id=form.cleaned_data["resident_id"],
                    request=request,
                )
            except DomainError as exc:
                form.place_error(exc)
                status = exc.status
            else:
                _remember(request, found)
                return _result(request, found, template="services/appointments/public/found.html")
        else:
            status = 400
    return render(
        request, "services/appointments/public/lookup.html", {"form": form}, status=status
    )


@require_POST
def cancel(request: HttpRequest) -> HttpResponse:
    """Cancel a booking this browser made or verified (booking number and ID number)."""
    found = _mine(request, _int(request.POST.get("appointment")))
    if found is None:
        messages.error(request, _("请先输入预约号和公民身份号码查询预约，再取消。"))
        return redirect("services_public:appointment_lookup")
    try:
        # Rate-limited like the booking and the look-up (a public POST; security.md).
        if not ratelimit.hit(request, "public_form"):
            raise services.TooManyRequests()
        found = services.appointment_cancel(appointment=found, request=request)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return _result(
            request, found, template="services/appointments/public/found.html", status=exc.status
        )
    messages.success(request, _("预约已取消，名额已释放。"))
    return _result(request, found, template="services/appointments/public/found.html")
