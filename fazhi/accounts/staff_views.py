"""The system administrator's account pages and the security administrator's role pages."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from fazhi.accounts import selectors, services
from fazhi.accounts.forms import GrantForm, ReasonForm, UserCreateForm
from fazhi.core.decorators import staff_permission_required
from fazhi.core.errors import DomainError
from fazhi.core.models import Agency
from fazhi.core.roles import Role
from fazhi.core.tenancy import agencies_with_role

PAGE_SIZE = 50


def _admin_agency(request: HttpRequest, role: str) -> Agency:
    return Agency.objects.filter(id__in=agencies_with_role(request.user, role)).order_by("id")[0]


@staff_permission_required("accounts.manage_accounts")
def account_list(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()[:50]
    qs = selectors.accounts_for_sysadmin(request.user, search=search).prefetch_related(
        selectors.active_roles_prefetch()
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "accounts/staff/account_list.html", {"page": page, "q": search})


@staff_permission_required("accounts.manage_accounts")
@require_http_methods(["GET", "POST"])
def account_create(request: HttpRequest) -> HttpResponse:
    form = UserCreateForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                user, temporary = services.user_create(
                    actor=request.user,
                    agency=_admin_agency(request, Role.SYSADMIN),
                    request=request,
                    **form.cleaned_data,
                )
            except DomainError as exc:
                form.add_error("username", str(exc.message))
            else:
                return render(
                    request,
                    "accounts/staff/temporary_password.html",
                    {"account": user, "temporary": temporary},
                )
        status = 400
    return render(request, "accounts/staff/account_form.html", {"form": form}, status=status)


@staff_permission_required("accounts.manage_accounts")
def account_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    account = selectors.access_account(request.user, user_id)
    sessions = account.login_sessions.filter(ended_at__isnull=True).order_by("-started_at")
    return render(
        request,
        "accounts/staff/account_detail.html",
        {
            "account": account,
            "sessions": sessions,
            "memberships": account.memberships.filter(revoked_at__isnull=True).select_related(
                "agency", "department", "committee"
            ),
            "reason_form": ReasonForm(),
        },
    )


@staff_permission_required("accounts.manage_accounts")
@require_POST
def account_action(request: HttpRequest, user_id: int, action: str) -> HttpResponse:
    account = selectors.access_account(request.user, user_id)
    try:
        if action == "disable":
            reason = request.POST.get("reason", "")[:200]
            services.user_disable(actor=request.user, user=account, reason=reason, request=request)
            messages.success(request, _("账号已停用，其所有会话已结束。"))
        elif action == "enable":
            services.user_enable(actor=request.user, user=account, request=request)
            messages.success(request, _("账号已启用。"))
        elif action == "reset_password":
            temporary = services.user_reset_password(
                actor=request.user, user=account, request=request
            )
            return render(
                request,
                "accounts/staff/temporary_password.html",
                {"account": account, "temporary": temporary},
            )
        elif action == "unlock":
            services.user_unlock(actor=request.user, user=account, request=request)
            messages.success(request, _("已解除该账号的登录锁定。"))
        elif action == "end_sessions":
            count = services.user_end_sessions(actor=request.user, user=account, request=request)
            messages.success(request, _("已结束 %(n)d 个会话。") % {"n": count})
        else:
            return render(request, "400.html", status=400)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return render(
            request,
            "accounts/staff/account_detail.html",
            {
                "account": account,
                "sessions": account.login_sessions.filter(ended_at__isnull=True),
                "memberships": account.memberships.filter(revoked_at__isnull=True),
                "reason_form": ReasonForm(request.POST),
            },
            status=exc.status,
        )
    return redirect("workspace:account_detail", user_id=account.pk)


@staff_permission_required("accounts.grant_roles")
@require_http_methods(["GET", "POST"])
def role_list(request: HttpRequest) -> HttpResponse:
    agency = _admin_agency(request, Role.SECADMIN)
    form = GrantForm(request.POST or None, agency=agency)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            user = selectors.grantable_user(request.user, form.cleaned_data["username"])
            if user is None:
                form.add_error("username", _("本机关没有该用户。"))
            else:
                try:
                    services.membership_grant(
                        actor=request.user,
                        user=user,
                        agency=agency,
                        role=form.cleaned_data["role"],
                        department=form.cleaned_data["department"],
                        committee=form.cleaned_data["committee"],
                        request=request,
                    )
                except DomainError as exc:
                    form.add_error(None, str(exc.message))
                else:
                    messages.success(request, _("角色已授予。"))
                    return redirect("workspace:role_list")
        status = 400
    page = Paginator(selectors.memberships_for_secadmin(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request, "accounts/staff/role_list.html", {"page": page, "form": form}, status=status
    )


@staff_permission_required("accounts.grant_roles")
@require_POST
def role_revoke(request: HttpRequest, membership_id: int) -> HttpResponse:
    membership = selectors.access_membership(request.user, membership_id)
    try:
        services.membership_revoke(
            actor=request.user,
            membership=membership,
            reason=request.POST.get("reason", "")[:200],
            request=request,
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("workspace:role_list")
    messages.success(request, _("角色已撤销。"))
    return redirect("workspace:role_list")
