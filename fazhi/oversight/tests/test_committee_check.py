"""The committee disclosure check (Done-when of issue 6): a villagers' committee that posted its
finances for January and March but not for February is flagged for February, with a finding for
the department that oversees committees; a March posting made after its due date is late."""

from __future__ import annotations

from datetime import date

from fazhi.core.calendar import add_workdays
from fazhi.core.models import Event
from fazhi.oversight.models import CommitteeCheckResult, Finding, Rectification
from fazhi.oversight.services import committees as services
from fazhi.oversight.tests.committee_fixtures import post

Status = CommitteeCheckResult.Status
Q1 = (date(2026, 1, 1), date(2026, 3, 31))

pytest_plugins = ["fazhi.oversight.tests.committee_fixtures"]


def finance_results(b):
    return {
        r.period_start.month: r
        for r in CommitteeCheckResult.objects.filter(committee=b["village"], item=b["finance"])
    }


def test_january_and_march_posted_february_missing(bureau):
    b = bureau
    # Given finances posted for January and March, each within days of the month's end
    january = post(b, period="2026-01", posted_on=date(2026, 2, 3))
    march = post(b, period="2026-03", posted_on=date(2026, 4, 1))
    # When the check runs for the first quarter on 20 April
    summary = services.committee_check(
        agency=b["agency"], first=Q1[0], last=Q1[1], today=date(2026, 4, 20)
    )
    # Then January and March are on time, February is missing
    results = finance_results(b)
    assert {m: r.status for m, r in results.items()} == {
        1: Status.ON_TIME,
        2: Status.MISSING,
        3: Status.ON_TIME,
    }
    assert results[1].posting_id == january.pk and results[1].posted_on == date(2026, 2, 3)
    assert results[3].posting_id == march.pk
    # February's due date: the 5th working day after 28 February (a working Saturday in 2026)
    assert results[2].due_on == add_workdays(date(2026, 2, 28), 5) == date(2026, 3, 6)
    assert results[2].period_end == date(2026, 2, 28)
    # And February, only February, became a finding of 基层政权和社区建设科
    finding = Finding.objects.get(
        source="committee_check", committee=b["village"], source_ref__contains=":finance:"
    )
    assert results[2].finding_id == finding.pk
    assert results[1].finding_id is None and results[3].finding_id is None
    assert finding.source_ref == f"oversight.committee:{b['village'].pk}:finance:2026-02-01"
    assert finding.department == b["department"]
    assert finding.subdistrict == b["town"]
    assert finding.severity == "general"
    assert "2026年2月" in finding.title and "未公开" in finding.title
    assert finding.found_on == date(2026, 3, 7)
    assert Rectification.objects.filter(finding=finding).exists()
    # The quarterly items of the villagers' committees, never posted, are missing for Q1 too
    q1 = CommitteeCheckResult.objects.filter(
        committee=b["village"], period_start=Q1[0], period_end=Q1[1]
    )
    assert {r.item.code for r in q1} == {
        "meeting_decisions",
        "relief_funds",
        "government_assistance",
    }
    assert {r.status for r in q1} == {Status.MISSING}
    # 随时 items are never counted
    assert not CommitteeCheckResult.objects.filter(item__code="major_matters").exists()
    assert summary.findings == Finding.objects.filter(source="committee_check").count()


def test_a_march_posting_after_its_due_date_is_late_and_a_minor_finding(bureau):
    b = bureau
    post(b, period="2026-01", posted_on=date(2026, 2, 3))
    due = add_workdays(date(2026, 3, 31), 5)  # 8 April: 清明 4/4–4/6 lies between
    assert due == date(2026, 4, 8)
    post(b, period="2026-03", posted_on=date(2026, 4, 9))
    services.committee_check(agency=b["agency"], first=Q1[0], last=Q1[1], today=date(2026, 4, 20))
    march = finance_results(b)[3]
    assert march.status == Status.LATE
    assert march.due_on == due and march.posted_on == date(2026, 4, 9)
    assert march.finding.severity == "minor"
    assert "逾期公开" in march.finding.title


def test_posted_on_the_due_date_is_on_time_and_before_it_pending(bureau):
    b = bureau
    due = add_workdays(date(2026, 3, 31), 5)
    services.committee_check(agency=b["agency"], first=Q1[0], last=Q1[1], today=due)
    assert finance_results(b)[3].status == Status.PENDING
    assert finance_results(b)[3].finding_id is None
    post(b, period="2026-03", posted_on=due)
    services.committee_check(agency=b["agency"], first=Q1[0], last=Q1[1], today=date(2026, 5, 4))
    assert finance_results(b)[3].status == Status.ON_TIME


