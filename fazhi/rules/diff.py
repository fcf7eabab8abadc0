"""Side-by-side comparison of two versions of a draft, line by line (articles are lines).

A changed line also carries its character-level segments, so the page can mark exactly what was
deleted on the left and inserted on the right. The texts are plain data: templates escape them.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from fazhi.core.errors import InvalidInput

# One piece of a changed line: ("same" | "del" | "ins", text).
Segment = tuple[str, str]


@dataclass(frozen=True)
class Row:
    # "same", "changed", "added" (only on the right) or "removed" (only on the left)
    kind: str
    left: str
    right: str
    # For "changed" rows: the left line as same/del pieces, the right as same/ins pieces.
    left_segments: tuple[Segment, ...] = field(default=(), compare=False)
    right_segments: tuple[Segment, ...] = field(default=(), compare=False)


def inline(old: str, new: str) -> tuple[tuple[Segment, ...], tuple[Segment, ...]]:
    """Character-level pieces of two versions of one line (Chinese has no spaces to split on)."""
    left: list[Segment] = []
    right: list[Segment] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            _append(left, "same", old[i1:i2])
            _append(right, "same", new[j1:j2])
            continue
        _append(left, "del", old[i1:i2])
        _append(right, "ins", new[j1:j2])
    return tuple(left), tuple(right)


def _append(pieces: list[Segment], kind: str, text: str) -> None:
    """Add a piece, joining it to the last one of the same kind (an insertion on one side
    leaves two "same" pieces touching on the other)."""
    if not text:
        return
    if pieces and pieces[-1][0] == kind:
        pieces[-1] = (kind, pieces[-1][1] + text)
    else:
        pieces.append((kind, text))


def compare(left_text: str, right_text: str) -> list[Row]:
    left = left_text.splitlines()
    right = right_text.splitlines()
    rows: list[Row] = []
    matcher = difflib.SequenceMatcher(a=left, b=right, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            rows += [Row("same", line, line) for line in left[i1:i2]]
        elif tag == "delete":
            rows += [Row("removed", line, "") for line in left[i1:i2]]
        elif tag == "insert":
            rows += [Row("added", "", line) for line in right[j1:j2]]
        else:  # replace: pair lines up, the longer side's rest stands alone
            old, new = left[i1:i2], right[j1:j2]
            for index in range(max(len(old), len(new))):
                in_old, in_new = index < len(old), index < len(new)
                if in_old and in_new:
                    pieces = inline(old[index], new[index])
                    rows.append(Row("changed", old[index], new[index], *pieces))
                elif in_old:
                    rows.append(Row("removed", old[index], ""))
                else:
                    rows.append(Row("added", "", new[index]))
    return rows


def summary(rows: list[Row]) -> dict[str, int]:
    """How many lines were changed, added and removed (for the page's heading)."""
    counts = {"changed": 0, "added": 0, "removed": 0}
    for row in rows:
        if row.kind in counts:
            counts[row.kind] += 1
    return counts


def compare_versions(document, first: int, second: int) -> list[Row]:
    """Compare two saved versions of `document` by number (caller has authorised the read).

    Raises InvalidInput (code "version_missing", params `missing`) when either does not exist.
    """
    texts = dict(document.versions.filter(number__in=[first, second]).values_list("number", "text"))
    missing = [n for n in dict.fromkeys((first, second)) if n not in texts]
    if missing:
        raise InvalidInput(
            _("版本不存在：第 %(numbers)s 稿。") % {"numbers": "、".join(map(str, missing))},
            code="version_missing",
            missing=missing,
        )
    return compare(texts[first], texts[second])
