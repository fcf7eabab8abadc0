import pytest

from fazhi.core import agency_settings
from fazhi.core.errors import InvalidInput
from fazhi.core.models import AgencySetting, Event
from fazhi.core.roles import Role
from fazhi.testing.clients import verified_client
from fazhi.testing.factories import AgencyFactory, user_with_role

pytestmark = pytest.mark.django_db


def test_defaults_come_from_domain_rules():
    agency = AgencyFactory()
    assert agency_settings.get(agency, "disclosure.reply_workdays") == 20
    assert agency_settings.get(agency, "rules.legality_review_max_workdays") == 15
    spec = agency_settings.definition("rules.legality_review_min_workdays")
    assert not spec.confirmed and "未确认" in spec.help_text()


def test_an_agency_sets_its_own_value_and_it_is_recorded():
    agency, other = AgencyFactory(), AgencyFactory()
    admin = user_with_role(Role.SYSADMIN, agency=agency)
    agency_settings.setting_set(
        actor=admin, agency=agency, key="notify.reminder_workdays", value="5", reason="提前提醒"
    )
    assert agency_settings.get(agency, "notify.reminder_workdays") == 5
    assert agency_settings.get(other, "notify.reminder_workdays") == 3
    event = Event.objects.get(verb="setting.change")
    assert event.data == {
        "key": "notify.reminder_workdays",
        "from": 3,
        "to": 5,
        "reason": "提前提醒",
    }
    agency_settings.setting_reset(actor=admin, agency=agency, key="notify.reminder_workdays")
    assert agency_settings.get(agency, "notify.reminder_workdays") == 3


@pytest.mark.parametrize(
    ("key", "value"),
    [("notify.reminder_workdays", "many"), ("notify.reminder_workdays", 99), ("nope", 1)],
)
def test_bad_values_are_refused_and_nothing_is_written(key, value):
    agency = AgencyFactory()
    admin = user_with_role(Role.SYSADMIN, agency=agency)
    with pytest.raises(InvalidInput):
        agency_settings.setting_set(actor=admin, agency=agency, key=key, value=value)
    assert not AgencySetting.objects.exists()
    assert not Event.objects.filter(verb="setting.change").exists()


def test_sysadmin_edits_settings_in_the_admin_with_an_event():
    agency = AgencyFactory()
    admin = user_with_role(Role.SYSADMIN, agency=agency)
    client = verified_client(admin)
    page = client.get("/admin/core/agencysetting/add/")
    assert page.status_code == 200 and "依申请公开答复期限" in page.content.decode()
    response = client.post(
        "/admin/core/agencysetting/add/",
        {"agency": agency.pk, "key": "disclosure.reply_workdays", "value": "abc", "reason": "x"},
    )
    assert response.status_code == 200 and not AgencySetting.objects.exists()
    response = client.post(
        "/admin/core/agencysetting/add/",
        {
            "agency": agency.pk,
            "key": "disclosure.reply_workdays",
            "value": "18",
            "reason": "本地规定",
        },
    )
    assert response.status_code == 302
    assert agency_settings.get(agency, "disclosure.reply_workdays") == 18
    assert Event.objects.filter(verb="setting.change", agency=agency).count() == 1
