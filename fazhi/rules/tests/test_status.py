"""Derived status badges on the days around the evaluation start and `valid_until`."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fazhi.rules.models import NormativeDocument
from fazhi.rules.status import Badge, badge, months_before


def issued(office, valid_until=date(2031, 6, 30), state="issued"):
    return NormativeDocument(
        agency=office["agency"],
        department=office["section"],
        title="t",
        state=state,
        published_on=date(2026, 6, 1),
        effective_on=date(2026, 7, 1),
        valid_until=valid_until,
        created_by=office["clerk"],
    )


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 6, 1), Badge.IN_FORCE),
        (date(2030, 12, 29), Badge.IN_FORCE),  # the day before evaluation starts
        (date(2030, 12, 30), Badge.EXPIRING),  # six months before 2031-06-30
        (date(2031, 6, 30), Badge.EXPIRING),  # the last valid day
        (date(2031, 7, 1), Badge.EXPIRED),  # the day after
    ],
)
def test_badges_around_evaluation_and_expiry(office, today, expected):
    assert badge(issued(office), today) == expected


def test_repeal_and_revision_win_from_the_newer_documents_publication(office):
    document = issued(office)
    assert badge(document, date(2027, 1, 1), superseding={"repeals": date(2027, 1, 2)}) == (
        Badge.IN_FORCE
    )
    assert badge(document, date(2027, 1, 2), superseding={"repeals": date(2027, 1, 2)}) == (
        Badge.REPEALED
    )
    assert badge(document, date(2027, 1, 2), superseding={"revises": date(2027, 1, 2)}) == (
        Badge.REVISED
    )


def test_no_badge_before_publication(office):
    draft = issued(office, state="drafting")
    assert badge(draft, date(2027, 1, 1)) is None


@given(
    st.dates(min_value=date(2001, 1, 1), max_value=date(2099, 12, 31)),
    st.integers(min_value=0, max_value=24),
)
def test_months_before_is_never_later_and_keeps_the_month_distance(day, months):
    earlier = months_before(day, months)
    assert earlier <= day
    assert (day.year * 12 + day.month) - (earlier.year * 12 + earlier.month) == months
    assert earlier.day == day.day or earlier.day >= 28


def test_a_link_to_itself_is_refused_by_the_database(office):
    from django.db import IntegrityError

    from fazhi.rules.models import DocumentLink
    from fazhi.rules.tests.test_lifecycle import draft

    document = draft(office)
    with pytest.raises(IntegrityError):
        DocumentLink.objects.create(
            source=document, target=document, kind="revises", created_by=office["clerk"]
        )


def test_superseding_dates_read_only_issued_newer_documents(office):
    from fazhi.rules.models import DocumentLink
    from fazhi.rules.status import superseding_dates
    from fazhi.rules.tests.test_lifecycle import decided, draft, issue

    old = issue(office, decided(office))
    unpublished = draft(office)
    DocumentLink.objects.create(
        source=unpublished, target=old, kind="repeals", created_by=office["clerk"]
    )
    assert superseding_dates(old) == {}
    newer = issue(office, decided(office))
    DocumentLink.objects.create(
        source=newer, target=old, kind="revises", created_by=office["clerk"]
    )
    assert superseding_dates(old) == {"revises": newer.published_on}
    assert (
        badge(old, newer.published_on + timedelta(days=1), superseding=superseding_dates(old))
        == Badge.REVISED
    )
