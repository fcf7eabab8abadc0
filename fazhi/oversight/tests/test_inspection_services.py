"""Inspections through their services: the legal office's own, and a third-party inspector who
may work only inside the contract; findings opened for the responsible department; locked on
submission; results by subdistrict."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.utils import timezone

from fazhi.core.calendar import services as calendar_services
from fazhi.core.errors import Conflict, InvalidInput, NotAllowed
from fazhi.core.files.models import StoredFile
from fazhi.core.roles import Role
from fazhi.oversight.models import Finding, Inspection, Rectification, Severity, Source
from fazhi.oversight.selectors import inspections as selectors
from fazhi.oversight.services import inspections as services
from fazhi.testing.factories import (
    AgencyFactory,
    DepartmentFactory,
    SubdistrictFactory,
    user_with_role,
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name="专项报告.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, "application/pdf")


class World:
    def __init__(self):
        today = timezone.localdate()
        self.today = today
        self.agency = AgencyFactory()
        self.assistance = DepartmentFactory(agency=self.agency, name="社会救助科")
        self.east = SubdistrictFactory(agency=self.agency, name="东湖街道")
        self.west = SubdistrictFactory(agency=self.agency, name="西山街道")
        self.north = SubdistrictFactory(agency=self.agency, name="北塘镇")
        self.officer = user_with_role(Role.LEGAL_OFFICER, agency=self.agency)
        self.leader = user_with_role(Role.LEADER, agency=self.agency)
        self.inspector = user_with_role(Role.INSPECTOR, agency=self.agency, display_name="郑评估")
        self.other_inspector = user_with_role(Role.INSPECTOR, agency=self.agency)
        self.contract = services.contract_save(
            actor=self.officer,
            agency=self.agency,
            organisation="某某社会工作评估中心",
            contract_number="HT-2026-01",
            scope="社会救助政策落实情况第三方检查",
            period_start=date(today.year - 1, 1, 1),
            period_end=date(today.year, 12, 31),
            subdistricts=[self.east, self.west],
            inspectors=[self.inspector],
        )

    def third_party(self, subdistrict=None, **kwargs):
        values = {
            "actor": self.inspector,
            "agency": self.agency,
            "kind": Inspection.Kind.THIRD_PARTY,
            "contract": self.contract,
            "subdistrict": subdistrict or self.east,
            "inspected_from": self.today - timedelta(days=10),
            "inspected_to": self.today - timedelta(days=2),
        }
        values.update(kwargs)
        return services.inspection_create(**values)


@pytest.fixture(autouse=True)
def schedule(db):
    calendar_services.calendar_import(years=[2025, 2026], actor_name="test")


@pytest.fixture
def world(db):
    return World()


def test_an_inspector_creates_reports_records_and_submits(world):
    inspection = world.third_party()
    assert inspection.title == "某某社会工作评估中心·东湖街道专项检查"
    services.inspection_upload_report(actor=world.inspector, inspection=inspection, upload=pdf())
    services.inspection_update(
        actor=world.inspector, inspection=inspection, score="86.5", summary="低保审核总体规范。"
    )
    photo = SimpleUploadedFile("台账.jpg", b"\xff\xd8\xff\xe0" + bytes(100), "image/jpeg")
    finding = services.inspection_record_finding(
        actor=world.inspector,
        inspection=inspection,
        title="低保复核台账不全",
        description="抽查20户，3户缺少年度复核记录。",
        department=world.assistance,
        severity=Severity.SERIOUS,
        evidence=[photo],
    )
    second = services.inspection_record_finding(
        actor=world.inspector,
        inspection=inspection,
        title="公示不及时",
        description="10月名单未按时公示。",
        department=world.assistance,
    )
    assert finding.source == Source.THIRD_PARTY
    assert finding.source_ref == f"oversight.inspection:{inspection.pk}:1"
    assert second.source_ref == f"oversight.inspection:{inspection.pk}:2"
    assert (finding.department, finding.subdistrict) == (world.assistance, world.east)
    assert finding.evidence.get().original_name == "台账.jpg"
    assert finding.rectification.state == Rectification.State.AWAITING_MEASURES
    submitted = services.inspection_submit(actor=world.inspector, inspection=inspection)
    assert submitted.state == Inspection.State.SUBMITTED
    assert submitted.score == Decimal("86.5")
    assert submitted.report.original_name == "专项报告.pdf"
    # Locked afterwards.
    with pytest.raises(Conflict):
        services.inspection_update(actor=world.inspector, inspection=submitted, score="90")
    with pytest.raises(Conflict):
        services.inspection_record_finding(
            actor=world.inspector,
            inspection=submitted,
            title="迟到的问题",
            description="x",
            department=world.assistance,
        )
    assert Finding.objects.count() == 2


def test_a_subdistrict_outside_the_contract_is_refused(world):
    with pytest.raises(NotAllowed) as refused:
        world.third_party(subdistrict=world.north)
    assert refused.value.code == "subdistrict_outside_contract"
    assert Inspection.objects.count() == 0


def test_an_inspector_not_on_the_contract_cannot_create_or_see(world):
    with pytest.raises(NotAllowed):
        world.third_party(actor=world.other_inspector)
    inspection = world.third_party()
    with pytest.raises(Http404):
        selectors.access_inspection(world.other_inspector, inspection.pk)
    with pytest.raises(NotAllowed):
        services.inspection_upload_report(
            actor=world.other_inspector, inspection=inspection, upload=pdf()
        )
    assert not selectors.contracts_for(world.other_inspector).exists()
    assert list(selectors.inspections_for(world.inspector)) == [inspection]


def test_an_inspector_never_sees_the_offices_own_inspections(world):
    own = services.inspection_create(
        actor=world.officer,
        agency=world.agency,
        kind=Inspection.Kind.ROUTINE,
        title="婚姻登记窗口日常检查",
        department=world.assistance,
        inspected_from=world.today,
        inspected_to=world.today,
    )
    assert own not in selectors.inspections_for(world.inspector)
    assert own in selectors.inspections_for(world.leader)


@pytest.mark.parametrize("score", ["101", "-1", "abc", "85.25"])
def test_a_score_out_of_range_is_refused(world, score):
    inspection = world.third_party()
    with pytest.raises(InvalidInput):
        services.inspection_update(actor=world.inspector, inspection=inspection, score=score)
    inspection.refresh_from_db()
    assert inspection.score is None


def test_dates_outside_the_contract_or_in_the_future_are_refused(world):
    with pytest.raises(InvalidInput) as early:
        world.third_party(inspected_from=date(world.today.year - 2, 6, 1))
    assert early.value.code == "outside_contract_period"
    with pytest.raises(InvalidInput) as future:
        world.third_party(inspected_to=world.today + timedelta(days=1))
    assert future.value.code == "date_in_future"


def test_a_report_must_be_pdf_or_docx(world):
    inspection = world.third_party()
    image = SimpleUploadedFile("报告.jpg", b"\xff\xd8\xff\xe0" + bytes(100), "image/jpeg")
    with pytest.raises(InvalidInput):
        services.inspection_upload_report(
            actor=world.inspector, inspection=inspection, upload=image
        )
    inspection.refresh_from_db()
    assert inspection.report is None
    assert StoredFile.objects.count() == 0


def test_submission_needs_report_score_and_summary(world):
    inspection = world.third_party()
    with pytest.raises(Conflict) as no_report:
        services.inspection_submit(actor=world.inspector, inspection=inspection)
    assert no_report.value.code == "report_required"
    services.inspection_upload_report(actor=world.inspector, inspection=inspection, upload=pdf())
    with pytest.raises(Conflict) as no_score:
        services.inspection_submit(actor=world.inspector, inspection=inspection)
    assert no_score.value.code == "score_required"
    services.inspection_update(actor=world.inspector, inspection=inspection, score=80)
    with pytest.raises(Conflict) as no_summary:
        services.inspection_submit(actor=world.inspector, inspection=inspection)
    assert no_summary.value.code == "summary_required"


def test_the_legal_office_runs_its_own_inspections_only(world):
    with pytest.raises(NotAllowed):
        services.inspection_create(
            actor=world.inspector,
            agency=world.agency,
            kind=Inspection.Kind.TARGETED,
            title="x",
            department=world.assistance,
            inspected_from=world.today,
            inspected_to=world.today,
        )
    with pytest.raises(InvalidInput) as no_unit:
        services.inspection_create(
            actor=world.officer,
            agency=world.agency,
            kind=Inspection.Kind.TARGETED,
            title="重点抽查",
            inspected_from=world.today,
            inspected_to=world.today,
        )
    assert no_unit.value.code == "unit_required"
    inspection = services.inspection_create(
        actor=world.officer,
        agency=world.agency,
        kind=Inspection.Kind.TARGETED,
        title="临时救助重点抽查",
        department=world.assistance,
        inspected_from=world.today,
        inspected_to=world.today,
        summary="抽查临时救助案卷30件。",
    )
    finding = services.inspection_record_finding(
        actor=world.officer,
        inspection=inspection,
        title="审批超时",
        description="2件超过审批时限。",
        department=world.assistance,
    )
    assert finding.source == Source.INSPECTION
    services.inspection_submit(actor=world.officer, inspection=inspection)
    with pytest.raises(NotAllowed):
        services.inspection_submit(actor=world.leader, inspection=inspection)


def test_contracts_need_inspector_accounts_of_the_agency(world):
    with pytest.raises(InvalidInput) as refused:
        services.contract_save(
            actor=world.officer,
            agency=world.agency,
            organisation="某机构",
            scope="检查",
            period_start=world.today,
            period_end=world.today,
            subdistricts=[world.east],
            inspectors=[world.leader],
        )
    assert refused.value.code == "inspector_invalid"
    with pytest.raises(NotAllowed):
        services.contract_save(
            actor=world.inspector,
            agency=world.agency,
            organisation="某机构",
            scope="检查",
            period_start=world.today,
            period_end=world.today,
            subdistricts=[world.east],
        )


def test_a_contract_cannot_drop_a_subdistrict_already_inspected(world):
    world.third_party(subdistrict=world.west)
    with pytest.raises(InvalidInput) as refused:
        services.contract_save(
            actor=world.officer,
            agency=world.agency,
            contract=world.contract,
            organisation=world.contract.organisation,
            scope=world.contract.scope,
            period_start=world.contract.period_start,
            period_end=world.contract.period_end,
            subdistricts=[world.east],
            inspectors=[world.inspector],
        )
    assert refused.value.code == "subdistrict_has_inspection"


def test_results_by_subdistrict(world):
    first = world.third_party(
        inspected_from=world.today - timedelta(days=30),
        inspected_to=world.today - timedelta(days=25),
    )
    services.inspection_upload_report(actor=world.inspector, inspection=first, upload=pdf())
    services.inspection_update(actor=world.inspector, inspection=first, score=70, summary="一般")
    services.inspection_record_finding(
        actor=world.inspector,
        inspection=first,
        title="甲",
        description="甲",
        department=world.assistance,
    )
    services.inspection_submit(actor=world.inspector, inspection=first)
    latest = world.third_party()
    services.inspection_upload_report(actor=world.inspector, inspection=latest, upload=pdf())
    services.inspection_update(actor=world.inspector, inspection=latest, score="91.5", summary="好")
    services.inspection_record_finding(
        actor=world.inspector,
        inspection=latest,
        title="乙",
        description="乙",
        department=world.assistance,
    )
    services.inspection_submit(actor=world.inspector, inspection=latest)
    draft = world.third_party(subdistrict=world.west)
    services.inspection_update(actor=world.inspector, inspection=draft, score=10)
    rows = {r.subdistrict.name: r for r in selectors.results_by_subdistrict(world.agency.pk)}
    east = rows["东湖街道"]
    assert (east.latest, east.latest.score, east.inspections) == (latest, Decimal("91.5"), 2)
    assert (east.findings, east.open, east.closed) == (2, 2, 0)
    # A draft is not a result.
    assert rows["西山街道"].latest is None
    assert rows["北塘镇"].inspections == 0
