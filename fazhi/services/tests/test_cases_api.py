"""The cases API: register (201 / 200 for a repeated external reference), list, detail, one
route per step, reveal, lookup (400 for a bad check digit), figures; 403 roles, 404 another
agency, 409 state, 422 bad input."""

from __future__ import annotations

from datetime import date

import pytest

from fazhi.core.models import Event
from fazhi.services.models import ServiceCase
from fazhi.services.tests.test_cases_setup import (  # noqa: F401 - fixtures
    bad_check_digit,
    decided,
    office_fixture,
    register,
    resident_id,
)
from fazhi.testing.clients import verified_client

pytestmark = pytest.mark.django_db
BASE = "/api/services/cases"
MON = date(2026, 3, 2)


def post(client, url, body=None):
    return client.post(url, body or {}, content_type="application/json")


def online(office, **over):
    office["item"].online = True
    office["item"].save()
    body = {
        "item": str(office["item"].pk),
        "channel": "online",
        "applicant_kind": "person",
        "applicant_name": "王小明",
        "resident_id": resident_id(1),
        "phone": "13812345678",
        "external_ref": "YWTB-2026-000001",
    }
    body.update(over)
    return body


def test_the_one_stop_platform_registers_once(office):
    client = verified_client(office["officer"])
    first = post(client, f"{BASE}/", online(office))
    assert first.status_code == 201
    data = first.json()
    assert data["state"] == "received" and data["channel"] == "online"
    assert data["resident_id"] == str(ServiceCase.objects.get().resident_id)
    assert resident_id(1) not in first.content.decode()
    again = post(client, f"{BASE}/", online(office))
    assert again.status_code == 200 and again.json()["id"] == data["id"]
    assert ServiceCase.objects.count() == 1
    other = post(client, f"{BASE}/", online(office, resident_id=resident_id(2)))
    assert (other.status_code, other.json()["code"]) == (409, "external_ref_conflict")


def test_bad_registrations_are_422_with_a_chinese_message(office):
    client = verified_client(office["officer"])
    bad = post(client, f"{BASE}/", online(office, resident_id=bad_check_digit(resident_id(1))))
    assert bad.status_code == 422 and bad.json()["code"] == "resident_id_check_digit"
    assert "校验码" in bad.json()["message"]
    future = post(client, f"{BASE}/", online(office, received_on="2999-01-01"))
    assert future.status_code == 422
    unknown = post(client, f"{BASE}/", online(office, item="999999"))
    assert (unknown.status_code, unknown.json()["code"]) == (422, "item_unknown")
    wrong = post(client, f"{BASE}/", online(office, channel="fax"))
    assert wrong.status_code == 422
    assert not ServiceCase.objects.exists()


def test_roles_and_agencies(office):
    assert post(verified_client(office["leader"]), f"{BASE}/", online(office)).status_code == 403
    overseer = verified_client(office["overseer"])
    assert post(overseer, f"{BASE}/", online(office)).status_code == 403
    case = register(office)
    assert verified_client(office["stranger"]).get(f"{BASE}/{case.pk}").status_code == 404
    body = post(
        verified_client(office["stranger"]),
        f"{BASE}/",
        online(office, agency=str(office["agency"].pk)),
    )
    assert body.status_code == 404
    assert overseer.get(f"{BASE}/{case.pk}").status_code == 200
    assert verified_client(office["social_clerk"]).get(f"{BASE}/{case.pk}").status_code == 404
    assert verified_client(office["clerk"]).get(f"{BASE}/abc").status_code == 404


