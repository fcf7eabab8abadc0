"""The text of an uploaded Word draft: paragraphs and tables in the order they appear.

Callers pass bytes that `core.files.detection` has already accepted as a DOCX (no macros, no
zip bomb), so python-docx only ever parses a checked package; its XML parser resolves no
external entities.
"""

from __future__ import annotations

import re
from typing import BinaryIO

from django.utils.translation import gettext_lazy as _

from fazhi.core.errors import InvalidInput

# A normative document runs to some thousands of characters; more than this is not a draft.
MAX_CHARS = 200_000

# Full-width and other exotic spaces count as spaces: "　　第一条" and "第一条" are the same
# line for a comparison of versions.
_SPACES = re.compile(r"[\s\u00a0\u1680\u2000-\u200b\u202f\u205f\u3000\ufeff]+")

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def normalise(line: str) -> str:
    return _SPACES.sub(" ", line).strip()


def extract_text(fileobj: BinaryIO) -> str:
    """The draft's text, one line per paragraph or table row; InvalidInput when there is none."""
    import docx

    try:
        fileobj.seek(0)
        document = docx.Document(fileobj)
        lines = list(_block_lines(document.element.body, document))
    except InvalidInput:
        raise
    except Exception as exc:  # any parser failure on an uploaded file is bad input
        raise InvalidInput(
            _("无法读取该 Word 文档的正文，文件可能已损坏，请用 Word 另存为 .docx 后重新上传。"),
            code="docx_unreadable",
        ) from exc
    text = "\n".join(line for line in lines if line)
    if not text:
        raise InvalidInput(
            _("文档中没有可提取的文字（可能是空白文档或扫描图片），请上传含正文文字的 Word 文档。"),
            code="docx_no_text",
        )
    if len(text) > MAX_CHARS:
        raise InvalidInput(
            _("文档正文超过 %(max)d 字，不像一份规范性文件草案，请检查后重新上传。")
            % {"max": MAX_CHARS},
            code="docx_too_long",
        )
    return text


def _block_lines(element, parent):
    """Lines of the paragraphs and tables directly in `element` (body, cell, content control)."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for child in element.iterchildren():
        if child.tag == f"{_W}p":
            # A manual line break inside a paragraph (w:br) reads as "\n".
            yield from (normalise(part) for part in Paragraph(child, parent).text.split("\n"))
        elif child.tag == f"{_W}tbl":
            yield from _table_lines(Table(child, parent))
        elif child.tag == f"{_W}sdt":
            content = child.find(f"{_W}sdtContent")
            if content is not None:
                yield from _block_lines(content, parent)


def _table_lines(table):
    """One line per row, cells separated by " | "; a merged cell counts once."""
    for row in table.rows:
        # Holding the elements keeps lxml's proxies alive, so identity is meaningful.
        seen: list = []
        cells = []
        for cell in row.cells:
            if any(cell._tc is done for done in seen):
                continue
            seen.append(cell._tc)
            cells.append(" ".join(line for line in _block_lines(cell._tc, cell) if line))
        if any(cells):
            yield " | ".join(cells)
