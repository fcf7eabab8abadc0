"""Issue 5's Done-when, clicked through: a citizen applies on the portal, the legal office asks for
a 补正, the citizen supplements on the status page, the office replies 部分公开 with its parts and
downloads the letter, and the citizen sees the outcome and the reply date. Then the office
registers a letter and a leader approves an extension."""

from __future__ import annotations

import re
from datetime import date

from django.conf import settings as django_settings
from django.utils import timezone
from playwright.sync_api import expect

from fazhi.core.identity.validators import resident_id_check_char
from fazhi.disclosure import selectors
from fazhi.disclosure.choices import Channel
from fazhi.disclosure.models import DisclosureRequest, Extension, ReplyPart
from fazhi.testing.browser import sign_in

PASSWORD = django_settings.FAZHI_DEMO_PASSWORD
FIRST_17 = "32010219900307451"
RESIDENT_ID = FIRST_17 + resident_id_check_char(FIRST_17)
PHONE = "13722223333"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def day(value: date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def staff_page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    context.set_default_timeout(15_000)
    return context, context.new_page()


def check_status(page, tracking: str) -> None:
    page.goto("/disclosure/status/")
    page.get_by_label("申请编号").fill(tracking)
    page.get_by_label("联系电话").fill(PHONE)
    page.get_by_role("button", name="查询").click()
    page.wait_for_load_state()


def test_apply_supplement_partial_reply_and_status(live_demo, browser, live_server):
    today = timezone.localdate()
    phone = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 375, "height": 740},
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
    )
    phone.set_default_timeout(15_000)
    citizen = phone.new_page()
    # Given a citizen who applies on the portal from a phone
    citizen.goto("/disclosure/apply/")
    citizen.get_by_label("申请人姓名").fill("刘晓华")
    citizen.get_by_label("身份证明").select_option("resident_id")
    citizen.get_by_label("证件号码").fill(RESIDENT_ID)
    citizen.get_by_label("联系电话").fill(PHONE)
    citizen.get_by_label("所需信息的内容描述").fill("本区临时救助资金的发放情况。")
    citizen.get_by_label("信息的提供形式").select_option("electronic")
    citizen.get_by_label("获取信息的方式").select_option("online")
    citizen.get_by_role("button", name="提交申请").click()
    expect(citizen.get_by_role("heading", name="申请已提交")).to_be_visible()
    request = DisclosureRequest.objects.get(applicant_name="刘晓华")
    tracking = request.tracking_number

    # When the legal officer finds it on the worklist and asks for a 补正
    office_context, office = staff_page(browser, live_server)
    sign_in(office, "legal_officer", PASSWORD, expect_otp=True)
    office.goto("/staff/disclosure/")
    expect(office.locator("#disclosure-tabs [data-tab='requests']")).to_have_class(
        re.compile("active")
    )
    office.get_by_role("link", name=tracking).click()
    expect(office.locator("#request-state")).to_have_text("办理中")
    expect(office.locator("#masked-phone")).to_have_text("137****3333")
    assert RESIDENT_ID not in office.content()
    expect(office.locator("#due-explanation")).to_have_text(
        selectors.due_explained(request).explanation
    )
    form = office.locator("#step-supplement_request")
    form.get_by_label("需要补正的事项").fill("请写明所需信息的年度（如2025年度）。")
    form.locator('[data-step="supplement_request"]').click()
    expect(office.locator("#request-state")).to_have_text("待补正")

    # And the citizen supplements on the status page
    check_status(citizen, tracking)
    expect(citizen.locator("#request-state")).to_have_text("待补正")
    expect(citizen.locator("#supplement-items")).to_have_text(
        "请写明所需信息的年度（如2025年度）。"
    )
    citizen.get_by_label("补正内容").fill("所需信息为2025年度本区临时救助资金的发放汇总情况。")
    citizen.get_by_role("button", name="提交补正").click()
    expect(citizen.locator("#supplement-sent")).to_be_visible()
    expect(citizen.locator("#request-state")).to_have_text("办理中")
    request.refresh_from_db()
    expect(citizen.locator("#due-on")).to_have_text(day(request.due_on))
    assert request.supplement_request.supplemented_on == today

    # Then the office sees the supplement and replies 部分公开 with its parts
    office.reload()
    expect(office.locator("#request-state")).to_have_text("办理中")
    expect(office.locator("#supplement-text")).to_contain_text("2025年度")
    expect(office.locator("#timeline")).to_contain_text("申请人")
    reply = office.locator("#step-reply")
    reply.get_by_label("办理结果").select_option("partial")
    reply.get_by_label("答复内容").fill("现将可以公开的信息随本告知书提供。")
    reply.get_by_label("第1项 信息内容").fill("2025年度临时救助资金发放汇总表")
    reply.get_by_label("第1项 是否公开").select_option("yes")
    reply.get_by_label("第2项 信息内容").fill("受助人员姓名及身份证号码")
    reply.get_by_label("第2项 是否公开").select_option("no")
    reply.get_by_label("第2项 理由类别").select_option("withheld_third_party")
    reply.get_by_label("第2项 理由说明").fill("涉及个人隐私，公开会对第三方合法权益造成损害。")
    reply.locator('[data-step="reply"]').click()
    expect(office.locator("#request-state")).to_have_text("已答复")
    expect(office.locator("#reply-part-table tbody tr")).to_have_count(2)
    assert list(ReplyPart.objects.values_list("disclosed", flat=True)) == [True, False]
    with office.expect_download() as download:
        office.locator("#letter-link").click()
    path = download.value.path()
    with open(path, "rb") as letter:
        assert letter.read(2) == b"PK"
    assert download.value.suggested_filename.endswith(".docx")
    office_context.close()

    # And the citizen checks again: 部分公开 with the reply date, and the letter to download
    check_status(citizen, tracking)
    expect(citizen.locator("#request-state")).to_have_text("已答复")
    expect(citizen.locator("#outcome")).to_contain_text("部分公开")
    expect(citizen.locator("#concluded-on")).to_have_text(day(today))
    with citizen.expect_download() as download:
        citizen.locator("#letter-download").click()
    with open(download.value.path(), "rb") as letter:
        assert letter.read(2) == b"PK"
    phone.close()


