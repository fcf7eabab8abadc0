"""Fixtures of the findings tests (imported by each test_findings_* module; this module holds no
tests of its own, so the other areas' tests are not affected by them).

The 2025–2026 schedule as announced (国庆 2026: 1–7 October off, Sunday 20 September and
Saturday 10 October worked), a bureau with its legal office, a leader, a section with its head
and clerk, another section, and another agency's legal office.
"""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document

from fazhi.core.calendar import services as calendar_services
from fazhi.core.roles import Role
from fazhi.oversight.models import Severity, Source
from fazhi.oversight.services import findings as services
from fazhi.testing.factories import (
    AgencyFactory,
    DepartmentFactory,
    SubdistrictFactory,
    user_with_role,
)

# The smallest valid PNG (1×1).
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def png(name="现场照片.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def docx_upload(name="整改报告.docx", text="已完成整改。") -> SimpleUploadedFile:
    document = Document()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


@pytest.fixture(name="schedule")
def schedule_fixture(db):
    calendar_services.calendar_import(years=[2025, 2026], actor_name="test")


@pytest.fixture(name="bureau")
def bureau_fixture(schedule):
    agency = AgencyFactory(short_name="示民", name="示例区民政局")
    section = DepartmentFactory(agency=agency, name="社会救助科", sort_order=1)
    other_section = DepartmentFactory(agency=agency, name="养老服务科", sort_order=2)
    street = SubdistrictFactory(agency=agency, name="东湖街道")
    return {
        "agency": agency,
        "section": section,
        "other_section": other_section,
        "street": street,
        "officer": user_with_role(Role.LEGAL_OFFICER, agency=agency, display_name="王法制"),
        "leader": user_with_role(Role.LEADER, agency=agency, display_name="陈局长"),
        "head": user_with_role(
            Role.DEPARTMENT_HEAD, agency=agency, department=section, display_name="张科长"
        ),
        "clerk": user_with_role(Role.CLERK, agency=agency, department=section),
        "other_head": user_with_role(Role.DEPARTMENT_HEAD, agency=agency, department=other_section),
        "overseer": user_with_role(Role.DISTRICT_OVERSEER, agency=agency),
        "stranger": user_with_role(Role.LEGAL_OFFICER),
    }


def opened(bureau, on=date(2026, 9, 1), severity=Severity.MINOR, title="低保审批超时", **extra):
    """Given a finding handed to 社会救助科 on `on` (minor: 10 working days)."""
    values = {
        "actor": bureau["officer"],
        "agency": bureau["agency"],
        "source": Source.COMPLAINT,
        "title": title,
        "description": "群众投诉低保申请超过法定期限未审批。",
        "department": bureau["section"],
        "severity": severity,
        "subdistrict": bureau["street"],
        "on": on,
    }
    values.update(extra)
    return services.finding_record(**values)


def rectification_of(finding):
    from fazhi.oversight.models import Rectification

    return Rectification.objects.get(finding=finding)


def submitted(bureau, finding, on=None):
    rect = rectification_of(finding)
    services.rectification_propose_measures(
        actor=bureau["head"], rectification=rect, measures="逐件复核，限时办结。", on=on
    )
    services.rectification_attach_evidence(
        actor=bureau["head"], rectification=rect, upload=docx_upload()
    )
    return services.rectification_submit_evidence(
        actor=bureau["head"], rectification=rect, completion_note="已全部办结。", on=on
    )
