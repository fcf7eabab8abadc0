"""The personal-data scan run before the confidentiality review of proactive disclosure.

A pure module: `scan_text` finds resident ID numbers, mainland mobile numbers, bank card numbers
and listed terms in a text; `scan_docx` does the same for a Word attachment; `redact` replaces
each hit with its mask. The reviewer clears or redacts every hit before approval.

Decisions:
- Full-width ASCII (`１３８…`, `Ｘ`, `－`) and the ideographic space are read as their half-width
  forms, one character for one, so offsets always point into the text as given.
- A number is a whole run of digits: nothing is found inside a longer number. A number may be
  written plain or in its usual groups with one kind of separator, a space or a hyphen:
  mobile 3-4-4 (`138-0013-8000`), bank card 4-4-4-4 with an optional last group of 1 to 3
  (`6222 0212 3456 7890 123`), resident ID 6-8-4 (`110105 19491231 002X`). A grouped number
  continued by the same separator and more digits is part of a longer number and not found.
  Digits followed by an X are not a bank card: `9` + a resident ID is a mistyped ID.
- Resident IDs are the 18-character numbers `core.identity.validators.validate_resident_id`
  accepts (check digit and date of birth). 15-digit first-generation numbers are not found: the
  validator refuses them, so the scan would only guess.
- Mobile numbers are those `validate_mobile` accepts, with an optional `+86` prefix kept in the
  hit. Bank cards are 16 to 19 digits passing the Luhn check.
- On overlap the resident ID wins over the bank card, the bank card over the mobile number and
  any number over a listed term; among terms the longer wins. Hits never overlap.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from fazhi.core.errors import InvalidInput
from fazhi.core.identity.masking import MASK_CHAR, mask_phone, mask_resident_id
from fazhi.core.identity.validators import validate_mobile, validate_resident_id


class HitKind(models.TextChoices):
    RESIDENT_ID = "resident_id", _("公民身份号码")
    MOBILE = "mobile", _("手机号码")
    BANK_CARD = "bank_card", _("银行卡号")
    TERM = "term", _("敏感词")


@dataclass(frozen=True)
class Hit:
    kind: HitKind
    start: int
    end: int
    # The characters as they stand in the scanned text (full-width, separators and all).
    text: str
    # What the reviewer sees and what `redact` puts in place of the hit.
    masked: str


@dataclass(frozen=True)
class DocxScan:
    # Offsets of the hits point into this text, one line per paragraph or table row.
    text: str
    hits: list[Hit]


# Lower wins on overlap.
_PRIORITY = {HitKind.RESIDENT_ID: 0, HitKind.BANK_CARD: 1, HitKind.MOBILE: 2, HitKind.TERM: 3}

# The validators' normal form, kept one character for one so that offsets survive: U+FF01..U+FF5E
# are the full-width forms of U+0021..U+007E, U+3000 is the ideographic space.
_HALFWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def _grouped(groups: str, last: str = "") -> list[str]:
    """Patterns for one grouping, one per separator, refusing a continuation by that separator."""
    patterns = []
    for sep in (" ", "-"):
        body = sep.join(f"[0-9]{{{size}}}" for size in groups.split("-"))
        patterns.append(
            rf"(?<![0-9])(?<![0-9]{sep}){body}{last.replace('SEP', sep)}(?![0-9])(?!{sep}[0-9])"
        )
    return patterns


_RESIDENT_ID = re.compile(
    "|".join([r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])", *_grouped("6-8-3", last="[0-9Xx]")]),
    re.ASCII,
)
_BANK_CARD = re.compile(
    "|".join(
        [
            # Digits followed by an X are read as a resident ID (valid or not), never as a card.
            r"(?<![0-9])[0-9]{16,19}(?![0-9Xx])",
            *_grouped("4-4-4-4", last="(?:SEP[0-9]{1,3})?"),
        ]
    ),
    re.ASCII,
)
# The +86 prefix belongs to the number; without it the number must start a digit run.
_MOBILE = re.compile(
    "|".join(
        [r"(?:\+86[ -]?|(?<![0-9]))[0-9]{11}(?![0-9])"]
        + [
            rf"(?:\+86[ -]?|(?<![0-9])(?<![0-9]{sep}))[0-9]{{3}}{sep}[0-9]{{4}}{sep}[0-9]{{4}}"
            rf"(?![0-9])(?!{sep}[0-9])"
            for sep in (" ", "-")
        ]
    ),
    re.ASCII,
)


def normalise(text: str) -> str:
    """The text with full-width ASCII read as half-width; the same length as `text`."""
    return text.translate(_HALFWIDTH)


def luhn_valid(digits: str) -> bool:
    """The Luhn (ISO/IEC 7812) check over a string of ASCII digits."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def mask_bank_card(digits: str) -> str:
    """`6222***********0123`: the issuer's first 4 and the last 4 digits, as banks print them."""
    return digits[:4] + MASK_CHAR * (len(digits) - 8) + digits[-4:]


