"""The committee disclosure demo: a year of postings through the services, the check run, and a
second build that creates nothing new."""

from __future__ import annotations

from django.conf import settings

from fazhi.core.demo import build_demo
from fazhi.core.models import Committee, Event
from fazhi.oversight.demo import committees as demo
from fazhi.oversight.models import CommitteeCheckResult, CommitteePosting, Finding

pytest_plugins = ["fazhi.oversight.tests.committee_fixtures"]


def test_the_demo_tells_its_story_and_is_idempotent(schedule):
    agency, _ = build_demo(password=settings.FAZHI_DEMO_PASSWORD)
    demo.build(agency)
    # (the brief speaks of 11; core.demo defines 10 committees)
    assert Committee.objects.filter(agency=agency).count() == 10
    results = CommitteeCheckResult.objects.filter(agency=agency)
    statuses = {s: results.filter(status=s).count() for s in ("on_time", "late", "missing")}
    assert statuses["on_time"] > statuses["late"] > 0 and statuses["missing"] > 0
    # 南岭村委会 misses the finances of one month, which is a finding
    village = Committee.objects.get(agency=agency, name="南岭村委会")
    gap = results.get(
        committee=village,
        item__code="finance",
        period_start=demo._missed_month(demo.timezone.localdate()).start,
    )
    assert gap.status == "missing" and gap.finding is not None
    assert CommitteePosting.objects.filter(agency=agency, source="csv").exists()
    assert (
        CommitteePosting.objects.filter(agency=agency, committee=village)
        .exclude(recorded_by__username="committee_clerk")
        .count()
        == 0
    )
    counts = (
        CommitteePosting.objects.count(),
        CommitteeCheckResult.objects.count(),
        Finding.objects.count(),
        Event.objects.count(),
    )
    demo.build(agency)
    assert (
        CommitteePosting.objects.count(),
        CommitteeCheckResult.objects.count(),
        Finding.objects.count(),
        Event.objects.count(),
    ) == counts
