"""The escalation ladder over a moved clock, the flags per unit, and the circular (通报).

The clock: a minor finding handed over on 16 September 2026 is due 30 September (10 working
days: Sunday 20 September worked, 中秋 Friday 25 September off). 国庆 1–7 October is off,
Saturday 10 October is worked.
Defaults: reminder 3 working days before, 约谈 after 5 and 通报 after 10 working days overdue.
"""

from __future__ import annotations

import io
from datetime import date, datetime, time

import pytest
from django.utils import timezone
from docx import Document

from fazhi.core.calendar import add_workdays, is_workday
from fazhi.core.files import storage
from fazhi.core.models import Event
from fazhi.core.notify.models import Notification
from fazhi.core.notify.sweeps import registered_sweeps, run_sweeps
from fazhi.oversight.models import Circular, Escalation, Rectification
from fazhi.oversight.selectors import findings as selectors
from fazhi.oversight.services import findings as services
from fazhi.oversight.tests.test_findings_setup import (  # noqa: F401 - fixtures
    bureau_fixture,
    docx_upload,
    opened,
    rectification_of,
    schedule_fixture,
    submitted,
)

pytestmark = pytest.mark.django_db
Step = Escalation.Step
HANDED_OVER = date(2026, 9, 16)
DUE = date(2026, 9, 30)


def at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(6, 0)))


def sweep(day: date) -> int:
    return services.escalation_sweep(at(day))


def steps(rect) -> dict[int, date]:
    return dict(Escalation.objects.filter(rectification=rect).values_list("step", "taken_on"))


def test_the_sweep_is_registered_and_no_deadline_source_doubles_it():
    from fazhi.core.notify.deadlines import deadline_sources

    assert "oversight.escalation" in registered_sweeps()
    assert not [s for s in deadline_sources() if s.name.startswith("oversight")]


def test_the_ladder_climbs_across_the_national_day_holiday(bureau):
    rect = rectification_of(opened(bureau, on=HANDED_OVER))
    assert rect.due_on == add_workdays(HANDED_OVER, 10) == DUE
    # Four working days before: nothing yet
    assert sweep(date(2026, 9, 23)) == 0
    # Three working days before (25 September is 中秋): the reminder, once however often
    assert sweep(date(2026, 9, 24)) == 1
    assert sweep(date(2026, 9, 24)) == 0
    assert sweep(date(2026, 9, 25)) == 0
    assert sweep(DUE) == 0
    assert steps(rect) == {Step.REMINDER: date(2026, 9, 24)}
    # Over the holiday the deadline has passed, but no working day of delay has
    assert not is_workday(date(2026, 10, 5))
    for day in range(1, 8):
        assert sweep(date(2026, 10, day)) == 0
    # The first working day overdue: the 督办单, stored as DOCX, to the head and the leader
    assert sweep(date(2026, 10, 8)) == 1
    notice = Escalation.objects.get(rectification=rect, step=Step.NOTICE)
    assert notice.taken_on == date(2026, 10, 8)
    text = "\n".join(
        p.text for p in Document(storage.content_open(notice.document.sha256)).paragraphs
    )
    assert "督办单" in text and "低保审批超时" in text and "已逾期1个工作日" in text
    for person in ("head", "leader"):
        assert Notification.objects.filter(
            recipient=bureau[person], title__startswith="【督办单】"
        ).exists()
    # 约谈 after 5 working days overdue (8, 9, Saturday 10, 12, 13 October)
    assert sweep(date(2026, 10, 12)) == 0
    assert sweep(date(2026, 10, 13)) == 1
    # 通报 after 10 (14, 15, 16, 19, 20 October)
    assert sweep(date(2026, 10, 19)) == 0
    assert sweep(date(2026, 10, 20)) == 1
    assert sweep(date(2026, 10, 21)) == 0
    assert steps(rect) == {
        Step.REMINDER: date(2026, 9, 24),
        Step.NOTICE: date(2026, 10, 8),
        Step.INTERVIEW: date(2026, 10, 13),
        Step.CIRCULAR: date(2026, 10, 20),
    }
    assert Rectification.objects.get(pk=rect.pk).level == Rectification.Level.CIRCULAR
    verbs = set(
        Event.objects.filter(verb__startswith="oversight.escalation.").values_list(
            "verb", flat=True
        )
    )
    assert verbs == {
        "oversight.escalation.reminder",
        "oversight.escalation.notice",
        "oversight.escalation.interview",
        "oversight.escalation.circular",
    }
    # The sweep through `fazhi sweep` adds nothing more on a later day
    run_sweeps(now=at(date(2026, 10, 22)), only=["oversight.escalation"])
    assert Escalation.objects.filter(rectification=rect).count() == 4


