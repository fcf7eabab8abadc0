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


def published_item(
    bureau,
    *,
    code: str = "101",
    name: str = "养老机构备案",
    kind: str = "行政许可",
    department=None,
    promised_days: int | None = 10,
    statutory_days: int | None = 20,
):
    """A service item whose power is in a published list and whose guide is published.

    Built through the services as the legal office would: a draft list with the one power
    (added to the current draft, or a new one), published; the item; its guide, published.
    """
    from fazhi.services.services import guides, powers

    officer = bureau["officer"]
    agency = bureau["agency"]
    department = department or bureau["relief"]
    draft = powers.current_draft(agency) or powers.power_list_start_draft(
        actor=officer, agency=agency
    )
    powers.power_create(
        actor=officer,
        power_list=draft,
        data=power_data(
            bureau,
            code,
            name=name,
            kind=kind,
            department=department.name,
            promised_days=promised_days,
            statutory_days=statutory_days,
        ),
    )
    powers.power_list_publish(actor=officer, power_list=draft)
    item = guides.item_create(
        actor=officer, agency=agency, power_code=code, name=name, department=department
    )
    guide = guides.guide_start_draft(actor=officer, item=item)
    guides.guide_update(
        actor=officer,
        guide=guide,
        data={
            "conditions": "具有本区户籍",
            "materials": [{"name": "身份证", "form": "original", "count": 1}],
            "steps": ["受理", "审查", "决定"],
            "promised_days": promised_days,
            "statutory_days": statutory_days,
            "place": "示范区社区事务受理服务中心",
            "hours": "工作日 9:00-17:00",
        },
    )
    guides.guide_publish(actor=officer, guide=guide)
    return item
