"""Test settings: SQLite by default, PostgreSQL when FAZHI_TEST_DATABASE_URL is set."""

from __future__ import annotations

from . import env
from .base import *  # noqa: F403

SECRET_KEY = "test-only-key-not-for-deployment"  # noqa: S105 - never used outside tests
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
FAZHI_IDENTITY_KEY = "ZmF6aGktaWRlbnRpdHktdGVzdC1rZXktMzItYnl0ZXM="  # tests only

_test_url = env.get("FAZHI_TEST_DATABASE_URL")
DATABASES = {
    "default": env.database(_test_url)
    if _test_url
    else {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}
}
if _test_url:
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False

# Argon2 stays (the hasher is under test) but at its cheapest cost to keep the suite fast.
PASSWORD_HASHERS = ["fazhi.accounts.passwords.FastArgon2PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LOGGING = {"version": 1, "disable_existing_loggers": False}
FAZHI_DEMO_SKIP_OTP = False
# The live server serves static files itself (pytest-django uses StaticLiveServerTestCase's
# handler); whitenoise would look for a collected STATIC_ROOT that tests never build.
MIDDLEWARE = [m for m in MIDDLEWARE if m != "whitenoise.middleware.WhiteNoiseMiddleware"]  # noqa: F405

# A small workflow record used only by the tests of fazhi.core.workflow.
INSTALLED_APPS = [*INSTALLED_APPS, "fazhi.testing.workflow_app"]  # noqa: F405
