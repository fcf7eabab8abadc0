"""The fictional agency "示例区民政局" used by `fazhi demo`, the browser tests and benchmarks.

Shaped like a real district civil affairs bureau. Idempotent: running it again changes nothing.
Later modules add their demo records through `DEMO_BUILDERS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from fazhi.core import audit
from fazhi.core.models import Agency, Committee, Department, Membership, Subdistrict
from fazhi.core.roles import Role

AGENCY_NAME = "示例区民政局"

DEPARTMENTS = [
    ("办公室（法制办）", Department.Kind.SECTION, True),
    ("社会救助科", Department.Kind.SECTION, False),
    ("社会事务科", Department.Kind.SECTION, False),
    ("基层政权和社区建设科", Department.Kind.SECTION, False),
    ("社会组织管理局", Department.Kind.AFFILIATED, False),
    ("养老服务科", Department.Kind.SECTION, False),
    ("婚姻登记处", Department.Kind.AFFILIATED, False),
]

SUBDISTRICTS = [
    (
        "东湖街道",
        Subdistrict.Kind.STREET,
        [("东湖居委会", "residents"), ("湖滨居委会", "residents"), ("新村居委会", "residents")],
    ),
    (
        "西山街道",
        Subdistrict.Kind.STREET,
        [("西山居委会", "residents"), ("枫林居委会", "residents")],
    ),
    (
        "南岭镇",
        Subdistrict.Kind.TOWN,
        [("南岭村委会", "villagers"), ("石桥村委会", "villagers"), ("南岭镇居委会", "residents")],
    ),
    ("北塘镇", Subdistrict.Kind.TOWN, [("北塘村委会", "villagers"), ("荷花村委会", "villagers")]),
]


@dataclass(frozen=True)
class DemoUser:
    role: str
    display_name: str
    department: str | None
    committee: str | None = None


DEMO_USERS = [
    DemoUser(Role.LEGAL_OFFICER, "王法制", "办公室（法制办）"),
    DemoUser(Role.CLERK, "李经办", "社会救助科"),
    DemoUser(Role.DEPARTMENT_HEAD, "张科长", "社会救助科"),
    DemoUser(Role.LEADER, "陈局长", None),
    DemoUser(Role.LIAISON, "赵联络", "社会事务科"),
    DemoUser(Role.LEGAL_ADVISER, "周律师", None),
    DemoUser(Role.SUPERVISOR, "吴监督", None),
    DemoUser(Role.INSPECTOR, "郑评估", None),
    DemoUser(Role.SYSADMIN, "孙系统", None),
    DemoUser(Role.SECADMIN, "钱安全", None),
    DemoUser(Role.AUDITOR, "冯审计", None),
    DemoUser(Role.DISTRICT_OVERSEER, "何督察", None),
    DemoUser(Role.COMMITTEE_CLERK, "林村务", None, committee="南岭村委会"),
]

# Later modules append callables taking the demo agency.
DEMO_BUILDERS: list[Callable[[Agency], None]] = []


@transaction.atomic
def build_demo(*, password: str) -> tuple[Agency, list[str]]:
    """Create (or find) the demo agency and its users; returns the agency and created names."""
    from fazhi.accounts.models import User

    agency, created_agency = Agency.objects.get_or_create(
        code="demo-civil-affairs",
        defaults={"name": AGENCY_NAME, "short_name": "示民", "region": "示例区"},
    )
    departments = {}
    for order, (name, kind, legal) in enumerate(DEPARTMENTS):
        departments[name], _ = Department.objects.get_or_create(
            agency=agency,
            name=name,
            defaults={"kind": kind, "is_legal_office": legal, "sort_order": order},
        )
    committees_by_name = {}
    for order, (name, kind, committees) in enumerate(SUBDISTRICTS):
        subdistrict, _ = Subdistrict.objects.get_or_create(
            agency=agency, name=name, defaults={"kind": kind, "sort_order": order}
        )
        for committee_name, committee_kind in committees:
            committees_by_name[committee_name], _ = Committee.objects.get_or_create(
                agency=agency,
                subdistrict=subdistrict,
                name=committee_name,
                defaults={"kind": committee_kind},
            )
    created_users = []
    for spec in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=spec.role.value,
            defaults={"display_name": spec.display_name, "home_agency": agency, "is_demo": True},
        )
        if created:
            user.set_password(password)
            user.save()
            created_users.append(user.username)
        Membership.objects.get_or_create(
            user=user,
            agency=agency,
            role=spec.role,
            revoked_at=None,
            defaults={
                "department": departments.get(spec.department) if spec.department else None,
                "committee": committees_by_name.get(spec.committee) if spec.committee else None,
            },
        )
    if created_agency or created_users:
        audit.record(
            "demo.build",
            agency=agency,
            target=agency,
            actor_name="fazhi demo",
            data={"users": created_users},
        )
    for builder in DEMO_BUILDERS:
        builder(agency)
    return agency, created_users
