"""The annual report as DOCX (GB/T 9704 through fazhi.core.officialdoc) and as XLSX.

The DOCX is the report as published: the title from the agency's name and the year, sections
一 to 六 in the order of 国办公开办函〔2021〕30号, tables 二、三、四 as Word tables with the row and
column labels of the national format verbatim (table 三's 勾稽 note in its corner cell). The XLSX
has one sheet per table with the same labels. Both render the tables the report shows: frozen
once finalised, live while drafted. Legal texts stay Chinese whatever the interface language.
"""

from __future__ import annotations

import io

from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side

from fazhi.core import officialdoc
from fazhi.disclosure.selectors import report_tables

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SECTION_ONE = "一、总体情况"
SECTION_FIVE = "五、存在的主要问题及改进情况"
SECTION_SIX = "六、其他需要报告的事项"
DRAFT_MARK = "（草稿）"
TABLE_FONT_SIZE = 10.5  # 五号
# Where the rows entered by hand come from, said under table 二 in every rendering.
MANUAL_NOTE = "注：{rows}各行为手工填报数据（相关业务模块建成前由本机关统计填报）。"
# The counting rule of table 四 is ours (selectors.table_four); the report states it.
FOUR_NOTE = (
    "注：行政复议、行政诉讼案件按申请复议或起诉日期计入当年，结果按当年12月31日的办理情况统计。"
)


def title(report) -> str:
    """示例区民政局2026年政府信息公开工作年度报告."""
    return f"{report.agency.name}{report.year}年政府信息公开工作年度报告"


def filename(report, extension: str) -> str:
    return f"{title(report)}.{extension}"


def manual_rows(tables: dict) -> list[str]:
    return [
        row["label"] for block in tables["two"]["blocks"] for row in block["rows"] if row["manual"]
    ]


def display(value) -> str:
    """A cell as printed: numbers as they are, a cell not entered as empty."""
    return "" if value is None else str(value)


# --- DOCX --------------------------------------------------------------------------------------


def _write(cell, text: str, *, bold: bool = False, align=WD_ALIGN_PARAGRAPH.CENTER) -> None:
    paragraph = cell.paragraphs[0]
    for run in list(paragraph.runs):
        run._element.getparent().remove(run._element)
    paragraph.alignment = align
    paragraph.paragraph_format.space_before = Pt(0)
    paragraph.paragraph_format.space_after = Pt(0)
    officialdoc.set_font(paragraph.add_run(text), officialdoc.FANGSONG, TABLE_FONT_SIZE, bold=bold)


def _table(docx, rows: int, columns: int):
    table = docx.add_table(rows=rows, cols=columns)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    return table


def _heading(docx, text: str) -> None:
    officialdoc.paragraph(docx, text, officialdoc.HEITI, officialdoc.BODY_SIZE, indent_chars=2)


def _note(docx, text: str) -> None:
    officialdoc.paragraph(docx, text, officialdoc.FANGSONG, 12)


def _docx_two(docx, two: dict) -> None:
    width = 1 + max(len(block["columns"]) for block in two["blocks"])
    count = sum(2 + len(block["rows"]) for block in two["blocks"])
    table = _table(docx, count, width)
    i = 0
    for block in two["blocks"]:
        header = table.cell(i, 0).merge(table.cell(i, width - 1))
        _write(header, block["header"], bold=True)
        i += 1
        columns = block["columns"]
        _write(table.cell(i, 0), two["information"], bold=True)
        spans = _spans(len(columns), width - 1)
        for (start, end), column in zip(spans, columns, strict=True):
            _write(table.cell(i, 1 + start).merge(table.cell(i, 1 + end)), column["label"])
        i += 1
        for row in block["rows"]:
            _write(table.cell(i, 0), row["label"])
            for (start, end), value in zip(spans, row["values"], strict=True):
                _write(table.cell(i, 1 + start).merge(table.cell(i, 1 + end)), display(value))
            i += 1


def _spans(n: int, width: int) -> list[tuple[int, int]]:
    """n columns over `width` cells: each one cell, the last taking what remains."""
    return [(k, k if k < n - 1 else width - 1) for k in range(n)]


def _three_layout(rows: list[dict]) -> tuple[list[dict], list[tuple[int, int, int, str]]]:
    """The rows with numbers, and the vertical label cells over them: (column, first, last,
    label) for 三、本年度办理结果 (column 0) and （三）…（六） (column 1)."""
    numbered: list[dict] = []
    spans: list[tuple[int, int, int, str]] = []
    open_spans: dict[int, list] = {}
    for row in rows:
        if row["values"] is None:
            # A heading: its cell runs down beside the rows that follow, until a row of its
            # own level or higher begins.
            column = row["level"]
            for level in [lvl for lvl in open_spans if lvl >= column]:
                spans.append(tuple(open_spans.pop(level)))
            open_spans[column] = [column, len(numbered), len(numbered) - 1, row["label"]]
            continue
        for level in [lvl for lvl in open_spans if lvl >= row["level"]]:
            spans.append(tuple(open_spans.pop(level)))
        for span in open_spans.values():
            span[2] = len(numbered)
        numbered.append(row)
    spans.extend(tuple(span) for span in open_spans.values())
    return numbered, spans


