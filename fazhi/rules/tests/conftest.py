from datetime import timedelta

import pytest
from django.utils import timezone

from fazhi.core.roles import Role
from fazhi.testing.factories import AgencyFactory, DepartmentFactory, user_with_role


@pytest.fixture
def office(db):
    """A bureau with a drafting section, its clerk, and the legal office."""
    agency = AgencyFactory(short_name="示民")
    section = DepartmentFactory(agency=agency, name="社会救助科")
    return {
        "agency": agency,
        "section": section,
        "clerk": user_with_role(Role.CLERK, agency=agency, department=section),
        "officer": user_with_role(Role.LEGAL_OFFICER, agency=agency),
        "leader": user_with_role(Role.LEADER, agency=agency),
    }


def days_ago(n: int):
    return timezone.localdate() - timedelta(days=n)
