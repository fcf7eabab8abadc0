"""Random sequences of actions by random roles never publish a record with an open finding or
without a release review of its current round (hypothesis state machine)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from fazhi.core import workflow
from fazhi.core.errors import DomainError
from fazhi.disclosure import gates_proactive as gates
from fazhi.disclosure import selectors, services
from fazhi.disclosure.models import PublicRecord
from fazhi.disclosure.tests.conftest import RESIDENT_ID
from fazhi.disclosure.tests.test_proactive_services import ALL_NO, bureau, docx_upload  # noqa: F401

# The reviewer first: generation leans to the first values, and review is where gates bite.
ROLES = ("head", "clerk", "officer", "leader", "other_officer")
TRANSITIONS = (
    "submit",
    "pass_review",
    "return_from_review",
    "publish",
    "return_from_approval",
    "retract",
    "supersede",
)
SHOWN = ("approval", "published", "withdrawn", "superseded")
# Records seen published during the run: the search must reach publication to mean anything.
REACHED: set[int] = set()


def machine_for(bureau):  # noqa: F811
    class RecordMachine(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.records: list[int] = []
            self.create("clerk", True)

        def record(self, index: int) -> PublicRecord:
            return PublicRecord.objects.get(pk=self.records[index % len(self.records)])

        def attempt(self, call, *args, **kwargs):
            try:
                return call(*args, **kwargs)
            except DomainError:
                return None  # a refusal is a valid outcome; the invariants say what never happens

        def under_review(self, index: int) -> PublicRecord:
            """The record, submitted first by its clerk when it is a draft: reviews and findings
            are where the gates bite, so the machine spends its steps there."""
            record = self.record(index)
            if record.state == "draft":
                self.attempt(services.record_submit, actor=bureau["clerk"], record=record)
                record = self.record(index)
            return record

        def body(self, with_id: bool) -> str:
            return f"名单：张三 {RESIDENT_ID}" if with_id else "发放情况见附件。"

        @rule(who=st.sampled_from(ROLES), with_id=st.booleans())
        def create(self, who, with_id):
            created = self.attempt(
                services.record_create,
                actor=bureau[who],
                agency=bureau["agency"],
                department=bureau["section"],
                title="低保资金发放情况",
                formed_on=bureau["formed_on"],
                category="art20_11",
                topic="社会保障",
                body=self.body(with_id),
            )
            if created is not None:
                self.records.append(created.pk)

        @rule(who=st.sampled_from(ROLES), index=st.integers(0, 5), with_id=st.booleans())
        def edit(self, who, index, with_id):
            self.attempt(
                services.record_update,
                actor=bureau[who],
                record=self.record(index),
                body=self.body(with_id),
            )

        @rule(who=st.sampled_from(ROLES), index=st.integers(0, 5))
        def attach(self, who, index):
            self.attempt(
                services.record_attach,
                actor=bureau[who],
                record=self.record(index),
                upload=docx_upload(f"李四 {RESIDENT_ID}"),
            )

        @rule(who=st.sampled_from(ROLES), index=st.integers(0, 5))
        def submit(self, who, index):
            self.attempt(services.record_submit, actor=bureau[who], record=self.record(index))

        @rule(who=st.sampled_from(ROLES), index=st.integers(0, 5), redact=st.booleans())
        def handle_finding(self, who, index, redact):
            finding = (
                selectors.record_findings(self.record(index)).filter(resolution="open").first()
            )
            if finding is None:
                return
            if redact:
                self.attempt(services.finding_redact, actor=bureau[who], finding=finding)
            else:
                self.attempt(
                    services.finding_clear, actor=bureau[who], finding=finding, reason="已同意"
                )

        @rule(
            who=st.sampled_from(ROLES),
            index=st.integers(0, 5),
            conclusion=st.sampled_from(["release", "release", "return", "withhold"]),
            comment=st.sampled_from(["", "理由"]),
        )
        def review(self, who, index, conclusion, comment):
            self.attempt(
                services.record_review,
                actor=bureau[who],
                record=self.under_review(index),
                checklist=ALL_NO,
                conclusion=conclusion,
                comment=comment,
            )

        @rule(who=st.sampled_from(ROLES), index=st.integers(0, 5))
        def publish(self, who, index):
            self.attempt(services.record_publish, actor=bureau[who], record=self.record(index))

        @rule(who=st.sampled_from(ROLES), index=st.integers(0, 5), other=st.integers(0, 5))
        def withdraw_or_supersede(self, who, index, other):
            if other % 2:
                self.attempt(
                    services.record_withdraw,
                    actor=bureau[who],
                    record=self.record(index),
                    reason="有误",
                )
            else:
                self.attempt(
                    services.record_supersede,
                    actor=bureau[who],
                    record=self.record(index),
                    successor=self.record(other),
                )

        @rule(
            who=st.sampled_from(ROLES),
            index=st.integers(0, 5),
            action=st.sampled_from(TRANSITIONS),
        )
        def bare_transition(self, who, index, action):
            """A crafted call that takes a transition by name, skipping the services."""
            self.attempt(
                workflow.perform, self.record(index), action, actor=bureau[who], comment="直接"
            )

        @rule(index=st.integers(0, 5))
        def the_proper_way(self, index):
            """The next step as the right person would take it, so runs reach publication."""
            record = self.record(index)
            if record.state == "draft":
                self.attempt(services.record_submit, actor=bureau["clerk"], record=record)
            elif record.state == "review":
                for finding in selectors.record_findings(record).filter(resolution="open"):
                    self.attempt(services.finding_redact, actor=bureau["head"], finding=finding)
                self.attempt(
                    services.record_review,
                    actor=bureau["head"],
                    record=record,
                    checklist=ALL_NO,
                    conclusion="release",
                )
            elif record.state == "approval":
                self.attempt(services.record_publish, actor=bureau["officer"], record=record)

        @invariant()
        def nothing_released_with_an_open_finding_or_without_review(self):
            for record in PublicRecord.objects.filter(state__in=SHOWN, source_document=None):
                assert gates.no_open_finding(record), record.pk
                assert gates.released(record), record.pk
                if record.state != "approval":
                    REACHED.add(record.pk)
                    assert record.index_number and record.published_on

        @invariant()
        def index_numbers_are_never_shared(self):
            numbers = list(
                PublicRecord.objects.exclude(index_number="").values_list("index_number", flat=True)
            )
            assert len(numbers) == len(set(numbers))

    return RecordMachine


@pytest.mark.django_db
def test_no_path_publishes_without_review_or_with_an_open_finding(bureau):  # noqa: F811
    from django.utils import timezone

    REACHED.clear()
    machine = machine_for({**bureau, "formed_on": timezone.localdate()})
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=20,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
    assert REACHED, "no run reached publication: the machine tests nothing"
