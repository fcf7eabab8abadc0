"""A citizen on a phone: filters the library by kind and year, opens a document, sees its badge
and its family, follows the family to the newer document, and downloads the list in force."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

NO_HORIZONTAL_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth"


def test_a_citizen_on_a_phone_finds_a_family_and_downloads_the_list(
    live_demo, browser, live_server
):
    from fazhi.accounts.models import User
    from fazhi.core.models import Department
    from fazhi.rules.tests.test_portal_filters import publish

    last_year = timezone.localdate().year - 1
    office = {
        "agency": live_demo,
        "section": Department.objects.get(agency=live_demo, name="社会救助科"),
        "clerk": User.objects.get(username="clerk"),
        "officer": User.objects.get(username="legal_officer"),
    }
    # Given an interim rule of last year that a measure of this year revises.
    interim = publish(
        office, "临时救助对象认定暂行办法", kind="interim", published_on=date(last_year, 5, 1)
    )
    measure = publish(office, "临时救助审核确认实施办法", revises=[interim])

    phone = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 375, "height": 740},
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        accept_downloads=True,
    )
    phone.set_default_timeout(15_000)
    page = phone.new_page()
    page.goto("/")
    page.get_by_role("link", name="规范性文件").click()
    expect(page.locator("h1")).to_have_text("行政规范性文件库")
    assert page.evaluate(NO_HORIZONTAL_SCROLL)

    # The revised rule is no longer in force: the citizen asks for every status.
    page.get_by_label("状态").select_option("all")
    page.get_by_label("文件类型").select_option("interim")
    page.get_by_label("公布年份").select_option(str(last_year))
    page.get_by_role("button", name="检索").click()
    results = page.locator("#document-list > li")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("临时救助对象认定暂行办法")
    expect(results.first.locator("[data-status]")).to_have_text("已修订")
    assert page.evaluate(NO_HORIZONTAL_SCROLL)

    results.first.get_by_role("link", name="临时救助对象认定暂行办法").click()
    expect(page.locator("#public-badge")).to_have_text("已修订")
    family = page.locator('[data-family="revised_by"]')
    expect(family).to_contain_text(measure.doc_number.text)
    expect(family.locator("[data-status]")).to_have_text("有效")
    expect(page.locator('[data-stage="published"]')).to_contain_text(interim.doc_number.text)
    assert page.evaluate(NO_HORIZONTAL_SCROLL)

    family.get_by_role("link", name="临时救助审核确认实施办法").click()
    expect(page.locator("#public-badge")).to_have_text("有效")
    expect(page.locator('[data-family="revises"]')).to_contain_text("临时救助对象认定暂行办法")

    page.get_by_role("link", name="行政规范性文件库").click()
    downloads = page.locator("#in-force li").filter(has_text=live_demo.name)
    if downloads.count() == 0:  # the only agency: its links carry no name
        downloads = page.locator("#in-force li")
    with page.expect_download() as download:
        downloads.first.get_by_role("link", name="表格（XLSX）").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    titles = [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "临时救助审核确认实施办法" in titles
    assert "临时救助对象认定暂行办法" not in titles
    phone.close()
