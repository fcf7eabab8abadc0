import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from fazhi.core.models import Event
from fazhi.core.roles import Role
from fazhi.testing.factories import PASSWORD, user_with_role

pytestmark = pytest.mark.django_db


def code_for(device, offset=0):
    return f"{totp(device.bin_key, step=30, t0=0, digits=6, drift=offset):06d}"


def signed_in(role=Role.LEADER):
    user = user_with_role(role)
    client = Client()
    client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    return user, client


def test_enrolment_shows_an_inline_qr_code_and_confirms():
    user, client = signed_in()
    page = client.get("/accounts/otp/enrol/")
    body = page.content.decode()
    assert page.status_code == 200 and "<svg" in body and "http" not in body.split("<svg")[1][:20]
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post("/accounts/otp/enrol/", {"token": code_for(device)})
    assert response.status_code == 302
    assert client.get("/staff/").status_code == 200
    assert Event.objects.filter(verb="auth.otp_enrol", actor=user).exists()


@pytest.mark.parametrize("token", ["12345", "abcdef", "", "1234567"])
def test_malformed_codes_are_refused(token):
    user, client = signed_in()
    client.get("/accounts/otp/enrol/")
    response = client.post("/accounts/otp/enrol/", {"token": token})
    assert response.status_code == 400
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def test_wrong_code_is_refused_and_recorded():
    user, client = signed_in()
    client.get("/accounts/otp/enrol/")
    device = TOTPDevice.objects.get(user=user)
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"
    response = client.post("/accounts/otp/enrol/", {"token": wrong})
    assert response.status_code == 400
    assert "验证码不正确" in response.content.decode()
    assert Event.objects.filter(verb="auth.otp_enrol_failed", actor=user).exists()


def test_next_login_asks_for_the_code_and_codes_are_single_use():
    user, client = signed_in()
    client.get("/accounts/otp/enrol/")
    device = TOTPDevice.objects.get(user=user)
    code = code_for(device)
    client.post("/accounts/otp/enrol/", {"token": code})
    # A new login: the gate sends the user to verification, not enrolment.
    other = Client()
    other.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert other.get("/staff/")["Location"] == "/accounts/otp/verify/"
    reused = other.post("/accounts/otp/verify/", {"token": code})
    assert reused.status_code == 400
    # Each failure throttles the device (1 s, doubling): an immediate retry is refused too.
    fresh = code_for(device, offset=1)
    throttled = other.post("/accounts/otp/verify/", {"token": fresh})
    assert "尝试次数过多" in throttled.content.decode()
    device.refresh_from_db()
    device.throttle_reset()
    fresh = code_for(device, offset=1)
    assert other.post("/accounts/otp/verify/", {"token": fresh}).status_code == 302
    assert other.get("/staff/").status_code == 200
