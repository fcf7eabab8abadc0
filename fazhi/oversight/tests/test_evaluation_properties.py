"""Properties of the scoring rule (hypothesis): whatever the weights and values, every total is
within 0–100, ranks follow the totals (higher total, better rank; equal totals, equal rank;
competition ranking 1, 2, 2, 4), and a unit with every value gets Σ weight × value / 100."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from fazhi.oversight.indicators import IndicatorValue, percent
from fazhi.oversight.services.evaluation import combine

CENT = Decimal("0.01")
values = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False)
weights = st.decimals(
    min_value=Decimal("0.01"), max_value=100, places=2, allow_nan=False, allow_infinity=False
)


@st.composite
def schemes_and_values(draw):
    n = draw(st.integers(min_value=1, max_value=5))
    keys = [f"k{i}" for i in range(n)]
    rows = [(k, k, draw(weights)) for k in keys]
    units = draw(st.lists(st.integers(1, 40), min_size=1, max_size=12, unique=True))
    per_key = {
        k: {
            u: IndicatorValue(draw(values), {})
            for u in units
            if draw(st.booleans()) or k == keys[0]
        }
        for k in keys
    }
    return rows, per_key


@settings(max_examples=300, deadline=None)
@given(schemes_and_values())
def test_totals_are_within_0_to_100_and_ranks_follow_totals(case):
    rows, per_key = case
    results = combine(rows, per_key)
    assert {r.unit_id for r in results} == {u for d in per_key.values() for u in d}
    for r in results:
        assert Decimal(0) <= r.total <= Decimal(100)
        assert r.total == r.total.quantize(CENT)
    for a in results:
        for b in results:
            if a.total > b.total:
                assert a.rank < b.rank
            if a.total == b.total:
                assert a.rank == b.rank
    # Competition ranking: a unit's rank is 1 + the number of units scoring strictly higher.
    for a in results:
        assert a.rank == 1 + sum(1 for b in results if b.total > a.total)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(weights, values), min_size=1, max_size=6))
def test_with_every_value_the_total_is_the_weighted_sum_over_100(pairs):
    total_weight = sum(w for w, _ in pairs)
    rows = [(f"k{i}", "", w * 100 / total_weight) for i, (w, _) in enumerate(pairs)]
    # Scale the weights to add up to exactly 100 (as an active scheme's do) and check.
    rows = [(k, label, w.quantize(CENT)) for k, label, w in rows]
    drift = Decimal(100) - sum(w for _, _, w in rows)
    k0, l0, w0 = rows[0]
    rows[0] = (k0, l0, w0 + drift)
    if any(w <= 0 for _, _, w in rows):
        return
    per_key = {k: {7: IndicatorValue(v, {})} for (k, _, _), (_, v) in zip(rows, pairs, strict=True)}
    (result,) = combine(rows, per_key)
    expected = (sum(w * per_key[k][7].value for k, _, w in rows) / Decimal(100)).quantize(
        CENT, rounding=ROUND_HALF_UP
    )
    assert result.total == expected


@given(st.integers(0, 10**6), st.integers(1, 10**6))
def test_percent_stays_within_0_to_100(part, whole):
    value = percent(min(part, whole), whole)
    assert Decimal(0) <= value <= Decimal(100)
