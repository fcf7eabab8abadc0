"""The draw of a spot check (双随机): pure functions, no database, so anyone can re-draw.

Everything a citizen needs to check a published draw is on the plan's public page: the seed,
the population (each file's reference and the unit that handled it), the method and sizes,
and the files drawn. The procedure, step by step:

1. Key of each file: ``sha256(f"{seed}:{ref}")`` as a lower-case hex string (UTF-8 bytes).
2. Strata: the files grouped by their unit (the unit's number); within each stratum the files
   are ordered by key, smallest first.
3. How many from each stratum:
   - by rate: ``ceil(n × rate / 100)`` for a stratum of n files;
   - by count: the total is shared out in proportion to the strata's sizes: each stratum
     first gets the whole part of ``count × n / N``; the files still missing go one each to
     the strata with the largest fractional parts (equal parts: smaller unit number first);
   - then each stratum is raised to the minimum per stratum, but never above its own size
     (so the total can exceed the count when small units are raised).
   A count larger than the population is refused, and so is an empty population.
4. The first k files (by key) of each stratum are drawn. The draw order of all drawn files
   is by key, smallest first.
5. Reviewers: for each drawn file in draw order, among the active pool members whose unit is
   not the file's unit, the one with the fewest files so far is picked; equal counts are
   decided by the smaller ``sha256(f"{seed}:reviewer:{ref}:{user_id}")``. When nobody is
   eligible the draw is refused, naming the unit.

The population digest ``sha256("\\n".join(sorted(refs)))`` pins the population a seed was used
for: the same seed may not be used again for a different population (otherwise a seed could
be tried against many populations until one gives the files somebody wants).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

RATE = "rate"
COUNT = "count"


class SamplingError(ValueError):
    """A draw that cannot be made; `code` is stable, `params` name what is wrong."""

    def __init__(self, code: str, **params):
        self.code = code
        self.params = params
        super().__init__(f"{code}: {params}")


@dataclass(frozen=True)
class File:
    ref: str
    stratum: int  # the unit (department) that handled the file


@dataclass(frozen=True)
class Reviewer:
    user_id: int
    stratum: int | None  # the reviewer's unit; None for one from outside the agency's units


@dataclass(frozen=True)
class Drawn:
    ref: str
    stratum: int
    order: int  # 1, 2, ... in draw order
    key: str


def file_key(seed: str, ref: str) -> str:
    return hashlib.sha256(f"{seed}:{ref}".encode()).hexdigest()


def reviewer_key(seed: str, ref: str, user_id: int) -> str:
    return hashlib.sha256(f"{seed}:reviewer:{ref}:{user_id}".encode()).hexdigest()


def population_digest(refs: Iterable[str]) -> str:
    return hashlib.sha256("\n".join(sorted(refs)).encode()).hexdigest()


def _strata(files: Sequence[File]) -> dict[int, list[str]]:
    seen: set[str] = set()
    strata: dict[int, list[str]] = {}
    for item in files:
        if item.ref in seen:
            raise SamplingError("duplicate_ref", ref=item.ref)
        seen.add(item.ref)
        strata.setdefault(item.stratum, []).append(item.ref)
    return strata


def stratum_sizes(
    sizes: dict[Hashable, int],
    *,
    method: str,
    rate: Decimal | None = None,
    count: int | None = None,
    min_per_stratum: int = 0,
) -> dict:
    """How many files to draw from each stratum, given each stratum's number of files."""
    total = sum(sizes.values())
    if total <= 0:
        raise SamplingError("empty_population")
    if min_per_stratum < 0:
        raise SamplingError("bad_minimum")
    if method == RATE:
        rate = Decimal(rate) if rate is not None else None
        if rate is None or not Decimal(0) < rate <= Decimal(100):
            raise SamplingError("bad_rate")
        # Decimal arithmetic: 10 × 30% is exactly 3, never 3.0000000000000004 → 4.
        quota = {key: math.ceil(Decimal(n) * rate / Decimal(100)) for key, n in sizes.items()}
    elif method == COUNT:
        if count is None or count <= 0:
            raise SamplingError("bad_count")
        if count > total:
            raise SamplingError("sample_too_large", count=count, population=total)
        exact = {key: Fraction(count * n, total) for key, n in sizes.items()}
        quota = {key: math.floor(share) for key, share in exact.items()}
        missing = count - sum(quota.values())
        by_remainder = sorted(sizes, key=lambda key: (-(exact[key] - quota[key]), key))
        for key in by_remainder[:missing]:
            quota[key] += 1
    else:
        raise SamplingError("bad_method")
    return {key: min(n, max(quota[key], min_per_stratum)) for key, n in sizes.items()}


