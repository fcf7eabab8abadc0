"""Committee affairs disclosure (居务 / 村务公开) through the API, at /api/oversight/committees/.

Everything the pages do, through the same services and checks: items (list, install the
statutory ones, create, edit), overrides, postings (list, one, record), the import from
社区通 (`POST /postings/import`, JSON records with an `Idempotency-Key`), the results and the
summary by subdistrict, running the check for a month, and the responsible department.
Errors: 403 for a role that may not, 404 for another agency's record (or none), 409 for a
reused idempotency key, 422 for bad input — in the error shape of fazhi.api.api.
"""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import File, Form, Header, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status
from pydantic import Field

from fazhi.api.inputs import ApiIn, Day, Text
from fazhi.api.pagination import paginate
from fazhi.core.errors import InvalidInput
from fazhi.core.models import Agency, Committee, Department
from fazhi.core.tenancy import access
from fazhi.oversight import committee_periods as cp
from fazhi.oversight.models import (
    CommitteeCheckResult,
    CommitteeDisclosureItem,
    Frequency,
)
from fazhi.oversight.permissions.base import committee_ids
from fazhi.oversight.selectors import committees as selectors
from fazhi.oversight.services import committees as services

router = Router(tags=["监督：居（村）务公开"])

_ID = re.compile(r"[0-9]{1,18}")
_KEY = re.compile(r"[!-~]{16,64}")
MONTH = re.compile(r"(\d{4})-(\d{2})")


def _id(text) -> int | None:
    return int(text) if _ID.fullmatch(str(text or "")) else None


def _may_view(user) -> None:
    if not user.has_perm("oversight.view_committees"):
        raise PermissionDenied


def _office_agency(user, agency: str = "") -> Agency:
    """The agency the caller reads as legal office, leader or overseer (?agency= if several)."""
    _may_view(user)
    ids = selectors.office_agencies(user)
    if agency:
        if _id(agency) not in ids:
            raise Http404
        return Agency.objects.get(pk=_id(agency))
    if not ids:
        raise PermissionDenied
    if len(ids) > 1:
        raise InvalidInput(
            _("请用 agency 参数指明机关。"), code="agency_required", fields=["agency"]
        )
    return Agency.objects.get(pk=ids[0])


def _writing_agency(user, agency: str = "") -> Agency:
    """For the legal office's writes: its agency (the clerk's agency for a clerk's import)."""
    _may_view(user)
    from fazhi.core.roles import Role
    from fazhi.core.tenancy import agencies_with_role

    ids = sorted(set(agencies_with_role(user, Role.LEGAL_OFFICER, Role.COMMITTEE_CLERK)))
    if agency:
        if _id(agency) not in ids:
            raise Http404
        return Agency.objects.get(pk=_id(agency))
    if not ids:
        raise PermissionDenied
    if len(ids) > 1:
        raise InvalidInput(
            _("请用 agency 参数指明机关。"), code="agency_required", fields=["agency"]
        )
    return Agency.objects.get(pk=ids[0])


def _month(text: str, field: str) -> dt.date:
    match = MONTH.fullmatch(text or "")
    try:
        if match is None:
            raise ValueError
        return dt.date(int(match.group(1)), int(match.group(2)), 1)
    except ValueError:
        raise InvalidInput(_("月份格式应为 2026-02。"), code="bad_month", fields=[field]) from None


def _limit(text: str) -> int | None:
    if not text:
        return None
    if not re.fullmatch(r"[0-9]{1,3}", text):
        raise InvalidInput(_("每页条数格式不正确。"), code="bad_limit")
    return int(text)


# --- Schemas ----------------------------------------------------------------------------------


class ItemOut(Schema):
    id: str
    committee_kind: str
    code: str
    name: str
    frequency: str
    frequency_label: str
    grace_workdays: int
    basis: str
    active: bool
    order: int


class ItemIn(ApiIn):
    committee_kind: Text = Field(..., title="适用组织", description="villagers 或 residents")
    code: Text = Field(..., title="代码", max_length=40)
    name: Text = Field(..., title="公开事项", max_length=100)
    frequency: Text = Field(..., title="公开频次", description=" 、".join(Frequency.values))
    grace_workdays: int = Field(5, title="期满后宽限（工作日）", ge=1, le=30)
    basis: Text = Field("", title="依据", max_length=200)
    order: int = Field(100, title="排序", ge=0, le=999)


