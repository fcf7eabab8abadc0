"""The portal's 政府信息公开工作年度报告 (/disclosure/reports/): the published annual reports of
every agency of the deployment, newest first, each as a page with its tables and its DOCX and
XLSX. Only published reports exist here; a draft or finalised one is simply not found (404).

A year may have a report from several agencies: /disclosure/reports/<year>/ shows the report
when one agency published it for that year and lists them otherwise; `?agency=<code>` names
one (as the catalogue does).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from fazhi.disclosure import report_export, selectors
from fazhi.disclosure.models import AnnualReport
from fazhi.disclosure.views.reports import download, figure_rows

PUBLISHED = AnnualReport.State.PUBLISHED


def published():
    return AnnualReport.objects.filter(state=PUBLISHED).select_related("agency")


def _in_year(request: HttpRequest, year: int):
    if not 2000 <= year <= 9999:
        return []
    reports = published().filter(year=year)
    code = request.GET.get("agency", "").strip()[:40]
    if "\x00" in code:  # PostgreSQL refuses NUL in a text parameter: no such agency
        return []
    if code:
        reports = reports.filter(agency__code=code)
    return list(reports.order_by("agency__name"))


@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    reports = list(published().order_by("-year", "agency__name"))
    return render(
        request,
        "disclosure/public/reports.html",
        {"reports": [(r, report_export.title(r)) for r in reports]},
    )


@require_GET
def report_page(request: HttpRequest, year: int) -> HttpResponse:
    reports = _in_year(request, year)
    if not reports:
        raise Http404
    if len(reports) > 1:
        return render(
            request,
            "disclosure/public/reports.html",
            {"reports": [(r, report_export.title(r)) for r in reports], "year": year},
        )
    report = reports[0]
    tables = selectors.report_tables(report)
    return render(
        request,
        "disclosure/public/report.html",
        {
            "report": report,
            "title": report_export.title(report),
            "tables": tables,
            "two_blocks": figure_rows(tables, None),
            "three_rows": report_export.three_grid(tables["three"]),
            "manual_rows": report_export.manual_rows(tables),
            "four_note": report_export.FOUR_NOTE,
        },
    )


@require_GET
def report_download(request: HttpRequest, year: int, fmt: str) -> HttpResponse:
    reports = _in_year(request, year)
    if len(reports) != 1:
        raise Http404
    return download(reports[0], fmt)
