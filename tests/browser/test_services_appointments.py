"""Online appointments clicked through: a citizen on a phone finds 网上预约 in the portal's
header, books this morning's 09:00 slot and sees the booking number, then cancels another
booking with its number and ID number; a clerk opens the center's day list and checks the
person in.

The process clock travels to 08:00 of the next working day (time-machine moves it for the live
server's thread too), so the morning's slots are still open whatever time the test runs.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

import time_machine
from django.conf import settings as django_settings
from django.utils import timezone
from playwright.sync_api import expect

from fazhi.accounts.models import User
from fazhi.core.calendar import next_workday
from fazhi.core.calendar import services as calendar_services
from fazhi.core.models import Department
from fazhi.services.models import Appointment
from fazhi.services.services import appointments as services
from fazhi.services.tests.test_appointments_setup import mobile, open_center, resident_id
from fazhi.testing.browser import sign_in

PASSWORD = django_settings.FAZHI_DEMO_PASSWORD
NO_HORIZONTAL_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth"


def demo_bureau(agency) -> dict:
    """The demo agency in the shape of the services tests' `bureau`."""
    return {
        "agency": agency,
        "officer": User.objects.get(username="legal_officer"),
        "relief": Department.objects.get(agency=agency, name="社会救助科"),
    }


def test_a_citizen_books_and_cancels_on_a_phone_and_the_clerk_checks_in(
    live_demo, browser, live_server, page
):
    today = timezone.localdate()
    calendar_services.calendar_import(years=[today.year, today.year + 1], actor_name="test")
    day = next_workday(today + timedelta(days=1))
    morning = timezone.make_aware(datetime.combine(day, time(8, 0)))
    with time_machine.travel(morning, tick=True):
        # Given the demo bureau's center taking 最低生活保障申请 by appointment, and a booking
        # the citizen made earlier for the afternoon
        world = open_center(demo_bureau(live_demo), capacity=5)
        earlier = services.appointment_book(
            center=world.center,
            item=world.item,
            day=day,
            starts_at="14:00",
            applicant_name="王小明",
            resident_id=resident_id(8),
            phone=mobile(8),
        )

        # When a citizen on a phone opens 网上预约 from the portal's header
        phone = browser.new_context(
            base_url=live_server.url,
            viewport={"width": 390, "height": 844},
            is_mobile=True,
            has_touch=True,
            locale="zh-CN",
        )
        phone.set_default_timeout(15_000)
        citizen = phone.new_page()
        citizen.goto("/")
        citizen.get_by_role("navigation").get_by_role("link", name="网上预约").click()
        expect(citizen).to_have_url(re.compile(r"/services/appointments/$"))
        citizen.locator("#center-list").get_by_role(
            "link", name=re.compile(world.center.name)
        ).click()
        citizen.locator("#item-list").get_by_role("link", name=re.compile(world.item.name)).click()
        # Then today is the first bookable day, and its 09:00 slot has 5 places
        expect(citizen.locator("#day-list a").first).to_contain_text("今天")
        slot = citizen.locator('#slot-list [data-slot="09:00"]')
        expect(slot).to_contain_text("余 5 个")
        assert citizen.evaluate(NO_HORIZONTAL_SCROLL)
        slot.click()

        # When they give their name, ID number and mobile number
        citizen.get_by_label("姓名").fill("王小明")
        citizen.get_by_label("公民身份号码").fill(resident_id(8))
        citizen.get_by_label("手机号码").fill(mobile(8))
        assert citizen.evaluate(NO_HORIZONTAL_SCROLL)
        citizen.get_by_role("button", name="提交预约").click()
        # Then they see the booking number; the ID number only masked
        number = citizen.locator("#booking-number")
        expect(number).to_have_text(re.compile(r"^[0-9]{12}$"))
        booked = Appointment.objects.get(booking_number=number.inner_text())
        assert (booked.day, booked.starts_at, booked.state) == (day, time(9), "booked")
        expect(citizen.locator("#masked-id")).to_have_text(str(booked.resident_id))
        assert citizen.evaluate(NO_HORIZONTAL_SCROLL)

        # When they cancel the afternoon booking with its number and the ID number
        citizen.get_by_role("link", name="查询或取消预约").click()
        citizen.get_by_label("预约号").fill(earlier.booking_number)
        citizen.get_by_label("公民身份号码").fill(resident_id(8))
        citizen.get_by_role("button", name="查询").click()
        expect(citizen.locator("#booking-time")).to_contain_text("14:00–14:30")
        citizen.get_by_role("button", name="取消此预约").click()
        # Then it is cancelled and its place is free again
        expect(citizen.locator("#booking-state")).to_have_text("已取消")
        expect(citizen.locator("main")).to_contain_text("预约已取消，名额已释放。")
        earlier.refresh_from_db()
        assert earlier.state == "cancelled" and earlier.slot.booked == 0
        phone.close()

        # When the clerk opens today's list of the center
        sign_in(page, "clerk", PASSWORD)
        page.locator('#staff-nav [data-nav="services"]').click()
        page.get_by_role("link", name="预约", exact=True).click()
        row = page.locator(f'#appointment-table tr[data-appointment="{booked.pk}"]')
        expect(row).to_contain_text(booked.booking_number)
        expect(row).to_contain_text(str(booked.resident_id))
        cancelled = page.locator(f'#appointment-table tr[data-appointment="{earlier.pk}"]')
        expect(cancelled).to_contain_text("已取消")
        # And checks the person in
        row.locator('[data-action="check_in"]').click()
        expect(page.locator("main")).to_contain_text("王小明已签到。")
        row = page.locator(f'#appointment-table tr[data-appointment="{booked.pk}"]')
        expect(row.locator("[data-state]")).to_contain_text("已签到")
        booked.refresh_from_db()
        assert booked.state == "checked_in" and booked.checked_in_by.username == "clerk"
