"""The annual-report pages: the staff list and report page, the portal's published reports.

Who may open what (403/404), refusals shown with their status and nothing saved, constant query
counts, and the portal showing only published reports.
"""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from fazhi.core.roles import Role
from fazhi.disclosure import services
from fazhi.disclosure.models import AnnualReport, DisclosureRequest
from fazhi.disclosure.tests.conftest import registered
from fazhi.testing.clients import verified_client
from fazhi.testing.factories import AgencyFactory, user_with_role
from fazhi.testing.queries import assert_constant_queries

pytestmark = pytest.mark.django_db

YEAR = 2025
FORM = {
    "overview": "2025年，本局认真贯彻条例。",
    "problems": "公开内容不够全面。",
    "other_matters": "无。",
    "fig-penalty-decisions": "3",
    "fig-coercion-decisions": "0",
    "fig-fees-amount": "0.5",
}


def opened(office, year=YEAR):
    return services.report_open(actor=office["officer"], agency=office["agency"], year=year)


def step(report, name):
    return reverse("disclosure:report_step", args=[report.pk, name])


def page(report):
    return reverse("disclosure:report", args=[report.pk])


def final(office):
    report = opened(office)
    client = verified_client(office["officer"])
    client.post(step(report, "save"), FORM)
    return services.report_finalise(actor=office["officer"], report=report)


# --- The list ----------------------------------------------------------------------------------


def test_the_legal_office_opens_a_years_report_from_the_list(office):
    client = verified_client(office["officer"])
    response = client.get(reverse("disclosure:reports"))
    assert response.status_code == 200
    this_year = timezone.localdate().year
    body = response.content.decode()
    assert f"编制 {this_year} 年度报告" in body and f"编制 {this_year - 1} 年度报告" in body
    assert 'data-tab="reports"' in body
    response = client.post(
        reverse("disclosure:report_open"), {"year": YEAR, "agency": office["agency"].pk}
    )
    report = AnnualReport.objects.get()
    assert response.status_code == 302 and response["Location"] == page(report)
    body = client.get(reverse("disclosure:reports")).content.decode()
    assert f"编制 {YEAR} 年度报告" not in body and "2025年度报告" in body


def test_leaders_read_the_list_without_the_open_button_clerks_are_refused(office):
    opened(office)
    response = verified_client(office["leader"]).get(reverse("disclosure:reports"))
    assert response.status_code == 200
    assert "编制" not in response.content.decode().split("report-table")[0].split("report-open")[1]
    assert verified_client(office["clerk"]).get(reverse("disclosure:reports")).status_code == 403
    response = verified_client(office["leader"]).post(
        reverse("disclosure:report_open"), {"year": YEAR}
    )
    assert response.status_code == 403


def test_opening_a_year_twice_says_so(office):
    opened(office)
    client = verified_client(office["officer"])
    response = client.post(reverse("disclosure:report_open"), {"year": YEAR}, follow=True)
    assert "2025年度报告已存在" in response.content.decode()
    assert AnnualReport.objects.count() == 1


def test_the_list_keeps_a_constant_query_count(office):
    overseer = user_with_role(Role.DISTRICT_OVERSEER, agency=office["agency"])
    client = verified_client(overseer)

    def grow(n):
        for _ in range(n):
            agency = AgencyFactory()
            officer = user_with_role(Role.LEGAL_OFFICER, agency=agency)
            services.report_open(actor=officer, agency=agency, year=YEAR)

    assert_constant_queries(lambda: client.get(reverse("disclosure:reports")), grow)


# --- The report page ---------------------------------------------------------------------------


def test_the_page_shows_live_tables_the_due_date_and_hand_cells(office):
    registered(office, received_on=date(2025, 3, 3))
    report = opened(office)
    response = verified_client(office["officer"]).get(page(report))
    body = response.content.decode()
    assert response.status_code == 200
    assert "应于 2026年1月31日前公开" in body
    assert "实时统计" in body
    for label in (
        "第二十条第（一）项",
        "行政规范性文件",
        "本年收费金额（单位：万元）",
        "（七）总计",
    ):
        assert label in body
    assert body.count("manual-mark") == 4
    assert 'name="fig-penalty-decisions"' in body and 'form="report-form"' in body
    # 行政许可 is counted from the cases, not typed
    assert 'name="fig-licensing-decisions"' not in body
    assert "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）" in body


