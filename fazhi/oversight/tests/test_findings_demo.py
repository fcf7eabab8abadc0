"""The findings demo: every state and every step of the ladder, one issued circular, two
accountability records; a second run creates nothing new; fast."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.utils import timezone

from fazhi.core.calendar import services as calendar_services
from fazhi.core.demo import build_demo
from fazhi.core.models import Event
from fazhi.oversight.demo import findings as demo
from fazhi.oversight.models import (
    AccountabilityRecord,
    Circular,
    Escalation,
    Finding,
    Rectification,
)

pytestmark = pytest.mark.django_db


def counts():
    return (
        Finding.objects.count(),
        Escalation.objects.count(),
        Circular.objects.count(),
        AccountabilityRecord.objects.count(),
        Event.objects.count(),
    )


def test_the_demo_covers_every_state_and_is_idempotent():
    calendar_services.calendar_import(years=[2025, 2026], actor_name="test")
    agency, _ = build_demo(password=settings.FAZHI_DEMO_PASSWORD)
    demo.build(agency)
    states = set(Rectification.objects.values_list("state", flat=True))
    assert states == set(Rectification.State.values)
    assert set(Escalation.objects.values_list("step", flat=True)) == set(Escalation.Step.values)
    assert Rectification.objects.filter(rejection_count__gt=0, state="rectifying").exists()
    assert Rectification.objects.filter(rejection_count__gt=0, state="closed").exists()
    circular = Circular.objects.get()
    assert circular.state == Circular.State.ISSUED
    assert circular.number.text.startswith("示民督通〔")
    assert circular.escalations.exists()
    assert Escalation.objects.filter(step=Escalation.Step.CIRCULAR, circular__isnull=True).exists()
    assert AccountabilityRecord.objects.count() == 2
    today = timezone.localdate()
    assert not Finding.objects.filter(found_on__gt=today).exists()
    assert not Escalation.objects.filter(taken_on__gt=today).exists()
    # Late and on time both occur
    closed = Rectification.objects.filter(state="closed")
    assert any(r.submitted_at.date() > r.due_on for r in closed)
    assert any(r.submitted_at.date() <= r.due_on for r in closed)
    before = counts()
    demo.build(agency)
    assert counts() == before
