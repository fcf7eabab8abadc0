"""Fixtures: a civil affairs bureau with two sections, its legal office, a clerk, a leader."""

from __future__ import annotations

import pytest

from fazhi.core.roles import Role
from fazhi.testing.factories import AgencyFactory, DepartmentFactory, user_with_role


@pytest.fixture
def bureau(db):
    agency = AgencyFactory(short_name="示民")
    social = DepartmentFactory(agency=agency, name="社会组织管理科")
    relief = DepartmentFactory(agency=agency, name="社会救助科")
    return {
        "agency": agency,
        "social": social,
        "relief": relief,
        "officer": user_with_role(Role.LEGAL_OFFICER, agency=agency),
        "leader": user_with_role(Role.LEADER, agency=agency),
        "clerk": user_with_role(Role.CLERK, agency=agency, department=relief),
        "other_officer": user_with_role(Role.LEGAL_OFFICER),
    }


def power_data(bureau, code="1", **over):
    data = {
        "code": code,
        "name": f"最低生活保障金给付{code}",
        "kind": "行政给付",
        "basis": "《社会救助暂行办法》第九条",
        "implementing_body": "示范区民政局",
        "department": bureau["relief"].name,
        "promised_days": 10,
        "statutory_days": 20,
    }
    data.update(over)
    return data
