"""好差评 clicked through: a case of the demo bureau is concluded and its SMS link goes out; the
applicant opens it on a phone and rates 不满意 with a reason; 社会救助科 calls back (the clerk),
verifies (the head), records the fix and answers (the clerk); the statistics page shows the new
figures, the same as the table and the chart, and the portal's figures count the rating."""

from __future__ import annotations

import json
import re
from datetime import time

from django.conf import settings as django_settings
from django.utils import timezone
from playwright.sync_api import expect

from fazhi.accounts.models import User
from fazhi.core.models import Department, Subdistrict
from fazhi.core.notify import sms
from fazhi.services.demo import build_services_demo
from fazhi.services.models import ServiceCenter, ServiceItem
from fazhi.services.models.ratings import BadReviewFollowUp, Rating
from fazhi.services.selectors import ratings as selectors
from fazhi.services.services import cases
from fazhi.testing.browser import sign_in

PASSWORD = django_settings.FAZHI_DEMO_PASSWORD
NO_HORIZONTAL_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth"
MOBILE = "13812345678"
RESIDENT_ID = "310115198001010016"


def concluded_case(agency):
    """A 最低生活保障 application at a street's center, concluded today by 社会救助科."""
    build_services_demo(agency)
    street = Subdistrict.objects.filter(agency=agency).order_by("pk").first()
    center, _ = ServiceCenter.objects.get_or_create(
        agency=agency,
        name="东湖街道社区事务受理服务中心",
        defaults={
            "subdistrict": street,
            "address": "东湖路 1 号",
            "morning_opens": time(9, 0),
            "morning_closes": time(11, 30),
        },
    )
    item = ServiceItem.objects.get(agency=agency, name="最低生活保障申请")
    clerk = User.objects.get(username="clerk")
    head = User.objects.get(username="department_head")
    today = timezone.localdate()
    case = cases.case_register(
        actor=clerk,
        agency=agency,
        item=item,
        channel="counter",
        applicant_kind="person",
        applicant_name="赵市民",
        resident_id=RESIDENT_ID,
        phone=MOBILE,
        center=center,
        received_on=today,
    )
    case = cases.case_accept(actor=clerk, case=case, on=today)
    case = cases.case_start_review(actor=clerk, case=case)
    case = cases.case_grant(actor=head, case=case, on=today)
    case, links = cases.case_conclude(actor=clerk, case=case, on=today)
    return case, links


def relief_figures(agency):
    relief = Department.objects.get(agency=agency, name="社会救助科")
    data = selectors.figures(agency, year=timezone.localdate().year, by="department")
    row = next((r for r in data.rows if r.key == relief.pk), None)
    return row


