"""Inspections through the API, at /api/oversight/inspections/.

Contracts (legal office writes; leaders and oversight read; an inspector reads their own),
inspections (the legal office's own; a third-party inspector's for a subdistrict of their
contract), the special report (multipart `file`), findings (JSON, evidence as ids uploaded first
to /api/files with purpose `oversight_inspection_evidence`), submission, and the results by
subdistrict. The same services as the pages; errors in the shape of fazhi.api.api.
"""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status
from pydantic import Field

from fazhi.accounts.models import User
from fazhi.api.inputs import ApiIn, Day, Text
from fazhi.api.pagination import paginate
from fazhi.core.errors import InvalidInput
from fazhi.core.files.models import StoredFile
from fazhi.core.models import Agency, Department, Subdistrict
from fazhi.core.roles import Role
from fazhi.core.tenancy import agencies_with_role, writable_agency_ids
from fazhi.oversight.models import Inspection, Severity
from fazhi.oversight.selectors import inspections as selectors
from fazhi.oversight.selectors.visits import all_reading_agency_ids
from fazhi.oversight.services import inspections as services

router = Router(tags=["监督：检查"])
_ID = re.compile(r"[0-9]{1,18}")


def _id(text) -> int | None:
    return int(text) if _ID.fullmatch(str(text or "")) else None


def _year(value) -> int | None:
    """A filter year, or 422: `__year` lookups raise on years outside 1–9999."""
    if value in (None, ""):
        return None
    text = str(value)
    if not re.fullmatch(r"[0-9]{4}", text) or int(text) < 1:
        raise InvalidInput(_("年份格式不正确。"), code="bad_year", fields=["year"])
    return int(text)


def _view(user) -> None:
    if not user.has_perm("oversight.view_inspections"):
        raise PermissionDenied


def _office(user) -> Agency:
    ids = [
        a for a in agencies_with_role(user, Role.LEGAL_OFFICER) if a in writable_agency_ids(user)
    ]
    agency = Agency.objects.filter(pk__in=ids).order_by("pk").first()
    if agency is None:
        raise PermissionDenied
    return agency


# --- Schemas -------------------------------------------------------------------------------------


class ContractOut(Schema):
    id: str
    agency: str
    organisation: str
    contract_number: str
    scope: str
    period_start: dt.date
    period_end: dt.date
    subdistricts: list[dict]
    inspectors: list[str]


class ContractIn(ApiIn):
    organisation: Text = Field(..., title="第三方机构", min_length=1, max_length=200)
    contract_number: Text = Field("", title="合同编号", max_length=60)
    scope: Text = Field(..., title="检查内容", min_length=1, max_length=5000)
    period_start: Day = Field(..., title="服务期开始")
    period_end: Day = Field(..., title="服务期结束")
    subdistricts: list[str] = Field(..., title="检查街道/镇", max_length=200)
    inspectors: list[str] = Field([], title="机构人员账号", description="用户名", max_length=50)


class FileOut(Schema):
    id: str
    name: str
    size: int
    download_url: str


class FindingOut(Schema):
    id: str
    title: str
    description: str
    severity: str
    department: str
    department_name: str
    state: str
    state_label: str
    due_on: dt.date | None
    evidence: list[FileOut]


class InspectionSummary(Schema):
    id: str
    agency: str
    kind: str
    kind_label: str
    title: str
    contract: str | None
    subdistrict: str | None
    subdistrict_name: str
    department: str | None
    department_name: str
    inspected_from: dt.date
    inspected_to: dt.date
    score: str | None
    state: str
    state_label: str
    submitted_at: dt.datetime | None


class InspectionOut(InspectionSummary):
    summary: str
    report: FileOut | None
    findings: list[FindingOut]


class InspectionPage(Schema):
    items: list[InspectionSummary]
    next_cursor: str | None


class InspectionIn(ApiIn):
    kind: Text = Field(..., title="检查类型", max_length=12)
    title: Text = Field("", title="名称", max_length=200)
    contract: Text = Field("", title="合同", max_length=20)
    subdistrict: Text = Field("", title="街道/镇", max_length=20)
    department: Text = Field("", title="被检查单位", max_length=20)
    inspected_from: Day = Field(..., title="检查开始日期")
    inspected_to: Day = Field(..., title="检查结束日期")
    summary: Text = Field("", title="检查情况", max_length=20000)
    score: Text = Field("", title="得分", max_length=10)


