"""Properties of the clock over random requests in 2025–2027 (the 2026 schedule loaded)."""

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fazhi.core.calendar import add_workdays, workdays_between
from fazhi.disclosure import clock

# The schedule is loaded once per test by the autouse fixture; the examples only read it.
db_settings = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
RULES = clock.Rules()
DAYS = st.dates(min_value=date(2025, 1, 1), max_value=date(2026, 12, 31))


@st.composite
def pauses(draw, after: date):
    found = []
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        start = after + timedelta(days=draw(st.integers(min_value=0, max_value=60)))
        limit = add_workdays(start, RULES.consultation_workdays)
        answered = draw(
            st.one_of(
                st.none(),
                st.integers(min_value=0, max_value=30).map(lambda d, s=start: s + timedelta(d)),
            )
        )
        found.append(clock.Pause("征求第三方意见", start, limit, answered))
    return tuple(found)


@st.composite
def requests(draw):
    received = draw(DAYS)
    supplement_request = None
    if draw(st.booleans()):
        notice = add_workdays(received, draw(st.integers(min_value=0, max_value=7)))
        supplemented = notice + timedelta(days=draw(st.integers(min_value=0, max_value=30)))
        supplement_request = clock.SupplementRequest(notice, add_workdays(notice, 15), supplemented)
    start = supplement_request.supplemented_on if supplement_request else received
    extension = None
    if draw(st.booleans()):
        extension = clock.Extension(
            draw(st.integers(min_value=1, max_value=RULES.extension_workdays)),
            start + timedelta(days=draw(st.integers(min_value=0, max_value=20))),
        )
    return clock.Facts(
        received_on=received,
        supplement_request=supplement_request,
        consultations=draw(pauses(start)),
        extension=extension,
    )


def without(facts: clock.Facts, **changes) -> clock.Facts:
    values = {
        "received_on": facts.received_on,
        "supplement_request": facts.supplement_request,
        "consultations": facts.consultations,
        "fee": facts.fee,
        "extension": facts.extension,
    }
    values.update(changes)
    return clock.Facts(**values)


@db_settings
@given(facts=requests())
def test_the_deadline_never_precedes_the_receipt(facts):
    result = clock.due_date(facts, RULES)
    assert result.due_on > facts.received_on
    assert result.due_on > result.start_on


@db_settings
@given(facts=requests())
def test_a_pause_never_shortens_and_adds_at_most_its_own_working_days(facts):
    paused = clock.due_date(facts, RULES)
    plain = clock.due_date(without(facts, consultations=()), RULES)
    assert paused.due_on >= plain.due_on
    # The clock moves by exactly the working days it reports as not counted.
    assert workdays_between(plain.due_on, paused.due_on) == paused.paused_workdays
    longest = sum(workdays_between(p.start, p.end) for p in facts.consultations)
    assert paused.paused_workdays <= longest


@db_settings
@given(received=DAYS, notice_after=st.integers(0, 7), wait=st.integers(0, 40))
def test_the_clock_restarts_on_the_supplement(received, notice_after, wait):
    notice = add_workdays(received, notice_after)
    supplemented = notice + timedelta(days=wait)
    facts = clock.Facts(
        received_on=received,
        supplement_request=clock.SupplementRequest(notice, add_workdays(notice, 15), supplemented),
    )
    result = clock.due_date(facts, RULES)
    # The full 20 working days run again from the supplement, whatever ran before it.
    assert result.start_on == supplemented
    assert result.due_on == add_workdays(supplemented, RULES.reply_workdays)
    assert workdays_between(supplemented, result.due_on) == RULES.reply_workdays
    # Before the supplement arrives there is no deadline at all.
    pending = clock.SupplementRequest(notice, add_workdays(notice, 15))
    assert clock.due_date(without(facts, supplement_request=pending), RULES).due_on is None


@db_settings
@given(facts=requests(), days=st.integers(min_value=1, max_value=RULES.extension_workdays))
def test_the_one_extension_adds_exactly_its_days_and_at_most_the_limit(facts, days):
    start = (
        facts.supplement_request.supplemented_on if facts.supplement_request else facts.received_on
    )
    # Consultations begun before the original deadline, so none is drawn in by the extension.
    original = clock.due_date(without(facts, consultations=(), extension=None), RULES).due_on
    early = tuple(p for p in facts.consultations if p.start < original)
    base = clock.due_date(without(facts, consultations=early, extension=None), RULES)
    extended = clock.due_date(
        without(facts, consultations=early, extension=clock.Extension(days, start)), RULES
    )
    added = workdays_between(base.due_on, extended.due_on)
    assert added == days
    assert added <= RULES.extension_workdays