def test_saving_writes_the_sections_and_figures(office):
    report = opened(office)
    client = verified_client(office["officer"])
    response = client.post(step(report, "save"), FORM)
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.overview == FORM["overview"]
    assert report.manual_figures["penalty"] == {"decisions": 3}
    assert "licensing" not in report.manual_figures
    assert report.manual_figures["fees"] == {"amount": "0.5"}


def test_a_bad_figure_is_refused_with_422_and_nothing_saved(office):
    report = opened(office)
    client = verified_client(office["officer"])
    response = client.post(step(report, "save"), {**FORM, "fig-penalty-decisions": "-3"})
    assert response.status_code == 422
    assert "表二“行政处罚”“本年处理决定数量”须为不小于 0 的整数" in response.content.decode()
    report.refresh_from_db()
    assert (report.overview, report.manual_figures) == ("", {})


def test_finalising_a_broken_table_shows_the_cell_with_409(office):
    request = registered(office, received_on=date(2025, 3, 3))
    DisclosureRequest.objects.filter(pk=request.pk).update(
        state="closed", outcome="bogus", concluded_on=date(2025, 4, 1)
    )
    report = opened(office)
    client = verified_client(office["officer"])
    client.post(step(report, "save"), FORM)
    response = client.post(step(report, "finalise"))
    assert response.status_code == 409
    assert "表三“自然人”列：一＋二＝1，三（七）总计＋四＝0" in response.content.decode()
    assert AnnualReport.objects.get().state == "draft"


