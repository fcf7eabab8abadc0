"""The cases services: registration on every channel, each step and its guard, bad input,
roles. Dates: Monday 2 March 2026 onwards; the test calendar is Monday–Friday."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from fazhi.core.errors import Conflict, InvalidInput, NotAllowed
from fazhi.core.models import Event
from fazhi.core.models.numbering import IssuedNumber
from fazhi.core.notify.models import Notification
from fazhi.services.models import CaseChannel, ServiceCase, ServiceGuide
from fazhi.services.services import cases as services
from fazhi.services.tests.conftest import published_item
from fazhi.services.tests.test_cases_setup import (  # noqa: F401 - fixtures
    bad_check_digit,
    center_for,
    checked_in_appointment,
    credit_code,
    decided,
    office_fixture,
    register,
    resident_id,
)

pytestmark = pytest.mark.django_db
State = ServiceCase.State
MON = date(2026, 3, 2)


def verbs(case) -> list[str]:
    """The cases area's own events on the case (the ratings area adds its own)."""
    return [
        verb
        for verb in Event.objects.filter(target_type="services.servicecase", target_id=str(case.pk))
        .order_by("seq")
        .values_list("verb", flat=True)
        if verb.startswith(("services.servicecase.", "services.cases."))
    ]


# --- Registration ------------------------------------------------------------------------------


def test_a_counter_case_is_numbered_and_copies_the_guide_and_the_power(office):
    # Given the relief item (行政许可, 10/20 working days) and a center
    year = timezone.localdate().year
    # When the clerk registers two applications at the counter
    first = register(office, seq=1)
    second = register(office, seq=2, actor=office["liaison"])
    # Then they are numbered gap-free in the agency's series of the year
    assert first.case_number == f"示民办〔{year}〕000001号"
    assert second.case_number == f"示民办〔{year}〕000002号"
    # And the case copies the limits, the kind, the department; received today
    assert (first.state, first.channel, first.received_on) == (
        State.RECEIVED,
        CaseChannel.COUNTER,
        timezone.localdate(),
    )
    assert (first.promised_days, first.statutory_days) == (10, 20)
    assert first.power_kind == "licensing"
    assert first.department == office["relief"]
    assert first.center == office["center"]
    assert first.created_by == office["clerk"]
    # And the number is stored encrypted, shown masked, found by its hash
    number = resident_id(1)
    assert str(first.resident_id) == number[:3] + "*" * 11 + number[-4:]
    assert first.resident_id.decrypt() == number
    assert str(first.phone) == "138****5678"
    event = Event.objects.get(verb="services.cases.register", target_id=str(first.pk))
    assert event.data["applicant"] == str(first.resident_id)
    assert number not in str(event.data)

    # And the department's clerks are told (not the one who registered it)
    def told(case):
        notes = Notification.objects.filter(kind="services_case", target_id=str(case.pk))
        return set(notes.values_list("recipient", flat=True))

    assert told(first) == {office["clerk2"].pk}
    assert told(second) == {office["clerk"].pk, office["clerk2"].pk}


def test_an_organisation_is_named_by_its_credit_code(office):
    case = register(office, applicant_kind="organisation", applicant_name="某养老院",
                    resident_id="", credit_code=credit_code(3))  # fmt: skip
    assert case.credit_code.decrypt() == credit_code(3)
    assert case.resident_id == ""


def _bad(office, **over):
    with pytest.raises(InvalidInput) as caught:
        register(office, **over)
    assert ServiceCase.objects.count() == 0
    assert not IssuedNumber.objects.exists()
    return caught.value


def test_a_bad_check_digit_is_refused_and_nothing_is_written(office):
    error = _bad(office, resident_id=bad_check_digit(resident_id(1)))
    assert error.code == "resident_id_check_digit"
    assert "校验" in str(error.message)


@pytest.mark.parametrize(
    ("over", "code"),
    [
        ({"received_on": date.today() + timedelta(days=1)}, "date_in_future"),
        ({"received_on": date(1999, 12, 31)}, "date_out_of_range"),
        ({"applicant_name": " "}, "applicant_name_required"),
        ({"applicant_name": "名" * 101}, "applicant_name_too_long"),
        ({"phone": "12345"}, "phone_format"),
        ({"center": None}, "center_required"),
        ({"applicant_kind": "robot"}, "applicant_kind_invalid"),
        ({"applicant_kind": "organisation", "credit_code": ""}, "credit_code_required"),
        ({"resident_id": ""}, "resident_id_required"),
        ({"channel": "fax"}, "channel_invalid"),
        ({"channel": "appointment"}, "appointment_required"),
        ({"external_ref": "bad ref!"}, "external_ref_invalid"),
    ],
)
def test_bad_input_is_refused_with_nothing_written(office, over, code):
    error = _bad(office, **over)
    assert (
        error.code.startswith(code.split("_invalid")[0])
        if code == "phone_invalid"
        else (error.code == code)
    )


