"""The documents of the findings loop as DOCX laid out per GB/T 9704 (core.officialdoc):
the 督办单 the ladder sends when a rectification is overdue, and the numbered 通报 (circular).

Every text here is a plain Chinese constant, not gettext: these are official documents served
in Chinese whatever language the clerk's interface uses, and their wording must not change
with a translation catalogue. The functions only render; the services store the bytes.
"""

from __future__ import annotations

from datetime import date

from fazhi.core import officialdoc

NOTICE_TITLE = "督办单"
CIRCULAR_KIND = "通报"


def _day(day: date | None) -> str:
    return officialdoc.official_day(day) if day else "—"


def render_notice(
    *,
    agency_name: str,
    department_name: str,
    finding_title: str,
    finding_description: str,
    legal_basis: str,
    found_on: date,
    due_on: date,
    overdue_workdays: int,
    measures: str,
    issued_on: date,
    interview_after: int,
) -> bytes:
    """The 督办单 to the responsible department's head (copied to the agency leader)."""
    document = officialdoc.new_document()
    officialdoc.title(document, NOTICE_TITLE)
    officialdoc.blank(document)
    officialdoc.paragraph(document, f"{department_name}：", officialdoc.FANGSONG, 16)
    officialdoc.body(
        document,
        f"{_day(found_on)}发现的问题“{finding_title}”，整改期限为{_day(due_on)}。"
        f"截至{_day(issued_on)}，该问题尚未整改到位，已逾期{overdue_workdays}个工作日。",
    )
    officialdoc.text_lines(document, "一、问题情况")
    officialdoc.body(document, finding_description)
    if legal_basis.strip():
        officialdoc.text_lines(document, "二、依据")
        officialdoc.body(document, legal_basis)
        next_heading = "三"
    else:
        next_heading = "二"
    officialdoc.text_lines(document, f"{next_heading}、督办要求")
    officialdoc.body(
        document,
        "请你单位主要负责人亲自督促，立即组织整改，并在系统中提交整改措施和整改佐证材料。"
        f"逾期满{interview_after}个工作日仍未整改到位的，将约谈你单位负责人；"
        "情节严重的，将予以通报。",
    )
    if measures.strip():
        officialdoc.body(document, f"你单位已提出的整改措施：{measures}")
    officialdoc.blank(document)
    officialdoc.signature(document, agency_name, _day(issued_on))
    return officialdoc.to_bytes(document)


def render_circular(
    *, agency_name: str, title: str, number: str, issued_on: date, snapshot: dict
) -> bytes:
    """The 通报: the period's findings and every rectification that reached the 通报 step,
    with their status as of the issue day (from the frozen snapshot)."""
    document = officialdoc.new_document()
    officialdoc.centred(document, number)
    officialdoc.blank(document)
    officialdoc.title(document, title)
    officialdoc.blank(document)
    period = snapshot.get("period", {})
    items = snapshot.get("items", [])
    found = [item for item in items if item.get("in_period")]
    escalated = [item for item in items if item.get("escalated")]
    closed = sum(1 for item in found if item.get("state") == "closed")
    officialdoc.body(
        document,
        f"{period.get('start_text', '')}至{period.get('end_text', '')}，"
        f"本机关共发现问题{len(found)}个，已整改销号{closed}个，"
        f"正在整改{len(found) - closed}个；逾期未整改、经督办后仍未整改到位予以通报的"
        f"{len(escalated)}个。现将有关情况通报如下：",
    )
    officialdoc.text_lines(document, "一、本期发现问题及整改情况")
    if not found:
        officialdoc.body(document, "本期未发现问题。")
    for index, item in enumerate(found, start=1):
        officialdoc.body(document, _item_line(index, item))
    officialdoc.text_lines(document, "二、逾期未整改问题")
    if not escalated:
        officialdoc.body(document, "无。")
    for index, item in enumerate(escalated, start=1):
        officialdoc.body(
            document,
            f"（{_cn(index)}）{item['department']}：“{item['title']}”，整改期限{item['due_text']}，"
            f"截至印发之日已逾期{item['overdue_workdays']}个工作日，现状态为{item['state_label']}。",
        )
    officialdoc.text_lines(document, "三、有关要求")
    officialdoc.body(
        document,
        "各责任单位要对照通报问题，逐项落实整改措施，按期提交整改佐证材料；"
        "对逾期未整改的，将依照有关规定追究相关人员责任。",
    )
    officialdoc.blank(document)
    officialdoc.signature(document, agency_name, _day(issued_on))
    return officialdoc.to_bytes(document)


def _item_line(index: int, item: dict) -> str:
    where = item["department"]
    if item.get("subdistrict"):
        where = f"{where}（{item['subdistrict']}）"
    status = item["state_label"]
    if item.get("closed_text"):
        status = f"{status}（{item['closed_text']}）"
    return (
        f"{index}. {where}：{item['title']}"
        f"（{item['severity_label']}，来源：{item['source_label']}，发现于{item['found_text']}），整改期限{item['due_text']}，{status}。"
    )


_DIGITS = "零一二三四五六七八九"


def _cn(n: int) -> str:
    """一 … 九十九, for the （一） headings of the list."""
    if n < 10:
        return _DIGITS[n]
    tens, ones = divmod(n, 10)
    text = ("" if tens == 1 else _DIGITS[tens]) + "十"
    return text + (_DIGITS[ones] if ones else "") if n < 100 else str(n)
