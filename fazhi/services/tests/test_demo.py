"""The services demo: the published power list and guides (once), and for `fazhi demo` a year
of centers, appointments, cases and ratings through the services; a second run changes nothing,
and the year is the same story for the same day."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time

import pytest
from django.db import transaction
from django.utils import timezone

from fazhi.core.audit import verify_chain
from fazhi.core.calendar import services as calendar_services
from fazhi.core.models import Event, Subdistrict
from fazhi.oversight.models import Finding
from fazhi.services.demo import ITEMS, POWERS, build_services_demo
from fazhi.services.models import (
    Appointment,
    CaseChannel,
    PowerKind,
    PowerList,
    ServiceCase,
    ServiceCenter,
    ServiceGuide,
    ServiceItem,
)
from fazhi.services.models.ratings import BadReviewFollowUp, Rating, RatingAppeal, RatingSms
from fazhi.services.selectors import ratings as rating_selectors
from fazhi.services.selectors.cases import decisions_by_kind

pytestmark = pytest.mark.django_db

State = ServiceCase.State
CASE_DAYS = ("received_on", "accepted_on", "decided_on", "concluded_on", "delivered_on")
NOTHING = {
    "powers": 0,
    "items": 0,
    "guides": 0,
    "centers": 0,
    "appointments": 0,
    "cases": 0,
    "ratings": 0,
    "bad_reviews": 0,
}


def test_the_demo_builds_once(demo):
    created = build_services_demo(demo)
    assert created == {"powers": len(POWERS), "items": len(ITEMS), "guides": len(ITEMS)}
    published = PowerList.objects.get(agency=demo)
    assert published.frozen and published.published_on <= timezone.localdate()
    assert published.powers.count() == len(POWERS) >= 30
    kinds = set(published.powers.values_list("kind", flat=True))
    assert {PowerKind.LICENSING, PowerKind.BENEFIT, PowerKind.CONFIRMATION} <= kinds
    assert {PowerKind.PENALTY, PowerKind.INSPECTION} <= kinds
    assert ServiceGuide.objects.filter(agency=demo, state="published").count() == len(ITEMS)
    assert Event.objects.filter(verb="services.powers.publish").count() == 1
    # Without `history` nothing else: the browser tests build their own cases on it.
    assert not ServiceCenter.objects.exists() and not ServiceCase.objects.exists()
    events = Event.objects.count()

    assert build_services_demo(demo) == {"powers": 0, "items": 0, "guides": 0}
    assert Event.objects.count() == events
    assert ServiceItem.objects.filter(agency=demo).count() == len(ITEMS)
    assert PowerList.objects.filter(agency=demo).count() == 1


@pytest.fixture
def year(demo):
    today = timezone.localdate()
    calendar_services.calendar_import(years=[today.year - 1, today.year], actor_name="test")
    return demo, build_services_demo(demo, history=True)


def test_a_year_of_appointments_over_the_centers(year):
    agency, created = year
    today = timezone.localdate()
    # Given one center per subdistrict (and the district window), open mornings and afternoons
    centers = ServiceCenter.objects.filter(agency=agency)
    assert set(Subdistrict.objects.filter(agency=agency)) <= {c.subdistrict for c in centers}
    assert centers.count() == 5 and all(len(c.sessions()) == 2 for c in centers)
    for center in centers.exclude(subdistrict=None):
        bookable = center.items.filter(bookable=True)
        assert bookable.count() == 3
        assert {(i.slot_minutes, 2 <= i.capacity <= 4) for i in bookable} == {(30, True)}

    # Then a year of appointments: most checked in, a few no-shows and cancellations
    appointments = Appointment.objects.filter(agency=agency)
    assert appointments.count() == created["appointments"]
    past = Counter(appointments.filter(day__lt=today).values_list("state", flat=True))
    assert set(past) == {"checked_in", "no_show", "cancelled"}  # the sweep marked no-shows
    assert past["checked_in"] > 2 * (past["no_show"] + past["cancelled"])
    assert (today - appointments.order_by("day").first().day).days > 300
    assert appointments.values("center").distinct().count() == 5
    # And bookings for the coming working days, for the portal and the day list
    coming = appointments.filter(day__gt=today, state="booked")
    assert coming.values("day").distinct().count() >= 4
    # Every checked-in appointment became a case on its day, but one still waiting at the counter
    waiting = appointments.filter(state="checked_in", case__isnull=True)
    assert waiting.count() == 1 and waiting.get().day < today
    from_appointments = ServiceCase.objects.filter(agency=agency, channel=CaseChannel.APPOINTMENT)
    assert from_appointments.count() == appointments.filter(state="checked_in").count() - 1
    assert all(c.appointment.day == c.received_on for c in from_appointments)
    # Nothing is dated after now
    assert not appointments.filter(checked_in_at__gt=timezone.now()).exists()
    assert not appointments.filter(cancelled_at__gt=timezone.now()).exists()


def test_a_year_of_cases_in_every_state(year):
    agency, created = year
    today = timezone.localdate()
    cases = ServiceCase.objects.filter(agency=agency)
    # A few hundred cases, most delivered, every state and channel present
    assert cases.count() == created["cases"] and 150 <= created["cases"] <= 400
    states = Counter(cases.values_list("state", flat=True))
    assert set(states) == set(State.values)
    assert states[State.DELIVERED] > cases.count() / 2
    assert set(cases.values_list("channel", flat=True)) == set(CaseChannel.values)
    assert (today - cases.order_by("received_on").first().received_on).days > 300
    # Some 补正 (one still waiting), some refusals, a few concluded late
    assert cases.filter(supplement_received_on__isnull=False).exists()
    assert {"granted", "denied", "not_accepted"} <= set(cases.values_list("decision", flat=True))
    assert cases.filter(on_time_promised=False, on_time_statutory=True).exists()
    assert cases.filter(on_time_statutory=False).exists()
    # Open cases past their limits, flagged by the overdue sweep as far as they are late
    flagged = cases.exclude(overdue=ServiceCase.Overdue.NONE)
    assert {1, 2} <= set(flagged.values_list("overdue", flat=True))
    assert all(c.is_running and c.overdue == c.overdue_level(today) for c in flagged)
    # Licensing cases: last year's disclosure report counts their decisions
    assert decisions_by_kind(agency, today.year - 1)[PowerKind.LICENSING]["total"] > 0
    # Nothing after today; the case numbers follow the days of receipt
    for field in CASE_DAYS:
        assert not cases.filter(**{f"{field}__gt": today}).exists(), field
    for year_of in {c.received_on.year for c in cases}:
        days = list(
            cases.filter(received_on__year=year_of)
            .order_by("case_number")
            .values_list("received_on", flat=True)
        )
        assert days == sorted(days)
    # No case carries a mobile number, so no rating link was texted to a made-up number
    assert not RatingSms.objects.exists()
    person = cases.filter(applicant_kind="person").first()
    assert "*" in str(person.resident_id) and len(person.resident_id.decrypt()) == 18
    # A regular whom 刷证办事 finds: two cases and an appointment to come
    regular = cases.filter(applicant_name="刘桂兰")
    assert regular.count() == 2
    number = regular.first().resident_id.decrypt()
    booked = Appointment.objects.filter(agency=agency, state="booked", day__gt=today)
    assert any(a.resident_id.matches(number) for a in booked)


def test_ratings_and_every_stage_of_the_bad_review_loop(year):
    agency, created = year
    today = timezone.localdate()
    concluded = ServiceCase.objects.filter(agency=agency, concluded_on__isnull=False).exclude(
        state=State.NOT_ACCEPTED
    )
    ratings = Rating.objects.filter(agency=agency)
    assert ratings.count() == created["ratings"]
    # Most concluded cases are rated, most at the counter, some online
    assert 0.8 * concluded.count() <= ratings.count() < concluded.count()
    channels = Counter(ratings.values_list("channel", flat=True))
    assert channels["counter"] > channels["online"] > 0 and not channels["sms"]
    assert not ratings.filter(rated_on__gt=today).exists()
    # Bad reviews in every state of the loop, one complex fix sent to oversight
    follow_ups = BadReviewFollowUp.objects.filter(agency=agency)
    assert follow_ups.count() == ratings.filter(bad=True).count() == created["bad_reviews"]
    assert set(follow_ups.values_list("state", flat=True)) == set(BadReviewFollowUp.State.values)
    sent = follow_ups.exclude(finding_ref="")
    assert sent.count() == 1
    finding = Finding.objects.get(pk=sent.get().finding_ref.split(":")[1])
    assert finding.source_ref == f"services.rating:{sent.get().rating_id}"
    assert not follow_ups.filter(answered_on__gt=today).exists()
    # One appeal approved (the rating left the figures), one pending
    appeals = RatingAppeal.objects.filter(agency=agency)
    assert Counter(appeals.values_list("state", flat=True)) == {"approved": 1, "pending": 1}
    excluded = ratings.get(excluded=True)
    assert excluded.appeals.get().state == "approved"
    figures = rating_selectors.figures(agency, year=today.year)
    counted = ratings.filter(rated_on__year=today.year, excluded=False).count()
    assert figures.total.total == counted
    # The whole year is on the audit chain
    result = verify_chain()
    assert result.ok and result.checked == Event.objects.count()


def story(agency) -> tuple:
    """The year in terms that do not depend on database ids or the moment of the build."""
    cases = ServiceCase.objects.filter(agency=agency).order_by("case_number")
    return (
        list(
            cases.values_list(
                "case_number", "item__name", "channel", "state", "applicant_name", "center__name",
                "overdue", *CASE_DAYS,
            )
        ),
        sorted(
            Appointment.objects.filter(agency=agency).values_list(
                "center__name", "item__name", "day", "starts_at", "applicant_name", "state"
            )
        ),
        sorted(
            Rating.objects.filter(agency=agency).values_list(
                "case__case_number", "channel", "level", "rated_on", "excluded"
            )
        ),
        sorted(
            BadReviewFollowUp.objects.filter(agency=agency).values_list(
                "rating__case__case_number", "state"
            )
        ),
    )  # fmt: skip


def test_the_year_is_the_same_story_for_the_same_day_and_a_second_run_changes_nothing(demo):
    # Given a year built and rolled back
    with transaction.atomic():
        build_services_demo(demo, history=True)
        first = story(demo)
        transaction.set_rollback(True)
    assert not ServiceCase.objects.exists() and not Event.objects.filter(
        verb__startswith="services."
    )

    # When it is built again the same day, then the demo runs a second time
    created = build_services_demo(demo, history=True)
    events = Event.objects.count()
    again = build_services_demo(demo, history=True)

    # Then it is the same story, and the second run added nothing, not even an audit event
    assert story(demo) == first and created["cases"] == len(first[0])
    assert again == NOTHING
    assert Event.objects.count() == events


def test_the_story_fits_another_build_day(demo, monkeypatch):
    """Built on the first working day of a year (the calendar not yet confirmed: Monday to
    Friday), last year's report still has its licensing decisions and every state is there."""
    day = date(2027, 1, 4)
    moment = timezone.make_aware(datetime.combine(day, time(16, 0)))
    monkeypatch.setattr(timezone, "now", lambda: moment)
    created = build_services_demo(demo, history=True)
    cases = ServiceCase.objects.filter(agency=demo)
    assert created["cases"] >= 150
    assert set(cases.values_list("state", flat=True)) == set(State.values)
    assert decisions_by_kind(demo, 2026)[PowerKind.LICENSING]["total"] > 0
    for field in CASE_DAYS:
        assert not cases.filter(**{f"{field}__gt": day}).exists(), field
    assert not Appointment.objects.filter(day__lt=day, state="booked").exists()
    assert Appointment.objects.filter(day__gte=day, state="booked").exists()
    states = set(BadReviewFollowUp.objects.values_list("state", flat=True))
    assert states == set(BadReviewFollowUp.State.values)
    # The guides were published before the first case arrived
    first = cases.order_by("received_on").first().received_on
    assert PowerList.objects.get(agency=demo).published_on < first
