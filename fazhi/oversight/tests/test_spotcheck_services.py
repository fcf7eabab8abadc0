"""Services of spot checks: checklists, the pool, plans, the draw (reproducible from its seed),
reviews (rating, veto, the finding for 不合格) and the refusals of bad input."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from fazhi.core.errors import Conflict, InvalidInput, NotAllowed
from fazhi.core.models import Event
from fazhi.core.notify.models import Notification
from fazhi.oversight import sampling
from fazhi.oversight.models import (
    Checklist,
    Finding,
    ReviewerPoolMember,
    ReviewScore,
    SampledFile,
    SamplingPlan,
)
from fazhi.oversight.populations import population
from fazhi.oversight.services import spotchecks as services
from fazhi.oversight.tests.spotcheck_fixtures import (  # noqa: F401 - fixture
    ITEMS,
    POINTS,
    Q1,
    VETO,
    answers_for,
    bureau_fixture,
    checklist,
    documents,
    issue,
    plan,
    pool,
)


def drawn_plan(bureau, *, per_unit=None, seed="", **kw):
    documents(bureau, per_unit or {"relief": 6, "affairs": 4, "office": 2})
    pool(bureau)
    made = plan(bureau, checklist=checklist(bureau), **kw)
    return services.plan_draw(actor=bureau["officer"], plan=made, seed=seed)


# --- Done when: re-drawing a published sample from its seed and plan gives the same files ---


def test_redrawing_a_published_plan_from_its_seed_gives_the_same_files(bureau):
    published = drawn_plan(bureau, count=5, seed="20250401")
    stored = list(
        SampledFile.objects.filter(plan=published)
        .order_by("draw_order")
        .values_list("case_ref", "department_id", "reviewer_id")
    )
    assert len(stored) == 5

    # A fresh computation: the plan read back from the database, the population listed again
    # by the module that owns the documents, the draw made again from the published seed.
    fresh = SamplingPlan.objects.get(pk=published.pk)
    source = population(fresh.population)
    files = source.files(fresh.agency, fresh.period_start, fresh.period_end)
    assert sampling.population_digest(f.ref for f in files) == fresh.population_digest
    again = sampling.draw(
        [sampling.File(f.ref, f.department_id) for f in reversed(files)],
        seed=fresh.seed,
        method=fresh.method,
        count=fresh.count,
        rate=fresh.rate,
        min_per_stratum=fresh.min_per_stratum,
    )
    assert [(d.ref, d.stratum) for d in again] == [(ref, unit) for ref, unit, _ in stored]

    check = services.plan_redraw_check(fresh)
    assert check.same, check
    assert check.missing == check.extra == check.reviewer_differs == []


def test_the_redraw_check_notices_a_tampered_draw(bureau):
    published = drawn_plan(bureau, count=5, seed="abc")
    first = SampledFile.objects.filter(plan=published).order_by("draw_order").first()
    not_drawn = next(
        row["ref"]
        for row in published.population_snapshot
        if not SampledFile.objects.filter(plan=published, case_ref=row["ref"]).exists()
    )
    SampledFile.objects.filter(pk=first.pk).update(case_ref=not_drawn)
    check = services.plan_redraw_check(published)
    assert not check.same
    assert check.missing == [not_drawn]
    assert check.extra == [first.case_ref]


def test_the_draw_publishes_seed_population_and_files_and_tells_the_reviewers(bureau):
    published = drawn_plan(bureau, method="rate", rate=Decimal(50), count=None)
    assert published.state == SamplingPlan.State.DRAWN
    assert len(published.seed) == 32  # secrets.token_hex(16)
    assert published.population_size == 12
    assert len(published.population_snapshot) == 12
    assert {row["unit_name"] for row in published.population_snapshot} == {
        "社会救助科",
        "社会事务科",
        "办公室（法制办）",
    }
    files = SampledFile.objects.filter(plan=published)
    # 50% of 6, 4 and 2, rounded up.
    assert files.count() == 3 + 2 + 1
    assert Checklist.objects.get(pk=published.checklist_id).locked
    reviewers = set(files.values_list("reviewer_id", flat=True))
    told = set(
        Notification.objects.filter(kind="oversight_spot_check").values_list(
            "recipient_id", flat=True
        )
    )
    assert told == reviewers
    assert Event.objects.filter(
        verb="oversight.spot_checks.plan_draw", target_id=str(published.pk)
    ).exists()


def test_no_file_goes_to_a_reviewer_of_its_own_unit(bureau):
    published = drawn_plan(bureau, method="rate", rate=Decimal(100), count=None)
    units = dict(
        ReviewerPoolMember.objects.filter(agency=bureau["agency"]).values_list(
            "user_id", "department_id"
        )
    )
    assert units[bureau["officer"].pk] == bureau["office"].pk
    assert units[bureau["adviser"].pk] is None
    for f in SampledFile.objects.filter(plan=published):
        assert units[f.reviewer_id] != f.department_id


# --- bad input ------------------------------------------------------------------------------


def test_a_sample_larger_than_its_population_is_refused_and_nothing_is_written(bureau):
    documents(bureau, {"relief": 2, "affairs": 1})
    pool(bureau)
    made = plan(bureau, checklist=checklist(bureau), count=4)
    with pytest.raises(InvalidInput) as refused:
        services.plan_draw(actor=bureau["officer"], plan=made)
    assert refused.value.code == "sample_too_large"
    assert "超过案卷总数（3）" in str(refused.value.message)
    made.refresh_from_db()
    assert made.state == SamplingPlan.State.DRAFT and made.seed == ""
    assert not SampledFile.objects.exists()
    assert not Checklist.objects.get(pk=made.checklist_id).locked


def test_a_seed_used_for_another_population_is_refused(bureau):
    first = drawn_plan(bureau, count=3, seed="lottery-2025-1")
    issue(bureau, bureau["relief"], date(2025, 5, 6))
    second = plan(
        bureau,
        checklist=first.checklist,
        period=(date(2025, 4, 1), date(2025, 6, 30)),
        count=1,
        title="第二季度",
    )
    with pytest.raises(InvalidInput) as refused:
        services.plan_draw(actor=bureau["officer"], plan=second, seed="lottery-2025-1")
    assert refused.value.code == "seed_reused"
    assert "该随机种子已用于其他案卷范围" in str(refused.value.message)
    # The same seed over the same population is allowed (it draws the same files).
    same = plan(bureau, checklist=first.checklist, count=3, title="复核")
    again = services.plan_draw(actor=bureau["officer"], plan=same, seed="lottery-2025-1")
    assert list(again.files.values_list("case_ref", flat=True)) == list(
        first.files.values_list("case_ref", flat=True)
    )


def test_a_unit_no_reviewer_may_review_is_refused_by_name(bureau):
    documents(bureau, {"relief": 3})
    pool(bureau, "head")  # the only reviewer is of 社会救助科
    made = plan(bureau, checklist=checklist(bureau), count=1)
    with pytest.raises(InvalidInput) as refused:
        services.plan_draw(actor=bureau["officer"], plan=made)
    assert refused.value.code == "no_eligible_reviewer"
    assert "社会救助科" in str(refused.value.message)
    assert not SampledFile.objects.exists()


@pytest.mark.parametrize(
    ("seed", "ok"), [("2025-03-31.7", True), ("a b", False), ("种子", False), ("x" * 65, False)]
)
def test_a_typed_seed_is_letters_digits_and_dashes(bureau, seed, ok):
    documents(bureau, {"relief": 2, "affairs": 2})
    pool(bureau)
    made = plan(bureau, checklist=checklist(bureau), count=2)
    if ok:
        assert services.plan_draw(actor=bureau["officer"], plan=made, seed=seed).seed == seed
    else:
        with pytest.raises(InvalidInput) as refused:
            services.plan_draw(actor=bureau["officer"], plan=made, seed=seed)
        assert refused.value.code == "seed_invalid"


def test_a_plan_is_drawn_once_and_only_after_its_period(bureau):
    documents(bureau, {"relief": 2, "affairs": 2})
    pool(bureau)
    today = timezone.localdate()
    running = plan(
        bureau, checklist=checklist(bureau), period=(date(2025, 1, 1), today + timedelta(1))
    )
    with pytest.raises(InvalidInput) as refused:
        services.plan_draw(actor=bureau["officer"], plan=running)
    assert refused.value.code == "period_not_ended"
    made = plan(bureau, checklist=running.checklist, count=2)
    services.plan_draw(actor=bureau["officer"], plan=made)
    with pytest.raises(Conflict):
        services.plan_draw(actor=bureau["officer"], plan=made)


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"period": (date(2025, 3, 1), date(2025, 2, 1))}, "period_order"),
        ({"method": "rate", "rate": Decimal(0)}, "rate_range"),
        ({"method": "rate", "rate": Decimal("100.5")}, "rate_range"),
        ({"method": "count", "count": 0}, "count_invalid"),
        ({"method": "lottery"}, "method_required"),
        ({"population": "services.cases"}, "population_unknown"),
        ({"population": "disclosure.requests"}, "checklist_population"),
        ({"min_per_stratum": -1}, "min_range"),
        ({"title": " "}, "title_required"),
    ],
)
def test_bad_plans_are_refused(bureau, changes, code):
    made = checklist(bureau)
    with pytest.raises(InvalidInput) as refused:
        plan(bureau, checklist=made, **changes)
    assert refused.value.code == code
    assert not SamplingPlan.objects.exists()


def test_only_the_legal_office_of_the_agency_plans_and_draws(bureau):
    made = checklist(bureau)
    for who in ("head", "leader", "overseer", "adviser", "other_officer"):
        with pytest.raises(NotAllowed):
            services.plan_create(
                actor=bureau[who],
                agency=bureau["agency"],
                title="t",
                population="normative.documents",
                period_start=Q1[0],
                period_end=Q1[1],
                method="count",
                count=1,
                checklist=made,
            )
    documents(bureau, {"relief": 2, "affairs": 2})
    pool(bureau)
    draft = plan(bureau, checklist=made, count=1)
    with pytest.raises(NotAllowed):
        services.plan_draw(actor=bureau["leader"], plan=draft)
    assert SamplingPlan.objects.get(pk=draft.pk).state == SamplingPlan.State.DRAFT


# --- checklists and the pool ------------------------------------------------------------------


def test_a_checklist_can_be_changed_until_a_draw_uses_it(bureau):
    made = checklist(bureau)
    items = [*ITEMS[:2], services.ItemSpec("案卷材料齐全", POINTS, 100)]
    services.checklist_update(
        actor=bureau["officer"],
        checklist=made,
        name="规范性文件评查表（2025）",
        items=items,
        excellent_min=90,
        pass_min=60,
    )
    made.refresh_from_db()
    assert [i.text for i in made.items.all()] == ["经合法性审核", "经集体审议决定", "案卷材料齐全"]
    documents(bureau, {"relief": 2, "affairs": 2})
    pool(bureau)
    services.plan_draw(actor=bureau["officer"], plan=plan(bureau, checklist=made, count=1))
    with pytest.raises(Conflict) as refused:
        services.checklist_update(
            actor=bureau["officer"],
            checklist=made,
            name="x",
            items=items,
            excellent_min=90,
            pass_min=60,
        )
    assert refused.value.code == "checklist_locked"


@pytest.mark.parametrize(
    ("items", "kwargs", "code"),
    [
        ([], {}, "items_required"),
        ([services.ItemSpec("否决", VETO)], {}, "points_item_required"),
        ([services.ItemSpec("评分", POINTS, 0)], {}, "item_points_range"),
        ([services.ItemSpec("评分", "bonus", 10)], {}, "item_kind"),
        ([services.ItemSpec("评分", POINTS, 50)], {}, "threshold_above_total"),
        (ITEMS, {"excellent_min": 50, "pass_min": 60}, "thresholds_order"),
        (ITEMS, {"population": "nothing"}, "population_unknown"),
    ],
)
def test_bad_checklists_are_refused(bureau, items, kwargs, code):
    values = {"excellent_min": 90, "pass_min": 60, "population": "normative.documents"}
    values.update(kwargs)
    with pytest.raises(InvalidInput) as refused:
        services.checklist_create(
            actor=bureau["officer"], agency=bureau["agency"], name="表", items=items, **values
        )
    assert refused.value.code == code
    assert not Checklist.objects.exists()


def test_the_pool_takes_the_unit_from_the_membership(bureau):
    pool(bureau)
    members = {m.user_id: m.department_id for m in ReviewerPoolMember.objects.filter(active=True)}
    assert members == {
        bureau["officer"].pk: bureau["office"].pk,
        bureau["head"].pk: bureau["relief"].pk,
        bureau["liaison"].pk: bureau["affairs"].pk,
        bureau["adviser"].pk: None,
    }
    with pytest.raises(Conflict):
        services.reviewer_add(actor=bureau["officer"], agency=bureau["agency"], user=bureau["head"])
    with pytest.raises(InvalidInput) as refused:
        services.reviewer_add(
            actor=bureau["officer"], agency=bureau["agency"], user=bureau["overseer"]
        )
    assert refused.value.code == "reviewer_role"
    member = ReviewerPoolMember.objects.get(user=bureau["head"])
    services.reviewer_remove(actor=bureau["officer"], member=member)
    assert not ReviewerPoolMember.objects.get(pk=member.pk).active
    with pytest.raises(NotAllowed):
        services.reviewer_add(actor=bureau["head"], agency=bureau["agency"], user=bureau["clerk"])


# --- reviews --------------------------------------------------------------------------------


def test_a_good_review_rates_and_completes_the_plan(bureau):
    published = drawn_plan(bureau, per_unit={"relief": 1, "affairs": 1}, count=2)
    files = list(published.files.order_by("draw_order"))
    first = services.review_submit(
        actor=files[0].reviewer, sampled_file=files[0], answers=answers_for(files[0])
    )
    assert (first.score, first.rating, first.vetoed) == (Decimal(100), "excellent", False)
    assert first.finding is None
    assert ReviewScore.objects.filter(sampled_file=first).count() == len(ITEMS)
    assert SamplingPlan.objects.get(pk=published.pk).state == SamplingPlan.State.DRAWN
    second = services.review_submit(
        actor=files[1].reviewer,
        sampled_file=files[1],
        answers=answers_for(files[1], points_ratio=Decimal("0.7")),
    )
    assert (second.score, second.rating) == (Decimal(70), "pass")
    assert SamplingPlan.objects.get(pk=published.pk).state == SamplingPlan.State.COMPLETED


def test_a_failed_veto_item_is_fail_whatever_the_points_and_opens_a_serious_finding(bureau):
    published = drawn_plan(bureau, per_unit={"relief": 1, "affairs": 1}, count=2)
    sampled = published.files.order_by("draw_order").first()
    reviewed = services.review_submit(
        actor=sampled.reviewer,
        sampled_file=sampled,
        answers=answers_for(sampled, veto_ok=False),
        remarks="未见合法性审核意见书。",
    )
    assert (reviewed.score, reviewed.vetoed, reviewed.rating) == (Decimal(100), True, "fail")
    finding = Finding.objects.get(pk=reviewed.finding_id)
    assert finding.source == "spot_check"
    assert finding.source_ref == f"oversight.sampledfile:{sampled.pk}"
    assert finding.department_id == sampled.department_id
    assert finding.severity == "serious"
    assert "经合法性审核" in finding.description
    assert "未见合法性审核意见书" in finding.description
    assert finding.rectification.state == "awaiting_measures"


def test_a_low_score_is_fail_and_opens_a_general_finding(bureau):
    published = drawn_plan(bureau, per_unit={"relief": 1, "affairs": 1}, count=2)
    sampled = published.files.order_by("draw_order").first()
    reviewed = services.review_submit(
        actor=sampled.reviewer,
        sampled_file=sampled,
        answers=answers_for(sampled, points_ratio=Decimal("0.5")),
    )
    assert (reviewed.score, reviewed.rating) == (Decimal(50), "fail")
    assert reviewed.finding.severity == "general"
    assert "低于合格分数线" in reviewed.finding.description


def test_only_the_files_reviewer_scores_it_and_only_once(bureau):
    published = drawn_plan(bureau, per_unit={"relief": 2, "affairs": 2}, count=4)
    sampled = published.files.order_by("draw_order").first()
    others = [
        bureau[n]
        for n in ("officer", "head", "liaison", "adviser", "leader")
        if bureau[n].pk != sampled.reviewer_id
    ]
    for other in others:
        with pytest.raises(NotAllowed):
            services.review_submit(actor=other, sampled_file=sampled, answers=answers_for(sampled))
    assert SampledFile.objects.get(pk=sampled.pk).state == "pending"
    services.review_submit(
        actor=sampled.reviewer, sampled_file=sampled, answers=answers_for(sampled)
    )
    with pytest.raises(Conflict):
        services.review_submit(
            actor=sampled.reviewer, sampled_file=sampled, answers=answers_for(sampled)
        )


def test_incomplete_or_out_of_range_scores_are_refused(bureau):
    published = drawn_plan(bureau, per_unit={"relief": 1, "affairs": 1}, count=2)
    sampled = published.files.order_by("draw_order").first()
    answers = answers_for(sampled)
    points_item = next(i for i in sampled.plan.checklist.items.all() if i.kind == POINTS)
    veto_item = next(i for i in sampled.plan.checklist.items.all() if i.kind == VETO)
    for broken, code in [
        ({k: v for k, v in answers.items() if k != points_item.pk}, "item_unanswered"),
        (
            {**answers, points_item.pk: services.Answer(points=points_item.max_points + 1)},
            "points_range",
        ),
        ({**answers, points_item.pk: services.Answer(points="7.25")}, "points_precision"),
        ({**answers, veto_item.pk: services.Answer(passed=None)}, "veto_unanswered"),
        ({**answers, 999999: services.Answer(points=1)}, "item_unknown"),
    ]:
        with pytest.raises(InvalidInput) as refused:
            services.review_submit(actor=sampled.reviewer, sampled_file=sampled, answers=broken)
        assert refused.value.code == code
    assert not ReviewScore.objects.exists()
    assert SampledFile.objects.get(pk=sampled.pk).state == "pending"


def test_a_reviewer_of_the_audited_unit_cannot_be_assigned_the_file(bureau):
    published = drawn_plan(bureau, per_unit={"relief": 2, "affairs": 2}, count=4)
    relief_file = published.files.filter(department=bureau["relief"]).first()
    with pytest.raises(InvalidInput) as refused:
        services.sampled_file_reassign(
            actor=bureau["officer"], sampled_file=relief_file, reviewer=bureau["head"]
        )
    assert refused.value.code == "reviewer_own_unit"
    assert SampledFile.objects.get(pk=relief_file.pk).reviewer_id == relief_file.reviewer_id
    target = (
        bureau["adviser"] if relief_file.reviewer_id != bureau["adviser"].pk else bureau["liaison"]
    )
    moved = services.sampled_file_reassign(
        actor=bureau["officer"], sampled_file=relief_file, reviewer=target
    )
    assert moved.reviewer_id == target.pk
    # The re-draw check still holds: a handing-over is on the record, not a different draw.
    assert services.plan_redraw_check(published).same


def test_a_reviewer_moved_into_the_audited_unit_cannot_score_its_file(bureau):
    from fazhi.core.models import Membership

    published = drawn_plan(bureau, per_unit={"relief": 2, "affairs": 2}, count=4)
    affairs_file = (
        published.files.filter(department=bureau["affairs"])
        .exclude(reviewer__in=[bureau["officer"], bureau["adviser"]])
        .first()
        or published.files.filter(department=bureau["affairs"]).first()
    )
    reviewer = affairs_file.reviewer
    # After the draw, the reviewer is transferred to 社会事务科, the file's unit.
    Membership.objects.filter(user=reviewer, agency=bureau["agency"]).update(
        role="liaison", department=bureau["affairs"]
    )
    with pytest.raises(NotAllowed) as refused:
        services.review_submit(
            actor=reviewer, sampled_file=affairs_file, answers=answers_for(affairs_file)
        )
    assert refused.value.code == "reviewer_own_unit"


def test_the_reviewers_see_their_files_as_tasks(bureau):
    from fazhi.core.tenancy import forget_roles
    from fazhi.workspace.tasks import tasks_for

    published = drawn_plan(bureau, per_unit={"relief": 2, "affairs": 2}, count=4)
    reviewer = published.files.first().reviewer
    forget_roles(reviewer)
    titles = [str(t.title) for t in tasks_for(reviewer)]
    assert any(published.title in t for t in titles)


def test_disclosure_requests_are_a_population_of_the_legal_office(bureau):
    source = population("disclosure.requests")
    assert source is not None
    assert source.files(bureau["agency"], Q1[0], Q1[1]) == []
