"""Table 四: reconsiderations and lawsuits recorded and decided once, counted exactly."""

from datetime import date, timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fazhi.core.errors import Conflict, InvalidInput, NotAllowed
from fazhi.core.models import Event
from fazhi.disclosure import selectors, services
from fazhi.disclosure.models import DisclosureChallenge
from fazhi.disclosure.tests.conftest import registered
from fazhi.testing.factories import AgencyFactory, user_with_role

pytestmark = pytest.mark.django_db

Kind, Result = DisclosureChallenge.Kind, DisclosureChallenge.Result


def filed(office, kind, on, *, request=None, body="区人民政府"):
    return services.challenge_record(
        actor=office["officer"],
        agency=office["agency"],
        kind=kind,
        subject="对低保资金信息公开申请答复不服",
        filed_on=on,
        body=body,
        request=request,
    )


def decided(office, challenge, result, on):
    return services.challenge_decide(
        actor=office["officer"], challenge=challenge, result=result, result_on=on
    )


@pytest.fixture
def year_of_cases(office):
    """Cases around 2025, each recorded and decided through the services."""
    # Filed in 2024 and decided in 2025: counted in 2024's table, not in 2025's.
    decided(
        office,
        filed(office, Kind.RECONSIDERATION, date(2024, 11, 4)),
        Result.UPHELD,
        date(2025, 1, 10),
    )
    # Filed in 2025: reconsiderations 2 维持, 1 纠正, 1 其他, 1 open, 1 decided only in 2026.
    for result, on in (
        (Result.UPHELD, date(2025, 3, 2)),
        (Result.UPHELD, date(2025, 5, 6)),
        (Result.CORRECTED, date(2025, 7, 1)),
        (Result.OTHER, date(2025, 9, 9)),
    ):
        decided(office, filed(office, Kind.RECONSIDERATION, on - timedelta(days=40)), result, on)
    filed(office, Kind.RECONSIDERATION, date(2025, 11, 3))
    late = filed(office, Kind.RECONSIDERATION, date(2025, 12, 1))
    decided(office, late, Result.CORRECTED, date(2026, 1, 20))
    # Lawsuits without reconsideration: 1 纠正, 1 open; one about a request's reply.
    request = registered(office, received_on=date(2025, 2, 3))
    direct = filed(
        office, Kind.LITIGATION_DIRECT, date(2025, 4, 1), request=request, body="示例区人民法院"
    )
    decided(office, direct, Result.CORRECTED, date(2025, 10, 15))
    filed(office, Kind.LITIGATION_DIRECT, date(2025, 12, 30), body="示例区人民法院")
    # A lawsuit after reconsideration, decided 其他 in 2025.
    after = filed(office, Kind.LITIGATION_AFTER, date(2025, 6, 2), body="示例市中级人民法院")
    decided(office, after, Result.OTHER, date(2025, 12, 31))
    # Filed in 2026, and another agency's case in 2025: neither counts.
    filed(office, Kind.LITIGATION_AFTER, date(2026, 2, 2))
    elsewhere = AgencyFactory()
    filed(
        {"officer": user_with_role("legal_officer", agency=elsewhere), "agency": elsewhere},
        Kind.RECONSIDERATION,
        date(2025, 3, 3),
    )
    return office["agency"]


def test_table_four_has_the_national_formats_layout(office):
    table = selectors.table_four(office["agency"], 2025)
    assert str(selectors.TABLE_FOUR_TITLE) == "四、政府信息公开行政复议、行政诉讼情况"
    assert [str(label) for label in selectors.FOUR_COLUMN_LABELS] == [
        "结果维持",
        "结果纠正",
        "其他结果",
        "尚未审结",
        "总计",
    ]
    assert [(g.parent, g.label) for g in table.groups] == [
        ("", "行政复议"),
        ("行政诉讼", "未经复议直接起诉"),
        ("行政诉讼", "复议后起诉"),
    ]
    assert table.cells() == (0,) * 15