def test_a_bad_review_by_sms_runs_to_the_answer_and_shows_in_the_figures(
    live_demo, browser, live_server, page, settings
):
    settings.FAZHI_SMS_GATEWAY = "fazhi.core.notify.sms.RecordingSmsGateway"
    gateway = sms.gateway()
    gateway.clear()
    before = relief_figures(live_demo)
    before_total = before.total if before else 0

    # Given a concluded case whose applicant left a mobile number: the SMS link went out
    case, links = concluded_case(live_demo)
    texts = [m for m in gateway.sent if m.phone == MOBILE]
    assert len(texts) == 1
    path = re.search(r"/services/ratings/r/[A-Za-z0-9_-]+/", texts[0].text).group(0)
    assert path == links["sms"]

    # When the applicant opens it on a phone and rates 不满意 with a reason
    phone = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
    )
    phone.set_default_timeout(15_000)
    citizen = phone.new_page()
    citizen.goto(path)
    expect(citizen.locator("#case-title")).to_have_text("最低生活保障申请")
    expect(citizen.locator("#rating-form")).to_have_attribute("data-ready", "1")
    assert citizen.evaluate(NO_HORIZONTAL_SCROLL)
    citizen.locator('label[for="level-4"]').click()
    # Only the bad side's reasons remain
    expect(citizen.locator("#good-reasons")).to_be_hidden()
    citizen.locator('label[for="reason-slow"]').click()
    citizen.get_by_label("评价内容（选填）").fill("补材料跑了三趟。")
    citizen.locator('label[for="real-name-1"]').click()
    citizen.get_by_label("姓名").fill("赵市民")
    citizen.get_by_role("button", name="提交评价").click()
    expect(citizen.locator("#rating-done")).to_have_text("感谢您的评价！")
    rating = Rating.objects.get(case=case)
    assert (rating.channel, rating.level, rating.reasons, rating.real_name) == (
        "sms",
        4,
        ["slow"],
        True,
    )
    # The link works once
    citizen.goto(path)
    expect(citizen.locator("#link-refused")).to_contain_text("已经使用过")
    phone.close()

    # And 社会救助科's clerk calls back from the rating's page
    sign_in(page, "clerk", PASSWORD, expect_otp=False)
    page.goto("/staff/services/ratings/?bad=1")
    page.locator(f'#rating-table [data-rating="{rating.pk}"] a').click()
    expect(page.locator("#follow-up-state")).to_have_text("待回访")
    expect(page.locator("#rating-comment")).to_have_text("补材料跑了三趟。")
    page.get_by_label("回访情况").fill("电话回访，评价人反映补正材料清单不清楚。")
    page.get_by_role("button", name="登记回访").click()
    expect(page.locator("#follow-up-state")).to_have_text("待核实")

    # And the head verifies it: 情况属实
    head = browser.new_context(base_url=live_server.url, locale="zh-CN")
    head.set_default_timeout(15_000)
    head_page = head.new_page()
    sign_in(head_page, "department_head", PASSWORD, expect_otp=False)
    head_page.goto(f"/staff/services/ratings/{rating.pk}/")
    head_page.get_by_label("情况属实，需整改").check()
    head_page.get_by_label("核实情况").fill("窗口未一次性告知补正材料，情况属实。")
    head_page.get_by_role("button", name="登记核实结论").click()
    expect(head_page.locator("#follow-up-state")).to_have_text("整改中")
    head.close()

    # And the clerk records the fix and answers the rater
    page.goto(f"/staff/services/ratings/{rating.pk}/")
    page.get_by_label("整改情况").fill("印发一次性告知单，窗口人员培训。")
    page.get_by_role("button", name="登记整改情况").click()
    expect(page.locator("#fix-record")).to_contain_text("一次性告知单")
    page.get_by_label("反馈评价人的内容").fill("已改进告知方式，感谢您的监督。")
    page.get_by_role("button", name="整改完成，反馈评价人").click()
    expect(page.locator("#follow-up-state")).to_have_text("已反馈")
    expect(page.locator("#answer-record")).to_contain_text("感谢您的监督")
    assert BadReviewFollowUp.objects.get(rating=rating).state == "answered"

    # Then the statistics page shows the new figures for 社会救助科
    after = relief_figures(live_demo)
    assert after.total == before_total + 1
    page.goto("/staff/services/")
    page.get_by_role("link", name="满意度统计").first.click()
    page.get_by_label("统计维度").select_option("department")
    page.get_by_role("button", name="统计").click()
    row = page.locator('#statistics-table tbody tr[data-row="社会救助科"]')
    expect(row.locator('[data-figure="total"]')).to_have_text(str(after.total))
    expect(row.locator('[data-figure="bad"]')).to_have_text(str(after.bad))
    expect(row.locator('[data-figure="rate"]')).to_have_text(f"{after.satisfaction_rate}%")
    expect(row.locator('[data-figure="fix-rate"]')).to_have_text(f"{after.fix_rate}%")
    expect(row.locator('[data-figure="callback-rate"]')).to_have_text(f"{after.callback_rate}%")
    expect(page.locator("#rating-chart")).to_have_attribute("data-ready", "1")
    chart = json.loads(page.locator("#rating-chart-data").text_content())
    assert chart["bad"][chart["labels"].index("社会救助科")] == after.bad

    # And the portal's figures count it (its header links to them)
    page.goto("/")
    page.get_by_role("navigation").get_by_role("link", name="服务评价统计").click()
    expect(page.locator('#public-total [data-figure="total"]')).not_to_have_text("0")
