"""The list of an agency's documents in force (现行有效行政规范性文件目录) as XLSX and PDF.

Both read the same rows: published documents whose derived status (rules/status.py, computed in
SQL by selectors.with_public_status) is 有效 or 即将到期 on the day. The PDF is rendered by
WeasyPrint from an HTML template with Debian's Noto CJK fonts (scripts/system-deps.sh installs
them with Pango); nothing is fetched while rendering, so it works on a closed intranet.
"""

from __future__ import annotations

import hashlib
import io
import json
from datetime import date
from urllib.parse import quote

from django.core.cache import cache
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from fazhi.rules import selectors
from fazhi.rules.status import Badge

HEADERS = ["序号", "文号", "标题", "起草部门", "公布日期", "施行日期", "有效期至", "状态"]
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Rendering a PDF costs a second of CPU; the same rows give the same file, so a public link
# shared widely renders once per change of the list (or of the day).
CACHE_SECONDS = 6 * 60 * 60


def in_force_rows(agency, today: date) -> list[list]:
    """Rows of HEADERS for the documents in force, newest first (two queries)."""
    return [
        [
            index,
            document.doc_number.text,
            document.title,
            document.department.name,
            document.published_on,
            document.effective_on,
            document.valid_until,
            str(Badge(document.public_status).label),
        ]
        for index, document in enumerate(selectors.in_force(agency, today), start=1)
    ]


def title(agency) -> str:
    return f"{agency.name}现行有效行政规范性文件目录"


def in_force_xlsx(agency, today: date, rows: list[list] | None = None) -> bytes:
    rows = in_force_rows(agency, today) if rows is None else rows
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "现行有效文件目录"
    sheet.append(HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    for row in rows:
        sheet.append(row)
    for column, width in zip("ABCDEFGH", (6, 20, 48, 16, 12, 12, 12, 10), strict=True):
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=2, min_col=5, max_col=7):
        for cell in row:
            cell.number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"
    workbook.properties.title = f"{title(agency)}（截至{today:%Y-%m-%d}）"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def in_force_pdf(agency, today: date, rows: list[list] | None = None) -> bytes:
    # Imported here: WeasyPrint loads Pango when imported, and only this export needs it.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    rows = in_force_rows(agency, today) if rows is None else rows
    html = render_to_string(
        "rules/in_force_pdf.html",
        {"title": title(agency), "today": today, "headers": HEADERS, "rows": rows},
    )
    # No protocol allowed: the template references nothing, and a title can never make the
    # renderer fetch a file or an address.
    fetcher = URLFetcher(allowed_protocols=set())
    return HTML(string=html, url_fetcher=fetcher).write_pdf()


def filename(agency, today: date, fmt: str) -> str:
    return f"{title(agency)}（{today:%Y-%m-%d}）.{fmt}"


def download(agency, today: date, fmt: str) -> HttpResponse:
    """The file as an attachment; built once per distinct content and language (cached)."""
    rows = in_force_rows(agency, today)
    fingerprint = json.dumps(
        [fmt, agency.pk, agency.name, today, translation.get_language(), rows],
        default=str,
        ensure_ascii=False,
    )
    key = "normative:in-force:" + hashlib.sha256(fingerprint.encode()).hexdigest()
    content = cache.get(key)
    if content is None:
        content = (in_force_pdf if fmt == "pdf" else in_force_xlsx)(agency, today, rows)
        cache.set(key, content, CACHE_SECONDS)
    response = HttpResponse(content, content_type="application/pdf" if fmt == "pdf" else XLSX_TYPE)
    ascii_name = f"in-force-{agency.code}-{today:%Y%m%d}.{fmt}"
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''"
        f"{quote(filename(agency, today, fmt))}"
    )
    return response
