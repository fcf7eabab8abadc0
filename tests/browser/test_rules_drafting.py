"""Drafting and review extras clicked through as each person: the clerk uploads a Word draft and
compares it with the first text, asks a second department for 会签, that department's head
agrees from their 待办, the clerk opens the consultation; in review the legal office asks the
legal adviser, who answers from their 待办 with an attachment."""

from __future__ import annotations

import io
from datetime import timedelta

from django.conf import settings as django_settings
from django.utils import timezone
from playwright.sync_api import expect

from fazhi.core.models import Department
from fazhi.core.roles import Role
from fazhi.rules.models import Consultation, LegalityReview, NormativeDocument
from fazhi.testing.browser import sign_in
from fazhi.testing.factories import user_with_role

PASSWORD = django_settings.FAZHI_DEMO_PASSWORD
TITLE = "关于规范困境儿童临时照料的实施办法（试行稿）"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def word_draft() -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("第一条 为了规范困境儿童临时照料，制定本办法。")
    table = document.add_table(rows=2, cols=2)
    for (r, c), text in {
        (0, 0): "照料情形",
        (0, 1): "期限",
        (1, 0): "监护缺失",
        (1, 1): "30日",
    }.items():
        table.cell(r, c).text = text
    document.add_paragraph("第二条 本办法自公布之日起施行。")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def person(browser, live_server, username: str, *, otp: bool = False):
    """A separate browser for each person, so nobody has to sign in twice."""
    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    page = context.new_page()
    sign_in(page, username, PASSWORD, expect_otp=otp)
    return page


def step(page, name):
    page.locator(f'[data-step="{name}"]').click()
    page.wait_for_load_state()


def test_upload_compare_countersign_and_the_advisers_opinion(live_demo, browser, live_server):
    today = timezone.localdate()
    affairs = Department.objects.get(agency=live_demo, name="社会事务科")
    user_with_role(
        Role.DEPARTMENT_HEAD,
        agency=live_demo,
        department=affairs,
        username="affairs_head",
        display_name="钱科长",
        password=PASSWORD,
    )

    # The clerk drafts online, then uploads the Word version.
    clerk = person(browser, live_server, "clerk")
    clerk.goto("/staff/rules/new/")
    clerk.get_by_label("标题").fill(TITLE)
    clerk.get_by_label("正文").fill("第一条 为了规范困境儿童照料，制定本办法。")
    clerk.get_by_role("button", name="保存草案").click()
    expect(clerk.locator("#document-state")).to_have_text("起草")
    document = NormativeDocument.objects.get(title=TITLE)

    clerk.locator("#id_upload-file").set_input_files(
        {"name": "困境儿童照料办法.docx", "mimeType": DOCX, "buffer": word_draft()}
    )
    clerk.get_by_label("本稿说明").fill("科务会修改稿")
    step(clerk, "upload")
    expect(clerk.get_by_text("已从 Word 文档提取正文，保存为第 2 稿。")).to_be_visible()
    expect(clerk.locator('#version-table tr[data-version="2"]')).to_contain_text(
        "困境儿童照料办法.docx"
    )
    expect(clerk.locator("#latest-text")).to_contain_text("照料情形 | 期限")

    clerk.get_by_role("button", name="对比两个版本").click()
    expect(clerk.locator("#compare-summary")).to_contain_text("修改 1 处，新增 3 行")
    expect(clerk.locator("#diff-table ins.diff-ins").first).to_have_text("临时")
    clerk.go_back()

    # 会签: the clerk asks 社会事务科; consultation must wait for its agreement.
    clerk.locator("#countersign-form").get_by_label("社会事务科").check()
    step(clerk, "countersign")
    expect(clerk.locator('#countersign tr[data-department="社会事务科"]')).to_contain_text("待签")

    head = person(browser, live_server, "affairs_head")
    head.get_by_role("link", name=f"会签：{TITLE}").click()
    head.get_by_label("会签意见", exact=True).select_option("agree")
    head.get_by_label("意见说明").fill("同意，建议明确照料期限。")
    step(head, "countersign-opine")
    expect(head.locator('#countersign tr[data-department="社会事务科"]')).to_contain_text("同意")

    clerk.reload()
    clerk.get_by_label("开始日期").fill(today.isoformat())
    clerk.get_by_label("截止日期").fill((today + timedelta(days=20)).isoformat())
    step(clerk, "consultation")
    expect(clerk.locator("#document-state")).to_have_text("公开征求意见")

    # Given the consultation period has passed: close it, publish the report, submit.
    Consultation.objects.filter(document=document).update(
        opens_on=today - timedelta(days=30), closes_on=today - timedelta(days=1)
    )
    clerk.reload()
    step(clerk, "close")
    step(clerk, "report")
    step(clerk, "submit")
    expect(clerk.locator("#document-state")).to_have_text("合法性审核")

    # In review the legal office asks the legal adviser.
    officer = person(browser, live_server, "legal_officer", otp=True)
    officer.goto(f"/staff/rules/{document.pk}/")
    form = officer.locator("#adviser-request-form")
    form.get_by_label("法律顾问", exact=True).select_option(label="周律师")
    form.get_by_label("征求意见的事项").fill("第二条的施行日期安排是否符合规定？")
    step(officer, "adviser-request")
    expect(officer.locator(".adviser-status").first).to_have_text("待答复")

    adviser = person(browser, live_server, "legal_adviser")
    adviser.get_by_role("link", name=f"出具法律顾问意见：{TITLE}").click()
    expect(adviser.locator(".adviser-request")).to_contain_text(
        "第二条的施行日期安排是否符合规定？"
    )
    adviser.get_by_label("法律顾问意见书").fill("符合规定，无不同意见。")
    adviser.get_by_label("意见附件（PDF 或 DOCX，可不附）").set_input_files(
        {"name": "法律意见书.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"}
    )
    step(adviser, "adviser-answer")
    expect(adviser.get_by_text("法律顾问意见已提交，谢谢。")).to_be_visible()
    assert adviser.goto(f"/staff/rules/{document.pk}/").status == 403

    officer.reload()
    expect(officer.locator(".adviser-opinion").first).to_contain_text("符合规定，无不同意见。")
    expect(officer.locator(".adviser-file").first).to_have_text("法律意见书.pdf")
    review = LegalityReview.objects.get(document=document)
    assert review.adviser_opinion == "符合规定，无不同意见。"
    assert review.adviser_file.original_name == "法律意见书.pdf"
