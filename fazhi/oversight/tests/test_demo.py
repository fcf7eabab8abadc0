"""The whole oversight demo as `fazhi demo` builds it, after the rules and disclosure demos:
a year of checks, visits, findings in every state (most of the other areas' findings worked on
by their departments), and a published evaluation; a second run changes nothing."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.utils import timezone

from fazhi.core.calendar import services as calendar_services
from fazhi.core.demo import build_demo
from fazhi.core.models import Event
from fazhi.disclosure.demo import build_disclosure_demo
from fazhi.oversight.demo import build_oversight_demo
from fazhi.oversight.models import (
    CommitteeCheckResult,
    Evaluation,
    Finding,
    Rectification,
    SampledFile,
    Source,
    Visit,
)
from fazhi.rules.demo import build_rules_demo

pytestmark = pytest.mark.django_db


def test_the_oversight_demo_is_a_year_of_work_and_builds_once():
    today = timezone.localdate()
    calendar_services.calendar_import(years=[today.year - 1, today.year], actor_name="test")
    agency, _ = build_demo(password=settings.FAZHI_DEMO_PASSWORD)
    build_rules_demo(agency)
    build_disclosure_demo(agency)
    build_oversight_demo(agency)

    assert set(Rectification.objects.values_list("state", flat=True)) == set(
        Rectification.State.values
    )
    sources = set(Finding.objects.values_list("source", flat=True))
    assert {Source.VISIT, Source.SPOT_CHECK, Source.THIRD_PARTY, Source.COMMITTEE_CHECK} <= sources
    # The departments worked on the findings the other areas opened: some were closed.
    assert Rectification.objects.filter(
        state=Rectification.State.CLOSED, finding__source=Source.THIRD_PARTY
    ).exists()
    visits = Visit.objects.filter(agency=agency)
    assert (today - visits.order_by("visited_on").first().visited_on).days > 300
    assert SampledFile.objects.filter(plan__agency=agency).exclude(rating="").exists()
    assert CommitteeCheckResult.objects.filter(agency=agency, status="missing").exists()
    assert Evaluation.objects.filter(agency=agency, state=Evaluation.State.PUBLISHED).count() == 2
    # Nothing is dated after the build day.
    assert not Rectification.objects.filter(closed_on__gt=today).exists()
    assert not visits.filter(visited_on__gt=today).exists()

    events = Event.objects.count()
    again = build_oversight_demo(agency)
    assert not any(again.values()), again
    assert Event.objects.count() == events
