"""API of online appointments (see docs/services.md).

Staff, at /api/services/appointments/ (`router`):
- `GET /?center=&day=&item=&state=` a center's appointments of a day (today by default;
  cursor pagination); identity and phone numbers masked.
- `GET /{id}` one appointment with `available_actions` for the caller and its `timeline`.
- `POST /{id}/actions/check_in`, `POST /{id}/actions/no_show` (counter staff).

Public, at /api/public/services/appointments/ (`public_router`, no authentication):
- `GET /centers?agency=` the centers taking online bookings;
- `GET /centers/{id}/items` a center's bookable items with their bookable days;
- `GET /centers/{id}/items/{item_id}/slots?day=` the open slots of a day with their places;
- `POST /bookings` book (201; the same `Idempotency-Key` header or `token` field again answers
  the first booking with 200); `POST /bookings/lookup` and `POST /bookings/cancel` with the
  booking number and the ID number (POST keeps the number out of addresses and logs).
Bookings, look-ups and cancellations are rate-limited per client address (429).

Errors in the shape of fazhi.api.api: 403 role, 404 not visible (and an unknown booking number
or a wrong ID number, alike), 409 state or a full slot, 422 bad input, 429 too many requests.
"""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Header, Query, Router, Schema
from ninja.responses import Status
from pydantic import Field

from fazhi.api.inputs import ApiIn, Day, Text
from fazhi.api.pagination import paginate
from fazhi.core import workflow
from fazhi.core.errors import InvalidInput
from fazhi.core.models import Agency
from fazhi.services.models import Appointment, ServiceCase
from fazhi.services.permissions.appointments import may_work_counter
from fazhi.services.selectors import appointments as selectors
from fazhi.services.selectors import centers as center_selectors
from fazhi.services.services import appointments as services

router = Router(tags=["services-appointments"])
public_router = Router(auth=None, tags=["public-services-appointments"])

_ID = re.compile(r"[0-9]{1,18}")
State = Appointment.State


def _id(text) -> int | None:
    return int(text) if _ID.fullmatch(str(text or "")) else None


def _limit(text: str) -> int | None:
    if not text:
        return None
    if not re.fullmatch(r"[0-9]{1,3}", text):
        raise InvalidInput(_("每页条数格式不正确。"), code="bad_limit")
    return int(text)


def _day(text: str, *, default: dt.date | None = None) -> dt.date | None:
    if not text:
        return default
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        day = None
    if day is None or not 2000 <= day.year <= 2100:
        raise InvalidInput(_("日期须为 YYYY-MM-DD 格式。"), code="bad_filter", fields=["day"])
    return day


def _hhmm(value: dt.time | None) -> str | None:
    return f"{value:%H:%M}" if value is not None else None


# --- Schemas ------------------------------------------------------------------------------------


class DayQuery(Schema):
    center: str
    day: str = ""
    item: str = ""
    state: str = ""
    cursor: str = ""
    limit: str = ""


class ActionOut(Schema):
    name: str
    label: str


class TimelineEntry(Schema):
    seq: int
    at: str
    actor: str
    verb: str


class AppointmentOut(Schema):
    id: str
    booking_number: str
    agency: str
    center_id: str
    center: str
    item_id: str
    item: str
    day: dt.date
    starts_at: str
    ends_at: str
    applicant_name: str
    resident_id: str = Field(description="打码显示")
    phone: str = Field(description="打码显示")
    state: str
    state_label: str
    booked_at: dt.datetime
    cancelled_at: dt.datetime | None
    checked_in_at: dt.datetime | None
    no_show_recorded_at: dt.datetime | None
    case_id: str | None


class AppointmentDetailOut(AppointmentOut):
    available_actions: list[ActionOut]
    timeline: list[TimelineEntry]


class AppointmentPage(Schema):
    items: list[AppointmentOut]
    next_cursor: str | None


class PublicQuery(Schema):
    agency: str = ""
    cursor: str = ""
    limit: str = ""


class SlotQuery(Schema):
    day: str = ""


