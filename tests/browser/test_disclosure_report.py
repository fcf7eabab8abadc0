"""The annual report clicked through as the people who make and read it: the legal officer opens
last year's report, is refused finalising while table 二's hand cells are empty, writes 一、五、
六, enters the figures (行政许可 is counted from the cases), finalises, publishes and downloads
the DOCX; a citizen on a phone reads the published report on the portal."""

from __future__ import annotations

import re

from django.conf import settings as django_settings
from django.utils import timezone
from docx import Document
from playwright.sync_api import expect

from fazhi.disclosure.models import AnnualReport
from fazhi.testing.browser import sign_in

PASSWORD = django_settings.FAZHI_DEMO_PASSWORD
NO_HORIZONTAL_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth"


def step(page, name):
    page.locator(f'[data-step="{name}"]').click()
    page.wait_for_load_state()


def test_the_years_report_from_draft_to_the_portal(live_demo, page, browser, live_server, tmp_path):
    year = timezone.localdate().year - 1
    # Given the legal officer, who finds 年度报告 under the navigation's entry
    sign_in(page, "legal_officer", PASSWORD)
    page.locator('#staff-nav [data-nav="disclosure"]').click()
    page.locator('#disclosure-tabs [data-tab="reports"]').click()
    expect(page.locator('#disclosure-tabs [data-tab="reports"]')).to_have_class(
        re.compile("active")
    )
    # When they open last year's report
    page.get_by_role("button", name=f"编制 {year} 年度报告").click()
    expect(page.locator("#report-title")).to_have_text(
        f"{live_demo.name}{year}年政府信息公开工作年度报告"
    )
    expect(page.locator("#report-state")).to_have_text("编制中")
    expect(page.locator("#report-due")).to_have_text(f"应于 {year + 1}年1月31日前公开")
    expect(page.locator("#table-two .manual-mark")).to_have_count(4)
    # 行政许可 is counted from the services app's cases (none in the demo's last year)
    expect(page.locator('#table-two tr[data-row="licensing"]')).to_contain_text("0")
    expect(page.get_by_label("行政许可 本年处理决定数量")).to_have_count(0)

    # And write the sections, then try to finalise before entering table 二's hand figures
    page.get_by_label("一、总体情况").fill(
        f"{year}年，本局认真贯彻《中华人民共和国政府信息公开条例》。"
    )
    page.get_by_label("五、存在的主要问题及改进情况").fill("政策解读形式较为单一。")
    page.get_by_label("六、其他需要报告的事项").fill("本年度未收取信息处理费。")
    step(page, "save")
    expect(page.locator(".alert-success")).to_contain_text("已保存")
    step(page, "finalise")
    # Then the refusal names the empty cell and nothing changes
    expect(page.locator(".alert-danger")).to_contain_text("表二“行政处罚”“本年处理决定数量”")
    expect(page.locator("#report-state")).to_have_text("编制中")

    # When they enter the hand figures and finalise
    page.get_by_label("行政处罚 本年处理决定数量").fill("128")
    page.get_by_label("行政强制 本年处理决定数量").fill("0")
    page.get_by_label("行政事业性收费 本年收费金额（单位：万元）").fill("0")
    step(page, "save")
    expect(page.get_by_label("行政处罚 本年处理决定数量")).to_have_value("128")
    step(page, "finalise")
    expect(page.locator("#report-state")).to_have_text("已定稿")
    expect(page.locator("#tables-source")).to_contain_text("定稿时的数据")
    expect(page.locator('#table-two tr[data-row="penalty"]')).to_contain_text("128")
    expect(page.locator("#id_overview")).to_have_count(0)

    # And publish it today
    step(page, "publish")
    expect(page.locator("#report-state")).to_have_text("已公开")
    report = AnnualReport.objects.get(agency=live_demo, year=year)
    assert report.published_on == timezone.localdate()

    # And download the DOCX, which opens with the report's title and its three tables
    with page.expect_download() as download:
        page.locator("#download-docx").click()
    path = tmp_path / "report.docx"
    download.value.save_as(path)
    assert download.value.suggested_filename.endswith(".docx")
    docx = Document(str(path))
    assert docx.paragraphs[0].text == f"{live_demo.name}{year}年政府信息公开工作年度报告"
    assert len(docx.tables) == 3
    assert "128" in [cell.text for row in docx.tables[0].rows for cell in row.cells]

    # Then a citizen on a phone finds it on the portal
    phone = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 375, "height": 740},
        is_mobile=True,
        locale="zh-CN",
    )
    citizen = phone.new_page()
    citizen.goto("/disclosure/reports/")
    citizen.get_by_role("link", name=f"{live_demo.name}{year}年政府信息公开工作年度报告").click()
    expect(citizen.locator("#report-title")).to_have_text(
        f"{live_demo.name}{year}年政府信息公开工作年度报告"
    )
    expect(citizen.locator("#section-one")).to_contain_text("认真贯彻")
    expect(citizen.locator("#table-three")).to_contain_text("（七）总计")
    expect(citizen.locator("#table-two")).to_contain_text("手工填报")
    # The wide tables scroll inside their own frame, not the page.
    assert citizen.evaluate(NO_HORIZONTAL_SCROLL)
    expect(citizen.locator("#download-docx")).to_be_visible()
    phone.close()
