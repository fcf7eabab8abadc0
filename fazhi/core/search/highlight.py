"""Snippets and highlighting, built in Python from the original text.

The same code serves both backends, so a hit looks the same on SQLite and PostgreSQL. Every
character of the document is escaped; only the <mark> tags are ours.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Full-width ASCII and the ideographic space, folded one character for one character so that
# positions in the folded text are positions in the original (the index uses full NFKC).
_FOLD = str.maketrans({0xFF01 + i: 0x21 + i for i in range(94)} | {0x3000: 0x20})
_SPACES = re.compile(r"\s+")
ELLIPSIS = "…"


def _pattern(terms: Iterable[str]) -> re.Pattern[str] | None:
    # Longest first, so 低保对象 is marked whole rather than as 低保 + 对象.
    unique = sorted({t for t in terms if t}, key=lambda t: (-len(t), t))
    if not unique:
        return None
    return re.compile("|".join(re.escape(t) for t in unique), re.IGNORECASE)


def _render(text: str, folded: str, start: int, end: int, pattern: re.Pattern[str] | None) -> str:
    out: list[str] = []
    position = start
    if pattern is not None:
        for match in pattern.finditer(folded, start, end):
            out.append(escape(_SPACES.sub(" ", text[position : match.start()])))
            marked = _SPACES.sub(" ", text[match.start() : match.end()])
            out.append(f"<mark>{escape(marked)}</mark>")
            position = match.end()
    out.append(escape(_SPACES.sub(" ", text[position:end])))
    return "".join(out)


def highlight(text: str, terms: Iterable[str]) -> SafeString:
    """The whole text, escaped, with every term wrapped in <mark> (for titles)."""
    marked = _render(text, text.translate(_FOLD), 0, len(text), _pattern(terms))
    # _render escaped every character of the text; the only markup is its <mark>.
    return mark_safe(marked)  # noqa: S308


def snippet(text: str, terms: Iterable[str], width: int) -> SafeString:
    """An excerpt of about `width` characters around the first term found, terms marked.

    Without a term in the text (the match was in the title) the excerpt is the text's start.
    """
    if not text:
        return mark_safe("")
    pattern = _pattern(terms)
    folded = text.translate(_FOLD)
    first = pattern.search(folded) if pattern is not None else None
    # A quarter of the window before the term gives it some context to read in.
    start = max(0, first.start() - width // 4) if first else 0
    end = min(len(text), start + width)
    start = max(0, min(start, end - width))
    while start < end and text[start].isspace():
        start += 1
    body = _render(text, folded, start, end, pattern)
    prefix = ELLIPSIS if text[:start].strip() else ""
    suffix = ELLIPSIS if text[end:].strip() else ""
    # _render escaped every character of the text; the only markup is its <mark>.
    return mark_safe(f"{prefix}{body.strip()}{suffix}")  # noqa: S308
