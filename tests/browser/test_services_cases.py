"""A case clicked through by the people who handle it: the clerk of 社会救助科 registers an
application at the counter of a service center, accepts it, asks once for 补正 and receives
it; the head of the section grants it; the clerk concludes and delivers it; then, at the
counter, the ID-card lookup (刷证办事) finds the case by the applicant's number."""

from __future__ import annotations

from datetime import time

from django.conf import settings as django_settings
from playwright.sync_api import expect

from fazhi.core.identity.validators import resident_id_check_char
from fazhi.core.models import Event
from fazhi.services.demo import build_services_demo
from fazhi.services.models import ServiceCase, ServiceCenter
from fazhi.testing.browser import sign_in

PASSWORD = django_settings.FAZHI_DEMO_PASSWORD
FIRST17 = "31011519800101123"
NUMBER = FIRST17 + resident_id_check_char(FIRST17)
ITEM = "最低生活保障申请"
CENTER = "东湖街道社区事务受理服务中心"


def step(page, name: str) -> None:
    page.locator(f'[data-step="{name}"]').click()
    page.wait_for_load_state()


def test_a_case_from_the_counter_to_delivery_and_the_id_lookup(
    live_demo, page, browser, live_server
):
    build_services_demo(live_demo)
    # The center is made with the ORM: the appointments area builds the centers' pages.
    ServiceCenter.objects.create(
        agency=live_demo,
        name=CENTER,
        address="东湖路 1 号",
        morning_opens=time(9, 0),
        morning_closes=time(12, 0),
    )

    # Given the clerk of 社会救助科 at the counter, who opens 政务服务 → 办件 → 登记办件
    sign_in(page, "clerk", PASSWORD)
    page.locator('#staff-nav [data-nav="services"]').click()
    page.get_by_role("link", name="办件", exact=True).click()
    page.locator("#case-new").click()
    # When they register the application
    page.get_by_label("受理中心").select_option(label=CENTER)
    page.get_by_label("服务事项").select_option(label=ITEM)
    page.get_by_label("申请人", exact=True).fill("王小明")
    page.get_by_label("公民身份号码").fill(NUMBER)
    page.get_by_label("联系电话").fill("13812345678")
    page.locator("#case-submit").click()
    # Then the case page shows the new case, received, its number masked
    expect(page.locator("#case-state")).to_have_text("已收件")
    case = ServiceCase.objects.get(agency=live_demo)
    expect(page.locator("#case-number")).to_have_text(case.case_number)
    expect(page.locator('[data-identifier="resident_id"]')).to_contain_text(str(case.resident_id))
    expect(page.locator("body")).not_to_contain_text(NUMBER)

    # When they accept it and start the review
    step(page, "accept")
    expect(page.locator("#case-state")).to_have_text("已受理")
    expect(page.locator("#due-promised .due-date")).to_be_visible()
    step(page, "start_review")
    expect(page.locator("#case-state")).to_have_text("审查中")
    # And ask once for 补正: the clocks stop
    page.locator("#request_supplement-form").get_by_label("需补正的材料").fill(
        "户口簿复印件\n收入证明"
    )
    step(page, "request_supplement")
    expect(page.locator("#case-state")).to_have_text("待补正")
    expect(page.locator("#due-promised")).to_contain_text("补正中，计时暂停")
    expect(page.locator("#case-supplement")).to_contain_text("收入证明")
    # And the materials arrive: the clocks resume; 补正 cannot be asked again
    step(page, "receive_supplement")
    expect(page.locator("#case-state")).to_have_text("审查中")
    expect(page.locator("#request_supplement-form")).to_have_count(0)
    page.locator("#propose-form").get_by_label("拟办意见").fill(
        "家庭人均收入低于本区低保标准，拟准予。"
    )
    step(page, "propose")
    expect(page.locator(".alert-success")).to_contain_text("拟办意见已提交")
    # The clerk may not decide
    expect(page.locator("#grant-form")).to_have_count(0)

    # Given the head of the section
    head_context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    head = head_context.new_page()
    sign_in(head, "department_head", PASSWORD)
    head.goto(f"/staff/services/cases/{case.pk}/")
    expect(head.locator("#case-proposal")).to_contain_text("拟准予")
    # When they grant it
    head.locator("#grant-form").get_by_label("审批意见").fill("同意。")
    step(head, "grant")
    expect(head.locator("#case-state")).to_have_text("准予")
    head_context.close()

    # When the clerk concludes and delivers it
    page.reload()
    step(page, "conclude")
    expect(page.locator("#case-state")).to_have_text("已办结")
    expect(page.locator("#case-concluded")).to_contain_text("承诺时限内办结")
    page.locator("#deliver-form").get_by_label("送达方式").select_option(label="窗口领取")
    step(page, "deliver")
    expect(page.locator("#case-state")).to_have_text("已送达")
    expect(page.locator("#case-delivered")).to_contain_text("窗口领取")
    timeline = page.locator("#timeline")
    for label in ("登记收件", "受理", "一次性告知补正", "补正材料已收到", "准予", "办结", "送达"):
        expect(timeline).to_contain_text(label)

    # Then at the counter the ID-card lookup finds the case (a reader types the number + Enter)
    page.get_by_role("link", name="刷证办事").click()
    number = page.get_by_label("公民身份号码")
    expect(number).to_be_focused()
    page.get_by_label("查询事由").fill("窗口办事核验申请人身份")
    number.fill(NUMBER)
    number.press("Enter")
    expect(page.locator("#lookup-result")).to_contain_text(case.case_number)
    expect(page.locator(f'#lookup-cases [data-case="{case.pk}"]')).to_contain_text(ITEM)
    expect(page.locator("body")).not_to_contain_text(NUMBER)
    lookup = Event.objects.get(verb="services.cases.id_lookup")
    assert lookup.data["reason"] == "窗口办事核验申请人身份"
    assert NUMBER not in str(lookup.data)
    case.refresh_from_db()
    assert (case.state, case.on_time_promised, case.delivery_method) == (
        "delivered",
        True,
        "counter",
    )