def test_items_centers_and_channels_are_checked(office):
    bureau = office
    draft_only = ServiceGuide.objects.get(item=office["item"])
    assert draft_only.state == ServiceGuide.State.PUBLISHED
    # An item of another agency, an inactive item, an inactive center, an item not online
    other = {"agency": office["other_agency"], "officer": bureau["other_officer"],
             "relief": office["stranger"].memberships.get().department}  # fmt: skip
    other_item = published_item(other, code="9", name="他局事项")
    assert _bad(office, item=other_item).code == "item_unknown"
    assert _bad(office, center=center_for(office["other_agency"])).code == "center_unknown"
    closed = center_for(office["agency"], name="停用中心", active=False)
    assert _bad(office, center=closed).code == "center_inactive"
    assert _bad(office, channel="online", center=None).code == "item_not_online"
    office["item"].active = False
    office["item"].save()
    assert _bad(office).code == "item_inactive"


def test_an_item_without_a_published_guide_is_refused(office):
    from fazhi.services.services import guides

    item = guides.item_create(
        actor=office["officer"], agency=office["agency"], power_code="101", name="无指南事项",
        department=office["relief"],
    )  # fmt: skip
    assert _bad(office, item=item).code == "guide_not_published"


@pytest.mark.parametrize("who", ["leader", "overseer", "stranger"])
def test_only_the_agencys_counter_staff_register(office, who):
    with pytest.raises(NotAllowed):
        register(office, actor=office[who])
    assert not ServiceCase.objects.exists()


def test_the_legal_office_and_any_departments_staff_register(office):
    for who in ("officer", "social_clerk", "social_head", "liaison"):
        register(office, actor=office[who], seq=len(who))
    assert ServiceCase.objects.count() == 4


def test_an_online_application_registered_twice_is_one_case(office):
    office["item"].online = True
    office["item"].save()
    data = {"channel": CaseChannel.ONLINE, "center": None, "external_ref": "YWTB-2026-0001"}
    # When the platform sends the same application twice
    first = services.case_register_result(
        actor=office["officer"], agency=office["agency"], item=office["item"],
        applicant_kind="person", applicant_name="王小明", resident_id=resident_id(1), **data,
    )  # fmt: skip
    again = services.case_register_result(
        actor=office["officer"], agency=office["agency"], item=office["item"],
        applicant_kind="person", applicant_name="王小明", resident_id=resident_id(1), **data,
    )  # fmt: skip
    # Then one case, the second answer says it was not created
    assert (first.created, again.created) == (True, False)
    assert again.case.pk == first.case.pk
    assert ServiceCase.objects.count() == 1
    assert IssuedNumber.objects.count() == 1
    # And the same reference for another person is a conflict
    with pytest.raises(Conflict) as caught:
        register(office, actor=office["officer"], seq=2, **data)
    assert caught.value.code == "external_ref_conflict"


def test_a_checked_in_appointment_becomes_one_case(office):
    agency, center, item = office["agency"], office["center"], office["item"]
    appointment = checked_in_appointment(agency, center, item, number=resident_id(5))
    # When the clerk registers from the appointment
    case = services.case_register(
        actor=office["social_clerk"], agency=agency, item=None, channel="appointment",
        applicant_kind="", applicant_name="", appointment=appointment,
    )  # fmt: skip
    # Then item, center and the person come from it
    assert (case.channel, case.item, case.center, case.appointment) == (
        "appointment", item, center, appointment,
    )  # fmt: skip
    assert case.applicant_name == "王小明"
    assert case.resident_id.decrypt() == resident_id(5)
    assert case.phone.decrypt() == "13812345678"
    # And a second case for the same appointment is refused
    with pytest.raises(Conflict) as caught:
        services.case_register(
            actor=office["clerk"], agency=agency, item=None, channel="appointment",
            applicant_kind="", applicant_name="", appointment=appointment,
        )  # fmt: skip
    assert caught.value.code == "appointment_has_case"
    assert ServiceCase.objects.count() == 1