def test_table_four_counts_cases_filed_in_the_year_by_their_result_at_its_end(year_of_cases):
    table = selectors.table_four(year_of_cases, 2025)
    assert table.cells() == (
        2, 1, 1, 2, 6,  # 行政复议
        0, 1, 0, 1, 2,  # 未经复议直接起诉
        0, 0, 1, 0, 1,  # 复议后起诉
    )  # fmt: skip
    assert table.value(Kind.RECONSIDERATION, "pending") == 2
    assert table.identity_breaks() == []


def test_a_case_decided_after_the_year_stays_pending_in_that_years_table(year_of_cases):
    assert selectors.table_four(year_of_cases, 2024).cells() == (
        0, 0, 0, 1, 1,
        0, 0, 0, 0, 0,
        0, 0, 0, 0, 0,
    )  # fmt: skip
    assert selectors.table_four(year_of_cases, 2026).cells() == (0,) * 13 + (1, 1)


def test_the_table_is_one_query(year_of_cases, django_assert_num_queries):
    with django_assert_num_queries(1):
        selectors.table_four(year_of_cases, 2025)


def test_recording_and_deciding_are_audited(office):
    request = registered(office, received_on=date(2025, 2, 3))
    case = filed(office, Kind.LITIGATION_DIRECT, date(2025, 4, 1), request=request)
    assert (case.result, case.result_on, case.request) == (Result.PENDING, None, request)
    event = Event.objects.get(verb="disclosure.challenge_record")
    assert (event.actor, event.agency, event.target_id) == (
        office["officer"],
        office["agency"],
        str(case.pk),
    )
    assert (event.from_state, event.to_state) == ("", "pending")
    assert event.data == {
        "kind": "litigation_direct",
        "filed_on": "2025-04-01",
        "body": "区人民政府",
        "request": request.tracking_number,
    }
    decided(office, case, Result.CORRECTED, date(2025, 8, 8))
    event = Event.objects.get(verb="disclosure.challenge_decide")
    assert (event.from_state, event.to_state) == ("pending", "corrected")
    assert event.data == {"result": "corrected", "result_on": "2025-08-08"}
    case.refresh_from_db()
    assert (case.result, case.result_on, case.decided_by) == (
        Result.CORRECTED,
        date(2025, 8, 8),
        office["officer"],
    )


def test_a_result_dated_before_the_filing_is_refused(office):
    case = filed(office, Kind.RECONSIDERATION, date(2025, 4, 1))
    with pytest.raises(InvalidInput) as refused:
        decided(office, case, Result.UPHELD, date(2025, 3, 31))
    assert str(refused.value.message) == "审结日期不能早于申请复议或起诉日期（2025年4月1日）。"
    case.refresh_from_db()
    assert (case.result, case.result_on) == (Result.PENDING, None)
    assert not Event.objects.filter(verb="disclosure.challenge_decide").exists()


def test_deciding_twice_is_refused(office):
    case = decided(
        office,
        filed(office, Kind.RECONSIDERATION, date(2025, 4, 1)),
        Result.UPHELD,
        date(2025, 5, 6),
    )
    with pytest.raises(Conflict) as refused:
        decided(office, case, Result.CORRECTED, date(2025, 6, 1))
    assert refused.value.status == 409
    assert str(refused.value.message) == "本案已于2025年5月6日审结（维持），不能再次登记结果。"
    case.refresh_from_db()
    assert (case.result, case.result_on) == (Result.UPHELD, date(2025, 5, 6))
    assert Event.objects.filter(verb="disclosure.challenge_decide").count() == 1


@pytest.mark.parametrize("result", ["pending", "", "维持"])
def test_a_decision_must_be_one_of_the_three_results(office, result):
    case = filed(office, Kind.RECONSIDERATION, date(2025, 4, 1))
    with pytest.raises(InvalidInput) as refused:
        decided(office, case, result, date(2025, 5, 6))
    assert str(refused.value.message) == "请选择结果：维持、纠正或其他。"


