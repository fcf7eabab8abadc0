"""Staff pages of cases: the list (filters, keyset paging, capped count, constant queries),
registration (counter, appointment prefill), the case page and its step forms, the reveal,
the ID-card lookup and the figures; 403 for roles, 404 for another agency."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from fazhi.core.models import Event
from fazhi.services.models import ServiceCase
from fazhi.services.selectors import cases as selectors
from fazhi.services.services import cases as services
from fazhi.services.tests.test_cases_setup import (  # noqa: F401 - fixtures
    bad_check_digit,
    checked_in_appointment,
    decided,
    office_fixture,
    register,
    resident_id,
)
from fazhi.testing.clients import verified_client
from fazhi.testing.queries import assert_constant_queries

pytestmark = pytest.mark.django_db
State = ServiceCase.State
MON = date(2026, 3, 2)
LIST = "/staff/services/cases/"


def page(client, url, **params):
    response = client.get(url, params)
    return response, response.content.decode()


# --- The list ------------------------------------------------------------------------------------


def test_the_list_keeps_a_constant_query_count(office):
    client = verified_client(office["officer"])
    seq = iter(range(1, 1000))

    def grow(n):
        for _i in range(n):
            register(office, seq=next(seq))

    assert_constant_queries(lambda: client.get(LIST), grow, extra_rows=12)
    assert_constant_queries(lambda: client.get(LIST, {"state": "received", "q": "王"}), grow)


def test_the_list_filters_and_shows_what_the_user_may_read(office):
    # Given a relief case, a social case registered by the social clerk, and an accepted one
    relief = register(office, seq=1, applicant_name="张三")
    social = register(office, seq=2, actor=office["social_clerk"], applicant_name="李四")
    accepted = services.case_accept(
        actor=office["clerk"], case=register(office, seq=3, applicant_name="王五"), on=None
    )
    officer = verified_client(office["officer"])
    # The legal office reads all, newest first
    response, body = page(officer, LIST)
    assert response.status_code == 200
    rows = selectors.case_page(office["officer"], office["agency"].pk, selectors.CaseFilters()).rows
    assert [c.pk for c in rows] == [accepted.pk, social.pk, relief.pk]
    assert body.count('data-case="') == 3 and "共 3 件" in body
    # Filters: state, name, case number
    _r, body = page(officer, LIST, state="accepted")
    assert f'data-case="{accepted.pk}"' in body and body.count('data-case="') == 1
    _r, body = page(officer, LIST, q="李四")
    assert f'data-case="{social.pk}"' in body and body.count('data-case="') == 1
    _r, body = page(officer, LIST, q=relief.case_number)
    assert f'data-case="{relief.pk}"' in body and body.count('data-case="') == 1
    # The serial alone finds the number of each year; a name is found by its beginning
    _r, body = page(officer, LIST, q="1")
    assert f'data-case="{relief.pk}"' in body and body.count('data-case="') == 1
    _r, body = page(officer, LIST, q="王")
    assert f'data-case="{accepted.pk}"' in body and body.count('data-case="') == 1
    _r, body = page(officer, LIST, q="四")
    assert "暂无办件" in body
    _r, body = page(officer, LIST, channel="online")
    assert "暂无办件" in body
    # The social clerk reads the case they registered, not the relief department's others
    _r, body = page(verified_client(office["social_clerk"]), LIST)
    assert body.count('data-case="') == 1 and f'data-case="{social.pk}"' in body
    # Nobody outside the agency reads any
    _r, body = page(verified_client(office["stranger"]), LIST)
    assert 'data-case="' not in body


def test_the_list_pages_by_keyset_and_caps_its_count(office, monkeypatch):
    monkeypatch.setattr(selectors, "PAGE_SIZE", 2)
    monkeypatch.setattr(selectors, "COUNT_CAP", 3)
    cases = [register(office, seq=n, received_on=date(2026, 3, n)) for n in (2, 3, 4, 5, 6)]
    newest_first = [c.pk for c in reversed(cases)]
    user, agency = office["officer"], office["agency"].pk
    first = selectors.case_page(user, agency, selectors.CaseFilters(), size=2)
    assert [c.pk for c in first.rows] == newest_first[:2]
    assert (first.newer, first.count, first.count_capped) == (None, 4, True)
    second = selectors.case_page(user, agency, selectors.CaseFilters(), after=first.older, size=2)
    assert [c.pk for c in second.rows] == newest_first[2:4]
    third = selectors.case_page(user, agency, selectors.CaseFilters(), after=second.older, size=2)
    assert ([c.pk for c in third.rows], third.older) == (newest_first[4:], None)
    back = selectors.case_page(user, agency, selectors.CaseFilters(), before=third.newer, size=2)
    assert [c.pk for c in back.rows] == newest_first[2:4]
    # The page shows the capped count and the links
    body = verified_client(user).get(LIST).content.decode()
    assert "超过 3 件" in body and 'id="page-older"' in body
    # A broken cursor shows the first page, not an error
    assert verified_client(user).get(LIST, {"after": "!!"}).status_code == 200


def test_the_overdue_filter_is_derived_from_the_dates(office):
    late = services.case_accept(
        actor=office["clerk"], case=register(office, seq=1, received_on=MON), on=MON
    )
    fresh = services.case_accept(actor=office["clerk"], case=register(office, seq=2), on=None)
    rows = selectors.case_page(
        office["officer"], office["agency"].pk, selectors.CaseFilters(overdue="2")
    ).rows
    assert [c.pk for c in rows] == [late.pk]
    assert fresh.overdue_level() == 0


def test_the_list_is_closed_to_roles_without_services_work(office):
    from fazhi.core.roles import Role
    from fazhi.testing.factories import user_with_role

    adviser = user_with_role(Role.LEGAL_ADVISER, agency=office["agency"])
    assert verified_client(adviser).get(LIST).status_code == 403


# --- Registration ------------------------------------------------------------------------------


def _form(office, **over):
    data = {
        "center": office["center"].pk,
        "item": office["item"].pk,
        "applicant_kind": "person",
        "applicant_name": "王小明",
        "resident_id": resident_id(1),
        "credit_code": "",
        "phone": "13812345678",
        "summary": "",
        "received_on": date.today().isoformat(),
    }
    data.update(over)
    return data


def test_the_counter_registers_and_accepts_on_the_spot(office):
    client = verified_client(office["clerk"])
    response = client.post(reverse("services:case_new"), _form(office, accept_now="on"))
    case = ServiceCase.objects.get()
    assert (
        response.status_code == 302 and response["Location"] == f"/staff/services/cases/{case.pk}/"
    )
    assert (case.state, case.accepted_on, case.channel) == (State.ACCEPTED, date.today(), "counter")


def test_a_bad_number_on_the_register_page_is_a_form_error(office):
    client = verified_client(office["clerk"])
    response = client.post(
        reverse("services:case_new"), _form(office, resident_id=bad_check_digit(resident_id(1)))
    )
    assert response.status_code == 422
    assert "校验码" in response.content.decode()
    assert not ServiceCase.objects.exists()
    response = client.post(reverse("services:case_new"), _form(office, received_on="2999-01-01"))
    assert response.status_code == 422 and "不能晚于今天" in response.content.decode()
    assert not ServiceCase.objects.exists()


def test_accepting_on_the_spot_needs_the_right_to_handle(office):
    client = verified_client(office["social_clerk"])
    response = client.post(reverse("services:case_new"), _form(office, accept_now="on"))
    assert response.status_code == 403
    assert not ServiceCase.objects.exists()


def test_registering_is_for_counter_staff(office):
    for who in ("leader", "overseer"):
        assert verified_client(office[who]).get(reverse("services:case_new")).status_code == 403


def test_the_register_page_prefills_from_a_checked_in_appointment(office):
    appointment = checked_in_appointment(
        office["agency"], office["center"], office["item"], number=resident_id(8)
    )
    client = verified_client(office["liaison"])
    url = f"{reverse('services:case_new')}?appointment={appointment.pk}"
    body = client.get(url).content.decode()
    assert office["center"].name in body and office["item"].name in body
    assert 'value="王小明"' in body
    assert str(appointment.resident_id) in body and resident_id(8) not in body
    form = {"applicant_name": "王小明", "received_on": date.today().isoformat()}
    response = client.post(url, {**form, "appointment": appointment.pk})
    case = ServiceCase.objects.get()
    assert response.status_code == 302
    assert (case.channel, case.appointment_id, case.item_id) == (
        "appointment", appointment.pk, office["item"].pk,
    )  # fmt: skip
    # The appointment has its case now: the prefill is gone
    assert client.get(url).status_code == 404
    # An appointment of another agency is not found
    assert client.get(f"{reverse('services:case_new')}?appointment=999999").status_code == 404


# --- The case page ------------------------------------------------------------------------------


def test_the_case_page_offers_each_person_their_step(office):
    case = register(office, seq=1, received_on=MON)
    url = reverse("services:case", args=[case.pk])
    body = verified_client(office["clerk"]).get(url).content.decode()
    assert 'id="accept-form"' in body and 'id="not_accept-form"' in body
    assert 'id="grant-form"' not in body
    assert str(case.resident_id) in body and resident_id(1) not in body
    # The head may only urge yet; the social clerk registered nothing here: 404
    body = verified_client(office["head"]).get(url).content.decode()
    assert 'id="accept-form"' not in body and 'id="urge-form"' in body
    body = verified_client(office["leader"]).get(url).content.decode()
    assert 'id="urge-form"' in body and 'id="accept-form"' not in body
    body = verified_client(office["overseer"]).get(url).content.decode()
    assert 'id="no-steps"' in body
    assert verified_client(office["social_clerk"]).get(url).status_code == 404
    assert verified_client(office["stranger"]).get(url).status_code == 404
    assert verified_client(office["overseer"]).get(url).status_code == 200


def test_the_steps_through_the_page(office, django_capture_on_commit_callbacks):
    case = register(office, seq=1, received_on=MON)
    clerk, head = verified_client(office["clerk"]), verified_client(office["head"])

    def step(client, name, **data):
        return client.post(reverse("services:case_step", args=[case.pk, name]), data)

    assert step(clerk, "accept", on=MON.isoformat()).status_code == 302
    assert step(clerk, "start_review").status_code == 302
    # A second clerk of another department cannot act: 404 (they do not read the case)
    assert step(verified_client(office["social_clerk"]), "request_supplement").status_code == 404
    response = step(clerk, "request_supplement", items="", on="2026-03-03")
    assert response.status_code == 422
    assert (
        step(clerk, "request_supplement", items="户口簿\n收入证明", on="2026-03-03").status_code
        == 302
    )
    assert step(clerk, "request_supplement", items="再要一份", on="2026-03-03").status_code == 409
    assert step(clerk, "receive_supplement", on="2026-03-04").status_code == 302
    assert (
        step(clerk, "propose", decision="granted", opinion="材料齐全，符合条件").status_code == 302
    )
    body = head.get(reverse("services:case", args=[case.pk])).content.decode()
    assert 'id="case-proposal"' in body and "拟准予" in body
    # The clerk may not decide: the form is not shown and the post is refused
    assert step(clerk, "grant", on="2026-03-05").status_code == 403
    assert step(head, "deny", on="2026-03-05", reason="").status_code == 422
    assert step(head, "grant", on="2026-03-05", comment="同意").status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        response = step(clerk, "conclude", on="2026-03-06")
    assert response.status_code == 302
    response = clerk.get(response["Location"])
    body = response.content.decode()
    assert "已办结" in body
    # The online rating link issued by the ratings area is shown to hand over
    assert "请将评价链接交给申请人：http://testserver/services/ratings/r/" in body
    assert step(clerk, "deliver", on="2026-03-05", method="post").status_code == 422
    assert step(clerk, "deliver", on="2026-03-09", method="post").status_code == 302
    case.refresh_from_db()
    assert (case.state, case.delivered_on, case.delivery_method) == (
        State.DELIVERED, date(2026, 3, 9), "post",
    )  # fmt: skip
    body = clerk.get(reverse("services:case", args=[case.pk])).content.decode()
    for label in ("受理", "开始审查", "一次性告知补正", "补正材料已收到", "提出拟办意见", "准予",
                  "办结", "送达"):  # fmt: skip
        assert label in body
    assert "户口簿" in body and "邮寄送达" in body
    assert step(clerk, "nonsense").status_code == 404


def test_revealing_a_number_on_the_page(office):
    case = register(office, seq=6)
    client = verified_client(office["clerk"])
    url = reverse("services:case_reveal", args=[case.pk, "resident_id"])
    assert client.post(url, {"reason": ""}).status_code == 422
    assert not Event.objects.filter(verb="identity.reveal").exists()
    response = client.post(url, {"reason": "窗口核验申请人身份"})
    assert response.status_code == 200 and resident_id(6) in response.content.decode()
    assert Event.objects.get(verb="identity.reveal").data["reason"] == "窗口核验申请人身份"
    assert (
        client.post(
            reverse("services:case_reveal", args=[case.pk, "agency"]), {"reason": "x"}
        ).status_code
        == 404
    )


# --- ID-card lookup ------------------------------------------------------------------------------


LOOKUP = "/staff/services/cases/lookup/"


def test_the_lookup_page_finds_a_persons_cases_and_records_the_reason(office):
    mine = register(office, seq=9)
    theirs = register(office, seq=9, actor=office["officer"], item=office["benefit"])
    register(office, seq=10)
    appointment = checked_in_appointment(
        office["agency"], office["center"], office["item"], number=resident_id(9)
    )
    client = verified_client(office["social_clerk"])
    body = client.get(LOOKUP).content.decode()
    assert "autofocus" in body and 'name="number"' in body
    response = client.post(LOOKUP, {"reason": "窗口办事核验申请人身份", "number": resident_id(9)})
    body = response.content.decode()
    assert response.status_code == 200
    assert f'data-case="{mine.pk}"' in body and f'data-case="{theirs.pk}"' in body
    assert body.count('data-case="') == 2
    assert f'data-appointment="{appointment.pk}"' in body
    # Cases of other departments are listed, not opened
    assert reverse("services:case", args=[mine.pk]) not in body
    assert resident_id(9) not in body
    event = Event.objects.get(verb=services.LOOKUP_VERB)
    assert event.data == {
        "reason": "窗口办事核验申请人身份",
        "masked": str(mine.resident_id),
        "cases": 2,
        "appointments": 1,
    }
    # The reason is kept for the next lookup at the counter, the number is not
    body = client.get(LOOKUP).content.decode()
    assert 'value="窗口办事核验申请人身份"' in body and resident_id(9) not in body


def test_a_bad_check_digit_on_the_lookup_page_is_400_and_not_recorded(office):
    client = verified_client(office["clerk"])
    response = client.post(LOOKUP, {"reason": "核验", "number": bad_check_digit(resident_id(1))})
    assert response.status_code == 400 and "校验码" in response.content.decode()
    response = client.post(LOOKUP, {"reason": "", "number": resident_id(1)})
    assert response.status_code == 422
    assert not Event.objects.filter(verb=services.LOOKUP_VERB).exists()


def test_the_lookup_is_counter_work_in_ones_own_agency(office):
    for who in ("leader", "overseer"):
        assert verified_client(office[who]).get(LOOKUP).status_code == 403
    register(office, seq=9)
    # Counter staff of another agency look up in their own agency only
    client = verified_client(office["stranger"])
    body = client.post(LOOKUP, {"reason": "核验", "number": resident_id(9)}).content.decode()
    assert 'data-case="' not in body and "没有办件" in body


# --- Figures --------------------------------------------------------------------------------------


def test_the_figures_page_and_its_export(office):
    decided(office, on=MON, seq=1)
    decided(office, on=MON, seq=2, grant=False)
    client = verified_client(office["leader"])
    body = client.get(reverse("services:case_figures"), {"year": 2026}).content.decode()
    assert 'data-kind="licensing"' in body
    assert "按时办结率（百分数）＝" in body
    response = client.get(reverse("services:case_figures"), {"year": 2026, "format": "xlsx"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[1] == ("行政许可", 1, 1, 0, 2)
    assert Event.objects.filter(verb="services.cases.figures_export").count() == 1
