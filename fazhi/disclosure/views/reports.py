"""Staff pages of the annual report (年度报告) under /staff/disclosure/reports/: the list by
year, the report page (sections 一–六 with tables 二、三、四: live while drafted, frozen once
finalised), its steps and the DOCX / XLSX downloads.

Every POST calls one service. A refused step renders the report page again with the message
and the refusal's status (403/409/422), and nothing is written (the services are atomic).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from fazhi.core import workflow
from fazhi.core.decorators import staff_permission_required
from fazhi.core.errors import DomainError
from fazhi.core.files.names import content_disposition
from fazhi.core.forms import form_error_messages
from fazhi.core.models import Agency
from fazhi.core.roles import Role
from fazhi.core.tenancy import access, agencies_with_role, scope, writable_agency_ids
from fazhi.disclosure import report_export, selectors, services
from fazhi.disclosure.forms import reports as forms
from fazhi.disclosure.models import AnnualReport
from fazhi.disclosure.services.report import FIRST_YEAR, due_on

VIEW = "disclosure.view_reports"
READ = "disclosure.view_report"
WRITE = "disclosure.write_report"
PUBLISH = "disclosure.publish_report"

VERB_LABELS = {
    "disclosure.report.open": gettext_lazy("开始编制"),
    "disclosure.report.update": gettext_lazy("保存"),
}


def reports_for(user):
    return scope(user, AnnualReport.objects.all()).select_related("agency")


def office_agencies(user) -> list[Agency]:
    """Agencies where the user may open a report (the legal office, not read-only)."""
    writable = writable_agency_ids(user)
    ids = [a for a in agencies_with_role(user, Role.LEGAL_OFFICER) if a in writable]
    return list(Agency.objects.filter(pk__in=ids).order_by("name"))


def _overdue(report_year: int, published_on, today) -> bool:
    return published_on is None and today > due_on(report_year)


# --- The list ----------------------------------------------------------------------------------


@staff_permission_required(VIEW)
@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    reports = list(reports_for(user).order_by("-year", "agency__name"))
    rows = [
        {
            "report": report,
            "due_on": due_on(report.year),
            "overdue": _overdue(report.year, report.published_on, today),
        }
        for report in reports
    ]
    # The reports the office may begin: last year's (due by 31 January) and this year's.
    existing = {(r.agency_id, r.year) for r in reports}
    agencies = office_agencies(user)
    openable = [
        {"agency": agency, "year": year}
        for agency in agencies
        for year in (today.year - 1, today.year)
        if year >= FIRST_YEAR and (agency.pk, year) not in existing
    ]
    return render(
        request,
        "disclosure/staff/report_list.html",
        {
            "rows": rows,
            "openable": openable,
            "several_agencies": len({r.agency_id for r in reports} | {a.pk for a in agencies}) > 1,
        },
    )


@staff_permission_required(VIEW)
@require_POST
def report_open(request: HttpRequest) -> HttpResponse:
    form = forms.OpenForm(request.POST)
    agencies = office_agencies(request.user)
    if not agencies:
        raise PermissionDenied
    if not form.is_valid():
        messages.error(request, _("年度格式不正确，请填写四位数字，如 2025。"))
        return redirect("disclosure:reports")
    chosen = form.cleaned_data.get("agency")
    agency = next((a for a in agencies if a.pk == chosen), None) if chosen else agencies[0]
    if agency is None or (not chosen and len(agencies) > 1):
        raise Http404
    try:
        report = services.report_open(
            actor=request.user, agency=agency, year=form.cleaned_data["year"], http_request=request
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("disclosure:reports")
    messages.success(request, _("已开始编制%(year)d年度报告。") % {"year": report.year})
    return redirect("disclosure:report", report_id=report.pk)


# --- The report page ---------------------------------------------------------------------------


def open_report(request: HttpRequest, report_id, *, write: bool = False) -> AnnualReport:
    """404 outside the user's agencies; 403 for a role there that does not read reports."""
    report = access(request.user, reports_for(request.user), report_id, write=write)
    if not request.user.has_perm(READ, report):
        raise PermissionDenied
    return report


def _fresh(report: AnnualReport) -> AnnualReport:
    return AnnualReport.objects.select_related("agency").filter(pk=report.pk).first() or report


def _timeline(report: AnnualReport) -> list[dict]:
    labels = {
        f"{report._meta.label_lower}.{action.name}": action.label
        for action in workflow.workflow_of(report).actions
    }
    return [
        {
            "event": event,
            "label": labels.get(event.verb) or VERB_LABELS.get(event.verb) or event.verb,
            "comment": str((event.data or {}).get("comment", "") or "")[:500],
        }
        for event in workflow.timeline(report)
    ]


