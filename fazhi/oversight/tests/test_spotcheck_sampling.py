"""Properties of the draw (sampling.py): sizes per stratum, the minimum per stratum,
determinism, independence from the order of the input, refusal of impossible samples, and the
reviewer rule (never of the file's unit) over random pools. No database."""

from __future__ import annotations

import hashlib
import math
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from fazhi.oversight import sampling
from fazhi.oversight.sampling import File, Reviewer, SamplingError

units = st.integers(min_value=1, max_value=6)
seeds = st.text(alphabet="0123456789abcdef", min_size=1, max_size=32)


@st.composite
def populations(draw, min_size=1, max_size=60):
    n = draw(st.integers(min_value=min_size, max_value=max_size))
    refs = draw(st.lists(st.integers(1, 10_000), min_size=n, max_size=n, unique=True))
    return [File(f"normative.documents:{r}", draw(units)) for r in refs]


def by_unit(files):
    found = {}
    for f in files:
        found[f.stratum] = found.get(f.stratum, 0) + 1
    return found


def drawn_by_unit(drawn):
    found = {}
    for d in drawn:
        found[d.stratum] = found.get(d.stratum, 0) + 1
    return found


rates = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(100), places=2)


@given(populations(), seeds, rates, st.integers(0, 5))
def test_by_rate_each_unit_gets_the_ceiling_of_its_share_raised_to_the_minimum(
    files, seed, rate, minimum
):
    drawn = sampling.draw(files, seed=seed, method="rate", rate=rate, min_per_stratum=minimum)
    got = drawn_by_unit(drawn)
    for unit, n in by_unit(files).items():
        expected = min(n, max(math.ceil(Decimal(n) * rate / 100), minimum))
        assert got.get(unit, 0) == expected


def test_rate_arithmetic_is_exact():
    # 10 files at 30% is 3, not 4 (a float would give 3.0000000000000004 and ceil to 4).
    files = [File(f"x:{i}", 1) for i in range(10)]
    assert len(sampling.draw(files, seed="s", method="rate", rate=Decimal("30"))) == 3
    assert len(sampling.draw(files, seed="s", method="rate", rate=Decimal("30.01"))) == 4


@given(populations(), seeds, st.data())
def test_by_count_the_total_is_shared_in_proportion(files, seed, data):
    count = data.draw(st.integers(1, len(files)))
    drawn = sampling.draw(files, seed=seed, method="count", count=count, min_per_stratum=0)
    assert len(drawn) == count
    total = len(files)
    got = drawn_by_unit(drawn)
    for unit, n in by_unit(files).items():
        share = Fraction(count * n, total)
        assert math.floor(share) <= got.get(unit, 0) <= math.ceil(share)


@given(populations(), seeds, st.data(), st.integers(1, 5))
def test_the_minimum_per_unit_is_met_but_never_beyond_the_units_size(files, seed, data, minimum):
    count = data.draw(st.integers(1, len(files)))
    drawn = sampling.draw(files, seed=seed, method="count", count=count, min_per_stratum=minimum)
    got = drawn_by_unit(drawn)
    for unit, n in by_unit(files).items():
        assert got.get(unit, 0) >= min(n, minimum)
        assert got.get(unit, 0) <= n
    assert len(drawn) >= count


def test_largest_remainder_ties_go_to_the_smaller_unit_number():
    # Three units of 2 files, 4 drawn: shares 4/3 each; one whole each, one left; all
    # remainders equal, so unit 1 gets it.
    files = [File(f"x:{u}{i}", u) for u in (3, 1, 2) for i in range(2)]
    assert drawn_by_unit(sampling.draw(files, seed="a", method="count", count=4)) == {
        1: 2,
        2: 1,
        3: 1,
    }


@given(populations(), seeds, st.randoms(use_true_random=False), st.data())
def test_the_draw_is_deterministic_and_ignores_the_input_order(files, seed, rnd, data):
    count = data.draw(st.integers(1, len(files)))
    shuffled = list(files)
    rnd.shuffle(shuffled)
    first = sampling.draw(files, seed=seed, method="count", count=count, min_per_stratum=1)
    again = sampling.draw(shuffled, seed=seed, method="count", count=count, min_per_stratum=1)
    assert first == again
    assert [d.order for d in first] == list(range(1, len(first) + 1))


@given(populations(), seeds, rates)
def test_within_each_unit_the_files_with_the_smallest_keys_are_drawn(files, seed, rate):
    drawn = sampling.draw(files, seed=seed, method="rate", rate=rate)
    chosen = {d.ref for d in drawn}
    for unit in by_unit(files):
        keys = sorted(
            (hashlib.sha256(f"{seed}:{f.ref}".encode()).hexdigest(), f.ref)
            for f in files
            if f.stratum == unit
        )
        k = sum(1 for d in drawn if d.stratum == unit)
        assert {ref for _, ref in keys[:k]} <= chosen
        assert not ({ref for _, ref in keys[k:]} & chosen)
    assert [d.key for d in drawn] == sorted(d.key for d in drawn)


def test_another_seed_draws_other_files():
    files = [File(f"x:{i}", 1 + i % 3) for i in range(60)]
    one = sampling.draw(files, seed="one", method="count", count=6)
    two = sampling.draw(files, seed="two", method="count", count=6)
    assert {d.ref for d in one} != {d.ref for d in two}