def test_the_steps_through_the_api(office):
    clerk, head = verified_client(office["clerk"]), verified_client(office["head"])
    case = register(office, received_on=MON)
    url = f"{BASE}/{case.pk}"
    detail = clerk.get(url).json()
    assert {a["name"] for a in detail["available_actions"]} == {"accept", "not_accept"}
    accepted = post(clerk, f"{url}/accept", {"on": "2026-03-02"}).json()
    assert (accepted["state"], accepted["promised_due_on"], accepted["statutory_due_on"]) == (
        "accepted", "2026-03-16", "2026-03-30",
    )  # fmt: skip
    assert "开始当日不计入" in accepted["due_explanation"]["promised"]
    assert post(clerk, f"{url}/accept", {}).status_code == 409
    stale = post(clerk, f"{url}/start_review", {"expected_state": "received"})
    assert (stale.status_code, stale.json()["code"]) == (409, "state_changed")
    assert post(clerk, f"{url}/start_review", {}).status_code == 200
    empty = post(clerk, f"{url}/request_supplement", {"items": [], "on": "2026-03-03"})
    assert (empty.status_code, empty.json()["code"]) == (422, "supplement_items_required")
    paused = post(clerk, f"{url}/request_supplement", {"items": ["收入证明"], "on": "2026-03-03"})
    assert (paused.json()["state"], paused.json()["promised_due_on"]) == ("supplement", None)
    once = post(clerk, f"{url}/receive_supplement", {"on": "2026-03-04"})
    assert once.json()["promised_due_on"] == "2026-03-18"
    again = post(clerk, f"{url}/request_supplement", {"items": ["再要"], "on": "2026-03-04"})
    assert (again.status_code, again.json()["code"]) == (409, "supplement_once")
    proposed = post(clerk, f"{url}/propose", {"decision": "granted", "opinion": "符合条件"})
    assert proposed.json()["proposal"]["label"] == "拟准予"
    assert post(clerk, f"{url}/grant", {"on": "2026-03-05"}).status_code == 403
    assert post(head, f"{url}/deny", {"reason": " ", "on": "2026-03-05"}).status_code == 422
    assert post(head, f"{url}/grant", {"on": "2026-03-05"}).json()["decision"] == "granted"
    concluded = post(clerk, f"{url}/conclude", {"on": "2026-03-06"})
    assert concluded.status_code == 200
    assert concluded.json()["on_time_promised"] is True
    assert isinstance(concluded.json()["rating_links"], dict)
    late = post(clerk, f"{url}/deliver", {"method": "post", "on": "2026-03-05"})
    assert (late.status_code, late.json()["code"]) == (422, "date_before_previous_step")
    delivered = post(clerk, f"{url}/deliver", {"method": "post", "on": "2026-03-09"}).json()
    assert (delivered["state"], delivered["delivery_method"]) == ("delivered", "post")
    verbs = [e["verb"] for e in delivered["timeline"]]
    assert "services.servicecase.deliver" in verbs and "services.cases.propose" in verbs


def test_the_list_pages_by_cursor_and_filters(office):
    for n in range(1, 6):
        register(office, seq=n, received_on=date(2026, 3, n + 1))
    client = verified_client(office["officer"])
    first = client.get(f"{BASE}/", {"limit": "2"}).json()
    assert [i["received_on"] for i in first["items"]] == ["2026-03-06", "2026-03-05"]
    second = client.get(f"{BASE}/", {"limit": "2", "cursor": first["next_cursor"]}).json()
    assert [i["received_on"] for i in second["items"]] == ["2026-03-04", "2026-03-03"]
    last = client.get(f"{BASE}/", {"limit": "2", "cursor": second["next_cursor"]}).json()
    assert ([i["received_on"] for i in last["items"]], last["next_cursor"]) == (
        ["2026-03-02"],
        None,
    )
    ranged = client.get(f"{BASE}/", {"received_from": "2026-03-03", "received_to": "2026-03-04"})
    assert len(ranged.json()["items"]) == 2
    assert client.get(f"{BASE}/", {"state": "nonsense"}).status_code == 422
    assert client.get(f"{BASE}/", {"cursor": "!!"}).status_code == 422
    assert client.get(f"{BASE}/", {"received_from": "03/03"}).status_code == 422


def test_lookup_and_its_bad_number(office):
    case = register(office, seq=3)
    client = verified_client(office["clerk"])
    found = post(client, f"{BASE}/lookup", {"number": resident_id(3), "reason": "核验身份"})
    assert found.status_code == 200
    assert [c["id"] for c in found.json()["cases"]] == [str(case.pk)]
    assert found.json()["masked"] == str(case.resident_id)
    bad = post(
        client, f"{BASE}/lookup", {"number": bad_check_digit(resident_id(3)), "reason": "核验"}
    )
    assert (bad.status_code, bad.json()["code"]) == (400, "resident_id_invalid")
    assert "校验码" in bad.json()["message"]
    assert Event.objects.filter(verb="services.cases.id_lookup").count() == 1
    assert post(verified_client(office["leader"]), f"{BASE}/lookup",
                {"number": resident_id(3), "reason": "x"}).status_code == 403  # fmt: skip


def test_reveal_through_the_api(office):
    case = register(office, seq=4)
    client = verified_client(office["clerk"])
    shown = post(client, f"{BASE}/{case.pk}/reveal", {"field": "phone", "reason": "回访申请人"})
    assert shown.json() == {"field": "phone", "value": "13812345678"}
    assert (
        post(client, f"{BASE}/{case.pk}/reveal", {"field": "phone", "reason": ""}).status_code
        == 422
    )


def test_figures_through_the_api(office):
    decided(office, on=MON, seq=1)
    client = verified_client(office["leader"])
    data = client.get(f"{BASE}/figures", {"year": "2026"}).json()
    licensing = next(r for r in data["decisions"] if r["kind"] == "licensing")
    assert (licensing["granted"], licensing["total"]) == (1, 1)
    assert data["on_time_by_item"] == []
    assert client.get(f"{BASE}/figures", {"year": "1999"}).status_code == 422