def test_an_appointment_not_checked_in_is_refused(office):
    appointment = checked_in_appointment(
        office["agency"], office["center"], office["item"], number=resident_id(5)
    )
    appointment.state = "booked"
    appointment.save()
    with pytest.raises(Conflict) as caught:
        services.case_register(
            actor=office["clerk"], agency=office["agency"], item=None, channel="appointment",
            applicant_kind="", applicant_name="", appointment=appointment,
        )  # fmt: skip
    assert caught.value.code == "appointment_not_checked_in"
    assert not ServiceCase.objects.exists()


# --- The steps ----------------------------------------------------------------------------------


def test_the_whole_path_with_one_supplement(office):
    # Given a case received on Monday 2 March 2026 and accepted the same day (当场受理)
    case = register(office, received_on=MON)
    case = services.case_accept(actor=office["clerk"], case=case, on=MON)
    # Then both clocks run from acceptance, the start day not counted
    assert (case.state, case.accepted_on, case.handler) == (State.ACCEPTED, MON, office["clerk"])
    assert (case.promised_due_on, case.statutory_due_on) == (date(2026, 3, 16), date(2026, 3, 30))
    case = services.case_start_review(actor=office["clerk"], case=case)
    # When 补正 is asked on Wednesday 4 March, the clocks stop
    case = services.case_request_supplement(
        actor=office["clerk"],
        case=case,
        items=["户口簿复印件", " 收入证明 ", ""],
        on=MON + timedelta(2),
    )
    assert case.state == State.SUPPLEMENT
    assert case.supplement_items == ["户口簿复印件", "收入证明"]
    assert (case.promised_due_on, case.statutory_due_on) == (None, None)
    # When the materials arrive on Tuesday 10 March: 4–10 March is 5 working days paused
    case = services.case_receive_supplement(actor=office["clerk"], case=case, on=date(2026, 3, 10))
    assert case.state == State.REVIEWING
    assert (case.promised_due_on, case.statutory_due_on) == (date(2026, 3, 23), date(2026, 4, 6))
    # And the head grants, the clerk concludes and delivers
    case = services.case_grant(
        actor=office["head"], case=case, on=date(2026, 3, 12), comment="同意"
    )
    assert (case.decision, case.decided_on, case.decision_reason) == (
        "granted",
        date(2026, 3, 12),
        "同意",
    )
    case, links = services.case_conclude(actor=office["clerk"], case=case, on=date(2026, 3, 13))
    assert (case.state, case.concluded_on) == (State.CONCLUDED, date(2026, 3, 13))
    assert (case.on_time_promised, case.on_time_statutory) == (True, True)
    assert isinstance(links, dict)
    case = services.case_deliver(
        actor=office["clerk"], case=case, method="post", on=date(2026, 3, 16)
    )
    assert (case.state, case.delivery_method, case.delivered_on) == (
        State.DELIVERED, "post", date(2026, 3, 16),
    )  # fmt: skip
    assert case.delivery_method_label == "邮寄送达"
    # Every step is on the record, in order
    assert verbs(case) == [
        "services.cases.register",
        "services.servicecase.accept",
        "services.servicecase.start_review",
        "services.servicecase.request_supplement",
        "services.servicecase.receive_supplement",
        "services.servicecase.grant",
        "services.servicecase.conclude",
        "services.servicecase.deliver",
    ]
    supplement = Event.objects.get(verb="services.servicecase.request_supplement")
    assert supplement.data["items"] == "户口簿复印件\n收入证明"
    assert (supplement.from_state, supplement.to_state) == ("reviewing", "supplement")


def test_supplement_is_asked_only_once(office):
    case = register(office, received_on=MON)
    case = services.case_accept(actor=office["clerk"], case=case, on=MON)
    case = services.case_request_supplement(actor=office["clerk"], case=case, items=["A"], on=MON)
    case = services.case_receive_supplement(actor=office["clerk"], case=case, on=MON)
    with pytest.raises(Conflict) as caught:
        services.case_request_supplement(actor=office["clerk"], case=case, items=["B"], on=MON)
    assert caught.value.code == "supplement_once"
    case.refresh_from_db()
    assert (case.state, case.supplement_items) == (State.REVIEWING, ["A"])


