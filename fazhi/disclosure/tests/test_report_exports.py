"""The annual report's DOCX and XLSX, opened again: title, sections in order, labels verbatim."""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal

import pytest
from docx import Document
from openpyxl import load_workbook

from fazhi.disclosure import report_export, services
from fazhi.disclosure.outcomes import Outcome
from fazhi.disclosure.tests.conftest import registered
from fazhi.disclosure.tests.test_table_three import LABELS as TABLE_THREE_LABELS

pytestmark = pytest.mark.django_db

FIGURES = {
    "penalty": {"decisions": 3},
    "coercion": {"decisions": 0},
    "fees": {"amount": "1.2345"},
}
TABLE_TWO_LABELS = [
    "第二十条第（一）项",
    "信息内容",
    "本年制发件数",
    "本年废止件数",
    "现行有效件数",
    "规章",
    "行政规范性文件",
    "第二十条第（五）项",
    "本年处理决定数量",
    "行政许可",
    "第二十条第（六）项",
    "行政处罚",
    "行政强制",
    "第二十条第（八）项",
    "本年收费金额（单位：万元）",
    "行政事业性收费",
]
TABLE_TWO_SEQUENCE = [
    "第二十条第（一）项",
    "信息内容",
    "本年制发件数",
    "本年废止件数",
    "现行有效件数",
    "规章",
    "行政规范性文件",
    "第二十条第（五）项",
    "信息内容",
    "本年处理决定数量",
    "行政许可",
    "第二十条第（六）项",
    "信息内容",
    "本年处理决定数量",
    "行政处罚",
    "行政强制",
    "第二十条第（八）项",
    "信息内容",
    "本年收费金额（单位：万元）",
    "行政事业性收费",
]
# The header cells row by row: the corner note, 申请人情况, its columns, the five kinds.
TABLE_THREE_HEADERS = [
    "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
    "申请人情况",
    "自然人",
    "法人或其他组织",
    "总计",
    "商业企业",
    "科研机构",
    "社会公益组织",
    "法律服务机构",
    "其他",
]
TABLE_FOUR_LABELS = [
    "行政复议",
    "行政诉讼",
    "未经复议直接起诉",
    "复议后起诉",
    "结果维持",
    "结果纠正",
    "其他结果",
    "尚未审结",
    "总计",
]
SECTIONS = [
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
]


@pytest.fixture
def report(office):
    office["agency"].name = "示例区民政局"
    office["agency"].save()
    request = registered(office, received_on=date(2025, 3, 3))
    services.reply(
        actor=office["officer"],
        request=request,
        outcome=Outcome.WITHHELD_PROCESS,
        text="答复。",
        replied_on=date(2025, 3, 20),
    )
    registered(office, received_on=date(2025, 12, 29))  # carried into 2026
    opened = services.report_open(actor=office["officer"], agency=office["agency"], year=2025)
    written = services.report_update(
        actor=office["officer"],
        report=opened,
        overview="2025年，本局认真贯彻条例。\n（一）主动公开情况良好。",
        problems="公开内容不够全面。",
        other_matters="本年度未收取信息处理费。",
        manual_figures=FIGURES,
    )
    return services.report_finalise(actor=office["officer"], report=written)


def cells(table) -> list[str]:
    """The text of each cell once, a merged cell counted once (its elements kept alive, so
    their ids stay unique while compared)."""
    seen, found = [], []
    for row in table.rows:
        for cell in row.cells:
            if not any(cell._tc is element for element in seen):
                seen.append(cell._tc)
                found.append(cell.text)
    return found