def test_a_missed_sweep_catches_up_and_settings_are_per_agency(bureau):
    rect = rectification_of(opened(bureau, on=HANDED_OVER))
    # The sweep did not run for weeks: every step now due is taken at once, dated that day
    assert sweep(date(2026, 10, 20)) == 3
    assert steps(rect) == {
        Step.NOTICE: date(2026, 10, 20),
        Step.INTERVIEW: date(2026, 10, 20),
        Step.CIRCULAR: date(2026, 10, 20),
    }


def test_waiting_for_verification_is_not_escalated_but_a_send_back_resumes(bureau):
    finding = opened(bureau, on=HANDED_OVER)
    rect = rectification_of(finding)
    submitted(bureau, finding, on=date(2026, 9, 29))
    assert sweep(date(2026, 10, 20)) == 0
    assert steps(rect) == {}
    services.rectification_send_back(
        actor=bureau["officer"], rectification=rect, reason="材料不全。"
    )
    assert sweep(date(2026, 10, 20)) == 3


def test_interview_note_is_recorded_once_by_the_legal_office(bureau):
    from fazhi.core.errors import Conflict, NotAllowed
    from fazhi.oversight.tasks import finding_tasks

    rect = rectification_of(opened(bureau, on=HANDED_OVER))
    with pytest.raises(Conflict):
        services.interview_record(actor=bureau["officer"], rectification=rect, note="约谈。")
    sweep(date(2026, 10, 13))
    assert any("记录约谈情况" in str(t.title) for t in finding_tasks(bureau["officer"]))
    with pytest.raises(NotAllowed):
        services.interview_record(actor=bureau["head"], rectification=rect, note="约谈。")
    services.interview_record(
        actor=bureau["officer"], rectification=rect, note="10月14日陈局长约谈张科长。"
    )
    assert not any("记录约谈情况" in str(t.title) for t in finding_tasks(bureau["officer"]))
    with pytest.raises(Conflict):
        services.interview_record(actor=bureau["officer"], rectification=rect, note="再次。")


def test_flags_red_yellow_and_none(bureau):
    agency = bureau["agency"]
    section = bureau["section"]
    today = date(2026, 10, 20)
    # Nothing open: no flag
    assert selectors.department_flag(agency, section.pk, today=today) == "none"
    # Due within the reminder window: yellow
    rect = rectification_of(opened(bureau, on=date(2026, 10, 1)))
    due = rect.due_on
    assert selectors.department_flag(agency, section.pk, today=add_workdays(due, -2)) == "yellow"
    assert selectors.department_flag(agency, section.pk, today=add_workdays(due, -5)) == "none"
    # Past the deadline: red
    assert selectors.department_flag(agency, section.pk, today=add_workdays(due, 1)) == "red"
    # Submitted: waiting for the legal office colours nothing
    submitted(bureau, rect.finding)
    assert selectors.department_flag(agency, section.pk, today=add_workdays(due, 1)) == "none"
    # Sent back: yellow (the deadline is still ahead on that day)
    services.rectification_send_back(actor=bureau["officer"], rectification=rect, reason="不全")
    assert selectors.department_flag(agency, section.pk, today=add_workdays(due, -8)) == "yellow"
    # Closed: none again, counted as closed on time or late
    services.rectification_submit_evidence(
        actor=bureau["head"], rectification=rect, completion_note="已补充。"
    )
    services.rectification_verify(actor=bureau["officer"], rectification=rect)
    row = selectors.board(agency, today=today)["departments"][0]
    assert (row.name, row.flag, row.open, row.closed_late + row.closed_on_time) == (
        "社会救助科",
        "none",
        0,
        1,
    )
    # The other section has no rectification and no flag; the subdistrict is counted
    board = selectors.board(agency, today=today)
    assert [(r.name, r.flag) for r in board["departments"]] == [
        ("社会救助科", "none"),
        ("养老服务科", "none"),
    ]
    assert [(r.name, r.closed_on_time + r.closed_late) for r in board["subdistricts"]] == [
        ("东湖街道", 1)
    ]


