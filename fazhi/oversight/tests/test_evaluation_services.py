"""The comprehensive evaluation's services: the hand computation, weights, versions, freezing,
ties, and the refusals that write nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from fazhi.core.errors import Conflict, InvalidInput, NotAllowed
from fazhi.core.models import Event
from fazhi.core.notify.models import Notification
from fazhi.oversight import indicators
from fazhi.oversight.models import Evaluation, EvaluationScheme, EvaluationScore, Visit
from fazhi.oversight.services import evaluation as services
from fazhi.oversight.tests.evaluation_fixtures import (
    YEAR_END,
    YEAR_START,
    active_scheme,
    bureau,
    fixed_data_set,
    supervisor,
    visit,
)

pytestmark = pytest.mark.django_db
W = services.IndicatorWeight


@pytest.fixture
def people(db):
    return bureau()


def computed(people, scheme, start=YEAR_START, end=YEAR_END):
    evaluation = services.evaluation_create(
        actor=people["officer"], scheme=scheme, period_start=start, period_end=end
    )
    return services.evaluation_compute(actor=people["officer"], evaluation=evaluation)


def scores(evaluation) -> dict[str, EvaluationScore]:
    rows = EvaluationScore.objects.filter(evaluation=evaluation).select_related(
        "department", "subdistrict"
    )
    return {str(row.department or row.subdistrict): row for row in rows}


def parts(score) -> dict[str, dict]:
    return {part["key"]: part for part in score.breakdown}


# --- The hand computation (Done-when) ---------------------------------------------------------


def test_department_scores_equal_the_hand_computation(people):
    # Given the fixed 2025 data set and the scheme 案卷评查 40 / 按期整改 30 / 明察暗访 30
    fixed_data_set(people)
    scheme = active_scheme(people["officer"], people["agency"])

    # When the legal office computes 2025
    evaluation = computed(people, scheme)

    # Then, by hand:
    found = scores(evaluation)
    assert set(found) == {"社会救助科", "社会事务科", "养老服务科"}  # 婚姻登记处: no data
    a, b, c = found["社会救助科"], found["社会事务科"], found["养老服务科"]

    # 社会救助科 (A)
    #   spot checks: (90 + 80) / (100 + 100) × 100 = 85.00 (the 2026 and the pending file out)
    #   rectification: on time 1 (closed 3/5 ≤ due 3/10) of 4 counted (6/20 > 6/10 late; due
    #     9/1 still open: late; due 2024-12-20 closed 2025-01-10: late) → 25.00
    #   visits: (45 + 40) / (50 + 50) × 100 = 85.00
    #   total: (40 × 85 + 30 × 25 + 30 × 85) / 100 = (3400 + 750 + 2550) / 100 = 67.00
    assert parts(a)["spot_check_score"]["value"] == "85.00"
    assert parts(a)["spot_check_score"]["basis"] == {
        "reviewed": 2,
        "vetoed": 0,
        "points": 170,
        "max_points": 200,
    }
    assert parts(a)["rectification_on_time"]["value"] == "25.00"
    assert parts(a)["rectification_on_time"]["basis"] == {
        "counted": 4,
        "on_time": 1,
        "closed_late": 2,
        "overdue_open": 1,
    }
    assert parts(a)["visit_score"]["value"] == "85.00"
    assert parts(a)["visit_score"]["basis"] == {"visits": 2, "points": 85, "max_points": 100}
    assert [parts(a)[k]["weighted"] for k in parts(a)] == ["34.00", "7.50", "25.50"]
    assert a.total == Decimal("67.00")

    # 社会事务科 (B)
    #   spot checks: 95 + 0 (vetoed, its 70 points do not count) of 200 → 47.50
    #   rectification: 5/5 closed 5/5 (on the day: on time), 11/1 before 11/30 → 2/2 = 100.00
    #   visits: 30 / 50 = 60.00 (the 2024-12-31 visit is before the period)
    #   total: (40 × 47.5 + 30 × 100 + 30 × 60) / 100 = (1900 + 3000 + 1800) / 100 = 67.00
    assert parts(b)["spot_check_score"]["value"] == "47.50"
    assert parts(b)["spot_check_score"]["basis"]["vetoed"] == 1
    assert parts(b)["rectification_on_time"]["value"] == "100.00"
    assert parts(b)["visit_score"]["value"] == "60.00"
    assert b.total == Decimal("67.00")

    # 养老服务科 (C): no rectification in 2025, so its 30 are redistributed over 40 + 30 = 70
    #   spot checks: 70 / 100 = 70.00; visits: (48 + 50) / 100 = 98.00
    #   total: (40 × 70 + 30 × 98) / 70 = (2800 + 2940) / 70 = 5740 / 70 = 82.00
    #   effective weights 40 × 100 / 70 = 57.14, 30 × 100 / 70 = 42.86;
    #   weighted 57.142857 × 70 / 100 = 40.00 and 42.857142 × 98 / 100 = 42.00
    assert c.total == Decimal("82.00")
    assert parts(c)["rectification_on_time"] == {
        "key": "rectification_on_time",
        "label": "按期整改率",
        "weight": "30.00",
        "effective_weight": "0.00",
        "value": None,
        "weighted": None,
        "basis": {},
    }
    assert parts(c)["spot_check_score"]["effective_weight"] == "57.14"
    assert parts(c)["spot_check_score"]["weighted"] == "40.00"
    assert parts(c)["visit_score"]["effective_weight"] == "42.86"
    assert parts(c)["visit_score"]["weighted"] == "42.00"

    # Ranks: C 82.00 first; A and B tie at 67.00 and share 2nd.
    assert (c.rank, a.rank, b.rank) == (1, 2, 2)
    assert evaluation.state == Evaluation.State.COMPUTED


def test_subdistrict_scores_equal_the_hand_computation(people):
    fixed_data_set(people)
    scheme = active_scheme(
        people["officer"], people["agency"], name="街道综合考评", unit_kind="subdistrict"
    )
    evaluation = computed(people, scheme)
    found = scores(evaluation)
    assert set(found) == {"东湖街道", "北塘镇"}
    s1, s2 = found["东湖街道"], found["北塘镇"]

    # 东湖街道 (S1)
    #   rectification (by the finding's subdistrict): on time 3/5 and 11/1, late 6/20 → 2/3
    #     = 66.666… → 66.67
    #   visits: (45 + 48) / 100 = 93.00
    #   committee: on time 3 of (3 + late 1 + missing 0); December pending, out → 75.00
    #   total: (30 × 66.67 + 30 × 93 + 40 × 75) / 100 = (2000.1 + 2790 + 3000) / 100
    #     = 77.901 → 77.90
    assert parts(s1)["rectification_on_time"]["value"] == "66.67"
    assert parts(s1)["visit_score"]["value"] == "93.00"
    assert parts(s1)["committee_timeliness"]["value"] == "75.00"
    assert parts(s1)["committee_timeliness"]["basis"] == {"on_time": 3, "late": 1, "missing": 0}
    assert s1.total == Decimal("77.90")

    # 北塘镇 (S2)
    #   rectification: 5/5 on time, due 9/1 still open → 1/2 = 50.00
    #   visits: (30 + 50) / 100 = 80.00
    #   committee: 1 of (1 + 1 + 1) = 33.333… → 33.33 (the 2024 result is before)
    #   total: (30 × 50 + 30 × 80 + 40 × 33.33) / 100 = (1500 + 2400 + 1333.2) / 100
    #     = 52.332 → 52.33
    assert parts(s2)["rectification_on_time"]["value"] == "50.00"
    assert parts(s2)["visit_score"]["value"] == "80.00"
    assert parts(s2)["committee_timeliness"]["value"] == "33.33"
    assert s2.total == Decimal("52.33")
    assert (s1.rank, s2.rank) == (1, 2)


# --- Schemes -------------------------------------------------------------------------------------


def test_weights_that_do_not_add_up_to_100_are_refused_with_the_sum(people):
    scheme = services.scheme_create(
        actor=people["officer"],
        agency=people["agency"],
        name="科室考评",
        unit_kind="department",
        indicators=[W("spot_check_score", 40), W("visit_score", "30.5")],
    )
    with pytest.raises(InvalidInput) as refused:
        services.scheme_activate(actor=people["officer"], scheme=scheme)
    assert refused.value.code == "weights_not_100"
    assert "70.5" in str(refused.value.message)
    scheme.refresh_from_db()
    assert scheme.state == EvaluationScheme.State.DRAFT
    # Edited to 69.5 + 30.5 it activates and is locked.
    services.scheme_update(
        actor=people["officer"],
        scheme=scheme,
        indicators=[W("spot_check_score", "69.5"), W("visit_score", "30.5")],
    )
    services.scheme_activate(actor=people["officer"], scheme=scheme)
    scheme.refresh_from_db()
    assert scheme.state == EvaluationScheme.State.ACTIVE and scheme.activated_at
    with pytest.raises(Conflict):
        services.scheme_update(actor=people["officer"], scheme=scheme, name="别的名字")


@pytest.mark.parametrize(
    ("unit_kind", "rows", "code"),
    [
        ("department", [W("committee_timeliness", 100)], "indicator_not_applicable"),
        ("subdistrict", [W("spot_check_score", 100)], "indicator_not_applicable"),
        ("department", [W("no_such_indicator", 100)], "unknown_indicator"),
        ("department", [W("visit_score", 50), W("visit_score", 50)], "duplicate_indicator"),
        ("department", [W("visit_score", 0)], "invalid_weight"),
        ("department", [W("visit_score", "100.001")], "invalid_weight"),
        ("department", [W("visit_score", "12.345")], "invalid_weight"),
        ("department", [W("visit_score", "abc")], "invalid_weight"),
        ("department", [W("visit_score", "NaN")], "invalid_weight"),
        ("city", [W("visit_score", 100)], "invalid_unit_kind"),
    ],
)
def test_bad_indicator_rows_are_refused_and_nothing_is_saved(people, unit_kind, rows, code):
    with pytest.raises(InvalidInput) as refused:
        services.scheme_create(
            actor=people["officer"],
            agency=people["agency"],
            name="考评",
            unit_kind=unit_kind,
            indicators=rows,
        )
    assert refused.value.code == code
    assert not EvaluationScheme.objects.exists()


def test_an_empty_scheme_cannot_be_activated(people):
    scheme = services.scheme_create(
        actor=people["officer"], agency=people["agency"], name="空方案", unit_kind="department"
    )
    with pytest.raises(InvalidInput) as refused:
        services.scheme_activate(actor=people["officer"], scheme=scheme)
    assert refused.value.code == "no_indicators"


def test_a_name_is_used_once_per_agency(people):
    active_scheme(people["officer"], people["agency"], name="科室考评")
    with pytest.raises(Conflict) as refused:
        services.scheme_create(
            actor=people["officer"],
            agency=people["agency"],
            name="科室考评",
            unit_kind="department",
        )
    assert refused.value.code == "scheme_name_taken"


def test_a_new_version_copies_and_activating_it_retires_the_old(people):
    officer = people["officer"]
    fixed_data_set(people)
    first = active_scheme(officer, people["agency"], name="科室考评")
    used = computed(people, first)

    second = services.scheme_new_version(actor=officer, scheme=first)
    assert (second.version, second.previous_id, second.state) == (2, first.pk, "draft")
    assert [(i.key, i.weight) for i in second.indicators.all()] == [
        ("spot_check_score", Decimal("40.00")),
        ("rectification_on_time", Decimal("30.00")),
        ("visit_score", Decimal("30.00")),
    ]
    # One draft at a time; a draft is edited, not versioned.
    with pytest.raises(Conflict):
        services.scheme_new_version(actor=officer, scheme=first)
    with pytest.raises(Conflict):
        services.scheme_new_version(actor=officer, scheme=second)
    # The new version keeps the name.
    with pytest.raises(InvalidInput):
        services.scheme_update(actor=officer, scheme=second, name="改名")

    services.scheme_update(
        actor=officer,
        scheme=second,
        indicators=[W("spot_check_score", 50), W("visit_score", 50)],
    )
    services.scheme_activate(actor=officer, scheme=second)
    first.refresh_from_db()
    assert first.state == EvaluationScheme.State.RETIRED
    # The evaluation that used version 1 keeps it; a new one needs the active version.
    used.refresh_from_db()
    assert used.scheme_id == first.pk
    with pytest.raises(Conflict) as refused:
        services.evaluation_create(
            actor=officer, scheme=first, period_start=YEAR_START, period_end=YEAR_END
        )
    assert refused.value.code == "scheme_not_active"
    # And the old evaluation can still be recomputed with version 1's weights.
    services.evaluation_compute(actor=officer, evaluation=used)
    assert scores(used)["养老服务科"].total == Decimal("82.00")
    # Only the latest version can be versioned again.
    with pytest.raises(Conflict) as refused:
        services.scheme_new_version(actor=officer, scheme=first)
    assert refused.value.code == "not_latest_version"
    third = services.scheme_new_version(actor=officer, scheme=second)
    assert third.version == 3


# --- Evaluations ---------------------------------------------------------------------------------


def test_a_published_evaluation_is_frozen(people):
    officer = people["officer"]
    data = fixed_data_set(people)
    scheme = active_scheme(officer, people["agency"])
    evaluation = computed(people, scheme)
    with pytest.raises(Conflict) as refused:
        services.evaluation_create(
            actor=officer, scheme=scheme, period_start=YEAR_START, period_end=YEAR_END
        )
    assert refused.value.code == "evaluation_exists"
    services.evaluation_publish(actor=officer, evaluation=evaluation)
    evaluation.refresh_from_db()
    assert evaluation.state == Evaluation.State.PUBLISHED and evaluation.published_at
    before = {k: (s.total, s.rank, s.breakdown) for k, s in scores(evaluation).items()}

    # When the records change (a poor visit to 养老服务科 in the period)
    visit(
        supervisor(people["agency"]),
        data["c"],
        points=0,
        out_of=50,
        on=dt.date(2025, 10, 1),
        filed_by=officer,
    )
    # Then recomputing and editing are refused, and the stored result stands
    with pytest.raises(Conflict):
        services.evaluation_compute(actor=officer, evaluation=evaluation)
    with pytest.raises(Conflict):
        services.evaluation_update(actor=officer, evaluation=evaluation, title="新名称")
    with pytest.raises(Conflict):
        services.evaluation_publish(actor=officer, evaluation=evaluation)
    after = {k: (s.total, s.rank, s.breakdown) for k, s in scores(evaluation).items()}
    assert after == before
    # While a computed one is recomputed from the records as they are now.
    assert Visit.objects.filter(department=data["c"]).count() == 3


def test_recompute_follows_the_records_until_published(people):
    officer = people["officer"]
    data = fixed_data_set(people)
    evaluation = computed(people, active_scheme(officer, people["agency"]))
    visit(
        supervisor(people["agency"]),
        data["c"],
        points=0,
        out_of=100,
        on=dt.date(2025, 10, 1),
        filed_by=officer,
    )
    services.evaluation_compute(actor=officer, evaluation=evaluation)
    # visits now 98 / 200 = 49.00; (40 × 70 + 30 × 49) / 70 = (2800 + 1470) / 70 = 61.00
    c = scores(evaluation)["养老服务科"]
    assert c.total == Decimal("61.00")
    # 67.00 (A, B) are now above C
    assert sorted(s.rank for s in scores(evaluation).values()) == [1, 1, 3]
    assert EvaluationScore.objects.filter(evaluation=evaluation).count() == 3


def test_publishing_needs_a_computation_and_tells_leaders_and_heads(people):
    officer = people["officer"]
    fixed_data_set(people)
    scheme = active_scheme(officer, people["agency"])
    evaluation = services.evaluation_create(
        actor=officer, scheme=scheme, period_start=YEAR_START, period_end=YEAR_END
    )
    with pytest.raises(Conflict) as refused:
        services.evaluation_publish(actor=officer, evaluation=evaluation)
    assert refused.value.code == "not_computed"
    services.evaluation_compute(actor=officer, evaluation=evaluation)
    services.evaluation_publish(actor=officer, evaluation=evaluation)
    told = set(
        Notification.objects.filter(kind="oversight_evaluation_published").values_list(
            "recipient_id", flat=True
        )
    )
    assert told == {people["leader"].pk, people["head"].pk}
    verbs = list(
        Event.objects.filter(verb__startswith="oversight.evaluation.")
        .order_by("seq")
        .values_list("verb", flat=True)
    )
    assert verbs == [
        "oversight.evaluation.scheme_create",
        "oversight.evaluation.scheme_activate",
        "oversight.evaluation.create",
        "oversight.evaluation.compute",
        "oversight.evaluation.publish",
    ]


@pytest.mark.parametrize(
    ("start", "end", "code"),
    [
        (dt.date(2025, 12, 31), dt.date(2025, 1, 1), "period_order"),
        (dt.date(1999, 1, 1), dt.date(1999, 12, 31), "period_too_early"),
        (dt.date(2020, 1, 1), dt.date(2025, 12, 31), "period_too_long"),
        (None, dt.date(2025, 12, 31), "period_required"),
    ],
)
def test_bad_periods_are_refused(people, start, end, code):
    scheme = active_scheme(people["officer"], people["agency"])
    with pytest.raises(InvalidInput) as refused:
        services.evaluation_create(
            actor=people["officer"], scheme=scheme, period_start=start, period_end=end
        )
    assert refused.value.code == code
    assert not Evaluation.objects.exists()


def test_a_period_not_yet_ended_is_refused(people):
    scheme = active_scheme(people["officer"], people["agency"])
    with pytest.raises(InvalidInput) as refused:
        services.evaluation_create(
            actor=people["officer"],
            scheme=scheme,
            period_start=dt.date(2025, 1, 1),
            period_end=dt.date(2025, 12, 31),
            today=dt.date(2025, 12, 30),
        )
    assert refused.value.code == "period_in_future"


def test_evaluating_a_draft_scheme_is_refused(people):
    scheme = services.scheme_create(
        actor=people["officer"],
        agency=people["agency"],
        name="草稿",
        unit_kind="department",
        indicators=[W("visit_score", 100)],
    )
    with pytest.raises(Conflict) as refused:
        services.evaluation_create(
            actor=people["officer"], scheme=scheme, period_start=YEAR_START, period_end=YEAR_END
        )
    assert refused.value.code == "scheme_not_active"


def test_changing_the_period_drops_the_computed_scores(people):
    officer = people["officer"]
    fixed_data_set(people)
    evaluation = computed(people, active_scheme(officer, people["agency"]))
    services.evaluation_update(
        actor=officer, evaluation=evaluation, period_start=dt.date(2025, 7, 1)
    )
    evaluation.refresh_from_db()
    assert evaluation.state == Evaluation.State.DRAFT
    assert not evaluation.scores.exists()


@pytest.mark.parametrize("role", ["leader", "head", "overseer", "clerk"])
def test_only_the_legal_office_writes(people, role):
    officer = people["officer"]
    actor = people[role]
    fixed_data_set(people)
    scheme = active_scheme(officer, people["agency"])
    evaluation = computed(people, scheme)
    calls = [
        lambda: services.scheme_create(
            actor=actor, agency=people["agency"], name="x", unit_kind="department"
        ),
        lambda: services.scheme_new_version(actor=actor, scheme=scheme),
        lambda: services.evaluation_create(
            actor=actor, scheme=scheme, period_start=YEAR_START, period_end=dt.date(2025, 6, 30)
        ),
        lambda: services.evaluation_compute(actor=actor, evaluation=evaluation),
        lambda: services.evaluation_publish(actor=actor, evaluation=evaluation),
    ]
    events = Event.objects.count()
    for call in calls:
        with pytest.raises(NotAllowed):
            call()
    assert Event.objects.count() == events
    assert EvaluationScheme.objects.count() == 1 and Evaluation.objects.count() == 1
    evaluation.refresh_from_db()
    assert evaluation.state == Evaluation.State.COMPUTED


def test_another_agencys_legal_office_may_not_write(people):
    scheme = active_scheme(people["officer"], people["agency"])
    stranger = bureau()["officer"]
    with pytest.raises(NotAllowed):
        services.evaluation_create(
            actor=stranger, scheme=scheme, period_start=YEAR_START, period_end=YEAR_END
        )


# --- The registry --------------------------------------------------------------------------------


def test_a_later_module_registers_its_indicator_and_schemes_use_it(people):
    # Given an indicator registered from outside (as the services module will)
    data = fixed_data_set(people)

    def satisfaction(agency, start, end, unit_kind):
        return {data["a"].pk: indicators.IndicatorValue(Decimal("90"), {"ratings": 10})}

    indicators.register_indicator(
        indicators.Indicator("test_satisfaction", "满意度", ("department",), satisfaction, "测试用")
    )
    try:
        with pytest.raises(ValueError):
            indicators.register_indicator(
                indicators.Indicator("test_satisfaction", "重复", ("department",), satisfaction)
            )
        scheme = active_scheme(
            people["officer"],
            people["agency"],
            weights=[("test_satisfaction", 50), ("visit_score", 50)],
        )
        evaluation = computed(people, scheme)
        # A: (50 × 90 + 50 × 85) / 100 = 87.50; B: visits only, 60.00; C: visits only 98.00
        found = scores(evaluation)
        assert found["社会救助科"].total == Decimal("87.50")
        assert parts(found["社会救助科"])["test_satisfaction"]["basis"] == {"ratings": 10}
        assert found["社会事务科"].total == Decimal("60.00")
        assert found["养老服务科"].total == Decimal("98.00")
    finally:
        indicators.unregister_indicator("test_satisfaction")


def test_an_indicator_value_outside_0_to_100_is_refused(people):
    data = fixed_data_set(people)

    def broken(agency, start, end, unit_kind):
        return {data["a"].pk: indicators.IndicatorValue(Decimal("120"), {})}

    indicators.register_indicator(
        indicators.Indicator("test_broken", "坏", ("department",), broken)
    )
    try:
        scheme = active_scheme(people["officer"], people["agency"], weights=[("test_broken", 100)])
        evaluation = services.evaluation_create(
            actor=people["officer"], scheme=scheme, period_start=YEAR_START, period_end=YEAR_END
        )
        with pytest.raises(Conflict) as refused:
            services.evaluation_compute(actor=people["officer"], evaluation=evaluation)
        assert refused.value.code == "indicator_out_of_range"
        assert not EvaluationScore.objects.exists()
    finally:
        indicators.unregister_indicator("test_broken")
