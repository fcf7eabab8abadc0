"""The evaluation demo: two active schemes and the past twelve months published; idempotent
and quick."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings

from fazhi.core.demo import build_demo
from fazhi.core.models import Event
from fazhi.oversight.demo import evaluation as demo
from fazhi.oversight.models import Evaluation, EvaluationScheme, EvaluationScore

pytestmark = pytest.mark.django_db


def test_past_twelve_months():
    assert demo.past_twelve_months(dt.date(2026, 11, 27)) == (
        dt.date(2025, 11, 1),
        dt.date(2026, 10, 31),
    )
    assert demo.past_twelve_months(dt.date(2026, 1, 5)) == (
        dt.date(2025, 1, 1),
        dt.date(2025, 12, 31),
    )


def test_the_demo_publishes_both_evaluations_once():
    agency, _ = build_demo(password=settings.FAZHI_DEMO_PASSWORD)
    demo.build(agency)
    schemes = EvaluationScheme.objects.filter(agency=agency)
    assert sorted(schemes.values_list("unit_kind", "state")) == [
        ("department", "active"),
        ("subdistrict", "active"),
    ]
    evaluations = Evaluation.objects.filter(agency=agency)
    assert evaluations.count() == 2
    assert set(evaluations.values_list("state", flat=True)) == {"published"}
    today = dt.date.today()
    assert all(e.period_end < today.replace(day=1) for e in evaluations)

    counts = (
        EvaluationScheme.objects.count(),
        Evaluation.objects.count(),
        EvaluationScore.objects.count(),
        Event.objects.count(),
    )
    demo.build(agency)
    assert counts == (
        EvaluationScheme.objects.count(),
        Evaluation.objects.count(),
        EvaluationScore.objects.count(),
        Event.objects.count(),
    )
