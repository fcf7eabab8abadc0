"""Booking, look-up, cancellation, check-in, no-show and the no-show sweep, through the services.

Every refusal is checked to leave nothing behind: no appointment, no place taken.
"""

from __future__ import annotations

from datetime import time

import pytest
from django.test import RequestFactory, override_settings

from fazhi.core import agency_settings
from fazhi.core.errors import Conflict, InvalidInput, NotAllowed
from fazhi.core.models import Event
from fazhi.core.notify.sweeps import registered_sweeps, run_sweeps
from fazhi.core.roles import Role
from fazhi.services.models import Appointment, AppointmentSlot
from fazhi.services.services import appointments as services
from fazhi.services.services import centers as center_services
from fazhi.services.tests.test_appointments_setup import (
    MONDAY,
    NATIONAL_DAY,
    TUESDAY,
    WEDNESDAY,
    WORKED_SATURDAY,
    at,
    book,
    mobile,
    open_center,
    resident_id,
)
from fazhi.testing.factories import user_with_role

pytestmark = pytest.mark.django_db
State = Appointment.State


def places_taken(world) -> int:
    return sum(AppointmentSlot.objects.filter(center=world.center).values_list("booked", flat=True))


def nothing_saved(world) -> bool:
    return not Appointment.objects.exists() and places_taken(world) == 0


# --- Booking -------------------------------------------------------------------------------------


def test_a_booking_takes_a_place_and_gets_a_random_twelve_digit_number(bureau):
    # Given a center taking 最低生活保障申请 with 5 places per 30-minute slot
    world = open_center(bureau)
    # When a citizen books Tuesday 09:30
    appointment = book(world, start="09:30", person=7)
    # Then the appointment holds the slot's times, a 12-digit number and masked numbers
    appointment.refresh_from_db()
    assert appointment.state == State.BOOKED
    assert len(appointment.booking_number) == 12 and appointment.booking_number.isdigit()
    assert (appointment.day, appointment.starts_at, appointment.ends_at) == (
        TUESDAY,
        time(9, 30),
        time(10, 0),
    )
    assert appointment.applicant_name == "市民7"
    assert str(appointment.resident_id) == resident_id(7)[:3] + "*" * 11 + resident_id(7)[-4:]
    assert appointment.resident_id.decrypt() == resident_id(7)
    assert appointment.phone.decrypt() == mobile(7)
    slot = appointment.slot
    assert (slot.capacity, slot.booked, slot.starts_at, slot.ends_at) == (
        5,
        1,
        time(9, 30),
        time(10),
    )
    event = Event.objects.get(verb="services.appointments.book")
    assert event.actor_name == "公众" and event.target_id == str(appointment.pk)
    assert event.data == {
        "center": world.center.pk,
        "item": world.item.pk,
        "day": "2026-09-29",
        "starts_at": "09:30",
        "ends_at": "10:00",
        "slot": slot.pk,
        "channel": "portal",
    }


def test_booking_numbers_differ_and_a_drawn_number_already_used_is_drawn_again(bureau, monkeypatch):
    world = open_center(bureau, capacity=20)
    numbers = {book(world, person=n, start="13:30").booking_number for n in range(1, 4)}
    assert len(numbers) == 3
    # Given the random source draws a number the agency already gave, then a new one
    taken = next(iter(numbers))
    draws = iter([taken, "000000000042"])
    monkeypatch.setattr(services, "_new_number", lambda: next(draws))
    # Then the booking gets the second number
    assert book(world, person=9, start="14:00").booking_number == "000000000042"


def test_a_worked_saturday_is_bookable(bureau):
    world = open_center(bureau)
    assert book(world, day=WORKED_SATURDAY).day == WORKED_SATURDAY


