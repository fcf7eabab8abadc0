"""The portal on a phone, pages at 200% zoom, keyboard use, and the language switch."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from playwright.sync_api import expect

from fazhi.testing.browser import sign_in

PASSWORD = django_settings.FAZHI_DEMO_PASSWORD

NO_HORIZONTAL_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth"


def test_portal_home_on_a_phone(live_demo, browser, live_server):
    phone = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 375, "height": 740},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
        locale="zh-CN",
    )
    page = phone.new_page()
    response = page.goto("/")
    assert response.status == 200
    expect(page.locator("h1")).to_have_text("法治政府建设公开平台")
    expect(page.get_by_text("示例区民政局")).to_be_visible()
    expect(page.get_by_text("社会救助科")).to_be_visible()
    assert page.evaluate(NO_HORIZONTAL_SCROLL)
    phone.close()


@pytest.mark.parametrize("path", ["/", "/accounts/login/"])
def test_public_pages_at_200_percent_zoom(live_demo, browser, live_server, path):
    # 200% zoom on a 1280-pixel screen lays the page out in 640 CSS pixels.
    zoomed = browser.new_context(
        base_url=live_server.url, viewport={"width": 640, "height": 400}, device_scale_factor=2
    )
    page = zoomed.new_page()
    page.goto(path)
    assert page.evaluate(NO_HORIZONTAL_SCROLL)
    zoomed.close()


def test_workspace_at_200_percent_zoom_and_by_keyboard(live_demo, browser, live_server):
    zoomed = browser.new_context(
        base_url=live_server.url, viewport={"width": 640, "height": 400}, device_scale_factor=2
    )
    page = zoomed.new_page()
    sign_in(page, "clerk", PASSWORD, expect_otp=False)
    assert page.evaluate(NO_HORIZONTAL_SCROLL)
    # The first Tab reaches the skip link, which moves focus to the main content.
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
    zoomed.close()


def test_every_form_field_has_a_label(live_demo, page):
    for path in ["/accounts/login/"]:
        page.goto(path)
        unlabelled = page.evaluate(
            """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
                 .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
                 .map(el => el.name)"""
        )
        assert unlabelled == [], path


def test_language_switch_to_english_and_back(live_demo, page):
    sign_in(page, "clerk", PASSWORD, expect_otp=False)
    page.get_by_label("语言").select_option("en")
    page.get_by_role("button", name="切换").click()
    expect(page.locator("h1")).to_have_text("My tasks")
    expect(page.locator('#staff-nav [data-nav="organisation"]')).to_have_text("Organisation")
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_label("Language").select_option("zh-hans")
    page.get_by_role("button", name="Switch").click()
    expect(page.locator("h1")).to_have_text("待办")
