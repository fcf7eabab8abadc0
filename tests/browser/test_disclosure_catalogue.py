"""Proactive disclosure clicked through as the people who do it: the clerk enters a record with a
DOCX holding a resident ID number and submits it; the department head sees the masked hit, is
refused release while it is open, redacts it and releases; the legal office publishes; a
citizen on a phone finds the entry in the portal's catalogue."""

from __future__ import annotations

import io
import re

from django.conf import settings as django_settings
from docx import Document
from playwright.sync_api import expect

from fazhi.core.identity.validators import resident_id_check_char
from fazhi.disclosure.models import PublicRecord, ScanFinding
from fazhi.disclosure.services import review_checklist
from fazhi.testing.browser import sign_in

PASSWORD = django_settings.FAZHI_DEMO_PASSWORD
FIRST_17 = "31010419850612301"
RESIDENT_ID = FIRST_17 + resident_id_check_char(FIRST_17)
TITLE = "关于银龄助餐点运营补贴发放情况的公示"
NO_HORIZONTAL_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth"


def docx_bytes(text: str) -> bytes:
    document = Document()
    document.add_paragraph("银龄助餐点运营补贴发放明细")
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def sign_out(page):
    page.locator("#user-menu").click()
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_load_state()


def step(page, name):
    page.locator(f'[data-step="{name}"]').click()
    page.wait_for_load_state()


def answer_checklist(page, agency, conclusion: str, comment: str = ""):
    for item in review_checklist(agency):
        page.get_by_role("group", name=item["label"]).get_by_label("否").check()
    page.get_by_role("group", name="审查结论").get_by_label(conclusion).check()
    if comment:
        page.get_by_label("审查意见").fill(comment)


def test_a_record_from_draft_to_the_portal(live_demo, page, browser, live_server):
    # Given the clerk of 社会救助科, who finds 主动公开 under the navigation's entry
    sign_in(page, "clerk", PASSWORD, expect_otp=False)
    page.locator('#staff-nav [data-nav="disclosure"]').click()
    expect(page.locator('#disclosure-tabs [data-tab="records"]')).to_have_class(
        re.compile("active")
    )
    page.get_by_role("link", name="新建").click()
    # When they enter the record's catalogue fields
    page.get_by_label("标题").fill(TITLE)
    page.get_by_label("发文字号").fill("示民救〔2026〕8号")
    page.get_by_label("成文日期").fill("2026-04-01")
    page.get_by_label("公开类别").select_option("art20_11")
    page.get_by_label("五公开").select_option("result")
    page.get_by_label("主题分类").fill("养老服务")
    page.get_by_label("正文").fill(
        "现将2026年第一季度银龄助餐点运营补贴发放情况公示如下，明细见附件。"
    )
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#record-state")).to_have_text("草稿")
    record = PublicRecord.objects.get(title=TITLE)
    expect(page.locator("#due-on")).to_contain_text("2026年")

    # And upload the list as DOCX, which holds a resident ID number, then submit
    page.locator("#attach-form").get_by_label("附件").set_input_files(
        {
            "name": "补贴发放明细.docx",
            "mimeType": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "buffer": docx_bytes(f"王某某，公民身份号码{RESIDENT_ID}，补贴600元。"),
        }
    )
    step(page, "attach")
    expect(page.locator("#attachment-list")).to_contain_text("补贴发放明细.docx")
    step(page, "submit")
    expect(page.locator("#record-state")).to_have_text("保密审查中")
    sign_out(page)

    # Then the department head sees the hit masked, never the number itself
    sign_in(page, "department_head", PASSWORD, expect_otp=False)
    page.goto(f"/staff/disclosure/catalogue/{record.pk}/")
    finding = ScanFinding.objects.get(record=record)
    row = page.locator(f'#finding-table [data-finding="{finding.pk}"]')
    expect(row).to_contain_text("补贴发放明细.docx")
    expect(row).to_contain_text("公民身份号码")
    expect(row.locator(".finding-masked")).to_have_text(finding.masked)
    assert RESIDENT_ID not in page.content()

    # When they try to release while the finding is open, they are told why not
    answer_checklist(page, live_demo, "可以公开")
    step(page, "review")
    expect(page.locator(".alert-danger").first).to_contain_text("个人信息检查尚有")
    expect(page.locator("#record-state")).to_have_text("保密审查中")

    # When they redact it, then release
    row.locator('[data-step="redact"]').click()
    page.wait_for_load_state()
    expect(row).to_have_attribute("data-resolution", "redacted")
    answer_checklist(page, live_demo, "可以公开")
    step(page, "review")
    expect(page.locator("#record-state")).to_have_text("待审核发布")
    sign_out(page)

    # Then the legal office publishes it with an index number
    sign_in(page, "legal_officer", PASSWORD, expect_otp=True)
    page.goto(f"/staff/disclosure/catalogue/{record.pk}/")
    step(page, "publish")
    expect(page.locator("#record-state")).to_have_text("已公开")
    record.refresh_from_db()
    assert re.fullmatch(r"示民公开-\d{4}-\d{5}", record.index_number)
    expect(page.locator("#index-number")).to_have_text(record.index_number)
    # and finds it counted in the year's timeliness statistics (Art. 26), from the list
    page.locator('#disclosure-tabs [data-tab="records"]').click()
    page.locator("#record-timeliness").click()
    expect(page.locator("h1")).to_have_text("公开时效统计")
    published_count = int(page.locator('[data-figure="published"]').inner_text())
    assert published_count >= 1

    # And a citizen on a phone finds it in the catalogue by a word of its title
    phone = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 375, "height": 740},
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
    )
    citizen = phone.new_page()
    citizen.goto("/")
    citizen.get_by_role("navigation").get_by_role("link", name="政府信息公开目录").click()
    expect(citizen).to_have_url(re.compile(r"/disclosure/catalogue/$"))
    citizen.get_by_label("关键词").fill("银龄助餐")
    citizen.get_by_role("button", name="检索").click()
    cards = citizen.locator("#catalogue-cards")
    expect(cards).to_be_visible()
    expect(cards).to_contain_text(record.index_number)
    assert citizen.evaluate(NO_HORIZONTAL_SCROLL)
    cards.get_by_role("link", name=TITLE).click()
    expect(citizen.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(citizen.locator("#public-index")).to_have_text(record.index_number)
    expect(citizen.locator("#public-attachments")).to_contain_text("补贴发放明细.docx")
    assert RESIDENT_ID not in citizen.content()
    assert citizen.evaluate(NO_HORIZONTAL_SCROLL)
    # The published attachment is the redacted copy.
    with citizen.expect_download() as download_info:
        citizen.get_by_role("link", name="补贴发放明细.docx").click()
    published = Document(download_info.value.path())
    text = "\n".join(p.text for p in published.paragraphs)
    assert RESIDENT_ID not in text and finding.masked in text
    phone.close()
