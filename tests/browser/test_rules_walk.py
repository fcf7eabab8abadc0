"""A normative document from drafting to numbered publication, clicked through as the clerk and
the legal office; then a citizen finds it on the portal and comments on an open draft."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings as django_settings
from django.utils import timezone
from playwright.sync_api import expect

from fazhi.rules.models import Consultation, LegalityReview, NormativeDocument
from fazhi.testing.browser import sign_in

PASSWORD = django_settings.FAZHI_DEMO_PASSWORD


def sign_out(page):
    page.locator("#user-menu").click()
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_load_state()


def step(page, name):
    page.locator(f'[data-step="{name}"]').click()
    page.wait_for_load_state()


def test_drafting_to_publication(live_demo, page):
    from fazhi.core.models import NumberSeries

    today = timezone.localdate()
    # Demo data may have issued documents this year already: expect the series' next number.
    series = NumberSeries.objects.filter(agency=live_demo, key="rules", year=today.year).first()
    number = series.render(series.next_value) if series else f"示民规〔{today.year}〕1号"
    sign_in(page, "clerk", PASSWORD, expect_otp=False)
    page.locator('#staff-nav [data-nav="rules"]').click()
    page.get_by_role("link", name="起草新文件").click()
    page.get_by_label("标题").fill("关于规范临时救助审批的实施办法")
    page.get_by_label("正文").fill(
        "第一条 为了规范临时救助审批，制定本办法。\n第二条 本办法自公布之日起施行。"
    )
    page.get_by_role("button", name="保存草案").click()
    expect(page.locator("#document-state")).to_have_text("起草")
    document = NormativeDocument.objects.get(title="关于规范临时救助审批的实施办法")

    page.get_by_label("开始日期").fill(today.isoformat())
    page.get_by_label("截止日期").fill((today + timedelta(days=20)).isoformat())
    step(page, "consultation")
    expect(page.locator("#document-state")).to_have_text("公开征求意见")

    # Given the consultation period has passed.
    Consultation.objects.filter(document=document).update(
        opens_on=today - timedelta(days=30), closes_on=today - timedelta(days=1)
    )
    page.reload()
    step(page, "close")
    expect(page.locator("#document-state")).to_have_text("意见处理")
    step(page, "report")
    step(page, "submit")
    expect(page.locator("#document-state")).to_have_text("合法性审核")
    sign_out(page)

    # Given the review has had its minimum working days.
    LegalityReview.objects.filter(document=document).update(started_on=today - timedelta(days=14))
    sign_in(page, "legal_officer", PASSWORD, expect_otp=True)
    page.goto(f"/staff/rules/{document.pk}/")
    for label in ("制定主体合法", "未超越法定权限", "制定程序合法", "内容合法", "形式规范"):
        page.get_by_label(label).check()
    page.get_by_label("审核意见").select_option("pass")
    page.get_by_label("审核报告").fill("符合法定权限和程序，内容合法。")
    step(page, "review")
    expect(page.locator("#document-state")).to_have_text("待集体讨论")

    page.get_by_label("会议", exact=True).select_option("director")
    page.get_by_label("出席人员").fill("陈局长、副局长、各科室负责人")
    page.get_by_label("决定内容").fill("原则通过，按程序公布。")
    step(page, "decision")
    expect(page.locator("#document-state")).to_have_text("待公布")

    page.get_by_label("公布日期").fill(today.isoformat())
    page.get_by_label("施行日期").fill((today + timedelta(days=30)).isoformat())
    page.get_by_label("有效期至").fill((today + timedelta(days=30 + 365 * 2)).isoformat())
    page.get_by_label("政策解读").fill("本办法明确了临时救助的审批程序和时限。")
    step(page, "issue")
    expect(page.locator("#document-state")).to_have_text("已公布")
    expect(page.locator("#doc-number")).to_have_text(number)
    expect(page.locator("#document-badge")).to_have_text("有效")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载公文（DOCX）").click()
    assert download.value.suggested_filename.endswith(".docx")
    sign_out(page)

    # A citizen finds it on the portal by a two-character word.
    page.goto("/rules/?q=救助")
    page.locator("#search-results a", has_text="关于规范临时救助审批的实施办法").first.click()
    expect(page.get_by_text(number).first).to_be_visible()
    expect(page.locator("#public-badge")).to_have_text("有效")


def test_a_citizen_finds_it_and_comments_on_an_open_draft(live_demo, browser, live_server):
    from fazhi.accounts.models import User
    from fazhi.core.models import Department
    from fazhi.rules import services
    from fazhi.rules.models import PublicComment

    today = timezone.localdate()
    clerk = User.objects.get(username="clerk")
    section = Department.objects.get(agency=live_demo, name="社会救助科")
    draft = services.document_create(
        actor=clerk,
        agency=live_demo,
        department=section,
        title="关于特困人员供养的实施意见",
        text="第一条 为了保障特困人员基本生活，制定本意见。",
    )
    services.consultation_open(
        actor=clerk, document=draft, opens_on=today, closes_on=today + timedelta(days=20)
    )

    phone = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 375, "height": 740},
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
    )
    page = phone.new_page()
    page.goto("/")
    page.get_by_role("link", name="征求意见").click()
    page.get_by_role("link", name="关于特困人员供养的实施意见").click()
    page.get_by_label("针对条款（可不填）").fill("1")
    page.get_by_label("意见内容").fill("建议写明申请材料清单。")
    page.get_by_label("姓名").fill("王小明")
    page.get_by_label("手机号码").fill("13912345678")
    page.get_by_role("button", name="提交意见").click()
    expect(page.get_by_text("意见已提交，感谢您的参与。")).to_be_visible()
    assert PublicComment.objects.filter(consultation__document=draft).count() == 1
    assert "13912345678" not in page.content()
    phone.close()
