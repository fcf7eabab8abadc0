"""满意度统计 against a hand computation, a property of the rates, the evaluation indicator and
the XLSX export.

The fixed set (2026; ratings through the services; rating 8 excluded by an approved appeal):

    #  case  item/department     center   channel  level            rated   follow-up
    1  A     最低生活保障/救助科   东湖     counter  1 非常满意        9-28
    2  A     最低生活保障/救助科   东湖     online   4 不满意 (实名)   9-30    answered
    3  B     最低生活保障/救助科   西山     online   2 满意            9-30
    4  B     最低生活保障/救助科   西山     sms      5 非常不满意      9-30    awaiting call-back
    5  C     社会团体登记/组织科   东湖     counter  3 基本满意        9-29
    6  C     社会团体登记/组织科   东湖     online   5 非常不满意(实名) 9-30   called back
    7  D     社会团体登记/组织科   (网上)   online   1 非常满意        10-13
    8  E     最低生活保障/救助科   东湖     online   4 不满意 (实名)   10-14   excluded
"""

from __future__ import annotations

import io
from collections import Counter
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from fazhi.core.models import Event
from fazhi.oversight.indicators import get_indicator
from fazhi.services.models import ServiceCase, ServiceCenter
from fazhi.services.models.ratings import BadReviewFollowUp, Rating
from fazhi.services.selectors import ratings as selectors
from fazhi.services.services import rating_followups as loop
from fazhi.services.services import ratings as services
from fazhi.services.tests.test_ratings_setup import (  # noqa: F401 - fixtures
    MOBILE,
    concluded_case,
    schedule_fixture,
    token_of,
    world_fixture,
)

pytestmark = pytest.mark.django_db
D = Decimal


def _link(links, channel, level, on, **extra):
    return services.rating_submit(
        channel=channel, token=token_of(links[channel]), level=level, on=on, **extra
    )


def _counter(world, case, level, on):
    return services.rating_submit(
        channel="counter", case=case, actor=world["clerk"], level=level, on=on
    )


def _call_back(world, rating, who, on=date(2026, 10, 8)):
    follow_up = BadReviewFollowUp.objects.get(rating=rating)
    return loop.follow_up_record_callback(
        actor=world[who], follow_up=follow_up, note="已电话回访", called_back_on=on
    )


@pytest.fixture
def fixed_set(world):
    a, a_links = concluded_case(world, center="east", phone=MOBILE)
    _b, b_links = concluded_case(world, center="west", phone=MOBILE)
    c, c_links = concluded_case(world, item=world["social_item"], center="east")
    _d, d_links = concluded_case(
        world, item=world["social_item"], center=None, concluded_on=date(2026, 10, 12)
    )
    _e, e_links = concluded_case(world, center="east", concluded_on=date(2026, 10, 12))
    real = {"real_name": True, "rater_name": "赵市民"}
    _counter(world, a, 1, date(2026, 9, 28))
    r2 = _link(a_links, "online", 4, date(2026, 9, 30), **real)
    _link(b_links, "online", 2, date(2026, 9, 30))
    _link(b_links, "sms", 5, date(2026, 9, 30))
    services.rating_submit(
        channel="counter", case=c, actor=world["other_clerk"], level=3, on=date(2026, 9, 29)
    )
    r6 = _link(c_links, "online", 5, date(2026, 9, 30), **real)
    _link(d_links, "online", 1, date(2026, 10, 13))
    r8 = _link(e_links, "online", 4, date(2026, 10, 14), **real)
    # #2 runs to the answer; #6 is called back; #8 is appealed and excluded
    fu = _call_back(world, r2, "clerk")
    fu = loop.follow_up_verify(actor=world["head"], follow_up=fu, verdict="valid", note="属实")
    fu = loop.follow_up_record_fix(actor=world["clerk"], follow_up=fu, note="已整改")
    loop.follow_up_answer(actor=world["clerk"], follow_up=fu, answer="已整改，谢谢。")
    _call_back(world, r6, "other_clerk")
    _call_back(world, r8, "clerk", on=date(2026, 10, 15))
    appeal = loop.appeal_file(actor=world["head"], rating=r8, reason="误评")
    loop.appeal_decide(actor=world["officer"], appeal=appeal, approve=True)
    assert Rating.objects.count() == 8
    return world


def summary(row) -> tuple:
    return (
        row.total,
        row.level_counts,
        row.satisfaction_rate,
        row.bad,
        row.answered,
        row.fix_rate,
        row.real_bad,
        row.real_called,
        row.callback_rate,
    )


