"""XLSX import and export of the power list (the sheets agencies already keep).

Columns (the first row names them): 序号, 事项名称, 事项类型, 设定依据, 实施主体, 责任处室,
承诺时限, 法定时限. The first six are required (a file without one is refused, naming it); the two
time limits may be missing (then blank). Other columns are reported as unknown and ignored.

Formula injection: on export every text that starts = + - @ is written with a leading apostrophe
(as the disclosure and evaluation exports do). On import a leading apostrophe before one of those
characters is taken off again (so export → import gives the same list), and a real formula cell
(e.g. `=HYPERLINK(...)`) is a bad cell: that row is refused with a message naming the column.
Numbers of days are written as numbers; 事项类型 as its Chinese name; 责任处室 as the
department's name.
"""

from __future__ import annotations

import io
import zipfile

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font

from fazhi.core.errors import InvalidInput
from fazhi.core.files import detection
from fazhi.services.models import PowerKind
from fazhi.services.services._common import FORMULA_START

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET = "权力清单"
# Column header → the record key.
COLUMNS = {
    "序号": "code",
    "事项名称": "name",
    "事项类型": "kind",
    "设定依据": "basis",
    "实施主体": "implementing_body",
    "责任处室": "department",
    "承诺时限": "promised_days",
    "法定时限": "statutory_days",
}
HEADERS = {key: header for header, key in COLUMNS.items()}
REQUIRED = ("序号", "事项名称", "事项类型", "设定依据", "实施主体", "责任处室")
# Headings other agencies use for the same columns.
ALIASES = {
    "编号": "序号",
    "权力名称": "事项名称",
    "权力类型": "事项类型",
    "职权类型": "事项类型",
    "实施依据": "设定依据",
    "责任科室": "责任处室",
    "承办机构": "责任处室",
    "承诺时限（工作日）": "承诺时限",
    "法定时限（工作日）": "法定时限",
}
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
FORMULA = object()  # marks a formula cell in a record


def safe(value):
    """A cell value a spreadsheet will not run: text starting = + - @ gets a leading '."""
    if isinstance(value, str) and value[:1] in FORMULA_START:
        return "'" + value
    return value


def _unescape(value):
    if isinstance(value, str) and value[:1] == "'" and value[1:2] in FORMULA_START:
        return value[1:]
    return value


def render(powers) -> bytes:
    """The sheet of the given powers (with `department` loaded)."""
    kinds = dict(PowerKind.choices)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    sheet.append(list(COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for power in powers:
        values = [
            power.code,
            power.name,
            str(kinds[power.kind]),
            power.basis,
            power.implementing_body,
            power.department.name,
            power.promised_days,
            power.statutory_days,
        ]
        sheet.append([safe(v) for v in values])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever the text
            cell.alignment = Alignment(vertical="top", wrap_text=True)
    for letter, width in zip("ABCDEFGH", (10, 30, 12, 50, 24, 16, 10, 10), strict=True):
        sheet.column_dimensions[letter].width = width
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def read(data: bytes) -> tuple[list[tuple[int, dict]], list[str]]:
    """The rows of an uploaded sheet: [(row number, record)], unknown column names.

    Refuses (InvalidInput) a file that is not an XLSX, too large, empty or without a required
    column. A formula cell's value in the record is `FORMULA` (the row is then bad).
    """
    if len(data) > MAX_BYTES:
        raise InvalidInput(_("文件不能超过 5 MB。"), code="file_too_large")
    stream = io.BytesIO(data)
    try:
        detection.detect(stream, extension="xlsx")
        workbook = load_workbook(stream, read_only=True, data_only=False)
    except InvalidInput:
        raise
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, TypeError) as exc:
        raise InvalidInput(_("文件不是有效的 XLSX 表格。"), code="xlsx_invalid") from exc
    try:
        sheet = workbook[SHEET] if SHEET in workbook.sheetnames else workbook.worksheets[0]
        rows = sheet.iter_rows()
        try:
            header_cells = next(rows)
        except StopIteration:
            raise InvalidInput(_("表格是空的。"), code="xlsx_empty") from None
        header = [str(c.value).strip() if c.value is not None else "" for c in header_cells]
        names = [ALIASES.get(h, h) for h in header]
        missing = [c for c in REQUIRED if c not in names]
        if missing:
            raise InvalidInput(
                _("缺少必需的列：%(cols)s。首行应为：%(all)s。")
                % {"cols": "、".join(missing), "all": "、".join(COLUMNS)},
                code="xlsx_columns",
            )
        unknown = [h for h, n in zip(header, names, strict=True) if h and n not in COLUMNS]
        records = []
        for number, cells in enumerate(rows, start=2):
            values = [c.value for c in cells]
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue
            if len(records) >= MAX_ROWS:
                raise InvalidInput(
                    _("一次最多导入 %(n)d 行。") % {"n": MAX_ROWS}, code="xlsx_too_many"
                )
            record = {}
            for name, cell in zip(names, cells, strict=False):
                key = COLUMNS.get(name)
                if key is None:
                    continue
                if getattr(cell, "data_type", None) == "f":
                    record[key] = FORMULA
                else:
                    record[key] = _unescape(cell.value)
            records.append((number, record))
    finally:
        workbook.close()
    return records, unknown
