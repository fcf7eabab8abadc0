"""The ratings demo on its own: most concluded cases of the demo bureau rated once, through the
services (the counter device or the online link); bad reviews with their follow-up; built once."""

from __future__ import annotations

from datetime import date, time

import pytest
from django.contrib.auth import get_user_model

from fazhi.core.models import Event, Subdistrict
from fazhi.services.demo import build_services_demo
from fazhi.services.demo_ratings import build_ratings_demo
from fazhi.services.models import ServiceCenter, ServiceItem
from fazhi.services.models.ratings import BadReviewFollowUp, Rating
from fazhi.services.selectors import ratings as selectors
from fazhi.services.services import cases
from fazhi.services.tests.test_ratings_setup import resident_id

pytestmark = pytest.mark.django_db

NOTHING = {"ratings": 0, "bad": 0, "answered": 0, "appeals": 0}


def concluded(agency, n: int) -> tuple[list, dict]:
    """n concluded cases of 最低生活保障申请 (two in three at a center's counter, the others
    from the one-stop platform) and the rating links their conclusion issued."""
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
    made, links = [], {}
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
        case, links[case.pk] = cases.case_conclude(actor=clerk, case=case, on=day)
        made.append(case)
    return made, links


def test_the_demo_rates_most_concluded_cases_once(demo):
    build_services_demo(demo)
    made, _links = concluded(demo, 12)

    first = build_ratings_demo(demo)

    ratings = Rating.objects.filter(agency=demo)
    assert ratings.count() == first["ratings"] and 10 <= first["ratings"] <= 12
    assert set(ratings.values_list("case_id", flat=True)) <= {c.pk for c in made}
    # Cases from the platform were rated through their link; at a center mostly on the device
    channels = dict(ratings.values_list("case_id", "channel"))
    assert {channels[c.pk] for c in made if c.center_id is None and c.pk in channels} == {"online"}
    at_center = [channels[c.pk] for c in made if c.center_id and c.pk in channels]
    assert at_center.count("counter") > at_center.count("online")
    # One rating in eleven of 社会救助科 is a bad review, with its follow-up
    bad = ratings.filter(bad=True)
    assert bad.count() == first["bad"] == 1
    assert BadReviewFollowUp.objects.filter(rating__in=bad).count() == 1
    # The figures count everything not excluded
    figures = selectors.figures(demo, year=2026)
    assert figures.total.total == ratings.filter(excluded=False).count()
    # Built once: a second run rates nothing, not even the cases left unrated
    events = Event.objects.count()
    assert build_ratings_demo(demo) == NOTHING
    assert Rating.objects.count() == first["ratings"] and Event.objects.count() == events


def test_the_links_issued_at_conclusion_are_the_ones_used(demo):
    build_services_demo(demo)
    _made, links = concluded(demo, 6)

    build_ratings_demo(demo, links=links)

    online = Rating.objects.filter(agency=demo, channel="online")
    assert online.exists()
    # No link was issued again: the applicants used the ones handed over at conclusion
    assert not Event.objects.filter(verb="services.rating.link_resend").exists()


def test_without_the_links_the_online_link_is_issued_again(demo):
    build_services_demo(demo)
    concluded(demo, 6)

    build_ratings_demo(demo)

    online = Rating.objects.filter(agency=demo, channel="online").count()
    assert online and Event.objects.filter(verb="services.rating.link_resend").count() == online
