"""Side-by-side comparison of two versions of a draft, line by line (articles are lines)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    # "same", "changed", "added" (only on the right) or "removed" (only on the left)
    kind: str
    left: str
    right: str


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
                kind = "changed" if in_old and in_new else ("removed" if in_old else "added")
                rows.append(Row(kind, old[index] if in_old else "", new[index] if in_new else ""))
    return rows


def compare_versions(document, first: int, second: int) -> list[Row]:
    """Compare two saved versions of `document` by number (caller has authorised the read)."""
    texts = dict(document.versions.filter(number__in=[first, second]).values_list("number", "text"))
    return compare(texts.get(first, ""), texts.get(second, ""))
