"""The three separated administrators (三员分立) and account life, through the services."""

import pytest
from django.test import Client

from fazhi.accounts import services
from fazhi.accounts.models import User
from fazhi.core.errors import Conflict, InvalidInput, NotAllowed
from fazhi.core.models import Event, Membership
from fazhi.core.roles import Role
from fazhi.testing.factories import (
    PASSWORD,
    AgencyFactory,
    CommitteeFactory,
    DepartmentFactory,
    UserFactory,
    user_with_role,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def agency():
    return AgencyFactory()


@pytest.fixture
def sysadmin(agency):
    return user_with_role(Role.SYSADMIN, agency=agency)


@pytest.fixture
def secadmin(agency):
    return user_with_role(Role.SECADMIN, agency=agency)


def test_sysadmin_creates_accounts_with_a_temporary_password(agency, sysadmin):
    user, temporary = services.user_create(
        actor=sysadmin, agency=agency, username="new.clerk", display_name="新同事"
    )
    assert user.check_password(temporary)
    assert user.must_change_password
    assert services.password_expired(user)
    assert Event.objects.filter(verb="account.create", target_id=str(user.pk)).exists()


@pytest.mark.parametrize("role", [Role.SECADMIN, Role.AUDITOR, Role.LEGAL_OFFICER, Role.LEADER])
def test_only_the_sysadmin_manages_accounts(agency, role):
    actor = user_with_role(role, agency=agency)
    with pytest.raises(NotAllowed):
        services.user_create(actor=actor, agency=agency, username="x1", display_name="x")
    assert not User.objects.filter(username="x1").exists()


def test_sysadmin_of_another_agency_cannot_touch_accounts(agency):
    outsider = user_with_role(Role.SYSADMIN)
    victim = UserFactory(home_agency=agency)
    with pytest.raises(NotAllowed):
        services.user_disable(actor=outsider, user=victim, reason="x")
    victim.refresh_from_db()
    assert victim.is_active


@pytest.mark.parametrize("role", [Role.SYSADMIN, Role.AUDITOR, Role.LEADER])
def test_only_the_secadmin_grants_roles(agency, role):
    actor = user_with_role(role, agency=agency)
    target = UserFactory(home_agency=agency)
    with pytest.raises(NotAllowed):
        services.membership_grant(actor=actor, user=target, agency=agency, role=Role.LEADER)
    assert not Membership.objects.filter(user=target).exists()


def test_secadmin_grants_and_revokes_with_events(agency, secadmin):
    target = UserFactory(home_agency=agency)
    membership = services.membership_grant(
        actor=secadmin, user=target, agency=agency, role=Role.LEADER
    )
    assert Event.objects.filter(verb="role.grant", target_id=str(target.pk)).exists()
    with pytest.raises(Conflict):
        services.membership_grant(actor=secadmin, user=target, agency=agency, role=Role.LEADER)
    with pytest.raises(InvalidInput):
        services.membership_revoke(actor=secadmin, membership=membership, reason=" ")
    services.membership_revoke(actor=secadmin, membership=membership, reason="调岗")
    membership.refresh_from_db()
    assert membership.revoked_at is not None and membership.revoked_by == secadmin
    assert Event.objects.filter(verb="role.revoke").exists()


def test_a_committee_clerk_is_granted_for_one_committee_of_the_agency(agency, secadmin):
    target = UserFactory(home_agency=agency)
    with pytest.raises(InvalidInput) as missing:
        services.membership_grant(
            actor=secadmin, user=target, agency=agency, role=Role.COMMITTEE_CLERK
        )
    assert missing.value.code == "committee_required"
    elsewhere = CommitteeFactory()
    with pytest.raises(InvalidInput) as foreign:
        services.membership_grant(
            actor=secadmin,
            user=target,
            agency=agency,
            role=Role.COMMITTEE_CLERK,
            committee=elsewhere,
        )
    assert foreign.value.code == "committee_agency"
    own = CommitteeFactory(subdistrict__agency=agency)
    membership = services.membership_grant(
        actor=secadmin, user=target, agency=agency, role=Role.COMMITTEE_CLERK, committee=own
    )
    assert membership.committee == own
    event = Event.objects.get(verb="role.grant", target_id=str(target.pk))
    assert event.data["committee"] == own.pk
    # A committee named for another role is not kept: it would scope nothing.
    other = UserFactory(home_agency=agency)
    leader = services.membership_grant(
        actor=secadmin, user=other, agency=agency, role=Role.LEADER, committee=own
    )
    assert leader.committee is None


def test_nobody_grants_themselves(agency, secadmin):
    with pytest.raises(NotAllowed):
        services.membership_grant(actor=secadmin, user=secadmin, agency=agency, role=Role.LEADER)


@pytest.mark.parametrize(
    ("held", "granted"),
    [
        (Role.CLERK, Role.AUDITOR),
        (Role.SYSADMIN, Role.SECADMIN),
        (Role.AUDITOR, Role.LEADER),
    ],
)
def test_admin_roles_are_never_combined(agency, secadmin, held, granted):
    target = user_with_role(held, agency=agency)
    with pytest.raises(InvalidInput) as exc:
        services.membership_grant(actor=secadmin, user=target, agency=agency, role=granted)
    assert exc.value.code == "separation_of_duties"


def test_department_roles_need_a_department_of_the_same_agency(agency, secadmin):
    target = UserFactory(home_agency=agency)
    with pytest.raises(InvalidInput):
        services.membership_grant(actor=secadmin, user=target, agency=agency, role=Role.CLERK)
    foreign = DepartmentFactory()
    with pytest.raises(InvalidInput):
        services.membership_grant(
            actor=secadmin, user=target, agency=agency, role=Role.CLERK, department=foreign
        )
    own = DepartmentFactory(agency=agency)
    services.membership_grant(
        actor=secadmin, user=target, agency=agency, role=Role.CLERK, department=own
    )


def test_disabling_ends_every_session(agency, sysadmin):
    clerk = user_with_role(Role.CLERK, agency=agency)
    browser = Client()
    browser.post("/accounts/login/", {"username": clerk.username, "password": PASSWORD})
    assert browser.get("/staff/").status_code == 200
    with pytest.raises(InvalidInput):
        services.user_disable(actor=sysadmin, user=clerk, reason="")
    services.user_disable(actor=sysadmin, user=clerk, reason="离职")
    assert browser.get("/staff/").status_code == 302
    with pytest.raises(Conflict):
        services.user_disable(actor=sysadmin, user=clerk, reason="离职")
    services.user_enable(actor=sysadmin, user=clerk)
    clerk.refresh_from_db()
    assert clerk.is_active


def test_reset_password_forces_a_change(agency, sysadmin):
    clerk = user_with_role(Role.CLERK, agency=agency)
    temporary = services.user_reset_password(actor=sysadmin, user=clerk)
    client = Client()
    client.post("/accounts/login/", {"username": clerk.username, "password": temporary})
    assert client.get("/staff/")["Location"] == "/accounts/password/"


def test_sysadmin_cannot_disable_themselves(sysadmin):
    with pytest.raises(NotAllowed):
        services.user_disable(actor=sysadmin, user=sysadmin, reason="x")