def three_grid(three: dict) -> list[dict]:
    """Table 三's body rows for HTML: the label cells each row opens (with rowspan / colspan
    over the three label columns) and the row's numbers."""
    numbered, spans = _three_layout(three["rows"])
    grid = []
    for i, row in enumerate(numbered):
        opening = [
            {"text": label, "rowspan": end - start + 1, "colspan": 1}
            for column, start, end, label in sorted(spans)
            if start == i and end >= start
        ]
        opening.append({"text": row["label"], "rowspan": 1, "colspan": 3 - row["level"]})
        grid.append({"key": row["key"], "labels": opening, "values": row["values"]})
    return grid


def _docx_three(docx, three: dict) -> None:
    numbered, spans = _three_layout(three["rows"])
    labels = three["column_labels"]
    # 3 label columns, 自然人, the five organisation kinds, 总计.
    table = _table(docx, 3 + len(numbered), 3 + len(labels))
    _write(table.cell(0, 0).merge(table.cell(2, 2)), three["note"])
    _write(table.cell(0, 3).merge(table.cell(0, 2 + len(labels))), three["applicant"], bold=True)
    _write(table.cell(1, 3).merge(table.cell(2, 3)), labels[0])
    _write(table.cell(1, 4).merge(table.cell(1, 8)), three["organisation"])
    for k, label in enumerate(labels[1:6]):
        _write(table.cell(2, 4 + k), label)
    _write(table.cell(1, 9).merge(table.cell(2, 9)), labels[-1])
    first = 3
    for i, row in enumerate(numbered):
        r = first + i
        label_cell = table.cell(r, row["level"]).merge(table.cell(r, 2))
        _write(label_cell, row["label"], align=WD_ALIGN_PARAGRAPH.LEFT)
        for k, value in enumerate(row["values"]):
            _write(table.cell(r, 3 + k), display(value))
    for column, start, end, label in spans:
        if end < start:
            continue
        cell = table.cell(first + start, column).merge(table.cell(first + end, column))
        _write(cell, label)


def _docx_four(docx, four: dict) -> None:
    labels = four["column_labels"]
    n = len(labels)
    groups = four["groups"]
    table = _table(docx, 4, n * len(groups))
    column = 0
    for group in groups:
        if not group["parent"]:
            cell = table.cell(0, column).merge(table.cell(1, column + n - 1))
            _write(cell, group["label"], bold=True)
        column += n
    parents = [g for g in groups if g["parent"]]
    if parents:
        start = n * groups.index(parents[0])
        cell = table.cell(0, start).merge(table.cell(0, start + n * len(parents) - 1))
        _write(cell, parents[0]["parent"], bold=True)
        for group in parents:
            start = n * groups.index(group)
            _write(table.cell(1, start).merge(table.cell(1, start + n - 1)), group["label"])
    for g, group in enumerate(groups):
        for k, label in enumerate(labels):
            _write(table.cell(2, g * n + k), label)
            _write(table.cell(3, g * n + k), display(group["values"][k]))


def _text(docx, text: str) -> None:
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    for line in lines or ["无。"]:
        officialdoc.body(docx, line)


def render_docx(report, tables: dict | None = None) -> bytes:
    """DOCX bytes of the report (a draft is marked 草稿 under the title)."""
    tables = tables or report_tables(report)
    docx = officialdoc.new_document()
    officialdoc.title(docx, title(report))
    if report.state == "draft":
        officialdoc.centred(docx, DRAFT_MARK)
    officialdoc.blank(docx)
    _heading(docx, SECTION_ONE)
    _text(docx, report.overview)
    _heading(docx, tables["two"]["title"])
    _docx_two(docx, tables["two"])
    manual = manual_rows(tables)
    if manual:
        _note(docx, MANUAL_NOTE.format(rows="、".join(f"“{label}”" for label in manual)))
    _heading(docx, tables["three"]["title"])
    _docx_three(docx, tables["three"])
    _heading(docx, tables["four"]["title"])
    _docx_four(docx, tables["four"])
    _note(docx, FOUR_NOTE)
    _heading(docx, SECTION_FIVE)
    _text(docx, report.problems)
    _heading(docx, SECTION_SIX)
    _text(docx, report.other_matters)
    day = report.published_on or (report.finalised_at.date() if report.finalised_at else None)
    officialdoc.blank(docx)
    if day is not None:
        officialdoc.signature(docx, report.agency.name, officialdoc.official_day(day))
    else:
        officialdoc.signature(docx, report.agency.name)
    return officialdoc.to_bytes(docx)


# --- XLSX --------------------------------------------------------------------------------------

_THIN = Side(style="thin")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)