def test_a_supplement_needs_a_list_of_materials(office):
    case = services.case_accept(
        actor=office["clerk"], case=register(office, received_on=MON), on=MON
    )
    with pytest.raises(InvalidInput) as caught:
        services.case_request_supplement(actor=office["clerk"], case=case, items=["", "  "])
    assert caught.value.code == "supplement_items_required"
    case.refresh_from_db()
    assert case.state == State.ACCEPTED


def test_deny_needs_a_reason(office):
    case = register(office, received_on=MON)
    case = services.case_accept(actor=office["clerk"], case=case, on=MON)
    case = services.case_start_review(actor=office["clerk"], case=case)
    with pytest.raises(InvalidInput) as caught:
        services.case_deny(actor=office["head"], case=case, reason="  ")
    assert caught.value.code == "reason_required"
    case = services.case_deny(actor=office["head"], case=case, reason="材料不实", on=MON)
    assert (case.state, case.decision, case.decision_reason) == (State.DENIED, "denied", "材料不实")


@pytest.mark.parametrize("who", ["clerk", "social_head", "social_clerk", "leader", "overseer"])
def test_only_the_cases_department_head_or_the_legal_office_decides(office, who):
    case = register(office, received_on=MON)
    case = services.case_accept(actor=office["clerk"], case=case, on=MON)
    case = services.case_start_review(actor=office["clerk"], case=case)
    with pytest.raises(NotAllowed):
        services.case_grant(actor=office[who], case=case, on=MON)
    case.refresh_from_db()
    assert (case.state, case.decision, case.decided_on) == (State.REVIEWING, "", None)
    assert services.case_grant(actor=office["officer"], case=case, on=MON).state == State.GRANTED


@pytest.mark.parametrize("who", ["social_clerk", "head", "liaison", "leader", "stranger"])
def test_only_clerks_of_the_department_and_the_legal_office_handle(office, who):
    case = register(office, received_on=MON)
    with pytest.raises(NotAllowed):
        services.case_accept(actor=office[who], case=case, on=MON)
    case.refresh_from_db()
    assert (case.state, case.accepted_on) == (State.RECEIVED, None)
    assert (
        services.case_accept(actor=office["officer"], case=case, on=MON).handler
        == office["officer"]
    )


def test_dates_never_in_the_future_nor_before_the_previous_step(office):
    case = register(office, received_on=MON + timedelta(1))
    with pytest.raises(InvalidInput) as caught:
        services.case_accept(actor=office["clerk"], case=case, on=MON)
    assert caught.value.code == "date_before_previous_step"
    with pytest.raises(InvalidInput) as caught:
        services.case_accept(actor=office["clerk"], case=case, on=date.today() + timedelta(1))
    assert caught.value.code == "date_in_future"
    case.refresh_from_db()
    assert case.state == State.RECEIVED
    done = decided(office, on=MON, seq=2)
    with pytest.raises(InvalidInput) as caught:
        services.case_conclude(actor=office["clerk"], case=done, on=MON - timedelta(1))
    assert caught.value.code == "date_before_previous_step"
    case, _links = services.case_conclude(actor=office["clerk"], case=done, on=MON)
    with pytest.raises(InvalidInput) as caught:
        services.case_deliver(
            actor=office["clerk"], case=case, method="post", on=MON - timedelta(1)
        )
    assert caught.value.code == "date_before_previous_step"
    with pytest.raises(InvalidInput) as caught:
        services.case_deliver(actor=office["clerk"], case=case, method="pigeon", on=MON)
    assert caught.value.code == "delivery_method_invalid"


def test_not_accepting_ends_the_case_with_its_reason(office):
    case = register(office, received_on=MON)
    with pytest.raises(InvalidInput):
        services.case_not_accept(actor=office["clerk"], case=case, reason="")
    case = services.case_not_accept(
        actor=office["clerk"], case=case, reason="不属于本机关职权范围", on=MON
    )
    assert (case.state, case.decision, case.decided_on, case.concluded_on) == (
        State.NOT_ACCEPTED, "not_accepted", MON, MON,
    )  # fmt: skip
    assert (case.on_time_promised, case.on_time_statutory, case.accepted_on) == (None, None, None)
    with pytest.raises(Conflict) as caught:
        services.case_accept(actor=office["clerk"], case=case, on=MON)
    assert caught.value.code == "state_changed"


def test_concluding_late_is_recorded_and_kept(office):
    # Accepted 2 March: promised due 16 March, statutory 30 March
    case = decided(office, on=MON)
    case, _links = services.case_conclude(actor=office["clerk"], case=case, on=date(2026, 3, 17))
    assert (case.on_time_promised, case.on_time_statutory) == (False, True)
    case = services.case_deliver(actor=office["clerk"], case=case, method="counter")
    assert (case.on_time_promised, case.on_time_statutory) == (False, True)


