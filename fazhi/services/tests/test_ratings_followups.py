"""The bad-review loop (回访 → 核实 → 整改 → 反馈), the oversight finding, appeals, the sweep,
待办.

A bad review on Wednesday 30 September 2026: call-back due Thursday 8 October (国庆 1–7 October
off), fix due Tuesday 27 October (15 working days, Saturday 10 October worked).
"""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from fazhi.core.errors import Conflict, InvalidInput, NotAllowed
from fazhi.core.models import Event
from fazhi.core.notify.models import Notification
from fazhi.core.notify.sweeps import registered_sweeps, run_sweeps
from fazhi.core.workflow import timeline
from fazhi.oversight.models import Finding
from fazhi.services.models.ratings import BadReviewFollowUp, Rating, RatingAppeal, RatingSms
from fazhi.services.services import rating_followups as loop
from fazhi.services.services import ratings as services
from fazhi.services.tests.test_ratings_setup import (  # noqa: F401 - fixtures
    concluded_case,
    recording_sms_fixture,
    schedule_fixture,
    token_of,
    world_fixture,
)
from fazhi.workspace.tasks import tasks_for

pytestmark = pytest.mark.django_db
RATED_ON = date(2026, 9, 30)
CALLED_BACK = date(2026, 10, 8)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def bad_review(world, *, real_name=False, phone="", level=4, center="east") -> BadReviewFollowUp:
    _case, links = concluded_case(world, center=center)
    rating = services.rating_submit(
        channel="online",
        token=token_of(links["online"]),
        level=level,
        reasons=["slow", "unclear"],
        comment="材料退回三次，跑了三趟。",
        real_name=real_name,
        rater_name="赵市民" if real_name else "",
        rater_phone=phone,
        on=RATED_ON,
    )
    return BadReviewFollowUp.objects.get(rating=rating)


def called_back(world, follow_up):
    return loop.follow_up_record_callback(
        actor=world["clerk"],
        follow_up=follow_up,
        note="电话回访，评价人反映材料清单不清楚。",
        called_back_on=CALLED_BACK,
    )


def verified(world, follow_up):
    return loop.follow_up_verify(
        actor=world["head"],
        follow_up=called_back(world, follow_up),
        verdict="valid",
        note="窗口未一次性告知材料，情况属实。",
    )


def at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(7, 0)))


def sweep(day: date) -> int:
    return loop.bad_reviews_due_sweep(at(day))


# --- The loop -------------------------------------------------------------------------------


def test_the_loop_runs_to_the_answer_and_texts_a_real_name_rater(
    world, recording_sms, django_capture_on_commit_callbacks
):
    follow_up = bad_review(world, real_name=True, phone="13900001111")
    # 回访 by the clerk
    follow_up = called_back(world, follow_up)
    assert (follow_up.state, follow_up.called_back_on) == ("verifying", CALLED_BACK)
    assert follow_up.assignee == world["clerk"]
    # 核实: 情况属实
    follow_up = loop.follow_up_verify(
        actor=world["head"], follow_up=follow_up, verdict="valid", note="情况属实。"
    )
    assert (follow_up.state, follow_up.verdict) == ("rectifying", "valid")
    # 整改 recorded, then 反馈 — the text goes to the rater after commit
    follow_up = loop.follow_up_record_fix(
        actor=world["clerk"], follow_up=follow_up, note="印发一次性告知单，窗口培训。"
    )
    with django_capture_on_commit_callbacks(execute=True):
        follow_up = loop.follow_up_answer(
            actor=world["clerk"],
            follow_up=follow_up,
            answer="已改进告知方式，感谢您的监督。",
            answered_on=date(2026, 10, 20),
        )
    assert (follow_up.state, follow_up.answered_on) == ("answered", date(2026, 10, 20))
    assert [(m.phone, "感谢您的监督" in m.text) for m in recording_sms.sent] == [
        ("13900001111", True)
    ]
    assert RatingSms.objects.get(kind="answer").status == "sent"
    verbs = [e.verb for e in timeline(follow_up)]
    assert verbs == [
        "services.follow_up.open",
        "services.badreviewfollowup.record_callback",
        "services.badreviewfollowup.verify",
        "services.follow_up.fix",
        "services.badreviewfollowup.send_answer",
    ]


