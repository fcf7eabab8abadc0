"""Helpers for browser tests: sign in as a role, passing the second factor like a person."""

from __future__ import annotations

import base64

from django_otp.oath import totp

from fazhi.core.roles import Role


def totp_code(secret_base32: str) -> str:
    key = base64.b32decode(secret_base32)
    return f"{totp(key, step=30, t0=0, digits=6):06d}"


def sign_in(page, username: str, password: str, *, expect_otp: bool | None = None) -> None:
    """Log in through the login page; enrol or pass TOTP if the page asks for it."""
    page.goto("/accounts/login/?next=/staff/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    if "/accounts/otp/enrol/" in page.url:
        assert expect_otp is not False, f"{username} was asked to enrol a second factor"
        secret = page.locator("#otp-secret").inner_text()
        page.get_by_label("动态口令", exact=True).fill(totp_code(secret))
        page.get_by_role("button", name="确认绑定").click()
        page.wait_for_load_state()
    elif expect_otp:
        raise AssertionError(f"{username} was not asked for a second factor")


OTP_ROLES = {Role.SYSADMIN, Role.SECADMIN, Role.AUDITOR, Role.LEADER, Role.LEGAL_OFFICER}
