"""Postings, items and overrides of committee affairs disclosure: who may record what, and the bad
input that is refused with nothing saved."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from fazhi.core.errors import InvalidInput, NotAllowed
from fazhi.core.models import Event
from fazhi.core.roles import Role
from fazhi.oversight.models import CommitteeDisclosureItem, CommitteeItemOverride, CommitteePosting
from fazhi.oversight.services import committees as services
from fazhi.oversight.tests.committee_fixtures import post
from fazhi.testing.factories import user_with_role

pytest_plugins = ["fazhi.oversight.tests.committee_fixtures"]

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f"
    b"\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00"
    b"\x00IEND\xaeB`\x82"
)


def test_statutory_items_are_installed_once_with_their_basis(bureau):
    b = bureau
    items = CommitteeDisclosureItem.objects.filter(agency=b["agency"])
    assert items.count() == len(services.STATUTORY_ITEMS) == 10
    finance = b["finance"]
    assert (finance.frequency, finance.grace_workdays) == ("monthly", 5)
    assert "第三十条" in finance.basis
    assert b["items"][("villagers", "major_matters")].frequency == "immediately"
    assert "法律未规定频次" in b["items"][("residents", "general_affairs")].basis
    # Edited by the agency, then installed again: nothing new, the edit stays
    services.item_update(
        actor=b["officer"],
        item=finance,
        name="财务收支",
        frequency="monthly",
        grace_workdays=10,
        basis=finance.basis,
        active=True,
    )
    assert services.items_install_defaults(actor=b["officer"], agency=b["agency"]) == 0
    finance.refresh_from_db()
    assert (finance.name, finance.grace_workdays) == ("财务收支", 10)
    assert items.count() == 10
    with pytest.raises(NotAllowed):
        services.items_install_defaults(actor=b["leader"], agency=b["agency"])


def test_a_clerk_records_the_own_committees_posting_with_a_photo(bureau):
    b = bureau
    photo = SimpleUploadedFile("公开栏.png", PNG, content_type="image/png")
    posting = services.posting_record(
        actor=b["clerk"],
        committee=b["village"],
        item=b["finance"],
        period="2026年2月",
        posted_on=date(2026, 3, 2),
        title="2026年2月财务收支公开",
        uploads=[photo],
    )
    assert (posting.period_start, posting.period_end) == (date(2026, 2, 1), date(2026, 2, 28))
    assert posting.source == "manual" and posting.recorded_by == b["clerk"]
    assert posting.files.count() == 1
    event = Event.objects.get(verb="oversight.committees.posting_record")
    assert event.data["period"] == "2026-02"


def test_a_clerk_may_not_post_for_another_committee(bureau):
    b = bureau
    with pytest.raises(NotAllowed):
        post(b, period="2026-02", posted_on=date(2026, 3, 2), committee=b["other_village"])
    other_agency_clerk = user_with_role(Role.COMMITTEE_CLERK)
    with pytest.raises(NotAllowed):
        post(b, period="2026-02", posted_on=date(2026, 3, 2), actor=other_agency_clerk)
    assert not CommitteePosting.objects.exists()
    # The legal office records for any committee of its agency
    post(
        b,
        period="2026-02",
        posted_on=date(2026, 3, 2),
        committee=b["other_village"],
        actor=b["officer"],
    )


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"posted_on": "tomorrow"}, "posted_in_future"),
        ({"period": "2026-Q1"}, "period_invalid"),
        ({"period": "二月"}, "period_invalid"),
        ({"posted_on": date(2026, 1, 20)}, "posted_before_period"),
        ({"title": "   "}, "title_required"),
        ({"title": "长" * 201}, "title_too_long"),
        ({"item": ("residents", "welfare_funds")}, "item_kind"),
    ],
)
def test_bad_postings_are_refused_with_nothing_saved(bureau, changes, code):
    b = bureau
    args = {
        "actor": b["clerk"],
        "committee": b["village"],
        "item": b["finance"],
        "period": "2026-02",
        "posted_on": date(2026, 3, 2),
        "title": "财务收支公开",
    }
    args.update(changes)
    if args["posted_on"] == "tomorrow":
        args["posted_on"] = timezone.localdate() + timedelta(days=1)
    if isinstance(args["item"], tuple):
        args["item"] = b["items"][args["item"]]
    with pytest.raises(InvalidInput) as caught:
        services.posting_record(**args)
    assert caught.value.code == code
    assert not CommitteePosting.objects.exists()


def test_a_future_period_is_refused(bureau):
    b = bureau
    next_month = (timezone.localdate().replace(day=28) + timedelta(days=5)).strftime("%Y-%m")
    with pytest.raises(InvalidInput) as caught:
        post(b, period=next_month, posted_on=timezone.localdate())
    assert caught.value.code in {"period_in_future", "posted_before_period"}


def test_an_immediate_item_takes_the_posted_day_as_its_period(bureau):
    b = bureau
    posting = post(
        b, period="", posted_on=date(2026, 5, 6), item=b["items"][("villagers", "major_matters")]
    )
    assert posting.period_start == posting.period_end == date(2026, 5, 6)


def test_overrides_need_a_reason_and_the_legal_office(bureau):
    b = bureau
    with pytest.raises(NotAllowed):
        services.override_set(
            actor=b["clerk"],
            committee=b["village"],
            item=b["finance"],
            frequency="quarterly",
            reason="往来少",
        )
    with pytest.raises(InvalidInput):
        services.override_set(
            actor=b["officer"],
            committee=b["village"],
            item=b["finance"],
            frequency="quarterly",
            reason=" ",
        )
    with pytest.raises(InvalidInput):
        services.override_set(
            actor=b["officer"],
            committee=b["residents"],
            item=b["finance"],
            frequency="quarterly",
            reason="往来少",
        )
    assert not CommitteeItemOverride.objects.exists()
    services.override_set(
        actor=b["officer"],
        committee=b["village"],
        item=b["finance"],
        frequency="quarterly",
        reason="往来少",
    )
    # Now the committee posts finances by quarter
    with pytest.raises(InvalidInput):
        post(b, period="2026-02", posted_on=date(2026, 3, 2))
    post(b, period="2026-Q1", posted_on=date(2026, 4, 2))
