"""A cleanup campaign (清理) clicked through: the legal office opens it over every document in
force, the clerk proposes a repeal, the office confirms and publishes, and a citizen reads the
result list on the portal and sees the document's badge 已废止."""

from __future__ import annotations

from django.conf import settings as django_settings
from django.utils import timezone
from playwright.sync_api import expect

from fazhi.testing.browser import sign_in

PASSWORD = django_settings.FAZHI_DEMO_PASSWORD
TITLE = "关于临时救助备用金管理的暂行办法"


def given_a_document_in_force(agency):
    from fazhi.accounts.models import User
    from fazhi.core.models import Department
    from fazhi.rules import services
    from fazhi.rules.tests.test_evaluation import VALID_UNTIL, as_issued

    clerk = User.objects.get(username="clerk")
    document = services.document_create(
        actor=clerk,
        agency=agency,
        department=Department.objects.get(agency=agency, name="社会救助科"),
        title=TITLE,
        text="第一条 为了规范临时救助备用金的管理，制定本办法。",
    )
    today = timezone.localdate()
    return as_issued(document, today.replace(year=today.year - 1), valid_until=VALID_UNTIL)


def given_the_other_documents_kept(campaign, document):
    """The demo may hold more documents in force; their departments and the office keep them."""
    from fazhi.accounts.models import User
    from fazhi.rules.services.cleanup import cleanup_confirm

    officer = User.objects.get(username="legal_officer")
    for item in campaign.items.exclude(document=document):
        cleanup_confirm(actor=officer, item=item, result="keep", note="继续有效")


def test_a_cleanup_from_opening_to_the_portal(live_demo, page, browser, live_server):
    from fazhi.rules.models import CleanupReview

    document = given_a_document_in_force(live_demo)

    # The legal office opens a cleanup over all documents in force.
    sign_in(page, "legal_officer", PASSWORD, expect_otp=True)
    page.locator('#staff-nav [data-nav="rules"]').click()
    page.locator('#rules-tabs [data-tab="cleanups"]').click()
    page.get_by_role("link", name="发起清理").click()
    page.get_by_label("清理名称").fill("2026年度行政规范性文件清理")
    page.get_by_label("清理范围").select_option("all")
    page.locator('[data-action="open"]').click()
    expect(page.locator("#campaign-state")).to_have_text("部门提出意见")
    campaign = CleanupReview.objects.get(title="2026年度行政规范性文件清理")
    item = campaign.items.get(document=document)
    given_the_other_documents_kept(campaign, document)

    # The clerk of the drafting section proposes a repeal, with the reason.
    clerk_context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    clerk_page = clerk_context.new_page()
    sign_in(clerk_page, "clerk", PASSWORD, expect_otp=False)
    clerk_page.goto("/staff/")
    clerk_page.get_by_role(
        "link", name="清理意见：2026年度行政规范性文件清理（1件待提出意见）"
    ).click()
    row = clerk_page.locator(f"#item-{item.pk}")
    row.get_by_label("清理意见").select_option("repeal")
    row.get_by_label("理由").fill("救助备用金制度已由新规定替代。")
    row.locator('[data-action="propose"]').click()
    expect(clerk_page.locator(f'#item-{item.pk} [data-proposal="repeal"]')).to_have_text("废止")
    clerk_context.close()

    # The office confirms the proposal and publishes the result lists.
    page.reload()
    row = page.locator(f"#item-{item.pk}")
    expect(row.get_by_label("清理结果")).to_have_value("repeal")
    row.get_by_label("说明").fill("同意废止。")
    row.locator('[data-action="confirm"]').click()
    expect(page.locator(f'#item-{item.pk} [data-result="repeal"]')).to_have_text("废止")
    page.get_by_label("清理结果说明").fill("本次清理共涉及现行有效文件若干件。")
    page.locator('[data-action="publish"]').click()
    expect(page.locator("#campaign-state")).to_have_text("结果已公布")

    # A citizen reads the result list on the portal and finds the document repealed.
    citizen = browser.new_context(base_url=live_server.url, locale="zh-CN")
    portal = citizen.new_page()
    portal.goto("/rules/cleanups/")
    portal.get_by_role("link", name="2026年度行政规范性文件清理").click()
    repealed = portal.locator("#result-repeal")
    expect(repealed).to_contain_text(document.doc_number.text)
    repealed.get_by_role("link", name=TITLE).click()
    expect(portal.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(portal.get_by_text("已废止", exact=True).first).to_be_visible()
    citizen.close()