BAD_INPUT = [
    ({"resident_id": "110105198001010011"}, "resident_id_check_digit", "校验码"),
    ({"resident_id": ""}, "resident_id_required", "公民身份号码"),
    ({"phone": "12345678901"}, None, "手机号码"),
    ({"applicant_name": "  "}, "applicant_name_required", "请填写姓名"),
    ({"day": MONDAY.replace(day=25)}, "day_past", "不能预约今天以前的日期"),
    ({"day": NATIONAL_DAY}, "day_not_workday", "2026年10月1日是休息日（国庆节）"),
    ({"day": NATIONAL_DAY.replace(day=3)}, "day_not_workday", "是休息日"),
    ({"day": NATIONAL_DAY.replace(day=20)}, "day_too_far", "只能预约 10 个工作日内"),
    ({"start": "09:10"}, "slot_invalid", "所选时段不存在"),
    ({"start": "12:00"}, "slot_invalid", "所选时段不存在"),
    ({"start": "16:45"}, "slot_invalid", "所选时段不存在"),
    ({"start": "nine"}, "slot_required", "请选择预约时段"),
    ({"day": MONDAY, "start": "09:00", "now": at(MONDAY, 9, 5)}, "slot_started", "已开始"),
    ({"idempotency_key": "short"}, "bad_token", "表单已失效"),
]


@pytest.mark.parametrize(("over", "code", "words"), BAD_INPUT)
def test_bad_input_is_refused_with_a_chinese_message_and_nothing_saved(bureau, over, code, words):
    world = open_center(bureau)
    with pytest.raises(InvalidInput) as refused:
        book(world, **over)
    assert refused.value.status == 422
    if code:
        assert refused.value.code == code
    assert words in str(refused.value.message)
    assert nothing_saved(world)


def test_an_item_not_bookable_or_a_closed_center_is_refused(bureau):
    world = open_center(bureau)
    center_services.center_item_update(
        actor=world.officer, center_item=world.center_item, bookable=False
    )
    with pytest.raises(InvalidInput) as refused:
        book(world)
    assert refused.value.code == "not_bookable"
    center_services.center_item_update(
        actor=world.officer, center_item=world.center_item, bookable=True
    )
    center_services.center_update(actor=world.officer, center=world.center, active=False)
    with pytest.raises(InvalidInput) as refused:
        book(world)
    assert refused.value.code == "not_bookable"
    assert nothing_saved(world)


def test_the_thirty_first_booking_of_thirty_places_is_refused(bureau):
    # Given a slot with 30 places, 30 people booked
    world = open_center(bureau, capacity=30)
    for person in range(1, 31):
        book(world, person=person)
    # When the 31st books the same slot
    with pytest.raises(Conflict) as refused:
        book(world, person=31)
    # Then 409 "约满" and still 30
    assert refused.value.code == "slot_full" and refused.value.status == 409
    assert "已约满" in str(refused.value.message)
    assert Appointment.objects.count() == 30
    assert AppointmentSlot.objects.get().booked == 30
    # And the next slot still takes them
    assert book(world, person=31, start="09:30").starts_at == time(9, 30)


def test_one_person_cannot_hold_two_overlapping_slots_anywhere(bureau):
    # Given a person booked at one center 09:00–09:30 (30-minute slots)
    world = open_center(bureau)
    other = open_center(bureau, name="北塘镇社区事务受理服务中心", slot_minutes=60, code="202")
    first = book(world, person=5)
    # When they book 09:00–10:00 at another center for another item
    with pytest.raises(Conflict) as refused:
        book(other, person=5)
    # Then refused, nothing taken there
    assert refused.value.code == "overlapping_booking"
    assert "同一时间只能保留一个预约" in str(refused.value.message)
    assert places_taken(other) == 0 and Appointment.objects.count() == 1
    # A slot that does not overlap is fine, and after cancelling the first one the overlap is too
    assert book(other, person=5, start="10:00").starts_at == time(10)
    services.appointment_cancel(appointment=first, now=at(MONDAY))
    assert book(other, person=5, start="09:00", day=TUESDAY).state == State.BOOKED


def test_a_person_holds_at_most_the_agencys_number_of_open_bookings(bureau):
    world = open_center(bureau)
    for start in ("09:00", "09:30", "10:00"):
        book(world, person=3, start=start)
    with pytest.raises(Conflict) as refused:
        book(world, person=3, start="10:30")
    assert refused.value.code == "too_many_bookings"
    assert Appointment.objects.count() == 3 and places_taken(world) == 3
    agency_settings.setting_set(
        actor=world.officer, agency=world.agency, key="services.max_open_bookings", value=4
    )
    assert book(world, person=3, start="10:30").state == State.BOOKED


