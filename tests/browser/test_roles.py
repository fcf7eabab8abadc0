"""Each demo role signs in through real Chromium and sees only its own navigation."""

from __future__ import annotations

import time

import pytest
from django.conf import settings as django_settings
from playwright.sync_api import expect

from fazhi.core.roles import Role
from fazhi.testing.browser import OTP_ROLES, sign_in

PASSWORD = django_settings.FAZHI_DEMO_PASSWORD

EXPECTED_NAV = {
    Role.LEGAL_OFFICER: [
        "tasks",
        "notifications",
        "rules",
        "disclosure",
        "services",
        "oversight",
        "organisation",
    ],
    Role.CLERK: [
        "tasks",
        "notifications",
        "rules",
        "disclosure",
        "services",
        "oversight",
        "organisation",
    ],
    Role.DEPARTMENT_HEAD: [
        "tasks",
        "notifications",
        "rules",
        "disclosure",
        "services",
        "oversight",
        "organisation",
    ],
    Role.LEADER: [
        "tasks",
        "notifications",
        "rules",
        "disclosure",
        "services",
        "oversight",
        "organisation",
    ],
    Role.LIAISON: ["tasks", "notifications", "rules", "services", "oversight", "organisation"],
    Role.LEGAL_ADVISER: ["tasks", "notifications", "organisation"],
    Role.SUPERVISOR: ["tasks", "notifications", "oversight", "organisation"],
    Role.INSPECTOR: ["tasks", "notifications", "oversight", "organisation"],
    Role.COMMITTEE_CLERK: ["tasks", "notifications", "oversight", "organisation"],
    Role.SYSADMIN: ["tasks", "notifications", "organisation", "accounts", "calendar"],
    Role.SECADMIN: ["tasks", "notifications", "roles"],
    Role.AUDITOR: ["tasks", "notifications", "audit"],
    Role.DISTRICT_OVERSEER: [
        "tasks",
        "notifications",
        "rules",
        "disclosure",
        "services",
        "oversight",
        "organisation",
        "region",
    ],
}


def test_every_role_has_an_expectation():
    assert set(EXPECTED_NAV) == set(Role)


@pytest.mark.parametrize("role", sorted(Role), ids=str)
def test_each_demo_role_signs_in_and_sees_its_navigation(live_demo, page, role):
    sign_in(page, role.value, PASSWORD, expect_otp=role in OTP_ROLES)
    expect(page.locator("h1")).to_have_text("待办")
    keys = page.locator("#staff-nav [data-nav]").evaluate_all(
        "links => links.map(link => link.dataset.nav)"
    )
    assert keys == EXPECTED_NAV[role]
    # Every link in the navigation opens a page, none is dead or forbidden.
    for key in keys:
        page.locator(f'#staff-nav [data-nav="{key}"]').click()
        page.wait_for_load_state()
        assert page.locator("h1").count() == 1
        assert "无权访问" not in page.content()
        assert "页面不存在" not in page.content()
    page.get_by_role("button", name=page.locator("#user-menu").inner_text()).click()
    page.get_by_role("button", name="退出登录").click()
    expect(page.get_by_text("您已安全退出。")).to_be_visible()


def test_lockout_after_five_bad_passwords(live_demo, page):
    page.goto("/accounts/login/")
    for attempt in range(1, 6):
        page.get_by_label("用户名").fill("clerk")
        page.get_by_label("密码").fill(f"Wrong-pass-{attempt}")
        page.get_by_role("button", name="登录").click()
        page.wait_for_load_state()
        message = page.locator("#login-error").inner_text()
        if attempt < 5:
            assert message == "用户名或密码不正确。"
    assert "登录失败次数过多" in message
    # The right password is refused while the lock holds.
    page.get_by_label("用户名").fill("clerk")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator("#login-error")).to_contain_text("登录失败次数过多")
    assert "/staff/" not in page.url


def test_idle_timeout_signs_the_user_out(live_demo, page, settings):
    settings.FAZHI_SESSION_IDLE_SECONDS = 2
    sign_in(page, "clerk", PASSWORD, expect_otp=False)
    expect(page.locator("h1")).to_have_text("待办")
    time.sleep(3)
    page.locator('#staff-nav [data-nav="organisation"]').click()
    page.wait_for_load_state()
    assert "/accounts/login/" in page.url
    expect(page.get_by_text("您已长时间未操作")).to_be_visible()
