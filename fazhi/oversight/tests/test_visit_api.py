"""The visits' API: a supervisor files with photos (ids or multipart), refusals with status and
code, the roster masked, plans, and the inspections' API for a third-party inspector."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from fazhi.core.roles import Role
from fazhi.oversight.models import Finding, Inspection, Mode, Visit
from fazhi.oversight.tests.test_inspection_services import World as InspectionWorld
from fazhi.oversight.tests.test_inspection_services import pdf
from fazhi.oversight.tests.test_visit_services import JPEG_HEAD, World, jpeg
from fazhi.testing.clients import verified_client
from fazhi.testing.factories import user_with_role


@pytest.fixture(autouse=True)
def schedule(db):
    from fazhi.core.calendar import services as calendar_services

    calendar_services.calendar_import(years=[2025, 2026], actor_name="test")


@pytest.fixture
def world(db):
    return World()


def body(world, **changes):
    data = {
        "visited_on": world.today.isoformat(),
        "place": "婚姻登记处窗口",
        "department": str(world.window.pk),
        "mode": Mode.OPEN,
        "scores": {str(i.pk): 8 for i in world.items},
    }
    data.update(changes)
    return data


def post_json(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def test_a_supervisor_files_with_photo_ids_and_a_problem(world):
    client = verified_client(world.user)
    upload = client.post("/api/files/", {"purpose": "oversight_visit_photo", "file": jpeg()})
    assert upload.status_code == 201, upload.content
    photo_id = upload.json()["id"]
    response = post_json(
        client,
        "/api/oversight/visits/",
        body(world, problem="窗口无人值守", photos=[photo_id]),
    )
    assert response.status_code == 201, response.content
    out = response.json()
    assert (out["total_points"], out["max_points"]) == (40, 50)
    assert out["finding"]["title"] == "窗口无人值守"
    assert out["finding"]["state"] == "awaiting_measures"
    assert [p["id"] for p in out["photos"]] == [photo_id]
    assert Finding.objects.get().evidence.get().pk == int(photo_id)
    listed = client.get("/api/oversight/visits/").json()
    assert [v["id"] for v in listed["items"]] == [out["id"]]


def test_multipart_filing_and_a_large_photo_refused(world):
    client = verified_client(world.user)
    ok = client.post(
        "/api/oversight/visits/multipart",
        {"data": json.dumps(body(world)), "photos": [jpeg("a.jpg"), jpeg("b.jpg")]},
    )
    assert ok.status_code == 201, ok.content
    assert len(ok.json()["photos"]) == 2
    big = SimpleUploadedFile("big.jpg", JPEG_HEAD + bytes(50 * 1024 * 1024), "image/jpeg")
    refused = client.post(
        "/api/oversight/visits/multipart",
        {"data": json.dumps(body(world, problem="x")), "photos": [big]},
    )
    assert refused.status_code == 422
    assert refused.json()["code"] == "photo_too_large"
    assert Visit.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "status", "code"),
    [
        ({"visited_on": "2099-01-01"}, 422, "date_in_future"),
        ({"scores": {}}, 422, "score_required"),
        ({"department": ""}, 422, "department_required"),
        ({"mode": "secret"}, 422, "mode_invalid"),
    ],
)
def test_bad_input_is_refused(world, changes, status, code):
    if changes.get("visited_on") == "2099-01-01":
        changes["visited_on"] = (world.today + timedelta(days=1)).isoformat()
    if changes.get("scores") == {}:
        changes["scores"] = {str(world.items[0].pk): 5}
    response = post_json(
        verified_client(world.user), "/api/oversight/visits/", body(world, **changes)
    )
    assert response.status_code == status
    assert response.json()["code"] == code
    assert not Visit.objects.exists()


def test_score_out_of_range_and_filing_for_someone_else(world):
    client = verified_client(world.user)
    high = body(world, scores={str(i.pk): 11 for i in world.items})
    assert post_json(client, "/api/oversight/visits/", high).json()["code"] == "score_out_of_range"
    other = body(world, supervisor=str(world.supervisor.pk + 1000))
    assert post_json(client, "/api/oversight/visits/", other).status_code == 403
    assert (
        post_json(verified_client(world.officer), "/api/oversight/visits/", body(world)).status_code
        == 403
    )
    assert not Visit.objects.exists()


def test_the_roster_is_masked_and_kept_by_the_legal_office(world):
    office = verified_client(world.officer)
    roster = office.get("/api/oversight/visits/supervisors/").json()
    assert roster[0]["phone_masked"] == "138****8000"
    assert "13800138000" not in json.dumps(roster)
    added = post_json(
        office,
        "/api/oversight/visits/supervisors/",
        {
            "name": "陈委员",
            "kind": "cppcc",
            "phone": "13900139000",
            "term_start": "2025-01-01",
            "term_end": "2026-12-31",
        },
    )
    assert added.status_code == 201 and added.json()["phone_masked"] == "139****9000"
    assert verified_client(world.user).get("/api/oversight/visits/supervisors/").status_code == 403
    leader = post_json(
        verified_client(world.leader),
        "/api/oversight/visits/supervisors/",
        {"name": "x", "kind": "cppcc", "term_start": "2025-01-01", "term_end": "2026-12-31"},
    )
    assert leader.status_code == 403


def test_plans_through_the_api_hide_unannounced_from_the_department(world):
    office = verified_client(world.officer)
    created = post_json(
        office,
        "/api/oversight/visits/plans/",
        {
            "month": world.today.isoformat(),
            "supervisor": str(world.supervisor.pk),
            "place": "婚姻登记处窗口",
            "department": str(world.window.pk),
            "mode": Mode.UNANNOUNCED,
        },
    )
    assert created.status_code == 201, created.content
    assert [
        p["place"] for p in verified_client(world.user).get("/api/oversight/visits/plans/").json()
    ] == ["婚姻登记处窗口"]
    assert verified_client(world.head).get("/api/oversight/visits/plans/").json() == []


def test_the_legal_office_turns_remarks_into_a_finding(world):
    visit = world.file(remarks="等候区没有饮水设施。")
    response = post_json(
        verified_client(world.officer), f"/api/oversight/visits/{visit.pk}/finding", {}
    )
    assert response.status_code == 200
    assert response.json()["finding"]["title"] == "等候区没有饮水设施。"
    again = post_json(
        verified_client(world.officer), f"/api/oversight/visits/{visit.pk}/finding", {}
    )
    assert again.status_code == 409


def test_other_agencies_get_404(world):
    visit = world.file()
    stranger = verified_client(user_with_role(Role.LEGAL_OFFICER))
    assert stranger.get(f"/api/oversight/visits/{visit.pk}").status_code == 404


# --- Inspections ---------------------------------------------------------------------------------


def test_an_inspector_works_through_the_inspections_api(db):
    w = InspectionWorld()
    client = verified_client(w.inspector)
    created = post_json(
        client,
        "/api/oversight/inspections/",
        {
            "kind": "third_party",
            "contract": str(w.contract.pk),
            "subdistrict": str(w.east.pk),
            "inspected_from": (w.today - timedelta(days=5)).isoformat(),
            "inspected_to": (w.today - timedelta(days=1)).isoformat(),
            "summary": "总体规范",
            "score": "88",
        },
    )
    assert created.status_code == 201, created.content
    inspection_id = created.json()["id"]
    report = client.post(f"/api/oversight/inspections/{inspection_id}/report", {"file": pdf()})
    assert report.status_code == 200 and report.json()["report"]["name"] == "专项报告.pdf"
    finding = post_json(
        client,
        f"/api/oversight/inspections/{inspection_id}/findings",
        {"title": "台账缺失", "description": "3户缺复核记录", "department": str(w.assistance.pk)},
    )
    assert finding.status_code == 201
    assert finding.json()["findings"][0]["department_name"] == "社会救助科"
    submitted = client.post(f"/api/oversight/inspections/{inspection_id}/submit")
    assert submitted.json()["state"] == "submitted"
    assert client.post(f"/api/oversight/inspections/{inspection_id}/submit").status_code == 409
    # Outside the contract: a subdistrict not in it 403, a contract not theirs 404.
    outside = post_json(
        client,
        "/api/oversight/inspections/",
        {
            "kind": "third_party",
            "contract": str(w.contract.pk),
            "subdistrict": str(w.north.pk),
            "inspected_from": w.today.isoformat(),
            "inspected_to": w.today.isoformat(),
        },
    )
    assert outside.status_code == 403
    stranger = verified_client(w.other_inspector)
    assert stranger.get(f"/api/oversight/inspections/{inspection_id}").status_code == 404
    assert (
        post_json(
            stranger,
            "/api/oversight/inspections/",
            {
                "kind": "third_party",
                "contract": str(w.contract.pk),
                "subdistrict": str(w.east.pk),
                "inspected_from": w.today.isoformat(),
                "inspected_to": w.today.isoformat(),
            },
        ).status_code
        == 404
    )
    assert Inspection.objects.count() == 1
    results = verified_client(w.leader).get("/api/oversight/inspections/results/").json()
    east = next(r for r in results if r["subdistrict_name"] == "东湖街道")
    assert (east["latest_score"], east["findings"], east["open"]) == ("88.0", 1, 1)
    assert client.get("/api/oversight/inspections/results/").status_code == 403
