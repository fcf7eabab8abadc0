"""Headers, cookies and offline assets (security.md "Identity and sessions", design principle 6)."""

import re
from pathlib import Path

import pytest
from django.test import Client

from fazhi.core.roles import Role
from fazhi.testing.factories import PASSWORD, user_with_role

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[1] / "fazhi"


def test_security_headers_on_every_page():
    response = Client().get("/")
    csp = response["Content-Security-Policy"]
    for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_session_cookie_is_httponly_and_lax():
    clerk = user_with_role(Role.CLERK)
    response = Client().post("/accounts/login/", {"username": clerk.username, "password": PASSWORD})
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"


def test_production_cookie_names_carry_the_host_prefix(monkeypatch):
    import importlib
    import sys

    monkeypatch.setenv("FAZHI_SECRET_KEY", "x" * 50)
    monkeypatch.setenv("FAZHI_ALLOWED_HOSTS", "fazhi.example.gov.cn")
    monkeypatch.setenv("FAZHI_DATABASE_URL", "postgresql://fazhi@db.example/fazhi")
    monkeypatch.setenv("FAZHI_IDENTITY_KEY", "ZmF6aGktaWRlbnRpdHktdGVzdC1rZXktMzItYnl0ZXM=")
    sys.modules.pop("fazhi.settings.production", None)
    production = importlib.import_module("fazhi.settings.production")
    assert production.SESSION_COOKIE_NAME.startswith("__Host-")
    assert production.CSRF_COOKIE_NAME.startswith("__Host-")
    assert production.SESSION_COOKIE_SECURE and production.CSRF_COOKIE_SECURE
    assert production.SECURE_HSTS_SECONDS >= 365 * 24 * 3600


def test_new_session_key_at_login():
    clerk = user_with_role(Role.CLERK)
    client = Client()
    client.get("/accounts/login/")
    client.cookies["sessionid"] = "attacker-chosen-session-key"
    client.post("/accounts/login/", {"username": clerk.username, "password": PASSWORD})
    assert client.cookies["sessionid"].value != "attacker-chosen-session-key"


def test_templates_load_nothing_from_outside():
    external = re.compile(r'(src|href)=["\']\s*(https?:)?//', re.IGNORECASE)
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "templates").rglob("*.html")
        if external.search(path.read_text())
    ]
    assert offenders == []


def test_unknown_url_gets_the_chinese_404_page():
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_a_wrong_method_gets_a_chinese_405_page_and_api_answer():
    from fazhi.testing.clients import verified_client

    client = verified_client(user_with_role(Role.LEGAL_OFFICER))
    # Given a page that takes only POST (a center's item form) and an API route without DELETE
    page = client.get("/staff/services/centers/1/items/")
    api = client.delete("/api/services/cases/")
    # Then both say so in Chinese and keep the Allow header
    assert page.status_code == 405 and "不支持的操作方式" in page.content.decode()
    assert "POST" in page["Allow"]
    assert api.status_code == 405 and api.json()["code"] == "method_not_allowed"
    assert api.json()["message"] == "不支持该请求方法。" and api["Allow"]


def test_forbidden_page_is_chinese_403_and_logged():
    from fazhi.core.models import Event
    from fazhi.testing.clients import verified_client

    clerk = user_with_role(Role.CLERK)
    response = verified_client(clerk).get("/staff/audit/")
    assert response.status_code == 403
    assert "无权访问" in response.content.decode()
    assert Event.objects.filter(verb="access.refused", actor=clerk).exists()


def test_server_error_page_is_chinese_and_static():
    from django.test import RequestFactory

    from fazhi.portal.errors import server_error

    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "系统暂时出现问题" in response.content.decode()


def test_signed_in_pages_are_not_cached():
    from fazhi.testing.clients import verified_client

    response = verified_client(user_with_role(Role.CLERK)).get("/staff/")
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_rate_limit_fails_open_when_the_cache_is_down(monkeypatch):
    from django.test import RequestFactory

    from fazhi.core import ratelimit

    def broken(*args, **kwargs):
        raise ConnectionError("redis down")

    monkeypatch.setattr(ratelimit.cache, "add", broken)
    assert ratelimit.hit(RequestFactory().post("/accounts/login/"), "login") is True
