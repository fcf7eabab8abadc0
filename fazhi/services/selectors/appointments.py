"""Reads of online appointments: the slots offered on a day, the bookable days, the day lists.

The slots of (center, item, day) follow from the center's sessions, the item's slot length and
the working-day calendar (`plan_slots`, a pure function): `AppointmentSlot` rows exist only for
slots someone has booked, and such a row is offered as it is (its times and places were given
to people), while the rest of the day's grid is offered with the item's current number of
places. Nothing is offered outside a session or on a day that is not a working day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.utils import timezone

from fazhi.core import agency_settings
from fazhi.core.calendar import add_workdays, is_workday
from fazhi.core.tenancy import access
from fazhi.services.models import (
    Appointment,
    AppointmentSlot,
    CenterItem,
    ServiceCase,
    ServiceCenter,
)
from fazhi.services.models.appointments import moment
from fazhi.services.models.centers import slot_times
from fazhi.services.selectors import reading_agency_ids

CUTOFF_SETTING = "services.booking_cutoff_minutes"


@dataclass(frozen=True)
class SlotOffer:
    """One slot of a day as offered: its times, places and bookings (`slot_id` once a row)."""

    starts_at: time
    ends_at: time
    capacity: int
    booked: int
    slot_id: int | None = None

    @property
    def remaining(self) -> int:
        return max(self.capacity - self.booked, 0)

    @property
    def full(self) -> bool:
        return self.remaining == 0

    @property
    def key(self) -> str:
        """How a page or the API names the slot: its start, "HH:MM"."""
        return f"{self.starts_at:%H:%M}"


def plan_slots(sessions, slot_minutes: int, capacity: int, rows) -> list[SlotOffer]:
    """The slots of one working day, in order.

    `rows` are the day's existing slot rows (anything with starts_at, ends_at, capacity,
    booked, pk). A row inside a session is offered as it is; a grid slot is offered with
    `capacity` places unless it overlaps such a row or starts when any row starts (the start
    names a slot, so two slots never share one).
    """

    def inside(start: time, end: time) -> bool:
        return any(opens <= start and end <= closes for opens, closes in sessions)

    rows = list(rows)
    kept = [
        SlotOffer(r.starts_at, r.ends_at, r.capacity, r.booked, r.pk)
        for r in rows
        if inside(r.starts_at, r.ends_at)
    ]
    taken_starts = {r.starts_at for r in rows}
    offers = list(kept)
    for start, end in slot_times(sessions, slot_minutes):
        if start in taken_starts:
            continue
        if any(k.starts_at < end and start < k.ends_at for k in kept):
            continue
        offers.append(SlotOffer(start, end, capacity, 0))
    return sorted(offers, key=lambda o: (o.starts_at, o.ends_at))


def cutoff_minutes(agency) -> int:
    return int(agency_settings.get(agency, CUTOFF_SETTING))


def closes_at(day: date, starts_at: time, cutoff: int) -> datetime:
    """When online booking of a slot closes: its start, less the agency's cutoff."""
    return moment(day, starts_at) - timedelta(minutes=cutoff)


def local_now(now: datetime | None = None) -> datetime:
    return timezone.localtime(now or timezone.now(), timezone.get_default_timezone())


def last_bookable_day(center: ServiceCenter, today: date) -> date:
    return add_workdays(today, center.booking_days_ahead)


def day_offers(center_item: CenterItem, day: date) -> list[SlotOffer]:
    """Every slot of a day (working days only), booked or not, started or not. Two queries at
    most: the calendar is cached; the day's slot rows."""
    if not is_workday(day):
        return []
    rows = AppointmentSlot.objects.filter(
        center_id=center_item.center_id, item_id=center_item.item_id, day=day
    ).only("starts_at", "ends_at", "capacity", "booked")
    return plan_slots(
        center_item.center.sessions(), center_item.slot_minutes, center_item.capacity, rows
    )


def open_offers(
    center_item: CenterItem, day: date, *, now: datetime | None = None, cutoff: int | None = None
) -> list[SlotOffer]:
    """The slots a citizen may still book on `day` (full ones included, to be shown as such):
    nothing before today, beyond the booking window, or whose booking has closed."""
    now = local_now(now)
    today = now.date()
    center = center_item.center
    if day < today or day > last_bookable_day(center, today):
        return []
    cutoff = cutoff_minutes(center.agency_id) if cutoff is None else cutoff
    return [
        offer
        for offer in day_offers(center_item, day)
        if closes_at(day, offer.starts_at, cutoff) > now
    ]


def bookable_days(
    center_item: CenterItem, *, now: datetime | None = None, cutoff: int | None = None
) -> list[date]:
    """Today (while a slot of today is still open) and the next `booking_days_ahead` working
    days. Calendar arithmetic only, no query beyond the cutoff setting."""
    now = local_now(now)
    today = now.date()
    center = center_item.center
    days = [add_workdays(today, n) for n in range(1, center.booking_days_ahead + 1)]
    if is_workday(today):
        cutoff = cutoff_minutes(center.agency_id) if cutoff is None else cutoff
        if any(closes_at(today, start, cutoff) > now for start, _end in center_item.slot_times()):
            days.insert(0, today)
    return days


# --- Staff --------------------------------------------------------------------------------------


def appointments_for(user) -> QuerySet[Appointment]:
    return Appointment.objects.filter(agency_id__in=reading_agency_ids(user))


def access_appointment(user, appointment_id) -> Appointment:
    """An appointment the user reads; 404 for a missing one and for one of another agency."""
    return access(
        user,
        appointments_for(user).select_related("agency", "center", "item", "slot"),
        appointment_id,
    )


def day_list(
    user, center: ServiceCenter, day: date, *, item: int | None = None, state: str = ""
) -> QuerySet[Appointment]:
    """A center's appointments of a day in time order, with what the list shows (one query)."""
    rows = appointments_for(user).filter(center=center, day=day)
    if item:
        rows = rows.filter(item_id=item)
    if state:
        rows = rows.filter(state=state)
    # The case registered from it (the cases area's 1:1), as two columns rather than a join:
    # a case row carries encrypted numbers the list does not show.
    cases = ServiceCase.objects.filter(appointment_id=OuterRef("pk"))
    return (
        rows.select_related("item", "checked_in_by")
        .annotate(
            case_pk=Subquery(cases.values("pk")[:1]),
            case_number=Subquery(cases.values("case_number")[:1]),
        )
        .order_by("starts_at", "pk")
    )


def day_counts(center: ServiceCenter, day: date) -> dict[str, int]:
    """{state: number} of a center's appointments of a day."""
    return dict(
        Appointment.objects.filter(center=center, day=day)
        .values("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
