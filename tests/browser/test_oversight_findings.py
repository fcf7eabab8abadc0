"""Findings clicked through as the people who work them: the legal office opens a finding for
社会救助科; the department head proposes measures, uploads evidence and submits; the legal
office sends it back with a reason, the head completes it, the legal office verifies and closes
it; the board shows the department's row; another department's liaison reads only their own
row, on a phone."""

from __future__ import annotations

import io
import re

from django.conf import settings as django_settings
from docx import Document
from playwright.sync_api import expect

from fazhi.oversight.models import Finding, Rectification
from fazhi.testing.browser import sign_in

PASSWORD = django_settings.FAZHI_DEMO_PASSWORD
TITLE = "低保审批超过法定期限"
NO_HORIZONTAL_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth"


def docx_bytes(text: str) -> bytes:
    document = Document()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def person(browser, live_server, username: str, *, otp: bool = False, **options):
    """A separate browser for each person, so nobody has to sign in twice."""
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", **options)
    page = context.new_page()
    sign_in(page, username, PASSWORD, expect_otp=otp)
    return page


def step(page, name):
    page.locator(f'[data-step="{name}"]').click()
    page.wait_for_load_state()


def open_finding(page):
    page.locator('#staff-nav [data-nav="oversight"]').click()
    expect(page.locator('#oversight-tabs [data-tab="findings"]')).to_have_class(
        re.compile("active")
    )
    page.get_by_role("link", name=TITLE).click()


def test_a_finding_from_complaint_to_closing(live_demo, browser, live_server):
    # Given the legal office, who opens a finding from a complaint
    office = person(browser, live_server, "legal_officer", otp=True)
    head = person(browser, live_server, "department_head")
    page = office
    page.locator('#staff-nav [data-nav="oversight"]').click()
    page.get_by_role("link", name="登记问题").click()
    page.get_by_label("来源", exact=True).select_option("complaint")
    page.get_by_label("问题", exact=True).fill(TITLE)
    page.get_by_label("问题描述").fill("群众投诉：9月提交的低保申请至今未审批。")
    page.get_by_label("责任单位").select_option(label="社会救助科")
    page.get_by_label("严重程度").select_option("minor")
    page.get_by_label("证据材料").set_input_files(
        {
            "name": "投诉记录.docx",
            "mimeType": "application/octet-stream",
            "buffer": docx_bytes("投诉"),
        }
    )
    page.get_by_role("button", name="登记并交办").click()
    expect(page.locator("#rect-state")).to_have_text("待制定整改措施")
    expect(page.locator("#finding-evidence")).to_contain_text("投诉记录.docx")

    # When the department head proposes measures, uploads evidence and submits
    page = head
    open_finding(page)
    expect(page.locator('[data-step="verify"]')).to_have_count(0)
    page.get_by_label("整改措施").fill("逐件复核积压申请，5个工作日内办结。")
    step(page, "measures")
    expect(page.locator("#rect-state")).to_have_text("整改中")
    page.locator("#evidence-form").get_by_label("整改佐证材料").set_input_files(
        {
            "name": "审批台账.docx",
            "mimeType": "application/octet-stream",
            "buffer": docx_bytes("台账"),
        }
    )
    step(page, "evidence")
    expect(page.locator("#completion-files")).to_contain_text("审批台账.docx")
    page.get_by_label("整改情况").fill("积压申请已全部审批。")
    step(page, "submit")
    expect(page.locator("#rect-state")).to_have_text("待核验")

    # Then the legal office sends it back with a reason
    page = office
    open_finding(page)
    step(page, "send_back")  # without a reason: refused, nothing changes
    expect(page.locator("#rect-state")).to_have_text("待核验")
    page.get_by_label("驳回理由").fill("缺少审批决定书。")
    step(page, "send_back")
    expect(page.locator("#rect-state")).to_have_text("整改中")

    # The head sees the reason, adds the missing document and submits again
    page = head
    open_finding(page)
    expect(page.locator("#sent-back-reason")).to_contain_text("缺少审批决定书。")
    page.locator("#evidence-form").get_by_label("整改佐证材料").set_input_files(
        {
            "name": "审批决定书.docx",
            "mimeType": "application/octet-stream",
            "buffer": docx_bytes("决定"),
        }
    )
    step(page, "evidence")
    page.get_by_label("整改情况").fill("已补充审批决定书。")
    step(page, "submit")
    expect(page.locator("#rect-state")).to_have_text("待核验")

    # And the legal office verifies and closes it; the board shows it closed
    page = office
    open_finding(page)
    page.get_by_label("核验意见").fill("材料齐全，同意销号。")
    step(page, "verify")
    expect(page.locator("#rect-state")).to_have_text("已销号")
    expect(page.locator("#closed-on")).to_be_visible()
    rect = Rectification.objects.get(finding=Finding.objects.get(title=TITLE))
    assert (rect.state, rect.rejection_count) == ("closed", 1)
    page.locator("#board-link").click()
    row = page.locator('#board-departments tr[data-name="社会救助科"]')
    expect(row).to_have_attribute("data-flag", "none")
    closed_cells = row.locator("td")
    expect(closed_cells.nth(5)).to_have_text("1")  # closed on time

    # 社会事务科's liaison reads the board on a phone: their own row only, no sideways scrolling
    phone = person(browser, live_server, "liaison", viewport={"width": 375, "height": 740})
    phone.goto("/staff/oversight/findings/board/")
    expect(phone.locator('#board-departments tr[data-name="社会事务科"]')).to_have_attribute(
        "data-flag", "none"
    )
    expect(phone.locator('#board-departments tr[data-name="社会救助科"]')).to_have_count(0)
    assert phone.evaluate(NO_HORIZONTAL_SCROLL)
    phone.close()
