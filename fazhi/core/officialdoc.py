"""Official documents as DOCX laid out per GB/T 9704-2012 (domain-rules.md §6), for every app.

A4; top 37 mm, binding (left) 28 mm, text block 156 × 225 mm (so right 26 mm, bottom 35 mm);
title 2号小标宋 (22 pt) centred; body 3号仿宋 (16 pt), 22 lines a page; headings 一、黑体,
（一）楷体; 成文日期 right-aligned four characters in, without leading zeros; page numbers
"— 1 —" in 4号宋体 (14 pt). Word applies the East Asian font through rFonts/eastAsia, so every
run sets it explicitly.
"""

from __future__ import annotations

import io
import re
from datetime import date

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

FANGSONG = "仿宋_GB2312"
XIAOBIAOSONG = "方正小标宋简体"
HEITI = "黑体"
KAITI = "楷体_GB2312"
SONGTI = "宋体"
BODY_SIZE = 16  # 3号
TITLE_SIZE = 22  # 2号

# 225 mm of text block over 22 lines.
LINE_PITCH = Pt(225 / 22 * 72 / 25.4)

LEVEL_ONE = re.compile(r"^[一二三四五六七八九十]+、")
LEVEL_TWO = re.compile(r"^（[一二三四五六七八九十]+）")


def set_font(run, name: str, size_pt: float, *, bold: bool = False) -> None:
    run.font.name = name
    run.font.size = Pt(size_pt)
    run.font.bold = bold
    properties = run._element.get_or_add_rPr()
    fonts = properties.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        properties.append(fonts)
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia"):
        fonts.set(qn(attribute), name)


def paragraph(document, text: str, font: str, size: float, *, align=None, indent_chars=0):
    """One paragraph on the 22-lines-a-page grid."""
    added = document.add_paragraph()
    added.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    added.paragraph_format.line_spacing = LINE_PITCH
    added.paragraph_format.space_before = Pt(0)
    added.paragraph_format.space_after = Pt(0)
    if align is not None:
        added.alignment = align
    if indent_chars:
        added.paragraph_format.first_line_indent = Pt(size * indent_chars)
    set_font(added.add_run(text), font, size)
    return added


def body(document, text: str):
    """A body paragraph: 仿宋 3号, first line indented two characters."""
    return paragraph(document, text, FANGSONG, BODY_SIZE, indent_chars=2)


def blank(document):
    return paragraph(document, "", FANGSONG, BODY_SIZE)


def title(document, text: str):
    return paragraph(document, text, XIAOBIAOSONG, TITLE_SIZE, align=WD_ALIGN_PARAGRAPH.CENTER)


def centred(document, text: str):
    return paragraph(document, text, FANGSONG, BODY_SIZE, align=WD_ALIGN_PARAGRAPH.CENTER)


def text_lines(document, text: str) -> None:
    """Lines of a text, each a paragraph: 一、 headings in 黑体, （一） in 楷体, others body."""
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if LEVEL_ONE.match(line):
            paragraph(document, line, HEITI, BODY_SIZE, indent_chars=2)
        elif LEVEL_TWO.match(line):
            paragraph(document, line, KAITI, BODY_SIZE, indent_chars=2)
        else:
            body(document, line)


def signature(document, *lines: str) -> None:
    """The issuing body and 成文日期, right-aligned four characters in (右空四字)."""
    for line in lines:
        signed = paragraph(document, line, FANGSONG, BODY_SIZE, align=WD_ALIGN_PARAGRAPH.RIGHT)
        signed.paragraph_format.right_indent = Pt(BODY_SIZE * 4)


def official_day(day: date) -> str:
    """成文日期 in Arabic numerals without leading zeros: 2026年3月2日."""
    return f"{day.year}年{day.month}月{day.day}日"


def _page_number_footer(section) -> None:
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_font(footer.add_run("— "), SONGTI, 14)
    run = footer.add_run()
    set_font(run, SONGTI, 14)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            field = OxmlElement("w:fldChar")
            field.set(qn("w:fldCharType"), kind)
            run._element.append(field)
        else:
            instruction = OxmlElement("w:instrText")
            instruction.text = text
            run._element.append(instruction)
    set_font(footer.add_run(" —"), SONGTI, 14)


def new_document():
    """An empty A4 document with the GB/T 9704 page, the page-number footer and 仿宋 3号."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(28)
    _page_number_footer(section)
    normal = document.styles["Normal"]
    normal.font.name = FANGSONG
    normal.font.size = Pt(BODY_SIZE)
    fonts = normal.element.get_or_add_rPr().find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        normal.element.rPr.append(fonts)
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia"):
        fonts.set(qn(attribute), FANGSONG)
    return document


def to_bytes(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