class InspectionUpdateIn(ApiIn):
    title: Text | None = Field(None, title="名称", max_length=200)
    inspected_from: Day | None = Field(None, title="检查开始日期")
    inspected_to: Day | None = Field(None, title="检查结束日期")
    summary: Text | None = Field(None, title="检查情况", max_length=20000)
    score: Text | None = Field(None, title="得分", max_length=10)


class FindingIn(ApiIn):
    title: Text = Field(..., title="问题", min_length=1, max_length=200)
    description: Text = Field(..., title="问题描述", min_length=1, max_length=5000)
    severity: Text = Field(Severity.GENERAL, title="严重程度", max_length=10)
    department: Text = Field(..., title="责任单位", max_length=20)
    legal_basis: Text = Field("", title="依据", max_length=2000)
    evidence: list[str] = Field(
        [], title="证据材料", max_length=10, description="/api/files 的文件 id"
    )


class ListQuery(Schema):
    kind: str = ""
    state: str = ""
    subdistrict: str = ""
    contract: str = ""
    year: str = ""
    cursor: str = ""
    limit: str = ""


class ResultOut(Schema):
    subdistrict: str
    subdistrict_name: str
    latest_score: str | None
    latest_inspection: str | None
    latest_inspected_to: dt.date | None
    inspections: int
    findings: int
    open: int
    closed: int


# --- Output --------------------------------------------------------------------------------------


def _file(f) -> dict:
    return {
        "id": str(f.pk),
        "name": f.original_name,
        "size": f.size,
        "download_url": reverse("files:download", args=[f.pk]),
    }


def _contract(c) -> dict:
    return {
        "id": str(c.pk),
        "agency": c.agency.code,
        "organisation": c.organisation,
        "contract_number": c.contract_number,
        "scope": c.scope,
        "period_start": c.period_start,
        "period_end": c.period_end,
        "subdistricts": [{"id": str(s.pk), "name": s.name} for s in c.subdistricts.all()],
        "inspectors": [u.username for u in c.inspectors.all()],
    }


def _summary(i) -> dict:
    return {
        "id": str(i.pk),
        "agency": i.agency.code,
        "kind": i.kind,
        "kind_label": str(i.get_kind_display()),
        "title": i.title,
        "contract": str(i.contract_id) if i.contract_id else None,
        "subdistrict": str(i.subdistrict_id) if i.subdistrict_id else None,
        "subdistrict_name": i.subdistrict.name if i.subdistrict_id else "",
        "department": str(i.department_id) if i.department_id else None,
        "department_name": i.department.name if i.department_id else "",
        "inspected_from": i.inspected_from,
        "inspected_to": i.inspected_to,
        "score": str(i.score) if i.score is not None else None,
        "state": i.state,
        "state_label": str(i.get_state_display()),
        "submitted_at": i.submitted_at,
    }


def _out(user, inspection_id) -> dict:
    i = selectors.access_inspection(user, inspection_id)
    findings = []
    for f in selectors.findings_of(i):
        r = getattr(f, "rectification", None)
        findings.append(
            {
                "id": str(f.pk),
                "title": f.title,
                "description": f.description,
                "severity": f.severity,
                "department": str(f.department_id),
                "department_name": f.department.name,
                "state": r.state if r else "",
                "state_label": str(r.get_state_display()) if r else "",
                "due_on": r.due_on if r else None,
                "evidence": [_file(e) for e in f.evidence.all()],
            }
        )
    return {
        **_summary(i),
        "summary": i.summary,
        "report": _file(i.report) if i.report_id else None,
        "findings": findings,
    }


def _of(model, agency_id, value, message, code):
    if value in (None, ""):
        return None
    found = model.objects.filter(agency_id=agency_id, pk=_id(value)).first()
    if found is None:
        raise InvalidInput(message, code=code)
    return found