def figure_rows(tables: dict, form) -> list[dict]:
    """Table 二 with, for each hand cell, the form field to type into (when editable)."""
    blocks = []
    for block in tables["two"]["blocks"]:
        rows = []
        for row in block["rows"]:
            cells = []
            for column, value in zip(block["columns"], row["values"], strict=True):
                name = forms.figure_field_name(row["key"], column["key"])
                field = form[name] if form is not None and row["manual"] else None
                cells.append({"value": value, "field": field, "label": column["label"]})
            rows.append({**row, "cells": cells})
        blocks.append({**block, "rows": rows})
    return blocks


def render_report(
    request: HttpRequest, report: AnnualReport, *, bound=None, status: int = 200
) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    writable = report.agency_id in writable_agency_ids(user)
    may_write = writable and user.has_perm(WRITE, report)
    may_publish = writable and user.has_perm(PUBLISH, report)
    draft = report.state == AnnualReport.State.DRAFT
    page_forms = {
        "report": forms.ReportForm(initial=forms.ReportForm.initial_from(report))
        if may_write and draft
        else None,
        "reopen": forms.ReopenForm(),
        "publish": forms.PublishForm(),
    }
    if bound is not None and bound[0] in page_forms:
        page_forms[bound[0]] = bound[1]
    tables = selectors.report_tables(report)
    context = {
        "report": report,
        "title": report_export.title(report),
        "tables": tables,
        "two_blocks": figure_rows(tables, page_forms["report"]),
        "three_rows": report_export.three_grid(tables["three"]),
        "manual_rows": report_export.manual_rows(tables),
        "four_note": report_export.FOUR_NOTE,
        "due_on": due_on(report.year),
        "overdue": _overdue(report.year, report.published_on, today),
        "live": draft,
        "can_edit": may_write and draft,
        "can_finalise": may_write and draft,
        "can_reopen": may_write and report.state == AnnualReport.State.FINAL,
        "can_publish": may_publish and report.state == AnnualReport.State.FINAL,
        "forms": page_forms,
        "timeline": _timeline(report),
    }
    return render(request, "disclosure/staff/report_detail.html", context, status=status)


def refused(request: HttpRequest, report, exc: DomainError, *, bound=None) -> HttpResponse:
    """The page again with the refusal's message and status; nothing was written."""
    messages.error(request, str(exc.message))
    return render_report(request, _fresh(report), bound=bound, status=exc.status)


@staff_permission_required(VIEW)
@require_GET
def report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    return render_report(request, open_report(request, report_id))


# --- One POST per step ---------------------------------------------------------------------------


def _save(request, report, data):
    services.report_update(actor=request.user, report=report, http_request=request, **data)
    return _("已保存。")


def _finalise(request, report, data):
    services.report_finalise(actor=request.user, report=report, http_request=request)
    return _("已定稿，表二、表三、表四数据已固定。")


def _reopen(request, report, data):
    services.report_reopen(actor=request.user, report=report, http_request=request, **data)
    return _("已退回编制。")


def _publish(request, report, data):
    services.report_publish(actor=request.user, report=report, http_request=request, **data)
    return _("已公开，公众可在门户网站查看。")


STEPS = {
    "save": ("report", forms.ReportForm, _save),
    "finalise": (None, None, _finalise),
    "reopen": ("reopen", forms.ReopenForm, _reopen),
    "publish": ("publish", forms.PublishForm, _publish),
}


@staff_permission_required(VIEW)
@require_POST
def report_step(request: HttpRequest, report_id: int, step: str) -> HttpResponse:
    if step not in STEPS:
        raise Http404
    report = open_report(request, report_id, write=True)
    name, form_class, call = STEPS[step]
    form = form_class(request.POST) if form_class is not None else None
    if form is not None and not form.is_valid():
        form_error_messages(request, form)
        return render_report(request, _fresh(report), bound=(name, form), status=422)
    if form is None:
        data = {}
    elif hasattr(form, "service_fields"):
        data = form.service_fields()
    else:
        data = dict(form.cleaned_data)
    try:
        done = call(request, report, data)
    except DomainError as exc:
        return refused(request, report, exc, bound=(name, form) if form is not None else None)
    messages.success(request, done)
    return redirect("disclosure:report", report_id=report.pk)


# --- Downloads ---------------------------------------------------------------------------------


def download(report: AnnualReport, fmt: str) -> HttpResponse:
    if fmt == "docx":
        content, kind = report_export.render_docx(report), report_export.DOCX_TYPE
    elif fmt == "xlsx":
        content, kind = report_export.render_xlsx(report), report_export.XLSX_TYPE
    else:
        raise Http404
    response = HttpResponse(content, content_type=kind)
    response["Content-Disposition"] = content_disposition(
        report_export.filename(report, fmt), default_stem=f"annual-report-{report.year}"
    )
    return response


@staff_permission_required(VIEW)
@require_GET
def report_download(request: HttpRequest, report_id: int, fmt: str) -> HttpResponse:
    return download(open_report(request, report_id), fmt)