class ItemUpdateIn(ApiIn):
    name: Text = Field(..., title="公开事项", max_length=100)
    frequency: Text = Field(..., title="公开频次")
    grace_workdays: int = Field(..., title="期满后宽限（工作日）", ge=1, le=30)
    basis: Text = Field("", title="依据", max_length=200)
    active: bool = Field(True, title="启用")
    order: int | None = Field(None, title="排序", ge=0, le=999)


class InstallOut(Schema):
    created: int


class OverrideIn(ApiIn):
    committee: Text = Field(..., title="居委会/村委会", description="id")
    item: Text = Field(..., title="公开事项", description="id")
    frequency: Text = Field(..., title="本会公开频次", description="频次，或空字符串表示不适用")
    reason: Text = Field(..., title="理由", max_length=200)


class OverrideOut(Schema):
    id: str
    committee: str
    committee_name: str
    item: str
    item_name: str
    frequency: str
    reason: str
    decided_by: str
    decided_at: dt.datetime


class FileOut(Schema):
    id: str
    name: str
    size: int
    download_url: str


class PostingOut(Schema):
    id: str
    committee: str
    committee_name: str
    subdistrict_name: str
    item: str
    item_code: str
    item_name: str
    period_start: dt.date
    period_end: dt.date
    posted_on: dt.date
    title: str
    content: str
    source: str
    external_id: str
    files: list[FileOut]


class PostingPage(Schema):
    items: list[PostingOut]
    next_cursor: str | None


class PostingListQuery(Schema):
    committee: str = ""
    cursor: str = ""
    limit: str = ""


class ImportRecordIn(ApiIn):
    external_id: Text = Field(..., title="外部编号", max_length=80)
    subdistrict: Text = Field(..., title="街道/镇", max_length=100)
    committee: Text = Field(..., title="居村委名称", max_length=100)
    item: Text = Field(..., title="公开事项", max_length=100, description="代码或名称")
    period: Text = Field("", title="所属期间", max_length=20, description="2026-02、2026-Q1 …")
    posted_on: Day = Field(..., title="公开日期")
    title: Text = Field(..., title="标题", max_length=200)
    content: Text = Field("", title="内容", max_length=20000)


class ImportIn(ApiIn):
    records: list[ImportRecordIn] = Field(..., title="记录", max_length=services.IMPORT_MAX_ROWS)
    only_valid: bool = Field(False, title="只导入正确的行")
    agency: Text = Field(
        "", title="机关", max_length=20, description="机关 id；只属一个机关时可省略"
    )


class RowErrorOut(Schema):
    row: int
    external_id: str
    reason: str


class ImportOut(Schema):
    total: int
    imported: bool
    created: int
    existing: int
    created_ids: list[str]
    existing_ids: list[str]
    unknown_columns: list[str]
    errors: list[RowErrorOut]
    replayed: bool


class ResultOut(Schema):
    id: str
    committee: str
    committee_name: str
    subdistrict_name: str
    item_code: str
    item_name: str
    period: str
    period_label: str
    period_start: dt.date
    period_end: dt.date
    due_on: dt.date
    status: str
    status_label: str
    posted_on: dt.date | None
    posting: str | None
    finding: str | None


class ResultPage(Schema):
    items: list[ResultOut]
    next_cursor: str | None


class ResultQuery(Schema):
    agency: str = ""
    first: str = ""
    last: str = ""
    status: str = ""
    committee: str = ""
    cursor: str = ""
    limit: str = ""


class CountsOut(Schema):
    on_time: int
    late: int
    missing: int
    pending: int
    rate: float | None


class CommitteeSummaryOut(Schema):
    id: str
    name: str
    kind: str
    counts: CountsOut


class SubdistrictSummaryOut(Schema):
    name: str
    counts: CountsOut
    committees: list[CommitteeSummaryOut]


class SummaryOut(Schema):
    first: dt.date
    last: dt.date
    subdistricts: list[SubdistrictSummaryOut]
    total: CountsOut


class SummaryQuery(Schema):
    agency: str = ""
    first: str = Field(..., description="起始月份 2026-01")
    last: str = Field(..., description="截止月份 2026-12")


