"""XLSX export of an evaluation (openpyxl): sheet 1 the ranking with the breakdown columns
(value, weight and weighted score per indicator), sheet 2 the basis behind each value.

Text that a spreadsheet would run as a formula (= + - @ first) gets a leading apostrophe, as in
the disclosure exports; numbers are written as numbers so the sheet can be recomputed.
"""

from __future__ import annotations

import io
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from fazhi.oversight.selectors import evaluation as selectors

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RANKING_SHEET = "考评排名"
BASIS_SHEET = "计算依据"
_BOLD = Font(bold=True)
_WRAP = Alignment(vertical="center", wrap_text=True)


def safe(value):
    """A cell value a spreadsheet will not run: text starting = + - @ gets a leading '."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def _number(text):
    return None if text in (None, "") else Decimal(str(text))


def _put(sheet, row: int, column: int, value, *, bold: bool = False) -> None:
    cell = sheet.cell(row=row, column=column)
    cell.value = safe(value)
    if isinstance(cell.value, str):
        cell.data_type = "s"
    if bold:
        cell.font = _BOLD
    cell.alignment = _WRAP


def filename(evaluation) -> str:
    return f"{evaluation.title}.xlsx"


def _period(evaluation) -> str:
    return f"{evaluation.period_start.isoformat()} 至 {evaluation.period_end.isoformat()}"


def render_xlsx(evaluation) -> bytes:
    data = selectors.ranking(evaluation)
    columns = data["columns"]
    workbook = Workbook()

    sheet = workbook.active
    sheet.title = RANKING_SHEET
    _put(sheet, 1, 1, evaluation.title, bold=True)
    _put(
        sheet,
        2,
        1,
        f"考评方案：{evaluation.scheme}；考评期间：{_period(evaluation)}；"
        f"状态：{evaluation.get_state_display()}",
    )
    header = ["排名", str(evaluation.scheme.get_unit_kind_display()), "总分"]
    for column in columns:
        header += [
            f"{column.label}得分",
            f"{column.label}权重（%）",
            f"{column.label}实际权重（%）",
            f"{column.label}加权得分",
        ]
    for n, text in enumerate(header, start=1):
        _put(sheet, 4, n, text, bold=True)
    for r, row in enumerate(data["rows"], start=5):
        score = row["score"]
        values = [score.rank, row["unit"], score.total]
        for cell in row["cells"]:
            values += [
                _number(cell["value"]),
                _number(cell["weight"]),
                _number(cell["effective_weight"]),
                _number(cell["weighted"]),
            ]
        for c, value in enumerate(values, start=1):
            _put(sheet, r, c, value)
    note_row = 6 + len(data["rows"])
    _put(
        sheet,
        note_row,
        1,
        "注：总分 = Σ（权重 × 得分）÷ 有数据指标的权重之和，四舍五入保留两位小数；"
        "某项指标无数据时不计分，其权重按比例分配给其余指标（实际权重）。",
    )
    sheet.column_dimensions["B"].width = 20
    for c in range(4, len(header) + 1):
        sheet.column_dimensions[get_column_letter(c)].width = 14

    basis = workbook.create_sheet(BASIS_SHEET)
    for n, text in enumerate(
        [str(evaluation.scheme.get_unit_kind_display()), "指标", "得分", "依据项", "数值"],
        start=1,
    ):
        _put(basis, 1, n, text, bold=True)
    r = 2
    for row in data["rows"]:
        for cell in row["cells"]:
            labels = _labels(cell["key"])
            items = list((cell["basis"] or {}).items()) or [("", None)]
            for key, value in items:
                _put(basis, r, 1, row["unit"])
                _put(basis, r, 2, cell["label"])
                _put(basis, r, 3, _number(cell["value"]) if cell["value"] else "无数据")
                _put(basis, r, 4, labels.get(key, key))
                _put(basis, r, 5, value)
                r += 1
    basis.column_dimensions["A"].width = 20
    basis.column_dimensions["B"].width = 22
    basis.column_dimensions["D"].width = 16

    workbook.properties.title = evaluation.title
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _labels(key: str) -> dict:
    from fazhi.oversight import indicators as registry

    indicator = registry.get_indicator(key)
    return {k: str(v) for k, v in (indicator.basis_labels if indicator else {}).items()}