def test_running_twice_creates_nothing_new(bureau):
    b = bureau
    post(b, period="2026-01", posted_on=date(2026, 2, 3))
    args = {"agency": b["agency"], "first": Q1[0], "last": Q1[1], "today": date(2026, 4, 20)}
    services.committee_check(**args)
    counts = (
        CommitteeCheckResult.objects.count(),
        Finding.objects.count(),
        Event.objects.count(),
    )
    again = services.committee_check(**args)
    assert again.created == again.changed == again.findings == 0
    assert (
        CommitteeCheckResult.objects.count(),
        Finding.objects.count(),
        Event.objects.count(),
    ) == counts


def test_a_posting_made_later_turns_missing_into_late_and_keeps_the_finding(bureau):
    b = bureau
    args = {"agency": b["agency"], "first": Q1[0], "last": Q1[1], "today": date(2026, 4, 20)}
    services.committee_check(**args)
    february = finance_results(b)[2]
    assert february.status == Status.MISSING
    post(b, period="2026-02", posted_on=date(2026, 4, 15))
    services.committee_check(**args)
    february.refresh_from_db()
    assert february.status == Status.LATE
    assert Finding.objects.filter(pk=february.finding_id).count() == 1
    assert Finding.objects.filter(committee=b["village"], title__contains="2026年2月").count() == 1


def test_quarterly_override_changes_the_periods(bureau):
    b = bureau
    services.override_set(
        actor=b["officer"],
        committee=b["village"],
        item=b["finance"],
        frequency="quarterly",
        reason="集体财务往来较少，经镇政府同意按季度公布",
    )
    post(b, period="2026-Q1", posted_on=date(2026, 4, 2))
    services.committee_check(agency=b["agency"], first=Q1[0], last=Q1[1], today=date(2026, 4, 20))
    results = list(CommitteeCheckResult.objects.filter(committee=b["village"], item=b["finance"]))
    assert [(r.period_start, r.period_end, r.status) for r in results] == [
        (Q1[0], Q1[1], Status.ON_TIME)
    ]
    # The other committee keeps the monthly rule
    other = CommitteeCheckResult.objects.filter(committee=b["other_village"], item=b["finance"])
    assert other.count() == 3


def test_without_the_department_results_are_kept_and_findings_wait(bureau):
    b = bureau
    b["department"].name = "改名后的科室"
    b["department"].save()
    args = {"agency": b["agency"], "first": Q1[0], "last": Q1[1], "today": date(2026, 4, 20)}
    summary = services.committee_check(**args)
    assert summary.findings == 0 and summary.unassigned > 0
    assert finance_results(b)[2].status == Status.MISSING
    services.committee_department_set(
        actor=b["officer"], agency=b["agency"], department=b["department"]
    )
    summary = services.committee_check(**args)
    assert summary.findings == summary.counts["missing"]
    assert finance_results(b)[2].finding.department == b["department"]


def test_the_sweep_checks_the_last_thirteen_months(bureau):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    b = bureau
    assert services.sweep_window(date(2026, 4, 20)) == (date(2025, 3, 1), date(2026, 4, 19))
    opened = services.check_sweep(datetime(2026, 4, 20, 9, tzinfo=ZoneInfo("Asia/Shanghai")))
    months = {
        r.period_start
        for r in CommitteeCheckResult.objects.filter(committee=b["village"], item=b["finance"])
    }
    # March 2025 .. March 2026 ended; April 2026 has not
    assert min(months) == date(2025, 3, 1) and max(months) == date(2026, 3, 1)
    assert len(months) == 13
    assert opened == Finding.objects.filter(source="committee_check").count()
    assert services.check_sweep(datetime(2026, 4, 20, 9, tzinfo=ZoneInfo("Asia/Shanghai"))) == 0


def test_legal_office_runs_a_month_others_may_not(bureau):
    import pytest

    from fazhi.core.errors import InvalidInput, NotAllowed

    b = bureau
    with pytest.raises(NotAllowed):
        services.committee_check_month(actor=b["clerk"], agency=b["agency"], month=date(2026, 2, 1))
    with pytest.raises(NotAllowed):
        services.committee_check_month(
            actor=b["leader"], agency=b["agency"], month=date(2026, 2, 1)
        )
    assert not CommitteeCheckResult.objects.exists()
    summary = services.committee_check_month(
        actor=b["officer"], agency=b["agency"], month=date(2026, 3, 1)
    )
    # March closes the month and the first quarter
    assert {r.period_start for r in CommitteeCheckResult.objects.all()} == {
        date(2026, 3, 1),
        date(2026, 1, 1),
    }
    assert summary.results == CommitteeCheckResult.objects.count()
    with pytest.raises(InvalidInput):
        services.committee_check_month(
            actor=b["officer"], agency=b["agency"], month=date(2099, 1, 1)
        )
