"""The reply deadline across the 2026 holidays, with 补正, consultations, fees and an extension."""

from datetime import date

import pytest

from fazhi.core.errors import InvalidInput
from fazhi.disclosure import clock
from fazhi.disclosure.choices import Channel
from fazhi.testing.factories import AgencyFactory

RULES = clock.Rules()
THIRD_PARTY = "征求第三方意见"


def due(facts, rules=RULES):
    return clock.due_date(facts, rules)


def test_twenty_working_days_from_receipt_not_counting_the_day_itself():
    # Given a request received on Monday 2 March 2026
    result = due(clock.Facts(received_on=date(2026, 3, 2)))
    # Then the reply is due on the 20th working day after it
    assert result.due_on == date(2026, 3, 30)
    assert result.start_on == date(2026, 3, 2)
    assert not result.provisional
    assert result.explanation == (
        "收到申请 2026年3月2日；自 2026年3月2日 起 20 个工作日（开始当日不计入）；"
        "答复期限 2026年3月30日。"
    )


def test_the_spring_festival_is_skipped_and_its_working_saturdays_count():
    # 14 and 28 February 2026 are working Saturdays; 15–23 February are off.
    assert due(clock.Facts(received_on=date(2026, 2, 10))).due_on == date(2026, 3, 16)


def test_national_day_with_a_consultation_and_an_extension():
    received = date(2026, 9, 21)
    assert due(clock.Facts(received_on=received)).due_on == date(2026, 10, 26)
    # Given a third party consulted from 29 September to 9 October: only 30 September, 8 and
    # 9 October are working days in that span.
    consulted = clock.Facts(
        received_on=received,
        consultations=(
            clock.Pause(THIRD_PARTY, date(2026, 9, 29), date(2026, 10, 23), date(2026, 10, 9)),
        ),
    )
    assert due(consulted).due_on == date(2026, 10, 29)
    assert due(consulted).paused_workdays == 3
    # And an extension of 10 working days
    extended = clock.Facts(
        received_on=received,
        consultations=consulted.consultations,
        extension=clock.Extension(10, date(2026, 10, 20), "李主任"),
    )
    result = due(extended)
    assert result.due_on == date(2026, 11, 12)
    assert result.explanation == (
        "收到申请 2026年9月21日；自 2026年9月21日 起 20 个工作日（开始当日不计入）；"
        "征求第三方意见 3 个工作日不计入（2026年9月29日至2026年10月9日）；"
        "延长 10 个工作日（2026年10月20日批准，批准人：李主任）；答复期限 2026年11月12日。"
    )


def test_the_whole_procedure_explains_itself():
    # Given: received 2 March; 补正 notice 5 March; supplement 12 March; a third party
    # consulted 20–27 March; an extension of 20 working days approved on 8 April.
    facts = clock.Facts(
        received_on=date(2026, 3, 2),
        supplement_request=clock.SupplementRequest(
            date(2026, 3, 5), date(2026, 3, 26), date(2026, 3, 12)
        ),
        consultations=(
            clock.Pause(THIRD_PARTY, date(2026, 3, 20), date(2026, 4, 10), date(2026, 3, 27)),
        ),
        extension=clock.Extension(20, date(2026, 4, 8), "李主任"),
    )
    result = due(facts)
    # 20 + 20 working days after 12 March is 12 May (Qingming and 1–5 May off, 9 May worked),
    # plus the 5 working days of consultation.
    assert result.due_on == date(2026, 5, 19)
    assert result.start_on == date(2026, 3, 12)
    assert result.paused_workdays == 5
    assert result.explanation == (
        "收到申请 2026年3月2日；补正通知 2026年3月5日，补正期限至 2026年3月26日；"
        "补正材料收到 2026年3月12日，重新计算；"
        "自 2026年3月12日 起 20 个工作日（开始当日不计入）；"
        "征求第三方意见 5 个工作日不计入（2026年3月20日至2026年3月27日）；"
        "延长 20 个工作日（2026年4月8日批准，批准人：李主任）；答复期限 2026年5月19日。"
    )


def test_while_waiting_for_the_supplement_there_is_no_deadline():
    facts = clock.Facts(
        received_on=date(2026, 3, 2),
        supplement_request=clock.SupplementRequest(date(2026, 3, 5), date(2026, 3, 26)),
    )
    result = due(facts)
    assert result.due_on is None
    assert result.start_on is None
    assert result.explanation == (
        "收到申请 2026年3月2日；补正通知 2026年3月5日，补正期限至 2026年3月26日；"
        "等待申请人补正，收到补正材料之日起重新计算答复期限。"
    )


def test_an_open_consultation_counts_up_to_its_own_deadline():
    facts = clock.Facts(
        received_on=date(2026, 3, 2),
        consultations=(clock.Pause(THIRD_PARTY, date(2026, 3, 10), date(2026, 3, 31)),),
    )
    result = due(facts)
    # 15 working days (11–31 March) are set aside until the third party answers.
    assert result.paused_workdays == 15
    assert result.projected
    assert result.due_on == date(2026, 4, 21)
    assert "尚未结束，暂按期限届满计算" in result.explanation