def test_booking_closes_the_agencys_cutoff_before_the_slot(bureau):
    world = open_center(bureau)
    agency_settings.setting_set(
        actor=world.officer, agency=world.agency, key="services.booking_cutoff_minutes", value=60
    )
    with pytest.raises(InvalidInput) as refused:
        book(world, day=MONDAY, start="09:30", now=at(MONDAY, 8, 45))
    assert refused.value.code == "slot_closed"
    assert "开始前 60 分钟截止" in str(refused.value.message)
    assert book(world, day=MONDAY, start="10:00", now=at(MONDAY, 8, 45)).state == State.BOOKED


def test_the_same_form_token_twice_makes_one_booking(bureau):
    world = open_center(bureau)
    key = "a" * 32
    first = book(world, idempotency_key=key)
    again = book(world, idempotency_key=key)
    assert again.pk == first.pk and again.replayed and not first.replayed
    assert Appointment.objects.count() == 1 and places_taken(world) == 1
    assert Event.objects.filter(verb="services.appointments.book").count() == 1
    # The same token for another person or slot is refused
    with pytest.raises(Conflict) as refused:
        book(world, idempotency_key=key, person=2)
    assert refused.value.code == "idempotency_key_reused"
    assert Appointment.objects.count() == 1


@override_settings(FAZHI_RATE_LIMITS={"login": 30, "public_form": 2})
def test_public_bookings_are_rate_limited_per_address(bureau):
    world = open_center(bureau)
    request = RequestFactory().post("/", REMOTE_ADDR="203.0.113.9")
    book(world, person=1, request=request)
    book(world, person=2, request=request)
    with pytest.raises(services.TooManyRequests) as refused:
        book(world, person=3, request=request)
    assert refused.value.status == 429
    assert Appointment.objects.count() == 2


# --- Look-up and cancellation -------------------------------------------------------------------


def test_look_up_needs_the_number_and_the_id_number(bureau):
    world = open_center(bureau)
    appointment = book(world, person=4)
    number = appointment.booking_number
    spaced = f"{number[:4]} {number[4:8]} {number[8:]}"
    found = services.appointment_find(booking_number=spaced, resident_id=resident_id(4))
    assert found.pk == appointment.pk
    for pair in ((number, resident_id(5)), ("999999999999", resident_id(4))):
        with pytest.raises(services.BookingNotFound) as refused:
            services.appointment_find(booking_number=pair[0], resident_id=pair[1])
        assert refused.value.status == 404
        assert str(refused.value.message) == "未找到该预约，请核对预约号和公民身份号码。"
    with pytest.raises(InvalidInput) as refused:
        services.appointment_find(booking_number="12345", resident_id=resident_id(4))
    assert refused.value.code == "booking_number_invalid"
    with pytest.raises(InvalidInput) as refused:
        services.appointment_find(booking_number=number, resident_id="110105198001010011")
    assert refused.value.code == "resident_id_check_digit"


def test_cancelling_gives_the_place_back_until_the_slot_starts(bureau):
    world = open_center(bureau, capacity=1)
    appointment = book(world, person=1)
    with pytest.raises(Conflict):
        book(world, person=2)
    # When the citizen cancels with the number and the ID number
    cancelled = services.appointment_cancel_by_number(
        booking_number=appointment.booking_number, resident_id=resident_id(1), now=at(MONDAY)
    )
    # Then the appointment is cancelled, the place is free, the event is written
    assert cancelled.state == State.CANCELLED and cancelled.cancelled_at == at(MONDAY)
    assert places_taken(world) == 0
    assert Event.objects.filter(verb="services.appointments.cancel").count() == 1
    assert book(world, person=2).state == State.BOOKED
    # Cancelling again is a conflict
    with pytest.raises(Conflict) as refused:
        services.appointment_cancel(appointment=cancelled, now=at(MONDAY))
    assert str(refused.value.message) == "该预约已取消。"
    # And a started slot cannot be cancelled
    second = Appointment.objects.get(state=State.BOOKED)
    with pytest.raises(Conflict) as refused:
        services.appointment_cancel(appointment=second, now=at(TUESDAY, 9, 0))
    assert refused.value.code == "slot_started"
    second.refresh_from_db()
    assert second.state == State.BOOKED and places_taken(world) == 1