class PublicCenterOut(Schema):
    id: str
    agency: str
    agency_id: str
    name: str
    address: str
    phone: str
    morning_opens: str
    morning_closes: str
    afternoon_opens: str | None
    afternoon_closes: str | None
    booking_days_ahead: int


class PublicCenterPage(Schema):
    items: list[PublicCenterOut]
    next_cursor: str | None


class PublicItemOut(Schema):
    item: str
    name: str
    department: str
    slot_minutes: int
    days: list[dt.date]


class SlotOut(Schema):
    starts_at: str
    ends_at: str
    capacity: int
    booked: int
    remaining: int


class SlotsOut(Schema):
    center: str
    item: str
    day: dt.date | None
    days: list[dt.date]
    slots: list[SlotOut]


class BookingIn(ApiIn):
    center: Text = Field(..., title="服务中心", max_length=20, description="服务中心 id")
    item: Text = Field(..., title="办理事项", max_length=20, description="服务事项 id")
    day: Day = Field(..., title="预约日期")
    starts_at: Text = Field(..., title="预约时段", max_length=5, description="时段开始，时:分")
    applicant_name: Text = Field(..., title="姓名", max_length=50)
    resident_id: Text = Field(..., title="公民身份号码", max_length=30)
    phone: Text = Field(..., title="手机号码", max_length=20)
    token: Text = Field(
        "",
        title="幂等键",
        max_length=64,
        description="16–64 个字母、数字、- 或 _；也可用 Idempotency-Key 请求头",
    )


class BookingKeyIn(ApiIn):
    booking_number: Text = Field(..., title="预约号", max_length=30)
    resident_id: Text = Field(..., title="公民身份号码", max_length=30)


class BookingOut(Schema):
    booking_number: str
    state: str
    state_label: str
    agency: str
    center: str
    center_address: str
    item: str
    day: dt.date
    starts_at: str
    ends_at: str
    applicant_name: str
    resident_id: str = Field(description="打码显示")
    phone: str = Field(description="打码显示")
    cancellable: bool


# --- Staff --------------------------------------------------------------------------------------


def _may_read(user) -> None:
    if not user.has_perm("services.view_appointments"):
        raise PermissionDenied


def appointment_out(appointment: Appointment, case_id=None) -> dict:
    return {
        "id": str(appointment.pk),
        "booking_number": appointment.booking_number,
        "agency": appointment.agency.name,
        "center_id": str(appointment.center_id),
        "center": appointment.center.name,
        "item_id": str(appointment.item_id),
        "item": appointment.item.name,
        "day": appointment.day,
        "starts_at": _hhmm(appointment.starts_at),
        "ends_at": _hhmm(appointment.ends_at),
        "applicant_name": appointment.applicant_name,
        "resident_id": str(appointment.resident_id),
        "phone": str(appointment.phone),
        "state": appointment.state,
        "state_label": str(appointment.get_state_display()),
        "booked_at": appointment.booked_at,
        "cancelled_at": appointment.cancelled_at,
        "checked_in_at": appointment.checked_in_at,
        "no_show_recorded_at": appointment.no_show_recorded_at,
        "case_id": str(case_id) if case_id else None,
    }


def _actions(user, appointment: Appointment) -> list[dict]:
    if appointment.state != State.BOOKED or not may_work_counter(user, appointment.agency_id):
        return []
    now = selectors.local_now()
    found = []
    if appointment.day == now.date():
        found.append({"name": "check_in", "label": _("签到")})
    if appointment.ends <= now:
        found.append({"name": "no_show", "label": _("记为未到")})
    return found


def _detail(request, appointment: Appointment) -> dict:
    case_id = (
        ServiceCase.objects.filter(appointment=appointment).values_list("pk", flat=True).first()
    )
    return {
        **appointment_out(appointment, case_id),
        "available_actions": _actions(request.user, appointment),
        "timeline": [
            {"seq": e.seq, "at": e.at.isoformat(), "actor": e.actor_name, "verb": e.verb}
            for e in workflow.timeline(appointment)
        ],
    }