def test_concluding_issues_the_rating_links_in_the_same_transaction(office, monkeypatch):
    seen = {}

    def invite(case, *, actor=None):
        seen["state"] = ServiceCase.objects.get(pk=case.pk).state
        seen["actor"] = actor
        return {"online": "/services/ratings/r/abc/"}

    monkeypatch.setattr("fazhi.services.services.ratings.rating_invite", invite)
    case = decided(office, on=MON)
    case, links = services.case_conclude(actor=office["clerk"], case=case, on=MON)
    assert links == {"online": "/services/ratings/r/abc/"}
    assert seen == {"state": State.CONCLUDED, "actor": office["clerk"]}


def test_a_failing_invitation_undoes_the_conclusion(office, monkeypatch):
    def invite(case, *, actor=None):
        raise Conflict("评价链接未能生成。", code="invite_failed")

    monkeypatch.setattr("fazhi.services.services.ratings.rating_invite", invite)
    case = decided(office, on=MON)
    with pytest.raises(Conflict):
        services.case_conclude(actor=office["clerk"], case=case, on=MON)
    case.refresh_from_db()
    assert (case.state, case.concluded_on) == (State.GRANTED, None)


def test_the_clerk_proposes_and_the_head_is_told(office):
    case = register(office, received_on=MON)
    case = services.case_accept(actor=office["clerk"], case=case, on=MON)
    with pytest.raises(Conflict):
        services.case_propose(actor=office["clerk"], case=case, decision="granted", opinion="符合")
    case = services.case_start_review(actor=office["clerk"], case=case)
    with pytest.raises(NotAllowed):
        services.case_propose(
            actor=office["social_clerk"], case=case, decision="granted", opinion="x"
        )
    with pytest.raises(InvalidInput):
        services.case_propose(actor=office["clerk"], case=case, decision="maybe", opinion="x")
    services.case_propose(actor=office["clerk"], case=case, decision="granted", opinion="材料齐全")
    proposal = services.latest_proposal(case)
    assert (proposal["decision"], proposal["label"], proposal["opinion"]) == (
        "granted", "拟准予", "材料齐全",
    )  # fmt: skip
    note = Notification.objects.get(recipient=office["head"], kind="services_case")
    assert note.title == f"待审批：{case.case_number}（拟准予）"
    case.refresh_from_db()
    assert case.state == State.REVIEWING


def test_transfer_and_urge(office, django_capture_on_commit_callbacks):
    case = services.case_accept(actor=office["clerk"], case=register(office), on=None)
    # The handler hands it to a colleague of the department, not to another department
    with pytest.raises(InvalidInput):
        services.case_transfer(actor=office["clerk"], case=case, to_user=office["social_clerk"])
    with django_capture_on_commit_callbacks(execute=True):
        case = services.case_transfer(actor=office["clerk"], case=case, to_user=office["clerk2"])
    assert case.handler == office["clerk2"]
    # The head urges once a day; the clerk may not urge
    with pytest.raises(NotAllowed):
        services.case_urge(actor=office["clerk"], case=case)
    with django_capture_on_commit_callbacks(execute=True):
        services.case_urge(actor=office["head"], case=case, comment="请抓紧")
    with pytest.raises(Conflict):
        services.case_urge(actor=office["head"], case=case)
    titles = list(
        Notification.objects.filter(recipient=office["clerk2"]).values_list("title", flat=True)
    )
    assert f"转办给您的办件：{case.case_number}" in titles
    assert f"催办：{case.case_number}" in titles


def test_revealing_a_number_is_recorded_with_its_reason(office):
    case = register(office, seq=4)
    with pytest.raises(InvalidInput):
        services.case_reveal(actor=office["clerk"], case=case, field="resident_id", reason="")
    for who in ("social_clerk", "overseer"):
        with pytest.raises(NotAllowed):
            services.case_reveal(actor=office[who], case=case, field="resident_id", reason="核验")
    number = services.case_reveal(
        actor=office["clerk"], case=case, field="resident_id", reason="窗口核验申请人身份"
    )
    assert number == resident_id(4)
    event = Event.objects.get(verb="identity.reveal")
    assert event.data["reason"] == "窗口核验申请人身份"
    assert event.data["masked"] == str(case.resident_id)
