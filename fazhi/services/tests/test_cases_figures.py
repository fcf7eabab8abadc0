"""Figures for the reports: decisions by kind per year, on-time rates per item and department,
the percentage rule, and table 二's 行政许可 row of the disclosure annual report.

The fixed set (test calendar Monday–Friday; accepted on the day of receipt):
  养老机构备案 (行政许可, 社会救助科, 10/20 working days)
    A  granted 2 March 2026, concluded 2 March              on time / on time
    B  denied 2 March 2026, not concluded yet               (a decision, no conclusion)
    C  not accepted 3 March 2026                            (a decision, no clock)
    D  granted 2 March, concluded 17 March (due 16 / 30)    late / on time
  临时救助金给付 (行政给付, 社会救助科, 5/10 working days)
    E  granted 2 March, concluded 10 March (due 9 / 16)     late / on time
  社会团体成立登记 (行政许可, 社会组织管理科, 10/20)
    G  granted 2 March, concluded 2 March                   on time / on time
  F  养老机构备案 granted 31 December 2025 (last year: counted in 2025 only)
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fazhi.disclosure import selectors as disclosure
from fazhi.services.selectors import cases as selectors
from fazhi.services.selectors.cases import percent
from fazhi.services.services import cases as services
from fazhi.services.tests.conftest import published_item
from fazhi.services.tests.test_cases_setup import (  # noqa: F401 - fixtures
    decided,
    office_fixture,
    register,
)

pytestmark = pytest.mark.django_db
MON = date(2026, 3, 2)


def conclude(office, case, on, actor=None):
    return services.case_conclude(actor=actor or office["clerk"], case=case, on=on)[0]


@pytest.fixture
def year_of_cases(office):
    clerk = office["clerk"]
    conclude(office, decided(office, on=MON, seq=1), MON)  # A
    decided(office, on=MON, seq=2, grant=False)  # B
    c = register(office, seq=3, received_on=date(2026, 3, 3))
    services.case_not_accept(actor=clerk, case=c, reason="不属于本机关", on=date(2026, 3, 3))  # C
    conclude(office, decided(office, on=MON, seq=4), date(2026, 3, 17))  # D
    conclude(office, decided(office, on=MON, seq=5, item=office["benefit"]), date(2026, 3, 10))  # E
    social_item = published_item(
        office, code="103", name="社会团体成立登记", kind="行政许可", department=office["social"]
    )
    g = register(office, seq=6, received_on=MON, item=social_item, actor=office["social_clerk"])
    g = services.case_accept(actor=office["social_clerk"], case=g, on=MON)
    g = services.case_start_review(actor=office["social_clerk"], case=g)
    g = services.case_grant(actor=office["social_head"], case=g, on=MON)
    conclude(office, g, MON, actor=office["social_clerk"])  # G
    decided(office, on=date(2025, 12, 31), seq=7)  # F
    return office


def test_decisions_by_kind_equal_the_hand_count(year_of_cases):
    agency = year_of_cases["agency"]
    figures = selectors.decisions_by_kind(agency, 2026)
    # 行政许可: granted A, D, G; denied B; not accepted C
    assert figures["licensing"] == {"granted": 3, "denied": 1, "not_accepted": 1, "total": 5}
    # 行政给付: granted E
    assert figures["benefit"] == {"granted": 1, "denied": 0, "not_accepted": 0, "total": 1}
    assert figures["penalty"]["total"] == 0
    assert set(figures) == {
        "licensing", "penalty", "coercion", "levy", "benefit", "inspection", "confirmation",
        "reward", "adjudication", "other",
    }  # fmt: skip
    # Last year: F only
    assert selectors.decisions_by_kind(agency, 2025)["licensing"]["total"] == 1
    rows = selectors.decision_rows(agency, 2026)
    assert rows[-1] == {"kind": "", "label": "合计", "granted": 4, "denied": 1,
                        "not_accepted": 1, "total": 6}  # fmt: skip


def test_on_time_rates_per_item_equal_the_hand_count(year_of_cases):
    rows = {r.name: r for r in selectors.on_time_rates(year_of_cases["agency"], 2026, by="item")}
    # 养老机构备案: A on time, D late (promised); both within the statutory limit
    pension = rows["养老机构备案"]
    assert (pension.concluded, pension.on_time_promised, pension.with_promised) == (2, 1, 2)
    assert (pension.promised_rate, pension.statutory_rate) == (Decimal("50.00"), Decimal("100.00"))
    # 临时救助金给付: E late on the promised limit: 0 / 1
    relief = rows["临时救助金给付"]
    assert (relief.promised_rate, relief.statutory_rate) == (Decimal("0.00"), Decimal("100.00"))
    assert rows["社会团体成立登记"].promised_rate == Decimal("100.00")
    # Total: 2 of 4 within the promised limit, 4 of 4 within the statutory one
    total = rows["合计"]
    assert (total.key, total.concluded, total.promised_rate, total.statutory_rate) == (
        None, 4, Decimal("50.00"), Decimal("100.00"),
    )  # fmt: skip


def test_on_time_rates_per_department_equal_the_hand_count(year_of_cases):
    rows = {
        r.name: r for r in selectors.on_time_rates(year_of_cases["agency"], 2026, by="department")
    }
    # 社会救助科: A, D, E concluded; only A within the promised limit: 1 / 3 = 33.33
    relief = rows["社会救助科"]
    assert (relief.concluded, relief.on_time_promised) == (3, 1)
    assert (relief.promised_rate, relief.statutory_rate) == (Decimal("33.33"), Decimal("100.00"))
    assert rows["社会组织管理科"].promised_rate == Decimal("100.00")
    assert selectors.on_time_rates(year_of_cases["agency"], 2025, by="department") == []


def test_the_disclosure_reports_licensing_row_is_counted_from_the_cases(year_of_cases):
    agency = year_of_cases["agency"]
    # Hand figures for the other rows; a typed 行政许可 figure is ignored
    table = disclosure.table_two(agency, 2026, {"licensing": {"decisions": 999}})
    row = table.row("licensing")
    assert (row.manual, row.values) == (False, (5,))
    assert disclosure.table_two(agency, 2025).value("licensing", "decisions") == 1
    assert "licensing" not in disclosure.MANUAL_CELLS


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [
        (1, 3, "33.33"),
        (2, 3, "66.67"),
        (1, 800, "0.13"),  # 0.125: half up, not to even
        (3, 800, "0.38"),  # 0.375
        (0, 5, "0.00"),
        (5, 5, "100.00"),
    ],
)
def test_the_percentage_is_two_decimals_half_up(part, whole, expected):
    assert percent(part, whole) == Decimal(expected)


def test_no_denominator_no_rate():
    assert percent(0, 0) is None


@given(whole=st.integers(min_value=1, max_value=10**6), data=st.data())
def test_the_rate_is_a_percentage_of_the_count(whole, data):
    part = data.draw(st.integers(min_value=0, max_value=whole))
    rate = percent(part, whole)
    assert Decimal("0") <= rate <= Decimal("100")
    assert abs(rate - Decimal(part) * 100 / Decimal(whole)) <= Decimal("0.005")