def test_an_explained_review_is_answered_straight_away(world, recording_sms):
    follow_up = called_back(world, bad_review(world))
    follow_up = loop.follow_up_verify(
        actor=world["clerk"],
        follow_up=follow_up,
        verdict="explained",
        note="评价人误以为可当场办结，属误解。",
        answer="该事项法定审查期限为 20 个工作日，已向您解释。",
        answered_on=date(2026, 10, 9),
    )
    assert (follow_up.state, follow_up.verdict, follow_up.answered_on) == (
        "answered",
        "explained",
        date(2026, 10, 9),
    )
    # An anonymous rater gets no text
    assert not RatingSms.objects.filter(kind="answer").exists()


def test_steps_out_of_order_and_bad_input_are_refused_and_change_nothing(world):
    follow_up = bad_review(world)
    events = Event.objects.count()
    refusals = [
        (Conflict, lambda: loop.follow_up_verify(
            actor=world["clerk"], follow_up=follow_up, verdict="valid", note="属实")),
        (Conflict, lambda: loop.follow_up_record_fix(
            actor=world["clerk"], follow_up=follow_up, note="已整改")),
        (InvalidInput, lambda: loop.follow_up_record_callback(
            actor=world["clerk"], follow_up=follow_up, note="  ")),
        (InvalidInput, lambda: loop.follow_up_record_callback(
            actor=world["clerk"], follow_up=follow_up, note="回访",
            called_back_on=date(2026, 9, 29))),
        (InvalidInput, lambda: loop.follow_up_record_callback(
            actor=world["clerk"], follow_up=follow_up, note="回访",
            called_back_on=timezone.localdate().replace(year=timezone.localdate().year + 1))),
        (InvalidInput, lambda: loop.follow_up_record_callback(
            actor=world["clerk"], follow_up=follow_up, note="回" * 2001)),
    ]  # fmt: skip
    for error, call in refusals:
        with pytest.raises(error):
            call()
    follow_up.refresh_from_db()
    assert follow_up.state == "awaiting_callback" and follow_up.called_back_on is None
    assert Event.objects.count() == events


def test_the_verdict_and_the_explanation_are_checked(world):
    follow_up = called_back(world, bad_review(world))
    with pytest.raises(InvalidInput) as verdict:
        loop.follow_up_verify(actor=world["clerk"], follow_up=follow_up, verdict="maybe", note="x")
    assert verdict.value.code == "verdict_invalid"
    with pytest.raises(InvalidInput) as answer:
        loop.follow_up_verify(
            actor=world["clerk"], follow_up=follow_up, verdict="explained", note="误解"
        )
    assert answer.value.code == "answer_required"
    with pytest.raises(InvalidInput) as early:
        loop.follow_up_verify(
            actor=world["clerk"],
            follow_up=follow_up,
            verdict="explained",
            note="误解",
            answer="已解释",
            answered_on=date(2026, 10, 7),
        )
    assert early.value.code == "date_too_early"
    follow_up.refresh_from_db()
    assert (follow_up.state, follow_up.verdict, follow_up.answer) == ("verifying", "", "")


def test_the_answer_waits_for_the_fix(world):
    follow_up = verified(world, bad_review(world))
    with pytest.raises(Conflict) as refused:
        loop.follow_up_answer(actor=world["clerk"], follow_up=follow_up, answer="已整改")
    assert refused.value.code == "fix_required"
    follow_up.refresh_from_db()
    assert (follow_up.state, follow_up.answer) == ("rectifying", "")


@pytest.mark.parametrize("who", ["other_head", "other_clerk", "leader", "overseer", "stranger"])
def test_only_the_case_department_works_the_loop(world, who):
    follow_up = bad_review(world)
    with pytest.raises(NotAllowed):
        loop.follow_up_record_callback(actor=world[who], follow_up=follow_up, note="回访")
    follow_up.refresh_from_db()
    assert follow_up.state == "awaiting_callback"


def test_the_legal_office_reads_but_does_not_call_back(world):
    follow_up = bad_review(world)
    with pytest.raises(NotAllowed):
        loop.follow_up_record_callback(actor=world["officer"], follow_up=follow_up, note="回访")
    # The liaison of the case's department may
    done = loop.follow_up_record_callback(actor=world["liaison"], follow_up=follow_up, note="回访")
    assert done.state == "verifying"


# --- The oversight finding ------------------------------------------------------------------