def test_the_year_in_total_and_by_month(fixed_set):
    data = selectors.figures(fixed_set["agency"], year=2026, by="month")
    # 7 counted (8 excluded); 非常满意 #1 #7, 满意 #3, 基本满意 #5, 不满意 #2, 非常不满意 #4 #6.
    # 满意率 4/7 = 57.142… → 57.14; 差评 3, answered 1 → 33.33; 实名差评 #2 #6 both called → 100
    assert summary(data.total) == (
        7, [2, 1, 1, 1, 2], D("57.14"), 3, 1, D("33.33"), 2, 2, D("100.00"),
    )  # fmt: skip
    # September: #1–#6, satisfied #1 #3 #5 → 3/6 = 50.00; October: #7 only → 100.00, no bad
    assert [(r.label, summary(r)) for r in data.rows] == [
        ("9月", (6, [1, 1, 1, 1, 2], D("50.00"), 3, 1, D("33.33"), 2, 2, D("100.00"))),
        ("10月", (1, [1, 0, 0, 0, 0], D("100.00"), 0, 0, None, 0, 0, None)),
    ]


def test_by_department_item_and_center(fixed_set):
    world = fixed_set
    by_department = selectors.figures(world["agency"], year=2026, by="department")
    # 救助科 #1–#4: satisfied 2/4 = 50.00, bad 2, answered 1 → 50.00, 实名差评 1 called 1
    # 组织科 #5–#7: satisfied 2/3 = 66.666… → 66.67, bad 1, answered 0 → 0.00, 实名差评 1 called 1
    assert [(r.label, summary(r)) for r in by_department.rows] == [
        ("社会救助科", (4, [1, 1, 0, 1, 1], D("50.00"), 2, 1, D("50.00"), 1, 1, D("100.00"))),
        ("社会组织管理科", (3, [1, 0, 1, 0, 1], D("66.67"), 1, 0, D("0.00"), 1, 1, D("100.00"))),
    ]
    by_item = selectors.figures(world["agency"], year=2026, by="item")
    assert [(r.label, r.total, r.satisfaction_rate) for r in by_item.rows] == [
        ("最低生活保障申请", 4, D("50.00")),
        ("社会团体成立登记", 3, D("66.67")),
    ]
    by_center = selectors.figures(world["agency"], year=2026, by="center")
    # 东湖 #1 #2 #5 #6: 2/4; 西山 #3 #4: 1/2; no center #7: 1/1
    assert [(r.label, r.total, r.satisfaction_rate, r.bad, r.fix_rate) for r in by_center.rows] == [
        ("东湖街道社区事务受理服务中心", 4, D("50.00"), 2, D("50.00")),
        ("西山街道社区事务受理服务中心", 2, D("50.00"), 1, D("0.00")),
        ("无受理中心（网上办理）", 1, D("100.00"), 0, None),
    ]


def test_filters_narrow_the_figures(fixed_set):
    world = fixed_set
    # 组织科 in September: #5 #6 → 1/2
    data = selectors.figures(world["agency"], year=2026, by="month", department=world["social"].pk)
    assert [(r.label, r.total, r.satisfaction_rate) for r in data.rows] == [
        ("9月", 2, D("50.00")),
        ("10月", 1, D("100.00")),
    ]
    october = selectors.figures(world["agency"], year=2026, by="center", month=10)
    assert [(r.label, r.total) for r in october.rows] == [("无受理中心（网上办理）", 1)]
    west = selectors.figures(world["agency"], year=2026, center=world["west_center"].pk)
    assert summary(west.total)[:4] == (2, [0, 1, 0, 0, 1], D("50.00"), 1)
    assert selectors.figures(world["agency"], year=2025).total.total == 0


def test_an_excluded_rating_never_counts(fixed_set):
    world = fixed_set
    # Without the exclusion #8 would make October 1 of 2 satisfied
    Rating.objects.filter(excluded=True).update(excluded=False)
    assert selectors.figures(world["agency"], year=2026).rows[1].total == 2
    Rating.objects.filter(rated_on=date(2026, 10, 14)).update(excluded=True)
    assert selectors.figures(world["agency"], year=2026).rows[1].total == 1


