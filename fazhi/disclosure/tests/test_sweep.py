"""The sweep closes lapsed 补正 and fee periods; the deadline source reminds and escalates."""

from datetime import date, datetime, time

import pytest
from django.utils import timezone

from fazhi.core.calendar import add_workdays
from fazhi.core.errors import Conflict
from fazhi.core.models import Event
from fazhi.core.notify.deadlines import deadline_sources, deadline_sweep
from fazhi.core.notify.models import Notification
from fazhi.core.notify.sweeps import registered_sweeps, run_sweeps
from fazhi.disclosure import services
from fazhi.disclosure.choices import FeeBasis
from fazhi.disclosure.models import DisclosureRequest
from fazhi.disclosure.outcomes import Outcome
from fazhi.disclosure.tests.conftest import registered


def request_deadlines(now):
    """The deadline sweep over the requests' source only: the other sources of the app (the
    annual report is due every 31 January) would add their own notices on some days."""
    sources = [s for s in deadline_sources() if s.name == "disclosure.requests"]
    assert sources, "the requests' deadline source is registered"
    return deadline_sweep(now, sources=sources)


pytestmark = pytest.mark.django_db


def fresh(request):
    return DisclosureRequest.objects.get(pk=request.pk)


def sweep():
    return run_sweeps(only=["disclosure.lapses"])


def supplement_request_pending(office, received_on=date(2026, 3, 2), notice_on=date(2026, 3, 5)):
    request = registered(office, received_on=received_on)
    services.supplement_request_request(
        actor=office["officer"], request=request, items="请明确年度。", notice_on=notice_on
    )
    return fresh(request)


def test_the_sweep_is_registered():
    assert "disclosure.lapses" in registered_sweeps()
    assert "disclosure.requests" in [s.name for s in deadline_sources()]


def test_no_supplement_closes_the_request_as_other_row_one(office):
    # Given a supplement period that ended on 26 March 2026
    request = supplement_request_pending(office)
    # When the sweep runs (twice)
    report = sweep()
    again = sweep()
    # Then the request closed the day after the period, as 其他处理 1, once
    assert report.counts == {"disclosure.lapses": 1}
    assert again.counts == {"disclosure.lapses": 0}
    request = fresh(request)
    assert request.state == "closed"
    assert request.outcome == Outcome.OTHER_NO_SUPPLEMENT
    assert request.concluded_on == date(2026, 3, 27)
    assert request.supplement_request.lapsed_on == date(2026, 3, 27)
    event = Event.objects.get(verb="disclosure.disclosurerequest.lapse_supplement_request")
    assert (event.actor, event.actor_name) == (None, "fazhi sweep")
    assert (event.from_state, event.to_state) == ("supplement_request", "closed")
    notice = Notification.objects.get(kind="disclosure_lapsed")
    assert notice.recipient == office["officer"]
    assert notice.title == f"申请 {request.tracking_number} 逾期未补正，已终止办理"


def test_no_payment_closes_the_request_as_other_row_two(office):
    request = registered(office)
    services.fee_notice(
        actor=office["officer"],
        request=request,
        basis=FeeBasis.PER_PAGE,
        quantity=80,
        notice_on=date(2026, 3, 4),
    )
    assert sweep().counts == {"disclosure.lapses": 1}
    request = fresh(request)
    assert (request.state, request.outcome) == ("closed", Outcome.OTHER_NO_FEE)
    assert request.concluded_on == date(2026, 4, 2)
    assert request.fee.lapsed_on == date(2026, 4, 2)


def test_a_period_still_running_is_left_alone(office):
    today = timezone.localdate()
    request = supplement_request_pending(office, received_on=today, notice_on=today)
    assert sweep().counts == {"disclosure.lapses": 0}
    with pytest.raises(Conflict) as refused:
        services.supplement_request_lapse(actor=office["officer"], request=request)
    assert refused.value.code == "supplement_not_lapsed"
    assert fresh(request).state == "supplement_request"


def test_the_office_may_close_a_lapsed_request_itself(office):
    request = supplement_request_pending(office)
    services.supplement_request_lapse(actor=office["officer"], request=request)
    event = Event.objects.get(verb="disclosure.disclosurerequest.lapse_supplement_request")
    assert event.actor == office["officer"]
    assert sweep().counts == {"disclosure.lapses": 0}


def test_a_supplemented_request_is_not_closed(office):
    request = supplement_request_pending(office)
    services.supplement_request_received(
        actor=office["officer"],
        request=request,
        supplement="补充了年度。",
        supplemented_on=date(2026, 3, 20),
    )
    assert sweep().counts == {"disclosure.lapses": 0}
    assert fresh(request).state == "received"


def test_an_overdue_reply_escalates_to_the_leaders(office):
    # Given a request due on 30 March 2026, still open
    request = registered(office)
    # When the deadline sweep runs
    request_deadlines(timezone.now())
    # Then the office and the leaders hear that it is overdue
    notices = Notification.objects.filter(kind="deadline_overdue").order_by("recipient_id")
    assert [n.recipient for n in notices] == sorted(
        [office["officer"], office["leader"]], key=lambda u: u.pk
    )
    assert notices[0].title == f"【已逾期】政府信息公开申请 {request.tracking_number} 答复"
    assert notices[0].body == "办理期限为2026年3月30日，现已逾期，请及时督办。"


def test_a_reply_due_soon_reminds_the_office(office):
    # Given a request received today: nothing to remind of yet
    request = registered(office, received_on=timezone.localdate())
    request_deadlines(timezone.now())
    assert not Notification.objects.filter(kind="deadline_reminder").exists()
    # When the sweep runs two working days before the deadline
    day = add_workdays(request.due_on, -2)
    request_deadlines(timezone.make_aware(datetime.combine(day, time(9))))
    # Then the office is reminded, and only the office
    notice = Notification.objects.get(kind="deadline_reminder")
    assert notice.recipient == office["officer"]
    assert notice.body.endswith("还剩 2 个工作日。")


def test_closed_and_replied_requests_need_no_reminder(office):
    request = registered(office)
    services.reply(
        actor=office["officer"],
        request=request,
        outcome=Outcome.DISCLOSED,
        text="予以公开。",
        replied_on=date(2026, 3, 20),
    )
    request_deadlines(timezone.now())
    assert not Notification.objects.filter(kind__startswith="deadline_").exists()
