"""The power list and service guides clicked through: the legal office starts a new version of
the demo bureau's list, imports an XLSX with one bad row, reads the report naming the row and
the column, imports the good rows and publishes; a citizen on a phone finds a service guide on
the portal from the header link 权力清单和办事指南."""

from __future__ import annotations

import io
import re

from django.conf import settings as django_settings
from openpyxl import Workbook
from playwright.sync_api import expect

from fazhi.services import xlsx
from fazhi.services.demo import POWERS, build_services_demo
from fazhi.services.models import PowerList
from fazhi.testing.browser import sign_in

PASSWORD = django_settings.FAZHI_DEMO_PASSWORD
NO_HORIZONTAL_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth"
NEW_POWER = "对慈善组织的监督检查"


def sheet_bytes(agency_name: str) -> bytes:
    """The demo list, one new power (row 34) and one row with an unknown kind (row 35)."""
    book = Workbook()
    book.active.append(list(xlsx.COLUMNS))
    for code, name, kind, basis, department, promised, statutory in POWERS:
        book.active.append([code, name, kind, basis, agency_name, department, promised, statutory])
    book.active.append(
        ["033", NEW_POWER, "行政检查", "《中华人民共和国慈善法》第九十二条", agency_name,
         "社会组织管理局", None, None]
    )  # fmt: skip
    book.active.append(
        ["034", "养老服务补贴给付", "行政审批", "《中华人民共和国老年人权益保障法》第三十三条",
         agency_name, "养老服务科", 10, 20]
    )  # fmt: skip
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_office_imports_and_publishes_then_a_citizen_finds_a_guide(live_demo, page, browser):
    build_services_demo(live_demo)
    data = sheet_bytes(live_demo.name)
    upload = {"name": "权力清单.xlsx", "mimeType": xlsx.XLSX_TYPE, "buffer": data}

    # Given the legal office, who opens 政务服务 and starts a new version of the published list
    sign_in(page, "legal_officer", PASSWORD)
    page.locator('#staff-nav [data-nav="services"]').click()
    expect(page.locator("#version-state")).to_have_text("已发布")
    page.locator("#draft-start").click()
    expect(page.locator("#version-state")).to_have_text("草稿")

    # When they import a sheet with one bad row
    page.locator("#import").click()
    page.get_by_label("XLSX 文件").set_input_files(upload)
    page.locator("#import-submit").click()
    # Then the report names the row and the column, and nothing was imported
    bad = page.locator("#bad-rows")
    expect(bad).to_contain_text("第 35 行")
    expect(bad).to_contain_text("事项类型")
    expect(bad).to_contain_text("行政审批")
    draft = PowerList.objects.get(agency=live_demo, state="draft")
    assert not draft.powers.filter(code="033").exists()

    # When they choose to import the good rows
    page.get_by_label("XLSX 文件").set_input_files(upload)
    page.get_by_label("有错误的行时，只导入正确的行").check()
    page.locator("#import-submit").click()
    expect(page.locator("#import-report")).to_contain_text("导入完成")
    assert draft.powers.filter(code="033", name=NEW_POWER).exists()
    assert not draft.powers.filter(code="034").exists()

    # And publish the version
    page.get_by_role("link", name="返回清单").click()
    page.locator("#publish").click()
    expect(page.locator("#version-state")).to_have_text("已发布")
    expect(page.locator("#power-table")).to_contain_text(NEW_POWER)
    draft.refresh_from_db()
    assert draft.frozen

    # And a citizen on a phone finds the 最低生活保障 guide from the portal's header link
    phone = browser.new_context(
        base_url=page.url.split("/staff/")[0],
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
    )
    citizen = phone.new_page()
    citizen.goto("/")
    citizen.get_by_role("navigation").get_by_role("link", name="权力清单和办事指南").click()
    expect(citizen).to_have_url(re.compile(r"/services/$"))
    # The new version is what the public reads.
    expect(citizen.locator("body")).to_contain_text(NEW_POWER)
    citizen.get_by_label("关键词").fill("最低生活保障")
    citizen.get_by_role("button", name="搜索").click()
    guides = citizen.locator("#guide-list")
    expect(guides).to_be_visible()
    assert citizen.evaluate(NO_HORIZONTAL_SCROLL)
    guides.get_by_role("link", name=re.compile("最低生活保障申请")).click()
    expect(citizen.get_by_role("heading", name=re.compile("最低生活保障申请"))).to_be_visible()
    body = citizen.locator("#guide-body")
    expect(body).to_contain_text("居民身份证")
    expect(body).to_contain_text("平台已有，免提交")
    expect(body).to_contain_text("15 个工作日")
    assert citizen.evaluate(NO_HORIZONTAL_SCROLL)
    phone.close()
