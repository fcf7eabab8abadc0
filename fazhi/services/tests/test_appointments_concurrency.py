"""Bookings at the same moment, on PostgreSQL (the Done-when line of issue 7): never more
bookings than places, one person never in two overlapping slots, one booking per form token.

Each test starts its threads at a barrier so the requests really meet in the database; every
thread uses its own connection (closed at the end).
"""

from __future__ import annotations

from collections import Counter

import pytest
from django.db import connection

from fazhi.core.errors import DomainError
from fazhi.services.models import Appointment, AppointmentSlot
from fazhi.services.tests.test_appointments_setup import MONDAY, at, book, open_center
from fazhi.testing.concurrency import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent bookings are tested on PostgreSQL")


def test_fifty_simultaneous_bookings_for_ten_places_make_exactly_ten(bureau):
    # Given a slot with 10 places that nobody has booked yet (its row does not exist)
    world = open_center(bureau, capacity=10)
    # When 50 different people book it at the same moment
    calls = [
        (lambda n=n: book(world, person=n, start="09:00", now=at(MONDAY))) for n in range(1, 51)
    ]
    results, errors = run_together(calls)
    # Then exactly 10 bookings, the slot full, every other request told it is full
    assert len(results) == 10
    assert Counter(getattr(e, "code", repr(e)) for e in errors) == {"slot_full": 40}
    assert all(isinstance(e, DomainError) and e.status == 409 for e in errors)
    assert Appointment.objects.count() == 10
    slot = AppointmentSlot.objects.get()
    assert (slot.capacity, slot.booked) == (10, 10)
    assert len({a.booking_number for a in Appointment.objects.all()}) == 10


def test_one_person_booking_two_overlapping_slots_at_once_gets_one(bureau):
    # Given two centers whose 09:00 slots overlap (30 and 60 minutes)
    world = open_center(bureau, capacity=5)
    other = open_center(bureau, name="北塘镇社区事务受理服务中心", slot_minutes=60, code="202")
    # When one person books both at the same moment, several times over
    calls = [
        (lambda w=w: book(w, person=7, start="09:00", now=at(MONDAY)))
        for w in (world, other, world, other)
    ]
    results, errors = run_together(calls)
    # Then one booking; the others refused as overlapping, and no place is held by them
    assert len(results) == 1
    assert Counter(e.code for e in errors) == {"overlapping_booking": 3}
    assert Appointment.objects.count() == 1
    assert sum(AppointmentSlot.objects.values_list("booked", flat=True)) == 1


def test_a_double_submit_at_the_same_moment_makes_one_booking(bureau):
    world = open_center(bureau, capacity=5)
    key = "f" * 32
    calls = [
        (lambda: book(world, person=3, start="10:00", idempotency_key=key, now=at(MONDAY)))
        for _ in range(4)
    ]
    results, errors = run_together(calls)
    assert errors == []
    assert len({a.pk for a in results}) == 1
    assert sorted(a.replayed for a in results) == [False, True, True, True]
    assert Appointment.objects.count() == 1
    assert AppointmentSlot.objects.get().booked == 1
