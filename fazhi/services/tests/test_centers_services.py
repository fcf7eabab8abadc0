"""Service centers and the items they take, through the services: who may, what is refused."""

from __future__ import annotations

from datetime import time

import pytest

from fazhi.core.errors import Conflict, InvalidInput, NotAllowed
from fazhi.core.models import Event
from fazhi.core.roles import Role
from fazhi.services.models import AppointmentSlot, CenterItem, ServiceCenter
from fazhi.services.services import centers as services
from fazhi.services.services import guides
from fazhi.services.tests.conftest import published_item
from fazhi.services.tests.test_appointments_setup import (
    MONDAY,
    TUESDAY,
    WEDNESDAY,
    at,
    book,
    open_center,
)
from fazhi.testing.factories import SubdistrictFactory, user_with_role

pytestmark = pytest.mark.django_db

HOURS = {
    "morning_opens": "09:00",
    "morning_closes": "11:30",
    "afternoon_opens": "13:30",
    "afternoon_closes": "17:00",
}


def create(bureau, actor=None, **over):
    values = {"name": "东城街道社区事务受理服务中心", "address": "东城路 8 号", **HOURS, **over}
    return services.center_create(
        actor=actor or bureau["officer"], agency=bureau["agency"], **values
    )


def test_the_legal_office_creates_a_center_on_the_record(bureau):
    subdistrict = SubdistrictFactory(agency=bureau["agency"], name="东城街道")
    center = create(bureau, subdistrict=subdistrict, phone="021-6888 1234", booking_days_ahead=15)
    center.refresh_from_db()
    assert center.sessions() == [(time(9), time(11, 30)), (time(13, 30), time(17))]
    assert (center.subdistrict, center.booking_days_ahead, center.active) == (
        subdistrict,
        15,
        True,
    )
    event = Event.objects.get(verb="services.centers.create")
    assert event.actor_id == bureau["officer"].pk
    assert event.data == {
        "name": "东城街道社区事务受理服务中心",
        "hours": ["09:00-11:30", "13:30-17:00"],
        "booking_days_ahead": 15,
        "active": True,
    }


def test_a_center_without_an_afternoon(bureau):
    center = create(bureau, afternoon_opens="", afternoon_closes=None)
    assert center.sessions() == [(time(9), time(11, 30))]


@pytest.mark.parametrize(
    "role", [Role.CLERK, Role.DEPARTMENT_HEAD, Role.LIAISON, Role.LEADER, Role.DISTRICT_OVERSEER]
)
def test_only_the_legal_office_manages_centers(bureau, role):
    person = user_with_role(role, agency=bureau["agency"])
    with pytest.raises(NotAllowed) as refused:
        create(bureau, actor=person)
    assert str(refused.value.message) == "只有法制办可以管理服务中心。"
    with pytest.raises(NotAllowed):
        create(bureau, actor=bureau["other_officer"])
    assert not ServiceCenter.objects.exists()


BAD_CENTERS = [
    ({"name": ""}, "name_required"),
    ({"address": " "}, "address_required"),
    ({"morning_closes": "08:00"}, "morning_order"),
    ({"morning_opens": "9点"}, "morning_invalid"),
    ({"morning_opens": time(9, 0, 30)}, "morning_invalid"),
    ({"afternoon_closes": ""}, "afternoon_incomplete"),
    ({"afternoon_opens": "11:00"}, "afternoon_order"),
    ({"afternoon_closes": "13:00"}, "afternoon_order"),
    ({"booking_days_ahead": 0}, "booking_days_ahead_invalid"),
    ({"booking_days_ahead": 61}, "booking_days_ahead_invalid"),
    ({"booking_days_ahead": "十"}, "booking_days_ahead_invalid"),
    ({"phone": "=HYPERLINK(1)"}, "phone_invalid"),
    ({"active": "yes"}, "active_invalid"),
]


@pytest.mark.parametrize(("over", "code"), BAD_CENTERS)
def test_bad_center_input_is_refused(bureau, over, code):
    with pytest.raises(InvalidInput) as refused:
        create(bureau, **over)
    assert refused.value.code == code and refused.value.status == 422
    assert (
        not ServiceCenter.objects.exists()
        and not Event.objects.filter(verb__startswith="services.centers").exists()
    )


def test_names_are_unique_and_subdistricts_of_the_own_agency(bureau):
    create(bureau)
    with pytest.raises(InvalidInput) as refused:
        create(bureau)
    assert refused.value.code == "name_taken"
    assert "已有名为“东城街道社区事务受理服务中心”的服务中心" in str(refused.value.message)
    with pytest.raises(InvalidInput) as refused:
        create(bureau, name="西城", subdistrict=SubdistrictFactory())
    assert refused.value.code == "subdistrict_invalid"
    assert ServiceCenter.objects.count() == 1