class CheckIn(ApiIn):
    month: Text = Field(..., title="检查月份", description="2026-02：检查在该月结束的期间")
    agency: Text = Field("", title="机关", max_length=20)


class CheckOut(Schema):
    results: int
    created: int
    changed: int
    removed: int
    findings: int
    unassigned: int
    counts: dict[str, int]


class DepartmentIn(ApiIn):
    department: Text = Field(..., title="科室", description="id")
    agency: Text = Field("", title="机关", max_length=20)


class DepartmentOut(Schema):
    setting: str
    department: str | None
    department_name: str | None


# --- Output helpers ----------------------------------------------------------------------------


def _item(i) -> dict:
    return {
        "id": str(i.pk),
        "committee_kind": i.committee_kind,
        "code": i.code,
        "name": i.name,
        "frequency": i.frequency,
        "frequency_label": str(i.get_frequency_display()),
        "grace_workdays": i.grace_workdays,
        "basis": i.basis,
        "active": i.active,
        "order": i.order,
    }


def _posting(p) -> dict:
    return {
        "id": str(p.pk),
        "committee": str(p.committee_id),
        "committee_name": p.committee.name,
        "subdistrict_name": p.committee.subdistrict.name,
        "item": str(p.item_id),
        "item_code": p.item.code,
        "item_name": p.item.name,
        "period_start": p.period_start,
        "period_end": p.period_end,
        "posted_on": p.posted_on,
        "title": p.title,
        "content": p.content,
        "source": p.source,
        "external_id": p.external_id,
        "files": [
            {
                "id": str(f.pk),
                "name": f.original_name,
                "size": f.size,
                "download_url": reverse("files:download", args=[f.pk]),
            }
            for f in p.files.all()
        ],
    }


def _period(r) -> cp.Period:
    for frequency in cp.COUNTED:
        period = cp.period_of(r.period_start, frequency)
        if period.end == r.period_end:
            return period
    return cp.Period(r.period_start, r.period_end, cp.IMMEDIATELY)


def _result(r) -> dict:
    period = _period(r)
    return {
        "id": str(r.pk),
        "committee": str(r.committee_id),
        "committee_name": r.committee.name,
        "subdistrict_name": r.subdistrict.name,
        "item_code": r.item.code,
        "item_name": r.item.name,
        "period": period.key,
        "period_label": period.label,
        "period_start": r.period_start,
        "period_end": r.period_end,
        "due_on": r.due_on,
        "status": r.status,
        "status_label": str(r.get_status_display()),
        "posted_on": r.posted_on,
        "posting": str(r.posting_id) if r.posting_id else None,
        "finding": str(r.finding_id) if r.finding_id else None,
    }


def _counts(c) -> dict:
    return {
        "on_time": c.on_time,
        "late": c.late,
        "missing": c.missing,
        "pending": c.pending,
        "rate": c.rate,
    }


# --- Items -------------------------------------------------------------------------------------


@router.get("/items", response=list[ItemOut], url_name="committee_items_list")
def item_list(request, agency: str = ""):
    """The agency's required items, by committee kind (a clerk: those of the own agency)."""
    _may_view(request.user)
    if agency or selectors.office_agencies(request.user):
        return [_item(i) for i in selectors.items(_office_agency(request.user, agency).pk)]
    ids = set(
        Committee.objects.filter(pk__in=committee_ids(request.user)).values_list(
            "agency_id", flat=True
        )
    )
    return [_item(i) for i in CommitteeDisclosureItem.objects.filter(agency_id__in=ids)]


@router.post("/items/install-defaults", response=InstallOut, url_name="committee_items_install")
def items_install(request, agency: str = ""):
    """载入法定事项 (legal office); idempotent, returns how many items were new."""
    found = _office_agency(request.user, agency)
    return {
        "created": services.items_install_defaults(
            actor=request.user, agency=found, request=request
        )
    }


@router.post("/items", response={201: ItemOut}, url_name="committee_items_create")
def item_create(request, body: ItemIn, agency: str = ""):
    found = _office_agency(request.user, agency)
    item = services.item_create(
        actor=request.user, agency=found, request=request, **body.model_dump()
    )
    return Status(201, _item(item))


