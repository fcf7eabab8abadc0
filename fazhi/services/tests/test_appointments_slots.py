"""The slots offered over the calendar: property tests of the slot plan, and of what a citizen
is offered on any day at any moment."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fazhi.core.calendar import add_workdays, is_workday
from fazhi.services.models import Appointment, AppointmentSlot
from fazhi.services.models.appointments import moment
from fazhi.services.models.centers import minutes_of, slot_times, time_of
from fazhi.services.selectors import appointments as selectors
from fazhi.services.selectors.appointments import SlotOffer, plan_slots
from fazhi.services.tests.test_appointments_setup import (
    MONDAY,
    NATIONAL_DAY,
    TUESDAY,
    WORKED_SATURDAY,
    at,
    book,
    open_center,
)


@st.composite
def day_hours(draw):
    """A morning session and, half the time, an afternoon after it (whole minutes)."""
    opens = draw(st.integers(6 * 60, 11 * 60))
    closes = draw(st.integers(opens + 1, 13 * 60))
    sessions = [(time_of(opens), time_of(closes))]
    if draw(st.booleans()):
        a = draw(st.integers(closes, 18 * 60))
        b = draw(st.integers(a + 1, 22 * 60))
        sessions.append((time_of(a), time_of(b)))
    return sessions


class Row:
    """A slot row as the database holds it."""

    def __init__(self, pk, starts_at, ends_at, capacity, booked):
        self.pk, self.starts_at, self.ends_at = pk, starts_at, ends_at
        self.capacity, self.booked = capacity, booked


@st.composite
def existing_rows(draw, sessions):
    """Rows made under other hours or slot lengths: anywhere in the day, booked <= capacity,
    each with its own start (the database's unique (center, item, day, start))."""
    starts = draw(st.lists(st.integers(5 * 60, 21 * 60), max_size=6, unique=True))
    rows = []
    for pk, start in enumerate(starts, start=1):
        length = draw(st.integers(5, 120))
        capacity = draw(st.integers(1, 500))
        booked = draw(st.integers(0, capacity))
        end = min(start + length, 23 * 60 + 59)
        rows.append(Row(pk, time_of(start), time_of(end), capacity, booked))
    return rows


def inside(offer: SlotOffer, sessions) -> bool:
    return any(a <= offer.starts_at and offer.ends_at <= b for a, b in sessions)


@settings(max_examples=400)
@given(data=st.data())
def test_every_offered_slot_lies_inside_a_session_with_capacity_less_booked(data):
    sessions = data.draw(day_hours())
    slot_minutes = data.draw(st.integers(5, 240))
    capacity = data.draw(st.integers(1, 500))
    rows = data.draw(existing_rows(sessions))
    offers = plan_slots(sessions, slot_minutes, capacity, rows)
    by_pk = {r.pk: r for r in rows}
    starts = [o.starts_at for o in offers]
    assert len(starts) == len(set(starts))  # a start names one slot
    for offer in offers:
        assert inside(offer, sessions)
        assert offer.starts_at < offer.ends_at
        if offer.slot_id is None:
            # A slot nobody booked: the item's places, none taken, the grid's length
            assert (offer.capacity, offer.booked, offer.remaining) == (capacity, 0, capacity)
            assert minutes_of(offer.ends_at) - minutes_of(offer.starts_at) == slot_minutes
            assert offer.starts_at not in {r.starts_at for r in rows}
        else:
            row = by_pk[offer.slot_id]
            assert offer.remaining == row.capacity - row.booked
    # Grid slots never overlap a row that is offered
    kept = [o for o in offers if o.slot_id is not None]
    for offer in (o for o in offers if o.slot_id is None):
        assert not any(k.starts_at < offer.ends_at and offer.starts_at < k.ends_at for k in kept)


@settings(max_examples=300)
@given(sessions=day_hours(), slot_minutes=st.integers(5, 240))
def test_the_grid_cuts_each_session_from_its_opening_and_never_runs_past_its_end(
    sessions, slot_minutes
):
    grid = slot_times(sessions, slot_minutes)
    assert plan_slots(sessions, slot_minutes, 3, []) == [SlotOffer(a, b, 3, 0) for a, b in grid]
    for opens, closes in sessions:
        mine = [(a, b) for a, b in grid if opens <= a < closes]
        assert len(mine) == (minutes_of(closes) - minutes_of(opens)) // slot_minutes
        assert all(b <= closes for _a, b in mine)


@pytest.fixture
def world(bureau):
    return open_center(bureau, capacity=4)


@pytest.mark.django_db
@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    offset=st.integers(-3, 30),
    hour=st.integers(0, 23),
    minute=st.integers(0, 59),
    booked_people=st.integers(0, 4),
)
def test_a_citizen_is_offered_only_working_days_and_open_slots_with_places(
    world, offset, hour, minute, booked_people
):
    # Given a center in the 2026 calendar with 4 places per slot (the examples share it, so
    # each starts from no booking), and some people booked Tuesday 09:00
    Appointment.objects.filter(center=world.center).delete()
    AppointmentSlot.objects.filter(center=world.center).delete()
    for person in range(booked_people):
        book(world, person=person + 1, start="09:00", now=at(MONDAY))
    now = at(MONDAY, hour, minute)
    day = MONDAY + timedelta(days=offset)
    # When a citizen looks at the day
    offers = selectors.open_offers(world.center_item, day, now=now)
    days = selectors.bookable_days(world.center_item, now=now)
    # Then a day offers slots only if it is a bookable working day; every slot lies in a
    # session, has not closed, and offers exactly its places less its bookings
    assert all(is_workday(d) and MONDAY <= d <= add_workdays(MONDAY, 10) for d in days)
    if offers:
        assert day in days and is_workday(day)
    rows = {s.starts_at: s for s in AppointmentSlot.objects.filter(center=world.center, day=day)}
    for offer in offers:
        assert inside(offer, world.center.sessions())
        assert moment(day, offer.starts_at) > now
        row = rows.get(offer.starts_at)
        assert offer.remaining == (row.capacity - row.booked if row else 4)
        assert 0 <= offer.remaining <= 4
    if day == TUESDAY and now < at(TUESDAY, 9):
        assert offers[0].remaining == 4 - booked_people


@pytest.mark.django_db
def test_bookable_days_follow_the_calendar(bureau):
    world = open_center(bureau, days_ahead=5)
    # Monday 08:00: today and the next five working days — the holiday skipped, the worked
    # Saturday in
    days = selectors.bookable_days(world.center_item, now=at(MONDAY))
    assert days == [
        MONDAY,
        TUESDAY,
        date(2026, 9, 30),
        date(2026, 10, 8),
        date(2026, 10, 9),
        WORKED_SATURDAY,
    ]
    assert NATIONAL_DAY not in days
    # After the last slot of Monday has closed, Monday is gone
    assert selectors.bookable_days(world.center_item, now=at(MONDAY, 16, 30))[0] == TUESDAY
    assert selectors.open_offers(world.center_item, NATIONAL_DAY, now=at(MONDAY)) == []
    assert [o.key for o in selectors.open_offers(world.center_item, MONDAY, now=at(MONDAY, 16))][
        :1
    ] == ["16:30"]