def test_a_late_answer_pauses_only_up_to_the_consultation_deadline():
    on_time = clock.Pause(THIRD_PARTY, date(2026, 3, 10), date(2026, 3, 31), date(2026, 3, 31))
    late = clock.Pause(THIRD_PARTY, date(2026, 3, 10), date(2026, 3, 31), date(2026, 4, 20))
    received = date(2026, 3, 2)
    assert (
        due(clock.Facts(received, consultations=(late,))).due_on
        == due(clock.Facts(received, consultations=(on_time,))).due_on
    )


def test_overlapping_consultations_are_counted_once():
    received = date(2026, 3, 2)
    a = clock.Pause(THIRD_PARTY, date(2026, 3, 10), date(2026, 3, 31), date(2026, 3, 13))
    b = clock.Pause("征求其他机关意见", date(2026, 3, 12), date(2026, 4, 2), date(2026, 3, 17))
    result = due(clock.Facts(received, consultations=(a, b)))
    # 11, 12, 13, 16 and 17 March: five working days, not 3 + 3.
    assert result.paused_workdays == 5
    assert "征求第三方意见、征求其他机关意见 5 个工作日不计入" in result.explanation


def test_a_consultation_begun_after_the_deadline_changes_nothing():
    received = date(2026, 3, 2)
    late = clock.Pause(THIRD_PARTY, date(2026, 4, 1), date(2026, 4, 22), date(2026, 4, 8))
    result = due(clock.Facts(received, consultations=(late,)))
    assert result.due_on == date(2026, 3, 30)
    assert result.paused_workdays == 0
    assert "开始时答复期限已届满，不影响期限" in result.explanation


def test_the_fee_period_pauses_the_clock_unless_the_agency_says_otherwise():
    received = date(2026, 3, 2)
    fee = clock.Pause("收费通知至缴费", date(2026, 3, 4), date(2026, 4, 1), date(2026, 3, 6))
    facts = clock.Facts(received, fee=fee)
    assert due(facts).due_on == date(2026, 4, 1)  # 5 and 6 March not counted
    assert due(facts, clock.Rules(fee_pauses_clock=False)).due_on == date(2026, 3, 30)


def test_a_deadline_in_an_unannounced_year_is_provisional_not_an_error():
    # Given a request received on 15 December 2026: 2027's holidays are not yet announced
    result = due(clock.Facts(received_on=date(2026, 12, 15)))
    # Then 2027 is counted Monday to Friday (1 January 2027 included) and marked provisional
    assert result.due_on == date(2027, 1, 12)
    assert result.provisional
    assert result.explanation.endswith(
        "答复期限 2027年1月12日；2027年工作日安排尚未确认，按周一至周五计算，结果为暂定。"
    )


def test_rules_come_from_the_agency_settings(db):
    from fazhi.core import agency_settings
    from fazhi.testing.factories import user_with_role

    agency = AgencyFactory()
    sysadmin = user_with_role("sysadmin", agency=agency)
    assert clock.Rules.for_agency(agency) == clock.Rules()
    agency_settings.setting_set(
        actor=sysadmin, agency=agency, key="disclosure.reply_workdays", value=15, reason="地方规定"
    )
    assert clock.Rules.for_agency(agency).reply_workdays == 15
    assert clock.due_date(
        clock.Facts(date(2026, 3, 2)), clock.Rules.for_agency(agency)
    ).due_on == date(2026, 3, 23)


# --- Date of receipt (Art. 31) ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("channel", "arrived", "confirmed", "expected"),
    [
        (Channel.VISIT, date(2026, 3, 2), None, date(2026, 3, 2)),
        (Channel.ORAL, date(2026, 3, 2), None, date(2026, 3, 2)),
        (Channel.REGISTERED_MAIL, date(2026, 3, 3), None, date(2026, 3, 3)),
        (Channel.ORDINARY_MAIL, date(2026, 3, 3), date(2026, 3, 4), date(2026, 3, 4)),
        (Channel.EMAIL, date(2026, 3, 3), date(2026, 3, 3), date(2026, 3, 3)),
        (Channel.FAX, date(2026, 3, 6), date(2026, 3, 9), date(2026, 3, 9)),
        (Channel.ONLINE, date(2026, 3, 7), None, date(2026, 3, 7)),
    ],
)
def test_the_date_of_receipt_follows_the_channel(channel, arrived, confirmed, expected):
    assert clock.date_of_receipt(channel, arrived, confirmed).received_on == expected


def test_ordinary_mail_names_its_rule():
    receipt = clock.date_of_receipt(Channel.ORDINARY_MAIL, date(2026, 3, 3), date(2026, 3, 3))
    assert receipt.rule == "平常信函：以与申请人确认之日为收到申请之日（条例第三十一条第二项）"


@pytest.mark.parametrize(
    ("channel", "arrived", "confirmed", "code"),
    [
        (Channel.FAX, date(2026, 3, 3), None, "confirmed_on_required"),
        (Channel.ORDINARY_MAIL, date(2026, 3, 3), date(2026, 3, 2), "confirmed_before_arrival"),
        (Channel.VISIT, None, None, "arrived_on_required"),
        ("pigeon", date(2026, 3, 3), None, "channel_invalid"),
    ],
)
def test_a_receipt_without_its_dates_is_refused(channel, arrived, confirmed, code):
    with pytest.raises(InvalidInput) as refused:
        clock.date_of_receipt(channel, arrived, confirmed)
    assert refused.value.code == code