def test_a_complex_fix_opens_one_finding_in_the_oversight_loop(world):
    follow_up = verified(world, bad_review(world))
    rating = follow_up.rating
    # When the department sends it into the rectification loop, twice
    first = loop.follow_up_open_finding(actor=world["head"], follow_up=follow_up)
    second = loop.follow_up_open_finding(actor=world["officer"], follow_up=follow_up)
    # Then there is one finding, from the rating, for the department, in the center's street
    assert first.pk == second.pk
    assert Finding.objects.count() == 1
    assert (first.source, first.source_ref) == ("rating", f"services.rating:{rating.pk}")
    assert first.department == world["relief"]
    assert first.subdistrict == world["east"]
    assert first.found_on == RATED_ON
    assert first.title == "差评整改：最低生活保障申请"
    assert "材料退回三次" in first.description
    assert "情况属实" in first.description
    follow_up.refresh_from_db()
    assert follow_up.finding_ref == f"oversight.finding:{first.pk}"
    assert Event.objects.filter(verb="services.follow_up.open_finding").count() == 1
    # Still 整改中: the department records the fix and answers as before
    assert follow_up.state == "rectifying"


def test_a_finding_only_while_rectifying_and_not_by_another_department(world):
    follow_up = called_back(world, bad_review(world))
    with pytest.raises(Conflict):
        loop.follow_up_open_finding(actor=world["head"], follow_up=follow_up)
    follow_up = loop.follow_up_verify(
        actor=world["head"], follow_up=follow_up, verdict="valid", note="属实"
    )
    with pytest.raises(NotAllowed):
        loop.follow_up_open_finding(actor=world["other_head"], follow_up=follow_up)
    with pytest.raises(InvalidInput):
        loop.follow_up_open_finding(actor=world["head"], follow_up=follow_up, title="问" * 201)
    assert not Finding.objects.exists()


# --- Appeals --------------------------------------------------------------------------------


def test_an_appeal_approved_excludes_the_review_and_stops_the_loop(world):
    follow_up = called_back(world, bad_review(world))
    rating = follow_up.rating
    upload = SimpleUploadedFile("监控记录说明.pdf", PDF, content_type="application/pdf")
    # The head of the case's department appeals with evidence
    appeal = loop.appeal_file(
        actor=world["head"], rating=rating, reason="评价人当日未到窗口，系误评。", evidence=[upload]
    )
    assert appeal.state == "pending"
    assert [f.purpose for f in appeal.evidence.all()] == ["services_rating_appeal"]
    told = set(
        Notification.objects.filter(kind="services_rating_appeal").values_list(
            "recipient__username", flat=True
        )
    )
    assert told == {world["officer"].username, world["leader"].username}
    # A leader approves
    done = loop.appeal_decide(actor=world["leader"], appeal=appeal, approve=True)
    assert (done.state, done.decided_by) == ("approved", world["leader"])
    rating.refresh_from_db()
    assert rating.excluded is True
    # The loop stops where it stood: the next step is refused, nothing more is due
    with pytest.raises(Conflict) as stopped:
        loop.follow_up_verify(actor=world["head"], follow_up=follow_up, verdict="valid", note="x")
    assert stopped.value.code == "rating_excluded"
    assert sweep(date(2026, 10, 28)) == 0
    assert not [t for t in tasks_for(world["clerk"]) if "差评" in str(t.title)]
    verbs = list(
        Event.objects.filter(target_id=str(rating.pk), target_type="services.rating")
        .order_by("seq")
        .values_list("verb", flat=True)
    )
    assert verbs == [
        "services.rating.submit",
        "services.rating.appeal_file",
        "services.rating.appeal_decide",
        "services.rating.exclude",
    ]


def test_an_appeal_is_filed_by_the_head_once_and_decided_with_a_reason(world):
    rating = bad_review(world).rating
    for who in ("clerk", "other_head", "officer", "stranger"):
        with pytest.raises(NotAllowed):
            loop.appeal_file(actor=world[who], rating=rating, reason="误评")
    with pytest.raises(InvalidInput):
        loop.appeal_file(actor=world["head"], rating=rating, reason="")
    appeal = loop.appeal_file(actor=world["head"], rating=rating, reason="误评")
    with pytest.raises(Conflict) as pending:
        loop.appeal_file(actor=world["head"], rating=rating, reason="再次申诉")
    assert pending.value.code == "appeal_pending"
    for who in ("head", "clerk", "overseer", "stranger_officer"):
        with pytest.raises(NotAllowed):
            loop.appeal_decide(actor=world[who], appeal=appeal, approve=True)
    with pytest.raises(InvalidInput) as reason:
        loop.appeal_decide(actor=world["officer"], appeal=appeal, approve=False)
    assert reason.value.code == "decision_note_required"
    done = loop.appeal_decide(
        actor=world["officer"], appeal=appeal, approve=False, note="回访记录证实评价属实。"
    )
    assert done.state == "rejected"
    rating.refresh_from_db()
    assert rating.excluded is False
    with pytest.raises(Conflict) as once:
        loop.appeal_file(actor=world["head"], rating=rating, reason="补充材料再申诉")
    assert once.value.code == "already_appealed"
    with pytest.raises(Conflict):
        loop.appeal_decide(actor=world["officer"], appeal=done, approve=True)
    assert RatingAppeal.objects.count() == 1


