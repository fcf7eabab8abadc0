"""A citizen on a phone applies for government information, then checks the request's status."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from fazhi.core.identity.validators import resident_id_check_char
from fazhi.disclosure import selectors
from fazhi.disclosure.models import DisclosureRequest

NO_HORIZONTAL_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth"
FIRST_17 = "31010419850612301"
RESIDENT_ID = FIRST_17 + resident_id_check_char(FIRST_17)
PHONE = "13987654321"


def test_a_citizen_applies_and_checks_the_status_on_a_phone(live_demo, browser, live_server):
    phone = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 375, "height": 740},
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
    )
    page = phone.new_page()
    # Given a citizen on the portal, who finds the application in the site's navigation
    page.goto("/")
    page.get_by_role("navigation").get_by_role("link", name="政府信息公开申请").click()
    expect(page).to_have_url(re.compile(r"/disclosure/apply/$"))
    assert page.evaluate(NO_HORIZONTAL_SCROLL)
    # When the citizen fills in the form as a natural person with a valid resident ID
    expect(page.get_by_label("受理机关")).to_have_value(str(live_demo.pk))
    page.get_by_label("申请人姓名").fill("王小明")
    page.get_by_label("身份证明").select_option("resident_id")
    page.get_by_label("证件号码").fill(RESIDENT_ID)
    page.get_by_label("联系电话").fill(PHONE)
    page.get_by_label("所需信息的内容描述").fill("2025年度本区临时救助资金的发放汇总情况。")
    page.get_by_label("信息的提供形式").select_option("electronic")
    page.get_by_label("获取信息的方式").select_option("online")
    page.get_by_role("button", name="提交申请").click()
    # Then the receipt shows the tracking number, with the numbers masked
    expect(page.get_by_role("heading", name="申请已提交")).to_be_visible()
    request = DisclosureRequest.objects.get(applicant_name="王小明")
    tracking = page.locator("#tracking-number")
    expect(tracking).to_have_text(request.tracking_number)
    assert re.fullmatch(r"示民依申〔\d{4}〕\d+号", request.tracking_number)
    expect(page.locator("#masked-id")).to_have_text(RESIDENT_ID[:3] + "*" * 11 + RESIDENT_ID[-4:])
    expect(page.locator("#masked-phone")).to_have_text("139****4321")
    assert RESIDENT_ID not in page.content() and PHONE not in page.content()
    assert page.evaluate(NO_HORIZONTAL_SCROLL)
    # When they check the status with the number and the phone
    page.locator("#main").get_by_role("link", name="查询办理进度").click()
    page.get_by_label("申请编号").fill(request.tracking_number)
    page.get_by_label("联系电话").fill(PHONE)
    page.get_by_role("button", name="查询").click()
    # Then they see the state, and the due date with the clock's explanation
    expect(page.locator("#request-state")).to_have_text("办理中")
    due = selectors.due_explained(request)
    expect(page.locator("#due-on")).to_have_text(
        f"{due.due_on.year}年{due.due_on.month}月{due.due_on.day}日"
    )
    expect(page.locator("#due-explanation")).to_have_text(due.explanation)
    assert "答复期限" in due.explanation
    assert page.evaluate(NO_HORIZONTAL_SCROLL)
    phone.close()
