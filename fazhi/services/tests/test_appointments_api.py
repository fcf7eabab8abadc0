"""The appointments API: the public booking (centers, items, slots, book with an idempotency
key, look-up, cancel) and the staff day list with check-in and no-show."""

from __future__ import annotations

import pytest
import time_machine
from django.test import Client, override_settings

from fazhi.core.roles import Role
from fazhi.services.models import Appointment, AppointmentSlot
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

pytestmark = pytest.mark.django_db

STAFF = "/api/services/appointments"
PUBLIC = "/api/public/services/appointments"
State = Appointment.State


@pytest.fixture(autouse=True)
def monday():
    with time_machine.travel(at(MONDAY, 8), tick=False):
        yield


@pytest.fixture
def world(bureau):
    return open_center(bureau, capacity=2)


def _json(client, method, url, body=None, **headers):
    return getattr(client, method)(url, body or {}, content_type="application/json", **headers)


def booking(world, n=1, **over):
    return {
        "center": str(world.center.pk),
        "item": str(world.item.pk),
        "day": "2026-09-29",
        "starts_at": "09:00",
        "applicant_name": f"市民{n}",
        "resident_id": resident_id(n),
        "phone": mobile(n),
        **over,
    }


# --- Public -------------------------------------------------------------------------------------


def test_a_platform_reads_centers_items_and_slots(world):
    client = Client()
    centers = client.get(f"{PUBLIC}/centers").json()
    assert [c["name"] for c in centers["items"]] == ["示范街道社区事务受理服务中心"]
    assert centers["items"][0]["afternoon_opens"] == "13:30"
    items = client.get(f"{PUBLIC}/centers/{world.center.pk}/items").json()
    assert [i["name"] for i in items] == [world.item.name]
    assert items[0]["days"][:4] == ["2026-09-28", "2026-09-29", "2026-09-30", "2026-10-08"]
    book(world, person=1)
    slots = client.get(
        f"{PUBLIC}/centers/{world.center.pk}/items/{world.item.pk}/slots?day=2026-09-29"
    ).json()
    assert slots["day"] == "2026-09-29"
    assert slots["slots"][0] == {
        "starts_at": "09:00",
        "ends_at": "09:30",
        "capacity": 2,
        "booked": 1,
        "remaining": 1,
    }
    assert len(slots["slots"]) == 12
    holiday = client.get(
        f"{PUBLIC}/centers/{world.center.pk}/items/{world.item.pk}/slots?day=2026-10-01"
    ).json()
    assert holiday["slots"] == []
    bad = client.get(f"{PUBLIC}/centers/{world.center.pk}/items/{world.item.pk}/slots?day=x")
    assert bad.status_code == 422
    assert client.get(f"{PUBLIC}/centers/999999/items").status_code == 404


