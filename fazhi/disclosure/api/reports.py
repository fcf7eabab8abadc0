"""The annual report (年度报告) through the API: staff routes at /api/disclosure/reports/ and
public read routes for published reports at /api/public/disclosure/reports/.

The same services as the staff pages, with the same checks: roles without report work 403, a
report of another agency (or none) 404, a state that does not allow the step or a broken
identity 409 (the message names the cell; `detail.breaks` lists them), bad input 422 — in the
error shape of fazhi.api.api. Each step has its own route (finalise, reopen, publish); the
tables come frozen once finalised and computed live while drafted, as on the page.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from fazhi.api.inputs import ApiIn, Day, Text
from fazhi.api.pagination import paginate
from fazhi.core import workflow
from fazhi.core.errors import Conflict
from fazhi.core.tenancy import access, scope
from fazhi.disclosure import report_export, selectors, services
from fazhi.disclosure.api.requests import _handling_agency, _id, _limit
from fazhi.disclosure.models import AnnualReport
from fazhi.disclosure.services.report import due_on

router = Router(tags=["disclosure: annual reports"])
public_router = Router(auth=None, tags=["public: disclosure"])

State = AnnualReport.State
Figure = str | int | float | None


class OpenIn(ApiIn):
    agency: Text = Field("", title="机关", description="机关编号；只在一个机关办理的用户可不填")
    year: int | str = Field(..., title="年度", description="如 2025；不早于 2019，不晚于今年")


class UpdateIn(ApiIn):
    overview: Text | None = Field(None, title="一、总体情况")
    problems: Text | None = Field(None, title="五、存在的主要问题及改进情况")
    other_matters: Text | None = Field(None, title="六、其他需要报告的事项")
    manual_figures: dict[str, dict[str, Figure]] | None = Field(
        None,
        title="手工填报数据",
        description="{行: {列: 数值}}：regulations（issued、repealed、in_force）、"
        "penalty、coercion（decisions）为不小于 0 的整数；fees（amount）为万元，最多四位小数，"
        "建议以字符串传递；空字符串或 null 清除该格（行政许可由办件统计，不手工填报）",
    )
    expected_state: Text = Field("", title="预期状态", description="与当前状态不同时返回 409")


class ReopenIn(ApiIn):
    reason: Text = Field(..., title="退回理由")
    expected_state: Text = Field("", title="预期状态")


class PublishIn(ApiIn):
    published_on: Day | None = Field(None, title="公开日期", description="缺省为今天")
    expected_state: Text = Field("", title="预期状态")


class StepIn(ApiIn):
    expected_state: Text = Field("", title="预期状态")


class ListQuery(Schema):
    year: str = ""
    state: str = ""
    cursor: str = ""
    limit: str = ""


class ReportOut(Schema):
    id: str
    agency: str
    agency_code: str
    year: int
    title: str
    state: str
    state_label: str
    due_on: dt.date
    overdue: bool
    finalised_at: dt.datetime | None
    published_on: dt.date | None


class ReportDetailOut(ReportOut):
    overview: str
    problems: str
    other_matters: str
    manual_figures: dict
    # Frozen once finalised; computed from the records while drafted.
    tables_frozen: bool
    tables: dict
    available_actions: list[dict]


class ReportPage(Schema):
    items: list[ReportOut]
    next_cursor: str | None


class PublicReportOut(Schema):
    agency: str
    agency_code: str
    year: int
    title: str
    published_on: dt.date
    overview: str = ""
    problems: str = ""
    other_matters: str = ""
    tables: dict | None = None


# --- Helpers ----------------------------------------------------------------------------------


def _may_work_with_reports(user) -> None:
    if not user.has_perm("disclosure.view_reports"):
        raise PermissionDenied


def _reports_for(user):
    return scope(user, AnnualReport.objects.all()).select_related("agency")


def _read(request, report_id: str) -> AnnualReport:
    _may_work_with_reports(request.user)
    report = access(request.user, _reports_for(request.user), _id(report_id))
    if not request.user.has_perm("disclosure.view_report", report):
        raise PermissionDenied
    return report


def _check_state(report: AnnualReport, expected: str) -> None:
    if expected and report.state != expected:
        raise Conflict(
            _("报告当前为“%(state)s”，与预期不符。可能已被他人处理，请刷新。")
            % {"state": report.get_state_display()},
            code="state_changed",
        )


def _writable(request, report_id: str, expected: str) -> AnnualReport:
    _may_work_with_reports(request.user)
    report = access(request.user, _reports_for(request.user), _id(report_id), write=True)
    _check_state(report, expected)
    return report


def _out(report: AnnualReport) -> dict:
    return {
        "id": str(report.pk),
        "agency": report.agency.name,
        "agency_code": report.agency.code,
        "year": report.year,
        "title": report_export.title(report),
        "state": report.state,
        "state_label": str(report.get_state_display()),
        "due_on": due_on(report.year),
        "overdue": report.published_on is None and timezone.localdate() > due_on(report.year),
        "finalised_at": report.finalised_at,
        "published_on": report.published_on,
    }


# Each transition has its own route; the list names them.
_ROUTES = {"finalise": "finalise", "reopen": "reopen", "publish": "publish"}


def _detail(report: AnnualReport, user) -> dict:
    report = AnnualReport.objects.select_related("agency").get(pk=report.pk)
    actions = [
        {**action, "route": f"/api/disclosure/reports/{report.pk}/{_ROUTES[action['name']]}"}
        for action in workflow.available_actions(report, user)
        if action["name"] in _ROUTES
    ]
    return {
        **_out(report),
        "overview": report.overview,
        "problems": report.problems,
        "other_matters": report.other_matters,
        "manual_figures": report.manual_figures or {},
        "tables_frozen": report.state != State.DRAFT,
        "tables": selectors.report_tables(report),
        "available_actions": actions,
    }


def _file(report: AnnualReport, fmt: str) -> HttpResponse:
    from fazhi.disclosure.views.reports import download

    return download(report, fmt)


# --- Staff routes -----------------------------------------------------------------------------


@router.get("/", response=ReportPage, url_name="disclosure_reports_list")
def report_list(request, filters: Query[ListQuery]):
    """Reports of the caller's agencies, newest first; by year and state."""
    from fazhi.core.errors import InvalidInput

    _may_work_with_reports(request.user)
    reports = _reports_for(request.user)
    if filters.year:
        if not (filters.year.isascii() and filters.year.isdigit() and len(filters.year) == 4):
            raise InvalidInput(_("年度格式不正确。"), code="bad_year", fields=["year"])
        reports = reports.filter(year=int(filters.year))
    if filters.state:
        if filters.state not in State.values:
            raise InvalidInput(_("状态不存在。"), code="bad_state", fields=["state"])
        reports = reports.filter(state=filters.state)
    page = paginate(reports, cursor=filters.cursor or None, limit=_limit(filters.limit))
    return {"items": [_out(r) for r in page["items"]], "next_cursor": page["next_cursor"]}


