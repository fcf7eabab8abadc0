"""The register of issued documents (规范性文件登记簿) as XLSX, for the office's own files."""

from __future__ import annotations

import io
from datetime import date

from django.db.models import Prefetch
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from fazhi.rules.models import DocumentLink, NormativeDocument
from fazhi.rules.status import badge, evaluation_months

HEADERS = ["序号", "文号", "标题", "起草科室", "类型", "公布日期", "施行日期", "有效期至", "状态"]


def register_rows(agency, today: date) -> list[list]:
    """Issued documents of the agency, newest first, with their badges (three queries)."""
    documents = (
        NormativeDocument.objects.filter(agency=agency, state="issued")
        .select_related("department", "doc_number")
        .prefetch_related(
            Prefetch(
                "links_in",
                queryset=DocumentLink.objects.filter(
                    kind__in=["repeals", "revises"], source__state="issued"
                ).select_related("source"),
                to_attr="superseding_links",
            )
        )
        .order_by("-published_on", "-pk")
    )
    months = evaluation_months(agency)
    rows = []
    for index, document in enumerate(documents, start=1):
        superseding: dict[str, date] = {}
        for link in document.superseding_links:
            published = link.source.published_on
            if link.kind not in superseding or published < superseding[link.kind]:
                superseding[link.kind] = published
        status = badge(document, today, superseding=superseding, months=months)
        rows.append(
            [
                index,
                document.doc_number.text,
                document.title,
                document.department.name,
                str(document.get_kind_display()),
                document.published_on,
                document.effective_on,
                document.valid_until,
                str(status.label) if status else "",
            ]
        )
    return rows


def register_xlsx(agency, today: date) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "规范性文件登记簿"
    sheet.append(HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    for row in register_rows(agency, today):
        sheet.append(row)
    for column, width in zip("ABCDEFGHI", (6, 20, 48, 16, 10, 12, 12, 12, 10), strict=True):
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=2, min_col=6, max_col=8):
        for cell in row:
            cell.number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
