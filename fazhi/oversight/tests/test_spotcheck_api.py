"""The staff API (/api/oversight/spot-checks/) and the public API (/api/public/oversight/)."""

from __future__ import annotations

from fazhi.oversight.models import Finding, SampledFile, SamplingPlan
from fazhi.oversight.tests.spotcheck_fixtures import (  # noqa: F401 - fixture
    Q1,
    bureau_fixture,
    documents,
    pool,
)
from fazhi.testing.clients import verified_client

BASE = "/api/oversight/spot-checks"
CHECKLIST = {
    "name": "规范性文件案卷评查表",
    "population": "normative.documents",
    "excellent_min": "90",
    "pass_min": "60",
    "items": [
        {"text": "经合法性审核", "kind": "veto"},
        {"text": "起草说明完整", "kind": "points", "max_points": "40"},
        {"text": "统一登记编号公布", "kind": "points", "max_points": "60"},
    ],
}


def post(client, path, body):
    return client.post(f"{BASE}{path}", body, content_type="application/json")


def setup_plan(bureau, client, count=3):
    documents(bureau, {"relief": 3, "affairs": 2})
    pool(bureau)
    checklist = post(client, "/checklists", CHECKLIST)
    assert checklist.status_code == 201, checklist.json()
    plan = post(
        client,
        "/plans",
        {
            "title": "2025年第一季度评查",
            "population": "normative.documents",
            "period_start": Q1[0].isoformat(),
            "period_end": Q1[1].isoformat(),
            "method": "count",
            "count": count,
            "min_per_stratum": 1,
            "checklist": checklist.json()["id"],
        },
    )
    assert plan.status_code == 201, plan.json()
    assert plan.json()["available_actions"] == ["draw"]
    return plan.json()


def test_the_whole_round_through_the_api(bureau, client):
    officer = verified_client(bureau["officer"])
    plan = setup_plan(bureau, officer)
    drawn = post(officer, f"/plans/{plan['id']}/actions/draw", {"seed": "api-seed"})
    assert drawn.status_code == 200, drawn.json()
    body = drawn.json()
    assert body["state"] == "drawn" and body["seed"] == "api-seed"
    assert len(body["files"]) == 3 and body["population_size"] == 5
    check = officer.get(f"{BASE}/plans/{plan['id']}/redraw-check").json()
    assert check["same"] is True

    first = SampledFile.objects.order_by("draw_order").first()
    reviewer = verified_client(first.reviewer)
    mine = reviewer.get(f"{BASE}/files?mine=true").json()
    assert str(first.pk) in [f["id"] for f in mine["items"]]
    detail = reviewer.get(f"{BASE}/files/{first.pk}").json()
    assert "review" in detail["available_actions"]
    answers = []
    for item in detail["checklist"]["items"]:
        if item["kind"] == "veto":
            answers.append({"item": item["id"], "passed": True})
        else:
            answers.append({"item": item["id"], "points": "10"})
    reviewed = post(reviewer, f"/files/{first.pk}/actions/review", {"answers": answers})
    assert reviewed.status_code == 200, reviewed.json()
    assert reviewed.json()["rating"] == "fail"
    assert reviewed.json()["score"] == "20.0"
    assert Finding.objects.filter(source_ref=f"oversight.sampledfile:{first.pk}").exists()
    again = post(reviewer, f"/files/{first.pk}/actions/review", {"answers": answers})
    assert again.status_code == 409

    results = officer.get(f"{BASE}/results?plan={plan['id']}").json()
    assert sum(r["failed"] for r in results) == 1

    # The public sees the seed, the population and the draw, without a login.
    public = client.get(f"/api/public/oversight/plans/{plan['id']}").json()
    assert public["seed"] == "api-seed"
    assert len(public["population_files"]) == 5
    assert [d["ref"] for d in public["drawn"]] == [f["case_ref"] for f in body["files"]]
    assert "reviewer" not in str(public["drawn"])
    listing = client.get("/api/public/oversight/plans").json()
    assert [p["id"] for p in listing["items"]] == [plan["id"]]


def test_refusals_have_their_status_and_code(bureau, client):
    officer = verified_client(bureau["officer"])
    plan = setup_plan(bureau, officer, count=9)
    too_many = post(officer, f"/plans/{plan['id']}/actions/draw", {})
    assert too_many.status_code == 422
    assert too_many.json()["code"] == "sample_too_large"
    assert SamplingPlan.objects.get(pk=plan["id"]).state == "draft"
    bad = post(officer, "/plans", {"title": "x"})
    assert bad.status_code == 422
    assert verified_client(bureau["clerk"]).get(f"{BASE}/plans").status_code == 403
    other = verified_client(bureau["other_officer"])
    assert other.get(f"{BASE}/plans/{plan['id']}").status_code == 404
    assert post(other, f"/plans/{plan['id']}/actions/draw", {}).status_code == 404
    leader = verified_client(bureau["leader"])
    assert post(leader, f"/plans/{plan['id']}/actions/draw", {}).status_code == 403
    assert client.get(f"/api/public/oversight/plans/{plan['id']}").status_code == 404
    assert client.get("/api/public/oversight/plans/abc").status_code == 404
    assert client.get(f"{BASE}/plans").status_code == 401


def test_a_reviewer_cannot_read_or_score_anothers_file(bureau):
    officer = verified_client(bureau["officer"])
    plan = setup_plan(bureau, officer)
    post(officer, f"/plans/{plan['id']}/actions/draw", {"seed": "x1"})
    sampled = SampledFile.objects.order_by("draw_order").first()
    other = next(
        bureau[n] for n in ("head", "liaison", "adviser") if bureau[n].pk != sampled.reviewer_id
    )
    client = verified_client(other)
    assert client.get(f"{BASE}/files/{sampled.pk}").status_code == 404
    response = post(client, f"/files/{sampled.pk}/actions/review", {"answers": []})
    assert response.status_code == 404
    checklist_id = SampledFile.objects.first().plan.checklist_id
    retired = post(officer, f"/checklists/{checklist_id}/active", {"active": False})
    assert retired.status_code == 200 and retired.json()["active"] is False
    relief_file = SampledFile.objects.filter(department=bureau["relief"]).first()
    moved = post(
        officer,
        f"/files/{relief_file.pk}/actions/reassign",
        {"reviewer": str(bureau["head"].pk)},
    )
    assert moved.status_code == 422
    assert moved.json()["code"] == "reviewer_own_unit"