def test_finalise_reopen_publish_through_the_page(office):
    report = opened(office)
    client = verified_client(office["officer"])
    client.post(step(report, "save"), FORM)
    assert client.post(step(report, "finalise")).status_code == 302
    body = client.get(page(report)).content.decode()
    assert "定稿时的数据" in body and 'name="fig-penalty-decisions"' not in body
    # A reason is needed to reopen.
    assert client.post(step(report, "reopen"), {"reason": ""}).status_code == 422
    assert client.post(step(report, "reopen"), {"reason": "数据有误"}).status_code == 302
    assert AnnualReport.objects.get().state == "draft"
    client.post(step(report, "finalise"))
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client.post(step(report, "publish"), {"published_on": tomorrow})
    assert response.status_code == 422 and "不能晚于今天" in response.content.decode()
    response = client.post(
        step(report, "publish"), {"published_on": timezone.localdate().isoformat()}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == "published"
    assert client.post(step(report, "reopen"), {"reason": "再改"}).status_code == 409


def test_leaders_and_overseers_read_but_cannot_act(office):
    report = opened(office)
    leader = verified_client(office["leader"])
    body = leader.get(page(report)).content.decode()
    assert "report-form" not in body and 'data-step="finalise"' not in body
    assert leader.post(step(report, "save"), FORM).status_code == 403
    assert leader.post(step(report, "finalise")).status_code == 403
    overseer = verified_client(user_with_role(Role.DISTRICT_OVERSEER, agency=office["agency"]))
    assert overseer.get(page(report)).status_code == 200
    assert overseer.post(step(report, "save"), FORM).status_code == 404
    assert AnnualReport.objects.get().overview == ""


def test_another_agency_gets_404_and_a_clerk_403(office):
    report = opened(office)
    assert verified_client(office["other_officer"]).get(page(report)).status_code == 404
    assert verified_client(office["clerk"]).get(page(report)).status_code == 403
    response = verified_client(office["other_officer"]).get(
        reverse("disclosure:report_download", args=[report.pk, "docx"])
    )
    assert response.status_code == 404


def test_staff_downloads(office):
    report = final(office)
    client = verified_client(office["leader"])
    response = client.get(reverse("disclosure:report_download", args=[report.pk, "docx"]))
    assert response.status_code == 200
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    docx = Document(io.BytesIO(response.content))
    assert docx.paragraphs[0].text.endswith("2025年政府信息公开工作年度报告")
    response = client.get(reverse("disclosure:report_download", args=[report.pk, "xlsx"]))
    assert load_workbook(io.BytesIO(response.content)).sheetnames[0] == "二、主动公开政府信息情况"
    response = client.get(reverse("disclosure:report_download", args=[report.pk, "pdf"]))
    assert response.status_code == 404


# --- The portal --------------------------------------------------------------------------------


def test_the_portal_shows_only_published_reports(client, office):
    report = final(office)
    url = reverse("disclosure_public:report", args=[YEAR])
    assert client.get(url).status_code == 404
    docx_url = reverse("disclosure_public:report_download", args=[YEAR, "docx"])
    assert client.get(docx_url).status_code == 404
    assert (
        "暂无已公开的年度报告" in client.get(reverse("disclosure_public:reports")).content.decode()
    )

    services.report_publish(actor=office["officer"], report=report)
    listing = client.get(reverse("disclosure_public:reports")).content.decode()
    assert f"{office['agency'].name}2025年政府信息公开工作年度报告" in listing
    response = client.get(url)
    body = response.content.decode()
    assert response.status_code == 200
    assert "2025年，本局认真贯彻条例。" in body and "（七）总计" in body
    assert "手工填报" in body and 'name="fig-' not in body
    response = client.get(docx_url)
    assert response.status_code == 200
    assert (
        Document(io.BytesIO(response.content)).paragraphs[0].text.startswith(office["agency"].name)
    )
    assert client.get(reverse("disclosure_public:report", args=[2019])).status_code == 404
    assert client.get(f"{url}?agency=nope").status_code == 404


def test_a_year_with_several_agencies_lists_them(client, office):
    services.report_publish(actor=office["officer"], report=final(office))
    other = AgencyFactory()
    officer = user_with_role(Role.LEGAL_OFFICER, agency=other)
    report = services.report_open(actor=officer, agency=other, year=YEAR)
    services.report_update(
        actor=officer,
        report=report,
        overview="另一机关。",
        problems="无",
        other_matters="无",
        manual_figures={
            "penalty": {"decisions": 0},
            "coercion": {"decisions": 0},
            "fees": {"amount": "0"},
        },
    )
    services.report_publish(
        actor=officer, report=services.report_finalise(actor=officer, report=report)
    )
    url = reverse("disclosure_public:report", args=[YEAR])
    body = client.get(url).content.decode()
    assert office["agency"].name in body and other.name in body and "（七）总计" not in body
    body = client.get(f"{url}?agency={other.code}").content.decode()
    assert "另一机关。" in body


def _grid_widths(table) -> list[int]:
    """The number of grid columns each row of an HTML table fills, rowspans carried down."""
    carried: dict[int, int] = {}  # row index -> columns taken by cells spanning from above
    widths = []
    for i, row in enumerate(table.iter("tr")):
        width = carried.get(i, 0)
        for cell in row:
            span = int(cell.get("colspan", 1))
            width += span
            for below in range(1, int(cell.get("rowspan", 1))):
                carried[i + below] = carried.get(i + below, 0) + span
        widths.append(width)
    return widths


def test_the_html_tables_are_rectangular(office):
    from lxml import html

    report = opened(office)
    body = verified_client(office["officer"]).get(page(report)).content.decode()
    tree = html.fromstring(body)
    three = tree.get_element_by_id("table-three").find(".//table")
    assert set(_grid_widths(three)) == {10}
    assert len(three.findall(".//tbody/tr")) == 25  # the rows with numbers of table 三
    four = tree.get_element_by_id("table-four").find(".//table")
    assert set(_grid_widths(four)) == {15}
    two = tree.get_element_by_id("table-two").find(".//table")
    assert set(_grid_widths(two)) == {4}


def test_the_portal_list_keeps_a_constant_query_count(client, office):
    figures = {
        "penalty": {"decisions": 0},
        "coercion": {"decisions": 0},
        "fees": {"amount": "0"},
    }

    def grow(n):
        for _ in range(n):
            agency = AgencyFactory()
            officer = user_with_role(Role.LEGAL_OFFICER, agency=agency)
            report = services.report_open(actor=officer, agency=agency, year=YEAR)
            services.report_update(
                actor=officer,
                report=report,
                overview="总体",
                problems="问题",
                other_matters="无",
                manual_figures=figures,
            )
            report = services.report_finalise(actor=officer, report=report)
            services.report_publish(actor=officer, report=report)

    assert_constant_queries(
        lambda: client.get(reverse("disclosure_public:reports")), grow, extra_rows=3
    )