def _appointment(request, appointment_id) -> Appointment:
    _may_read(request.user)
    return selectors.access_appointment(request.user, _id(appointment_id))


@router.get("/", response=AppointmentPage, url_name="services_appointments_list")
def day_list(request, filters: Query[DayQuery]):
    """A center's appointments of a day (today by default), newest booking first."""
    _may_read(request.user)
    center = center_selectors.access_center(request.user, _id(filters.center))
    day = _day(filters.day, default=selectors.local_now().date())
    if filters.state and filters.state not in State.values:
        raise InvalidInput(_("状态不正确。"), code="bad_filter", fields=["state"])
    if filters.item and _id(filters.item) is None:
        raise InvalidInput(_("事项不正确。"), code="bad_filter", fields=["item"])
    rows = selectors.day_list(
        request.user, center, day, item=_id(filters.item), state=filters.state
    ).select_related("agency", "center")
    page = paginate(rows, cursor=filters.cursor or None, limit=_limit(filters.limit))
    return {
        "items": [appointment_out(a, a.case_pk) for a in page["items"]],
        "next_cursor": page["next_cursor"],
    }


@router.get(
    "/{appointment_id}", response=AppointmentDetailOut, url_name="services_appointments_detail"
)
def appointment_detail(request, appointment_id: str):
    return _detail(request, _appointment(request, appointment_id))


@router.post(
    "/{appointment_id}/actions/check_in",
    response=AppointmentDetailOut,
    url_name="services_appointments_check_in",
)
def appointment_check_in(request, appointment_id: str):
    """The person came (counter staff, on the appointment's day)."""
    appointment = _appointment(request, appointment_id)
    done = services.appointment_check_in(
        actor=request.user, appointment=appointment, request=request
    )
    return _detail(request, done)


@router.post(
    "/{appointment_id}/actions/no_show",
    response=AppointmentDetailOut,
    url_name="services_appointments_no_show",
)
def appointment_no_show(request, appointment_id: str):
    """The person did not come (counter staff, after the slot ended)."""
    appointment = _appointment(request, appointment_id)
    done = services.appointment_no_show(
        actor=request.user, appointment=appointment, request=request
    )
    return _detail(request, done)


# --- Public -------------------------------------------------------------------------------------


def _public_center(center_id):
    center = center_selectors.public_center(_id(center_id))
    if center is None:
        raise Http404
    return center


def _public_center_item(center_id, item_id):
    center = _public_center(center_id)
    center_item = center_selectors.public_center_item(center, _id(item_id))
    if center_item is None:
        raise Http404
    return center_item


def public_center_out(center) -> dict:
    return {
        "id": str(center.pk),
        "agency": center.agency.name,
        "agency_id": str(center.agency_id),
        "name": center.name,
        "address": center.address,
        "phone": center.phone,
        "morning_opens": _hhmm(center.morning_opens),
        "morning_closes": _hhmm(center.morning_closes),
        "afternoon_opens": _hhmm(center.afternoon_opens),
        "afternoon_closes": _hhmm(center.afternoon_closes),
        "booking_days_ahead": center.booking_days_ahead,
    }


def booking_out(appointment: Appointment) -> dict:
    return {
        "booking_number": appointment.booking_number,
        "state": appointment.state,
        "state_label": str(appointment.get_state_display()),
        "agency": appointment.agency.name,
        "center": appointment.center.name,
        "center_address": appointment.center.address,
        "item": appointment.item.name,
        "day": appointment.day,
        "starts_at": _hhmm(appointment.starts_at),
        "ends_at": _hhmm(appointment.ends_at),
        "applicant_name": appointment.applicant_name,
        "resident_id": str(appointment.resident_id),
        "phone": str(appointment.phone),
        "cancellable": appointment.state == State.BOOKED
        and appointment.starts > selectors.local_now(),
    }


