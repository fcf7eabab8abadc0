"""Fixtures shared by every test: demo data, roles, and a real Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil

import pytest
from hypothesis import settings as hypothesis_settings

# Property tests check what is true, not how fast: on a shared 2-core CI machine a per-example
# deadline only adds flaky failures (benchmarks in bench/ measure speed).
hypothesis_settings.register_profile("fazhi", deadline=None)
hypothesis_settings.load_profile("fazhi")

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls from the same
# thread are safe here because nothing else runs on that loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",  # the tests run as root in CI
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate-limit counters live in the cache; each test starts from zero."""
    from django.core.cache import cache

    from fazhi.core.calendar.workdays import forget

    cache.clear()
    forget()
    yield
    cache.clear()
    forget()


@pytest.fixture
def demo(db):
    from django.conf import settings

    from fazhi.core.demo import build_demo

    agency, _ = build_demo(password=settings.FAZHI_DEMO_PASSWORD)
    return agency


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.fail("Debian's chromium is not installed: run `make test`, which installs it.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    context.set_default_timeout(15_000)
    tab = context.new_page()
    yield tab
    context.close()