def _digits(candidate: str) -> str:
    return candidate.replace(" ", "").replace("-", "")


def _numbers(text: str, plain: str) -> Iterator[Hit]:
    for match in _RESIDENT_ID.finditer(plain):
        try:
            value = validate_resident_id(_digits(match.group()))
        except InvalidInput:
            continue
        yield _hit(HitKind.RESIDENT_ID, match, text, mask_resident_id(value))
    for match in _BANK_CARD.finditer(plain):
        digits = _digits(match.group())
        if luhn_valid(digits):
            yield _hit(HitKind.BANK_CARD, match, text, mask_bank_card(digits))
    for match in _MOBILE.finditer(plain):
        try:
            value = validate_mobile(_digits(match.group()))
        except InvalidInput:
            continue
        yield _hit(HitKind.MOBILE, match, text, mask_phone(value))


def _terms(text: str, plain: str, terms: Sequence[str]) -> Iterator[Hit]:
    wanted = sorted({normalise(term).strip() for term in terms} - {""}, key=len, reverse=True)
    for term in wanted:
        for match in re.finditer(re.escape(term), plain, re.IGNORECASE):
            yield _hit(HitKind.TERM, match, text, MASK_CHAR * len(match.group()))


def _hit(kind: HitKind, match: re.Match, text: str, masked: str) -> Hit:
    return Hit(kind, match.start(), match.end(), text[match.start() : match.end()], masked)


def scan_text(text: str, *, terms: Sequence[str] = ()) -> list[Hit]:
    """The hits in `text`, sorted by start and not overlapping."""
    plain = normalise(text)
    found = sorted(
        [*_numbers(text, plain), *_terms(text, plain, terms)],
        key=lambda hit: (_PRIORITY[hit.kind], -(hit.end - hit.start), hit.start),
    )
    kept: list[Hit] = []
    for hit in found:
        if all(hit.end <= other.start or other.end <= hit.start for other in kept):
            kept.append(hit)
    return sorted(kept, key=lambda hit: hit.start)


def redact(text: str, hits: Sequence[Hit]) -> str:
    """`text` with each hit replaced by its mask; `hits` as `scan_text` returned them for it."""
    parts = []
    position = 0
    for hit in sorted(hits, key=lambda hit: hit.start):
        if hit.start < position or text[hit.start : hit.end] != hit.text:
            raise ValueError(f"Hit {hit!r} does not belong to this text or overlaps another.")
        parts += [text[position : hit.start], hit.masked]
        position = hit.end
    parts.append(text[position:])
    return "".join(parts)


# --- Word attachments ---

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def docx_text(data: bytes) -> str:
    """The text of a .docx: body, then headers and footers; a line per paragraph or table row.

    Callers pass bytes `core.files.detection` has accepted as a DOCX (no macros, no zip bomb).
    """
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
        lines = list(_block_lines(document.element.body, document))
        seen: list = []
        for section in document.sections:
            for part in (
                section.header,
                section.footer,
                section.first_page_header,
                section.first_page_footer,
                section.even_page_header,
                section.even_page_footer,
            ):
                # A header linked to the previous section is the same part; read it once.
                if part.is_linked_to_previous or any(part._element is done for done in seen):
                    continue
                seen.append(part._element)
                lines += _block_lines(part._element, part)
    except Exception as exc:  # any parser failure on an uploaded file is bad input
        raise InvalidInput(
            _("无法读取该 Word 文档，文件可能已损坏，请用 Word 另存为 .docx 后重新上传。"),
            code="docx_unreadable",
        ) from exc
    return "\n".join(line for line in lines if line)


def _block_lines(element, parent) -> Iterator[str]:
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for child in element.iterchildren():
        if child.tag == f"{_W}p":
            yield from Paragraph(child, parent).text.split("\n")
        elif child.tag == f"{_W}tbl":
            for row in Table(child, parent).rows:
                seen: list = []
                cells = []
                for cell in row.cells:
                    # A merged cell repeats in every column it spans; read it once.
                    if any(cell._tc is done for done in seen):
                        continue
                    seen.append(cell._tc)
                    cells.append(" ".join(_block_lines(cell._tc, cell)))
                # Cells are kept apart by " | ", so digits of two cells never make one number.
                yield " | ".join(cells)
        elif child.tag == f"{_W}sdt":
            content = child.find(f"{_W}sdtContent")
            if content is not None:
                yield from _block_lines(content, parent)


def scan_docx(data: bytes, *, terms: Sequence[str] = ()) -> DocxScan:
    """The extracted text of a Word attachment and the hits in it."""
    text = docx_text(data)
    return DocxScan(text, scan_text(text, terms=terms))
