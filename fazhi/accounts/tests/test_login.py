import time
from datetime import timedelta

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from fazhi.accounts.models import UserSession
from fazhi.core.models import Event
from fazhi.core.roles import Role
from fazhi.testing.factories import PASSWORD, user_with_role

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"


def post_login(client, username, password=PASSWORD, ip="10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_login_page_is_chinese():
    response = Client().get(LOGIN)
    assert response.status_code == 200
    assert "工作人员登录" in response.content.decode()


def test_successful_login_reaches_the_workspace_and_is_recorded():
    clerk = user_with_role(Role.CLERK)
    client = Client()
    response = post_login(client, clerk.username)
    assert response.status_code == 302 and response["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200
    assert Event.objects.filter(verb="auth.login", actor=clerk).count() == 1
    assert UserSession.objects.filter(user=clerk, ended_at__isnull=True).count() == 1


def test_wrong_password_and_unknown_user_get_the_same_answer():
    clerk = user_with_role(Role.CLERK)
    wrong = post_login(Client(), clerk.username, "Wrong-pass-2026")
    unknown = post_login(Client(), "nobody-here", "Wrong-pass-2026")
    assert wrong.status_code == unknown.status_code == 400
    assert "用户名或密码不正确" in wrong.content.decode()
    assert "用户名或密码不正确" in unknown.content.decode()
    assert Event.objects.filter(verb="auth.login_failed").count() == 2


@pytest.mark.parametrize("username", ["exists", "ghost"])
def test_lockout_after_five_failures_for_username_and_ip(username):
    user_with_role(Role.CLERK, username="exists")
    client = Client()
    statuses = [post_login(client, username, "Wrong-pass-2026").status_code for _ in range(5)]
    assert statuses == [400, 400, 400, 400, 429]
    # Locked: even the right password is refused, with words that do not reveal the account.
    locked = post_login(client, username, PASSWORD)
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.content.decode()
    assert Event.objects.filter(verb="auth.lockout").exists()
    # Another address is not locked out of the same account.
    if username == "exists":
        assert post_login(Client(), username, PASSWORD, ip="10.0.0.2").status_code == 302


def test_lockout_expires_after_cool_off():
    from axes.models import AccessAttempt

    user = user_with_role(Role.CLERK)
    client = Client()
    for _ in range(5):
        post_login(client, user.username, "Wrong-pass-2026")
    assert post_login(client, user.username).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=31))
    assert post_login(client, user.username).status_code == 302


def test_disabled_user_cannot_log_in():
    user = user_with_role(Role.CLERK)
    user.is_active = False
    user.save()
    assert post_login(Client(), user.username).status_code == 400


@override_settings(FAZHI_RATE_LIMITS={"login": 3, "public_form": 10})
def test_login_rate_limit_per_ip():
    statuses = [post_login(Client(), f"u{i}", "Wrong-pass-2026").status_code for i in range(4)]
    assert statuses[-1] == 429


def test_missing_csrf_token_is_refused_in_chinese():
    client = Client(enforce_csrf_checks=True)
    response = client.post(LOGIN, {"username": "a", "password": "b"})
    assert response.status_code == 403
    assert "页面已过期" in response.content.decode()
    assert Event.objects.filter(verb="access.csrf_failed").exists()


def test_expired_password_must_be_changed_first():
    clerk = user_with_role(Role.CLERK)
    clerk.password_changed_at = timezone.now() - timedelta(days=91)
    clerk.save()
    client = Client()
    client.force_login(clerk)
    response = client.get("/staff/")
    assert response.status_code == 302 and response["Location"] == "/accounts/password/"
    response = client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password": "Changjiang-2026-x",
            "new_password_again": "Changjiang-2026-x",
        },
    )
    assert response.status_code == 302
    assert client.get("/staff/").status_code == 200


def test_password_change_refuses_policy_breaches_and_changes_nothing():
    clerk = user_with_role(Role.CLERK)
    client = Client()
    client.force_login(clerk)
    before = clerk.password
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password": "short", "new_password_again": "short"},
    )
    assert response.status_code == 400
    assert "至少需要 10 个字符" in response.content.decode()
    clerk.refresh_from_db()
    assert clerk.password == before


