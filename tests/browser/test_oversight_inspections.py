"""A third-party inspector creates the inspection of a subdistrict of their contract, uploads the
special report, records a finding and submits; the leader reads the results by subdistrict."""

from __future__ import annotations

import re
from datetime import date, timedelta

from django.conf import settings as django_settings
from django.utils import timezone
from playwright.sync_api import expect

from fazhi.accounts.models import User
from fazhi.core.models import Subdistrict
from fazhi.oversight.models import Finding, Inspection
from fazhi.oversight.services import inspections as services
from fazhi.testing.browser import sign_in

PASSWORD = django_settings.FAZHI_DEMO_PASSWORD
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_an_inspector_reports_on_a_subdistrict(live_demo, page):
    today = timezone.localdate()
    officer = User.objects.get(username="legal_officer")
    east = Subdistrict.objects.get(agency=live_demo, name="东湖街道")
    west = Subdistrict.objects.get(agency=live_demo, name="西山街道")
    contract = services.contract_save(
        actor=officer,
        agency=live_demo,
        organisation="明德社会工作评估中心",
        contract_number="示民采〔2026〕7号",
        scope="社会救助政策落实情况第三方检查",
        period_start=date(today.year, 1, 1),
        period_end=date(today.year, 12, 31),
        subdistricts=[east, west],
        inspectors=[User.objects.get(username="inspector")],
    )

    # Given the inspector, who sees only the subdistricts of the contract
    sign_in(page, "inspector", PASSWORD, expect_otp=False)
    page.goto("/staff/oversight/")
    expect(page.locator('#oversight-tabs [data-tab="inspections"]')).to_have_class(
        re.compile("active")
    )
    page.get_by_role("link", name="新建第三方检查").click()
    options = page.get_by_label("合同与街道/镇").locator("option").all_inner_texts()
    assert options == ["明德社会工作评估中心 · 东湖街道", "明德社会工作评估中心 · 西山街道"]
    # When they create the inspection of 东湖街道
    page.get_by_label("合同与街道/镇").select_option(f"{contract.pk}:{east.pk}")
    page.get_by_label("检查开始日期").fill((today - timedelta(days=3)).isoformat())
    page.get_by_label("检查结束日期").fill(today.isoformat())
    page.get_by_label("检查情况").fill("抽查低保家庭30户，审核审批总体规范。")
    page.get_by_label("得分").fill("86.5")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#inspection-state")).to_have_text("草稿")
    inspection = Inspection.objects.get(contract=contract)
    # And upload the special report
    page.locator("#report-form").get_by_label("专项报告").set_input_files(
        {"name": "东湖街道专项报告.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.locator("#report-upload").click()
    expect(page.locator("#inspection-report")).to_contain_text("东湖街道专项报告.pdf")
    # And record a finding for the responsible department
    form = page.locator("#finding-form")
    form.get_by_label("问题", exact=True).fill("低保年度复核台账不全")
    form.get_by_label("问题描述").fill("抽查30户，3户缺少年度复核记录。")
    form.get_by_label("严重程度").select_option("serious")
    form.get_by_label("责任单位").select_option(label="社会救助科")
    page.locator("#finding-record").click()
    expect(page.locator("#finding-table")).to_contain_text("低保年度复核台账不全")
    expect(page.locator("#finding-table")).to_contain_text("待制定整改措施")
    page.locator("#inspection-submit").click()
    expect(page.locator("#inspection-state")).to_have_text("已提交")
    expect(page.locator("#finding-form")).to_have_count(0)

    finding = Finding.objects.get(source_ref=f"oversight.inspection:{inspection.pk}:1")
    assert (finding.subdistrict, finding.department.name, finding.severity) == (
        east,
        "社会救助科",
        "serious",
    )
    # The results by subdistrict are the agency's, not the inspector's.
    assert page.goto("/staff/oversight/inspections/results/").status == 403

    # Then the leader reads the result of 东湖街道
    page.context.clear_cookies()
    sign_in(page, "leader", PASSWORD)
    page.goto("/staff/oversight/inspections/results/")
    row = page.locator(f'#result-table [data-subdistrict="{east.pk}"]')
    expect(row.locator(".latest-score")).to_have_text("86.5")
    expect(row.locator(".open")).to_contain_text("1")
