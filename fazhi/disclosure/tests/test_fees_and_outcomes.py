"""The fee tables of 国办函〔2020〕109号 and the outcome rows of table 三, verbatim."""

from decimal import Decimal

import pytest

from fazhi.disclosure import fees
from fazhi.disclosure.models import DisclosureRequest
from fazhi.disclosure.outcomes import GROUPS, LAPSE_OUTCOMES, PART_REASONS, Outcome, describe


@pytest.mark.parametrize(
    ("ordinal", "rate"),
    [(1, 0), (10, 0), (11, 100), (30, 100), (31, 200), (40, 200), (41, 300), (55, 400)],
)
def test_the_per_item_rate_rises_by_band(ordinal, rate):
    assert fees.item_rate(ordinal, free_items=10) == rate


def test_per_item_fee_counts_the_items_already_asked_this_month():
    # Given 9 earlier requests this month, 3 items now: items 10 (free), 11 and 12 (100 each)
    assert fees.per_item_fee(9, 3, free_items=10) == Decimal(200)
    # Items 29–32: 100 + 100 + 200 + 200
    assert fees.per_item_fee(28, 4, free_items=10) == Decimal(600)
    assert fees.per_item_fee(0, 10, free_items=10) == Decimal(0)


@pytest.mark.parametrize(
    ("pages", "amount"),
    [(30, 0), (31, 10), (100, 700), (101, 720), (200, 2700), (201, 2740), (250, 4700)],
)
def test_per_page_fee_is_progressive(pages, amount):
    assert fees.per_page_fee(pages, free_pages=30) == Decimal(amount)


def test_a_larger_free_allowance_is_honoured():
    assert fees.per_page_fee(120, free_pages=110) == Decimal(200)
    assert fees.per_item_fee(0, 12, free_items=12) == Decimal(0)


def test_the_outcomes_are_the_21_result_rows_verbatim():
    rows = [(g.label and str(g.label), [str(Outcome(o).label) for o in g.outcomes]) for g in GROUPS]
    assert rows == [
        (None, ["（一）予以公开"]),
        (None, ["（二）部分公开（区分处理的，只计这一情形，不计其他情形）"]),
        (
            "（三）不予公开",
            [
                "1.属于国家秘密",
                "2.其他法律行政法规禁止公开",
                "3.危及“三安全一稳定”",
                "4.保护第三方合法权益",
                "5.属于三类内部事务信息",
                "6.属于四类过程性信息",
                "7.属于行政执法案卷",
                "8.属于行政查询事项",
            ],
        ),
        (
            "（四）无法提供",
            [
                "1.本机关不掌握相关政府信息",
                "2.没有现成信息需要另行制作",
                "3.补正后申请内容仍不明确",
            ],
        ),
        (
            "（五）不予处理",
            [
                "1.信访举报投诉类申请",
                "2.重复申请",
                "3.要求提供公开出版物",
                "4.无正当理由大量反复申请",
                "5.要求行政机关确认或重新出具已获取信息",
            ],
        ),
        (
            "（六）其他处理",
            [
                "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
                "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
                "3.其他",
            ],
        ),
    ]
    assert sum(len(g.outcomes) for g in GROUPS) == len(Outcome.values) == 21


def test_the_model_offers_the_outcomes_under_the_report_headings():
    choices = DisclosureRequest._meta.get_field("outcome").choices
    assert [str(c[0]) for c in choices] == [
        "disclosed",
        "partial",
        "（三）不予公开",
        "（四）无法提供",
        "（五）不予处理",
        "（六）其他处理",
    ]
    assert [value for value, _ in choices[3][1]] == [
        "unavailable_not_held",
        "unavailable_needs_creation",
        "unavailable_unclear",
    ]


def test_outcomes_read_as_sentences():
    assert describe(Outcome.PARTIAL) == "部分公开"
    assert describe(Outcome.WITHHELD_STATE_SECRET) == "不予公开：属于国家秘密"
    assert describe(Outcome.OTHER_NO_FEE) == (
        "其他处理：申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"
    )
    assert LAPSE_OUTCOMES == {Outcome.OTHER_NO_SUPPLEMENT, Outcome.OTHER_NO_FEE}
    assert Outcome.WITHHELD_THIRD_PARTY in PART_REASONS
    assert Outcome.NOT_PROCESSED_REPEAT not in PART_REASONS
