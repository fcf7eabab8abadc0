"""Fixtures and builders of the cases tests (imported by the other test_cases_* modules).

Centers and appointments are made with the ORM here: the appointments area builds their
services at the same time (issue 7, part 3); the cases tests need only the rows.
"""

from __future__ import annotations

from datetime import date, time

import pytest
from django.utils import timezone

from fazhi.core.identity.validators import credit_code_check_char, resident_id_check_char
from fazhi.core.roles import Role
from fazhi.services.models import (
    Appointment,
    AppointmentSlot,
    CaseChannel,
    ServiceCase,
    ServiceCenter,
)
from fazhi.services.services import cases as services
from fazhi.services.tests.conftest import published_item
from fazhi.testing.factories import DepartmentFactory, user_with_role


def resident_id(seq: int = 1, birth: str = "19800101") -> str:
    first17 = f"110105{birth}{seq % 1000:03d}"
    return first17 + resident_id_check_char(first17)


def credit_code(seq: int = 1) -> str:
    first17 = f"91110105MA{seq % 10_000_000:07d}"
    return first17 + credit_code_check_char(first17)


def bad_check_digit(number: str) -> str:
    last = number[-1]
    return number[:-1] + ("0" if last != "0" else "1")


def center_for(agency, name: str = "东湖街道社区事务受理服务中心", active: bool = True):
    # ORM, not a service: the appointments area builds the centers' services (see docstring).
    return ServiceCenter.objects.create(
        agency=agency,
        name=name,
        address="东湖路 1 号",
        morning_opens=time(9, 0),
        morning_closes=time(12, 0),
        afternoon_opens=time(13, 30),
        afternoon_closes=time(17, 0),
        active=active,
    )


def checked_in_appointment(agency, center, item, *, number: str, day: date | None = None):
    """A checked-in appointment row (the appointments area's check-in, by ORM)."""
    day = day or timezone.localdate()
    slot = AppointmentSlot.objects.create(
        agency=agency,
        center=center,
        item=item,
        day=day,
        starts_at=time(9, 0),
        ends_at=time(9, 30),
        capacity=5,
        booked=1,
    )
    appointment = Appointment(
        agency=agency,
        booking_number=f"{Appointment.objects.count() + 1:08d}",
        slot=slot,
        center=center,
        item=item,
        day=day,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        applicant_name="王小明",
        state=Appointment.State.CHECKED_IN,
        checked_in_at=timezone.now(),
    )
    appointment.resident_id = number
    appointment.phone = "13812345678"
    appointment.save()
    return appointment


@pytest.fixture(name="office")
def office_fixture(bureau):
    """The bureau with a licensing item of 社会救助科 (10/20 working days), a center, and the
    people of the cases: the relief clerk (bureau["clerk"]) and head, a clerk and head of
    社会组织管理科, a liaison, a district overseer, and the legal office of another agency."""
    agency = bureau["agency"]
    item = published_item(bureau, code="101", name="养老机构备案", kind="行政许可")
    benefit = published_item(
        bureau, code="102", name="临时救助金给付", kind="行政给付", promised_days=5,
        statutory_days=10,
    )  # fmt: skip
    relief, social = bureau["relief"], bureau["social"]
    other = bureau["other_officer"].memberships.get().agency
    return {
        **bureau,
        "item": item,
        "benefit": benefit,
        "center": center_for(agency),
        "head": user_with_role(Role.DEPARTMENT_HEAD, agency=agency, department=relief),
        "clerk2": user_with_role(Role.CLERK, agency=agency, department=relief),
        "social_clerk": user_with_role(Role.CLERK, agency=agency, department=social),
        "social_head": user_with_role(Role.DEPARTMENT_HEAD, agency=agency, department=social),
        "liaison": user_with_role(Role.LIAISON, agency=agency, department=social),
        "overseer": user_with_role(Role.DISTRICT_OVERSEER, agency=agency),
        "stranger": user_with_role(
            Role.CLERK, agency=other, department=DepartmentFactory(agency=other)
        ),
        "other_agency": other,
    }


def register(office, *, actor=None, seq: int = 1, item=None, received_on=None, **over):
    """A counter case of the relief item, registered through the service."""
    data = {
        "actor": actor or office["clerk"],
        "agency": office["agency"],
        "item": item or office["item"],
        "channel": CaseChannel.COUNTER,
        "applicant_kind": "person",
        "applicant_name": "王小明",
        "resident_id": resident_id(seq),
        "phone": "13812345678",
        "center": office["center"],
        "received_on": received_on,
    }
    data.update(over)
    return services.case_register(**data)


def decided(office, *, on: date | None = None, grant: bool = True, **over) -> ServiceCase:
    """A case taken through acceptance and review to 准予 (or 不予), all on `on`."""
    case = register(office, received_on=on, **over)
    case = services.case_accept(actor=office["clerk"], case=case, on=on)
    case = services.case_start_review(actor=office["clerk"], case=case)
    if grant:
        return services.case_grant(actor=office["head"], case=case, on=on)
    return services.case_deny(actor=office["head"], case=case, reason="不符合条件", on=on)


def test_the_builders_make_valid_numbers():
    from fazhi.core.identity.validators import validate_credit_code, validate_resident_id

    assert validate_resident_id(resident_id(7)) == resident_id(7)
    assert validate_credit_code(credit_code(7)) == credit_code(7)