# --- Contracts -----------------------------------------------------------------------------------


def _contract_values(agency, body: ContractIn) -> dict:
    subdistricts = list(
        Subdistrict.objects.filter(agency=agency, pk__in=[_id(s) for s in body.subdistricts])
    )
    if len(subdistricts) != len(set(body.subdistricts)):
        raise InvalidInput(_("请选择本机关的街道/镇。"), code="subdistrict_invalid")
    inspectors = list(User.objects.filter(username__in=body.inspectors))
    if len(inspectors) != len(set(body.inspectors)):
        raise InvalidInput(_("账号不存在。"), code="user_unknown")
    return {
        "organisation": body.organisation,
        "contract_number": body.contract_number,
        "scope": body.scope,
        "period_start": body.period_start,
        "period_end": body.period_end,
        "subdistricts": subdistricts,
        "inspectors": inspectors,
    }


@router.get("/contracts/", response=list[ContractOut], url_name="oversight_inspection_contracts")
def contract_list(request):
    _view(request.user)
    return [
        _contract(c) for c in selectors.contracts_for(request.user).order_by("-period_start", "pk")
    ]


@router.post(
    "/contracts/", response={201: ContractOut}, url_name="oversight_inspection_contract_add"
)
def contract_add(request, body: ContractIn):
    agency = _office(request.user)
    contract = services.contract_save(
        actor=request.user, agency=agency, **_contract_values(agency, body)
    )
    return Status(201, _contract(selectors.access_contract(request.user, contract.pk)))


@router.get(
    "/contracts/{contract_id}", response=ContractOut, url_name="oversight_inspection_contract"
)
def contract_detail(request, contract_id: str):
    _view(request.user)
    return _contract(selectors.access_contract(request.user, _id(contract_id)))


@router.put(
    "/contracts/{contract_id}",
    response=ContractOut,
    url_name="oversight_inspection_contract_update",
)
def contract_update(request, contract_id: str, body: ContractIn):
    contract = selectors.access_contract(request.user, _id(contract_id))
    agency = _office(request.user)
    if contract.agency_id != agency.pk:
        raise PermissionDenied
    services.contract_save(
        actor=request.user, agency=agency, contract=contract, **_contract_values(agency, body)
    )
    return _contract(selectors.access_contract(request.user, contract.pk))


# --- Results -------------------------------------------------------------------------------------


@router.get("/results/", response=list[ResultOut], url_name="oversight_inspection_results")
def results(request, agency: str = "", year: int | None = None):
    """Per subdistrict: the latest score, inspections, findings open and closed."""
    if not request.user.has_perm("oversight.view_inspection_results"):
        raise PermissionDenied
    ids = all_reading_agency_ids(request.user)
    agency_id = _id(agency) if agency else min(ids)
    if agency_id not in ids:
        raise Http404
    year = _year(year)
    return [
        {
            "subdistrict": str(r.subdistrict.pk),
            "subdistrict_name": r.subdistrict.name,
            "latest_score": str(r.latest.score) if r.latest else None,
            "latest_inspection": str(r.latest.pk) if r.latest else None,
            "latest_inspected_to": r.latest.inspected_to if r.latest else None,
            "inspections": r.inspections,
            "findings": r.findings,
            "open": r.open,
            "closed": r.closed,
        }
        for r in selectors.results_by_subdistrict(agency_id, year=year)
    ]


# --- Inspections ---------------------------------------------------------------------------------


@router.get("/", response=InspectionPage, url_name="oversight_inspections")
def inspection_list(request, filters: Query[ListQuery]):
    _view(request.user)
    if filters.kind and filters.kind not in Inspection.Kind.values:
        raise InvalidInput(_("检查类型不正确。"), code="bad_filter")
    if filters.state and filters.state not in Inspection.State.values:
        raise InvalidInput(_("状态不正确。"), code="bad_filter")
    limit = None
    if filters.limit:
        if not re.fullmatch(r"[0-9]{1,3}", filters.limit):
            raise InvalidInput(_("每页条数格式不正确。"), code="bad_limit")
        limit = int(filters.limit)
    page = paginate(
        selectors.inspection_list(
            request.user,
            kind=filters.kind,
            state=filters.state,
            subdistrict=_id(filters.subdistrict),
            contract=_id(filters.contract),
            year=_year(filters.year),
        ),
        cursor=filters.cursor or None,
        limit=limit,
    )
    return {"items": [_summary(i) for i in page["items"]], "next_cursor": page["next_cursor"]}


