"""The portal's booking pages and the staff day list: the walk through, double submits, bad
input with its status, look-up and cancellation, check-in and no-show, roles, other agencies,
constant query counts."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.test import Client, override_settings
from django.urls import reverse

from fazhi.core.roles import Role
from fazhi.services.models import Appointment, AppointmentSlot
from fazhi.services.services import appointments as services
from fazhi.services.tests.test_appointments_setup import (
    MONDAY,
    TUESDAY,
    at,
    book,
    mobile,
    open_center,
    resident_id,
)
from fazhi.testing.clients import verified_client
from fazhi.testing.factories import user_with_role
from fazhi.testing.queries import assert_constant_queries

pytestmark = pytest.mark.django_db
State = Appointment.State


@pytest.fixture(autouse=True)
def monday():
    with time_machine.travel(at(MONDAY, 8), tick=False):
        yield


@pytest.fixture
def world(bureau):
    return open_center(bureau)


def slots_url(world):
    return reverse("services_public:appointment_slots", args=[world.center.pk, world.item.pk])


def book_url(world, day=TUESDAY, start="09:00"):
    url = reverse("services_public:appointment_book", args=[world.center.pk, world.item.pk])
    return f"{url}?day={day.isoformat()}&start={start}"


def token_of(response) -> str:
    return re.search(r'name="token" value="([0-9a-f]{32})"', response.content.decode()).group(1)


def details(n=1, **over):
    return {
        "applicant_name": f"市民{n}",
        "resident_id": resident_id(n),
        "phone": mobile(n),
        **over,
    }


# --- The portal ---------------------------------------------------------------------------------


def test_a_citizen_walks_from_the_header_to_a_booking_number(world):
    client = Client()
    home = client.get(reverse("services_public:powers")).content.decode()
    assert f'href="{reverse("services_public:appointments")}">网上预约</a>' in home
    # The centers, the center's items, the days and slots
    index = client.get(reverse("services_public:appointments"))
    assert world.center.name in index.content.decode()
    center = client.get(reverse("services_public:appointment_center", args=[world.center.pk]))
    assert world.item.name in center.content.decode()
    slots = client.get(slots_url(world)).content.decode()
    days = re.findall(r'data-day="([0-9-]+)"', slots)
    assert days[:4] == ["2026-09-28", "2026-09-29", "2026-09-30", "2026-10-08"]
    assert "2026-10-01" not in days and "2026-10-10" in days
    assert 'data-slot="09:00"' in slots and "余 5 个" in slots
    # The form, then the booking
    form = client.get(book_url(world))
    assert form.status_code == 200
    response = client.post(book_url(world), {**details(1), "token": token_of(form)})
    appointment = Appointment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "services_public:appointment_done", args=[appointment.pk]
    )
    done = client.get(response["Location"]).content.decode()
    assert appointment.booking_number in done
    assert str(appointment.resident_id) in done and resident_id(1) not in done
    assert "2026年9月29日" in done and "09:00–09:30" in done
    # Another browser does not see it
    assert Client().get(response["Location"])["Location"] == reverse("services_public:appointments")


def test_a_double_submit_of_the_form_makes_one_booking(world):
    client = Client()
    token = token_of(client.get(book_url(world)))
    first = client.post(book_url(world), {**details(1), "token": token})
    second = client.post(book_url(world), {**details(1), "token": token})
    assert first["Location"] == second["Location"]
    assert Appointment.objects.count() == 1
    assert AppointmentSlot.objects.get().booked == 1


@pytest.mark.parametrize(
    ("url_day", "fields", "status", "words"),
    [
        ("2026-09-29", {"resident_id": "110105198001010011"}, 422, "校验码"),
        ("2026-09-29", {"phone": "1390000"}, 422, "手机号码"),
        ("2026-09-29", {"applicant_name": ""}, 422, "请填写姓名"),
        ("2026-10-01", {}, 422, "国庆节"),
        ("2026-09-25", {}, 422, "不能预约今天以前的日期"),
        ("2026-09-29", {"token": "x"}, 400, "表单已失效"),
    ],
)
def test_bad_input_on_the_form_is_refused_and_nothing_saved(world, url_day, fields, status, words):
    client = Client()
    url = reverse("services_public:appointment_book", args=[world.center.pk, world.item.pk])
    token = token_of(client.get(book_url(world)))
    response = client.post(
        f"{url}?day={url_day}&start=09:00", {**details(1), "token": token, **fields}
    )
    assert response.status_code == status
    assert words in response.content.decode()
    assert not Appointment.objects.exists() and not AppointmentSlot.objects.exists()


def test_a_full_slot_is_shown_full_and_refused(bureau):
    world = open_center(bureau, capacity=1)
    book(world, person=9)
    client = Client()
    slots = client.get(f"{slots_url(world)}?day=2026-09-29").content.decode()
    assert re.search(r'data-slot="09:00" aria-disabled="true">\s*<span>09:00–09:30</span>', slots)
    # The form of a full slot sends the citizen back to the slots
    response = client.get(book_url(world))
    assert response.status_code == 302 and response["Location"].endswith("?day=2026-09-29")
    # A form opened before it filled up gets 409
    token = token_of(client.get(book_url(world, start="09:30")))
    response = client.post(book_url(world), {**details(1), "token": token})
    assert response.status_code == 409 and "已约满" in response.content.decode()
    assert Appointment.objects.count() == 1


def test_look_up_then_cancel_gives_the_place_back(world):
    appointment = book(world, person=3)
    client = Client()
    lookup = reverse("services_public:appointment_lookup")
    wrong = client.post(
        lookup, {"booking_number": appointment.booking_number, "resident_id": resident_id(4)}
    )
    assert wrong.status_code == 404 and "未找到该预约" in wrong.content.decode()
    # A cancel of a booking this browser has not verified is refused
    response = client.post(
        reverse("services_public:appointment_cancel"), {"appointment": appointment.pk}
    )
    assert response.status_code == 302 and response["Location"] == lookup
    appointment.refresh_from_db()
    assert appointment.state == State.BOOKED
    # The right pair shows the booking with its cancel button
    found = client.post(
        lookup, {"booking_number": appointment.booking_number, "resident_id": resident_id(3)}
    )
    body = found.content.decode()
    assert found.status_code == 200 and "已预约" in body and 'id="cancel-booking"' in body
    response = client.post(
        reverse("services_public:appointment_cancel"), {"appointment": appointment.pk}
    )
    assert response.status_code == 200 and "预约已取消" in response.content.decode()
    appointment.refresh_from_db()
    assert appointment.state == State.CANCELLED
    assert AppointmentSlot.objects.get().booked == 0


@override_settings(FAZHI_RATE_LIMITS={"login": 30, "public_form": 2})
def test_the_look_up_is_rate_limited(world):
    client = Client()
    lookup = reverse("services_public:appointment_lookup")
    for _ in range(2):
        client.post(lookup, {"booking_number": "123456789012", "resident_id": resident_id(1)})
    response = client.post(
        lookup, {"booking_number": "123456789012", "resident_id": resident_id(1)}
    )
    assert response.status_code == 429 and "提交过于频繁" in response.content.decode()


def test_a_closed_center_or_an_item_not_bookable_is_not_found(world):
    from fazhi.services.services import centers

    client = Client()
    centers.center_item_update(actor=world.officer, center_item=world.center_item, bookable=False)
    assert client.get(slots_url(world)).status_code == 404
    assert (
        world.center.name
        not in client.get(reverse("services_public:appointments")).content.decode()
    )
    centers.center_item_update(actor=world.officer, center_item=world.center_item, bookable=True)
    centers.center_update(actor=world.officer, center=world.center, active=False)
    url = reverse("services_public:appointment_center", args=[world.center.pk])
    assert client.get(url).status_code == 404


def test_portal_pages_keep_a_constant_query_count(bureau):
    world = open_center(bureau, capacity=50)
    client = Client()
    people = iter(range(1, 1000))
    starts = iter(["09:00", "09:30", "10:00", "10:30", "11:00", "13:30", "14:00", "14:30"] * 5)

    def grow(n):
        for _ in range(n):
            book(world, person=next(people), start=next(starts))

    assert_constant_queries(lambda: client.get(f"{slots_url(world)}?day=2026-09-29"), grow)
    extra = iter(range(300, 400))

    def more_centers(n):
        for _ in range(n):
            open_center(bureau, name=f"第{next(extra)}中心", item=world.item)

    assert_constant_queries(
        lambda: client.get(reverse("services_public:appointments")), more_centers
    )


# --- The staff day list -------------------------------------------------------------------------


def day_url(world, day=MONDAY, **query):
    extra = "".join(f"&{k}={v}" for k, v in query.items())
    return (
        f"{reverse('services:appointments')}?center={world.center.pk}&day={day.isoformat()}{extra}"
    )


def test_the_day_list_shows_the_days_appointments_in_time_order_masked(world, bureau):
    later = book(world, person=2, day=MONDAY, start="10:00")
    earlier = book(world, person=1, day=MONDAY, start="09:00")
    book(world, person=3, day=TUESDAY)
    body = verified_client(bureau["leader"]).get(day_url(world)).content.decode()
    rows = re.findall(r'data-appointment="(\d+)"', body)
    assert rows == [str(earlier.pk), str(later.pk)]
    assert str(earlier.resident_id) in body and resident_id(1) not in body
    assert str(earlier.phone) in body and mobile(1) not in body
    assert 'data-count="booked">2<' in body
    # The leader reads but has no counter buttons
    assert 'data-action="check_in"' not in body


def test_counter_staff_check_in_on_the_day_and_then_register_the_case(world, bureau):
    appointment = book(world, person=1, day=MONDAY, start="09:00")
    client = verified_client(bureau["clerk"])
    body = client.get(day_url(world)).content.decode()
    assert 'data-action="check_in"' in body
    response = client.post(
        reverse("services:appointment_check_in", args=[appointment.pk]), {"state": "booked"}
    )
    assert response.status_code == 302
    assert response["Location"] == (
        f"{reverse('services:appointments')}?center={world.center.pk}&day=2026-09-28&state=booked"
    )
    appointment.refresh_from_db()
    assert appointment.state == State.CHECKED_IN and appointment.checked_in_by == bureau["clerk"]
    body = client.get(day_url(world)).content.decode()
    assert f'href="/staff/services/cases/new/?appointment={appointment.pk}"' in body
    # Once the case is registered the list links to it instead
    from fazhi.services.services.cases import case_register

    case = case_register(
        actor=bureau["clerk"],
        agency=world.agency,
        item=world.item,
        channel="appointment",
        applicant_kind="person",
        applicant_name=appointment.applicant_name,
        resident_id=resident_id(1),
        phone=mobile(1),
        center=world.center,
        appointment=appointment,
    )
    body = client.get(day_url(world)).content.decode()
    assert 'data-action="register_case"' not in body
    assert f'href="{reverse("services:case", args=[case.pk])}" data-case="{case.pk}"' in body
    assert f"已登记办件 {case.case_number}" in body


def test_check_in_is_refused_on_another_day_and_for_readers(world, bureau):
    tomorrow = book(world, person=1, day=TUESDAY)
    clerk = verified_client(bureau["clerk"])
    url = reverse("services:appointment_check_in", args=[tomorrow.pk])
    response = clerk.post(url)
    assert response.status_code == 409
    assert "只能在预约当日签到（预约日期为2026年9月29日）" in response.content.decode()
    assert verified_client(bureau["leader"]).post(url).status_code == 403
    overseer = user_with_role(Role.DISTRICT_OVERSEER, agency=bureau["agency"])
    assert verified_client(overseer).post(url).status_code == 403
    assert verified_client(bureau["other_officer"]).post(url).status_code == 404
    tomorrow.refresh_from_db()
    assert tomorrow.state == State.BOOKED


def test_no_show_after_the_slot_ended(world, bureau):
    appointment = book(world, person=1, day=MONDAY, start="09:00", now=at(MONDAY, 8))
    client = verified_client(bureau["officer"])
    url = reverse("services:appointment_no_show", args=[appointment.pk])
    assert client.post(url).status_code == 409
    with time_machine.travel(at(MONDAY, 9, 31), tick=False):
        client = verified_client(bureau["officer"])  # a new sign-in: the first one went idle
        assert 'data-action="no_show"' in client.get(day_url(world)).content.decode()
        assert client.post(url).status_code == 302
    appointment.refresh_from_db()
    assert appointment.state == State.NO_SHOW


def test_day_list_access(world, bureau):
    url = day_url(world)
    assert Client().get(url).status_code == 302  # to the login page
    supervisor = user_with_role(Role.SUPERVISOR, agency=bureau["agency"])
    assert verified_client(supervisor).get(url).status_code == 403
    assert verified_client(bureau["other_officer"]).get(url).status_code == 404
    assert verified_client(bureau["clerk"]).get(url).status_code == 200
    # Without ?center= the first active center of the readable ones
    response = verified_client(bureau["clerk"]).get(reverse("services:appointments"))
    assert world.center.name in response.content.decode()


def test_the_day_list_filters_and_keeps_a_constant_query_count(world, bureau):
    client = verified_client(bureau["officer"])
    people = iter(range(1, 1000))
    starts = iter(["09:00", "09:30", "10:00", "10:30", "11:00"] * 3)

    def grow(n):
        for _ in range(n):
            appointment = book(world, person=next(people), day=MONDAY, start=next(starts))
            if appointment.pk % 2:
                services.appointment_check_in(
                    actor=bureau["clerk"], appointment=appointment, now=at(MONDAY, 8, 30)
                )

    assert_constant_queries(lambda: client.get(day_url(world)), grow)
    checked = client.get(day_url(world, state="checked_in")).content.decode()
    expected = Appointment.objects.filter(state=State.CHECKED_IN).count()
    assert len(re.findall(r'data-appointment="', checked)) == expected > 0
    other = client.get(day_url(world, item=world.item.pk + 999)).content.decode()
    assert "当日没有符合条件的预约" in other
