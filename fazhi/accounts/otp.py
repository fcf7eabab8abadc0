"""The TOTP second factor (RFC 6238, 30-second step, single-use codes) on django-otp."""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from fazhi.accounts.models import User
from fazhi.core import audit
from fazhi.core.errors import InvalidInput

DEVICE_NAME = "totp"


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def enrolment_device(user: User) -> TOTPDevice:
    """The unconfirmed device being enrolled; a new secret each time enrolment starts over."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def qr_svg(device: TOTPDevice) -> str:
    """The provisioning URI as an inline SVG: made here, no outside service."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    # Drop the XML declaration so the SVG can sit inside HTML.
    return svg[svg.index("<svg") :]


def secret_base32(device: TOTPDevice) -> str:
    from base64 import b32encode

    return b32encode(device.bin_key).decode()


def _clean(token: str) -> str:
    token = (token or "").strip().replace(" ", "")
    if not (token.isdigit() and len(token) == 6):
        raise InvalidInput(_("请输入 6 位数字验证码。"), code="otp_format")
    return token


def enrol_confirm(*, request: HttpRequest, user: User, token: str) -> None:
    token = _clean(token)
    device = enrolment_device(user)
    # The failure counter and the event must survive the refusal, so no transaction wraps it.
    if not device.verify_token(token):
        audit.record(
            "auth.otp_enrol_failed",
            actor=user,
            agency=user.home_agency,
            request=request,
            result="failed",
        )
        raise InvalidInput(_("验证码不正确或已过期。"), code="otp_invalid")
    with transaction.atomic():
        # Only one confirmed device per user: the new one replaces any older one.
        TOTPDevice.objects.filter(user=user, confirmed=True).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        audit.record("auth.otp_enrol", actor=user, agency=user.home_agency, request=request)
    otp_login(request, device)


def verify(*, request: HttpRequest, user: User, token: str) -> None:
    token = _clean(token)
    device = confirmed_device(user)
    if device is None:
        raise InvalidInput(_("尚未绑定动态口令。"), code="otp_not_enrolled")
    allowed, _data = device.verify_is_allowed()
    if not allowed:
        raise InvalidInput(_("尝试次数过多，请稍后再试。"), code="otp_throttled")
    if not device.verify_token(token):
        audit.record(
            "auth.otp_failed",
            actor=user,
            agency=user.home_agency,
            request=request,
            result="failed",
        )
        raise InvalidInput(_("验证码不正确或已过期。"), code="otp_invalid")
    otp_login(request, device)
    audit.record("auth.otp_verified", actor=user, agency=user.home_agency, request=request)