@router.post("/", response={201: ReportDetailOut}, url_name="disclosure_reports_open")
def report_open(request, body: OpenIn):
    """Open the agency's report of a year (one per agency and year)."""
    _may_work_with_reports(request.user)
    agency = _handling_agency(request.user, body.agency)
    report = services.report_open(
        actor=request.user, agency=agency, year=body.year, http_request=request
    )
    return Status(201, _detail(report, request.user))


@router.get("/{report_id}", response=ReportDetailOut, url_name="disclosure_reports_detail")
def report_detail(request, report_id: str):
    return _detail(_read(request, report_id), request.user)


@router.patch("/{report_id}", response=ReportDetailOut, url_name="disclosure_reports_update")
def report_update(request, report_id: str, body: UpdateIn):
    """Sections 一、五、六 and the hand figures of table 二 (fields left out stay as they are)."""
    with transaction.atomic():
        report = _writable(request, report_id, body.expected_state)
        services.report_update(
            actor=request.user,
            report=report,
            overview=body.overview,
            problems=body.problems,
            other_matters=body.other_matters,
            manual_figures=body.manual_figures,
            http_request=request,
        )
    return _detail(report, request.user)


@router.post(
    "/{report_id}/finalise", response=ReportDetailOut, url_name="disclosure_reports_finalise"
)
def report_finalise(request, report_id: str, body: StepIn | None = None):
    """定稿: 409 naming the broken cell when an identity of table 三 or 四 fails."""
    with transaction.atomic():
        report = _writable(request, report_id, body.expected_state if body else "")
        services.report_finalise(actor=request.user, report=report, http_request=request)
    return _detail(report, request.user)


