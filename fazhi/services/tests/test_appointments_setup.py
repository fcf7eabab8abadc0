"""What the appointment tests build on, built through the services: the 2026 calendar, a center
with a morning and an afternoon session, a bookable item, people with valid ID numbers.

The tests travel to MONDAY (2026年9月28日) at 08:00: working days follow the 2026 schedule, so
9月30日 is the last working day before 国庆节 (10月1日–7日 off) and Saturday 10月10日 is worked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from fazhi.core.calendar import is_workday
from fazhi.core.calendar import services as calendar_services
from fazhi.core.identity.kinds import Kind, validate
from fazhi.core.identity.validators import resident_id_check_char
from fazhi.services.models import CenterItem, ServiceCenter, ServiceItem
from fazhi.services.services import appointments, centers
from fazhi.services.tests.conftest import published_item
from fazhi.testing.factories import SubdistrictFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = date(2026, 9, 28)
TUESDAY = date(2026, 9, 29)
WEDNESDAY = date(2026, 9, 30)
NATIONAL_DAY = date(2026, 10, 1)
WORKED_SATURDAY = date(2026, 10, 10)


def at(day: date, hour: int = 8, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI)


def resident_id(n: int) -> str:
    """A valid resident ID number for person `n` (born 1980–1999, check digit computed)."""
    first17 = f"110105{1980 + n // 1000 % 20}0101{n % 1000:03d}"
    return first17 + resident_id_check_char(first17)


def mobile(n: int) -> str:
    return f"139{n:08d}"


@dataclass
class World:
    bureau: dict
    center: ServiceCenter
    item: ServiceItem
    center_item: CenterItem

    @property
    def officer(self):
        return self.bureau["officer"]

    @property
    def agency(self):
        return self.bureau["agency"]


def load_calendar() -> None:
    calendar_services.calendar_import(years=[2026], actor_name="test")


def open_center(
    bureau,
    *,
    name: str = "示范街道社区事务受理服务中心",
    capacity: int = 5,
    slot_minutes: int = 30,
    days_ahead: int = 10,
    item: ServiceItem | None = None,
    code: str = "201",
) -> World:
    """A center open 09:00–11:30 and 13:30–17:00 taking one bookable item."""
    load_calendar()
    officer = bureau["officer"]
    item = item or published_item(bureau, code=code, name=f"最低生活保障申请{code}")
    center = centers.center_create(
        actor=officer,
        agency=bureau["agency"],
        name=name,
        subdistrict=SubdistrictFactory(agency=bureau["agency"], name=f"{name}街道"),
        address="示范路 1 号",
        phone="021-12345678",
        morning_opens="09:00",
        morning_closes="11:30",
        afternoon_opens="13:30",
        afternoon_closes="17:00",
        booking_days_ahead=days_ahead,
    )
    center_item = centers.center_item_add(
        actor=officer, center=center, item=item, slot_minutes=slot_minutes, capacity=capacity
    )
    return World(bureau, center, item, center_item)


def book(world: World, *, day: date = TUESDAY, start="09:00", person: int = 1, now=None, **over):
    """A citizen books through the service (as the portal form does)."""
    values = {
        "center": world.center,
        "item": world.item,
        "day": day,
        "starts_at": start,
        "applicant_name": f"市民{person}",
        "resident_id": resident_id(person),
        "phone": mobile(person),
        "now": now or at(MONDAY),
    }
    values.update(over)
    return appointments.appointment_book(**values)


# --- The setup itself -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_world_is_what_the_tests_assume(bureau):
    world = open_center(bureau)
    assert world.center.sessions() == [(time(9), time(11, 30)), (time(13, 30), time(17))]
    assert len(world.center_item.slot_times()) == 5 + 7
    assert [is_workday(d) for d in (MONDAY, WEDNESDAY, NATIONAL_DAY, WORKED_SATURDAY)] == [
        True,
        True,
        False,
        True,
    ]
    people = [resident_id(n) for n in (1, 2, 999, 1000, 4321)]
    assert [validate(Kind.RESIDENT_ID, p) for p in people] == people
    assert len(set(people)) == 5
