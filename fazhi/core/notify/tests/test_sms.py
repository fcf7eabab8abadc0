"""The SMS adapter contract, run against every gateway class, and the gateway setting."""

import logging

import pytest
from django.core.exceptions import ImproperlyConfigured

from fazhi.core.notify import sms

GATEWAYS = [sms.ConsoleSmsGateway, sms.RecordingSmsGateway]


class NoSend:
    pass


@pytest.mark.parametrize("gateway_class", GATEWAYS)
def test_every_gateway_keeps_the_contract(gateway_class, capsys):
    gateway = gateway_class()

    first = gateway.send("13812345678", "您的申请已受理。")
    second = gateway.send("13812345678", "您的申请已受理。")

    assert isinstance(gateway, sms.SmsGateway)
    assert isinstance(first, str) and first
    assert first != second
    # Adapters log or record; none writes to the console directly.
    assert capsys.readouterr() == ("", "")


def test_the_console_gateway_logs_a_masked_number(caplog):
    with caplog.at_level(logging.INFO, logger="fazhi.sms"):
        message_id = sms.ConsoleSmsGateway().send("13812345678", "您的申请已受理。")

    assert [r.name for r in caplog.records] == ["fazhi.sms"]
    assert caplog.records[0].getMessage() == f"SMS {message_id} to 138****5678: 您的申请已受理。"
    assert "13812345678" not in caplog.text


def test_the_recording_gateway_keeps_what_was_sent():
    gateway = sms.RecordingSmsGateway()
    gateway.send("13812345678", "一")
    gateway.send("15900001111", "二")

    assert gateway.sent == [
        sms.SentSms("13812345678", "一", "recorded-1"),
        sms.SentSms("15900001111", "二", "recorded-2"),
    ]
    gateway.clear()
    assert gateway.sent == []


def test_the_setting_chooses_the_gateway(settings, use_gateway):
    assert isinstance(
        use_gateway("fazhi.core.notify.sms.RecordingSmsGateway"), sms.RecordingSmsGateway
    )
    # One instance per process, so what a test reads is what the task used.
    assert sms.gateway() is sms.gateway()


def test_the_default_gateway_is_the_console(settings):
    del settings.FAZHI_SMS_GATEWAY
    assert isinstance(sms.gateway(), sms.ConsoleSmsGateway)


@pytest.mark.parametrize(
    "path", ["fazhi.core.notify.sms.Nowhere", "fazhi.core.notify.tests.test_sms.NoSend"]
)
def test_a_wrong_gateway_setting_is_a_configuration_error(use_gateway, path):
    with pytest.raises(ImproperlyConfigured):
        use_gateway(path)


@pytest.mark.parametrize(
    ("phone", "valid", "masked"),
    [
        ("13812345678", True, "138****5678"),
        ("19912345678", True, "199****5678"),
        ("12812345678", False, "128****5678"),
        ("1381234567", False, "138***4567"),
        ("+8613812345678", True, "138****5678"),
        ("", False, ""),
    ],
)
def test_phone_numbers_are_checked_and_masked(phone, valid, masked):
    assert sms.is_valid_phone(phone) is valid
    assert sms.mask_phone(phone) == masked
