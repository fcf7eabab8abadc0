"""Ratings at the same moment, on PostgreSQL: one link used by several tabs at once makes one
rating; several counter ratings of one case make one; both bad reviews open one follow-up.

The threads start at a barrier so the requests meet in the database; each uses its own
connection (closed at the end).
"""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from django.db import connection

from fazhi.services.models.ratings import BadReviewFollowUp, Rating, RatingToken
from fazhi.services.services import ratings as services
from fazhi.services.tests.test_ratings_setup import (  # noqa: F401 - fixtures
    concluded_case,
    schedule_fixture,
    token_of,
    world_fixture,
)
from fazhi.testing.concurrency import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
RATED_ON = date(2026, 9, 30)


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent ratings are tested on PostgreSQL")


def test_one_link_used_by_ten_tabs_at_once_rates_once(world):
    case, links = concluded_case(world)
    token = token_of(links["online"])
    calls = [
        (
            lambda level=level: services.rating_submit(
                channel="online", token=token, level=level, on=RATED_ON
            )
        )
        for level in (4, 5) * 5
    ]
    results, errors = run_together(calls)
    assert len(results) == 1
    assert Counter(e.code for e in errors) == {"rating_link_used": 9}
    assert all(e.status == 410 for e in errors)
    assert Rating.objects.filter(case=case).count() == 1
    assert BadReviewFollowUp.objects.count() == 1
    assert RatingToken.objects.get(case=case, channel="online").used_at is not None


def test_counter_ratings_of_one_case_at_once_make_one(world):
    case, _links = concluded_case(world)
    calls = [
        (
            lambda who=who: services.rating_submit(
                channel="counter", case=case, actor=world[who], level=5, on=RATED_ON
            )
        )
        for who in ("clerk", "head", "liaison", "officer", "other_clerk", "other_head") * 2
    ]
    results, errors = run_together(calls)
    assert len(results) == 1
    assert Counter(e.code for e in errors) == {"already_rated": 11}
    assert all(e.status == 409 for e in errors)
    assert Rating.objects.filter(case=case, channel="counter").count() == 1
    assert BadReviewFollowUp.objects.count() == 1
