"""Review of issue 7's lists: the query count does not grow with the rows, for the lists and
views the area tests did not yet cover — the case list as department staff see it (scoped),
the cases API, the ID-card lookup (a person's cases and appointments), the bad-review
follow-ups worklist (the ratings list filtered to open follow-ups and to pending appeals), the
ratings and appeals API, the centers API and the appointments day-list API.

Each list starts with one row (an empty list rightly skips its joins), is read once to warm
the caches, then grows; the count of queries must stay the same (assert_constant_queries).
"""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from fazhi.services.services import cases as case_services
from fazhi.services.services import centers as center_services
from fazhi.services.services import rating_followups as followups
from fazhi.services.services import ratings as rating_services
from fazhi.services.tests.test_appointments_setup import MONDAY, TUESDAY, at, book, open_center
from fazhi.services.tests.test_ratings_setup import (  # noqa: F401 - fixtures
    concluded_case,
    resident_id,
    schedule_fixture,
    token_of,
    world_fixture,
)
from fazhi.testing.clients import verified_client
from fazhi.testing.queries import assert_constant_queries

pytestmark = pytest.mark.django_db
LOOKUP_REASON = "窗口办事核验申请人身份"


def _bad_rating(world, *, appeal: bool = False):
    _case, links = concluded_case(world)
    rating = rating_services.rating_submit(
        channel="online",
        token=token_of(links["online"]),
        level=4,
        reasons=["slow"],
        comment="排队太久",
        real_name=True,
        rater_name="赵市民",
        rater_phone="13812345678",
        on=date(2026, 9, 30),
    )
    if appeal:
        followups.appeal_file(actor=world["head"], rating=rating, reason="恶意差评", evidence=[])
    return rating


def _grow_ratings(world, *, appeal: bool = False):
    def grow(n):
        for _i in range(n):
            _bad_rating(world, appeal=appeal)

    return grow


def _register(world, *, person: int, actor=None, item=None):
    return case_services.case_register(
        actor=actor or world["clerk"],
        agency=world["agency"],
        item=item or world["item"],
        channel="counter",
        applicant_kind="person",
        applicant_name="李市民",
        resident_id=resident_id(person),
        phone="13812345678",
        center=world["center"],
    )


# --- Cases ------------------------------------------------------------------------------------


def test_the_case_list_as_department_staff_see_it_keeps_its_query_count(world):
    # Department staff read their own department's cases and those they registered
    clerk = verified_client(world["other_clerk"])
    seq = iter(range(100, 200))

    def grow(n):
        for i in range(n):
            # every other case is of 社会组织管理科 (the clerk's), the rest registered by them
            if i % 2:
                _register(world, person=next(seq), actor=world["other_clerk"])
            else:
                _register(world, person=next(seq), item=world["social_item"])

    assert_constant_queries(lambda: clerk.get("/staff/services/cases/"), grow, extra_rows=8)


def test_the_cases_api_list_keeps_its_query_count(world):
    officer = verified_client(world["officer"])
    seq = iter(range(200, 300))

    def grow(n):
        for _i in range(n):
            _register(world, person=next(seq))

    assert_constant_queries(lambda: officer.get("/api/services/cases/"), grow)


def test_the_id_card_lookup_keeps_its_query_count(world):
    # One person with cases in two departments: the lookup lists them all
    clerk = verified_client(world["other_clerk"])
    items = iter([world["item"], world["social_item"]] * 20)

    def grow(n):
        for _i in range(n):
            _register(world, person=777, item=next(items))

    body = {"reason": LOOKUP_REASON, "number": resident_id(777)}
    assert_constant_queries(lambda: clerk.post("/staff/services/cases/lookup/", body), grow)
    assert_constant_queries(
        lambda: clerk.post("/api/services/cases/lookup", body, content_type="application/json"),
        grow,
    )


# --- Ratings ----------------------------------------------------------------------------------


def test_the_follow_up_worklist_keeps_its_query_count(world):
    clerk = verified_client(world["clerk"])
    assert_constant_queries(
        lambda: clerk.get("/staff/services/ratings/", {"follow_up": "open"}),
        _grow_ratings(world),
        extra_rows=4,
    )


def test_the_pending_appeals_list_keeps_its_query_count(world):
    officer = verified_client(world["officer"])
    grow = _grow_ratings(world, appeal=True)
    assert_constant_queries(
        lambda: officer.get("/staff/services/ratings/", {"appeal": "pending"}), grow, extra_rows=3
    )
    assert_constant_queries(
        lambda: officer.get("/api/services/ratings/appeals"), grow, extra_rows=3
    )


def test_the_ratings_api_list_keeps_its_query_count(world):
    assert_constant_queries(
        lambda: verified_client(world["clerk"]).get("/api/services/ratings/"),
        _grow_ratings(world),
        extra_rows=4,
    )


# --- Centers and appointments --------------------------------------------------------------------


def test_the_centers_api_list_keeps_its_query_count(world):
    officer = verified_client(world["officer"])
    seq = iter(range(1, 100))

    def grow(n):
        for _i in range(n):
            center_services.center_create(
                actor=world["officer"],
                agency=world["agency"],
                name=f"第{next(seq)}服务中心",
                subdistrict=world["east"],
                address="东湖路 2 号",
                morning_opens="09:00",
                morning_closes="11:30",
            )

    assert_constant_queries(lambda: officer.get("/api/services/centers/"), grow)


def test_the_day_list_api_keeps_its_query_count(bureau):
    with time_machine.travel(at(MONDAY, 8), tick=False):
        place = open_center(bureau, capacity=50)
        clerk = verified_client(bureau["clerk"])
        people = iter(range(1, 100))

        def grow(n):
            for _i in range(n):
                book(place, person=next(people), day=TUESDAY)

        url = "/api/services/appointments/"
        params = {"center": place.center.pk, "day": TUESDAY.isoformat()}
        assert_constant_queries(lambda: clerk.get(url, params), grow)
