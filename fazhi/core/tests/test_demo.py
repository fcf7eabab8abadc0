import pytest
from django.core.management import call_command

from fazhi.accounts.models import User
from fazhi.core.audit import verify_chain
from fazhi.core.demo import DEMO_USERS
from fazhi.core.models import Agency, Committee, Department, Membership, Subdistrict
from fazhi.core.roles import Role

pytestmark = pytest.mark.django_db


def test_demo_builds_a_civil_affairs_bureau_once(capsys):
    call_command("demo")
    first = capsys.readouterr().out
    assert "legal_officer" in first and "Fazhi-demo-2026" in first
    counts = [
        m.objects.count() for m in (Agency, Department, Subdistrict, Committee, User, Membership)
    ]
    call_command("demo", "--quiet-accounts")
    again = [
        m.objects.count() for m in (Agency, Department, Subdistrict, Committee, User, Membership)
    ]
    assert counts == again
    agency = Agency.objects.get(name="示例区民政局")
    names = set(agency.departments.values_list("name", flat=True))
    assert {"办公室（法制办）", "社会救助科", "婚姻登记处", "社会组织管理局"} <= names
    assert agency.departments.get(is_legal_office=True).name == "办公室（法制办）"
    assert agency.subdistricts.count() >= 3
    assert set(agency.committees.values_list("kind", flat=True)) == {"residents", "villagers"}


def test_one_demo_user_per_role_named_by_role_code():
    call_command("demo", "--quiet-accounts")
    assert {spec.role for spec in DEMO_USERS} == set(Role)
    for role in Role:
        user = User.objects.get(username=role.value)
        assert user.is_demo
        assert user.check_password("Fazhi-demo-2026")
        assert list(user.memberships.values_list("role", flat=True)) == [role.value]
    assert verify_chain().ok
