"""Revealing a full number: a reason, an event, and never the number in the log."""

import json

import pytest
from django.test import RequestFactory

from fazhi.core import audit
from fazhi.core.errors import InvalidInput, NotAllowed
from fazhi.core.identity.forms import RevealForm
from fazhi.core.identity.services import identity_reveal
from fazhi.core.models import Event
from fazhi.core.roles import Role
from fazhi.testing.factories import AgencyFactory, UserFactory, user_with_role

from .holder import Holder

ID = "11010519491231002X"


@pytest.fixture
def agency(db):
    return AgencyFactory()


@pytest.fixture
def clerk(agency):
    return user_with_role(Role.CLERK, agency=agency)


@pytest.fixture
def holder(holder_table, agency):
    return Holder.objects.create(agency=agency, name="张三", id_number=ID, phone="13812345678")


def test_reveal_returns_the_number_and_records_who_why_and_what(clerk, holder, agency):
    request = RequestFactory().get("/", REMOTE_ADDR="10.1.2.3")
    number = identity_reveal(
        actor=clerk, obj=holder, field="id_number", reason="窗口核验申请人身份", request=request
    )
    assert number == ID
    event = Event.objects.get(verb="identity.reveal")
    assert event.actor == clerk
    assert event.agency == agency
    assert (event.target_type, event.target_id) == ("identity_tests.holder", str(holder.pk))
    assert event.ip == "10.1.2.3"
    assert event.data == {
        "field": "id_number",
        "kind": "resident_id",
        "reason": "窗口核验申请人身份",
        "masked": "110***********002X",
    }
    assert audit.verify_chain().ok


def test_the_event_holds_no_plaintext(clerk, holder):
    identity_reveal(actor=clerk, obj=holder, field="id_number", reason="核对")
    identity_reveal(actor=clerk, obj=holder, field="phone", reason="电话回访")
    for event in Event.objects.filter(verb="identity.reveal"):
        canonical = audit._canonical(event)
        assert ID not in canonical
        assert "13812345678" not in canonical
        assert "12345678" not in json.dumps(event.data)


@pytest.mark.parametrize("reason", ["", "   ", "\n\t", None])
def test_a_blank_reason_is_refused_and_writes_nothing(clerk, holder, reason):
    with pytest.raises(InvalidInput) as caught:
        identity_reveal(actor=clerk, obj=holder, field="id_number", reason=reason)
    assert caught.value.code == "reason_required"
    assert str(caught.value.message) == "查看完整号码必须填写理由。"
    assert Event.objects.filter(verb="identity.reveal").count() == 0


def test_a_too_long_reason_is_refused(clerk, holder, settings):
    settings.FAZHI_IDENTITY_REVEAL_REASON_MAX_LENGTH = 10
    with pytest.raises(InvalidInput) as caught:
        identity_reveal(actor=clerk, obj=holder, field="id_number", reason="理" * 11)
    assert caught.value.code == "reason_too_long"
    assert str(caught.value.message) == "查看理由不能超过 10 个字。"
    assert not Event.objects.filter(verb="identity.reveal").exists()


@pytest.mark.parametrize(
    "reason", ["核对 11010519491231002x", "核对 110105 19491231 002X", "回访138-1234-5678"]
)
def test_a_reason_repeating_the_number_is_refused(clerk, holder, reason):
    field = "phone" if "138" in reason else "id_number"
    with pytest.raises(InvalidInput) as caught:
        identity_reveal(actor=clerk, obj=holder, field=field, reason=reason)
    assert caught.value.code == "reason_contains_value"
    assert not Event.objects.filter(verb="identity.reveal").exists()


def test_an_anonymous_actor_is_refused(holder):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(NotAllowed):
        identity_reveal(actor=AnonymousUser(), obj=holder, field="id_number", reason="核对")
    with pytest.raises(NotAllowed):
        identity_reveal(actor=None, obj=holder, field="id_number", reason="核对")
    assert not Event.objects.filter(verb="identity.reveal").exists()


@pytest.mark.parametrize("field", ["name", "id_number_hash", "nothing"])
def test_only_protected_fields_can_be_revealed(clerk, holder, field):
    with pytest.raises(InvalidInput) as caught:
        identity_reveal(actor=clerk, obj=holder, field=field, reason="核对")
    assert caught.value.code == "identity_field_unknown"
    assert not Event.objects.filter(verb="identity.reveal").exists()


def test_an_empty_field_has_nothing_to_reveal(clerk, holder_table, agency):
    holder = Holder.objects.create(agency=agency, name="李四")
    with pytest.raises(InvalidInput) as caught:
        identity_reveal(actor=clerk, obj=holder, field="id_number", reason="核对")
    assert caught.value.code == "identity_empty"
    assert not Event.objects.filter(verb="identity.reveal").exists()


def test_an_unreadable_number_writes_nothing(clerk, holder, settings):
    from fazhi.core.identity.crypto import IdentityUnreadable

    from .conftest import OTHER_KEY

    settings.FAZHI_IDENTITY_KEY = OTHER_KEY
    reloaded = Holder.objects.get(pk=holder.pk)
    with pytest.raises(IdentityUnreadable):
        identity_reveal(actor=clerk, obj=reloaded, field="id_number", reason="核对")
    assert not Event.objects.filter(verb="identity.reveal").exists()


def test_a_row_without_agency_is_recorded_without_agency(holder_table, db):
    actor = UserFactory()
    holder = Holder.objects.create(name="王五", phone="021-12345678")
    assert identity_reveal(actor=actor, obj=holder, field="phone", reason="回访") == "02112345678"
    assert Event.objects.get(verb="identity.reveal").agency is None


def test_reveal_form_requires_a_reason_within_the_limit(settings):
    settings.FAZHI_IDENTITY_REVEAL_REASON_MAX_LENGTH = 5
    form = RevealForm(data={"reason": "  "})
    assert not form.is_valid()
    assert form.errors["reason"] == ["查看完整号码必须填写理由。"]
    form = RevealForm(data={"reason": "六个字的理由"})
    assert not form.is_valid()
    assert form.errors.as_data()["reason"][0].code == "max_length"
    form = RevealForm(data={"reason": "窗口核验"})
    assert form.is_valid()
    assert form.cleaned_data["reason"] == "窗口核验"
    assert 'maxlength="5"' in str(form["reason"])
