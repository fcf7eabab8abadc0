"""Table 三 of the annual report, counted from the requests: exact rows, exact numbers."""

from collections import Counter
from datetime import date, timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fazhi.disclosure import selectors, services
from fazhi.disclosure.choices import ApplicantKind, DeliveryMethod, FeeBasis
from fazhi.disclosure.models import DisclosureRequest
from fazhi.disclosure.outcomes import Outcome
from fazhi.disclosure.services import Part
from fazhi.disclosure.tests.conftest import OTHER_RESIDENT_ID, RESIDENT_ID, company, registered
from fazhi.testing.factories import AgencyFactory, user_with_role

pytestmark = pytest.mark.django_db

LABELS = [
    "一、本年新收政府信息公开申请数量",
    "二、上年结转政府信息公开申请数量",
    "三、本年度办理结果",
    "（一）予以公开",
    "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    "（三）不予公开",
    "1.属于国家秘密",
    "2.其他法律行政法规禁止公开",
    "3.危及“三安全一稳定”",
    "4.保护第三方合法权益",
    "5.属于三类内部事务信息",
    "6.属于四类过程性信息",
    "7.属于行政执法案卷",
    "8.属于行政查询事项",
    "（四）无法提供",
    "1.本机关不掌握相关政府信息",
    "2.没有现成信息需要另行制作",
    "3.补正后申请内容仍不明确",
    "（五）不予处理",
    "1.信访举报投诉类申请",
    "2.重复申请",
    "3.要求提供公开出版物",
    "4.无正当理由大量反复申请",
    "5.要求行政机关确认或重新出具已获取信息",
    "（六）其他处理",
    "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "3.其他",
    "（七）总计",
    "四、结转下年度继续办理",
]


def answer(office, request, outcome, on, parts=()):
    services.reply(
        actor=office["officer"],
        request=request,
        outcome=outcome,
        text="答复。",
        parts=parts,
        replied_on=on,
    )


def org(office, kind, received_on):
    return registered(
        office,
        received_on=received_on,
        applicant=company(kind=kind),
        delivery=DeliveryMethod.EMAIL,
    )


@pytest.fixture
def year_of_requests(office):
    """Requests around 2025, each moved through the services to where it stands."""
    # Received in 2024: one closed in 2024, two still open on 1 January 2025.
    answer(office, registered(office, date(2024, 11, 1)), Outcome.DISCLOSED, date(2024, 11, 20))
    answer(office, registered(office, date(2024, 12, 20)), Outcome.DISCLOSED, date(2025, 1, 10))
    business = org(office, ApplicantKind.BUSINESS, date(2024, 12, 28))
    answer(office, business, Outcome.WITHHELD_PROCESS, date(2025, 1, 20))
    # Received in 2025 and concluded in it.
    answer(office, registered(office, date(2025, 3, 3)), Outcome.DISCLOSED, date(2025, 3, 20))
    research = org(office, ApplicantKind.RESEARCH, date(2025, 4, 1))
    answer(
        office,
        research,
        Outcome.PARTIAL,
        date(2025, 4, 20),
        parts=[
            Part("汇总数", True),
            Part("明细", False, Outcome.WITHHELD_INTERNAL, "属于内部事务信息。"),
        ],
    )
    lapsed = registered(office, date(2025, 5, 6))
    services.supplement_request_request(
        actor=office["officer"], request=lapsed, items="请明确年度。", notice_on=date(2025, 5, 7)
    )
    unpaid = org(office, ApplicantKind.LEGAL_SERVICE, date(2025, 6, 2))
    services.fee_notice(
        actor=office["officer"],
        request=unpaid,
        basis=FeeBasis.PER_PAGE,
        quantity=80,
        notice_on=date(2025, 6, 3),
    )
    services.lapse_sweep(timezone.now())
    # Received late in 2025 and carried into 2026: one answered in 2026, one still open.
    welfare = org(office, ApplicantKind.PUBLIC_WELFARE, date(2025, 12, 22))
    answer(office, welfare, Outcome.UNAVAILABLE_NOT_HELD, date(2026, 1, 8))
    org(office, ApplicantKind.OTHER_ORGANISATION, date(2025, 12, 29))
    # Received in 2026, and another agency's request in 2025: neither counts.
    registered(office, date(2026, 1, 5))
    elsewhere = AgencyFactory()
    registered(
        {"officer": user_with_role("legal_officer", agency=elsewhere), "agency": elsewhere},
        date(2025, 3, 3),
    )
    return office["agency"]


def test_table_three_rows_are_the_national_format_verbatim(office):
    table = selectors.table_three(office["agency"], 2025)
    assert [row.label for row in table.rows] == LABELS
    headings = {row.label for row in table.rows if row.values is None}
    assert headings == {
        "三、本年度办理结果",
        "（三）不予公开",
        "（四）无法提供",
        "（五）不予处理",
        "（六）其他处理",
    }
    assert [str(label) for label in selectors.COLUMN_LABELS] == [
        "自然人",
        "商业企业",
        "科研机构",
        "社会公益组织",
        "法律服务机构",
        "其他",
        "总计",
    ]


