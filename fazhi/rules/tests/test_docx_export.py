"""The issued document's DOCX has the GB/T 9704 page, margins and fonts (domain-rules.md §6)."""

import io

from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from fazhi.rules.docx_export import render
from fazhi.rules.tests.test_lifecycle import decided, issue


def east_asian(run):
    return run._element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia"))


def close(length, mm):
    return abs(length - Mm(mm)) <= Mm(0.5)


def test_issued_document_as_gb_t_9704_docx(office):

    document = issue(office, decided(office))
    opened = Document(io.BytesIO(render(document)))
    section = opened.sections[0]
    assert close(section.page_width, 210) and close(section.page_height, 297)
    assert close(section.top_margin, 37) and close(section.left_margin, 28)
    assert close(section.right_margin, 26) and close(section.bottom_margin, 35)
    paragraphs = [p for p in opened.paragraphs if p.text]
    number, title, body = paragraphs[0], paragraphs[1], paragraphs[2]
    assert number.text == document.doc_number.text and "〔" in number.text
    assert title.text == document.title
    assert east_asian(title.runs[0]) == "方正小标宋简体" and title.runs[0].font.size == Pt(22)
    assert east_asian(body.runs[0]) == "仿宋_GB2312" and body.runs[0].font.size == Pt(16)
    day = document.published_on
    assert paragraphs[-1].text == f"{day.year}年{day.month}月{day.day}日"
    footer = opened.sections[0].footer.paragraphs[0]
    assert footer.text.startswith("— ") and footer.text.endswith(" —")
    assert footer.runs[0].font.size == Pt(14)
