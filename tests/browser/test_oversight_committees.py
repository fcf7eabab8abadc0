"""Committee affairs disclosure clicked through as the people who do it: the clerk of 南岭村委会,
on a phone, records last month's finances from the area's page; the legal office runs the check
for the month before, sees 南岭村委会's missing month in the table and the chart, and drills
down to the committee's matrix where that month is red."""

from __future__ import annotations

import re
from datetime import date, timedelta

from django.conf import settings as django_settings
from django.utils import timezone
from playwright.sync_api import expect

from fazhi.accounts.models import User
from fazhi.core.models import Committee
from fazhi.oversight import committee_periods as cp
from fazhi.oversight.models import CommitteeCheckResult, CommitteeDisclosureItem, CommitteePosting
from fazhi.oversight.services import committees as services
from fazhi.testing.browser import sign_in

PASSWORD = django_settings.FAZHI_DEMO_PASSWORD
NO_HORIZONTAL_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth"


def month_before(day: date) -> cp.Period:
    return cp.period_of(day.replace(day=1) - timedelta(days=1), cp.MONTHLY)


def sign_out(page):
    page.locator("#user-menu").click()
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_load_state()


def test_clerk_posts_on_a_phone_and_the_office_finds_the_missing_month(
    live_demo, browser, page, live_server
):
    agency = live_demo
    officer = User.objects.get(username="legal_officer")
    services.items_install_defaults(actor=officer, agency=agency)
    village = Committee.objects.get(agency=agency, name="南岭村委会")
    finance = CommitteeDisclosureItem.objects.get(
        agency=agency, committee_kind="villagers", code="finance"
    )
    today = timezone.localdate()
    last_month = month_before(today)
    gap = month_before(last_month.start)

    # Given the clerk of 南岭村委会 on a phone
    phone = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 375, "height": 740},
        is_mobile=True,
        locale="zh-CN",
    )
    phone.set_default_timeout(15_000)
    clerk = phone.new_page()
    sign_in(clerk, "committee_clerk", PASSWORD, expect_otp=False)
    clerk.goto("/staff/oversight/committees/")
    expect(clerk.locator("h1")).to_contain_text("南岭村委会")
    expect(clerk.locator('#due-items [data-item="finance"]')).to_contain_text(last_month.label)
    assert clerk.evaluate(NO_HORIZONTAL_SCROLL)

    # When they record last month's finances with the form on the page
    form = clerk.locator("#posting-form")
    form.get_by_label("公开事项").select_option(str(finance.pk))
    form.get_by_label("所属期间").fill(last_month.key)
    form.get_by_label("公开日期").fill(today.isoformat())
    form.get_by_label("标题").fill(f"{last_month.label}财务收支公开")
    form.get_by_label("公开内容").fill("本月收入、支出明细见公开栏。")
    form.get_by_role("button", name="保存公开记录").click()
    clerk.wait_for_load_state()

    # Then it is listed under the committee's postings
    expect(clerk.locator(".alert-success")).to_contain_text("已登记")
    expect(clerk.locator("#posting-list")).to_contain_text(f"{last_month.label}财务收支公开")
    posting = CommitteePosting.objects.get(committee=village, item=finance)
    assert (posting.period_start, posting.recorded_by.username) == (
        last_month.start,
        "committee_clerk",
    )

    # A date in the future is refused on the page, nothing saved
    form = clerk.locator("#posting-form")
    form.get_by_label("公开事项").select_option(str(finance.pk))
    form.get_by_label("所属期间").fill(last_month.key)
    form.get_by_label("公开日期").fill((today + timedelta(days=3)).isoformat())
    form.get_by_label("标题").fill("明天的公开")
    form.get_by_role("button", name="保存公开记录").click()
    expect(clerk.locator(".alert-danger")).to_contain_text("公开日期不能晚于今天")
    assert CommitteePosting.objects.count() == 1
    phone.close()

    # When the legal office runs the check for the month before
    sign_in(page, "legal_officer", PASSWORD)
    page.goto("/staff/oversight/committees/")
    expect(page.locator('#oversight-tabs [data-tab="committees"]')).to_have_class(
        re.compile("active")
    )
    page.locator("#check-form").get_by_label("检查月份").fill(gap.key)
    page.locator("#check-form").get_by_role("button", name="运行检查").click()
    page.wait_for_load_state()
    expect(page.locator(".alert-success")).to_contain_text(f"已检查{gap.label}")

    # Then 南岭村委会's row counts the missing month, and so does 南岭镇 on the chart
    row = page.locator('#committee-results tr[data-committee="南岭村委会"]')
    expect(row.locator('[data-count="missing"]')).to_have_text(re.compile(r"[1-9]"))
    expect(page.locator("#committee-chart[data-ready='1']")).to_be_visible()
    expect(page.locator("#committee-chart svg")).to_contain_text("未公开")
    expect(page.locator("#committee-chart svg")).to_contain_text("南岭镇")
    result = CommitteeCheckResult.objects.get(
        committee=village, item=finance, period_start=gap.start
    )
    assert result.status == "missing" and result.finding is not None

    # And the committee's matrix shows that month red
    row.get_by_role("link", name="南岭村委会").click()
    page.wait_for_load_state()
    if gap.start.year != today.year:
        page.get_by_label("年度").select_option(str(gap.start.year))
        page.get_by_role("button", name="查看").click()
    cell = page.locator(f'#committee-matrix tr[data-item="finance"] td[data-period="{gap.key}"]')
    expect(cell).to_have_attribute("data-status", "missing")
    expect(cell).to_have_class(re.compile("cell-missing"))
    expect(cell.get_by_role("link", name="问题")).to_be_visible()