# --- The counter ---------------------------------------------------------------------------------


def test_check_in_on_the_day_by_counter_staff_only(bureau):
    world = open_center(bureau)
    appointment = book(world, person=1)
    leader, other = bureau["leader"], bureau["other_officer"]
    overseer = user_with_role(Role.DISTRICT_OVERSEER, agency=world.agency)
    for person in (leader, other, overseer):
        with pytest.raises(NotAllowed):
            services.appointment_check_in(actor=person, appointment=appointment, now=at(TUESDAY, 9))
    with pytest.raises(Conflict) as refused:
        services.appointment_check_in(
            actor=bureau["clerk"], appointment=appointment, now=at(MONDAY, 9)
        )
    assert refused.value.code == "not_appointment_day"
    assert "2026年9月29日" in str(refused.value.message)
    appointment.refresh_from_db()
    assert appointment.state == State.BOOKED
    # The clerk checks the person in on the day (late arrivals too)
    done = services.appointment_check_in(
        actor=bureau["clerk"], appointment=appointment, now=at(TUESDAY, 9, 40)
    )
    assert (done.state, done.checked_in_by, done.checked_in_at) == (
        State.CHECKED_IN,
        bureau["clerk"],
        at(TUESDAY, 9, 40),
    )
    event = Event.objects.get(verb="services.appointments.check_in")
    assert event.actor_id == bureau["clerk"].pk and event.data["late"] is True
    with pytest.raises(Conflict) as refused:
        services.appointment_check_in(
            actor=bureau["clerk"], appointment=appointment, now=at(TUESDAY, 9, 45)
        )
    assert str(refused.value.message) == "该预约已签到。"
    with pytest.raises(Conflict):
        services.appointment_cancel(appointment=appointment, now=at(MONDAY))


def test_no_show_only_after_the_slot_ended(bureau):
    world = open_center(bureau)
    appointment = book(world, person=1)
    with pytest.raises(Conflict) as refused:
        services.appointment_no_show(
            actor=bureau["officer"], appointment=appointment, now=at(TUESDAY, 9, 29)
        )
    assert refused.value.code == "slot_not_ended"
    done = services.appointment_no_show(
        actor=bureau["officer"], appointment=appointment, now=at(TUESDAY, 9, 30)
    )
    assert done.state == State.NO_SHOW and done.no_show_recorded_at == at(TUESDAY, 9, 30)
    assert places_taken(world) == 1  # a past slot's place is not given back
    with pytest.raises(NotAllowed):
        services.appointment_no_show(
            actor=bureau["leader"], appointment=appointment, now=at(TUESDAY, 10)
        )


def test_the_sweep_marks_booked_appointments_of_past_days_once(bureau):
    world = open_center(bureau, capacity=5)
    missed = book(world, person=1)
    came = book(world, person=2)
    dropped = book(world, person=3)
    later = book(world, person=4, day=WEDNESDAY)
    services.appointment_check_in(actor=bureau["clerk"], appointment=came, now=at(TUESDAY, 9))
    services.appointment_cancel(appointment=dropped, now=at(MONDAY))
    assert "services.appointments_no_show" in registered_sweeps()
    # When the sweep runs on Wednesday morning, twice
    first = run_sweeps(now=at(WEDNESDAY, 7), only=["services.appointments_no_show"])
    second = run_sweeps(now=at(WEDNESDAY, 7), only=["services.appointments_no_show"])
    # Then only Tuesday's booked appointment became a no-show, once
    assert first.counts == {"services.appointments_no_show": 1} and first.ok
    assert second.counts == {"services.appointments_no_show": 0}
    states = dict(Appointment.objects.values_list("pk", "state"))
    assert states == {
        missed.pk: State.NO_SHOW,
        came.pk: State.CHECKED_IN,
        dropped.pk: State.CANCELLED,
        later.pk: State.BOOKED,
    }
    event = Event.objects.get(verb="services.appointments.no_show")
    assert event.actor_id is None and event.actor_name == "fazhi sweep"
    assert event.data["by_sweep"] is True