def test_a_future_result_date_is_refused(office):
    case = filed(office, Kind.RECONSIDERATION, date(2025, 4, 1))
    with pytest.raises(InvalidInput) as refused:
        decided(office, case, Result.UPHELD, timezone.localdate() + timedelta(days=1))
    assert str(refused.value.message) == "审结日期不能晚于今天。"


def test_a_case_filed_before_the_request_was_received_is_refused(office):
    request = registered(office, received_on=date(2025, 2, 3))
    with pytest.raises(InvalidInput) as refused:
        filed(office, Kind.RECONSIDERATION, date(2025, 2, 2), request=request)
    assert str(refused.value.message) == "申请复议或起诉日期不能早于收到申请日期（2025年2月3日）。"
    assert not DisclosureChallenge.objects.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kind": "appeal"}, "请选择类型。"),
        ({"subject": " "}, "请填写复议或诉讼事项。"),
        ({"body": ""}, "请填写复议机关或人民法院。"),
        ({"filed_on": None}, "请填写申请复议或起诉日期。"),
    ],
)
def test_an_incomplete_record_is_refused(office, change, message):
    values = {
        "actor": office["officer"],
        "agency": office["agency"],
        "kind": Kind.RECONSIDERATION,
        "subject": "对答复不服",
        "filed_on": date(2025, 4, 1),
        "body": "区人民政府",
    }
    values.update(change)
    with pytest.raises(InvalidInput) as refused:
        services.challenge_record(**values)
    assert str(refused.value.message) == message
    assert not DisclosureChallenge.objects.exists()


@pytest.mark.parametrize("who", ["leader", "clerk", "other_officer"])
def test_only_the_agencys_disclosure_office_records_and_decides(office, who):
    case = filed(office, Kind.RECONSIDERATION, date(2025, 4, 1))
    before = list(Event.objects.values_list("seq", flat=True))
    with pytest.raises(NotAllowed) as refused:
        services.challenge_record(
            actor=office[who],
            agency=office["agency"],
            kind=Kind.RECONSIDERATION,
            subject="对答复不服",
            filed_on=date(2025, 4, 1),
            body="区人民政府",
        )
    assert refused.value.status == 403
    with pytest.raises(NotAllowed):
        decided({"officer": office[who]}, case, Result.UPHELD, date(2025, 5, 6))
    case.refresh_from_db()
    assert (case.result, DisclosureChallenge.objects.count()) == (Result.PENDING, 1)
    assert list(Event.objects.values_list("seq", flat=True)) == before


def test_another_agencys_request_is_refused(office):
    elsewhere = AgencyFactory()
    theirs = registered(
        {"officer": user_with_role("legal_officer", agency=elsewhere), "agency": elsewhere},
        received_on=date(2025, 2, 3),
    )
    with pytest.raises(NotAllowed):
        filed(office, Kind.RECONSIDERATION, date(2025, 4, 1), request=theirs)
    assert not DisclosureChallenge.objects.exists()


cases = st.lists(
    st.tuples(
        st.sampled_from(Kind.values),
        st.integers(min_value=0, max_value=364),  # day of 2025 filed
        st.sampled_from([*Result.values]),
        st.integers(min_value=0, max_value=500),  # days from filing to result
    ),
    max_size=12,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(cases=cases)
def test_total_is_the_sum_of_the_four_result_columns(office, cases):
    DisclosureChallenge.objects.all().delete()
    today = timezone.localdate()
    for kind, day, result, after in cases:
        on = date(2025, 1, 1) + timedelta(days=day)
        case = filed(office, kind, on)
        result_on = min(on + timedelta(days=after), today)
        if result != Result.PENDING:
            decided(office, case, result, result_on)
    table = selectors.table_four(office["agency"], 2025)
    for group in table.groups:
        assert group.values[4] == sum(group.values[:4])
    assert table.identity_breaks() == []
    assert sum(g.values[4] for g in table.groups) == len(cases)
    for kind in Kind.values:
        assert table.value(kind, "total") == sum(1 for c in cases if c[0] == kind)