def test_items_of_a_center_are_checked(bureau):
    center = create(bureau)
    item = published_item(bureau, code="301", name="临时救助申请")
    officer = bureau["officer"]
    # Another agency's item, an item not in use
    other_center = services.center_create(
        actor=bureau["other_officer"],
        agency=bureau["other_officer"].home_agency,
        name="外区中心",
        address="外区路 1 号",
        **HOURS,
    )
    with pytest.raises(InvalidInput) as refused:
        services.center_item_add(actor=bureau["other_officer"], center=other_center, item=item)
    assert refused.value.code == "item_invalid"
    guides.item_update(actor=officer, item=item, data={"active": False})
    with pytest.raises(InvalidInput) as refused:
        services.center_item_add(actor=officer, center=center, item=item)
    assert refused.value.code == "item_invalid"
    guides.item_update(actor=officer, item=item, data={"active": True})
    # Slot length and places
    for over, code in (
        ({"slot_minutes": 4}, "slot_minutes_invalid"),
        ({"slot_minutes": 241}, "slot_minutes_invalid"),
        ({"slot_minutes": 215}, "slot_too_long"),
        ({"capacity": 0}, "capacity_invalid"),
        ({"capacity": 501}, "capacity_invalid"),
        ({"bookable": None}, "bookable_invalid"),
    ):
        with pytest.raises(InvalidInput) as refused:
            services.center_item_add(actor=officer, center=center, item=item, **over)
        assert refused.value.code == code, over
    # A good one, then the same item again
    added = services.center_item_add(
        actor=officer, center=center, item=item, slot_minutes=210, capacity=500
    )
    assert (added.slot_minutes, added.capacity, added.bookable) == (210, 500, True)
    assert added.slot_times() == [(time(13, 30), time(17))]
    with pytest.raises(InvalidInput) as refused:
        services.center_item_add(actor=officer, center=center, item=item)
    assert refused.value.code == "item_taken"
    assert CenterItem.objects.count() == 1
    assert Event.objects.get(verb="services.centers.item_add").data == {
        "item": item.pk,
        "item_name": "临时救助申请",
        "bookable": True,
        "slot_minutes": 210,
        "capacity": 500,
    }


def test_a_not_bookable_item_may_have_any_slot_length(bureau):
    center = create(bureau, afternoon_opens=None, afternoon_closes=None)
    item = published_item(bureau, code="302", name="婚姻登记咨询")
    added = services.center_item_add(
        actor=bureau["officer"], center=center, item=item, bookable=False, slot_minutes=240
    )
    assert added.bookable is False


def test_hours_cannot_shrink_below_a_bookable_slot(bureau):
    center = create(bureau)
    item = published_item(bureau, code="303", name="残疾人两项补贴")
    services.center_item_add(actor=bureau["officer"], center=center, item=item, slot_minutes=120)
    with pytest.raises(InvalidInput) as refused:
        services.center_update(
            actor=bureau["officer"],
            center=center,
            morning_closes="10:30",
            afternoon_opens=None,
            afternoon_closes=None,
        )
    assert refused.value.code == "hours_too_short"
    assert "“残疾人两项补贴”的一个预约时段（120 分钟）" in str(refused.value.message)
    center.refresh_from_db()
    assert center.afternoon_opens == time(13, 30)
    changed = services.center_update(
        actor=bureau["officer"], center=center, afternoon_closes="16:00", name="东城中心"
    )
    assert (changed.name, changed.afternoon_closes) == ("东城中心", time(16))
    assert Event.objects.get(verb="services.centers.update").data["fields"] == [
        "name",
        "afternoon_closes",
    ]
    with pytest.raises(InvalidInput) as refused:
        services.center_update(actor=bureau["officer"], center=center, agency=None)
    assert refused.value.code == "unknown_field"


def test_a_new_number_of_places_applies_to_todays_and_later_slots(bureau):
    # Given Tuesday 09:00 with 3 booked of 5, Wednesday 09:00 with 1 booked
    world = open_center(bureau, capacity=5)
    for person in (1, 2, 3):
        book(world, person=person)
    book(world, person=4, day=WEDNESDAY)
    # When the office lowers the places to 2 on Tuesday
    services.center_item_update(
        actor=world.officer, center_item=world.center_item, capacity=2, on=WEDNESDAY
    )
    # Then Wednesday takes 2; Tuesday (before `on`) keeps 5
    slots = {s.day: (s.capacity, s.booked) for s in AppointmentSlot.objects.all()}
    assert slots == {TUESDAY: (5, 3), WEDNESDAY: (2, 1)}
    # And lowering below what a slot holds keeps the bookings: it takes no more
    services.center_item_update(
        actor=world.officer, center_item=world.center_item, capacity=1, on=MONDAY
    )
    slots = {s.day: (s.capacity, s.booked) for s in AppointmentSlot.objects.all()}
    assert slots == {TUESDAY: (3, 3), WEDNESDAY: (1, 1)}
    event = Event.objects.filter(verb="services.centers.item_update").latest("seq")
    assert event.data["fields"] == ["capacity"] and event.data["slots_resized"] == 2
    with pytest.raises(Conflict) as refused:
        book(world, person=5, now=at(MONDAY))
    assert refused.value.code == "slot_full"
