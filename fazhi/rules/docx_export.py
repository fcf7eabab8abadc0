"""The issued document as DOCX laid out per GB/T 9704-2012 (fazhi.core.officialdoc)."""

from __future__ import annotations

from fazhi.core import officialdoc
from fazhi.core.officialdoc import (  # noqa: F401 - kept for callers that import them from here
    FANGSONG,
    HEITI,
    KAITI,
    SONGTI,
    XIAOBIAOSONG,
)

# Earlier names of the officialdoc helpers, still imported by modules written against them.
_font = officialdoc.set_font
_paragraph = officialdoc.paragraph
_page_number_footer = officialdoc._page_number_footer


def render(document) -> bytes:
    """DOCX bytes of an issued normative document: number, title, text, date."""
    docx = officialdoc.new_document()
    if document.doc_number_id:
        officialdoc.centred(docx, document.doc_number.text)
        officialdoc.blank(docx)
    officialdoc.title(docx, document.title)
    officialdoc.blank(docx)
    version = document.versions.order_by("-number").first()
    officialdoc.text_lines(docx, version.text if version else "")
    if document.published_on:
        officialdoc.blank(docx)
        officialdoc.signature(docx, officialdoc.official_day(document.published_on))
    return officialdoc.to_bytes(docx)
