"""Production settings: refuse to start without the required configuration (security.md)."""

from __future__ import annotations

from . import env
from .base import *  # noqa: F403

SECRET_KEY = env.require("FAZHI_SECRET_KEY")
ALLOWED_HOSTS = env.listing("FAZHI_ALLOWED_HOSTS") or [env.require("FAZHI_ALLOWED_HOSTS")]
DATABASES = {"default": env.database(env.require("FAZHI_DATABASE_URL"))}
# Identity and phone numbers are encrypted with this key: keep it backed up apart from the data.
FAZHI_IDENTITY_KEY = env.require("FAZHI_IDENTITY_KEY")
DEBUG = False

SECURE_SSL_REDIRECT = env.flag("FAZHI_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.integer("FAZHI_HSTS_SECONDS", 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.flag("FAZHI_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# __Host- cookies are bound to the exact origin: Secure, Path=/, no Domain (ASVS 3.3).
SESSION_COOKIE_NAME = "__Host-fazhi_session"
CSRF_COOKIE_NAME = "__Host-fazhi_csrf"
CSRF_TRUSTED_ORIGINS = env.listing("FAZHI_CSRF_TRUSTED_ORIGINS", [])
LANGUAGE_COOKIE_SECURE = True
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
