"""Fixtures of the ratings tests (imported by each test_ratings_* module; no tests here).

The 2025–2026 schedule as announced (国庆 2026: 1–7 October off, Sunday 20 September and
Saturday 10 October worked); a bureau (示民) with its legal office, a leader, 社会救助科 with its
head, clerk and liaison, 社会组织管理科 with its head and clerk, a district overseer, a service
center in 东湖街道, a published service item of 社会救助科; another agency with its own clerk.

Concluded cases are made through the cases services (register at the counter, accept, review,
grant, conclude), so every rating test starts from a case as the counter would leave it.
"""

from __future__ import annotations

from datetime import date, time

import pytest

from fazhi.core.calendar import services as calendar_services
from fazhi.core.identity.validators import resident_id_check_char
from fazhi.core.roles import Role
from fazhi.services.models import ServiceCenter
from fazhi.services.tests.conftest import published_item
from fazhi.testing.factories import (
    AgencyFactory,
    DepartmentFactory,
    SubdistrictFactory,
    user_with_role,
)

MOBILE = "13812345678"
LANDLINE = "021-62345678"
RECORDING = "fazhi.core.notify.sms.RecordingSmsGateway"


def resident_id(seq: int = 1) -> str:
    first17 = f"31011519800101{seq:03d}"
    return first17 + resident_id_check_char(first17)


@pytest.fixture(name="schedule")
def schedule_fixture(db):
    calendar_services.calendar_import(years=[2025, 2026], actor_name="test")


def _center(agency, subdistrict, name) -> ServiceCenter:
    return ServiceCenter.objects.create(
        agency=agency,
        subdistrict=subdistrict,
        name=name,
        address="东湖路 1 号",
        morning_opens=time(9, 0),
        morning_closes=time(11, 30),
        afternoon_opens=time(13, 30),
        afternoon_closes=time(17, 0),
    )


@pytest.fixture(name="world")
def world_fixture(schedule):
    agency = AgencyFactory(short_name="示民", name="示例区民政局")
    relief = DepartmentFactory(agency=agency, name="社会救助科", sort_order=1)
    social = DepartmentFactory(agency=agency, name="社会组织管理科", sort_order=2)
    east = SubdistrictFactory(agency=agency, name="东湖街道")
    west = SubdistrictFactory(agency=agency, name="西山街道")
    other = AgencyFactory(short_name="他民", name="他区民政局")
    world = {
        "agency": agency,
        "relief": relief,
        "social": social,
        "east": east,
        "west": west,
        "center": _center(agency, east, "东湖街道社区事务受理服务中心"),
        "west_center": _center(agency, west, "西山街道社区事务受理服务中心"),
        "officer": user_with_role(Role.LEGAL_OFFICER, agency=agency, display_name="王法制"),
        "leader": user_with_role(Role.LEADER, agency=agency, display_name="陈局长"),
        "head": user_with_role(
            Role.DEPARTMENT_HEAD, agency=agency, department=relief, display_name="张科长"
        ),
        "clerk": user_with_role(
            Role.CLERK, agency=agency, department=relief, display_name="李经办"
        ),
        "liaison": user_with_role(Role.LIAISON, agency=agency, department=relief),
        "other_head": user_with_role(Role.DEPARTMENT_HEAD, agency=agency, department=social),
        "other_clerk": user_with_role(Role.CLERK, agency=agency, department=social),
        "overseer": user_with_role(Role.DISTRICT_OVERSEER, agency=agency),
        "other": other,
        "stranger": user_with_role(
            Role.CLERK, agency=other, department=DepartmentFactory(agency=other)
        ),
        "stranger_officer": user_with_role(Role.LEGAL_OFFICER, agency=other),
    }
    bureau = {"agency": agency, "officer": world["officer"], "relief": relief}
    world["item"] = published_item(bureau, code="101", name="最低生活保障申请")
    world["social_item"] = published_item(
        bureau, code="102", name="社会团体成立登记", department=social
    )
    # 社会团体成立登记 may also be applied for online (一网通办): cases without a center.
    from fazhi.services.services import guides

    world["social_item"] = guides.item_update(
        actor=world["officer"], item=world["social_item"], data={"online": True}
    )
    return world


_SEQ = {"n": 0}


def concluded_case(
    world,
    *,
    item=None,
    center="east",
    phone: str = MOBILE,
    on: date = date(2026, 9, 14),
    concluded_on: date = date(2026, 9, 28),
    conclude: bool = True,
):
    """A case of `item` received at the center on `on`, accepted that day, granted and
    concluded on `concluded_on` (through the cases services); `conclude=False` leaves it 审查中.
    Returns (case, links) — links as returned by `case_conclude` ({channel: path})."""
    from fazhi.services.services import cases

    _SEQ["n"] += 1
    item = item or world["item"]
    handler = world["other_clerk"] if item.department_id == world["social"].pk else world["clerk"]
    head = world["other_head"] if item.department_id == world["social"].pk else world["head"]
    chosen = {"east": world["center"], "west": world["west_center"], None: None}[center]
    case = cases.case_register(
        actor=world["clerk"],
        agency=world["agency"],
        item=item,
        channel="counter" if chosen else "online",
        applicant_kind="person",
        applicant_name="赵市民",
        resident_id=resident_id(_SEQ["n"] % 900 + 1),
        phone=phone,
        center=chosen,
        external_ref="" if chosen else f"YWTB-{_SEQ['n']}",
        received_on=on,
    )
    case = cases.case_accept(actor=handler, case=case, on=on)
    case = cases.case_start_review(actor=handler, case=case)
    if not conclude:
        return case, {}
    case = cases.case_grant(actor=head, case=case, on=concluded_on)
    case, links = cases.case_conclude(actor=handler, case=case, on=concluded_on)
    return case, links


def token_of(path: str) -> str:
    """The token at the end of a rating page path (/services/ratings/r/<token>/)."""
    return path.rstrip("/").rsplit("/", 1)[1]


@pytest.fixture(name="recording_sms")
def recording_sms_fixture(settings):
    from fazhi.core.notify import sms

    settings.FAZHI_SMS_GATEWAY = RECORDING
    gateway = sms.gateway()
    gateway.clear()
    yield gateway
    gateway.clear()
