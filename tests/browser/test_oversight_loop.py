"""The oversight loop end to end (issue 6, "Done when"): a supervisor files a visit with a
problem; the finding reaches the department; the clock moves and the ladder takes every step
(提醒 → 督办单 → 约谈 → 通报) while the department's flag on the board turns red; the department
rectifies with evidence, the legal office verifies and closes it, and the flag is gone.

The clock is moved twice: the sweep is run for every day from the visit to the 通报 (as
`fazhi sweep` would run each morning), and the browser then works on the 通报 day with the
process clock travelled there (time-machine moves it for the live server's thread too)."""

from __future__ import annotations

import io
from datetime import datetime, time, timedelta

import time_machine
from django.conf import settings as django_settings
from django.utils import timezone
from docx import Document
from playwright.sync_api import expect

from fazhi.core.calendar import add_workdays, is_workday
from fazhi.oversight.models import Escalation, Finding, Rectification, Visit
from fazhi.oversight.services.findings import escalation_sweep
from fazhi.testing.browser import sign_in
from tests.browser.test_oversight_visits import ITEMS, JPEG, roster

PASSWORD = django_settings.FAZHI_DEMO_PASSWORD
PROBLEM = "窗口无人值守\n群众等候三十分钟无人受理。"


def docx_bytes(text: str) -> bytes:
    document = Document()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def person(browser, live_server, username: str, *, otp: bool = False, **options):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", **options)
    context.set_default_timeout(15_000)
    page = context.new_page()
    sign_in(page, username, PASSWORD, expect_otp=otp)
    return page


def morning(day):
    return timezone.make_aware(datetime.combine(day, time(8, 30)))


def board_flag(page):
    page.goto("/staff/oversight/findings/board/")
    return page.locator('#board-departments tr[data-name="社会救助科"]')


def test_visit_problem_goes_overdue_up_the_ladder_and_is_closed(live_demo, browser, live_server):
    supervisor, plan = roster(live_demo)

    # Given a supervisor who files an unannounced visit with a problem, on a phone
    phone = person(
        browser,
        live_server,
        "supervisor",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    phone.goto("/staff/oversight/visits/")
    phone.get_by_role("link", name="填报走访").click()
    phone.get_by_label("走访计划").select_option(str(plan.pk))
    for text in ITEMS:
        phone.get_by_label(text).fill("6")
    phone.get_by_label("发现的问题").fill(PROBLEM)
    phone.get_by_label("照片").set_input_files(
        {"name": "现场.jpg", "mimeType": "image/jpeg", "buffer": JPEG}
    )
    phone.get_by_role("button", name="提交").click()
    expect(phone.locator("#rectification-state")).to_have_text("待制定整改措施")
    phone.context.close()
    visit = Visit.objects.get(supervisor=supervisor)
    finding = Finding.objects.get(source_ref=f"oversight.visit:{visit.pk}")
    rectification = finding.rectification

    # Then the finding reaches the department: its head has it in the list, not yet late
    head = person(browser, live_server, "department_head")
    head.goto("/staff/oversight/findings/")
    expect(head.get_by_role("link", name=finding.title)).to_be_visible()
    expect(board_flag(head)).to_have_attribute("data-flag", "none")
    head.context.close()

    # When the clock runs from the visit to ten working days past the deadline, one sweep a day
    due = rectification.due_on
    circular_day = add_workdays(due, 10)
    day = timezone.localdate()
    while day <= circular_day:
        escalation_sweep(morning(day))
        day += timedelta(days=1)
    steps = {e.step: e.taken_on for e in Escalation.objects.filter(rectification=rectification)}
    assert steps[Escalation.Step.NOTICE] == add_workdays(due, 1)
    assert steps[Escalation.Step.INTERVIEW] == add_workdays(due, 5)
    assert steps[Escalation.Step.CIRCULAR] == circular_day
    assert steps[Escalation.Step.REMINDER] < due and is_workday(steps[Escalation.Step.REMINDER])
    rectification.refresh_from_db()
    assert rectification.level == Rectification.Level.CIRCULAR

    with time_machine.travel(morning(circular_day), tick=True):
        # The board shows the department red; the head rectifies with evidence
        head = person(browser, live_server, "department_head")
        expect(board_flag(head)).to_have_attribute("data-flag", "red")
        head.goto(f"/staff/oversight/findings/{finding.pk}/")
        expect(head.locator("#rect-state")).to_have_text("待制定整改措施")
        head.get_by_label("整改措施").fill("窗口实行AB岗，离岗须有人顶岗。")
        head.locator('[data-step="measures"]').click()
        expect(head.locator("#rect-state")).to_have_text("整改中")
        head.locator("#evidence-form").get_by_label("整改佐证材料").set_input_files(
            {
                "name": "AB岗制度.docx",
                "mimeType": "application/octet-stream",
                "buffer": docx_bytes("AB岗"),
            }
        )
        head.locator('[data-step="evidence"]').click()
        expect(head.locator("#completion-files")).to_contain_text("AB岗制度.docx")
        head.get_by_label("整改情况").fill("已建立AB岗制度并公示。")
        head.locator('[data-step="submit"]').click()
        expect(head.locator("#rect-state")).to_have_text("待核验")

        # And the legal office verifies and closes it: the flag is gone
        office = person(browser, live_server, "legal_officer", otp=True)
        office.goto(f"/staff/oversight/findings/{finding.pk}/")
        office.get_by_label("核验意见").fill("现场复查，整改到位。")
        office.locator('[data-step="verify"]').click()
        expect(office.locator("#rect-state")).to_have_text("已销号")
        expect(board_flag(office)).to_have_attribute("data-flag", "none")
        head.reload()
        expect(board_flag(head)).to_have_attribute("data-flag", "none")
