"""Random action sequences by random roles never issue a document that lacks a gate, and never
give two documents one number (hypothesis state machine)."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from fazhi.core import workflow
from fazhi.core.errors import DomainError
from fazhi.core.models import IssuedNumber
from fazhi.rules import gates, services
from fazhi.rules.models import Consultation, LegalityReview, NormativeDocument, PublicComment
from fazhi.rules.tests.conftest import days_ago

ROLES = ("clerk", "officer", "leader")
# Documents seen issued during the run: the search must reach publication to mean anything.
REACHED: set[int] = set()
CHECKS = dict.fromkeys(LegalityReview.CHECKLIST, True)


def machine_for(office):
    class DocumentMachine(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.document = services.document_create(
                actor=office["clerk"],
                agency=office["agency"],
                department=office["section"],
                title="规范性文件",
                text="第一条",
            )

        def fresh(self):
            return NormativeDocument.objects.get(pk=self.document.pk)

        def attempt(self, call, *args, **kwargs):
            try:
                call(*args, **kwargs)
            except DomainError:
                pass  # a refusal is a valid outcome; the invariants say what must never happen

        @rule(who=st.sampled_from(ROLES), days=st.integers(min_value=1, max_value=40))
        def open_consultation(self, who, days):
            today = timezone.localdate()
            self.attempt(
                services.consultation_open,
                actor=office[who],
                document=self.fresh(),
                opens_on=today,
                closes_on=today + timedelta(days=days),
            )

        @rule()
        def time_passes(self):
            Consultation.objects.filter(document=self.document).update(
                opens_on=days_ago(45), closes_on=days_ago(1)
            )
            LegalityReview.objects.filter(document=self.document, decided_on=None).update(
                started_on=days_ago(21)
            )

        @rule(who=st.sampled_from(ROLES))
        def comment_and_answer(self, who):
            consultation = Consultation.objects.filter(document=self.document).first()
            if consultation is not None:
                self.attempt(
                    services.comment_submit,
                    consultation=consultation,
                    text="意见",
                    name="张三",
                    phone="13812345678",
                    idempotency_key=uuid.uuid4().hex,
                )
            for comment in PublicComment.objects.filter(
                consultation__document=self.document, response=""
            ):
                self.attempt(
                    services.comment_respond, actor=office[who], comment=comment, response="adopted"
                )

        @rule(who=st.sampled_from(ROLES))
        def publish_report(self, who):
            self.attempt(
                services.consultation_report_publish,
                actor=office[who],
                document=self.fresh(),
                report="采纳情况说明",
            )

        @rule(
            who=st.sampled_from(ROLES),
            action=st.sampled_from([a.name for a in NormativeDocument.workflow.actions]),
        )
        def any_transition(self, who, action):
            self.attempt(workflow.perform, self.fresh(), action, actor=office[who], comment="理由")

        @rule(who=st.sampled_from(ROLES))
        def exempt(self, who):
            self.attempt(
                services.exemption_approve,
                actor=office[who],
                document=self.fresh(),
                ground="法定理由",
            )

        @rule(who=st.sampled_from(ROLES))
        def submit(self, who):
            self.attempt(services.review_submit, actor=office[who], document=self.fresh())

        @rule(who=st.sampled_from(ROLES), opinion=st.sampled_from(["pass", "fail", "changes"]))
        def review(self, who, opinion):
            self.attempt(
                services.review_record,
                actor=office[who],
                document=self.fresh(),
                checklist=CHECKS,
                opinion=opinion,
                report="审核报告",
            )

        @rule(who=st.sampled_from(ROLES), adopted=st.booleans())
        def decide(self, who, adopted):
            self.attempt(
                services.decision_record,
                actor=office[who],
                document=self.fresh(),
                meeting="director",
                meeting_date=timezone.localdate(),
                attendees="局领导",
                adopted=adopted,
                decision="决定",
            )

        @rule(
            who=st.sampled_from(ROLES),
            years=st.integers(min_value=1, max_value=8),
            reason=st.booleans(),
        )
        def issue(self, who, years, reason):
            today = timezone.localdate()
            self.attempt(
                services.document_issue,
                actor=office[who],
                document=self.fresh(),
                published_on=today,
                effective_on=today,
                valid_until=today + timedelta(days=365 * years - 1),
                interpretation="解读",
                validity_reason="理由" if reason else "",
            )

        @rule()
        def advance(self):
            """The next correct step by the right person, so runs also reach publication."""
            document = self.fresh()
            today = timezone.localdate()
            step = {
                "drafting": lambda: services.consultation_open(
                    actor=office["clerk"],
                    document=document,
                    opens_on=today,
                    closes_on=today + timedelta(days=15),
                ),
                "consultation": lambda: (
                    self.time_passes(),
                    workflow.perform(self.fresh(), "close_consultation", actor=office["clerk"]),
                ),
                "comments": lambda: (
                    self.comment_and_answer("clerk"),
                    self.publish_report("clerk"),
                    services.review_submit(actor=office["clerk"], document=self.fresh()),
                ),
                "review": lambda: (
                    self.time_passes(),
                    services.review_record(
                        actor=office["officer"],
                        document=self.fresh(),
                        checklist=CHECKS,
                        opinion="pass",
                        report="通过",
                    ),
                ),
                "reviewed": lambda: self.decide("officer", True),
                "decided": lambda: self.issue("officer", 5, False),
            }.get(document.state)
            if step is not None:
                self.attempt(step)

        @invariant()
        def issued_documents_passed_every_gate(self):
            for document in NormativeDocument.objects.filter(state="issued"):
                REACHED.add(document.pk)
                assert gates.consultation_done(document)
                assert gates.review_passed(document)
                assert gates.decision_adopted(document)
                assert document.doc_number_id is not None
                assert gates.validity_within_limit(document, document.valid_until) or (
                    document.validity_reason
                )

        @invariant()
        def numbers_are_never_shared(self):
            numbers = list(
                NormativeDocument.objects.exclude(doc_number=None).values_list(
                    "doc_number", flat=True
                )
            )
            assert len(numbers) == len(set(numbers))
            values = list(IssuedNumber.objects.values_list("series_id", "value"))
            assert len(values) == len(set(values))

    return DocumentMachine


@pytest.mark.django_db
def test_no_path_issues_a_document_without_its_gates(office):
    run_state_machine_as_test(
        machine_for(office),
        settings=settings(
            max_examples=15,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
    assert REACHED, "no run reached publication: the property was never exercised"