@pytest.mark.parametrize("role", [Role.SYSADMIN, Role.LEADER, Role.LEGAL_OFFICER, Role.AUDITOR])
def test_second_factor_required_for_admin_roles_leaders_and_legal_office(role):
    user = user_with_role(role)
    client = Client()
    post_login(client, user.username)
    response = client.get("/staff/")
    assert response.status_code == 302 and response["Location"] == "/accounts/otp/enrol/"


def test_second_factor_optional_for_clerks():
    clerk = user_with_role(Role.CLERK)
    client = Client()
    post_login(client, clerk.username)
    assert client.get("/staff/").status_code == 200


@override_settings(FAZHI_SESSION_IDLE_SECONDS=60)
def test_idle_timeout_logs_out():
    clerk = user_with_role(Role.CLERK)
    client = Client()
    post_login(client, clerk.username)
    session = client.session
    session["fazhi_seen_at"] = time.time() - 61
    session.save()
    response = client.get("/staff/")
    assert response.status_code == 302 and "timeout=idle" in response["Location"]
    assert client.get("/staff/")["Location"].startswith(reverse("accounts:login"))
    assert Event.objects.filter(verb="session.timeout", actor=clerk).exists()


def test_absolute_timeout_logs_out_even_when_active():
    clerk = user_with_role(Role.CLERK)
    client = Client()
    post_login(client, clerk.username)
    session = client.session
    session["fazhi_login_at"] = time.time() - 12 * 3600 - 1
    session.save()
    response = client.get("/staff/")
    assert "timeout=absolute" in response["Location"]


def test_logout_ends_every_session_of_the_user():
    clerk = user_with_role(Role.CLERK)
    office, home = Client(), Client()
    post_login(office, clerk.username)
    post_login(home, clerk.username, ip="10.0.0.9")
    assert home.get("/staff/").status_code == 200
    office.post("/accounts/logout/")
    assert home.get("/staff/").status_code == 302
    assert UserSession.objects.filter(user=clerk, ended_at__isnull=True).count() == 0


def test_logout_requires_post():
    assert Client().get("/accounts/logout/").status_code == 405


def test_next_parameter_cannot_leave_the_site():
    clerk = user_with_role(Role.CLERK)
    response = Client().post(
        LOGIN + "?next=https://evil.example/",
        {"username": clerk.username, "password": PASSWORD},
    )
    assert response["Location"] == "/staff/"


def test_sysadmin_unlocks_a_locked_account_and_it_is_recorded():
    from fazhi.accounts import services

    clerk = user_with_role(Role.CLERK)
    sysadmin = user_with_role(Role.SYSADMIN, agency=clerk.home_agency)
    client = Client()
    for _ in range(5):
        post_login(client, clerk.username, "Wrong-pass-2026")
    assert post_login(client, clerk.username).status_code == 429
    assert services.user_unlock(actor=sysadmin, user=clerk) >= 1
    assert post_login(client, clerk.username).status_code == 302
    assert Event.objects.filter(verb="auth.unlock", target_id=str(clerk.pk)).exists()


def test_login_with_an_expired_password_is_recorded():
    clerk = user_with_role(Role.CLERK)
    clerk.password_changed_at = timezone.now() - timedelta(days=91)
    clerk.save()
    post_login(Client(), clerk.username)
    assert Event.objects.filter(verb="auth.password_expired", actor=clerk).exists()


@override_settings(FAZHI_DEMO_SKIP_OTP=True)
def test_dev_settings_let_demo_users_skip_the_second_factor_only():
    from fazhi.accounts.models import User

    leader = user_with_role(Role.LEADER)
    User.objects.filter(pk=leader.pk).update(is_demo=True)
    demo_client = Client()
    post_login(demo_client, leader.username)
    assert demo_client.get("/staff/").status_code == 200
    real_leader = user_with_role(Role.LEADER)
    real_client = Client()
    post_login(real_client, real_leader.username, ip="10.0.0.7")
    assert real_client.get("/staff/")["Location"] == "/accounts/otp/enrol/"