@router.post("/{report_id}/reopen", response=ReportDetailOut, url_name="disclosure_reports_reopen")
def report_reopen(request, report_id: str, body: ReopenIn):
    with transaction.atomic():
        report = _writable(request, report_id, body.expected_state)
        services.report_reopen(
            actor=request.user, report=report, reason=body.reason, http_request=request
        )
    return _detail(report, request.user)


@router.post(
    "/{report_id}/publish", response=ReportDetailOut, url_name="disclosure_reports_publish"
)
def report_publish(request, report_id: str, body: PublishIn | None = None):
    with transaction.atomic():
        report = _writable(request, report_id, body.expected_state if body else "")
        services.report_publish(
            actor=request.user,
            report=report,
            published_on=body.published_on if body else None,
            http_request=request,
        )
    return _detail(report, request.user)


@router.get("/{report_id}/docx", url_name="disclosure_reports_docx")
def report_docx(request, report_id: str):
    return _file(_read(request, report_id), "docx")


@router.get("/{report_id}/xlsx", url_name="disclosure_reports_xlsx")
def report_xlsx(request, report_id: str):
    return _file(_read(request, report_id), "xlsx")


# --- Public routes: published reports only ----------------------------------------------------


class PublicQuery(Schema):
    agency: str = Field("", description="机关代码；同一年度有多个机关的报告时必填")


def _published(year: int, agency_code: str) -> AnnualReport:
    if not 2000 <= year <= 9999 or "\x00" in agency_code:
        raise Http404
    reports = AnnualReport.objects.filter(state=State.PUBLISHED, year=year).select_related("agency")
    if agency_code:
        reports = reports.filter(agency__code=agency_code[:40])
    found = list(reports[:2])
    if len(found) != 1:
        raise Http404
    return found[0]


def _public(report: AnnualReport, *, full: bool) -> dict:
    out = {
        "agency": report.agency.name,
        "agency_code": report.agency.code,
        "year": report.year,
        "title": report_export.title(report),
        "published_on": report.published_on,
    }
    if full:
        out.update(
            overview=report.overview,
            problems=report.problems,
            other_matters=report.other_matters,
            tables=selectors.report_tables(report),
        )
    return out


@public_router.get("/", response=list[PublicReportOut], url_name="public_disclosure_reports")
def public_reports(request):
    """Every published annual report, newest first (without their texts and tables)."""
    reports = AnnualReport.objects.filter(state=State.PUBLISHED).select_related("agency")
    return [_public(r, full=False) for r in reports.order_by("-year", "agency__name")]


@public_router.get("/{year}", response=PublicReportOut, url_name="public_disclosure_report")
def public_report(request, year: int, query: Query[PublicQuery]):
    """A published report with its sections and tables; 404 when none (or several agencies
    published one that year and `agency` is not given)."""
    return _public(_published(year, query.agency), full=True)


@public_router.get("/{year}/docx", url_name="public_disclosure_report_docx")
def public_report_docx(request, year: int, query: Query[PublicQuery]):
    return _file(_published(year, query.agency), "docx")


@public_router.get("/{year}/xlsx", url_name="public_disclosure_report_xlsx")
def public_report_xlsx(request, year: int, query: Query[PublicQuery]):
    return _file(_published(year, query.agency), "xlsx")