def draw(
    files: Sequence[File],
    *,
    seed: str,
    method: str,
    rate: Decimal | None = None,
    count: int | None = None,
    min_per_stratum: int = 0,
) -> list[Drawn]:
    """The drawn files in draw order. The order of `files` does not matter."""
    if not seed:
        raise SamplingError("seed_required")
    strata = _strata(files)
    sizes = stratum_sizes(
        {key: len(refs) for key, refs in strata.items()},
        method=method,
        rate=rate,
        count=count,
        min_per_stratum=min_per_stratum,
    )
    chosen: list[tuple[str, str, int]] = []
    for stratum, refs in strata.items():
        keyed = sorted((file_key(seed, ref), ref) for ref in refs)
        chosen.extend((key, ref, stratum) for key, ref in keyed[: sizes[stratum]])
    chosen.sort()
    return [
        Drawn(ref=ref, stratum=stratum, order=i, key=key)
        for i, (key, ref, stratum) in enumerate(chosen, start=1)
    ]


def assign_reviewers(
    drawn: Sequence[Drawn], pool: Sequence[Reviewer], *, seed: str
) -> dict[str, int]:
    """{ref: reviewer user_id}; never a reviewer of the file's own unit."""
    load: dict[int, int] = {}
    units = {}
    for reviewer in pool:
        load[reviewer.user_id] = 0
        units[reviewer.user_id] = reviewer.stratum
    assigned: dict[str, int] = {}
    for item in sorted(drawn, key=lambda d: d.order):
        eligible = [uid for uid, unit in units.items() if unit != item.stratum]
        if not eligible:
            raise SamplingError("no_reviewer", stratum=item.stratum, ref=item.ref)
        best = min(eligible, key=lambda uid: (load[uid], reviewer_key(seed, item.ref, uid)))
        assigned[item.ref] = best
        load[best] += 1
    return assigned


# The snippet the public page shows (and a test runs, so it cannot drift from the code above).
PUBLIC_SNIPPET = '''import hashlib, math
from fractions import Fraction

def redraw(seed, files, method, rate=None, count=None, min_per_stratum=0):
    """files: [(ref, unit number)] as published; returns the drawn refs in draw order."""
    key = lambda ref: hashlib.sha256(f"{seed}:{ref}".encode()).hexdigest()
    strata = {}
    for ref, unit in files:
        strata.setdefault(unit, []).append(ref)
    n_total = len(files)
    if method == "rate":  # rate as a string such as "10" or "12.5"
        from decimal import Decimal
        quota = {u: math.ceil(Decimal(len(r)) * Decimal(rate) / 100) for u, r in strata.items()}
    else:
        exact = {u: Fraction(count * len(r), n_total) for u, r in strata.items()}
        quota = {u: math.floor(x) for u, x in exact.items()}
        order = sorted(strata, key=lambda u: (-(exact[u] - quota[u]), u))
        for u in order[: count - sum(quota.values())]:
            quota[u] += 1
    drawn = []
    for u, refs in strata.items():
        k = min(len(refs), max(quota[u], min_per_stratum))
        drawn += sorted(refs, key=key)[:k]
    return sorted(drawn, key=key)
'''