@given(populations(max_size=20), seeds, st.integers(1, 10))
def test_a_sample_larger_than_its_population_is_refused(files, seed, extra):
    with pytest.raises(SamplingError) as refused:
        sampling.draw(files, seed=seed, method="count", count=len(files) + extra)
    assert refused.value.code == "sample_too_large"
    assert refused.value.params == {"count": len(files) + extra, "population": len(files)}


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"method": "count", "count": 1, "files": []}, "empty_population"),
        ({"method": "count", "count": 0}, "bad_count"),
        ({"method": "rate", "rate": Decimal(0)}, "bad_rate"),
        ({"method": "rate", "rate": Decimal("100.01")}, "bad_rate"),
        ({"method": "lottery"}, "bad_method"),
        ({"method": "count", "count": 1, "seed": ""}, "seed_required"),
        (
            {"method": "count", "count": 1, "files": [File("x:1", 1), File("x:1", 2)]},
            "duplicate_ref",
        ),
    ],
)
def test_bad_parameters_are_refused(kwargs, code):
    kwargs = {"files": [File("x:1", 1), File("x:2", 2)], "seed": "s", **kwargs}
    files = kwargs.pop("files")
    with pytest.raises(SamplingError) as refused:
        sampling.draw(files, **kwargs)
    assert refused.value.code == code


@st.composite
def pools(draw):
    size = draw(st.integers(0, 8))
    ids = draw(st.lists(st.integers(1, 500), min_size=size, max_size=size, unique=True))
    return [Reviewer(uid, draw(st.one_of(st.none(), units))) for uid in ids]


@given(populations(max_size=40), pools(), seeds, rates)
def test_no_reviewer_ever_reviews_a_file_of_the_own_unit(files, pool, seed, rate):
    drawn = sampling.draw(files, seed=seed, method="rate", rate=rate)
    unit_of = {r.user_id: r.stratum for r in pool}
    impossible = {d.stratum for d in drawn if all(r.stratum == d.stratum for r in pool)}
    if impossible:
        with pytest.raises(SamplingError) as refused:
            sampling.assign_reviewers(drawn, pool, seed=seed)
        assert refused.value.code == "no_reviewer"
        assert refused.value.params["stratum"] in impossible
        return
    assigned = sampling.assign_reviewers(drawn, pool, seed=seed)
    assert set(assigned) == {d.ref for d in drawn}
    for d in drawn:
        assert unit_of[assigned[d.ref]] != d.stratum


@given(populations(max_size=40), seeds)
def test_reviewers_share_the_work_evenly_when_all_may_review_everything(files, seed):
    pool = [Reviewer(uid, None) for uid in (7, 8, 9)]
    drawn = sampling.draw(files, seed=seed, method="rate", rate=Decimal(100))
    loads = {}
    for uid in sampling.assign_reviewers(drawn, pool, seed=seed).values():
        loads[uid] = loads.get(uid, 0) + 1
    assert max(loads.values()) - min(loads.get(u, 0) for u in (7, 8, 9)) <= 1


def test_the_reviewer_tie_is_decided_by_the_published_hash():
    drawn = [sampling.Drawn("x:1", 1, 1, "k")]
    pool = [Reviewer(5, 2), Reviewer(6, 3)]
    keys = {uid: hashlib.sha256(f"s:reviewer:x:1:{uid}".encode()).hexdigest() for uid in (5, 6)}
    assert sampling.assign_reviewers(drawn, pool, seed="s") == {"x:1": min(keys, key=keys.get)}


@given(st.lists(st.text(min_size=1, max_size=10), unique=True), st.randoms(use_true_random=False))
def test_the_population_digest_ignores_the_order(refs, rnd):
    shuffled = list(refs)
    rnd.shuffle(shuffled)
    assert sampling.population_digest(refs) == sampling.population_digest(shuffled)
    assert (
        sampling.population_digest(refs)
        == hashlib.sha256("\n".join(sorted(refs)).encode()).hexdigest()
    )


@given(populations(), seeds, st.data())
def test_the_published_snippet_redraws_the_same_files(files, seed, data):
    """The Python a citizen copies from the portal gives what the system drew."""
    namespace: dict = {}
    exec(sampling.PUBLIC_SNIPPET, namespace)  # noqa: S102 - our own published text
    minimum = data.draw(st.integers(0, 3))
    if data.draw(st.booleans()):
        rate = data.draw(rates)
        kwargs = {"method": "rate", "rate": rate}
        snippet = namespace["redraw"](
            seed,
            [(f.ref, f.stratum) for f in files],
            "rate",
            rate=str(rate),
            min_per_stratum=minimum,
        )
    else:
        count = data.draw(st.integers(1, len(files)))
        kwargs = {"method": "count", "count": count}
        snippet = namespace["redraw"](
            seed, [(f.ref, f.stratum) for f in files], "count", count=count, min_per_stratum=minimum
        )
    drawn = sampling.draw(files, seed=seed, min_per_stratum=minimum, **kwargs)
    assert snippet == [d.ref for d in drawn]
    assume(drawn)
