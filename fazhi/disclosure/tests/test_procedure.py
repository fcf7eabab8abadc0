"""A request from receipt to reply: 补正, consultation, extension, fee, reply, delivery — and each
step refused when the law or the record says no, with nothing half-saved."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from fazhi.core import workflow
from fazhi.core.errors import Conflict, InvalidInput, NotAllowed
from fazhi.core.models import Event
from fazhi.disclosure import selectors, services
from fazhi.disclosure.choices import (
    ConsultationAnswer,
    ConsultationKind,
    DeliveryMethod,
    FeeBasis,
    NoticeDocument,
)
from fazhi.disclosure.models import (
    DeliveryRecord,
    DisclosureRequest,
    Extension,
    FeeNotice,
    Reply,
    SupplementRequest,
    ThirdPartyConsultation,
)
from fazhi.disclosure.outcomes import Outcome
from fazhi.disclosure.services import Part
from fazhi.disclosure.tests.conftest import registered

pytestmark = pytest.mark.django_db


def fresh(request):
    return DisclosureRequest.objects.get(pk=request.pk)


def corrected(office, request, notice_on=date(2026, 3, 5)):
    services.supplement_request_request(
        actor=office["officer"],
        request=request,
        items="请说明所需信息的具体年度和救助类别。",
        notice_on=notice_on,
    )
    return fresh(request)


def supplemented(office, request, on=date(2026, 3, 12)):
    return services.supplement_request_received(
        actor=office["officer"],
        request=request,
        supplement="2025年度城乡低保资金发放汇总表。",
        supplemented_on=on,
    )


def consulted(office, request, sent_on=date(2026, 3, 20), party="示例养老服务有限公司"):
    return services.consultation_open(
        actor=office["officer"],
        request=request,
        kind=ConsultationKind.THIRD_PARTY,
        party=party,
        subject="拟公开贵单位的补贴领取明细，是否同意公开？",
        sent_on=sent_on,
    )


PARTS = [
    Part("各街道低保资金发放汇总数", True),
    Part(
        "领取人姓名及身份证号码",
        False,
        Outcome.WITHHELD_THIRD_PARTY,
        "涉及个人隐私，公开会对第三方合法权益造成损害（条例第十五条）。",
    ),
]


def verbs(request):
    return [e.verb for e in workflow.timeline(request)]


def test_the_whole_way_to_a_partial_disclosure(office):
    # Given a request handed in on 2 March 2026
    request = registered(office)
    assert request.due_on == date(2026, 3, 30)
    # When the office asks for a supplement on 5 March, the clock stops
    request = corrected(office, request)
    assert request.state == "supplement_request"
    assert request.due_on is None
    assert request.supplement_request.supplement_due_on == date(2026, 3, 26)  # 15 working days
    # When the supplement arrives on 12 March, 20 working days run again from it
    request = fresh(supplemented(office, request))
    assert request.state == "received"
    assert request.due_on == date(2026, 4, 10)
    # When a third party is consulted on 20 March, the clock stands still until it answers
    consultation = consulted(office, request)
    request = fresh(request)
    assert request.state == "consultation"
    assert consultation.due_on == date(2026, 4, 13)
    assert request.due_on == date(2026, 5, 6)  # counted up to the third party's deadline
    services.consultation_answer(
        actor=office["officer"],
        consultation=consultation,
        answer=ConsultationAnswer.OBJECTION,
        text="涉及本公司员工个人信息，不同意公开。",
        answered_on=date(2026, 3, 27),
    )
    request = fresh(request)
    assert request.state == "received"
    assert request.due_on == date(2026, 4, 17)  # 5 working days not counted
    # When the office head approves an extension of 20 working days on 8 April
    extension = services.extension_approve(
        actor=office["leader"],
        request=request,
        days=20,
        reason="需要逐一核对各街道发放记录。",
        approved_on=date(2026, 4, 8),
    )
    assert (extension.due_before, extension.due_after) == (date(2026, 4, 17), date(2026, 5, 19))
    assert extension.notified_on == date(2026, 4, 8)
    request = fresh(request)
    assert request.due_on == date(2026, 5, 19)
    assert selectors.due_explained(request).explanation == (
        "收到申请 2026年3月2日；补正通知 2026年3月5日，补正期限至 2026年3月26日；"
        "补正材料收到 2026年3月12日，重新计算；"
        "自 2026年3月12日 起 20 个工作日（开始当日不计入）；"
        "征求第三方意见 5 个工作日不计入（2026年3月20日至2026年3月27日）；"
        "延长 20 个工作日（2026年4月8日批准，批准人：李主任）；答复期限 2026年5月19日。"
    )
    # When the office replies 部分公开 with the parts and reasons, and posts the letter
    reply = services.reply(
        actor=office["officer"],
        request=request,
        outcome=Outcome.PARTIAL,
        text="经审查，现向您提供各街道低保资金发放汇总数；领取人个人信息不予公开。",
        parts=PARTS,
        replied_on=date(2026, 5, 15),
    )
    services.delivery_record(
        actor=office["officer"],
        request=request,
        document=NoticeDocument.REPLY,
        method=DeliveryMethod.POST,
        sent_on=date(2026, 5, 15),
        delivered_on=date(2026, 5, 18),
        reference="EMS1234567890",
    )
    # Then the request is replied, with its outcome and the date it concluded
    request = fresh(request)
    assert request.state == "replied"
    assert request.outcome == Outcome.PARTIAL
    assert request.concluded_on == date(2026, 5, 15)
    assert [(p.number, p.disclosed, p.reason) for p in reply.parts.all()] == [
        (1, True, ""),
        (2, False, Outcome.WITHHELD_THIRD_PARTY),
    ]
    assert DeliveryRecord.objects.get(request=request).delivered_on == date(2026, 5, 18)
    # And every step is on the record, in order
    assert verbs(request) == [
        "disclosure.request.register",
        "disclosure.disclosurerequest.request_supplement_request",
        "disclosure.disclosurerequest.receive_supplement",
        "disclosure.disclosurerequest.open_consultation",
        "disclosure.disclosurerequest.close_consultation",
        "disclosure.extension.approve",
        "disclosure.disclosurerequest.reply",
        "disclosure.delivery.record",
    ]


def test_a_second_consultation_keeps_the_clock_stopped_until_the_last_answer(office):
    request = registered(office)
    first = consulted(office, request, sent_on=date(2026, 3, 10))
    second = consulted(office, fresh(request), sent_on=date(2026, 3, 12), party="示例区街道办")
    services.consultation_answer(
        actor=office["officer"],
        consultation=first,
        answer=ConsultationAnswer.CONSENT,
        answered_on=date(2026, 3, 13),
    )
    assert fresh(request).state == "consultation"
    with pytest.raises(Conflict) as refused:
        services.consultation_answer(
            actor=office["officer"], consultation=first, answer=ConsultationAnswer.CONSENT
        )
    assert refused.value.code == "already_answered"
    services.consultation_answer(
        actor=office["officer"],
        consultation=second,
        answer=ConsultationAnswer.CONSENT,
        answered_on=date(2026, 3, 17),
    )
    request = fresh(request)
    assert request.state == "received"
    assert request.due_on == date(2026, 4, 7)  # 11–13 and 16–17 March not counted


def test_silence_may_be_recorded_only_after_the_consultation_period(office):
    request = registered(office)
    consultation = consulted(office, request, sent_on=date(2026, 3, 10))
    with pytest.raises(Conflict) as refused:
        services.consultation_answer(
            actor=office["officer"],
            consultation=consultation,
            answer=ConsultationAnswer.NO_ANSWER,
            answered_on=date(2026, 3, 31),
        )
    assert str(refused.value.message) == "答复期限至2026年3月31日，尚未届满，不能登记为逾期未答复。"
    services.consultation_answer(
        actor=office["officer"],
        consultation=consultation,
        answer=ConsultationAnswer.NO_ANSWER,
        answered_on=date(2026, 4, 1),
    )
    # The pause ends with the period, not with the day the silence was recorded.
    assert fresh(request).due_on == date(2026, 4, 21)


def test_an_objection_needs_its_reasons(office):
    request = registered(office)
    consultation = consulted(office, request)
    with pytest.raises(InvalidInput) as refused:
        services.consultation_answer(
            actor=office["officer"], consultation=consultation, answer=ConsultationAnswer.OBJECTION
        )
    assert str(refused.value.message) == "请填写不同意公开的理由。"
    assert ThirdPartyConsultation.objects.get(pk=consultation.pk).answered_on is None


# --- 补正 refusals --------------------------------------------------------------------------


def test_the_supplement_notice_is_given_once(office):
    request = supplemented(office, corrected(office, registered(office)))
    with pytest.raises(Conflict) as refused:
        corrected(office, fresh(request), notice_on=date(2026, 3, 13))
    assert refused.value.code == "supplement_request_once"
    assert str(refused.value.message) == "补正只能一次性告知，本申请已于2026年3月5日告知补正。"


def test_the_supplement_notice_must_come_within_seven_working_days(office):
    request = registered(office)
    with pytest.raises(Conflict) as refused:
        corrected(office, request, notice_on=date(2026, 3, 12))
    assert refused.value.status == 409
    assert str(refused.value.message) == (
        "补正告知应当在收到申请之日起7个工作日内发出（至2026年3月11日），已超过期限，不能再要求补正。"
    )
    assert not SupplementRequest.objects.exists()
    assert fresh(request).state == "received"
    # The seventh working day itself is still in time
    assert corrected(office, request, notice_on=date(2026, 3, 11)).state == "supplement_request"


def test_a_late_supplement_needs_the_applicants_good_reason(office):
    request = corrected(office, registered(office))
    with pytest.raises(InvalidInput) as refused:
        supplemented(office, request, on=date(2026, 3, 27))
    assert str(refused.value.message) == (
        "补正期限已于2026年3月26日届满；逾期补正的，请写明申请人的正当理由。"
    )
    assert fresh(request).state == "supplement_request"
    services.supplement_request_received(
        actor=office["officer"],
        request=request,
        supplement="补充了年度和类别。",
        supplemented_on=date(2026, 3, 27),
        late_reason="申请人住院，提供了住院证明。",
    )
    assert fresh(request).due_on == date(2026, 4, 27)


# --- Extension refusals ---------------------------------------------------------------------


def test_an_extension_beyond_twenty_working_days_is_refused(office):
    request = registered(office)
    with pytest.raises(InvalidInput) as refused:
        services.extension_approve(
            actor=office["leader"],
            request=request,
            days=21,
            reason="材料较多。",
            approved_on=date(2026, 3, 20),
        )
    assert str(refused.value.message) == "延长答复的期限最长不得超过20个工作日。"
    assert not Extension.objects.exists()


def test_a_second_extension_is_refused(office):
    request = registered(office)
    services.extension_approve(
        actor=office["leader"],
        request=request,
        days=5,
        reason="材料较多。",
        approved_on=date(2026, 3, 20),
    )
    with pytest.raises(Conflict) as refused:
        services.extension_approve(
            actor=office["leader"],
            request=fresh(request),
            days=5,
            reason="仍需核对。",
            approved_on=date(2026, 3, 27),
        )
    assert (
        str(refused.value.message) == "答复期限只能延长一次，本申请已于2026年3月20日延长5个工作日。"
    )
    assert fresh(request).due_on == date(2026, 4, 7)


def test_an_extension_after_the_deadline_is_refused(office):
    request = registered(office)
    with pytest.raises(Conflict) as refused:
        services.extension_approve(
            actor=office["leader"],
            request=request,
            days=10,
            reason="材料较多。",
            approved_on=date(2026, 3, 31),
        )
    assert str(refused.value.message) == "答复期限已于2026年3月30日届满，不能再延长。"


def test_only_the_office_head_approves_an_extension(office):
    request = registered(office)
    for actor in (office["officer"], office["clerk"], office["other_officer"]):
        with pytest.raises(NotAllowed):
            services.extension_approve(
                actor=actor,
                request=request,
                days=10,
                reason="材料较多。",
                approved_on=date(2026, 3, 20),
            )
    assert not Extension.objects.exists()


# --- Fees -----------------------------------------------------------------------------------


def test_a_fee_notice_holds_the_request_until_payment(office):
    request = registered(office)
    fee = services.fee_notice(
        actor=office["officer"],
        request=request,
        basis=FeeBasis.PER_PAGE,
        quantity=150,
        notice_on=date(2026, 3, 4),
    )
    assert fee.amount == Decimal("1700.00")
    assert fee.payment_due_on == date(2026, 4, 1)
    assert fresh(request).state == "fee"
    with pytest.raises(Conflict) as refused:
        services.fee_notice(
            actor=office["officer"], request=fresh(request), basis=FeeBasis.PER_PAGE, quantity=50
        )
    assert refused.value.code == "fee_once"
    services.fee_paid(
        actor=office["officer"], request=request, paid_on=date(2026, 3, 6), receipt_number="No.1"
    )
    request = fresh(request)
    assert request.state == "received"
    assert request.due_on == date(2026, 4, 1)  # 5 and 6 March not counted


def test_no_fee_within_the_free_allowance(office):
    request = registered(office)
    with pytest.raises(InvalidInput) as refused:
        services.fee_notice(
            actor=office["officer"], request=request, basis=FeeBasis.PER_ITEM, quantity=3
        )
    assert str(refused.value.message) == "未超过免费范围，不收取信息处理费（条例第四十二条）。"
    assert not FeeNotice.objects.exists()
    assert fresh(request).state == "received"


def test_the_per_item_fee_counts_the_applicants_month(office):
    for day in range(2, 12):
        registered(office, received_on=date(2026, 3, day))
    eleventh = registered(office, received_on=date(2026, 3, 12))
    fee = services.fee_notice(
        actor=office["officer"],
        request=eleventh,
        basis=FeeBasis.PER_ITEM,
        quantity=2,
        notice_on=date(2026, 3, 13),
    )
    assert fee.amount == Decimal("200.00")  # the 11th and 12th items of March


def test_a_payment_after_the_period_is_refused(office):
    request = registered(office)
    services.fee_notice(
        actor=office["officer"],
        request=request,
        basis=FeeBasis.PER_PAGE,
        quantity=40,
        notice_on=date(2026, 3, 4),
    )
    with pytest.raises(Conflict) as refused:
        services.fee_paid(actor=office["officer"], request=request, paid_on=date(2026, 4, 2))
    assert str(refused.value.message) == "缴费期限已于2026年4月1日届满，申请视为放弃。"
    assert fresh(request).state == "fee"


# --- Reply refusals -------------------------------------------------------------------------


def reply_with(office, request, outcome, parts=(), **changes):
    values = {
        "actor": office["officer"],
        "request": request,
        "outcome": outcome,
        "text": "经检索，本机关未制作或获取该信息。",
        "parts": parts,
        "replied_on": date(2026, 3, 20),
    }
    values.update(changes)
    return services.reply(**values)


@pytest.mark.parametrize(
    ("outcome", "parts", "error", "code", "message"),
    [
        (
            Outcome.OTHER_NO_SUPPLEMENT,
            (),
            InvalidInput,
            "outcome_not_for_reply",
            "“逾期不补正”和“逾期未缴费”在期限届满后由系统办结，不能作为答复结果。",
        ),
        (
            Outcome.OTHER_NO_FEE,
            (),
            InvalidInput,
            "outcome_not_for_reply",
            "“逾期不补正”和“逾期未缴费”在期限届满后由系统办结，不能作为答复结果。",
        ),
        ("maybe", (), InvalidInput, "outcome_invalid", "请选择办理结果。"),
        (
            Outcome.UNAVAILABLE_UNCLEAR,
            (),
            Conflict,
            "outcome_needs_supplement_request",
            "“补正后申请内容仍不明确”只能用于已经补正的申请。",
        ),
        (
            Outcome.NOT_PROCESSED_EXCESSIVE,
            (),
            Conflict,
            "outcome_needs_excessive",
            "该申请人本月申请数量未超过合理范围，不能以“无正当理由大量反复申请”不予处理。",
        ),
        (
            Outcome.PARTIAL,
            (),
            InvalidInput,
            "parts_incomplete",
            "部分公开须至少列明一项予以公开的内容和一项不予公开的内容（条例第三十七条）。",
        ),
        (
            Outcome.PARTIAL,
            (PARTS[0],),
            InvalidInput,
            "parts_incomplete",
            "部分公开须至少列明一项予以公开的内容和一项不予公开的内容（条例第三十七条）。",
        ),
        (
            Outcome.PARTIAL,
            (PARTS[0], Part("名单", False, Outcome.NOT_PROCESSED_REPEAT, "重复")),
            InvalidInput,
            "part_reason_required",
            "第2项不予公开，请选择不予公开或无法提供的理由。",
        ),
        (
            Outcome.PARTIAL,
            (PARTS[0], Part("名单", False, Outcome.WITHHELD_INTERNAL, "")),
            InvalidInput,
            "part_explanation_required",
            "请填写第2项不予公开的理由说明。",
        ),
        (
            Outcome.DISCLOSED,
            tuple(PARTS),
            InvalidInput,
            "parts_not_allowed",
            "只有“部分公开”需要逐项列明公开和不予公开的内容。",
        ),
    ],
)
def test_a_reply_whose_outcome_does_not_fit_is_refused(
    office, outcome, parts, error, code, message
):
    request = registered(office)
    with pytest.raises(error) as refused:
        reply_with(office, request, outcome, parts)
    assert refused.value.code == code
    assert str(refused.value.message) == message
    assert not Reply.objects.exists()
    assert fresh(request).state == "received"
    assert fresh(request).outcome == ""


def test_a_reply_waits_for_the_supplement(office):
    request = corrected(office, registered(office))
    with pytest.raises(Conflict) as refused:
        reply_with(office, request, Outcome.DISCLOSED)
    assert (
        str(refused.value.message)
        == "申请当前为“待补正”，不能进行此操作。可能已被他人处理，请刷新。"
    )


def test_unclear_after_supplement_request_fits_a_supplemented_request(office):
    request = supplemented(office, corrected(office, registered(office)))
    reply_with(office, request, Outcome.UNAVAILABLE_UNCLEAR, replied_on=date(2026, 3, 20))
    assert fresh(request).outcome == Outcome.UNAVAILABLE_UNCLEAR


def test_a_request_is_replied_once(office):
    request = registered(office)
    reply_with(office, request, Outcome.UNAVAILABLE_NOT_HELD, referral="示例区财政局，电话 12345")
    with pytest.raises(Conflict):
        reply_with(office, fresh(request), Outcome.DISCLOSED)
    assert Reply.objects.get().referral == "示例区财政局，电话 12345"


def test_a_bare_transition_without_the_reply_record_is_refused(office):
    request = registered(office)
    with pytest.raises(Conflict) as refused:
        workflow.perform(request, "reply", actor=office["officer"], outcome=Outcome.DISCLOSED)
    assert refused.value.code == "reply_required"
    assert fresh(request).state == "received"


def test_a_reply_dated_before_the_supplement_is_refused(office):
    request = supplemented(office, corrected(office, registered(office)))
    with pytest.raises(InvalidInput) as refused:
        reply_with(office, request, Outcome.DISCLOSED, replied_on=date(2026, 3, 11))
    assert str(refused.value.message) == "答复日期不能早于答复期限的起算日（2026年3月12日）。"


# --- Delivery -------------------------------------------------------------------------------


def test_a_delivery_needs_its_document(office):
    request = registered(office)
    with pytest.raises(Conflict) as refused:
        services.delivery_record(
            actor=office["officer"],
            request=request,
            document=NoticeDocument.REPLY,
            method=DeliveryMethod.POST,
            sent_on=date(2026, 3, 3),
        )
    assert str(refused.value.message) == "本申请尚无答复告知书，不能登记送达。"
    assert not DeliveryRecord.objects.exists()


def test_the_delivery_date_is_recorded_once_when_it_is_known(office):
    request = corrected(office, registered(office))
    delivery = services.delivery_record(
        actor=office["officer"],
        request=request,
        document=NoticeDocument.SUPPLEMENT_REQUEST,
        method=DeliveryMethod.POST,
        sent_on=date(2026, 3, 5),
    )
    with pytest.raises(InvalidInput):
        services.delivery_confirm(
            actor=office["officer"], delivery=delivery, delivered_on=date(2026, 3, 4)
        )
    services.delivery_confirm(
        actor=office["officer"], delivery=delivery, delivered_on=date(2026, 3, 7)
    )
    with pytest.raises(Conflict):
        services.delivery_confirm(
            actor=office["officer"], delivery=delivery, delivered_on=date(2026, 3, 8)
        )
    assert DeliveryRecord.objects.get().delivered_on == date(2026, 3, 7)


# --- Who may act ----------------------------------------------------------------------------


STEPS = {
    "supplement_request": lambda actor, r: services.supplement_request_request(
        actor=actor, request=r, items="请明确年度。", notice_on=date(2026, 3, 5)
    ),
    "consultation": lambda actor, r: services.consultation_open(
        actor=actor,
        request=r,
        kind=ConsultationKind.OTHER_AGENCY,
        party="区财政局",
        subject="是否同意公开？",
        sent_on=date(2026, 3, 5),
    ),
    "fee": lambda actor, r: services.fee_notice(
        actor=actor, request=r, basis=FeeBasis.PER_PAGE, quantity=60, notice_on=date(2026, 3, 5)
    ),
    "reply": lambda actor, r: services.reply(
        actor=actor,
        request=r,
        outcome=Outcome.DISCLOSED,
        text="予以公开。",
        replied_on=date(2026, 3, 5),
    ),
}


@pytest.mark.parametrize("step", sorted(STEPS))
@pytest.mark.parametrize("who", ["leader", "clerk", "other_officer"])
def test_only_the_agencys_disclosure_office_handles_a_request(office, step, who):
    request = registered(office)
    before = list(Event.objects.values_list("seq", flat=True))
    with pytest.raises(NotAllowed) as refused:
        STEPS[step](office[who], request)
    assert refused.value.status == 403
    assert fresh(request).state == "received"
    assert list(Event.objects.values_list("seq", flat=True)) == before
    assert not (
        SupplementRequest.objects.exists()
        or ThirdPartyConsultation.objects.exists()
        or FeeNotice.objects.exists()
        or Reply.objects.exists()
    )


AFTER = {
    "supplement_request": "supplement_request",
    "consultation": "consultation",
    "fee": "fee",
    "reply": "replied",
}


@pytest.mark.parametrize("step", sorted(STEPS))
def test_the_disclosure_office_may(office, step):
    request = registered(office)
    STEPS[step](office["officer"], request)
    assert fresh(request).state == AFTER[step]


def test_reading_is_for_the_office_leaders_and_oversight(office):
    from fazhi.core.roles import Role
    from fazhi.testing.factories import user_with_role

    request = registered(office)
    overseer = user_with_role(Role.DISTRICT_OVERSEER, agency=office["agency"])
    readers = [office["officer"], office["leader"], overseer]
    assert [u.has_perm("disclosure.view_request", request) for u in readers] == [True] * 3
    assert not office["clerk"].has_perm("disclosure.view_request", request)
    assert not office["other_officer"].has_perm("disclosure.view_request", request)
    assert set(selectors.requests_for(office["other_officer"])) == set()


def test_a_future_date_is_refused(office):
    request = registered(office)
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(InvalidInput) as refused:
        corrected(office, request, notice_on=tomorrow)
    assert str(refused.value.message) == "补正告知日期不能晚于今天。"