def test_table_three_counts_a_year_of_requests(year_of_requests, django_assert_num_queries):
    with django_assert_num_queries(2):
        table = selectors.table_three(year_of_requests, 2025)
    numbers = {row.key: row.values for row in table.rows if row.values is not None}
    # Columns: 自然人, 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他, 总计
    assert numbers["new"] == (2, 0, 1, 1, 1, 1, 6)
    assert numbers["carried_in"] == (1, 1, 0, 0, 0, 0, 2)
    assert numbers[Outcome.DISCLOSED] == (2, 0, 0, 0, 0, 0, 2)
    assert numbers[Outcome.PARTIAL] == (0, 0, 1, 0, 0, 0, 1)
    assert numbers[Outcome.WITHHELD_PROCESS] == (0, 1, 0, 0, 0, 0, 1)
    assert numbers[Outcome.OTHER_NO_SUPPLEMENT] == (1, 0, 0, 0, 0, 0, 1)
    assert numbers[Outcome.OTHER_NO_FEE] == (0, 0, 0, 0, 1, 0, 1)
    assert numbers[Outcome.UNAVAILABLE_NOT_HELD] == (0,) * 7  # concluded in 2026
    assert numbers["total"] == (3, 1, 1, 0, 1, 0, 6)
    assert numbers["carried_out"] == (0, 0, 0, 1, 0, 1, 2)
    zero_rows = set(numbers) - {
        "new",
        "carried_in",
        Outcome.DISCLOSED,
        Outcome.PARTIAL,
        Outcome.WITHHELD_PROCESS,
        Outcome.OTHER_NO_SUPPLEMENT,
        Outcome.OTHER_NO_FEE,
        "total",
        "carried_out",
    }
    assert all(numbers[key] == (0,) * 7 for key in zero_rows)
    assert table.identity_breaks() == []


def test_the_next_year_carries_over_what_was_open(year_of_requests):
    table = selectors.table_three(year_of_requests, 2026)
    assert table.value("carried_in", "total") == 2
    assert table.value(Outcome.UNAVAILABLE_NOT_HELD, "public_welfare") == 1
    assert table.value("new", "natural_person") == 1
    assert table.value("carried_out", "total") == 2  # the 2025 one and the 2026 one, open
    assert table.identity_breaks() == []


def test_a_broken_identity_names_its_column():
    row = selectors.TableRow
    table = selectors.TableThree(
        year=2025,
        rows=(
            row("new", "一", 0, (1, 0, 0, 0, 0, 0, 1)),
            row("carried_in", "二", 0, (0, 0, 0, 0, 0, 0, 0)),
            row("total", "（七）", 1, (0, 0, 0, 0, 0, 0, 0)),
            row("carried_out", "四", 0, (0, 0, 0, 0, 0, 0, 1)),
        ),
    )
    assert table.identity_breaks() == ["natural_person"]


# --- Random requests over two years -----------------------------------------------------------

FIRST = date(2024, 1, 1)
OUTCOMES = list(Outcome.values)


@st.composite
def request_sets(draw):
    found = []
    for _ in range(draw(st.integers(min_value=0, max_value=25))):
        received = FIRST + timedelta(days=draw(st.integers(min_value=0, max_value=730)))
        kind = draw(st.sampled_from(ApplicantKind.values))
        if draw(st.booleans()):
            concluded = received + timedelta(days=draw(st.integers(min_value=0, max_value=90)))
            outcome = draw(st.sampled_from(OUTCOMES))
        else:
            concluded, outcome = None, ""
        found.append((received, kind, concluded, outcome))
    return found


def direct_count(rows, year):
    first, last = date(year, 1, 1), date(year, 12, 31)
    new, carried, out, results = Counter(), Counter(), Counter(), Counter()
    for received, kind, concluded, outcome in rows:
        if received > last or (concluded is not None and concluded < first):
            continue
        if received >= first:
            new[kind] += 1
        else:
            carried[kind] += 1
        if concluded is None or concluded > last:
            out[kind] += 1
        else:
            results[(outcome, kind)] += 1
    return new, carried, out, results


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=request_sets(), year=st.sampled_from([2024, 2025]))
def test_random_requests_are_counted_as_a_direct_count_says(office, rows, year):
    DisclosureRequest.objects.all().delete()
    DisclosureRequest.objects.bulk_create(
        DisclosureRequest(
            agency=office["agency"],
            tracking_number=f"T{n}",
            channel="visit",
            arrived_on=received,
            received_on=received,
            receipt_rule="当面提交",
            applicant_kind=kind,
            applicant_name="申请人",
            id_document="resident_id",
            resident_id=RESIDENT_ID if n % 2 else OTHER_RESIDENT_ID,
            phone="13812345678",
            description="信息",
            info_form="paper",
            delivery="pickup",
            state="replied" if outcome else "received",
            outcome=outcome,
            concluded_on=concluded,
        )
        for n, (received, kind, concluded, outcome) in enumerate(rows)
    )
    table = selectors.table_three(office["agency"], year)
    new, carried, out, results = direct_count(rows, year)
    kinds = ApplicantKind.values

    def expect(counter, key=None):
        values = [counter[(key, k)] if key is not None else counter[k] for k in kinds]
        return (*values, sum(values))

    assert table.row("new").values == expect(new)
    assert table.row("carried_in").values == expect(carried)
    assert table.row("carried_out").values == expect(out)
    for outcome in OUTCOMES:
        assert table.row(outcome).values == expect(results, outcome)
    assert table.row("total").values == expect(
        Counter({k: sum(n for (_, kind), n in results.items() if kind == k) for k in kinds})
    )
    assert table.identity_breaks() == []
