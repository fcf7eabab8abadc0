"""The ratings demo: every concluded case of the demo bureau rated once, through the services;
bad reviews with their follow-up; a second run adds nothing."""

from __future__ import annotations

from datetime import date, time

import pytest
from django.contrib.auth import get_user_model

from fazhi.core.models import Subdistrict
from fazhi.services.demo import build_services_demo
from fazhi.services.demo_ratings import build_ratings_demo
from fazhi.services.models import ServiceCenter, ServiceItem
from fazhi.services.models.ratings import BadReviewFollowUp, Rating
from fazhi.services.selectors import ratings as selectors
from fazhi.services.services import cases
from fazhi.services.tests.test_ratings_setup import resident_id

pytestmark = pytest.mark.django_db


def concluded(agency, n: int) -> list:
    users = {u.username: u for u in get_user_model().objects.all()}
    clerk, head = users["clerk"], users["department_head"]
    center = ServiceCenter.objects.create(
        agency=agency,
        subdistrict=Subdistrict.objects.filter(agency=agency).first(),
        name="东湖街道社区事务受理服务中心",
        address="东湖路 1 号",
        morning_opens=time(9, 0),
        morning_closes=time(11, 30),
    )
    item = ServiceItem.objects.get(agency=agency, name="最低生活保障申请")
    made = []
    for k in range(n):
        day = date(2026, 1 + k % 10, 5 + k % 3)
        case = cases.case_register(
            actor=clerk, agency=agency, item=item, channel="counter" if k % 3 else "online",
            applicant_kind="person", applicant_name=f"市民{k}", resident_id=resident_id(k + 1),
            center=center if k % 3 else None, external_ref="" if k % 3 else f"YW-{k}",
            received_on=day,
        )  # fmt: skip
        case = cases.case_accept(actor=clerk, case=case, on=day)
        case = cases.case_start_review(actor=clerk, case=case)
        case = cases.case_grant(actor=head, case=case, on=day)
        case, _links = cases.case_conclude(actor=clerk, case=case, on=day)
        made.append(case)
    return made


def test_the_demo_rates_each_concluded_case_once(demo):
    build_services_demo(demo)
    made = concluded(demo, 12)
    first = build_ratings_demo(demo)
    assert first["ratings"] == 12
    assert Rating.objects.filter(agency=demo).count() == 12
    assert set(Rating.objects.values_list("case_id", flat=True)) == {c.pk for c in made}
    # Online cases were rated through their link, counter ones at the counter
    channels = dict(Rating.objects.values_list("case_id", "channel"))
    assert {channels[c.pk] for c in made if c.center_id is None} == {"online"}
    assert {channels[c.pk] for c in made if c.center_id} == {"counter"}
    # Every bad review has its follow-up
    bad = Rating.objects.filter(bad=True)
    assert BadReviewFollowUp.objects.filter(rating__in=bad).count() == bad.count() == first["bad"]
    # The figures count everything not excluded
    figures = selectors.figures(demo, year=2026)
    assert figures.total.total == Rating.objects.filter(excluded=False).count()
    # Idempotent
    assert build_ratings_demo(demo) == {"ratings": 0, "bad": 0, "answered": 0, "appeals": 0}
    assert Rating.objects.count() == 12
