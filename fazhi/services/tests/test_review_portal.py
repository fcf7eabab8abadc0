"""Review of the public side of issue 7 (booking, look-up, cancellation, rating page): every
public POST carries CSRF and a rate limit, and no public page or answer shows a full number.

Defect fixed by the review: the portal's cancel button (public_views/appointments.cancel) was
not rate-limited, unlike the booking, the look-up and the API's cancellation.
"""

from __future__ import annotations

import pytest
import time_machine
from django.test import Client, override_settings
from django.urls import reverse

from fazhi.core.models import Event
from fazhi.services.models import Appointment, AppointmentSlot
from fazhi.services.tests.test_appointments_setup import (
    MONDAY,
    at,
    book,
    mobile,
    open_center,
    resident_id,
)
from fazhi.testing.clients import verified_client

pytestmark = pytest.mark.django_db
State = Appointment.State


@pytest.fixture(autouse=True)
def monday():
    with time_machine.travel(at(MONDAY, 8), tick=False):
        yield


@pytest.fixture
def world(bureau):
    return open_center(bureau, capacity=5)


def _looked_up(client, appointment, person):
    response = client.post(
        reverse("services_public:appointment_lookup"),
        {"booking_number": appointment.booking_number, "resident_id": resident_id(person)},
    )
    assert response.status_code == 200
    return response


@override_settings(FAZHI_RATE_LIMITS={"login": 30, "public_form": 1})
def test_the_portal_cancellation_is_rate_limited(world):
    # Given a booking, looked up in this browser (the one public POST the minute allows)
    appointment = book(world, person=1)
    citizen = Client()
    _looked_up(citizen, appointment, 1)
    events = Event.objects.count()
    # When the cancel button is pressed in the same minute
    response = citizen.post(
        reverse("services_public:appointment_cancel"), {"appointment": appointment.pk}
    )
    # Then it is refused with 429 and a Chinese message, and nothing changed
    assert response.status_code == 429
    assert "提交过于频繁，请稍后再试。" in response.content.decode()
    appointment.refresh_from_db()
    assert appointment.state == State.BOOKED
    assert AppointmentSlot.objects.get(pk=appointment.slot_id).booked == 1
    assert Event.objects.count() == events


@override_settings(FAZHI_RATE_LIMITS={"login": 30, "public_form": 2})
def test_the_portal_cancellation_within_the_limit_still_works(world):
    appointment = book(world, person=2)
    citizen = Client()
    _looked_up(citizen, appointment, 2)
    response = citizen.post(
        reverse("services_public:appointment_cancel"), {"appointment": appointment.pk}
    )
    assert response.status_code == 200 and "预约已取消，名额已释放。" in response.content.decode()
    appointment.refresh_from_db()
    assert appointment.state == State.CANCELLED


def test_every_public_form_needs_its_csrf_token(world):
    appointment = book(world, person=3)
    citizen = Client(enforce_csrf_checks=True)
    center, item = world.center.pk, world.item.pk
    posts = {
        reverse("services_public:appointment_book", args=[center, item])
        + "?day=2026-09-29&start=10:00": {
            "applicant_name": "市民",
            "resident_id": resident_id(4),
            "phone": mobile(4),
            "token": "0" * 32,
        },
        reverse("services_public:appointment_lookup"): {
            "booking_number": appointment.booking_number,
            "resident_id": resident_id(3),
        },
        reverse("services_public:appointment_cancel"): {"appointment": appointment.pk},
    }
    for url, data in posts.items():
        assert citizen.post(url, data).status_code == 403, url
    assert Appointment.objects.count() == 1
    appointment.refresh_from_db()
    assert appointment.state == State.BOOKED


def test_public_answers_and_staff_lists_show_numbers_masked(world, bureau):
    # Given a booking made through the public API
    body = {
        "center": str(world.center.pk),
        "item": str(world.item.pk),
        "day": "2026-09-28",
        "starts_at": "09:00",
        "applicant_name": "市民五",
        "resident_id": resident_id(5),
        "phone": mobile(5),
    }
    booked = Client().post(
        "/api/public/services/appointments/bookings", body, content_type="application/json"
    )
    assert booked.status_code == 201
    full_id, full_phone = resident_id(5), mobile(5)
    answers = [booked.content.decode()]
    # The look-up answer, the staff day list (page and API)
    answers.append(
        Client()
        .post(
            "/api/public/services/appointments/bookings/lookup",
            {"booking_number": booked.json()["booking_number"], "resident_id": full_id},
            content_type="application/json",
        )
        .content.decode()
    )
    clerk = verified_client(bureau["clerk"])
    answers.append(
        clerk.get(reverse("services:appointments"), {"center": world.center.pk}).content.decode()
    )
    answers.append(
        clerk.get("/api/services/appointments/", {"center": world.center.pk}).content.decode()
    )
    appointment = Appointment.objects.get()
    answers.append(clerk.get(f"/api/services/appointments/{appointment.pk}").content.decode())
    for text in answers:
        assert full_id not in text and full_phone not in text
        assert str(appointment.resident_id) in text  # the mask, e.g. 110***********123X