def test_the_office_registers_a_letter_and_a_leader_extends(live_demo, browser, live_server):
    today = timezone.localdate()
    # Given the legal officer registers an application that came by registered mail
    office_context, office = staff_page(browser, live_server)
    sign_in(office, "legal_officer", PASSWORD, expect_otp=True)
    office.goto("/staff/disclosure/requests/")
    office.locator("#register-link").click()
    office.get_by_label("申请方式").select_option("registered_mail")
    office.get_by_label("提交或送达日期").fill(today.isoformat())
    office.get_by_label("申请人类型").select_option("natural_person")
    office.get_by_label("申请人姓名或名称").fill("周明")
    office.get_by_label("身份证明").select_option("resident_id")
    office.get_by_label("证件号码").fill(RESIDENT_ID)
    office.get_by_label("联系电话", exact=True).fill(PHONE)
    office.get_by_label("所需信息的内容描述").fill("本局2025年度行政许可办理情况统计。")
    office.get_by_label("信息的提供形式").select_option("electronic")
    office.get_by_label("获取信息的方式").select_option("pickup")
    office.get_by_role("button", name="登记", exact=True).click()
    request = DisclosureRequest.objects.get(applicant_name="周明")
    expect(office.locator("#tracking-number")).to_have_text(request.tracking_number)
    # Then the page says how the date of receipt was found (Art. 31)
    expect(office.locator("#receipt-rule")).to_have_text(request.receipt_rule)
    assert request.channel == Channel.REGISTERED_MAIL and request.received_on == today
    # The officer cannot approve an extension: that is the leader's
    expect(office.locator("#step-extension")).to_have_count(0)
    office_context.close()

    # When a leader opens it from the worklist and approves an extension
    context, page = staff_page(browser, live_server)
    sign_in(page, "leader", PASSWORD, expect_otp=True)
    page.goto("/staff/disclosure/requests/")
    page.get_by_role("link", name=request.tracking_number).click()
    # The leader handles nothing else: only the extension is offered.
    expect(page.locator("#step-reply")).to_have_count(0)
    form = page.locator("#step-extension")
    form.get_by_label("延长工作日").fill("10")
    form.get_by_label("延期理由").fill("需要调取多个科室的档案，无法按期答复。")
    form.locator('[data-step="extension"]').click()
    # Then the extension is recorded once and the due date moves
    expect(page.locator("#extension-record")).to_contain_text("10 个工作日")
    extension = Extension.objects.get(request=request)
    assert extension.approved_by.username == "leader"
    expect(page.locator("#due-on")).to_have_text(day(extension.due_after))
    expect(page.locator("#step-extension")).to_have_count(0)
    context.close()