def test_booking_with_an_idempotency_key_and_then_cancelling(world):
    client = Client()
    key = "platform-0000000000000001"
    first = _json(client, "post", f"{PUBLIC}/bookings", booking(world), HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == 201, first.json()
    data = first.json()
    appointment = Appointment.objects.get()
    assert data["booking_number"] == appointment.booking_number
    assert (data["state"], data["day"], data["starts_at"], data["ends_at"]) == (
        "booked",
        "2026-09-29",
        "09:00",
        "09:30",
    )
    assert data["resident_id"] == str(appointment.resident_id) != resident_id(1)
    assert data["phone"] == "139****0001" and data["cancellable"] is True
    again = _json(client, "post", f"{PUBLIC}/bookings", booking(world), HTTP_IDEMPOTENCY_KEY=key)
    assert again.status_code == 200 and again.json() == data
    assert Appointment.objects.count() == 1
    # The same key for another person is a conflict
    other = _json(client, "post", f"{PUBLIC}/bookings", booking(world, 2), HTTP_IDEMPOTENCY_KEY=key)
    assert other.status_code == 409 and other.json()["code"] == "idempotency_key_reused"
    # Look-up and cancel with the pair
    pair = {"booking_number": data["booking_number"], "resident_id": resident_id(1)}
    assert _json(client, "post", f"{PUBLIC}/bookings/lookup", pair).json() == data
    wrong = _json(
        client, "post", f"{PUBLIC}/bookings/lookup", {**pair, "resident_id": resident_id(2)}
    )
    assert wrong.status_code == 404 and wrong.json()["code"] == "booking_not_found"
    cancelled = _json(client, "post", f"{PUBLIC}/bookings/cancel", pair)
    assert cancelled.status_code == 200
    assert (cancelled.json()["state"], cancelled.json()["cancellable"]) == ("cancelled", False)
    assert AppointmentSlot.objects.get().booked == 0
    again = _json(client, "post", f"{PUBLIC}/bookings/cancel", pair)
    assert again.status_code == 409 and again.json()["message"] == "该预约已取消。"


@pytest.mark.parametrize(
    ("over", "status", "code"),
    [
        ({"resident_id": "110105198001010011"}, 422, "resident_id_check_digit"),
        ({"day": "2026-10-01"}, 422, "day_not_workday"),
        ({"day": "2026-09-25"}, 422, "day_past"),
        ({"starts_at": "12:00"}, 422, "slot_invalid"),
        ({"phone": "12345"}, 422, None),
        ({"day": "tomorrow"}, 422, "invalid_input"),
        ({"token": "bad"}, 422, "bad_token"),
        ({"item": "999999"}, 404, "not_found"),
    ],
)
def test_bad_bookings_are_refused_and_nothing_saved(world, over, status, code):
    response = _json(Client(), "post", f"{PUBLIC}/bookings", booking(world, **over))
    assert response.status_code == status, response.json()
    if code:
        assert response.json()["code"] == code
    assert response.json()["message"]
    assert not Appointment.objects.exists() and not AppointmentSlot.objects.exists()


def test_the_third_booking_of_two_places_is_409(world):
    client = Client()
    for n in (1, 2):
        assert _json(client, "post", f"{PUBLIC}/bookings", booking(world, n)).status_code == 201
    response = _json(client, "post", f"{PUBLIC}/bookings", booking(world, 3))
    assert response.status_code == 409 and response.json()["code"] == "slot_full"
    assert response.json()["message"] == "该时段已约满，请选择其他时段。"
    assert Appointment.objects.count() == 2


@override_settings(FAZHI_RATE_LIMITS={"login": 30, "public_form": 1})
def test_public_posts_are_rate_limited(world):
    client = Client()
    assert _json(client, "post", f"{PUBLIC}/bookings", booking(world, 1)).status_code == 201
    response = _json(client, "post", f"{PUBLIC}/bookings", booking(world, 2))
    assert response.status_code == 429 and response.json()["code"] == "rate_limited"


# --- Staff --------------------------------------------------------------------------------------


def test_the_day_list_and_check_in_through_the_api(world, bureau):
    today = book(world, person=1, day=MONDAY, start="09:00")
    book(world, person=2, day=TUESDAY)
    clerk = verified_client(bureau["clerk"])
    listing = clerk.get(f"{STAFF}/?center={world.center.pk}").json()
    assert [a["id"] for a in listing["items"]] == [str(today.pk)]
    row = listing["items"][0]
    assert (row["starts_at"], row["state"], row["resident_id"]) == (
        "09:00",
        "booked",
        str(today.resident_id),
    )
    tuesday = clerk.get(f"{STAFF}/?center={world.center.pk}&day=2026-09-29").json()
    assert len(tuesday["items"]) == 1
    detail = clerk.get(f"{STAFF}/{today.pk}").json()
    assert detail["available_actions"] == [{"name": "check_in", "label": "签到"}]
    assert [e["verb"] for e in detail["timeline"]] == ["services.appointments.book"]
    response = clerk.post(f"{STAFF}/{today.pk}/actions/check_in")
    assert response.status_code == 200
    assert (response.json()["state"], response.json()["available_actions"]) == ("checked_in", [])
    again = clerk.post(f"{STAFF}/{today.pk}/actions/check_in")
    assert again.status_code == 409 and again.json()["message"] == "该预约已签到。"
    bad = clerk.get(f"{STAFF}/?center={world.center.pk}&state=lost")
    assert bad.status_code == 422


def test_staff_api_roles_and_agencies(world, bureau):
    appointment = book(world, person=1, day=MONDAY, start="09:00")
    leader = verified_client(bureau["leader"])
    assert leader.get(f"{STAFF}/{appointment.pk}").json()["available_actions"] == []
    assert leader.post(f"{STAFF}/{appointment.pk}/actions/check_in").status_code == 403
    other = verified_client(bureau["other_officer"])
    assert other.get(f"{STAFF}/{appointment.pk}").status_code == 404
    assert other.get(f"{STAFF}/?center={world.center.pk}").status_code == 404
    assert other.post(f"{STAFF}/{appointment.pk}/actions/check_in").status_code == 404
    supervisor = verified_client(user_with_role(Role.SUPERVISOR, agency=bureau["agency"]))
    assert supervisor.get(f"{STAFF}/?center={world.center.pk}").status_code == 403
    assert Client().get(f"{STAFF}/?center={world.center.pk}").status_code == 401
    no_show = verified_client(bureau["officer"]).post(f"{STAFF}/{appointment.pk}/actions/no_show")
    assert no_show.status_code == 409 and no_show.json()["code"] == "slot_not_ended"
    appointment.refresh_from_db()
    assert appointment.state == State.BOOKED