def safe(value):
    """A cell value that a spreadsheet will not run: text starting = + - @ gets a leading '."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def _number(value):
    """Counts as numbers, the 万元 amount as a number with its decimals, empty when not entered."""
    if value is None:
        return None
    if isinstance(value, str):
        from decimal import Decimal

        return Decimal(value)
    return value


def _put(sheet, row: int, column: int, value, *, bold=False, left=False, to=None) -> None:
    """Write one cell (1-based), merged to `to` = (row, column) when given."""
    if to is not None and to != (row, column):
        sheet.merge_cells(start_row=row, start_column=column, end_row=to[0], end_column=to[1])
    cell = sheet.cell(row=row, column=column)
    cell.value = safe(value)
    if isinstance(cell.value, str):
        cell.data_type = "s"
    cell.font = Font(bold=bold)
    cell.alignment = _LEFT if left else _CENTRE
    last = to or (row, column)
    for r in range(row, last[0] + 1):
        for c in range(column, last[1] + 1):
            sheet.cell(row=r, column=c).border = _BORDER


def _sheet_name(text: str) -> str:
    for bad in "[]:*?/\\":
        text = text.replace(bad, "")
    return text[:31]


def _xlsx_two(sheet, two: dict, manual: list[str]) -> None:
    width = 1 + max(len(block["columns"]) for block in two["blocks"])
    _put(sheet, 1, 1, two["title"], bold=True, left=True, to=(1, width))
    r = 2
    for block in two["blocks"]:
        _put(sheet, r, 1, block["header"], bold=True, to=(r, width))
        r += 1
        spans = _spans(len(block["columns"]), width - 1)
        _put(sheet, r, 1, two["information"], bold=True)
        for (start, end), column in zip(spans, block["columns"], strict=True):
            _put(sheet, r, 2 + start, column["label"], to=(r, 2 + end))
        r += 1
        for row in block["rows"]:
            _put(sheet, r, 1, row["label"])
            for (start, end), value in zip(spans, row["values"], strict=True):
                _put(sheet, r, 2 + start, _number(value), to=(r, 2 + end))
                if isinstance(value, str):
                    sheet.cell(row=r, column=2 + start).number_format = "0.0000"
            r += 1
    if manual:
        note = MANUAL_NOTE.format(rows="、".join(f"“{label}”" for label in manual))
        sheet.cell(row=r + 1, column=1).value = safe(note)
    sheet.column_dimensions["A"].width = 24
    for letter in "BCD":
        sheet.column_dimensions[letter].width = 18


def _xlsx_three(sheet, three: dict) -> None:
    numbered, spans = _three_layout(three["rows"])
    labels = three["column_labels"]
    _put(sheet, 1, 1, three["title"], bold=True, left=True, to=(1, 3 + len(labels)))
    _put(sheet, 2, 1, three["note"], to=(4, 3))
    _put(sheet, 2, 4, three["applicant"], bold=True, to=(2, 3 + len(labels)))
    _put(sheet, 3, 4, labels[0], to=(4, 4))
    _put(sheet, 3, 5, three["organisation"], to=(3, 9))
    for k, label in enumerate(labels[1:6]):
        _put(sheet, 4, 5 + k, label)
    _put(sheet, 3, 10, labels[-1], to=(4, 10))
    first = 5
    for i, row in enumerate(numbered):
        r = first + i
        _put(sheet, r, 1 + row["level"], row["label"], left=True, to=(r, 3))
        for k, value in enumerate(row["values"]):
            _put(sheet, r, 4 + k, value)
    for column, start, end, label in spans:
        if end >= start:
            _put(sheet, first + start, 1 + column, label, to=(first + end, 1 + column))
    sheet.column_dimensions["A"].width = 16
    sheet.column_dimensions["B"].width = 16
    sheet.column_dimensions["C"].width = 40
    sheet.row_dimensions[2].height = 40


def _xlsx_four(sheet, four: dict) -> None:
    labels = four["column_labels"]
    n = len(labels)
    groups = four["groups"]
    _put(sheet, 1, 1, four["title"], bold=True, left=True, to=(1, n * len(groups)))
    parents = [g for g in groups if g["parent"]]
    for g, group in enumerate(groups):
        start = 1 + g * n
        if not group["parent"]:
            _put(sheet, 2, start, group["label"], bold=True, to=(3, start + n - 1))
        else:
            _put(sheet, 3, start, group["label"], to=(3, start + n - 1))
        for k, label in enumerate(labels):
            _put(sheet, 4, start + k, label)
            _put(sheet, 5, start + k, group["values"][k])
    if parents:
        start = 1 + n * groups.index(parents[0])
        _put(sheet, 2, start, parents[0]["parent"], bold=True, to=(2, start + n * len(parents) - 1))
    sheet.cell(row=7, column=1).value = FOUR_NOTE


def render_xlsx(report, tables: dict | None = None) -> bytes:
    """XLSX bytes: one sheet per table, labels verbatim."""
    tables = tables or report_tables(report)
    workbook = Workbook()
    two = workbook.active
    two.title = _sheet_name(tables["two"]["title"])
    _xlsx_two(two, tables["two"], manual_rows(tables))
    _xlsx_three(workbook.create_sheet(_sheet_name(tables["three"]["title"])), tables["three"])
    _xlsx_four(workbook.create_sheet(_sheet_name(tables["four"]["title"])), tables["four"])
    workbook.properties.title = title(report)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
