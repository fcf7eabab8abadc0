"""Periodic sweeps: reminders and escalation once each, broken sources isolated, runs recorded."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from hypothesis import given
from hypothesis import strategies as st

from fazhi.core import agency_settings
from fazhi.core.models import Event
from fazhi.core.notify import deadlines
from fazhi.core.notify.deadlines import (
    DeadlineItem,
    DeadlineSource,
    deadline_sweep,
    register_deadline_source,
    weekday_workdays_between,
)
from fazhi.core.notify.models import Notification
from fazhi.core.notify.sweeps import register_sweep, registered_sweeps, run_sweeps
from fazhi.core.roles import Role
from fazhi.testing.factories import AgencyFactory, DepartmentFactory, user_with_role

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
# A Thursday with no public holiday near it.
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=SHANGHAI)
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def weekday_calendar(monkeypatch):
    """Monday–Friday days, whatever state the agency calendar is in."""
    monkeypatch.setattr(deadlines, "resolve_workdays_between", lambda: weekday_workdays_between)


@pytest.fixture
def agency():
    return AgencyFactory()


@pytest.fixture
def clerk(agency):
    return user_with_role(Role.CLERK, agency=agency)


@pytest.fixture
def head(agency):
    return user_with_role(Role.DEPARTMENT_HEAD, agency=agency)


@pytest.fixture
def case(agency):
    return DepartmentFactory(agency=agency, name="申请 2026-001")


def _source(name, *items):
    return register_deadline_source(DeadlineSource(name, lambda today: list(items)))


def test_running_twice_sends_one_reminder(registries, agency, clerk, case):
    _source(
        "cases", DeadlineItem(agency, [clerk], case, date(2026, 12, 1), "申请 2026-001", "/c/1/")
    )

    first = run_sweeps(now=NOW)
    second = run_sweeps(now=NOW + timedelta(minutes=30))

    assert first.counts["deadlines"] == 1
    assert second.counts["deadlines"] == 0
    notice = Notification.objects.get()
    assert (notice.recipient, notice.kind, notice.title, notice.body, notice.url) == (
        clerk,
        "deadline_reminder",
        "【即将到期】申请 2026-001",
        "办理期限为2026年12月1日，还剩 3 个工作日。",
        "/c/1/",
    )
    assert notice.dedupe_key == f"reminder:core.department:{case.pk}:2026-12-01"
    assert (notice.target_type, notice.target_id, notice.agency) == (
        "core.department",
        str(case.pk),
        agency,
    )


def test_no_reminder_before_the_lead_time(registries, agency, clerk, case):
    _source("cases", (agency, [clerk], case, date(2026, 12, 2), "申请 2026-001", ""))
    assert deadline_sweep(NOW) == 0
    # One day later the due date is three working days away.
    assert deadline_sweep(NOW + timedelta(days=1)) == 1


def test_the_agency_sets_its_own_lead_time(registries, agency, clerk, case):
    secadmin = user_with_role(Role.SYSADMIN, agency=agency)
    agency_settings.setting_set(
        actor=secadmin, agency=agency, key="notify.reminder_workdays", value=5
    )
    _source("cases", (agency, [clerk], case, date(2026, 12, 3), "申请 2026-001", ""))

    assert deadline_sweep(NOW) == 1
    assert Notification.objects.get().body == "办理期限为2026年12月3日，还剩 5 个工作日。"


def test_the_site_default_lead_time_comes_from_settings(settings, registries, agency, clerk, case):
    settings.FAZHI_REMINDER_WORKDAYS = 1
    _source("cases", (agency, [clerk], case, date(2026, 11, 30), "申请 2026-001", ""))
    assert deadline_sweep(NOW) == 0
    assert deadline_sweep(NOW + timedelta(days=1)) == 1


def test_due_today_is_a_reminder_not_an_escalation(registries, agency, clerk, case):
    _source("cases", (agency, [clerk], case, TODAY, "申请 2026-001", ""))
    assert deadline_sweep(NOW) == 1
    notice = Notification.objects.get()
    assert (notice.kind, notice.body) == (
        "deadline_reminder",
        "办理期限为2026年11月26日，今天到期。",
    )


def test_overdue_escalates_once_to_the_escalation_list(registries, agency, clerk, head, case):
    _source(
        "cases",
        DeadlineItem(
            agency, [clerk], case, date(2026, 11, 25), "申请 2026-001", escalate_to=[head]
        ),
    )

    assert deadline_sweep(NOW) == 1
    assert deadline_sweep(NOW + timedelta(days=1)) == 0
    assert deadline_sweep(NOW + timedelta(days=10)) == 0

    notice = Notification.objects.get()
    assert (notice.recipient, notice.kind, notice.title, notice.body) == (
        head,
        "deadline_overdue",
        "【已逾期】申请 2026-001",
        "办理期限为2026年11月25日，现已逾期，请及时督办。",
    )
    assert notice.dedupe_key == f"overdue:core.department:{case.pk}:2026-11-25"


def test_a_reminded_item_that_runs_late_is_also_escalated(registries, agency, clerk, case):
    _source("cases", (agency, [clerk], case, date(2026, 11, 27), "申请 2026-001", ""))
    assert deadline_sweep(NOW) == 1
    assert deadline_sweep(NOW + timedelta(days=1)) == 0
    assert deadline_sweep(NOW + timedelta(days=2)) == 1
    assert list(Notification.objects.order_by("id").values_list("kind", "recipient")) == [
        ("deadline_reminder", clerk.pk),
        ("deadline_overdue", clerk.pk),
    ]


def test_an_extension_reminds_again_for_the_new_date(registries, agency, clerk, case):
    due = {"on": date(2026, 11, 27)}
    register_deadline_source(
        DeadlineSource("cases", lambda today: [(agency, [clerk], case, due["on"], "申请", "")])
    )
    assert deadline_sweep(NOW) == 1
    due["on"] = date(2026, 12, 1)
    assert deadline_sweep(NOW) == 1
    assert deadline_sweep(NOW) == 0


def test_a_broken_source_does_not_stop_the_others(registries, caplog, agency, clerk, case):
    def broken(today):
        raise RuntimeError("table missing")

    register_deadline_source(DeadlineSource("broken", broken))
    _source("cases", (agency, [clerk], case, date(2026, 12, 1), "申请 2026-001", ""))

    report = run_sweeps(now=NOW)

    assert report.counts["deadlines"] == 1
    assert report.failures == {"deadlines": ["broken: RuntimeError: table missing"]}
    assert Notification.objects.count() == 1
    assert "Deadline source broken failed" in caplog.text
    event = Event.objects.get(verb="sweep.run")
    assert event.data["failures"] == {"deadlines": ["broken: RuntimeError: table missing"]}
    assert event.data["counts"]["deadlines"] == 1


def test_a_broken_item_does_not_stop_the_rest_of_its_source(registries, agency, clerk, case):
    other = DepartmentFactory(agency=agency)
    _source(
        "cases",
        (agency, [clerk], case, date(2026, 12, 1), "坏链接", "https://evil.example/"),
        (agency, [clerk], other, date(2026, 12, 1), "好的", ""),
    )
    report = run_sweeps(now=NOW)
    assert report.counts["deadlines"] == 1
    assert report.failures["deadlines"] == [
        f"cases core.department:{case.pk}: InvalidInput: 链接必须是本站内以“/”开头的路径。"
    ]
    assert Notification.objects.get().target_id == str(other.pk)


def test_a_failing_job_does_not_stop_the_others(registries, caplog):
    calls = []

    def failing(now):
        raise ValueError("boom")

    def counting(now):
        calls.append(now)
        return 4

    register_sweep("a_failing", failing)
    register_sweep("b_counting", counting)

    report = run_sweeps(now=NOW, only=["a_failing", "b_counting"])

    assert calls == [NOW]
    assert report.counts == {"a_failing": 0, "b_counting": 4}
    assert report.failures == {"a_failing": ["ValueError: boom"]}
    assert not report.ok and report.total == 4
    assert "Sweep job a_failing failed" in caplog.text


def test_each_run_is_one_audit_event(registries):
    run_sweeps(now=NOW)
    run_sweeps(now=NOW)
    events = list(Event.objects.filter(verb="sweep.run").order_by("seq"))
    assert len(events) == 2
    assert events[0].actor_name == "fazhi sweep"
    assert events[0].data == {
        "at": "2026-11-26T09:00:00+08:00",
        "counts": {"deadlines": 0, "deliveries": 0},
        "failures": {},
    }


def test_the_core_jobs_are_registered_first():
    assert list(registered_sweeps())[:2] == ["deadlines", "deliveries"]


def test_the_command_runs_the_jobs_and_is_safe_twice(registries, capsys, agency, clerk, case):
    _source("cases", (agency, [clerk], case, date(2026, 12, 1), "申请 2026-001", ""))

    call_command("sweep", now="2026-11-26T09:00+08:00")
    first = capsys.readouterr().out
    call_command("sweep", now="2026-11-26T09:30+08:00")
    second = capsys.readouterr().out

    assert first == "deadlines: 1\ndeliveries: 0\n完成：共 1 条。\n"
    assert second == "deadlines: 0\ndeliveries: 0\n完成：共 0 条。\n"
    assert Notification.objects.count() == 1


def test_the_command_reports_failures_after_running_everything(registries, capsys):
    register_sweep("failing", lambda now: 1 / 0)
    with pytest.raises(CommandError, match="failing（ZeroDivisionError: division by zero）"):
        call_command("sweep", job=["failing", "deliveries"])
    assert capsys.readouterr().out == "deliveries: 0\nfailing: 0\n"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"job": ["nothing"]}, "未知的定期任务：nothing"),
        ({"now": "2026-11-26 09:00"}, "--now 须为含时区的 ISO 8601 时间"),
        ({"now": "yesterday"}, "--now 须为含时区的 ISO 8601 时间"),
    ],
)
def test_the_command_refuses_bad_options(options, message):
    with pytest.raises(CommandError, match=message):
        call_command("sweep", **options)
    assert not Event.objects.filter(verb="sweep.run").exists()


def test_a_date_the_calendar_refuses_falls_back_to_weekdays(registries, agency, clerk, case):
    from fazhi.core.errors import InvalidInput

    def refusing(start, end):
        raise InvalidInput("日期超出范围", code="date_out_of_range")

    _source("cases", (agency, [clerk], case, date(2026, 12, 1), "申请 2026-001", ""))
    assert deadline_sweep(NOW, workdays_between=refusing) == 1
    assert Notification.objects.get().body == "办理期限为2026年12月1日，还剩 3 个工作日。"


def test_the_agency_calendar_is_used_when_installed(monkeypatch):
    monkeypatch.undo()  # this test looks at the real resolver
    from fazhi.core import calendar

    def calendar_days(start, end):
        return 99

    monkeypatch.setattr(calendar, "workdays_between", calendar_days, raising=False)
    assert deadlines.resolve_workdays_between() is calendar_days
    monkeypatch.setattr(calendar, "workdays_between", None)
    assert deadlines.resolve_workdays_between() is weekday_workdays_between


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        (date(2026, 11, 26), date(2026, 11, 26), 0),
        (date(2026, 11, 26), date(2026, 11, 27), 1),
        (date(2026, 11, 26), date(2026, 11, 29), 1),
        (date(2026, 11, 26), date(2026, 11, 30), 2),
        (date(2026, 11, 28), date(2026, 11, 30), 1),
        (date(2026, 11, 26), date(2026, 12, 3), 5),
        (date(2026, 11, 30), date(2026, 11, 26), -2),
    ],
)
def test_the_fallback_counts_weekdays_after_the_start(start, end, days):
    assert weekday_workdays_between(start, end) == days


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)),
    st.integers(min_value=0, max_value=800),
)
def test_the_fallback_agrees_with_counting_day_by_day(start, span):
    end = start + timedelta(days=span)
    by_day = sum(1 for i in range(1, span + 1) if (start + timedelta(days=i)).weekday() < 5)
    assert weekday_workdays_between(start, end) == by_day
    assert weekday_workdays_between(end, start) == -by_day
