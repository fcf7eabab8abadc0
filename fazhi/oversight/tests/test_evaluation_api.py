"""The evaluation API: everything the pages do, with the same checks and the error shape."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from fazhi.oversight.models import Evaluation, EvaluationScheme
from fazhi.oversight.tests.evaluation_fixtures import bureau, fixed_data_set
from fazhi.testing.clients import verified_client

pytestmark = pytest.mark.django_db
BASE = "/api/oversight/evaluations"


@pytest.fixture
def people(db):
    people = bureau()
    fixed_data_set(people)
    return people


def post(client, path, body=None):
    return client.post(path, body or {}, content_type="application/json")


def test_the_whole_round_through_the_api(people):
    office = verified_client(people["officer"])
    indicators = office.get(f"{BASE}/indicators").json()
    assert {i["key"] for i in indicators} >= {
        "spot_check_score",
        "rectification_on_time",
        "visit_score",
        "committee_timeliness",
    }
    created = post(
        office,
        f"{BASE}/schemes/",
        {
            "name": "科室综合考评",
            "unit_kind": "department",
            "indicators": [
                {"key": "spot_check_score", "weight": "40"},
                {"key": "rectification_on_time", "weight": "30"},
                {"key": "visit_score", "weight": "20"},
            ],
        },
    )
    assert created.status_code == 201, created.json()
    scheme = created.json()
    assert scheme["state"] == "draft" and scheme["weight_sum"] == "90.00"
    refused = post(office, f"{BASE}/schemes/{scheme['id']}/activate")
    assert refused.status_code == 422
    assert refused.json()["code"] == "weights_not_100"
    assert refused.json()["detail"] == {"sum": "90.00"}
    assert "90" in refused.json()["message"]
    patched = office.patch(
        f"{BASE}/schemes/{scheme['id']}",
        {
            "indicators": [
                {"key": "spot_check_score", "weight": 40},
                {"key": "rectification_on_time", "weight": 30},
                {"key": "visit_score", "weight": "30"},
            ]
        },
        content_type="application/json",
    )
    assert patched.status_code == 200 and patched.json()["weight_sum"] == "100.00"
    active = post(office, f"{BASE}/schemes/{scheme['id']}/activate").json()
    assert active["state"] == "active"
    assert [a["name"] for a in active["available_actions"]] == ["new_version"]

    made = post(
        office,
        f"{BASE}/",
        {"scheme": scheme["id"], "period_start": "2025-01-01", "period_end": "2025-12-31"},
    )
    assert made.status_code == 201
    evaluation = made.json()
    assert [a["name"] for a in evaluation["available_actions"]] == ["compute"]
    done = post(office, f"{BASE}/{evaluation['id']}/compute").json()
    assert [(s["unit"], s["total"], s["rank"]) for s in done["scores"]] == [
        ("养老服务科", "82.00", 1),
        ("社会救助科", "67.00", 2),
        ("社会事务科", "67.00", 2),
    ]
    assert done["scores"][1]["breakdown"][0]["basis"] == {
        "reviewed": 2,
        "vetoed": 0,
        "points": 170,
        "max_points": 200,
    }
    stale = post(office, f"{BASE}/{evaluation['id']}/publish", {"expected_state": "draft"})
    assert stale.status_code == 409 and stale.json()["code"] == "state_changed"
    published = post(office, f"{BASE}/{evaluation['id']}/publish").json()
    assert published["state"] == "published" and published["available_actions"] == []
    again = post(office, f"{BASE}/{evaluation['id']}/compute")
    assert again.status_code == 409

    xlsx = office.get(f"{BASE}/{evaluation['id']}/xlsx")
    assert xlsx.status_code == 200
    assert load_workbook(io.BytesIO(xlsx.content)).sheetnames == ["考评排名", "计算依据"]

    version = post(office, f"{BASE}/schemes/{scheme['id']}/new-version")
    assert version.status_code == 201 and version.json()["version"] == 2
    listed = office.get(f"{BASE}/schemes/").json()["items"]
    assert [(s["version"], s["state"]) for s in listed] == [(2, "draft"), (1, "active")]


def test_department_heads_see_published_evaluations_only(people):
    from fazhi.oversight.services import evaluation as services
    from fazhi.oversight.tests.evaluation_fixtures import YEAR_END, YEAR_START, active_scheme

    scheme = active_scheme(people["officer"], people["agency"])
    evaluation = services.evaluation_create(
        actor=people["officer"], scheme=scheme, period_start=YEAR_START, period_end=YEAR_END
    )
    services.evaluation_compute(actor=people["officer"], evaluation=evaluation)
    head = verified_client(people["head"])
    assert head.get(f"{BASE}/").json()["items"] == []
    assert head.get(f"{BASE}/{evaluation.pk}").status_code == 404
    assert head.get(f"{BASE}/schemes/").status_code == 403
    services.evaluation_publish(actor=people["officer"], evaluation=evaluation)
    assert [e["id"] for e in head.get(f"{BASE}/").json()["items"]] == [str(evaluation.pk)]
    assert head.get(f"{BASE}/{evaluation.pk}").json()["available_actions"] == []
    assert post(head, f"{BASE}/{evaluation.pk}/compute").status_code == 403


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"name": "x", "unit_kind": "planet"}, "invalid_unit_kind"),
        ({"name": "", "unit_kind": "department"}, "required"),
        (
            {"name": "x", "unit_kind": "department", "indicators": [{"key": "nope", "weight": 1}]},
            "unknown_indicator",
        ),
        (
            {
                "name": "x",
                "unit_kind": "department",
                "indicators": [{"key": "visit_score", "weight": "1e400"}],
            },
            "invalid_weight",
        ),
        ({"name": "x\u0000", "unit_kind": "department"}, "invalid_input"),
        ({"unit_kind": "department"}, "invalid_input"),
    ],
)
def test_bad_scheme_input_is_a_4xx_with_a_code(people, body, code):
    response = post(verified_client(people["officer"]), f"{BASE}/schemes/", body)
    assert response.status_code == 422
    assert response.json()["code"] == code
    assert not EvaluationScheme.objects.exists()


def test_bad_evaluation_input_and_strangers(people):
    office = verified_client(people["officer"])
    assert (
        post(
            office,
            f"{BASE}/",
            {"scheme": "abc", "period_start": "2025-01-01", "period_end": "2025-12-31"},
        ).status_code
        == 422
    )
    assert (
        post(
            office, f"{BASE}/", {"scheme": "1", "period_start": "x", "period_end": "2025-12-31"}
        ).status_code
        == 422
    )
    assert office.get(f"{BASE}/999999").status_code == 404
    assert office.get(f"{BASE}/?limit=9999").status_code == 422
    assert office.get(f"{BASE}/?state=nope").status_code == 422
    assert verified_client(people["clerk"]).get(f"{BASE}/").status_code == 403
    assert not Evaluation.objects.exists()
