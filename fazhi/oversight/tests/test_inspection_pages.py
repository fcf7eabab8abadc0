"""The inspection pages: an inspector's flow, refusals, results by subdistrict, constant queries."""

from __future__ import annotations

from datetime import timedelta

import pytest

from fazhi.oversight.models import Finding, Inspection
from fazhi.oversight.services import inspections as services
from fazhi.oversight.tests.test_inspection_services import World, pdf
from fazhi.testing.clients import verified_client
from fazhi.testing.queries import assert_constant_queries


@pytest.fixture
def world(db):
    from fazhi.core.calendar import services as calendar_services

    calendar_services.calendar_import(years=[2025, 2026], actor_name="test")
    return World()


def test_an_inspector_creates_uploads_records_and_submits_on_the_pages(world):
    client = verified_client(world.inspector)
    page = client.get("/staff/oversight/inspections/new/?third_party=1").content.decode()
    assert "东湖街道" in page and "北塘镇" not in page
    response = client.post(
        "/staff/oversight/inspections/new/?third_party=1",
        {
            "scope": f"{world.contract.pk}:{world.east.pk}",
            "inspected_from": (world.today - timedelta(days=3)).isoformat(),
            "inspected_to": world.today.isoformat(),
            "summary": "低保审核总体规范。",
            "score": "85.5",
        },
    )
    assert response.status_code == 302, response.content.decode()[:500]
    inspection = Inspection.objects.get()
    url = f"/staff/oversight/inspections/{inspection.pk}/"
    assert client.post(url + "report/", {"report": pdf()}).status_code == 302
    assert (
        client.post(
            url + "findings/",
            {
                "title": "复核台账不全",
                "description": "3户缺年度复核记录。",
                "severity": "general",
                "department": str(world.assistance.pk),
            },
        ).status_code
        == 302
    )
    assert client.post(url + "submit/").status_code == 302
    inspection.refresh_from_db()
    assert inspection.state == Inspection.State.SUBMITTED
    assert Finding.objects.get().subdistrict == world.east
    # Locked: recording another finding is refused with 409 and writes nothing.
    again = client.post(
        url + "findings/",
        {
            "title": "x",
            "description": "x",
            "severity": "general",
            "department": str(world.assistance.pk),
        },
    )
    assert again.status_code == 409 and Finding.objects.count() == 1
    results = (
        verified_client(world.leader).get("/staff/oversight/inspections/results/").content.decode()
    )
    assert "85.5" in results
    assert client.get("/staff/oversight/inspections/results/").status_code == 403


def test_a_report_of_the_wrong_type_is_refused_with_422(world):
    inspection = world.third_party()
    from django.core.files.uploadedfile import SimpleUploadedFile

    image = SimpleUploadedFile("报告.png", b"\x89PNG\r\n\x1a\n" + bytes(50), "image/png")
    response = verified_client(world.inspector).post(
        f"/staff/oversight/inspections/{inspection.pk}/report/", {"report": image}
    )
    assert response.status_code == 422
    inspection.refresh_from_db()
    assert inspection.report is None


def test_another_inspector_gets_404(world):
    inspection = world.third_party()
    client = verified_client(world.other_inspector)
    assert client.get(f"/staff/oversight/inspections/{inspection.pk}/").status_code == 404
    assert client.post(f"/staff/oversight/inspections/{inspection.pk}/submit/").status_code == 404


def test_the_legal_office_registers_a_contract_on_the_page(world):
    client = verified_client(world.officer)
    response = client.post(
        "/staff/oversight/inspections/contracts/",
        {
            "organisation": "某评估公司",
            "contract_number": "HT-2",
            "scope": "养老机构检查",
            "period_start": world.today.isoformat(),
            "period_end": world.today.isoformat(),
            "subdistricts": [str(world.north.pk)],
            "inspectors": [str(world.other_inspector.pk)],
        },
    )
    assert response.status_code == 302
    assert (
        verified_client(world.other_inspector)
        .get("/staff/oversight/inspections/contracts/")
        .content.decode()
        .count("某评估公司")
        == 1
    )


def test_the_lists_cost_the_same_queries_for_more_rows(world):
    client = verified_client(world.officer)
    counter = iter(range(1000))

    def grow(n):
        for _ in range(n):
            i = next(counter)
            inspection = world.third_party(subdistrict=world.east if i % 2 else world.west)
            services.inspection_record_finding(
                actor=world.inspector,
                inspection=inspection,
                title=f"问题{i}",
                description="x",
                department=world.assistance,
            )

    assert_constant_queries(
        lambda: (
            client.get("/staff/oversight/inspections/"),
            client.get("/staff/oversight/inspections/results/"),
            client.get("/staff/oversight/inspections/contracts/"),
        ),
        grow,
    )
