"""The issued document as DOCX laid out per GB/T 9704-2012 (domain-rules.md §6).

A4; top 37 mm, binding (left) 28 mm, text block 156 × 225 mm (so right 26 mm, bottom 35 mm);
title 2号小标宋 (22 pt) centred; body 3号仿宋 (16 pt), 22 lines a page; headings 一、黑体,
（一）楷体; 发文字号 centred; 成文日期 right-aligned four characters in; page numbers
"— 1 —" in 4号宋体 (14 pt). Word applies the East Asian font through rFonts/eastAsia.
"""

from __future__ import annotations

import io
import re

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

# 225 mm of text block over 22 lines.
LINE_PITCH = Pt(225 / 22 * 72 / 25.4)

LEVEL_ONE = re.compile(r"^[一二三四五六七八九十]+、")
LEVEL_TWO = re.compile(r"^（[一二三四五六七八九十]+）")


def _font(run, name: str, size_pt: float, *, bold: bool = False) -> None:
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


def _paragraph(document, text: str, font: str, size: float, *, align=None, indent_chars=0):
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    paragraph.paragraph_format.line_spacing = LINE_PITCH
    paragraph.paragraph_format.space_before = Pt(0)
    paragraph.paragraph_format.space_after = Pt(0)
    if align is not None:
        paragraph.alignment = align
    if indent_chars:
        paragraph.paragraph_format.first_line_indent = Pt(size * indent_chars)
    _font(paragraph.add_run(text), font, size)
    return paragraph


def _page_number_footer(section) -> None:
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(paragraph.add_run("— "), SONGTI, 14)
    run = paragraph.add_run()
    _font(run, SONGTI, 14)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            field = OxmlElement("w:fldChar")
            field.set(qn("w:fldCharType"), kind)
            run._element.append(field)
        else:
            instruction = OxmlElement("w:instrText")
            instruction.text = text
            run._element.append(instruction)
    _font(paragraph.add_run(" —"), SONGTI, 14)


def render(document) -> bytes:
    """DOCX bytes of an issued normative document: number, title, text, date."""
    docx = Document()
    section = docx.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(28)
    _page_number_footer(section)

    normal = docx.styles["Normal"]
    normal.font.name = FANGSONG
    normal.font.size = Pt(16)
    normal.element.get_or_add_rPr()
    _font_style(normal)

    if document.doc_number_id:
        _paragraph(docx, document.doc_number.text, FANGSONG, 16, align=WD_ALIGN_PARAGRAPH.CENTER)
        _paragraph(docx, "", FANGSONG, 16)
    _paragraph(docx, document.title, XIAOBIAOSONG, 22, align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(docx, "", FANGSONG, 16)
    version = document.versions.order_by("-number").first()
    for line in (version.text if version else "").splitlines():
        line = line.strip()
        if not line:
            continue
        if LEVEL_ONE.match(line):
            _paragraph(docx, line, HEITI, 16, indent_chars=2)
        elif LEVEL_TWO.match(line):
            _paragraph(docx, line, KAITI, 16, indent_chars=2)
        else:
            _paragraph(docx, line, FANGSONG, 16, indent_chars=2)
    if document.published_on:
        _paragraph(docx, "", FANGSONG, 16)
        day = document.published_on
        date_text = f"{day.year}年{day.month}月{day.day}日"  # no leading zeros
        signed = _paragraph(docx, date_text, FANGSONG, 16, align=WD_ALIGN_PARAGRAPH.RIGHT)
        signed.paragraph_format.right_indent = Pt(16 * 4)  # 右空四字
    buffer = io.BytesIO()
    docx.save(buffer)
    return buffer.getvalue()


def _font_style(style) -> None:
    fonts = style.element.rPr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        style.element.rPr.append(fonts)
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia"):
        fonts.set(qn(attribute), FANGSONG)
