"""Fixtures of the committee affairs disclosure tests (imported by the test_committee_* modules):
the 2025–2026 holiday schedule, a bureau with its 基层政权和社区建设科, a town with a villagers'
and a residents' committee, and the people who work with them."""

from __future__ import annotations

from datetime import date

import pytest

from fazhi.core.calendar import services as calendar_services
from fazhi.core.roles import Role
from fazhi.oversight.services import committees as services
from fazhi.testing.factories import (
    AgencyFactory,
    CommitteeFactory,
    DepartmentFactory,
    SubdistrictFactory,
    user_with_role,
)


@pytest.fixture
def schedule(db):
    """2025 and 2026 as the State Council announced them (春节 2/15–2/23, 清明 4/4–4/6)."""
    calendar_services.calendar_import(years=[2025, 2026], actor_name="test")


@pytest.fixture
def bureau(schedule):
    agency = AgencyFactory(short_name="示民")
    community = DepartmentFactory(agency=agency, name=services.DEFAULT_DEPARTMENT)
    town = SubdistrictFactory(agency=agency, name="南岭镇")
    village = CommitteeFactory(subdistrict=town, name="南岭村委会", kind="villagers")
    other_village = CommitteeFactory(subdistrict=town, name="石桥村委会", kind="villagers")
    street = SubdistrictFactory(agency=agency, name="东湖街道")
    residents = CommitteeFactory(subdistrict=street, name="东湖居委会", kind="residents")
    officer = user_with_role(Role.LEGAL_OFFICER, agency=agency, display_name="王法制")
    clerk = user_with_role(Role.COMMITTEE_CLERK, agency=agency, committee=village)
    services.items_install_defaults(actor=officer, agency=agency)
    items = {
        (i.committee_kind, i.code): i
        for i in services.CommitteeDisclosureItem.objects.filter(agency=agency)
    }
    return {
        "agency": agency,
        "department": community,
        "town": town,
        "village": village,
        "other_village": other_village,
        "residents": residents,
        "officer": officer,
        "clerk": clerk,
        "leader": user_with_role(Role.LEADER, agency=agency),
        "finance": items[("villagers", "finance")],
        "items": items,
    }


def post(bureau, *, period: str, posted_on: date, item=None, committee=None, actor=None, title=""):
    return services.posting_record(
        actor=actor or bureau["clerk"],
        committee=committee or bureau["village"],
        item=item or bureau["finance"],
        period=period,
        posted_on=posted_on,
        title=title or f"{period} 财务收支公开",
        content="收入、支出明细见公开栏照片。",
    )
