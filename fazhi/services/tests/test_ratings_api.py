"""The ratings API: staff list and detail (scoped), the loop's actions, appeals, statistics, the
counter rating and links; the public check, submit by token and figures. 401/403/404/409/410/
422/429 in the project's error shape."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.utils import timezone

from fazhi.core.roles import Role
from fazhi.services.models.ratings import Rating, RatingAppeal
from fazhi.services.services import ratings as services
from fazhi.services.tests.test_ratings_setup import (  # noqa: F401 - fixtures
    MOBILE,
    concluded_case,
    schedule_fixture,
    token_of,
    world_fixture,
)
from fazhi.testing.clients import verified_client
from fazhi.testing.factories import user_with_role

pytestmark = pytest.mark.django_db
BASE = "/api/services/ratings"
PUBLIC = "/api/public/services/ratings"
RATED_ON = date(2026, 9, 30)


def post(client, url, body=None):
    return client.post(url, body or {}, content_type="application/json")


def bad_rating(world) -> Rating:
    _case, links = concluded_case(world)
    return services.rating_submit(
        channel="online", token=token_of(links["online"]), level=5, comment="太慢", on=RATED_ON
    )


def test_the_list_is_scoped_and_paginated(world):
    relief = bad_rating(world)
    case, _links = concluded_case(world, item=world["social_item"])
    social = services.rating_submit(
        channel="counter", case=case, actor=world["other_clerk"], level=1
    )
    office = verified_client(world["officer"]).get(f"{BASE}/").json()
    assert [i["id"] for i in office["items"]] == [str(social.pk), str(relief.pk)]
    first = office["items"][1]
    assert (first["level_label"], first["bad"], first["item_name"], first["center_name"]) == (
        "非常不满意",
        True,
        "最低生活保障申请",
        "东湖街道社区事务受理服务中心",
    )
    assert first["follow_up"]["state"] == "awaiting_callback"
    assert first["follow_up"]["due_on"] == "2026-10-08"
    own = verified_client(world["other_clerk"]).get(f"{BASE}/").json()
    assert [i["id"] for i in own["items"]] == [str(social.pk)]
    page = verified_client(world["officer"]).get(f"{BASE}/", {"limit": "1"}).json()
    assert len(page["items"]) == 1 and page["next_cursor"]
    bad_only = verified_client(world["officer"]).get(f"{BASE}/", {"bad": "true"}).json()
    assert [i["id"] for i in bad_only["items"]] == [str(relief.pk)]
    assert verified_client(world["officer"]).get(f"{BASE}/", {"level": "9"}).status_code == 422
    supervisor = user_with_role(Role.SUPERVISOR, agency=world["agency"])
    assert verified_client(supervisor).get(f"{BASE}/").status_code == 403
    assert Client().get(f"{BASE}/").status_code == 401


def test_the_loop_through_the_api(world):
    rating = bad_rating(world)
    url = f"{BASE}/{rating.pk}"
    clerk = verified_client(world["clerk"])
    head = verified_client(world["head"])
    detail = clerk.get(url).json()
    assert detail["follow_up_detail"]["available_actions"] == [
        {"name": "record_callback", "label": "登记回访"}
    ]
    assert (
        verified_client(world["officer"]).get(url).json()["follow_up_detail"]["available_actions"]
        == []
    )
    # Refusals: another agency 404, a reading role 403, out of order 409, bad input 422
    stranger = verified_client(world["stranger_officer"])
    assert post(stranger, f"{url}/actions/record_callback", {"note": "x"}).status_code == 404
    leader = post(verified_client(world["leader"]), f"{url}/actions/record_callback", {"note": "x"})
    assert (leader.status_code, leader.json()["code"]) == (403, "not_responsible_department")
    early = post(head, f"{url}/actions/verify", {"verdict": "valid", "note": "x"})
    assert (early.status_code, early.json()["code"]) == (409, "state_changed")
    empty = post(clerk, f"{url}/actions/record_callback", {"note": ""})
    assert (empty.status_code, empty.json()["code"]) == (422, "callback_note_required")
    unknown = post(clerk, f"{url}/actions/close", {})
    assert (unknown.status_code, unknown.json()["code"]) == (422, "unknown_action")
    bad_date = post(clerk, f"{url}/actions/record_callback", {"note": "x", "called_back_on": "26"})
    assert bad_date.status_code == 422
    # The steps
    done = post(
        clerk, f"{url}/actions/record_callback", {"note": "已回访", "called_back_on": "2026-10-08"}
    )
    assert done.status_code == 200
    assert done.json()["follow_up_detail"]["state"] == "verifying"
    assert (
        post(head, f"{url}/actions/verify", {"verdict": "valid", "note": "属实"}).status_code == 200
    )
    finding = post(head, f"{url}/actions/open_finding", {"severity": "minor"}).json()
    assert finding["follow_up_detail"]["finding_ref"].startswith("oversight.finding:")
    assert post(clerk, f"{url}/actions/record_fix", {"note": "已整改"}).status_code == 200
    answered = post(clerk, f"{url}/actions/send_answer", {"answer": "已整改，谢谢"}).json()
    assert answered["follow_up_detail"]["state"] == "answered"
    assert answered["follow_up_detail"]["available_actions"] == []
    verbs = [e["verb"] for e in answered["follow_up_detail"]["timeline"]]
    assert verbs[0] == "services.follow_up.open"
    assert verbs[-1] == "services.badreviewfollowup.send_answer"


def test_appeals_through_the_api(world):
    rating = bad_rating(world)
    head = verified_client(world["head"])
    assert (
        post(
            verified_client(world["clerk"]), f"{BASE}/{rating.pk}/appeals", {"reason": "误评"}
        ).status_code
        == 403
    )
    assert post(head, f"{BASE}/{rating.pk}/appeals", {"reason": ""}).status_code == 422
    filed = post(head, f"{BASE}/{rating.pk}/appeals", {"reason": "误评"})
    assert filed.status_code == 201
    appeal_id = filed.json()["id"]
    assert post(head, f"{BASE}/{rating.pk}/appeals", {"reason": "再次"}).status_code == 409
    pending = verified_client(world["officer"]).get(f"{BASE}/appeals", {"state": "pending"}).json()
    assert [a["id"] for a in pending["items"]] == [appeal_id]
    assert post(head, f"{BASE}/appeals/{appeal_id}/decide", {"approve": True}).status_code == 403
    assert post(
        verified_client(world["stranger_officer"]), f"{BASE}/appeals/{appeal_id}/decide",
        {"approve": True},
    ).status_code == 404  # fmt: skip
    decided = post(
        verified_client(world["officer"]), f"{BASE}/appeals/{appeal_id}/decide", {"approve": True}
    )
    assert (decided.status_code, decided.json()["state"]) == (200, "approved")
    assert RatingAppeal.objects.get().state == "approved"
    detail = verified_client(world["officer"]).get(f"{BASE}/{rating.pk}").json()
    assert detail["excluded"] is True and detail["follow_up"]["overdue"] is False


def test_statistics_through_the_api(world):
    bad_rating(world)
    case, _links = concluded_case(world, item=world["social_item"])
    services.rating_submit(
        channel="counter", case=case, actor=world["other_clerk"], level=3, on=RATED_ON
    )
    data = (
        verified_client(world["leader"])
        .get(f"{BASE}/statistics", {"year": "2026", "by": "department"})
        .json()
    )
    assert [(r["label"], r["total"], r["satisfaction_rate"]) for r in data["rows"]] == [
        ("社会救助科", 1, "0.00"),
        ("社会组织管理科", 1, "100.00"),
    ]
    assert (data["total"]["total"], data["total"]["satisfaction_rate"]) == (2, "50.00")
    assert data["total"]["levels"] == {"1": 0, "2": 0, "3": 1, "4": 0, "5": 1}
    assert data["total"]["fix_rate"] == "0.00"
    assert data["total"]["callback_rate"] is None
    assert "满意率" in data["definitions"]
    refused = verified_client(world["leader"]).get(f"{BASE}/statistics", {"by": "weather"})
    assert refused.status_code == 422


def test_counter_ratings_and_links_through_the_api(world):
    case, links = concluded_case(world, phone=MOBILE)
    clerk = verified_client(world["clerk"])
    body = {"case": str(case.pk), "level": 4, "reasons": ["attitude_bad"], "comment": "态度差"}
    created = post(clerk, f"{BASE}/counter", body)
    assert created.status_code == 201
    assert (created.json()["channel"], created.json()["follow_up"]["state"]) == (
        "counter",
        "awaiting_callback",
    )
    again = post(clerk, f"{BASE}/counter", body)
    assert (again.status_code, again.json()["code"]) == (409, "already_rated")
    assert post(verified_client(world["stranger"]), f"{BASE}/counter", body).status_code == 404
    assert post(verified_client(world["leader"]), f"{BASE}/counter", body).status_code == 403
    assert post(clerk, f"{BASE}/counter", {**body, "level": 6}).status_code == 422
    odd = post(clerk, f"{BASE}/counter", {**body, "reasons": ["bribery"]})
    assert (odd.status_code, odd.json()["code"]) == (422, "reason_unknown")
    link = post(clerk, f"{BASE}/links", {"case": str(case.pk), "channel": "online"}).json()
    assert link["path"].startswith("/services/ratings/r/") and link["path"] != links["online"]
    sms = post(clerk, f"{BASE}/links", {"case": str(case.pk), "channel": "sms"}).json()
    assert sms == {"channel": "sms", "path": "", "sent_to": "138****5678"}
    assert Rating.objects.count() == 1


def test_the_public_check_submit_and_figures(world):
    _case, links = concluded_case(world)
    token = token_of(links["online"])
    citizen = Client()
    checked = post(citizen, f"{PUBLIC}/check", {"token": token}).json()
    assert (checked["item"], checked["channel"], checked["agency"]) == (
        "最低生活保障申请",
        "online",
        "示例区民政局",
    )
    assert [r["code"] for r in checked["bad_reasons"]][:2] == ["attitude_bad", "slow"]
    unknown = post(citizen, f"{PUBLIC}/check", {"token": "x" * 43})
    assert (unknown.status_code, unknown.json()["code"]) == (404, "rating_link_unknown")
    wrong = post(citizen, f"{PUBLIC}/submit", {"token": token, "level": 1, "reasons": ["slow"]})
    assert (wrong.status_code, wrong.json()["code"]) == (422, "reason_side")
    done = post(citizen, f"{PUBLIC}/submit", {"token": token, "level": 2, "reasons": ["fair"]})
    assert done.status_code == 201
    assert done.json()["bad"] is False
    used = post(citizen, f"{PUBLIC}/submit", {"token": token, "level": 5})
    assert (used.status_code, used.json()["code"]) == (410, "rating_link_used")
    assert post(citizen, f"{PUBLIC}/check", {"token": token}).status_code == 410
    figures = citizen.get(f"{PUBLIC}/figures", {"year": str(timezone.localdate().year)}).json()
    assert figures["total"] == {
        "label": "合计",
        "total": 1,
        "satisfaction_rate": "100.00",
        "bad": 0,
        "fix_rate": None,
    }
    # Rated today through the public link
    assert [r["label"] for r in figures["by_month"]] == [f"{timezone.localdate().month}月"]
    assert citizen.get(f"{PUBLIC}/figures", {"agency": "abc"}).status_code == 404
    assert citizen.get(f"{PUBLIC}/figures", {"year": "1999"}).status_code == 422


def test_the_public_submit_is_rate_limited(world, settings):
    settings.FAZHI_RATE_LIMITS = {**settings.FAZHI_RATE_LIMITS, "public_form": 1}
    _case, links = concluded_case(world)
    citizen = Client()
    body = {"token": token_of(links["online"]), "level": 1}
    assert post(citizen, f"{PUBLIC}/submit", {**body, "reasons": ["slow"]}).status_code == 422
    limited = post(citizen, f"{PUBLIC}/submit", body)
    assert (limited.status_code, limited.json()["code"]) == (429, "rate_limited")
    assert not Rating.objects.exists()
