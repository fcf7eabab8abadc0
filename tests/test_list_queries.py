"""List pages keep a constant query count however many rows they show."""

import pytest

from fazhi.core import audit
from fazhi.core.models import Membership
from fazhi.core.roles import Role
from fazhi.testing.clients import verified_client
from fazhi.testing.factories import AgencyFactory, UserFactory, user_with_role
from fazhi.testing.queries import assert_constant_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def agency():
    return AgencyFactory()


def _grow_accounts(agency):
    def grow(n):
        for _ in range(n):
            user = UserFactory(home_agency=agency)
            Membership.objects.create(user=user, agency=agency, role=Role.INSPECTOR)

    return grow


def test_account_list(agency):
    client = verified_client(user_with_role(Role.SYSADMIN, agency=agency))
    assert_constant_queries(lambda: client.get("/staff/accounts/"), _grow_accounts(agency))


def test_role_list(agency):
    client = verified_client(user_with_role(Role.SECADMIN, agency=agency))
    assert_constant_queries(lambda: client.get("/staff/roles/"), _grow_accounts(agency))


def test_audit_list():
    client = verified_client(user_with_role(Role.AUDITOR))
    assert_constant_queries(
        lambda: client.get("/staff/audit/"),
        lambda n: [audit.record("test.event", data={"i": i}) for i in range(n)],
    )


def test_organisation_page(agency):
    from fazhi.testing.factories import CommitteeFactory, DepartmentFactory, SubdistrictFactory

    client = verified_client(user_with_role(Role.LEGAL_OFFICER, agency=agency))

    def grow(n):
        for _ in range(n):
            DepartmentFactory(agency=agency)
            CommitteeFactory(subdistrict=SubdistrictFactory(agency=agency))

    assert_constant_queries(lambda: client.get("/staff/organisation/"), grow)


def test_portal_home(agency):
    from django.test import Client

    from fazhi.testing.factories import DepartmentFactory

    client = Client()
    assert_constant_queries(
        lambda: client.get("/"),
        lambda n: [DepartmentFactory(agency=AgencyFactory()) for _ in range(n)],
    )


def test_auditor_sees_own_agency_and_site_wide_events_only():
    from fazhi.core.selectors import events_for_auditor

    auditor = user_with_role(Role.AUDITOR)
    own = audit.record("test.own", agency=auditor.home_agency)
    other = audit.record("test.other", agency=AgencyFactory())
    site = audit.record("test.site")
    seen = set(events_for_auditor(auditor).values_list("seq", flat=True))
    assert own.seq in seen and site.seq in seen and other.seq not in seen


def test_inbox():
    from fazhi.core.notify.services import notify

    clerk = user_with_role(Role.CLERK)
    client = verified_client(clerk)
    assert_constant_queries(
        lambda: client.get("/staff/notifications/"),
        lambda n: [notify(recipients=[clerk], kind="test", title=f"通知{i}") for i in range(n)],
    )
