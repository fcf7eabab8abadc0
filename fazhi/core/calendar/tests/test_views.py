"""The system administrator's calendar pages; every other role is refused and changes nothing."""

from datetime import date

import pytest
from django.test import Client

from fazhi.core.calendar import services
from fazhi.core.calendar.models import Source, WorkCalendarDay, WorkCalendarYear
from fazhi.core.models import Event
from fazhi.core.roles import Role
from fazhi.testing.clients import verified_client
from fazhi.testing.factories import user_with_role
from fazhi.testing.matrix import fingerprint
from fazhi.testing.queries import assert_constant_queries

pytestmark = pytest.mark.django_db

TABLES = ["calendar.WorkCalendarDay", "calendar.WorkCalendarYear", "calendar.WorkCalendarRevision"]


def calendar_events() -> list[str]:
    return list(Event.objects.filter(verb__startswith="calendar.").values_list("verb", flat=True))


@pytest.fixture
def sysadmin():
    return user_with_role(Role.SYSADMIN)


@pytest.fixture
def admin_client(sysadmin):
    return verified_client(sysadmin)


def test_the_year_page_lists_the_adjusted_days(schedule_2026, admin_client):
    response = admin_client.get("/staff/calendar/2026/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "工作日历 · 2026" in page
    assert "春节调休上班" in page
    assert '<dd class="col-sm-8" id="year-workdays">248</dd>' in page
    assert 'data-nav="calendar"' in page


def test_the_default_page_is_this_year(admin_client):
    from django.utils import timezone

    response = admin_client.get("/staff/calendar/")
    assert response.status_code == 200
    assert f"工作日历 · {timezone.localdate().year}" in response.content.decode()


def test_an_unconfirmed_year_says_so(schedule_2026, admin_client):
    page = admin_client.get("/staff/calendar/2027/").content.decode()
    assert "本年度按周一至周五计算" in page
    assert "确认本年度安排" in page


def test_a_year_out_of_range_is_not_found(admin_client):
    assert admin_client.get("/staff/calendar/1800/").status_code == 404


def test_sysadmin_adds_a_day(schedule_2026, admin_client, sysadmin):
    response = admin_client.post(
        "/staff/calendar/2027/days/",
        {"date": "2027-01-01", "kind": "holiday", "name": "元旦", "reason": "国办通知"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/staff/calendar/2027/"
    row = WorkCalendarDay.objects.get(date=date(2027, 1, 1))
    assert (row.is_workday, row.name, row.source, row.updated_by) == (
        False,
        "元旦",
        Source.MANUAL,
        sysadmin,
    )
    assert Event.objects.filter(verb="calendar.day_set", actor=sysadmin).count() == 1


def test_a_refused_edit_shows_the_reason_and_changes_nothing(schedule_2026, admin_client):
    before = fingerprint(TABLES), calendar_events()
    response = admin_client.post(
        "/staff/calendar/2026/days/",
        {"date": "2026-03-03", "kind": "workday", "name": "", "reason": "误操作"},
    )
    assert response.status_code == 422
    assert "该日按周一至周五规则本就是工作日，无需设置。" in response.content.decode()
    invalid = admin_client.post("/staff/calendar/2026/days/", {"date": "2026-13-01"})
    assert invalid.status_code == 400
    assert (fingerprint(TABLES), calendar_events()) == before


def test_sysadmin_clears_a_day_and_confirms_a_year(schedule_2026, admin_client):
    response = admin_client.post(
        "/staff/calendar/2026/days/clear/", {"date": "2026-10-01", "reason": "测试清除"}
    )
    assert response.status_code == 302
    assert not WorkCalendarDay.objects.filter(date=date(2026, 10, 1)).exists()
    response = admin_client.post("/staff/calendar/2027/confirm/", {"note": "国办发明电"})
    assert response.status_code == 302
    assert WorkCalendarYear.objects.get(year=2027).confirmed
    again = admin_client.post("/staff/calendar/2027/confirm/", {"note": ""})
    assert again.status_code == 409
    assert "2027年的工作日安排已经确认。" in again.content.decode()


def test_sysadmin_imports_a_year_from_the_package(admin_client):
    response = admin_client.post("/staff/calendar/2024/import/")
    assert response.status_code == 302
    assert WorkCalendarYear.objects.get(year=2024).confirmed
    unknown = admin_client.post("/staff/calendar/2027/import/", follow=True)
    assert "尚无2027年的数据" in unknown.content.decode()


@pytest.mark.parametrize(
    "role",
    [Role.SECADMIN, Role.AUDITOR, Role.LEGAL_OFFICER, Role.LEADER, Role.CLERK, Role.SUPERVISOR],
)
def test_other_roles_are_refused_every_page_and_nothing_changes(schedule_2026, role):
    client = verified_client(user_with_role(role))
    before = fingerprint(TABLES), calendar_events()
    assert client.get("/staff/calendar/").status_code == 403
    assert client.get("/staff/calendar/2026/").status_code == 403
    posts = {
        "/staff/calendar/2026/days/": {
            "date": "2026-03-07",
            "kind": "workday",
            "name": "",
            "reason": "x",
        },
        "/staff/calendar/2026/days/clear/": {"date": "2026-10-01", "reason": "x"},
        "/staff/calendar/2027/confirm/": {"note": ""},
        "/staff/calendar/2024/import/": {},
    }
    for url, data in posts.items():
        assert client.post(url, data).status_code == 403, url
    # Refusals are on the record (access.refused); no calendar change is.
    assert (fingerprint(TABLES), calendar_events()) == before
    assert 'data-nav="calendar"' not in client.get("/staff/").content.decode()


def test_anonymous_visitors_go_to_the_login_page():
    response = Client().get("/staff/calendar/2026/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_year_page_query_count_does_not_grow_with_the_days(db, admin_client, sysadmin):
    added = iter(date(2030, 1, d) for d in range(5, 32) if date(2030, 1, d).weekday() >= 5)

    def grow(n):
        for _ in range(n):
            services.calendar_day_set(
                actor=sysadmin, day=next(added), is_workday=True, reason="调休"
            )

    assert_constant_queries(lambda: admin_client.get("/staff/calendar/2030/"), grow, extra_rows=6)


def test_sysadmin_keeps_agency_clock_rules_in_the_admin(admin_client, sysadmin):
    from fazhi.core.calendar.models import ClockRule

    listing = admin_client.get("/admin/calendar/clockrule/")
    assert listing.status_code == 200
    assert "政府信息公开申请答复" not in listing.content.decode()  # defaults: superuser only
    data = {
        "procedure": "bad-review-rectification",
        "name": "差评整改（本局）",
        "unit": "working",
        "budget_days": "5",
        "max_extension_days": "0",
        "pause_reasons": "[]",
        "basis": "本局规定",
        "note": "",
    }
    refused = admin_client.post("/admin/calendar/clockrule/add/", {**data, "agency": ""})
    assert refused.status_code == 200  # the form again: the agency is required
    assert not ClockRule.objects.filter(name="差评整改（本局）").exists()
    agency = sysadmin.home_agency
    added = admin_client.post("/admin/calendar/clockrule/add/", {**data, "agency": agency.pk})
    assert added.status_code == 302
    rule = ClockRule.objects.get(name="差评整改（本局）")
    assert rule.agency == agency
    assert Event.objects.filter(verb="reference.add", target_id=str(rule.pk)).exists()
