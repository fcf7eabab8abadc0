"""Fixtures of the disclosure tests: the 2025–2026 holiday schedule, a bureau and its people."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from fazhi.core.calendar import services as calendar_services
from fazhi.core.roles import Role
from fazhi.disclosure import services
from fazhi.disclosure.choices import ApplicantKind, Channel, DeliveryMethod, IdDocument, InfoForm
from fazhi.testing.factories import AgencyFactory, DepartmentFactory, user_with_role

# GB 11643 and GB 32100 test vectors (domain-rules.md §5).
RESIDENT_ID = "11010519491231002X"
OTHER_RESIDENT_ID = "440524188001010014"
CREDIT_CODE = "91350100M000100Y43"
PHONE = "13812345678"


@pytest.fixture(autouse=True)
def schedule(db):
    """2025 and 2026 as the State Council announced them (春节 2/15–2/23, 国庆 10/1–10/7)."""
    calendar_services.calendar_import(years=[2025, 2026], actor_name="test")


@pytest.fixture
def office(db):
    """A bureau: the legal office handles requests, a leader approves extensions."""
    agency = AgencyFactory(short_name="示民")
    section = DepartmentFactory(agency=agency, name="社会救助科")
    return {
        "agency": agency,
        "officer": user_with_role(Role.LEGAL_OFFICER, agency=agency, display_name="王办"),
        "leader": user_with_role(Role.LEADER, agency=agency, display_name="李主任"),
        "clerk": user_with_role(Role.CLERK, agency=agency, department=section),
        "other_officer": user_with_role(Role.LEGAL_OFFICER),
    }


def person(**changes) -> services.Applicant:
    values = {
        "kind": ApplicantKind.NATURAL_PERSON,
        "name": "张三",
        "id_document": IdDocument.RESIDENT_ID,
        "id_number": RESIDENT_ID,
        "phone": PHONE,
        "address": "示例区人民路1号",
        "postal_code": "200000",
    }
    values.update(changes)
    return services.Applicant(**values)


def company(**changes) -> services.Applicant:
    values = {
        "kind": ApplicantKind.BUSINESS,
        "name": "示例商贸有限公司",
        "id_document": IdDocument.CREDIT_CODE,
        "id_number": CREDIT_CODE,
        "phone": "021-12345678",
        "contact_person": "李四",
        "email": "office@example.com",
    }
    values.update(changes)
    return services.Applicant(**values)


def registered(office, received_on=date(2026, 3, 2), applicant=None, **changes):
    """Given a request handed in at the office on `received_on`."""
    values = {
        "actor": office["officer"],
        "agency": office["agency"],
        "applicant": applicant or person(),
        "description": "2025年度本区最低生活保障资金的发放汇总情况。",
        "info_form": InfoForm.ELECTRONIC,
        "delivery": DeliveryMethod.POST,
        "channel": Channel.VISIT,
        "arrived_on": received_on,
    }
    values.update(changes)
    return services.request_register(**values)


def submitted(office, **changes):
    """Given a request submitted on the portal today."""
    values = {
        "agency": office["agency"],
        "applicant": person(),
        "description": "本局2025年度政府信息公开工作年度报告中所列行政复议案件的清单。",
        "info_form": InfoForm.ELECTRONIC,
        "delivery": DeliveryMethod.ONLINE,
        "idempotency_key": uuid.uuid4().hex,
    }
    values.update(changes)
    return services.request_submit(**values)
