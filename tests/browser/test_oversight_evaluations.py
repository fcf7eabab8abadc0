"""The comprehensive evaluation clicked through: the legal office writes a scheme (the live sum
says 90 until the weights are right), activates it, starts the 2025 evaluation, computes and
publishes it; a leader on a phone sees the ranking and both charts and downloads the XLSX."""

from __future__ import annotations

import datetime as dt
import io
import re

from django.conf import settings as django_settings
from openpyxl import load_workbook
from playwright.sync_api import expect

from fazhi.core.models import Department
from fazhi.oversight.models import Evaluation
from fazhi.oversight.tests.evaluation_fixtures import supervisor, visit
from fazhi.testing.browser import sign_in

PASSWORD = django_settings.FAZHI_DEMO_PASSWORD
NO_HORIZONTAL_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth"


def sign_out(page):
    page.locator("#user-menu").click()
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_load_state()


def given_visits(agency):
    """Two sections visited in 2025: 社会救助科 45/50 and 40/50, 社会事务科 30/50."""
    from fazhi.accounts.models import User

    filer = User.objects.get(username="supervisor")
    who = supervisor(agency)
    rescue = Department.objects.get(agency=agency, name="社会救助科")
    affairs = Department.objects.get(agency=agency, name="社会事务科")
    visit(who, rescue, points=45, out_of=50, on=dt.date(2025, 3, 3), filed_by=filer)
    visit(who, rescue, points=40, out_of=50, on=dt.date(2025, 9, 3), filed_by=filer)
    visit(who, affairs, points=30, out_of=50, on=dt.date(2025, 5, 6), filed_by=filer)


def test_an_evaluation_from_scheme_to_published_chart(live_demo, page, browser, live_server):
    given_visits(live_demo)

    # Given the legal office, who finds 综合考评 under 监督
    sign_in(page, "legal_officer", PASSWORD)
    page.goto("/staff/oversight/evaluations/")
    expect(page.locator('#oversight-tabs [data-tab="evaluations"]')).to_have_class(
        re.compile("active")
    )
    page.locator("#schemes-link").click()
    page.locator("#new-scheme").click()

    # When they write a scheme whose weights add up to 90, the live sum says so
    page.get_by_label("方案名称").fill("2025年科室考评")
    page.get_by_label("考评对象").select_option("department")
    expect(page.locator('[data-indicator="committee_timeliness"]')).to_be_hidden()
    page.get_by_label("案卷评查得分").fill("40")
    page.get_by_label("按期整改率").fill("30")
    page.get_by_label("明察暗访得分率").fill("20")
    expect(page.locator("#weight-sum")).to_have_text("90")
    expect(page.locator("#weight-sum-note")).to_contain_text("须调整为 100")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator("#scheme-state")).to_have_text("草稿")

    # And activating is refused with the sum
    page.locator('[data-step="activate"]').click()
    expect(page.locator(".alert-danger, .alert-error").first).to_contain_text("当前为 90")

    # Then corrected to 100 it saves and activates
    page.get_by_label("明察暗访得分率").fill("30")
    expect(page.locator("#weight-sum")).to_have_text("100")
    page.locator('[data-step="save"]').click()
    page.locator('[data-step="activate"]').click()
    expect(page.locator("#scheme-state")).to_have_text("使用中")
    expect(page.locator("#scheme-indicators")).to_contain_text("明察暗访得分率")

    # When they start the 2025 evaluation, compute and publish it
    page.goto("/staff/oversight/evaluations/")
    page.get_by_label("考评方案").select_option(label="2025年科室考评（第1版）（科室/单位）")
    page.get_by_label("考评期间起").fill("2025-01-01")
    page.get_by_label("考评期间止").fill("2025-12-31")
    page.get_by_role("button", name="建立考评").click()
    expect(page.locator("#evaluation-state")).to_have_text("草稿")
    page.locator('[data-step="compute"]').click()
    expect(page.locator("#evaluation-state")).to_have_text("已计算")
    # 社会救助科: visits only, (45 + 40) / 100 = 85.00; 社会事务科 30 / 50 = 60.00
    expect(page.locator('#ranking [data-unit="社会救助科"] [data-total]')).to_have_text("85.00")
    expect(page.locator('#ranking [data-unit="社会事务科"] [data-total]')).to_have_text("60.00")
    page.locator('#ranking [data-unit="社会救助科"]').get_by_role("button", name="明细").click()
    expect(page.locator("#ranking .breakdown").first).to_contain_text("走访次数 2")
    page.locator('[data-step="publish"]').click()
    expect(page.locator("#evaluation-state")).to_have_text("已发布")
    expect(page.locator('[data-step="compute"]')).to_have_count(0)
    evaluation = Evaluation.objects.get(title="2025年度2025年科室考评")
    assert evaluation.state == "published"
    sign_out(page)

    # Then a leader on a phone sees the ranking and both charts
    phone = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 375, "height": 740},
        is_mobile=True,
        locale="zh-CN",
    )
    leader = phone.new_page()
    sign_in(leader, "leader", PASSWORD)
    leader.goto("/staff/oversight/evaluations/")
    leader.get_by_role("link", name="2025年度2025年科室考评").click()
    expect(leader.locator("#evaluation-state")).to_have_text("已发布")
    expect(leader.locator("html")).to_have_attribute("data-evaluation-charts", "2")
    expect(leader.locator("#chart-totals canvas")).to_have_count(1)
    expect(leader.locator("#chart-stacked canvas")).to_have_count(1)
    expect(leader.locator('[data-step="publish"]')).to_have_count(0)
    assert leader.evaluate(NO_HORIZONTAL_SCROLL)

    # And downloads the XLSX, whose first sheet is the ranking
    with leader.expect_download() as download:
        leader.locator("#download-xlsx").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    with open(download.value.path(), "rb") as handle:
        book = load_workbook(io.BytesIO(handle.read()))
    ranking = book["考评排名"]
    assert [ranking.cell(row=5, column=c).value for c in (1, 2)] == [1, "社会救助科"]
    assert float(ranking.cell(row=5, column=3).value) == 85.0
    phone.close()
