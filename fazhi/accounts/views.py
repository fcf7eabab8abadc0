"""Sign-in, second factor, password change and sign-out."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from fazhi.accounts import otp, services
from fazhi.accounts.forms import LoginForm, OtpForm, PasswordChangeForm
from fazhi.core import audit, ratelimit
from fazhi.core.errors import DomainError


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/staff/"


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    """What django-axes answers once (username, IP) is locked: same words whether or not the
    account exists."""
    form = LoginForm(initial={"username": (credentials or {}).get("username", "")})
    message = _("登录失败次数过多，请 %(minutes)d 分钟后再试。") % {
        "minutes": settings.FAZHI_LOCKOUT_MINUTES
    }
    return render(
        request,
        "accounts/login.html",
        {"form": form, "error": message, "next": _next_url(request)},
        status=429,
    )


@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    notice = {
        "idle": _("您已长时间未操作，为保护账号安全已自动退出，请重新登录。"),
        "absolute": _("登录已超过最长有效时间，请重新登录。"),
    }.get(request.GET.get("timeout", ""))
    if request.method == "GET":
        return render(
            request,
            "accounts/login.html",
            {"form": LoginForm(), "next": _next_url(request), "notice": notice},
        )
    if not ratelimit.hit(request, "login"):
        audit.record("auth.rate_limited", request=request, result="refused")
        return render(
            request,
            "accounts/login.html",
            {"form": LoginForm(), "error": _("请求过于频繁，请稍后再试。")},
            status=429,
        )
    form = LoginForm(request.POST)
    if not form.is_valid():
        return render(request, "accounts/login.html", {"form": form}, status=400)
    username = form.cleaned_data["username"]
    user = authenticate(request, username=username, password=form.cleaned_data["password"])
    if user is None:
        audit.record(
            "auth.login_failed",
            request=request,
            result="failed",
            actor_name=username[:150],
            data={"username": username[:150]},
        )
        # When this failure locked the pair, AxesMiddleware swaps in lockout_response().
        return render(
            request,
            "accounts/login.html",
            {"form": form, "error": _("用户名或密码不正确。"), "next": _next_url(request)},
            status=400,
        )
    login(request, user)
    services.session_started(request=request, user=user)
    audit.record("auth.login", actor=user, agency=user.home_agency, request=request)
    if services.password_expired(user):
        # The gate will hold the user on the password page; the record says why.
        audit.record("auth.password_expired", actor=user, agency=user.home_agency, request=request)
    return redirect(_next_url(request))


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    services.user_logout(request=request)
    messages.info(request, _("您已安全退出。"))
    return redirect("accounts:login")


@login_required
@sensitive_post_parameters("old_password", "new_password", "new_password_again")
@require_http_methods(["GET", "POST"])
def password_change_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = PasswordChangeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.password_change(
                    user=user,
                    old_password=form.cleaned_data["old_password"],
                    new_password=form.cleaned_data["new_password"],
                    request=request,
                )
            except DomainError as exc:
                form.add_error(
                    "old_password" if exc.code == "wrong_password" else "new_password",
                    str(exc.message),
                )
            else:
                from django.contrib.auth import update_session_auth_hash

                update_session_auth_hash(request, user)
                messages.success(request, _("密码已修改。"))
                return redirect("workspace:home")
        status = 400
    return render(
        request,
        "accounts/password_change.html",
        {
            "form": form,
            "expired": services.password_expired(user),
            "help_texts": _password_help(),
        },
        status=status,
    )


def _password_help() -> list[str]:
    from django.contrib.auth.password_validation import password_validators_help_texts

    return password_validators_help_texts()


@login_required
@require_http_methods(["GET", "POST"])
def otp_enrol_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    device = otp.enrolment_device(user)
    form = OtpForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                otp.enrol_confirm(request=request, user=user, token=form.cleaned_data["token"])
            except DomainError as exc:
                form.add_error("token", str(exc.message))
            else:
                messages.success(request, _("动态口令已绑定。"))
                return redirect("workspace:home")
        status = 400
    return render(
        request,
        "accounts/otp_enrol.html",
        {
            "form": form,
            "qr_svg": otp.qr_svg(device),
            "secret": otp.secret_base32(device),
            "required": services.otp_required(user),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def otp_verify_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    if otp.confirmed_device(user) is None:
        return redirect("accounts:otp_enrol")
    form = OtpForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                otp.verify(request=request, user=user, token=form.cleaned_data["token"])
            except DomainError as exc:
                form.add_error("token", str(exc.message))
            else:
                return redirect(_next_url(request))
        status = 400
    return render(
        request,
        "accounts/otp_verify.html",
        {"form": form, "next": _next_url(request)},
        status=status,
    )
