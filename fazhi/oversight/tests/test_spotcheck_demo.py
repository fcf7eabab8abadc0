"""The spot-check demo: built through the services over the rules and disclosure demos, a
year of quarterly plans, idempotent, nothing dated after today."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from fazhi.core.demo import build_demo
from fazhi.oversight.demo import spotchecks as demo
from fazhi.oversight.models import Finding, SampledFile, SamplingPlan
from fazhi.oversight.services.spotchecks import plan_redraw_check


def test_the_demo_is_a_year_of_checks_and_idempotent(db):
    from fazhi.disclosure.demo import build_disclosure_demo
    from fazhi.rules.demo import build_rules_demo

    agency, _ = build_demo(password=settings.FAZHI_DEMO_PASSWORD)
    build_rules_demo(agency)
    build_disclosure_demo(agency)
    created = demo.build(agency)
    assert len(created) >= 4  # the rules demo issues its documents within recent months
    assert {p.population for p in created} == {"normative.documents", "disclosure.requests"}
    files = SampledFile.objects.filter(plan__agency=agency)
    ratings = set(files.exclude(rating="").values_list("rating", flat=True))
    assert {"pass", "excellent"} <= ratings
    assert files.filter(state="pending").exists()  # the latest quarter is under review
    failed = files.filter(rating="fail")
    assert (
        Finding.objects.filter(
            source="spot_check", source_ref__in=[f"oversight.sampledfile:{f.pk}" for f in failed]
        ).count()
        == failed.count()
    )
    today = timezone.localdate()
    assert all(p.drawn_at.date() <= today for p in SamplingPlan.objects.all())
    assert all(plan_redraw_check(p).same for p in created)
    for f in files:
        reviewer_unit = f.plan.reviewer_snapshot and {
            row["user"]: row["unit"] for row in f.plan.reviewer_snapshot
        }.get(f.reviewer_id)
        assert reviewer_unit != f.department_id
    before = (SamplingPlan.objects.count(), files.count(), Finding.objects.count())
    assert demo.build(agency) == []
    assert (SamplingPlan.objects.count(), files.count(), Finding.objects.count()) == before
