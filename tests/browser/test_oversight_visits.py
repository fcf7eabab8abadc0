"""A supervisor on a phone files a visit with scores, a problem and a photo; the finding reaches
the department visited; the legal office sees it on the visit page and in the plan."""

from __future__ import annotations

import re
from datetime import date

from django.conf import settings as django_settings
from django.utils import timezone
from playwright.sync_api import expect

from fazhi.accounts.models import User
from fazhi.core.models import Department
from fazhi.oversight.models import Finding, Mode, Supervisor, Visit
from fazhi.oversight.services import visits as services
from fazhi.testing.browser import sign_in

PASSWORD = django_settings.FAZHI_DEMO_PASSWORD
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + bytes(4000)
ITEMS = ["服务态度", "办事效率", "窗口环境", "公示公开", "廉洁自律"]
NO_HORIZONTAL_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth"


def roster(agency):
    """The demo supervisor on the roster, the checklist, and this month's plan."""
    officer = User.objects.get(username="legal_officer")
    today = timezone.localdate()
    supervisor = services.supervisor_add(
        actor=officer,
        agency=agency,
        name="吴监督",
        kind=Supervisor.Kind.DEPUTY,
        phone="13800138000",
        term_start=date(today.year - 1, 1, 1),
        term_end=date(today.year + 1, 12, 31),
        user=User.objects.get(username="supervisor"),
    )
    for text in ITEMS:
        services.checklist_item_save(actor=officer, agency=agency, text=text)
    window = Department.objects.get(agency=agency, name="社会救助科")
    plan = services.plan_add(
        actor=officer,
        agency=agency,
        month=today.replace(day=1),
        supervisor=supervisor,
        place="社会救助科受理窗口",
        department=window,
        mode=Mode.UNANNOUNCED,
    )
    return supervisor, plan


def test_a_supervisor_files_a_visit_on_a_phone(live_demo, browser, live_server, page):
    supervisor, plan = roster(live_demo)
    phone = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
    )
    phone.set_default_timeout(15_000)
    mobile = phone.new_page()
    sign_in(mobile, "supervisor", PASSWORD, expect_otp=False)
    mobile.goto("/staff/oversight/")
    expect(mobile.locator('#oversight-tabs [data-tab="visits"]')).to_have_class(
        re.compile("active")
    )
    mobile.get_by_role("link", name="填报走访").click()
    expect(mobile.get_by_role("heading", name="填报走访")).to_be_visible()
    assert mobile.evaluate(NO_HORIZONTAL_SCROLL)

    # When they pick the month's plan, score every item, write a problem and attach a photo
    mobile.get_by_label("走访计划").select_option(str(plan.pk))
    for text, points in zip(ITEMS, ("8", "6", "9", "7", "10"), strict=True):
        mobile.get_by_label(text).fill(points)
    mobile.get_by_label("意见建议").fill("建议增设叫号屏。")
    mobile.get_by_label("发现的问题").fill("窗口工作人员离岗二十分钟\n群众排队无人受理。")
    mobile.get_by_label("照片").set_input_files(
        {"name": "现场.jpg", "mimeType": "image/jpeg", "buffer": JPEG}
    )
    mobile.get_by_role("button", name="提交").click()

    # Then the visit shows its points and the finding handed to the department
    expect(mobile.locator("#visit-points")).to_contain_text("40 / 50")
    expect(mobile.locator("#visit-mode")).to_have_text("暗访")
    expect(mobile.locator("#visit-finding")).to_contain_text("窗口工作人员离岗二十分钟")
    expect(mobile.locator("#rectification-state")).to_have_text("待制定整改措施")
    expect(mobile.locator("#visit-photos")).to_contain_text("现场.jpg")
    assert mobile.evaluate(NO_HORIZONTAL_SCROLL)
    visit = Visit.objects.get(supervisor=supervisor)
    finding = Finding.objects.get(source_ref=f"oversight.visit:{visit.pk}")
    assert finding.department.name == "社会救助科"
    assert [f.original_name for f in finding.evidence.all()] == ["现场.jpg"]
    phone.close()

    # And the legal office sees the finding linked from the visit, and the plan done
    sign_in(page, "legal_officer", PASSWORD)
    page.goto(f"/staff/oversight/visits/{visit.pk}/")
    expect(page.locator("#finding-link")).to_have_attribute(
        "href", f"/staff/oversight/findings/{finding.pk}/"
    )
    page.goto("/staff/oversight/visits/plans/")
    expect(page.locator(f'#plan-table [data-plan="{plan.pk}"] .plan-done')).to_have_text("已走访")
    # The department head visited never sees the unannounced visit itself.
    assert not Visit.objects.filter(mode=Mode.OPEN).exists()
