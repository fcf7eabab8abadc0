"""Spot checks (案卷评查) clicked through as the people who do them: the legal office fills the
reviewer pool, writes a checklist, plans a check of the year's normative documents and draws it
with a typed seed; the reviewer drawn for the first file scores it 不合格 on a phone and the
finding reaches the department; a citizen on a phone sees the plan with its seed on the portal
and the files drawn."""

from __future__ import annotations

import re
from datetime import timedelta

from django.conf import settings as django_settings
from django.utils import timezone
from playwright.sync_api import expect

from fazhi.accounts.models import User
from fazhi.oversight.models import Finding, SampledFile, SamplingPlan
from fazhi.testing.browser import sign_in

PASSWORD = django_settings.FAZHI_DEMO_PASSWORD
NO_HORIZONTAL_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth"
SEED = "20261127"


def phone_page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 375, "height": 740},
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
    )
    context.set_default_timeout(15_000)
    return context, context.new_page()


def sign_out(page):
    page.locator("#user-menu").click()
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_load_state()


def test_plan_draw_review_and_publish(live_demo, page, browser, live_server):
    from fazhi.rules.demo import build_rules_demo

    build_rules_demo(live_demo)  # the year's normative documents: the population
    today = timezone.localdate()
    start = today - timedelta(days=365)

    # Given the legal office, who finds 案卷评查 under 监督
    sign_in(page, "legal_officer", PASSWORD, expect_otp=True)
    page.locator('#staff-nav [data-nav="oversight"]').click()
    page.locator('#oversight-tabs [data-tab="spot_checks"]').click()
    expect(page.get_by_role("heading", name="抽查方案")).to_be_visible()

    # When they put three people in the reviewer pool
    page.locator('#spot-check-nav [data-sub="pool"]').click()
    for username in ("department_head", "liaison", "legal_adviser"):
        user = User.objects.get(username=username)
        page.get_by_label("加入人员").select_option(f"{live_demo.pk}-{user.pk}")
        page.get_by_role("button", name="加入评查人员库").click()
        expect(page.locator(f'#pool-table [data-user="{username}"]')).to_be_visible()
    expect(page.locator('#pool-table [data-user="legal_adviser"]')).to_contain_text(
        "无（不属于承办单位）"
    )
    expect(page.locator('#pool-table [data-user="department_head"]')).to_contain_text("社会救助科")

    # And write a checklist with a veto item and a points item
    page.locator('#spot-check-nav [data-sub="checklists"]').click()
    page.locator("#checklist-create").click()
    page.get_by_label("评查表名称").fill("规范性文件案卷评查表（试行）")
    page.get_by_label("案卷类型").select_option("normative.documents")
    page.get_by_label("第1项 评查内容").fill("未经合法性审核")
    page.get_by_label("第1项 类型").select_option("veto")
    page.get_by_label("第2项 评查内容").fill("案卷材料齐全、制作规范")
    page.get_by_label("第2项 分值").fill("100")
    page.get_by_role("button", name="保存评查表").click()
    expect(page.locator("#item-table tbody tr")).to_have_count(2)

    # And plan a check of the year's documents, 2 by count, and draw it with a typed seed
    page.locator('#spot-check-nav [data-sub="plans"]').click()
    page.locator("#plan-create").click()
    page.get_by_label("方案名称").fill("近一年规范性文件案卷评查")
    page.get_by_label("案卷类型").select_option("normative.documents")
    page.get_by_label("起始日期").fill(start.isoformat())
    page.get_by_label("截止日期").fill(today.isoformat())
    page.get_by_label("抽取方式").select_option("count")
    page.get_by_label("抽取数量").fill("2")
    page.get_by_label("每个单位至少").fill("0")
    page.get_by_label("评查表").select_option(label="规范性文件案卷评查表（试行）")
    page.get_by_role("button", name="保存方案").click()
    expect(page.locator("#plan-state")).to_have_text("草稿")
    page.get_by_label("随机种子").fill(SEED)
    page.locator('[data-step="draw"]').click()
    expect(page.locator("#plan-state")).to_have_text("已抽取并公布")
    expect(page.locator("#plan-seed")).to_have_text(SEED)
    expect(page.locator("#file-table tbody tr")).to_have_count(2)
    # Then the draw checks out against its seed
    page.locator('[data-step="verify"]').click()
    expect(page.locator("#verify-result")).to_have_attribute("data-same", "1")
    plan = SamplingPlan.objects.get(title="近一年规范性文件案卷评查")
    sampled = SampledFile.objects.filter(plan=plan).order_by("draw_order").first()
    assert sampled.reviewer.username != "legal_officer"
    sign_out(page)

    # When the reviewer drawn for the first file scores it on a phone: the veto item failed
    context, mobile = phone_page(browser, live_server)
    sign_in(mobile, sampled.reviewer.username, PASSWORD, expect_otp=False)
    mobile.goto("/staff/oversight/spot-checks/")
    expect(mobile).to_have_url(re.compile(r"/spot-checks/mine/$"))
    mobile.locator(f'#pending-files [data-file="{sampled.pk}"]').click()
    assert mobile.evaluate(NO_HORIZONTAL_SCROLL)
    mobile.get_by_label("不符合").check()
    mobile.get_by_label("得分（0–100.0）").fill("85")
    mobile.get_by_label("评查意见").fill("案卷中未见合法性审核意见书。")
    mobile.locator('[data-step="review"]').click()
    expect(mobile.locator("#review-result")).to_contain_text("不合格")
    expect(mobile.locator("#finding-link")).to_be_visible()
    context.close()

    # Then a finding is open for the unit that handled the file
    sampled.refresh_from_db()
    finding = Finding.objects.get(pk=sampled.finding_id)
    assert finding.department_id == sampled.department_id
    assert finding.severity == "serious"
    assert "未经合法性审核" in finding.description

    # And a citizen on a phone sees the plan with its seed and the files drawn
    context, citizen = phone_page(browser, live_server)
    citizen.goto("/oversight/spot-checks/")
    citizen.locator(f'#public-plans [data-plan="{plan.pk}"]').click()
    expect(citizen.locator("#public-seed")).to_have_text(SEED)
    expect(citizen.locator(f'#public-files [data-ref="{sampled.case_ref}"]')).to_be_visible()
    expect(citizen.locator("#public-population tbody tr")).to_have_count(plan.population_size)
    expect(citizen.locator("#redraw-snippet")).to_contain_text("def redraw")
    assert sampled.reviewer.display_name not in citizen.content()
    assert citizen.evaluate(NO_HORIZONTAL_SCROLL)
    context.close()