def test_only_a_bad_review_can_be_appealed(world):
    case, _links = concluded_case(world)
    good = services.rating_submit(channel="counter", case=case, actor=world["clerk"], level=2)
    with pytest.raises(InvalidInput) as refused:
        loop.appeal_file(actor=world["head"], rating=good, reason="误评")
    assert refused.value.code == "not_bad_review"


def test_appeal_evidence_is_read_by_those_who_read_the_rating(world):
    rating = bad_review(world).rating
    upload = SimpleUploadedFile("说明.pdf", PDF, content_type="application/pdf")
    appeal = loop.appeal_file(actor=world["head"], rating=rating, reason="误评", evidence=[upload])
    stored = appeal.evidence.get()
    assert loop.may_read_appeal_evidence(world["officer"], stored)
    assert loop.may_read_appeal_evidence(world["clerk"], stored)
    assert not loop.may_read_appeal_evidence(world["other_clerk"], stored)


# --- The sweep and 待办 ----------------------------------------------------------------------


def test_the_sweep_is_registered():
    assert "services.bad_reviews_due" in registered_sweeps()


def test_the_sweep_reminds_on_the_due_day_and_warns_once_overdue(world):
    follow_up = bad_review(world)
    # Head of 社会救助科 and the legal office: 2 recipients per notice
    assert sweep(date(2026, 10, 7)) == 0
    assert sweep(CALLED_BACK) == 2  # 今日应回访
    assert sweep(CALLED_BACK) == 0  # run twice: nothing new
    assert sweep(date(2026, 10, 9)) == 2  # 回访已逾期
    assert sweep(date(2026, 10, 12)) == 0
    titles = list(
        Notification.objects.filter(recipient=world["head"]).values_list("title", flat=True)
    )
    assert "差评今日应回访：最低生活保障申请" in titles
    assert "差评回访已逾期（期限2026年10月8日）：最低生活保障申请" in titles
    # Once called back, only the fix deadline remains
    called_back(world, follow_up)
    assert sweep(date(2026, 10, 26)) == 0
    assert sweep(date(2026, 10, 27)) == 2  # 整改今日到期
    assert sweep(date(2026, 10, 28)) == 2  # 整改已逾期
    assert sweep(date(2026, 10, 28)) == 0
    assert sweep(date(2026, 11, 2)) == 0
    recipients = set(
        Notification.objects.filter(kind="services_follow_up_due").values_list(
            "recipient__username", flat=True
        )
    )
    assert recipients == {world["head"].username, world["officer"].username}


def test_the_sweep_runs_through_fazhi_sweep_and_leaves_answered_reviews(world):
    follow_up = verified(world, bad_review(world))
    follow_up = loop.follow_up_record_fix(actor=world["clerk"], follow_up=follow_up, note="已整改")
    loop.follow_up_answer(actor=world["clerk"], follow_up=follow_up, answer="已整改，谢谢。")
    report = run_sweeps(now=at(date(2026, 10, 28)), only=["services.bad_reviews_due"])
    assert report.counts == {"services.bad_reviews_due": 0}
    assert report.ok


def test_tasks_for_the_department_and_for_appeals(world):
    follow_up = bad_review(world)
    tasks = [
        (str(t.title), t.due_on) for t in tasks_for(world["clerk"]) if str(t.module) == "好差评"
    ]
    assert tasks == [("回访差评：最低生活保障申请", CALLED_BACK)]
    assert not [t for t in tasks_for(world["other_clerk"]) if str(t.module) == "好差评"]
    called_back(world, follow_up)
    tasks = [
        (str(t.title), t.due_on) for t in tasks_for(world["head"]) if str(t.module) == "好差评"
    ]
    assert tasks == [("核实差评：最低生活保障申请", date(2026, 10, 27))]
    loop.appeal_file(actor=world["head"], rating=follow_up.rating, reason="误评")
    for who in ("officer", "leader"):
        tasks = [str(t.title) for t in tasks_for(world[who]) if str(t.module) == "好差评"]
        assert tasks == ["审核差评申诉：最低生活保障申请"]
    assert Rating.objects.count() == 1
