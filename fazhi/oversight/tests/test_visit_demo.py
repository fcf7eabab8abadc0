"""The visits' demo: built through the services, idempotent, nothing after today, quick."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.utils import timezone

from fazhi.core.demo import build_demo
from fazhi.oversight.demo import visits as demo
from fazhi.oversight.models import Finding, Inspection, Supervisor, Visit, VisitPlan


@pytest.fixture
def agency(db):
    from fazhi.core.calendar import services as calendar_services

    calendar_services.calendar_import(years=[2025, 2026], actor_name="test")
    agency, _ = build_demo(password=settings.FAZHI_DEMO_PASSWORD)
    return agency


def test_the_demo_builds_a_year_once(agency):
    created = demo.build(agency)
    today = timezone.localdate()
    supervisors = Supervisor.objects.filter(agency=agency)
    assert supervisors.count() == 5
    assert supervisors.filter(user__username="supervisor").count() == 1
    assert VisitPlan.objects.filter(agency=agency).values("month").distinct().count() == 12
    visits = Visit.objects.filter(agency=agency)
    assert 18 <= visits.count() <= 24
    assert not visits.filter(visited_on__gt=today).exists()
    assert visits.filter(finding__isnull=False).exists()
    inspections = Inspection.objects.filter(agency=agency)
    assert inspections.count() % 4 == 0 and inspections.count() >= 4
    assert all(i.report and i.report.extension == "docx" for i in inspections)
    assert not inspections.exclude(state=Inspection.State.SUBMITTED).exists()
    assert Finding.objects.filter(agency=agency, source="third_party").exists()
    assert not Finding.objects.filter(found_on__gt=today).exists()
    assert created == visits.count() + inspections.count()
    counts = (
        Visit.objects.count(),
        VisitPlan.objects.count(),
        Inspection.objects.count(),
        Finding.objects.count(),
    )
    assert demo.build(agency) == 0
    assert counts == (
        Visit.objects.count(),
        VisitPlan.objects.count(),
        Inspection.objects.count(),
        Finding.objects.count(),
    )
