"""A normative document from drafting to publication, and each gate that stands in the way."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from fazhi.core import workflow
from fazhi.core.errors import Conflict, InvalidInput, NotAllowed
from fazhi.core.models import Event
from fazhi.rules import services
from fazhi.rules.models import Consultation, LegalityReview, NormativeDocument, PublicComment
from fazhi.rules.tests.conftest import days_ago

State = NormativeDocument.State
CHECKS = dict.fromkeys(LegalityReview.CHECKLIST, True)


def draft(office, **kwargs):
    return services.document_create(
        actor=office["clerk"],
        agency=office["agency"],
        department=office["section"],
        title="关于进一步规范最低生活保障审核确认的实施办法",
        text="第一条 为了规范……",
        **kwargs,
    )


def let_consultation_end(document):
    """Given the consultation period has passed."""
    Consultation.objects.filter(document=document).update(
        opens_on=days_ago(40), closes_on=days_ago(1)
    )


def let_review_take(document, workdays_ago=14):
    LegalityReview.objects.filter(document=document).update(started_on=days_ago(workdays_ago))


def consulted(office):
    document = draft(office)
    today = timezone.localdate()
    services.consultation_open(
        actor=office["clerk"],
        document=document,
        opens_on=today,
        closes_on=today + timedelta(days=20),
    )
    consultation = Consultation.objects.get(document=document)
    services.comment_submit(
        consultation=consultation,
        text="建议明确复核时限。",
        name="张三",
        phone="13812345678",
        idempotency_key=uuid.uuid4().hex,
        article=3,
    )
    let_consultation_end(document)
    workflow.perform(document, "close_consultation", actor=office["clerk"])
    services.comment_respond(
        actor=office["clerk"],
        comment=PublicComment.objects.get(consultation=consultation),
        response="adopted",
    )
    services.consultation_report_publish(
        actor=office["clerk"],
        document=document,
        report=services.consultation_report_draft(consultation),
    )
    return NormativeDocument.objects.get(pk=document.pk)


def reviewed(office):
    document = services.review_submit(actor=office["clerk"], document=consulted(office))
    let_review_take(document)
    services.review_record(
        actor=office["officer"],
        document=document,
        checklist=CHECKS,
        opinion="pass",
        report="符合法定权限和程序。",
    )
    return NormativeDocument.objects.get(pk=document.pk)


def decided(office):
    document = reviewed(office)
    services.decision_record(
        actor=office["officer"],
        document=document,
        meeting="director",
        meeting_date=timezone.localdate(),
        attendees="局长、副局长",
        adopted=True,
        decision="原则通过",
    )
    return NormativeDocument.objects.get(pk=document.pk)


def issue(office, document, **overrides):
    today = timezone.localdate()
    values = {
        "published_on": today,
        "effective_on": today + timedelta(days=30),
        "valid_until": today + timedelta(days=30 + 365 * 5 - 2),
        "interpretation": "本办法明确了低保审核确认的程序。",
    }
    values.update(overrides)
    return services.document_issue(actor=office["officer"], document=document, **values)


def test_the_whole_way_to_a_numbered_publication(office):
    document = issue(office, decided(office))
    assert document.state == State.ISSUED
    assert document.doc_number.text == f"示民规〔{timezone.localdate().year}〕1号"
    verbs = [e.verb for e in workflow.timeline(document)]
    assert verbs[0] == "normative.document.create"
    assert verbs[-1] == "normative.normativedocument.issue"
    assert "number.issue" in Event.objects.values_list("verb", flat=True)


def test_the_adoption_report_groups_answers_by_article(office):
    document = consulted(office)
    report = document.consultation.report
    assert "关于第3条" in report and "建议明确复核时限" in report and "采纳" in report


def test_no_review_without_consultation_or_approved_exemption(office):
    document = draft(office)
    with pytest.raises(Conflict) as exc:
        services.review_submit(actor=office["clerk"], document=document)
    assert exc.value.code == "consultation_required"
    with pytest.raises(NotAllowed):
        services.exemption_approve(actor=office["clerk"], document=document, ground="x")
    services.exemption_approve(
        actor=office["officer"], document=document, ground="涉及国家秘密，依法不予公开征求意见"
    )
    assert services.review_submit(actor=office["clerk"], document=document).state == State.REVIEW


def test_consultation_shorter_than_the_rule_is_refused(office):
    document = draft(office, market_related=True)
    today = timezone.localdate()
    with pytest.raises(InvalidInput) as exc:
        services.consultation_open(
            actor=office["clerk"],
            document=document,
            opens_on=today,
            closes_on=today + timedelta(days=20),
        )
    assert exc.value.code == "consultation_too_short" and "30日" in str(exc.value.message)
    assert not Consultation.objects.exists()
    assert NormativeDocument.objects.get(pk=document.pk).state == State.DRAFTING


def test_comments_only_while_open_and_idempotent(office):
    document = draft(office)
    today = timezone.localdate()
    consultation = services.consultation_open(
        actor=office["clerk"],
        document=document,
        opens_on=today,
        closes_on=today + timedelta(days=20),
    )
    first = services.comment_submit(
        consultation=consultation,
        text="<script>x</script>意见",
        name="李四",
        phone="13912345678",
        idempotency_key="a" * 32,
    )
    again = services.comment_submit(
        consultation=consultation,
        text="<script>x</script>意见",
        name="李四",
        phone="13912345678",
        idempotency_key="a" * 32,
    )
    assert first.pk == again.pk and PublicComment.objects.count() == 1
    assert str(first.submitter_phone) == "139****5678"
    with pytest.raises(InvalidInput):
        services.comment_submit(
            consultation=consultation,
            text="意见",
            name="王五",
            phone="12345",
            idempotency_key="b" * 32,
        )
    let_consultation_end(document)
    with pytest.raises(Conflict) as exc:
        services.comment_submit(
            consultation=Consultation.objects.get(),
            text="晚到的意见",
            name="赵六",
            phone="13712345678",
            idempotency_key="c" * 32,
        )
    assert exc.value.code == "consultation_closed"
    assert PublicComment.objects.count() == 1


def test_every_comment_is_answered_before_the_report(office):
    document = draft(office)
    today = timezone.localdate()
    consultation = services.consultation_open(
        actor=office["clerk"],
        document=document,
        opens_on=today,
        closes_on=today + timedelta(days=20),
    )
    comment = services.comment_submit(
        consultation=consultation,
        text="意见",
        name="张三",
        phone="13812345678",
        idempotency_key="d" * 32,
    )
    let_consultation_end(document)
    workflow.perform(document, "close_consultation", actor=office["clerk"])
    with pytest.raises(Conflict):
        services.consultation_report_publish(
            actor=office["clerk"], document=document, report="说明"
        )
    with pytest.raises(InvalidInput):
        services.comment_respond(actor=office["clerk"], comment=comment, response="not_adopted")
    services.comment_respond(
        actor=office["clerk"], comment=comment, response="not_adopted", reason="与上位法规定不一致"
    )


def test_review_has_a_minimum_duration_and_a_fail_goes_back(office):
    document = services.review_submit(actor=office["clerk"], document=consulted(office))
    with pytest.raises(Conflict) as exc:
        services.review_record(
            actor=office["officer"],
            document=document,
            checklist=CHECKS,
            opinion="pass",
            report="通过",
        )
    assert exc.value.code == "review_too_short"
    assert NormativeDocument.objects.get(pk=document.pk).state == State.REVIEW
    services.review_record(
        actor=office["officer"],
        document=document,
        checklist={**CHECKS, "content": False},
        opinion="fail",
        report="第五条增设义务，超越权限。",
    )
    assert NormativeDocument.objects.get(pk=document.pk).state == State.DRAFTING


def test_no_meeting_without_a_passed_review(office):
    document = services.review_submit(actor=office["clerk"], document=consulted(office))
    with pytest.raises(Conflict):
        services.decision_record(
            actor=office["officer"],
            document=document,
            meeting="bureau",
            meeting_date=timezone.localdate(),
            attendees="全体",
            adopted=True,
            decision="通过",
        )


@pytest.mark.parametrize("state_maker", ["draft", "consulted", "reviewed"])
def test_issue_is_refused_before_a_decision(office, state_maker):
    maker = {"draft": draft, "consulted": consulted, "reviewed": reviewed}[state_maker]
    document = maker(office)
    with pytest.raises(Conflict):
        issue(office, document)
    with pytest.raises(Conflict):
        workflow.perform(document, "issue", actor=office["officer"])
    assert not NormativeDocument.objects.filter(state=State.ISSUED).exists()
    assert not Event.objects.filter(verb="number.issue").exists()


def test_validity_beyond_the_ceiling_needs_a_reason_and_draws_no_number(office):
    document = decided(office)
    today = timezone.localdate()
    too_long = today + timedelta(days=30 + 365 * 6)
    with pytest.raises(InvalidInput) as exc:
        issue(office, document, valid_until=too_long)
    assert exc.value.code == "validity_too_long"
    assert not Event.objects.filter(verb="number.issue").exists()
    issued = issue(office, document, valid_until=too_long, validity_reason="配套规划期为六年")
    assert issued.state == State.ISSUED


def test_one_number_per_document(office):
    document = issue(office, decided(office))
    with pytest.raises(Conflict):
        issue(office, document)
    second = issue(office, decided(office))
    assert second.doc_number.value == document.doc_number.value + 1


def test_roles(office):
    document = draft(office)
    with pytest.raises(NotAllowed):
        services.document_save_version(actor=office["leader"], document=document, text="改")
    services.document_save_version(actor=office["clerk"], document=document, text="第二稿")
    assert document.versions.count() == 2


def test_filing_is_due_thirty_days_after_publication_and_recorded(office):
    from fazhi.rules.models import Filing

    document = issue(office, decided(office))
    filing = Filing.objects.get(document=document)
    assert filing.due_on == document.published_on + timedelta(days=30)
    assert filing.outcome == "pending"
    with pytest.raises(InvalidInput):
        services.filing_record(actor=office["officer"], document=document, outcome="correction")
    with pytest.raises(NotAllowed):
        services.filing_record(actor=office["clerk"], document=document, outcome="filed")
    services.filing_record(actor=office["officer"], document=document, outcome="filed")
    assert Filing.objects.get(document=document).outcome == "filed"


def test_the_sweep_reminds_the_legal_office_of_a_pending_filing(office):
    from fazhi.core.notify.deadlines import deadline_sweep
    from fazhi.core.notify.models import Notification
    from fazhi.rules.models import Filing

    document = issue(office, decided(office))
    Filing.objects.filter(document=document).update(due_on=days_ago(1))
    now = timezone.now()
    deadline_sweep(now)
    deadline_sweep(now)
    # Other sources (the disclosure annual report in February and March) may notify the same
    # officer about a record with the same number: only the document's notices count.
    notices = Notification.objects.filter(
        recipient=office["officer"],
        target_type="normative.normativedocument",
        target_id=str(document.pk),
    )
    assert notices.count() == 1 and "报送备案" in notices.get().title