def test_the_evaluation_indicator(fixed_set):
    world = fixed_set
    indicator = get_indicator("service_satisfaction")
    assert indicator is not None
    by_department = indicator.compute(
        world["agency"], date(2026, 9, 1), date(2026, 10, 31), "department"
    )
    assert {k: (v.value, v.basis) for k, v in by_department.items()} == {
        world["relief"].pk: (D("50.00"), {"rated": 4, "satisfied": 2, "bad": 2}),
        world["social"].pk: (D("66.67"), {"rated": 3, "satisfied": 2, "bad": 1}),
    }
    by_street = indicator.compute(
        world["agency"], date(2026, 9, 1), date(2026, 10, 31), "subdistrict"
    )
    # #7 has no center and counts for no street
    assert {k: (v.value, v.basis["rated"]) for k, v in by_street.items()} == {
        world["east"].pk: (D("50.00"), 4),
        world["west"].pk: (D("50.00"), 2),
    }
    assert (
        indicator.compute(world["agency"], date(2026, 1, 1), date(2026, 8, 31), "department") == {}
    )


def test_rates_round_half_up_to_two_decimals():
    assert selectors.rate(1, 800) == D("0.13")  # 0.125 → 0.13 (not banker's 0.12)
    assert selectors.rate(2, 3) == D("66.67")
    assert selectors.rate(1, 3) == D("33.33")
    assert selectors.rate(7, 7) == D("100.00")
    assert selectors.rate(0, 5) == D("0.00")
    assert selectors.rate(0, 0) is None


def test_the_export_has_the_page_figures_and_no_formula(fixed_set):
    world = fixed_set
    ServiceCenter.objects.filter(pk=world["west_center"].pk).update(name='=HYPERLINK("x")中心')
    data = selectors.figures(world["agency"], year=2026, by="center")
    content = services.figures_export(actor=world["officer"], figures=data)
    sheet = load_workbook(io.BytesIO(content)).active
    rows = [[c for c in row] for row in sheet.iter_rows(min_row=4, values_only=True)]
    assert rows[0][:3] == ["受理中心", "评价总数", "非常满意"]
    labels = [r[0] for r in rows[1:]]
    # (rows sorted by name: the renamed center now comes first)
    assert labels == [
        '\'=HYPERLINK("x")中心',
        "东湖街道社区事务受理服务中心",
        "无受理中心（网上办理）",
        "合计",
    ]
    total = rows[-1]
    assert total[1:8] == [7, 2, 1, 1, 1, 2, 57.14]
    for row in sheet.iter_rows(values_only=True):
        for value in row:
            assert not (isinstance(value, str) and value[:1] in "=+-@")
    assert Event.objects.filter(verb="services.rating.export").count() == 1


# --- The property ---------------------------------------------------------------------------


@pytest.fixture
def case_pool(world):
    """Twelve concluded cases (one through the services, the rest its copies) to hang
    generated ratings on: the property is about the arithmetic, not the workflow."""
    first, _links = concluded_case(world)
    pool = [first]
    for n in range(11):
        copy = ServiceCase.objects.get(pk=first.pk)
        copy.pk = None
        copy.case_number = f"{first.case_number}-{n}"
        copy.save()
        pool.append(copy)
    return world, pool


def expected_rate(levels: list[int]) -> Decimal | None:
    if not levels:
        return None
    satisfied = sum(1 for level in levels if level <= 3)
    return (D(satisfied) * 100 / D(len(levels))).quantize(D("0.01"), rounding=ROUND_HALF_UP)


# The pool is not changed by an example: each one rolls back what it wrote.
@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.tuples(st.integers(min_value=1, max_value=5), st.booleans()), min_size=0, max_size=36
    )
)
def test_the_rate_is_within_0_and_100_and_equals_the_count_formula(case_pool, drawn):
    world, pool = case_pool
    channels = ("counter", "online", "sms")
    with transaction.atomic():
        Rating.objects.bulk_create(
            [
                Rating(
                    agency=world["agency"],
                    case=pool[n // 3],
                    channel=channels[n % 3],
                    level=level,
                    bad=level >= 4,
                    excluded=excluded,
                    item=world["item"],
                    department=world["relief"],
                    center=world["center"],
                    rated_on=date(2026, 1 + n % 12, 1),
                )
                for n, (level, excluded) in enumerate(drawn)
            ]
        )
        counted = [level for level, excluded in drawn if not excluded]
        data = selectors.figures(world["agency"], year=2026, by="month")
        assert data.total.total == len(counted)
        assert data.total.level_counts == [Counter(counted)[level] for level in range(1, 6)]
        assert data.total.satisfaction_rate == expected_rate(counted)
        assert data.total.bad == sum(1 for level in counted if level >= 4)
        for row in data.rows:
            assert D(0) <= row.satisfaction_rate <= D(100)
        transaction.set_rollback(True)
