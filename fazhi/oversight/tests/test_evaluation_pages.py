"""The evaluation pages: who sees what, the steps through the pages, the XLSX export, and the
list pages' constant query count."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from fazhi.oversight.models import Evaluation, EvaluationScheme
from fazhi.oversight.services import evaluation as services
from fazhi.oversight.tests.evaluation_fixtures import (
    YEAR_END,
    YEAR_START,
    active_scheme,
    bureau,
    fixed_data_set,
)
from fazhi.testing.clients import verified_client
from fazhi.testing.queries import assert_constant_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db):
    return bureau()


@pytest.fixture
def evaluation(people):
    fixed_data_set(people)
    scheme = active_scheme(people["officer"], people["agency"])
    made = services.evaluation_create(
        actor=people["officer"], scheme=scheme, period_start=YEAR_START, period_end=YEAR_END
    )
    return services.evaluation_compute(actor=people["officer"], evaluation=made)


def url(name, *args):
    return reverse(f"oversight:{name}", args=args)


def test_the_legal_office_builds_a_scheme_and_runs_an_evaluation_through_the_pages(people):
    fixed_data_set(people)
    client = verified_client(people["officer"])
    # A scheme whose weights add up to 90 is saved as a draft but not activated.
    response = client.post(
        url("evaluation_scheme_create"),
        {
            "name": "科室综合考评",
            "unit_kind": "department",
            "weight__spot_check_score": "40",
            "weight__rectification_on_time": "30",
            "weight__visit_score": "20",
        },
    )
    scheme = EvaluationScheme.objects.get()
    assert response.status_code == 302
    response = client.post(url("evaluation_scheme_step", scheme.pk, "activate"))
    assert response.status_code == 422
    assert "当前为 90" in response.content.decode()
    # Corrected to 100 it activates.
    response = client.post(
        url("evaluation_scheme_step", scheme.pk, "save"),
        {
            "name": "科室综合考评",
            "unit_kind": "department",
            "weight__spot_check_score": "40",
            "weight__rectification_on_time": "30",
            "weight__visit_score": "30",
        },
    )
    assert response.status_code == 302
    client.post(url("evaluation_scheme_step", scheme.pk, "activate"))
    scheme.refresh_from_db()
    assert scheme.state == "active"
    page = client.get(url("evaluation_scheme", scheme.pk)).content.decode()
    assert "建立新版本" in page

    # The evaluation: created, computed, published.
    response = client.post(
        url("evaluation_create"),
        {"scheme": scheme.pk, "period_start": "2025-01-01", "period_end": "2025-12-31"},
    )
    evaluation = Evaluation.objects.get()
    assert response.status_code == 302 and evaluation.title == "2025年度科室综合考评"
    client.post(url("evaluation_step", evaluation.pk, "compute"))
    page = client.get(url("evaluation", evaluation.pk)).content.decode()
    assert 'data-unit="养老服务科" data-rank="1"' in page
    assert "evaluation-chart-data" in page and "chart-stacked" in page
    client.post(url("evaluation_step", evaluation.pk, "publish"))
    evaluation.refresh_from_db()
    assert evaluation.state == "published"
    # Once published, compute is refused with 409 and the page shows no buttons.
    response = client.post(url("evaluation_step", evaluation.pk, "compute"))
    assert response.status_code == 409
    page = client.get(url("evaluation", evaluation.pk)).content.decode()
    assert 'data-step="compute"' not in page and 'data-step="publish"' not in page


def test_the_chart_data_is_the_ranking(people, evaluation):
    client = verified_client(people["leader"])
    page = client.get(url("evaluation", evaluation.pk)).content.decode()
    found = re.search(r'<script id="evaluation-chart-data"[^>]*>(.*?)</script>', page, re.S)
    data = json.loads(found.group(1))
    assert data["units"] == ["养老服务科", "社会救助科", "社会事务科"]
    assert data["totals"] == [82.0, 67.0, 67.0]
    assert [s["name"] for s in data["series"]] == ["案卷评查得分", "按期整改率", "明察暗访得分率"]
    # 养老服务科: 40.00 + 0 (no data) + 42.00 = 82.00
    assert [s["data"][0] for s in data["series"]] == [40.0, 0.0, 42.0]


def test_department_heads_see_published_evaluations_only(people, evaluation):
    head = verified_client(people["head"])
    assert head.get(url("evaluation", evaluation.pk)).status_code == 404
    assert head.get(url("evaluation_xlsx", evaluation.pk)).status_code == 404
    assert evaluation.title not in head.get(url("evaluations")).content.decode()
    assert head.get(url("evaluation_schemes")).status_code == 403
    services.evaluation_publish(actor=people["officer"], evaluation=evaluation)
    assert evaluation.title in head.get(url("evaluations")).content.decode()
    page = head.get(url("evaluation", evaluation.pk)).content.decode()
    assert 'data-step="compute"' not in page
    assert head.get(url("evaluation_xlsx", evaluation.pk)).status_code == 200
    # And may not act on it.
    assert head.post(url("evaluation_step", evaluation.pk, "compute")).status_code == 403


@pytest.mark.parametrize("role", ["leader", "overseer"])
def test_leaders_and_overseers_read_but_do_not_write(people, evaluation, role):
    client = verified_client(people[role])
    page = client.get(url("evaluation", evaluation.pk))
    assert page.status_code == 200
    assert 'data-step="compute"' not in page.content.decode()
    assert client.get(url("evaluation_schemes")).status_code == 200
    refused = client.post(url("evaluation_step", evaluation.pk, "publish"))
    assert refused.status_code in (403, 404)
    evaluation.refresh_from_db()
    assert evaluation.state == "computed"


def test_clerks_and_other_agencies_are_kept_out(people, evaluation):
    assert verified_client(people["clerk"]).get(url("evaluations")).status_code == 403
    stranger = verified_client(bureau()["officer"])
    assert stranger.get(url("evaluation", evaluation.pk)).status_code == 404
    assert stranger.post(url("evaluation_step", evaluation.pk, "compute")).status_code == 404
    scheme = evaluation.scheme
    assert stranger.get(url("evaluation_scheme", scheme.pk)).status_code == 404


def test_the_xlsx_holds_the_ranking_and_the_basis(people, evaluation):
    response = verified_client(people["leader"]).get(url("evaluation_xlsx", evaluation.pk))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["考评排名", "计算依据"]
    ranking = book["考评排名"]
    header = [c.value for c in ranking[4]]
    assert header[:7] == [
        "排名",
        "科室/单位",
        "总分",
        "案卷评查得分得分",
        "案卷评查得分权重（%）",
        "案卷评查得分实际权重（%）",
        "案卷评查得分加权得分",
    ]
    rows = [[c.value for c in row] for row in ranking.iter_rows(min_row=5, max_row=7)]
    assert [(r[0], r[1], Decimal(str(r[2]))) for r in rows] == [
        (1, "养老服务科", Decimal("82")),
        (2, "社会救助科", Decimal("67")),
        (2, "社会事务科", Decimal("67")),
    ]
    # 养老服务科: spot checks 70 at 40 (57.14 effective) = 40; no rectification; visits 98
    first = rows[0]
    assert [Decimal(str(v)) if v is not None else None for v in first[3:11]] == [
        Decimal("70"),
        Decimal("40"),
        Decimal("57.14"),
        Decimal("40"),
        None,
        Decimal("30"),
        Decimal("0"),
        None,
    ]
    basis = [[c.value for c in row] for row in book["计算依据"].iter_rows(min_row=2)]
    assert ["社会救助科", "案卷评查得分", 85, "评查案卷数", 2] in basis
    assert ["养老服务科", "按期整改率", "无数据", None, None] in basis


def test_xlsx_text_is_never_a_formula(people, evaluation):
    from fazhi.oversight.evaluation_export import safe

    assert safe("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert safe("+1") == "'+1" and safe("-1") == "'-1" and safe("@x") == "'@x"
    assert safe("社会救助科") == "社会救助科" and safe(5) == 5
    services.evaluation_update(
        actor=people["officer"], evaluation=evaluation, title="=cmd|' /C calc'!A0"
    )
    response = verified_client(people["leader"]).get(url("evaluation_xlsx", evaluation.pk))
    sheet = load_workbook(io.BytesIO(response.content))["考评排名"]
    assert sheet["A1"].value == "'=cmd|' /C calc'!A0"
    assert sheet["A1"].data_type == "s"


def test_bad_form_input_is_refused_with_a_message(people, evaluation):
    client = verified_client(people["officer"])
    response = client.post(
        url("evaluation_create"),
        {"scheme": evaluation.scheme_id, "period_start": "2025-06-01", "period_end": "2025-01-01"},
    )
    assert response.status_code == 422
    assert "考评期间止不能早于考评期间起" in response.content.decode()
    response = client.post(
        url("evaluation_create"), {"scheme": "x", "period_start": "nope", "period_end": ""}
    )
    assert response.status_code == 422
    assert Evaluation.objects.count() == 1


def test_the_evaluation_list_has_a_constant_query_count(people):
    officer = people["officer"]
    scheme = active_scheme(officer, people["agency"])
    client = verified_client(people["leader"])
    made = iter(range(1, 40))

    def grow(n):
        for _ in range(n):
            month = next(made)
            start = dt.date(2020, 1, 1) + dt.timedelta(days=31 * month)
            services.evaluation_create(
                actor=officer, scheme=scheme, period_start=start, period_end=start
            )

    assert_constant_queries(lambda: client.get(url("evaluations")), grow)


def test_the_scheme_list_has_a_constant_query_count(people):
    officer = people["officer"]
    client = verified_client(people["leader"])
    made = iter(range(1, 40))

    def grow(n):
        for _ in range(n):
            active_scheme(officer, people["agency"], name=f"方案{next(made)}")

    assert_constant_queries(lambda: client.get(url("evaluation_schemes")), grow)


def test_the_evaluation_page_has_a_constant_query_count(people):
    """More units in the ranking cost no more queries."""
    from fazhi.oversight.tests.evaluation_fixtures import supervisor, visit
    from fazhi.testing.factories import DepartmentFactory

    officer = people["officer"]
    scheme = active_scheme(officer, people["agency"], weights=[("visit_score", 100)])
    evaluation = services.evaluation_create(
        actor=officer, scheme=scheme, period_start=YEAR_START, period_end=YEAR_END
    )
    who = supervisor(people["agency"])
    client = verified_client(people["leader"])

    def grow(n):
        for _ in range(n):
            department = DepartmentFactory(agency=people["agency"])
            visit(who, department, points=7, out_of=10, on=YEAR_START, filed_by=officer)
        services.evaluation_compute(actor=officer, evaluation=evaluation)

    assert_constant_queries(lambda: client.get(url("evaluation", evaluation.pk)), grow)