def test_docx_title_sections_and_tables(report):
    docx = Document(io.BytesIO(report_export.render_docx(report)))
    texts = [p.text for p in docx.paragraphs]
    assert texts[0] == "示例区民政局2025年政府信息公开工作年度报告"
    assert "（草稿）" not in texts
    positions = [texts.index(section) for section in SECTIONS]
    assert positions == sorted(positions)
    assert "2025年，本局认真贯彻条例。" in texts and "公开内容不够全面。" in texts
    assert any("“行政处罚”" in t and "手工填报" in t for t in texts)
    assert not any("“行政许可”" in t and "手工填报" in t for t in texts)
    assert texts[-2:] == [
        "示例区民政局",
        report_export.officialdoc.official_day(report.finalised_at.date()),
    ]

    two, three, four = docx.tables
    two_cells = [c for c in cells(two) if not re.fullmatch(r"[0-9.]+", c)]
    assert two_cells == TABLE_TWO_SEQUENCE
    fees_row = [c.text for c in two.rows[-1].cells]
    assert fees_row[0] == "行政事业性收费" and fees_row[-1] == "1.2345"

    three_cells = cells(three)
    assert three_cells[: len(TABLE_THREE_HEADERS)] == TABLE_THREE_HEADERS
    for label in TABLE_THREE_LABELS:
        assert label in three_cells, label
    by_label = {row.cells[2].text: [c.text for c in row.cells[3:]] for row in three.rows[3:]}
    assert by_label["一、本年新收政府信息公开申请数量"] == ["2", "0", "0", "0", "0", "0", "2"]
    assert by_label["6.属于四类过程性信息"] == ["1", "0", "0", "0", "0", "0", "1"]
    assert by_label["（七）总计"] == ["1", "0", "0", "0", "0", "0", "1"]
    assert by_label["四、结转下年度继续办理"] == ["1", "0", "0", "0", "0", "0", "1"]
    assert three.rows[5].cells[0].text == "三、本年度办理结果"

    four_cells = cells(four)
    for label in TABLE_FOUR_LABELS:
        assert label in four_cells
    assert [c.text for c in four.rows[3].cells] == ["0"] * 15


def test_a_draft_is_marked(office):
    opened = services.report_open(actor=office["officer"], agency=office["agency"], year=2025)
    texts = [p.text for p in Document(io.BytesIO(report_export.render_docx(opened))).paragraphs]
    assert texts[1] == "（草稿）"
    assert texts.count("无。") == 3


def test_xlsx_one_sheet_per_table_labels_verbatim(report):
    book = load_workbook(io.BytesIO(report_export.render_xlsx(report)))
    assert book.sheetnames == SECTIONS[1:4]
    two, three, four = (book[name] for name in book.sheetnames)
    values = [c.value for row in two.iter_rows() for c in row if c.value is not None]
    for label in TABLE_TWO_LABELS:
        assert label in values
    fees = next(r for r in two.iter_rows() if r[0].value == "行政事业性收费")
    assert fees[1].value == Decimal("1.2345") or float(fees[1].value) == 1.2345
    licensing = next(r for r in two.iter_rows() if r[0].value == "行政许可")
    assert licensing[1].value == 0  # counted from the cases: none in this test
    assert any("手工填报" in str(v) for v in values)

    three_values = [c.value for row in three.iter_rows() for c in row if c.value is not None]
    for label in TABLE_THREE_HEADERS + TABLE_THREE_LABELS:
        assert label in three_values, label
    new = next(r for r in three.iter_rows() if r[0].value == "一、本年新收政府信息公开申请数量")
    assert [c.value for c in new[3:10]] == [2, 0, 0, 0, 0, 0, 2]

    four_values = [c.value for row in four.iter_rows() for c in row if c.value is not None]
    for label in TABLE_FOUR_LABELS:
        assert label in four_values
    # Nothing a spreadsheet would run.
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert not (isinstance(cell.value, str) and cell.value[:1] in "=+-@"), cell.value


def test_safe_escapes_formula_starts():
    assert report_export.safe("=1+1") == "'=1+1"
    assert report_export.safe("@x") == "'@x"
    assert report_export.safe("规章") == "规章"
    assert report_export.safe(5) == 5
