"""factory-boy factories for core and accounts. Domain apps keep theirs in <app>/tests/."""

from __future__ import annotations

import factory
from django.utils import timezone

from fazhi.accounts.models import User
from fazhi.core.models import Agency, Committee, Department, Membership, Subdistrict
from fazhi.core.roles import COMMITTEE_ROLES, DEPARTMENT_ROLES, Role

PASSWORD = "Test-pass-2026!"  # noqa: S105 - test accounts only


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"测试区第{n}局")
    code = factory.Sequence(lambda n: f"agency-{n}")
    short_name = "测"
    region = "测试区"


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    agency = factory.SubFactory(AgencyFactory)
    name = factory.Sequence(lambda n: f"第{n}科")


class SubdistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subdistrict

    agency = factory.SubFactory(AgencyFactory)
    name = factory.Sequence(lambda n: f"第{n}街道")


class CommitteeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Committee

    subdistrict = factory.SubFactory(SubdistrictFactory)
    agency = factory.SelfAttribute("subdistrict.agency")
    name = factory.Sequence(lambda n: f"第{n}居委会")
    kind = Committee.Kind.RESIDENTS


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    home_agency = factory.SubFactory(AgencyFactory)
    password_changed_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or PASSWORD)
        if create:
            self.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    agency = factory.SelfAttribute("user.home_agency")
    role = Role.CLERK
    department = factory.LazyAttribute(
        lambda o: DepartmentFactory(agency=o.agency) if o.role in DEPARTMENT_ROLES else None
    )
    committee = factory.LazyAttribute(
        lambda o: (
            CommitteeFactory(subdistrict__agency=o.agency) if o.role in COMMITTEE_ROLES else None
        )
    )


def user_with_role(
    role: str, *, agency: Agency | None = None, department=None, committee=None, **kwargs
) -> User:
    """A user holding `role` in `agency` (a new agency when omitted)."""
    agency = agency or AgencyFactory()
    user = UserFactory(home_agency=agency, **kwargs)
    if role in DEPARTMENT_ROLES and department is None:
        department = DepartmentFactory(agency=agency)
    if role in COMMITTEE_ROLES and committee is None:
        committee = CommitteeFactory(subdistrict__agency=agency)
    MembershipFactory(
        user=user, agency=agency, role=role, department=department, committee=committee
    )
    return user
