"""Staff pages of online appointments, under /staff/services/appointments/.

The day list of a center (a date picker, today by default; filters by item and state) for
everyone who works with services; counter staff check people in on the day, record no-shows
after the slot ended, and register a case from a checked-in appointment (the cases area's page
`services:case_new?appointment=<id>`). A refused action shows the list again with the message
and the refusal's status; another agency's appointment answers 404.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from fazhi.core.decorators import staff_permission_required
from fazhi.core.errors import DomainError
from fazhi.services.models import Appointment
from fazhi.services.permissions.appointments import may_work_counter
from fazhi.services.selectors import appointments as selectors
from fazhi.services.selectors import centers as center_selectors
from fazhi.services.services import appointments as services

VIEW = "services.view_appointments"


def _int(value) -> int | None:
    text = str(value or "")
    return int(text) if text.isascii() and text.isdigit() and len(text) < 12 else None


def _day(value) -> date | None:
    try:
        day = date.fromisoformat(str(value or ""))
    except ValueError:
        return None
    return day if 2000 <= day.year <= 2100 else None


def _filters(source) -> dict:
    state = source.get("state", "")
    return {
        "item": _int(source.get("item")),
        "state": state if state in Appointment.State.values else "",
    }


def _list_url(center_id: int, day: date, filters: dict) -> str:
    query = {"center": center_id, "day": day.isoformat()}
    query.update({k: v for k, v in filters.items() if v})
    return f"{reverse('services:appointments')}?{urlencode(query)}"


def _page(request, *, center_id=None, day=None, filters=None, status=200):
    user = request.user
    centers = list(center_selectors.centers_for(user).order_by("agency_id", "-active", "name"))
    if center_id is not None:
        center = next((c for c in centers if c.pk == center_id), None)
        if center is None:
            raise Http404
    else:
        center = next((c for c in centers if c.active), centers[0] if centers else None)
    now = selectors.local_now()
    day = day or now.date()
    filters = filters or {"item": None, "state": ""}
    rows, counts, items = [], {}, []
    if center is not None:
        rows = list(selectors.day_list(user, center, day, **filters))
        counts = selectors.day_counts(center, day)
        items = list(center_selectors.center_items(center))
    agencies = {c.agency_id for c in centers}
    return render(
        request,
        "services/appointments/day_list.html",
        {
            "centers": centers,
            "center": center,
            "several_agencies": len(agencies) > 1,
            "day": day,
            "today": now.date(),
            "now": now,
            "rows": rows,
            "count_rows": [
                (value, label, counts.get(value, 0)) for value, label in Appointment.State.choices
            ],
            "total": sum(counts.values()),
            "items": items,
            "item": filters["item"],
            "state": filters["state"],
            "states": Appointment.State.choices,
            "may_counter": center is not None and may_work_counter(user, center.agency_id),
        },
        status=status,
    )


@staff_permission_required(VIEW)
@require_GET
def day_list(request):
    return _page(
        request,
        center_id=_int(request.GET.get("center")),
        day=_day(request.GET.get("day")),
        filters=_filters(request.GET),
    )


def _act(request, appointment_id: int, action, done_message: str):
    appointment = selectors.access_appointment(request.user, appointment_id)
    filters = _filters(request.POST)
    try:
        action(actor=request.user, appointment=appointment, request=request)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return _page(
            request,
            center_id=appointment.center_id,
            day=appointment.day,
            filters=filters,
            status=exc.status,
        )
    messages.success(request, done_message % {"name": appointment.applicant_name})
    return redirect(_list_url(appointment.center_id, appointment.day, filters))


@require_POST
@staff_permission_required(VIEW)
def check_in(request, appointment_id: int):
    return _act(request, appointment_id, services.appointment_check_in, _("%(name)s已签到。"))


@require_POST
@staff_permission_required(VIEW)
def no_show(request, appointment_id: int):
    return _act(request, appointment_id, services.appointment_no_show, _("已记录%(name)s未到。"))
