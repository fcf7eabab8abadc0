"""Staff pages of the service centers: the legal office creates and changes, others read;
bad input answers with its status and the message on the field; other agencies get 404."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from fazhi.core.roles import Role
from fazhi.services.models import CenterItem, ServiceCenter
from fazhi.services.services import centers as services
from fazhi.services.tests.conftest import published_item
from fazhi.services.tests.test_appointments_setup import open_center
from fazhi.testing.clients import verified_client
from fazhi.testing.factories import SubdistrictFactory, user_with_role
from fazhi.testing.queries import assert_constant_queries

pytestmark = pytest.mark.django_db

FORM = {
    "name": "南湖街道社区事务受理服务中心",
    "address": "南湖路 3 号",
    "phone": "021-5555 0000",
    "morning_opens": "08:30",
    "morning_closes": "11:30",
    "afternoon_opens": "13:00",
    "afternoon_closes": "17:00",
    "booking_days_ahead": "7",
    "active": "on",
}


def test_the_office_creates_a_center_and_adds_an_item(bureau):
    client = verified_client(bureau["officer"])
    subdistrict = SubdistrictFactory(agency=bureau["agency"], name="南湖街道")
    response = client.post(reverse("services:center_new"), {**FORM, "subdistrict": subdistrict.pk})
    center = ServiceCenter.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("services:center", args=[center.pk])
    assert (center.subdistrict, center.booking_days_ahead, center.phone) == (
        subdistrict,
        7,
        "021-5555 0000",
    )
    item = published_item(bureau, code="401", name="居住证明")
    url = reverse("services:center_item_add", args=[center.pk])
    response = client.post(
        url, {"item": item.pk, "slot_minutes": "20", "capacity": "8", "bookable": "on"}
    )
    assert response.status_code == 302
    added = CenterItem.objects.get()
    assert (added.item, added.slot_minutes, added.capacity, added.bookable) == (item, 20, 8, True)
    page = client.get(reverse("services:center", args=[center.pk])).content.decode()
    assert "居住证明" in page and "上午 08:30–11:30，下午 13:00–17:00" in page
    # Edit the item's places
    edit = reverse("services:center_item_edit", args=[added.pk])
    assert (
        client.post(edit, {"slot_minutes": "20", "capacity": "12", "bookable": "on"}).status_code
        == 302
    )
    added.refresh_from_db()
    assert added.capacity == 12


@pytest.mark.parametrize(
    ("over", "field_words"),
    [
        ({"morning_closes": "08:00"}, "上午结束时间须晚于上午开始时间"),
        ({"afternoon_closes": ""}, "下午开始和结束时间须同时填写"),
        ({"afternoon_opens": "11:00"}, "下午开始时间不能早于上午结束时间"),
        ({"morning_opens": "8点半"}, "请按“时:分”填写"),
        ({"booking_days_ahead": "0"}, "可预约天数须为 1 至 60 之间的整数（工作日）"),
        ({"name": ""}, "名称"),
    ],
)
def test_bad_hours_are_refused_with_the_message_on_the_form(bureau, over, field_words):
    client = verified_client(bureau["officer"])
    response = client.post(reverse("services:center_new"), {**FORM, **over})
    assert response.status_code == 422
    assert field_words in response.content.decode()
    assert not ServiceCenter.objects.exists()


def test_item_form_refusals(bureau):
    world = open_center(bureau)
    client = verified_client(bureau["officer"])
    url = reverse("services:center_item_add", args=[world.center.pk])
    other = published_item(bureau, code="402", name="低保复核")
    for data, words in (
        (
            {"item": other.pk, "slot_minutes": "30", "capacity": "0"},
            "每个时段可预约人数须为 1 至 500 之间的整数",
        ),
        ({"item": other.pk, "slot_minutes": "半小时", "capacity": "5"}, "请填写整数"),
        (
            {"item": other.pk, "slot_minutes": "215", "capacity": "5", "bookable": "on"},
            "超过了上午和下午任一办公时段的长度",
        ),
        (
            {"item": world.item.pk, "slot_minutes": "30", "capacity": "5"},
            "请选择本机关在用的服务事项",
        ),
    ):
        response = client.post(url, data)
        assert response.status_code == 422, data
        assert words in response.content.decode()
    assert CenterItem.objects.count() == 1


def test_others_read_but_only_the_office_manages(bureau):
    world = open_center(bureau)
    center = world.center
    for person in (bureau["clerk"], bureau["leader"]):
        client = verified_client(person)
        listing = client.get(reverse("services:centers"))
        assert listing.status_code == 200 and center.name in listing.content.decode()
        assert 'id="center-new"' not in listing.content.decode()
        assert client.get(reverse("services:center", args=[center.pk])).status_code == 200
        assert client.get(reverse("services:center_new")).status_code == 403
        assert client.get(reverse("services:center_edit", args=[center.pk])).status_code == 403
        response = client.post(
            reverse("services:center_item_add", args=[center.pk]),
            {"item": world.item.pk, "slot_minutes": "30", "capacity": "5"},
        )
        assert response.status_code == 403
    overseer = user_with_role(Role.DISTRICT_OVERSEER, agency=bureau["agency"])
    client = verified_client(overseer)
    assert client.get(reverse("services:center", args=[center.pk])).status_code == 200
    assert client.post(reverse("services:center_edit", args=[center.pk]), FORM).status_code == 403
    supervisor = user_with_role(Role.SUPERVISOR, agency=bureau["agency"])
    assert verified_client(supervisor).get(reverse("services:centers")).status_code == 403
    assert Client().get(reverse("services:centers")).status_code == 302
    center.refresh_from_db()
    assert center.name == "示范街道社区事务受理服务中心"


def test_another_agencys_center_is_not_found(bureau):
    world = open_center(bureau)
    client = verified_client(bureau["other_officer"])
    for name in ("services:center", "services:center_edit", "services:center_item_add"):
        method = client.post if name.endswith("add") else client.get
        assert method(reverse(name, args=[world.center.pk])).status_code == 404
    edit = reverse("services:center_item_edit", args=[world.center_item.pk])
    assert client.get(edit).status_code == 404
    other_agency = bureau["agency"].pk
    assert client.get(f"{reverse('services:center_new')}?agency={other_agency}").status_code == 404


def test_the_office_edits_a_center(bureau):
    world = open_center(bureau)
    client = verified_client(bureau["officer"])
    url = reverse("services:center_edit", args=[world.center.pk])
    form = client.get(url).content.decode()
    assert 'value="09:00"' in form and 'value="示范街道社区事务受理服务中心"' in form
    response = client.post(url, {**FORM, "name": "示范中心", "active": ""})
    assert response.status_code == 302
    world.center.refresh_from_db()
    assert (world.center.name, world.center.active) == ("示范中心", False)


def test_the_center_list_keeps_a_constant_query_count(bureau):
    client = verified_client(bureau["leader"])
    item = published_item(bureau, code="403", name="结婚登记")
    numbers = iter(range(1, 100))

    def grow(n):
        for _ in range(n):
            center = services.center_create(
                actor=bureau["officer"],
                agency=bureau["agency"],
                name=f"第{next(numbers)}中心",
                address="路",
                morning_opens="09:00",
                morning_closes="12:00",
                subdistrict=SubdistrictFactory(agency=bureau["agency"]),
            )
            services.center_item_add(actor=bureau["officer"], center=center, item=item)

    assert_constant_queries(lambda: client.get(reverse("services:centers")), grow)
