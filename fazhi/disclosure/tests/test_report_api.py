"""The annual report through the API: the whole way with a bearer token, each refusal with its
status and code and nothing saved, and the public read routes (published reports only)."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.test import Client
from docx import Document
from openpyxl import load_workbook

from fazhi.api.tokens import token_create
from fazhi.core.roles import Role
from fazhi.disclosure.models import AnnualReport, DisclosureRequest
from fazhi.disclosure.tests.conftest import registered
from fazhi.testing.factories import user_with_role

pytestmark = pytest.mark.django_db

BASE = "/api/disclosure/reports"
PUBLIC = "/api/public/disclosure/reports"
TEXTS = {"overview": "总体情况。", "problems": "存在问题。", "other_matters": "无。"}
FIGURES = {
    "penalty": {"decisions": 3},
    "coercion": {"decisions": 0},
    "fees": {"amount": "1.2345"},
}


def as_user(user) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token_create(user=user)[1]}")


def send(client, method, path, body=None):
    return getattr(client, method)(f"{BASE}{path}", body or {}, content_type="application/json")


def ok(response, status=200) -> dict:
    assert response.status_code == status, response.content.decode()
    return response.json()


def refused(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content.decode()
    body = response.json()
    assert body["code"] == code, body
    assert body["message"]
    return body


def test_the_whole_way(office):
    client = as_user(office["officer"])
    report = ok(send(client, "post", "/", {"year": 2025}), 201)
    assert (report["state"], report["due_on"], report["tables_frozen"]) == (
        "draft",
        "2026-01-31",
        False,
    )
    assert report["tables"]["two"]["blocks"][0]["header"] == "第二十条第（一）项"
    path = f"/{report['id']}"
    report = ok(send(client, "patch", path, {**TEXTS, "manual_figures": FIGURES}))
    assert report["manual_figures"]["fees"] == {"amount": "1.2345"}
    assert [a["name"] for a in report["available_actions"]] == ["finalise"]
    report = ok(send(client, "post", f"{path}/finalise", {"expected_state": "draft"}))
    assert report["state"] == "final" and report["tables_frozen"]
    assert {a["name"] for a in report["available_actions"]} == {"reopen", "publish"}
    report = ok(send(client, "post", f"{path}/publish", {}))
    assert report["state"] == "published" and report["published_on"]
    listing = ok(send(client, "get", "/"))
    assert [item["id"] for item in listing["items"]] == [report["id"]]
    response = client.get(f"{BASE}{path}/docx")
    assert response.status_code == 200
    assert (
        Document(io.BytesIO(response.content))
        .paragraphs[0]
        .text.endswith("2025年政府信息公开工作年度报告")
    )
    response = client.get(f"{BASE}{path}/xlsx")
    assert len(load_workbook(io.BytesIO(response.content)).sheetnames) == 3


def test_refusals_have_their_status_and_code_and_save_nothing(office):
    officer = as_user(office["officer"])
    refused(send(officer, "post", "/", {"year": 2018}), 422, "year_too_early")
    refused(send(officer, "post", "/", {"year": "abcd"}), 422, "invalid_year")
    refused(send(as_user(office["clerk"]), "post", "/", {"year": 2025}), 403, "not_allowed")
    refused(send(as_user(office["leader"]), "post", "/", {"year": 2025}), 403, "not_allowed")
    report = ok(send(officer, "post", "/", {"year": 2025}), 201)
    refused(send(officer, "post", "/", {"year": 2025}), 409, "report_exists")
    path = f"/{report['id']}"
    body = refused(
        send(
            officer,
            "patch",
            path,
            {"overview": "写了", "manual_figures": {"fees": {"amount": "-1"}}},
        ),
        422,
        "invalid_amount",
    )
    assert "行政事业性收费" in body["message"]
    refused(
        send(officer, "patch", path, {"manual_figures": {"penalty": {"decisions": 1.5}}}),
        422,
        "invalid_figure",
    )
    assert AnnualReport.objects.get().overview == ""
    refused(send(officer, "post", f"{path}/finalise"), 409, "sections_required")
    refused(send(officer, "post", f"{path}/publish"), 409, "not_final")
    refused(send(officer, "post", f"{path}/reopen", {"reason": "x"}), 409, "state_changed")
    refused(
        send(officer, "post", f"{path}/finalise", {"expected_state": "final"}), 409, "state_changed"
    )
    refused(send(as_user(office["leader"]), "patch", path, TEXTS), 403, "not_allowed")
    refused(send(as_user(office["other_officer"]), "get", path), 404, "not_found")
    refused(send(as_user(office["clerk"]), "get", path), 403, "not_allowed")
    refused(send(officer, "get", "/?year=20x5"), 422, "bad_year")
    assert AnnualReport.objects.get().state == "draft"


def test_a_broken_identity_is_a_409_naming_the_cell(office):
    request = registered(office, received_on=date(2025, 3, 3))
    DisclosureRequest.objects.filter(pk=request.pk).update(
        state="closed", outcome="bogus", concluded_on=date(2025, 4, 1)
    )
    officer = as_user(office["officer"])
    report = ok(send(officer, "post", "/", {"year": 2025}), 201)
    path = f"/{report['id']}"
    ok(send(officer, "patch", path, {**TEXTS, "manual_figures": FIGURES}))
    body = refused(send(officer, "post", f"{path}/finalise"), 409, "identity_broken")
    assert "表三“自然人”列：一＋二＝1，三（七）总计＋四＝0" in body["message"]
    assert "表三“自然人”列：一＋二＝1，三（七）总计＋四＝0" in body["detail"]["breaks"]
    assert AnnualReport.objects.get().state == "draft"


def test_public_routes_serve_only_published_reports(office):
    officer = as_user(office["officer"])
    report = ok(send(officer, "post", "/", {"year": 2025}), 201)
    path = f"/{report['id']}"
    ok(send(officer, "patch", path, {**TEXTS, "manual_figures": FIGURES}))
    ok(send(officer, "post", f"{path}/finalise"))
    anonymous = Client()
    assert anonymous.get(f"{PUBLIC}/").json() == []
    assert anonymous.get(f"{PUBLIC}/2025").status_code == 404
    assert anonymous.get(f"{PUBLIC}/2025/docx").status_code == 404
    assert anonymous.get(f"{BASE}/").status_code == 401
    ok(send(officer, "post", f"{path}/publish"))
    listing = anonymous.get(f"{PUBLIC}/").json()
    assert [(r["year"], r["agency_code"]) for r in listing] == [(2025, office["agency"].code)]
    assert "tables" not in listing[0] or listing[0]["tables"] is None
    detail = anonymous.get(f"{PUBLIC}/2025?agency={office['agency'].code}").json()
    assert detail["overview"] == "总体情况。"
    assert detail["tables"]["three"]["rows"][-1]["label"] == "四、结转下年度继续办理"
    assert anonymous.get(f"{PUBLIC}/2025?agency=nope").status_code == 404
    assert anonymous.get(f"{PUBLIC}/2025/xlsx").status_code == 200
    # A district overseer reads through the staff API but does not write.
    overseer = as_user(user_with_role(Role.DISTRICT_OVERSEER, agency=office["agency"]))
    ok(send(overseer, "get", path))
    refused(send(overseer, "post", f"{path}/reopen", {"reason": "x"}), 404, "not_found")


def test_odd_public_queries_are_not_found():
    anonymous = Client()
    assert anonymous.get(f"{PUBLIC}/99999999999").status_code == 404
    assert anonymous.get(f"{PUBLIC}/2025?agency=%00").status_code == 404
    assert anonymous.get("/disclosure/reports/2025/?agency=%00").status_code == 404
    assert anonymous.get("/disclosure/reports/99999999999/").status_code == 404
