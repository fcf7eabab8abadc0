"""Staff and public pages of spot checks: who sees what, the forms call the services, refusals
answer 4xx with the message, the lists keep a constant number of queries."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse

from fazhi.oversight.models import Checklist, ReviewerPoolMember, SampledFile, SamplingPlan
from fazhi.oversight.services import spotchecks as services
from fazhi.oversight.tests.spotcheck_fixtures import (  # noqa: F401 - fixture
    Q1,
    answers_for,
    bureau_fixture,
    checklist,
    documents,
    plan,
    pool,
)
from fazhi.testing.clients import verified_client
from fazhi.testing.queries import assert_constant_queries


def drawn(bureau, count=4, **kw):
    documents(bureau, {"relief": 3, "affairs": 3, "office": 1})
    pool(bureau)
    made = plan(bureau, checklist=checklist(bureau), count=count, **kw)
    return services.plan_draw(actor=bureau["officer"], plan=made, seed="page-test")


def test_the_legal_office_creates_a_checklist_and_a_plan_and_draws(bureau):
    client = verified_client(bureau["officer"])
    documents(bureau, {"relief": 3, "affairs": 2})
    pool(bureau)
    response = client.post(
        reverse("oversight:spot_check_checklist_create"),
        {
            "name": "规范性文件案卷评查表",
            "population": "normative.documents",
            "excellent_min": "90",
            "pass_min": "60",
            "item-0-text": "经合法性审核",
            "item-0-kind": "veto",
            "item-0-points": "",
            "item-0-basis": "",
            "item-1-text": "起草说明完整",
            "item-1-kind": "points",
            "item-1-points": "100",
            "item-1-basis": "",
            "item-2-text": "",
            "item-2-kind": "points",
            "item-2-points": "",
            "item-2-basis": "",
        },
    )
    made = Checklist.objects.get(name="规范性文件案卷评查表")
    assert response.status_code == 302
    assert [i.kind for i in made.items.all()] == ["veto", "points"]
    response = client.post(
        reverse("oversight:spot_check_plan_create"),
        {
            "title": "2025年第一季度规范性文件评查",
            "population": "normative.documents",
            "period_start": Q1[0].isoformat(),
            "period_end": Q1[1].isoformat(),
            "method": "count",
            "count": "3",
            "min_per_stratum": "1",
            "checklist": str(made.pk),
        },
    )
    created = SamplingPlan.objects.get()
    assert response.status_code == 302
    page = client.get(reverse("oversight:spot_check_plan", args=[created.pk]))
    assert "抽取前预览" in page.content.decode()
    response = client.post(
        reverse("oversight:spot_check_plan_draw", args=[created.pk]), {"seed": "20250401"}
    )
    assert response.status_code == 302
    created.refresh_from_db()
    assert created.state == "drawn" and created.seed == "20250401"
    page = client.get(reverse("oversight:spot_check_plan", args=[created.pk])).content.decode()
    assert "20250401" in page and created.files.first().case_label in page
    verify = client.get(reverse("oversight:spot_check_plan_verify", args=[created.pk]))
    assert 'data-same="1"' in verify.content.decode()


def test_a_refused_draw_says_why_and_answers_422(bureau):
    documents(bureau, {"relief": 1})
    pool(bureau)
    made = plan(bureau, checklist=checklist(bureau), count=5)
    client = verified_client(bureau["officer"])
    response = client.post(reverse("oversight:spot_check_plan_draw", args=[made.pk]), {})
    assert response.status_code == 422
    assert "超过案卷总数" in response.content.decode()
    assert SamplingPlan.objects.get(pk=made.pk).state == "draft"


def test_a_reviewer_scores_on_the_phone_form_and_a_fail_opens_a_finding(bureau):
    published = drawn(bureau)
    sampled = published.files.order_by("draw_order").first()
    client = verified_client(sampled.reviewer)
    mine = client.get(reverse("oversight:spot_check_my_files"))
    assert sampled.case_label in mine.content.decode()
    data = {"remarks": "未经合法性审核"}
    for item in published.checklist.items.all():
        data[f"item-{item.pk}"] = "no" if item.kind == "veto" else str(item.max_points)
    response = client.post(reverse("oversight:spot_check_file", args=[sampled.pk]), data)
    assert response.status_code == 302
    sampled.refresh_from_db()
    assert sampled.rating == "fail" and sampled.finding_id is not None


def test_an_incomplete_score_sheet_is_refused_with_the_item_named(bureau):
    published = drawn(bureau)
    sampled = published.files.order_by("draw_order").first()
    client = verified_client(sampled.reviewer)
    response = client.post(reverse("oversight:spot_check_file", args=[sampled.pk]), {})
    assert response.status_code == 422
    assert "尚未评分" in response.content.decode()
    assert SampledFile.objects.get(pk=sampled.pk).state == "pending"


def test_another_reviewer_cannot_score_a_file_not_theirs(bureau):
    published = drawn(bureau)
    sampled = published.files.order_by("draw_order").first()
    other = next(
        bureau[n] for n in ("head", "liaison", "adviser") if bureau[n].pk != sampled.reviewer_id
    )
    client = verified_client(other)
    response = client.post(
        reverse("oversight:spot_check_file", args=[sampled.pk]), {"remarks": "x"}
    )
    assert response.status_code == 404
    assert SampledFile.objects.get(pk=sampled.pk).state == "pending"


def test_people_without_spot_check_work_are_refused_and_other_agencies_see_nothing(bureau):
    published = drawn(bureau)
    sampled = published.files.first()
    clerk = verified_client(bureau["clerk"])
    assert clerk.get(reverse("oversight:spot_checks")).status_code == 403
    assert clerk.get(reverse("oversight:spot_check_plan", args=[published.pk])).status_code == 403
    other = verified_client(bureau["other_officer"])
    assert other.get(reverse("oversight:spot_check_plan", args=[published.pk])).status_code == 404
    assert other.get(reverse("oversight:spot_check_file", args=[sampled.pk])).status_code == 404
    response = other.post(reverse("oversight:spot_check_file_reassign", args=[sampled.pk]), {})
    assert response.status_code == 404


def test_leaders_and_overseers_read_but_do_not_draw(bureau):
    documents(bureau, {"relief": 2, "affairs": 2})
    pool(bureau)
    made = plan(bureau, checklist=checklist(bureau), count=2)
    for who in ("leader", "overseer"):
        client = verified_client(bureau[who])
        page = client.get(reverse("oversight:spot_check_plan", args=[made.pk]))
        assert page.status_code == 200
        assert 'data-step="draw"' not in page.content.decode()
        response = client.post(reverse("oversight:spot_check_plan_draw", args=[made.pk]), {})
        assert response.status_code == 403
    assert SamplingPlan.objects.get(pk=made.pk).state == "draft"


def test_a_pool_member_only_is_sent_to_their_files(bureau):
    drawn(bureau)
    client = verified_client(bureau["liaison"])
    response = client.get(reverse("oversight:spot_checks"))
    assert response.status_code == 302
    assert response["Location"] == reverse("oversight:spot_check_my_files")


def test_the_pool_page_adds_and_removes(bureau):
    client = verified_client(bureau["officer"])
    response = client.post(
        reverse("oversight:spot_check_pool"),
        {"user": f"{bureau['agency'].pk}-{bureau['head'].pk}"},
    )
    assert response.status_code == 302
    member = ReviewerPoolMember.objects.get(user=bureau["head"])
    assert member.department_id == bureau["relief"].pk
    response = client.post(reverse("oversight:spot_check_pool_remove", args=[member.pk]))
    assert response.status_code == 302
    assert not ReviewerPoolMember.objects.get(pk=member.pk).active


def test_results_by_unit(bureau):
    published = drawn(bureau, count=7)
    for sampled in published.files.all():
        services.review_submit(
            actor=sampled.reviewer,
            sampled_file=sampled,
            answers=answers_for(
                sampled,
                points_ratio=Decimal("0.5")
                if sampled.department_id == bureau["relief"].pk
                else Decimal(1),
            ),
        )
    client = verified_client(bureau["leader"])
    page = client.get(reverse("oversight:spot_check_results")).content.decode()
    assert f'data-unit="{bureau["relief"].pk}"' in page
    from fazhi.oversight.selectors.spotchecks import results_by_unit

    rows = {r.name: r for r in results_by_unit(SampledFile.objects.all())}
    assert (rows["社会救助科"].failed, rows["社会救助科"].average) == (3, Decimal("50.0"))
    assert (rows["社会事务科"].excellent, rows["社会事务科"].average) == (3, Decimal("100.0"))


def test_list_pages_keep_a_constant_number_of_queries(bureau):
    documents(bureau, {"relief": 3, "affairs": 3})
    pool(bureau)
    made = checklist(bureau)
    client = verified_client(bureau["officer"])
    counter = iter(range(1000))

    def grow(n):
        for _ in range(n):
            i = next(counter)
            p = plan(bureau, checklist=made, count=2, title=f"方案{i}")
            services.plan_draw(actor=bureau["officer"], plan=p, seed=f"seed-{i}")

    for name in (
        "oversight:spot_checks",
        "oversight:spot_check_results",
        "oversight:spot_check_checklists",
        "oversight:spot_check_pool",
    ):
        assert_constant_queries(lambda name=name: client.get(reverse(name)), grow, extra_rows=3)
    reviewer = SampledFile.objects.first().reviewer
    mine = verified_client(reviewer)
    assert_constant_queries(
        lambda: mine.get(reverse("oversight:spot_check_my_files")), grow, extra_rows=3
    )
    assert_constant_queries(
        lambda: client.get(reverse("oversight_public:plans")), grow, extra_rows=3
    )


def test_the_public_page_shows_seed_population_draw_and_procedure(bureau, client):
    published = drawn(bureau)
    response = client.get(reverse("oversight_public:plan", args=[published.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "page-test" in page
    assert published.population_digest in page
    for row in published.population_snapshot:
        assert row["ref"] in page
    assert "def redraw" in page
    listing = client.get(reverse("oversight_public:plans")).content.decode()
    assert published.title in listing


def test_a_draft_plan_is_not_public(bureau, client):
    made = plan(bureau, checklist=checklist(bureau))
    assert client.get(reverse("oversight_public:plan", args=[made.pk])).status_code == 404