@router.put("/items/{item_id}", response=ItemOut, url_name="committee_items_update")
def item_update(request, item_id: str, body: ItemUpdateIn):
    _may_view(request.user)
    item = access(request.user, CommitteeDisclosureItem.objects.all(), _id(item_id))
    item = services.item_update(actor=request.user, item=item, request=request, **body.model_dump())
    return _item(item)


# --- Overrides ---------------------------------------------------------------------------------


def _override(o) -> dict:
    return {
        "id": str(o.pk),
        "committee": str(o.committee_id),
        "committee_name": o.committee.name,
        "item": str(o.item_id),
        "item_name": o.item.name,
        "frequency": o.frequency,
        "reason": o.reason,
        "decided_by": str(o.decided_by),
        "decided_at": o.decided_at,
    }


@router.get("/overrides", response=list[OverrideOut], url_name="committee_overrides_list")
def override_list(request, agency: str = ""):
    found = _office_agency(request.user, agency)
    return [_override(o) for o in selectors.overrides(found.pk)]


@router.post("/overrides", response=OverrideOut, url_name="committee_overrides_set")
def override_set(request, body: OverrideIn):
    _may_view(request.user)
    committee = access(request.user, Committee.objects.all(), _id(body.committee))
    item = CommitteeDisclosureItem.objects.filter(
        pk=_id(body.item), agency_id=committee.agency_id
    ).first()
    if item is None:
        raise InvalidInput(_("请选择本机关的公开事项。"), code="item_invalid", fields=["item"])
    row = services.override_set(
        actor=request.user,
        committee=committee,
        item=item,
        frequency=body.frequency,
        reason=body.reason,
        request=request,
    )
    return _override(
        type(row).objects.select_related("committee", "item", "decided_by").get(pk=row.pk)
    )


# --- Postings ----------------------------------------------------------------------------------


@router.get("/postings", response=PostingPage, url_name="committee_postings_list")
def posting_list(request, filters: Query[PostingListQuery]):
    """Postings the caller may see (clerks: the own committee's), newest first."""
    _may_view(request.user)
    qs = selectors.postings(request.user)
    if filters.committee:
        qs = qs.filter(committee_id=_id(filters.committee) or 0)
    page = paginate(qs, cursor=filters.cursor or None, limit=_limit(filters.limit))
    return {"items": [_posting(p) for p in page["items"]], "next_cursor": page["next_cursor"]}


@router.post(
    "/postings/import",
    response={200: ImportOut, 201: ImportOut},
    url_name="committee_postings_import",
)
def posting_import(
    request,
    body: ImportIn,
    idempotency_key: str = Header("", alias="Idempotency-Key"),
):
    """社区通's push of postings (the same records as the CSV columns), by the platform's token
    (a user holding the legal office role, or a committee clerk for the own committee).

    `Idempotency-Key` (16–64 visible ASCII characters) is required: the same key with the same
    body answers the first answer again (`replayed: true`); with another body 409. Records are
    also idempotent on `external_id`. With a bad record nothing is imported (200, `imported:
    false`, the errors by record number) unless `only_valid`; a batch taken answers 201.
    """
    key = (idempotency_key or "").strip()
    if not _KEY.fullmatch(key):
        raise InvalidInput(
            _(
                "请提供 Idempotency-Key 请求头（16 至 64 个可见 ASCII 字符），"
                "重发同一批记录时使用同一值。"
            ),
            code="idempotency_key_required",
        )
    agency = _writing_agency(request.user, body.agency)
    records = [r.model_dump(mode="json") for r in body.records]
    answer, replayed = services.postings_import_api(
        actor=request.user,
        agency=agency,
        records=records,
        idempotency_key=key,
        only_valid=body.only_valid,
        request=request,
    )
    return Status(201 if answer["imported"] else 200, {**answer, "replayed": replayed})