@router.post("/", response={201: InspectionOut}, url_name="oversight_inspection_create")
def inspection_create(request, body: InspectionIn):
    """The legal office's own (routine/targeted), or a third-party inspector's (contract and
    subdistrict required; a contract not theirs is 404)."""
    _view(request.user)
    user = request.user
    if body.kind == Inspection.Kind.THIRD_PARTY:
        contract = selectors.contracts_for(user).filter(pk=_id(body.contract)).first()
        if contract is None:
            raise Http404
        agency = contract.agency
    else:
        contract = None
        agency = _office(user)
    inspection = services.inspection_create(
        actor=user,
        agency=agency,
        kind=body.kind,
        title=body.title,
        contract=contract,
        subdistrict=_of(
            Subdistrict,
            agency.pk,
            body.subdistrict,
            _("请选择本机关的街道/镇。"),
            "subdistrict_invalid",
        ),
        department=_of(
            Department, agency.pk, body.department, _("请选择本机关的单位。"), "department_invalid"
        ),
        inspected_from=body.inspected_from,
        inspected_to=body.inspected_to,
        summary=body.summary,
        score=body.score or None,
    )
    return Status(201, _out(user, inspection.pk))


@router.get("/{inspection_id}", response=InspectionOut, url_name="oversight_inspection")
def inspection_detail(request, inspection_id: str):
    _view(request.user)
    return _out(request.user, _id(inspection_id))


@router.patch("/{inspection_id}", response=InspectionOut, url_name="oversight_inspection_update")
def inspection_update(request, inspection_id: str, body: InspectionUpdateIn):
    _view(request.user)
    inspection = selectors.access_inspection(request.user, _id(inspection_id))
    fields = {k: v for k, v in body.dict(exclude_unset=True).items() if v is not None}
    services.inspection_update(actor=request.user, inspection=inspection, **fields)
    return _out(request.user, inspection.pk)


@router.post(
    "/{inspection_id}/report", response=InspectionOut, url_name="oversight_inspection_report"
)
def inspection_report(request, inspection_id: str, file: File[UploadedFile]):
    """Upload the special report (multipart field `file`, PDF or DOCX)."""
    _view(request.user)
    inspection = selectors.access_inspection(request.user, _id(inspection_id))
    services.inspection_upload_report(
        actor=request.user, inspection=inspection, upload=file, request=request
    )
    return _out(request.user, inspection.pk)


@router.post(
    "/{inspection_id}/findings",
    response={201: InspectionOut},
    url_name="oversight_inspection_finding",
)
def inspection_finding(request, inspection_id: str, body: FindingIn):
    _view(request.user)
    inspection = selectors.access_inspection(request.user, _id(inspection_id))
    files = []
    for file_id in body.evidence:
        stored = StoredFile.objects.filter(pk=_id(file_id), agency_id=inspection.agency_id).first()
        if stored is None:
            raise InvalidInput(_("证据材料不存在。"), code="evidence_invalid")
        files.append(stored)
    services.inspection_record_finding(
        actor=request.user,
        inspection=inspection,
        title=body.title,
        description=body.description,
        severity=body.severity,
        department=_of(
            Department,
            inspection.agency_id,
            body.department,
            _("请选择本机关的责任单位。"),
            "department_invalid",
        ),
        legal_basis=body.legal_basis,
        evidence_files=files,
        request=request,
    )
    return Status(201, _out(request.user, inspection.pk))


@router.post(
    "/{inspection_id}/submit", response=InspectionOut, url_name="oversight_inspection_submit"
)
def inspection_submit(request, inspection_id: str):
    _view(request.user)
    inspection = selectors.access_inspection(request.user, _id(inspection_id))
    services.inspection_submit(actor=request.user, inspection=inspection)
    return _out(request.user, inspection.pk)