def test_closed_on_time_and_late(bureau):
    agency = bureau["agency"]
    early = opened(bureau, on=date(2026, 9, 1), title="按期")
    submitted(bureau, early, on=date(2026, 9, 10))
    services.rectification_verify(
        actor=bureau["officer"], rectification=rectification_of(early), on=date(2026, 9, 20)
    )
    late = opened(bureau, on=date(2026, 9, 1), title="逾期")
    submitted(bureau, late, on=date(2026, 10, 9))
    services.rectification_verify(
        actor=bureau["officer"], rectification=rectification_of(late), on=date(2026, 10, 9)
    )
    row = selectors.board(agency, today=date(2026, 11, 2))["departments"][0]
    assert (row.closed_on_time, row.closed_late) == (1, 1)


def test_a_circular_lists_the_period_and_the_escalated_and_opens_as_docx(bureau):
    agency = bureau["agency"]
    # An old finding that reached 通报, one of the period closed, one of the period open
    old = opened(bureau, on=HANDED_OVER, title="九月投诉未办结")
    sweep(date(2026, 10, 20))
    closed = opened(bureau, on=date(2026, 11, 2), title="十一月按期整改")
    submitted(bureau, closed, on=date(2026, 11, 5))
    services.rectification_verify(
        actor=bureau["officer"], rectification=rectification_of(closed), on=date(2026, 11, 6)
    )
    opened(bureau, on=date(2026, 11, 3), title="十一月新问题")
    outside = opened(bureau, on=date(2026, 8, 3), title="八月旧问题")
    circular = services.circular_create(
        actor=bureau["officer"],
        agency=agency,
        title="关于2026年11月问题整改情况的通报",
        period_start=date(2026, 11, 1),
        period_end=date(2026, 11, 20),
    )
    draft = services.circular_items(circular)
    assert [i["title"] for i in draft] == ["九月投诉未办结", "十一月按期整改", "十一月新问题"]
    # When the legal office issues it
    issued = services.circular_issue(
        actor=bureau["officer"], circular=circular, issued_on=date(2026, 11, 23)
    )
    # Then it is numbered, frozen, and the DOCX lists the items with their status
    assert issued.number.text == "示民督通〔2026〕1号"
    assert issued.state == Circular.State.ISSUED
    assert [i["title"] for i in issued.snapshot["items"]] == [i["title"] for i in draft]
    assert Escalation.objects.get(step=Escalation.Step.CIRCULAR).circular == issued
    assert set(issued.rectifications.values_list("finding__title", flat=True)) == {
        "九月投诉未办结",
        "十一月按期整改",
        "十一月新问题",
    }
    document = Document(io.BytesIO(storage.content_open(issued.document.sha256).read()))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "示民督通〔2026〕1号" in text
    assert "关于2026年11月问题整改情况的通报" in text
    assert "十一月按期整改" in text and "已销号" in text
    assert "九月投诉未办结" in text and "逾期" in text
    assert "八月旧问题" not in text
    assert "本机关共发现问题2个，已整改销号1个" in text
    # A second circular does not list the escalated one again
    second = services.circular_create(
        actor=bureau["officer"],
        agency=agency,
        title="第二期",
        period_start=date(2026, 11, 21),
        period_end=date(2026, 11, 23),
    )
    assert services.circular_items(second) == []
    assert old and outside


def test_circular_refusals(bureau):
    from fazhi.core.errors import Conflict, InvalidInput, NotAllowed

    agency = bureau["agency"]
    with pytest.raises(InvalidInput) as refused:
        services.circular_create(
            actor=bureau["officer"],
            agency=agency,
            title="通报",
            period_start=date(2026, 11, 2),
            period_end=date(2026, 11, 1),
        )
    assert refused.value.code == "period_order"
    with pytest.raises(NotAllowed):
        services.circular_create(
            actor=bureau["leader"],
            agency=agency,
            title="通报",
            period_start=date(2026, 11, 1),
            period_end=date(2026, 11, 2),
        )
    circular = services.circular_create(
        actor=bureau["officer"],
        agency=agency,
        title="通报",
        period_start=date(2026, 11, 1),
        period_end=date(2026, 11, 2),
    )
    with pytest.raises(NotAllowed):
        services.circular_issue(actor=bureau["stranger"], circular=circular)
    services.circular_issue(actor=bureau["officer"], circular=circular)
    with pytest.raises(Conflict):
        services.circular_issue(actor=bureau["officer"], circular=circular)
    assert Circular.objects.get(pk=circular.pk).number.text == "示民督通〔2026〕1号"
