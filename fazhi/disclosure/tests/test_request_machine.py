"""Random steps by random people never leave a request inconsistent (hypothesis state machine):
the stored deadline is always the one its records give, an outcome exists exactly when the
request is concluded, and the law's "once" and "at most" hold whatever the order of actions."""

from datetime import date, timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from fazhi.core.errors import DomainError
from fazhi.core.models import Event
from fazhi.disclosure import selectors, services
from fazhi.disclosure.choices import ConsultationAnswer, ConsultationKind, FeeBasis
from fazhi.disclosure.models import DisclosureRequest, Extension, ThirdPartyConsultation
from fazhi.disclosure.outcomes import LAPSE_OUTCOMES, Outcome
from fazhi.disclosure.services import Part
from fazhi.disclosure.tests.conftest import registered

pytestmark = pytest.mark.django_db

RECEIVED = date(2026, 3, 2)
# Mostly the disclosure office, so the search gets far; the others must always be refused.
PEOPLE = ("officer", "officer", "officer", "leader", "clerk", "other_officer")
HEADS = ("leader", "leader", "officer")
DAY = st.integers(min_value=0, max_value=70).map(lambda n: RECEIVED + timedelta(days=n))
# 补正 is possible only in the first 7 working days.
EARLY = st.integers(min_value=0, max_value=12).map(lambda n: RECEIVED + timedelta(days=n))
# Outcomes a reply may try, including ones that fit only some requests and lapse-only ones.
OUTCOMES = st.sampled_from(
    [
        Outcome.DISCLOSED,
        Outcome.PARTIAL,
        Outcome.WITHHELD_THIRD_PARTY,
        Outcome.UNAVAILABLE_UNCLEAR,
        Outcome.NOT_PROCESSED_EXCESSIVE,
        Outcome.OTHER_NO_SUPPLEMENT,
        Outcome.OTHER,
    ]
)
PARTS = [
    Part("汇总数", True),
    Part("明细", False, Outcome.WITHHELD_INTERNAL, "内部事务信息。"),
]
SEEN_STATES: set[str] = set()


def machine_for(office):
    class RequestMachine(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.request = registered(office, received_on=RECEIVED)

        def fresh(self):
            return DisclosureRequest.objects.get(pk=self.request.pk)

        def attempt(self, call, **kwargs):
            try:
                call(**kwargs)
            except DomainError:
                pass  # a refusal is a valid outcome; the invariants say what must never happen
            SEEN_STATES.add(self.fresh().state)

        @rule(who=st.sampled_from(PEOPLE), day=EARLY)
        def ask_for_supplement(self, who, day):
            self.attempt(
                services.supplement_request_request,
                actor=office[who],
                request=self.fresh(),
                items="请明确年度。",
                notice_on=day,
            )

        @rule(who=st.sampled_from(PEOPLE), day=DAY, late=st.booleans())
        def supplement(self, who, day, late):
            self.attempt(
                services.supplement_request_received,
                actor=office[who],
                request=self.fresh(),
                supplement="补充说明。",
                supplemented_on=day,
                late_reason="住院" if late else "",
            )

        @rule(who=st.sampled_from(PEOPLE), day=DAY)
        def consult(self, who, day):
            self.attempt(
                services.consultation_open,
                actor=office[who],
                request=self.fresh(),
                kind=ConsultationKind.THIRD_PARTY,
                party="第三方",
                subject="是否同意公开？",
                sent_on=day,
            )

        @rule(who=st.sampled_from(PEOPLE), day=DAY, answer=st.sampled_from(ConsultationAnswer))
        def answer(self, who, day, answer):
            open_one = ThirdPartyConsultation.objects.filter(
                request=self.request, answered_on__isnull=True
            ).first()
            if open_one is not None:
                self.attempt(
                    services.consultation_answer,
                    actor=office[who],
                    consultation=open_one,
                    answer=answer,
                    text="理由。",
                    answered_on=day,
                )

        @rule(who=st.sampled_from(HEADS), day=DAY, days=st.integers(min_value=-1, max_value=25))
        def extend(self, who, day, days):
            self.attempt(
                services.extension_approve,
                actor=office[who],
                request=self.fresh(),
                days=days,
                reason="材料较多。",
                approved_on=day,
            )

        @rule(who=st.sampled_from(PEOPLE), day=DAY, pages=st.integers(min_value=1, max_value=120))
        def charge(self, who, day, pages):
            self.attempt(
                services.fee_notice,
                actor=office[who],
                request=self.fresh(),
                basis=FeeBasis.PER_PAGE,
                quantity=pages,
                notice_on=day,
            )

        @rule(who=st.sampled_from(PEOPLE), day=DAY)
        def pay(self, who, day):
            self.attempt(services.fee_paid, actor=office[who], request=self.fresh(), paid_on=day)

        @rule()
        def sweep(self):
            self.attempt(services.lapse_sweep, now=timezone.now())

        @rule(who=st.sampled_from(PEOPLE), day=DAY, outcome=OUTCOMES, with_parts=st.booleans())
        def reply(self, who, day, outcome, with_parts):
            self.attempt(
                services.reply,
                actor=office[who],
                request=self.fresh(),
                outcome=outcome,
                text="答复。",
                parts=PARTS if with_parts else (),
                replied_on=day,
            )

        @invariant()
        def consistent(self):
            request = self.fresh()
            explained = selectors.due_explained(request)
            assert request.due_on == explained.due_on
            done = request.state in ("replied", "closed")
            assert done == bool(request.outcome) == (request.concluded_on is not None)
            if done:
                assert request.concluded_on >= request.received_on
            if request.state == "replied":
                assert request.outcome not in LAPSE_OUTCOMES
                assert request.reply_record.replied_on == request.concluded_on
            if request.state == "closed":
                assert request.outcome in LAPSE_OUTCOMES
            if request.state == "supplement_request":
                assert request.due_on is None
            extension = Extension.objects.filter(request=request).first()
            if extension is not None:
                assert 1 <= extension.days <= 20
                assert extension.approved_on <= extension.due_before
            replies = Event.objects.filter(
                target_id=str(request.pk), verb="disclosure.disclosurerequest.reply"
            ).count()
            assert replies == (1 if request.state == "replied" else 0)

    return RequestMachine


def test_random_steps_keep_a_request_consistent(office):
    SEEN_STATES.clear()
    run_state_machine_as_test(
        machine_for(office),
        settings=settings(
            max_examples=60,
            stateful_step_count=15,
            derandomize=True,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
    # The search must reach the states it claims to cover.
    assert {"supplement_request", "consultation", "fee", "replied", "closed"} <= SEEN_STATES