@public_router.get("/centers", response=PublicCenterPage, url_name="public_appointment_centers")
def public_centers(request, query: Query[PublicQuery]):
    """Centers taking online bookings (of one agency with `agency`)."""
    agency = None
    if query.agency:
        agency = Agency.objects.filter(pk=_id(query.agency)).first() if _id(query.agency) else None
        if agency is None:
            raise Http404
    page = paginate(
        center_selectors.public_centers(agency),
        cursor=query.cursor or None,
        limit=_limit(query.limit),
    )
    return {
        "items": [public_center_out(c) for c in page["items"]],
        "next_cursor": page["next_cursor"],
    }


@public_router.get(
    "/centers/{center_id}/items",
    response=list[PublicItemOut],
    url_name="public_appointment_items",
)
def public_items(request, center_id: str):
    """A center's bookable items with the days that can be booked now."""
    center = _public_center(center_id)
    now = selectors.local_now()
    cutoff = selectors.cutoff_minutes(center.agency_id)
    return [
        {
            "item": str(ci.item_id),
            "name": ci.item.name,
            "department": ci.item.department.name,
            "slot_minutes": ci.slot_minutes,
            "days": selectors.bookable_days(ci, now=now, cutoff=cutoff),
        }
        for ci in center_selectors.public_center_items(center)
    ]


@public_router.get(
    "/centers/{center_id}/items/{item_id}/slots",
    response=SlotsOut,
    url_name="public_appointment_slots",
)
def public_slots(request, center_id: str, item_id: str, query: Query[SlotQuery]):
    """The open slots of a day (the first bookable day by default) with their places; a day
    that cannot be booked has none."""
    center_item = _public_center_item(center_id, item_id)
    now = selectors.local_now()
    cutoff = selectors.cutoff_minutes(center_item.agency_id)
    days = selectors.bookable_days(center_item, now=now, cutoff=cutoff)
    day = _day(query.day, default=days[0] if days else None)
    offers = selectors.open_offers(center_item, day, now=now, cutoff=cutoff) if day in days else []
    return {
        "center": str(center_item.center_id),
        "item": str(center_item.item_id),
        "day": day,
        "days": days,
        "slots": [
            {
                "starts_at": o.key,
                "ends_at": _hhmm(o.ends_at),
                "capacity": o.capacity,
                "booked": o.booked,
                "remaining": o.remaining,
            }
            for o in offers
        ],
    }


@public_router.post(
    "/bookings", response={200: BookingOut, 201: BookingOut}, url_name="public_appointment_book"
)
def public_book(
    request,
    body: BookingIn,
    idempotency_key: str = Header("", alias="Idempotency-Key"),
):
    """Book a slot. The same key (header or `token`) with the same slot and person answers the
    first booking again (200); a key already used for another booking is 409."""
    center_item = _public_center_item(body.center, body.item)
    key = (idempotency_key or "").strip() or body.token
    appointment = services.appointment_book(
        center=center_item.center,
        item=center_item.item,
        day=body.day,
        starts_at=body.starts_at,
        applicant_name=body.applicant_name,
        resident_id=body.resident_id,
        phone=body.phone,
        idempotency_key=key,
        channel="api",
        request=request,
    )
    found = Appointment.objects.select_related("agency", "center", "item").get(pk=appointment.pk)
    return Status(200 if appointment.replayed else 201, booking_out(found))


@public_router.post("/bookings/lookup", response=BookingOut, url_name="public_appointment_lookup")
def public_lookup(request, body: BookingKeyIn):
    """A booking by its number and the ID number given when booking."""
    found = services.appointment_find(
        booking_number=body.booking_number, resident_id=body.resident_id, request=request
    )
    return booking_out(found)


@public_router.post("/bookings/cancel", response=BookingOut, url_name="public_appointment_cancel")
def public_cancel(request, body: BookingKeyIn):
    """Cancel a booking before its slot starts; the place is given back."""
    done = services.appointment_cancel_by_number(
        booking_number=body.booking_number, resident_id=body.resident_id, request=request
    )
    return booking_out(done)