@router.post("/postings", response={201: PostingOut}, url_name="committee_postings_create")
def posting_create(
    request,
    committee: Form[str],
    item: Form[str],
    posted_on: Form[dt.date],
    title: Form[str],
    period: Form[str] = "",
    content: Form[str] = "",
    files: File[list[UploadedFile]] = None,
):
    """Record a posting (multipart, so photos can come along): a clerk for the own committee
    (another committee of the agency: 403), the legal office for any."""
    _may_view(request.user)
    found = access(request.user, Committee.objects.select_related("agency"), _id(committee))
    chosen = CommitteeDisclosureItem.objects.filter(pk=_id(item), agency_id=found.agency_id).first()
    if chosen is None:
        raise InvalidInput(_("请选择本机关的公开事项。"), code="item_invalid", fields=["item"])
    posting = services.posting_record(
        actor=request.user,
        committee=found,
        item=chosen,
        period=period,
        posted_on=posted_on,
        title=title,
        content=content,
        uploads=files or (),
        request=request,
    )
    return Status(201, _posting(selectors.postings(request.user).get(pk=posting.pk)))


@router.get("/postings/{posting_id}", response=PostingOut, url_name="committee_postings_detail")
def posting_detail(request, posting_id: str):
    _may_view(request.user)
    qs = selectors.postings(request.user)
    posting = qs.filter(pk=_id(posting_id) or 0).first()
    if posting is None:
        raise Http404
    return _posting(posting)


# --- Results, summary, check -------------------------------------------------------------------


@router.get("/results", response=ResultPage, url_name="committee_results_list")
def result_list(request, filters: Query[ResultQuery]):
    found = _office_agency(request.user, filters.agency)
    if filters.status and filters.status not in CommitteeCheckResult.Status.values:
        raise InvalidInput(_("结果不正确。"), code="bad_filter", fields=["status"])
    qs = selectors.results(
        found.pk,
        first=_month(filters.first, "first") if filters.first else None,
        last=cp.period_of(_month(filters.last, "last"), cp.MONTHLY).end if filters.last else None,
        status=filters.status,
        committee_id=_id(filters.committee) if filters.committee else None,
    )
    page = paginate(qs, cursor=filters.cursor or None, limit=_limit(filters.limit))
    return {"items": [_result(r) for r in page["items"]], "next_cursor": page["next_cursor"]}


@router.get("/summary", response=SummaryOut, url_name="committee_summary")
def summary(request, filters: Query[SummaryQuery]):
    """Counts by subdistrict and committee for the periods within first..last (months)."""
    found = _office_agency(request.user, filters.agency)
    first = _month(filters.first, "first")
    last = cp.period_of(_month(filters.last, "last"), cp.MONTHLY).end
    if last < first:
        raise InvalidInput(_("截止月份不能早于起始月份。"), code="bad_range", fields=["last"])
    data = selectors.summary(found.pk, first, last)
    return {
        "first": first,
        "last": last,
        "total": _counts(data["total"]),
        "subdistricts": [
            {
                "name": row.subdistrict.name,
                "counts": _counts(row.counts),
                "committees": [
                    {
                        "id": str(c.committee.pk),
                        "name": c.committee.name,
                        "kind": c.committee.kind,
                        "counts": _counts(c.counts),
                    }
                    for c in row.committees
                ],
            }
            for row in data["rows"]
        ],
    }


@router.post("/checks", response=CheckOut, url_name="committee_checks_run")
def check_run(request, body: CheckIn):
    """Run the check for the periods ending in a month (legal office)."""
    found = _office_agency(request.user, body.agency)
    result = services.committee_check_month(
        actor=request.user, agency=found, month=_month(body.month, "month"), request=request
    )
    return {
        "results": result.results,
        "created": result.created,
        "changed": result.changed,
        "removed": result.removed,
        "findings": result.findings,
        "unassigned": result.unassigned,
        "counts": result.counts,
    }


@router.get("/department", response=DepartmentOut, url_name="committee_department_get")
def department_get(request, agency: str = ""):
    found = _office_agency(request.user, agency)
    department = services.committee_department(found)
    return {
        "setting": services.agency_settings.get(found, services.DEPARTMENT_SETTING),
        "department": str(department.pk) if department else None,
        "department_name": department.name if department else None,
    }


@router.put("/department", response=DepartmentOut, url_name="committee_department_set")
def department_set(request, body: DepartmentIn):
    found = _office_agency(request.user, body.agency)
    department = Department.objects.filter(pk=_id(body.department), agency=found).first()
    if department is None:
        raise InvalidInput(
            _("请选择本机关的科室。"), code="department_invalid", fields=["department"]
        )
    services.committee_department_set(
        actor=request.user, agency=found, department=department, request=request
    )
    return department_get(request, str(found.pk))
