import pytest
from django.http import Http404

from fazhi.core.models import Department
from fazhi.core.roles import Role
from fazhi.core.tenancy import access, readable_agency_ids, scope, writable_agency_ids
from fazhi.testing.factories import AgencyFactory, DepartmentFactory, user_with_role

pytestmark = pytest.mark.django_db


def test_scope_keeps_to_the_users_agency():
    own, other = AgencyFactory(), AgencyFactory()
    mine = DepartmentFactory(agency=own)
    theirs = DepartmentFactory(agency=other)
    clerk = user_with_role(Role.LEGAL_OFFICER, agency=own)
    assert list(scope(clerk, Department.objects.all())) == [mine]
    assert access(clerk, Department.objects.all(), mine.pk) == mine
    with pytest.raises(Http404):
        access(clerk, Department.objects.all(), theirs.pk)


def test_missing_and_forbidden_look_the_same():
    clerk = user_with_role(Role.LEGAL_OFFICER)
    hidden = DepartmentFactory()
    for pk in (hidden.pk, 999_999, "not-a-number"):
        with pytest.raises(Http404):
            access(clerk, Department.objects.all(), pk)


def test_overseer_reads_the_region_but_never_writes():
    home = AgencyFactory(region="示例区")
    neighbour = AgencyFactory(region="示例区")
    elsewhere = AgencyFactory(region="别的区")
    overseer = user_with_role(Role.DISTRICT_OVERSEER, agency=home)
    assert readable_agency_ids(overseer) == {home.pk, neighbour.pk}
    assert elsewhere.pk not in readable_agency_ids(overseer)
    assert writable_agency_ids(overseer) == set()
    neighbour_department = DepartmentFactory(agency=neighbour)
    assert access(overseer, Department.objects.all(), neighbour_department.pk)
    with pytest.raises(Http404):
        access(overseer, Department.objects.all(), neighbour_department.pk, write=True)


def test_revoked_and_inactive_hold_nothing():
    from django.utils import timezone

    clerk = user_with_role(Role.CLERK)
    agency_id = clerk.home_agency_id
    assert readable_agency_ids(clerk) == {agency_id}
    clerk.memberships.update(revoked_at=timezone.now())
    fresh = type(clerk).objects.get(pk=clerk.pk)
    assert readable_agency_ids(fresh) == set()
    fresh.memberships.update(revoked_at=None)
    fresh = type(clerk).objects.get(pk=clerk.pk)
    fresh.is_active = False
    assert readable_agency_ids(fresh) == set()
