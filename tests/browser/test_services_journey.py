"""Issue 7 end to end, all through the pages: a citizen books 最低生活保障申请 on the portal on a
phone; the next working day the counter checks the person in and registers the case from the
appointment; 社会救助科 accepts and reviews it, the head grants it, the clerk concludes (the page
hands over the online rating link) and delivers it; the citizen rates 不满意 through the link
on the phone; the department calls back, verifies (情况属实), records the fix and answers the
rater; the staff statistics and the public figures show the new rating.

What a running bureau already has is set up through the services: the demo agency and its
staff, its power list and published guides (`build_services_demo`), the calendar, and a new
service center (built by the legal office) taking the item by appointment. The new center is
the only one, and the demo has no ratings, so every figure is exact.

The process clock travels twice (time-machine moves it for the live server's thread too): to
10:00 of today for the booking, then to 09:10 of the next working day, the appointment's day,
for everything after it (check-in is only allowed on the day)."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

import time_machine
from django.conf import settings as django_settings
from django.utils import timezone
from playwright.sync_api import expect

from fazhi.accounts.models import User
from fazhi.core.calendar import next_workday
from fazhi.core.calendar import services as calendar_services
from fazhi.core.identity.validators import resident_id_check_char
from fazhi.core.models import Department, Subdistrict
from fazhi.core.notify import sms
from fazhi.services.demo import build_services_demo
from fazhi.services.models import Appointment, ServiceCase, ServiceItem
from fazhi.services.models.ratings import BadReviewFollowUp, Rating
from fazhi.services.services import centers
from fazhi.testing.browser import sign_in

PASSWORD = django_settings.FAZHI_DEMO_PASSWORD
NO_HORIZONTAL_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth"
ITEM = "最低生活保障申请"
CENTER = "南湖街道社区事务受理服务中心"
NAME = "钱市民"
FIRST17 = "31011519850315202"
RESIDENT_ID = FIRST17 + resident_id_check_char(FIRST17)
MOBILE = "13912345678"
RATING_LINK = re.compile(r"https?://[^\s]+(/services/ratings/r/[A-Za-z0-9_-]+/)")


def at(day, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def phone_context(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
    )
    context.set_default_timeout(15_000)
    return context


def staff(browser, live_server, username: str):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    sign_in(page, username, PASSWORD, expect_otp=False)
    return page


def step(page, name: str) -> None:
    page.locator(f'[data-step="{name}"]').click()
    page.wait_for_load_state()


def running_bureau(agency, today):
    """The calendar, the power list with published guides, and a center taking the item."""
    calendar_services.calendar_import(years=[today.year, today.year + 1], actor_name="test")
    build_services_demo(agency)
    officer = User.objects.get(username="legal_officer")
    item = ServiceItem.objects.get(agency=agency, name=ITEM)
    center = centers.center_create(
        actor=officer,
        agency=agency,
        name=CENTER,
        subdistrict=Subdistrict.objects.filter(agency=agency).order_by("pk").first(),
        address="南湖路 8 号",
        phone="021-87654321",
        morning_opens="09:00",
        morning_closes="11:30",
        afternoon_opens="13:30",
        afternoon_closes="17:00",
        booking_days_ahead=10,
    )
    centers.center_item_add(actor=officer, center=center, item=item, slot_minutes=30, capacity=3)
    return center, item


def test_book_check_in_handle_rate_badly_answer_and_count(
    live_demo, browser, live_server, settings
):
    settings.FAZHI_SMS_GATEWAY = "fazhi.core.notify.sms.RecordingSmsGateway"
    gateway = sms.gateway()
    gateway.clear()
    today = timezone.localdate()
    center, item = running_bureau(live_demo, today)
    relief = Department.objects.get(agency=live_demo, name="社会救助科")
    day = next_workday(today + timedelta(days=1))
    day_iso = day.isoformat()

    # --- 1. The citizen books on a phone, no login ------------------------------------------
    with time_machine.travel(at(today, 10), tick=True):
        phone = phone_context(browser, live_server)
        citizen = phone.new_page()
        citizen.goto("/")
        citizen.get_by_role("navigation").get_by_role("link", name="网上预约").click()
        citizen.locator("#center-list").get_by_role("link", name=re.compile(CENTER)).click()
        citizen.locator("#item-list").get_by_role("link", name=re.compile(ITEM)).click()
        citizen.locator(f'#day-list [data-day="{day_iso}"]').click()
        expect(citizen.locator(f'#day-list [data-day="{day_iso}"]')).to_have_attribute(
            "aria-current", "date"
        )
        slot = citizen.locator('#slot-list [data-slot="09:00"]')
        expect(slot).to_contain_text("09:00–09:30")
        expect(slot).to_contain_text("余 3 个")
        assert citizen.evaluate(NO_HORIZONTAL_SCROLL)
        slot.click()
        expect(citizen.locator("#chosen-slot")).to_contain_text(
            f"{day.year}年{day.month}月{day.day}日"
        )
        citizen.get_by_label("姓名").fill(NAME)
        citizen.get_by_label("公民身份号码").fill(RESIDENT_ID)
        citizen.get_by_label("手机号码").fill(MOBILE)
        citizen.get_by_role("button", name="提交预约").click()
        expect(citizen.locator("h1")).to_have_text("预约成功")
        number = citizen.locator("#booking-number")
        expect(number).to_have_text(re.compile(r"^[0-9]{12}$"))
        booking_number = number.inner_text()
        assert citizen.evaluate(NO_HORIZONTAL_SCROLL)
        phone.close()
    appointment = Appointment.objects.get(booking_number=booking_number)
    assert (appointment.day, appointment.starts_at, appointment.state) == (day, time(9), "booked")
    assert (appointment.center_id, appointment.item_id) == (center.pk, item.pk)

    with time_machine.travel(at(day, 9, 10), tick=True):
        # --- 2. The counter (社会事务科's liaison) checks the person in and registers ------
        counter = staff(browser, live_server, "liaison")
        counter.locator('#staff-nav [data-nav="services"]').click()
        counter.get_by_role("link", name="预约", exact=True).click()
        counter.get_by_label("服务中心").select_option(label=CENTER)
        counter.get_by_label("日期").fill(day_iso)
        counter.get_by_role("button", name="查看").click()
        expect(counter.locator("#day-label")).to_contain_text("今天")
        row = counter.locator(f'#appointment-table tr[data-appointment="{appointment.pk}"]')
        expect(row).to_contain_text(booking_number)
        expect(row).to_contain_text(NAME)
        expect(row.locator("[data-state]")).to_have_text("已预约")
        row.locator('[data-action="check_in"]').click()
        expect(counter.locator("main")).to_contain_text(f"{NAME}已签到。")
        row = counter.locator(f'#appointment-table tr[data-appointment="{appointment.pk}"]')
        expect(row.locator("[data-state]")).to_contain_text("已签到")
        row.locator('[data-action="register_case"]').click()

        # The registration form is prefilled from the appointment
        expect(counter.locator("h1")).to_contain_text("由预约登记办件")
        expect(counter.locator("#appointment-card")).to_contain_text(booking_number)
        expect(counter.locator("#appointment-center")).to_have_text(CENTER)
        expect(counter.locator("#appointment-item")).to_have_text(ITEM)
        expect(counter.locator("#appointment-id")).to_have_text(appointment.resident_id.masked)
        expect(counter.get_by_label("申请人", exact=True)).to_have_value(NAME)
        expect(counter.get_by_label("收件日期")).to_have_value(day_iso)
        expect(counter.locator("body")).not_to_contain_text(RESIDENT_ID)
        counter.locator("#case-submit").click()
        expect(counter.locator("#case-state")).to_have_text("已收件")
        case = ServiceCase.objects.get(agency=live_demo, appointment=appointment)
        case_number = case.case_number
        expect(counter.locator("#case-number")).to_have_text(case_number)
        expect(counter.locator(".alert-success")).to_contain_text(f"已登记办件：{case_number}")
        expect(counter.locator("#case-applicant")).to_contain_text(f"预约号 {booking_number}")
        expect(counter.locator("#case-applicant-name")).to_contain_text(NAME)
        assert (case.channel, case.center_id, case.item_id, case.department_id) == (
            "appointment",
            center.pk,
            item.pk,
            relief.pk,
        )
        assert (case.resident_id.decrypt(), case.phone.decrypt()) == (RESIDENT_ID, MOBILE)
        # And the day list now links the appointment to its case
        counter.goto(f"/staff/services/appointments/?center={center.pk}&day={day_iso}")
        row = counter.locator(f'#appointment-table tr[data-appointment="{appointment.pk}"]')
        expect(row.locator(f'[data-case="{case.pk}"]')).to_have_text(f"已登记办件 {case_number}")
        counter.context.close()

        # --- 3. 社会救助科 handles it: accept, review, the head grants, conclude, deliver -----
        clerk = staff(browser, live_server, "clerk")
        clerk.goto("/staff/services/cases/")
        clerk.locator(f'#case-table tr[data-case="{case.pk}"]').get_by_role(
            "link", name=case_number
        ).click()
        expect(clerk.locator("#case-number")).to_have_text(case_number)
        expect(clerk.locator("#case-state")).to_have_text("已收件")
        step(clerk, "accept")
        expect(clerk.locator("#case-state")).to_have_text("已受理")
        step(clerk, "start_review")
        expect(clerk.locator("#case-state")).to_have_text("审查中")
        clerk.locator("#propose-form").get_by_label("拟办意见").fill("材料齐全，符合条件，拟准予。")
        step(clerk, "propose")
        expect(clerk.locator("#grant-form")).to_have_count(0)

        head = staff(browser, live_server, "department_head")
        head.goto(f"/staff/services/cases/{case.pk}/")
        expect(head.locator("#case-proposal")).to_contain_text("拟准予")
        head.locator("#grant-form").get_by_label("审批意见").fill("同意。")
        step(head, "grant")
        expect(head.locator("#case-state")).to_have_text("准予")

        clerk.reload()
        step(clerk, "conclude")
        expect(clerk.locator("#case-state")).to_have_text("已办结")
        expect(clerk.locator("#case-concluded")).to_contain_text("承诺时限内办结")
        handed_over = clerk.locator(".alert-success").inner_text()
        found = RATING_LINK.search(handed_over)
        assert found, f"the page after 办结 shows no online rating link: {handed_over!r}"
        rating_path = found.group(1)
        expect(clerk.locator('#rating-channels [data-channel="online"]')).to_contain_text(
            "链接未使用"
        )
        # The SMS link went to the mobile number given at booking
        sms_links = [
            m for m in gateway.sent if m.phone == MOBILE and "/services/ratings/r/" in m.text
        ]
        assert len(sms_links) == 1, [m.text for m in gateway.sent]
        clerk.locator("#deliver-form").get_by_label("送达方式").select_option(label="窗口领取")
        step(clerk, "deliver")
        expect(clerk.locator("#case-state")).to_have_text("已送达")
        expect(clerk.locator("#case-delivered")).to_contain_text("窗口领取")

        # --- 4. The citizen rates 不满意 through the link, on the phone ---------------------
        phone = phone_context(browser, live_server)
        citizen = phone.new_page()
        citizen.goto(rating_path)
        expect(citizen.locator("#case-title")).to_have_text(ITEM)
        expect(citizen.locator("#case-summary")).to_contain_text(CENTER)
        expect(citizen.locator("#case-summary")).to_contain_text("社会救助科")
        expect(citizen.locator("#rating-form")).to_have_attribute("data-ready", "1")
        assert citizen.evaluate(NO_HORIZONTAL_SCROLL)
        level = citizen.locator('label[for="level-4"]')
        expect(level).to_have_text("不满意")
        level.click()
        expect(citizen.locator("#good-reasons")).to_be_hidden()
        citizen.locator("#bad-reasons").get_by_text("告知不清楚，多次跑动").click()
        citizen.get_by_label("评价内容（选填）").fill("材料清单没说清楚，跑了两趟。")
        citizen.locator('label[for="real-name-1"]').click()
        citizen.get_by_label("姓名").fill(NAME)
        citizen.get_by_label("联系电话（选填）").fill(MOBILE)
        assert citizen.evaluate(NO_HORIZONTAL_SCROLL)
        citizen.get_by_role("button", name="提交评价").click()
        expect(citizen.locator("#rating-done")).to_have_text("感谢您的评价！")
        citizen.goto(rating_path)
        expect(citizen.locator("#link-refused")).to_contain_text("已经使用过")
        phone.close()
        rating = Rating.objects.get(case=case)
        assert (rating.channel, rating.level, rating.reasons, rating.real_name) == (
            "online",
            4,
            ["unclear"],
            True,
        )
        assert (rating.rated_on, rating.center_id, rating.department_id) == (
            day,
            center.pk,
            relief.pk,
        )

        # The case page shows the rating and its follow-up
        clerk.goto(f"/staff/services/cases/{case.pk}/")
        online = clerk.locator('#rating-channels [data-channel="online"]')
        expect(online).to_contain_text("不满意")
        expect(online).to_contain_text("差评整改：待回访")

        # --- 5. The bad-review loop: call back, verify, fix, answer -------------------------
        clerk.get_by_role("link", name="好差评", exact=True).click()
        clerk.get_by_label("只看差评").check()
        clerk.get_by_role("button", name="筛选").click()
        expect(clerk.locator("#rating-table tbody tr")).to_have_count(1)
        clerk.locator(f'#rating-table [data-rating="{rating.pk}"] a').first.click()
        expect(clerk.locator("#rating-level")).to_have_text("不满意")
        expect(clerk.locator("#follow-up-state")).to_have_text("待回访")
        expect(clerk.locator("#rating-reasons")).to_have_text("告知不清楚，多次跑动")
        expect(clerk.locator("#rating-comment")).to_have_text("材料清单没说清楚，跑了两趟。")
        expect(clerk.locator("#rating-rater")).to_contain_text(NAME)
        clerk.get_by_label("回访情况").fill("电话回访，评价人反映窗口未一次性告知所需材料。")
        clerk.get_by_role("button", name="登记回访").click()
        expect(clerk.locator("#follow-up-state")).to_have_text("待核实")

        head.goto(f"/staff/services/ratings/{rating.pk}/")
        head.get_by_label("情况属实，需整改").check()
        head.get_by_label("核实情况").fill("窗口未一次性告知补正材料，情况属实。")
        head.get_by_role("button", name="登记核实结论").click()
        expect(head.locator("#follow-up-state")).to_have_text("整改中")
        expect(head.locator("#verification-record")).to_contain_text("情况属实")
        head.context.close()

        clerk.reload()
        clerk.get_by_label("整改情况").fill("印发一次性告知单，窗口人员逐项告知。")
        clerk.get_by_role("button", name="登记整改情况").click()
        expect(clerk.locator("#fix-record")).to_contain_text("一次性告知单")
        clerk.get_by_label("反馈评价人的内容").fill("已改进告知方式，感谢您的监督。")
        clerk.get_by_role("button", name="整改完成，反馈评价人").click()
        expect(clerk.locator("#follow-up-state")).to_have_text("已反馈")
        expect(clerk.locator("#answer-record")).to_contain_text("感谢您的监督")
        # The rater, who left their mobile under their name, is texted the answer
        answers = [m.text for m in gateway.sent if m.phone == MOBILE and "我们的答复" in m.text]
        assert len(answers) == 1, [m.text for m in gateway.sent]
        assert answers[0].endswith(
            f"】关于您对“{ITEM}”的评价，我们的答复：已改进告知方式，感谢您的监督。"
        ), answers
        expect(clerk.locator('#follow-up-fields [data-sms="sent"]')).to_have_count(1)
        follow_up = BadReviewFollowUp.objects.get(rating=rating)
        assert (follow_up.state, follow_up.verdict, follow_up.answered_on) == (
            "answered",
            "valid",
            day,
        )

        # --- 6. The statistics: 1 rating, 1 bad review, 差评整改率 100.00 ------------------
        clerk.get_by_role("link", name="满意度统计", exact=True).click()
        clerk.get_by_label("年度").select_option(str(day.year))
        clerk.get_by_label("月份").select_option(str(day.month))
        clerk.get_by_label("责任处室").select_option(label="社会救助科")
        clerk.get_by_label("受理中心").select_option(label=CENTER)
        month_label = f"{day.month}月"
        for by, row_label in (
            ("center", CENTER),
            ("department", "社会救助科"),
            ("month", month_label),
        ):
            clerk.get_by_label("统计维度").select_option(by)
            clerk.get_by_role("button", name="统计").click()
            expect(clerk.get_by_label("统计维度")).to_have_value(by)
            table = clerk.locator("#statistics-table")
            expect(table.locator("tbody tr")).to_have_count(1)
            for target in (
                table.locator(f'tbody tr[data-row="{row_label}"]'),
                table.locator("#statistics-total"),
            ):
                expect(target.locator('[data-figure="total"]')).to_have_text("1")
                expect(target.locator('[data-figure="level-4"]')).to_have_text("1")
                expect(target.locator('[data-figure="rate"]')).to_have_text("0.00%")
                expect(target.locator('[data-figure="bad"]')).to_have_text("1")
                expect(target.locator('[data-figure="answered"]')).to_have_text("1")
                expect(target.locator('[data-figure="fix-rate"]')).to_have_text("100.00%")
                expect(target.locator('[data-figure="real-bad"]')).to_have_text("1")
                expect(target.locator('[data-figure="callback-rate"]')).to_have_text("100.00%")
        clerk.context.close()

        # And the public figures on the portal (phone, no login) show it too
        phone = phone_context(browser, live_server)
        public = phone.new_page()
        public.goto("/")
        public.get_by_role("navigation").get_by_role("link", name="服务评价统计").click()
        expect(public.locator("h1")).to_contain_text(live_demo.name)
        total = public.locator("#public-total")
        expect(total.locator('[data-figure="total"]')).to_have_text("1")
        expect(total.locator('[data-figure="rate"]')).to_have_text("0.00%")
        expect(total.locator('[data-figure="bad"]')).to_have_text("1")
        expect(total.locator('[data-figure="fix"]')).to_have_text("100.00%")
        for table_id, row_label in (
            ("#public-by-month", month_label),
            ("#public-by-center", CENTER),
        ):
            row = public.locator(f"{table_id} tbody tr").filter(
                has=public.locator("th", has_text=re.compile(f"^{row_label}$"))
            )
            expect(row.locator("td")).to_have_text(["1", "0.00%", "1", "100.00%"])
        assert public.evaluate(NO_HORIZONTAL_SCROLL)
        expect(public.locator("body")).not_to_contain_text(NAME)
        phone.close()
