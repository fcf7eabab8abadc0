"""The centers API: list, create, detail, change, items add and change; 403 for roles, 404 for
another agency, 422 for bad input with the service's code."""

from __future__ import annotations

import pytest

from fazhi.core.roles import Role
from fazhi.services.models import CenterItem, ServiceCenter
from fazhi.services.tests.conftest import published_item
from fazhi.services.tests.test_appointments_setup import open_center
from fazhi.testing.clients import verified_client
from fazhi.testing.factories import SubdistrictFactory, user_with_role

pytestmark = pytest.mark.django_db

BASE = "/api/services/centers"
BODY = {
    "name": "西湖街道社区事务受理服务中心",
    "address": "西湖路 9 号",
    "morning_opens": "09:00",
    "morning_closes": "12:00",
    "afternoon_opens": "13:30",
    "afternoon_closes": "17:30",
    "booking_days_ahead": 5,
}


def _json(client, method, url, body=None):
    return getattr(client, method)(url, body or {}, content_type="application/json")


def test_the_office_creates_changes_and_reads_a_center(bureau):
    client = verified_client(bureau["officer"])
    subdistrict = SubdistrictFactory(agency=bureau["agency"], name="西湖街道")
    response = _json(client, "post", f"{BASE}/", {**BODY, "subdistrict": str(subdistrict.pk)})
    assert response.status_code == 201, response.json()
    data = response.json()
    center = ServiceCenter.objects.get()
    assert data == {
        "id": str(center.pk),
        "agency": bureau["agency"].name,
        "agency_id": str(bureau["agency"].pk),
        "name": "西湖街道社区事务受理服务中心",
        "subdistrict": "西湖街道",
        "subdistrict_id": str(subdistrict.pk),
        "address": "西湖路 9 号",
        "phone": "",
        "morning_opens": "09:00",
        "morning_closes": "12:00",
        "afternoon_opens": "13:30",
        "afternoon_closes": "17:30",
        "booking_days_ahead": 5,
        "active": True,
        "items": [],
    }
    # Change: no afternoon any more
    response = _json(
        client,
        "patch",
        f"{BASE}/{center.pk}",
        {"afternoon_opens": None, "afternoon_closes": None, "phone": "021-1234 5678"},
    )
    assert response.status_code == 200
    assert (response.json()["afternoon_opens"], response.json()["phone"]) == (
        None,
        "021-1234 5678",
    )
    # An item
    item = published_item(bureau, code="501", name="婚姻登记")
    response = _json(
        client,
        "post",
        f"{BASE}/{center.pk}/items",
        {"item": str(item.pk), "slot_minutes": 15, "capacity": 3},
    )
    assert response.status_code == 201
    added = CenterItem.objects.get()
    assert response.json() == {
        "id": str(added.pk),
        "center": str(center.pk),
        "item": str(item.pk),
        "item_name": "婚姻登记",
        "department": bureau["relief"].name,
        "item_active": True,
        "bookable": True,
        "slot_minutes": 15,
        "capacity": 3,
    }
    response = _json(client, "patch", f"{BASE}/items/{added.pk}", {"capacity": 6})
    assert response.status_code == 200 and response.json()["capacity"] == 6
    # Read back
    listing = client.get(f"{BASE}/").json()
    assert [c["id"] for c in listing["items"]] == [str(center.pk)]
    detail = client.get(f"{BASE}/{center.pk}").json()
    assert [i["item_name"] for i in detail["items"]] == ["婚姻登记"]


@pytest.mark.parametrize(
    ("over", "code"),
    [
        ({"morning_closes": "08:00"}, "morning_order"),
        ({"afternoon_closes": None}, "afternoon_incomplete"),
        ({"morning_opens": "25:00"}, "morning_invalid"),
        ({"name": " "}, "name_required"),
        ({"subdistrict": "999999"}, "subdistrict_invalid"),
        ({"booking_days_ahead": 0}, "invalid_input"),
    ],
)
def test_bad_input_is_422_with_the_code(bureau, over, code):
    client = verified_client(bureau["officer"])
    response = _json(client, "post", f"{BASE}/", {**BODY, **over})
    assert response.status_code == 422
    assert response.json()["code"] == code
    assert not ServiceCenter.objects.exists()


def test_items_refused(bureau):
    world = open_center(bureau)
    client = verified_client(bureau["officer"])
    url = f"{BASE}/{world.center.pk}/items"
    response = _json(client, "post", url, {"item": str(world.item.pk)})
    assert response.status_code == 422 and response.json()["code"] == "item_taken"
    response = _json(client, "post", url, {"item": "999999"})
    assert response.status_code == 422 and response.json()["code"] == "item_invalid"
    other = published_item(bureau, code="502", name="收养登记")
    response = _json(client, "post", url, {"item": str(other.pk), "slot_minutes": 240})
    assert response.status_code == 422 and response.json()["code"] == "slot_too_long"
    response = _json(client, "post", url, {"item": str(other.pk), "capacity": 501})
    assert response.status_code == 422 and response.json()["code"] == "invalid_input"
    assert CenterItem.objects.count() == 1


def test_roles_and_agencies(bureau):
    world = open_center(bureau)
    clerk = verified_client(bureau["clerk"])
    assert clerk.get(f"{BASE}/{world.center.pk}").status_code == 200
    assert _json(clerk, "post", f"{BASE}/", BODY).status_code == 403
    response = _json(clerk, "patch", f"{BASE}/{world.center.pk}", {"name": "改名"})
    assert response.status_code == 403
    response = _json(clerk, "patch", f"{BASE}/items/{world.center_item.pk}", {"capacity": 9})
    assert response.status_code == 403
    overseer = verified_client(user_with_role(Role.DISTRICT_OVERSEER, agency=bureau["agency"]))
    assert overseer.get(f"{BASE}/{world.center.pk}").status_code == 200
    response = _json(overseer, "patch", f"{BASE}/{world.center.pk}", {"name": "改名"})
    assert response.status_code == 403
    supervisor = verified_client(user_with_role(Role.SUPERVISOR, agency=bureau["agency"]))
    assert supervisor.get(f"{BASE}/").status_code == 403
    other = verified_client(bureau["other_officer"])
    assert other.get(f"{BASE}/{world.center.pk}").status_code == 404
    response = _json(other, "patch", f"{BASE}/{world.center.pk}", {"name": "改名"})
    assert response.status_code == 404
    assert other.get(f"{BASE}/?agency={bureau['agency'].pk}").status_code == 404
    response = _json(other, "post", f"{BASE}/", {**BODY, "agency": str(bureau["agency"].pk)})
    assert response.status_code == 404
    world.center.refresh_from_db()
    world.center_item.refresh_from_db()
    assert (world.center.name, world.center_item.capacity) == ("示范街道社区事务受理服务中心", 5)
