"""Every change to accounts, sessions and roles, each one an audit event.

The three separated administrators (三员分立) are enforced here, not in the views: the system
administrator manages accounts, the security administrator grants roles, the audit
administrator reads the log. Nobody changes their own roles, and an administrator role is never
combined with another role.
"""

from __future__ import annotations

import secrets
import string
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from fazhi.accounts.models import User, UserSession
from fazhi.core import audit
from fazhi.core.errors import Conflict, InvalidInput, NotAllowed
from fazhi.core.http import client_ip
from fazhi.core.models import Agency, Committee, Department, Membership
from fazhi.core.roles import ADMIN_ROLES, COMMITTEE_ROLES, DEPARTMENT_ROLES, Role
from fazhi.core.tenancy import forget_roles, has_role


def _session_store(session_key: str) -> SessionBase:
    engine = import_string(settings.SESSION_ENGINE + ".SessionStore")
    return engine(session_key)


# --- Sessions -------------------------------------------------------------------------------


def session_started(*, request: HttpRequest, user: User) -> UserSession:
    """Remember a new login so it can be ended from elsewhere. Caller has called login()."""
    now = timezone.now()
    request.session["fazhi_login_at"] = now.timestamp()
    request.session["fazhi_seen_at"] = now.timestamp()
    request.session.save()
    tracked, _created = UserSession.objects.update_or_create(
        session_key=request.session.session_key,
        defaults={
            "user": user,
            "ip": client_ip(request),
            "user_agent": request.META.get("HTTP_USER_AGENT", "")[:255],
            "started_at": now,
        },
    )
    return tracked


def sessions_end_all(
    *, user: User, reason: str, actor: User | None = None, request: HttpRequest | None = None
) -> int:
    """End every live session of `user` (logout, disabling, password reset, admin action)."""
    with transaction.atomic():
        live = list(
            UserSession.objects.select_for_update().filter(user=user, ended_at__isnull=True)
        )
        for tracked in live:
            _session_store(tracked.session_key).delete()
        UserSession.objects.filter(pk__in=[t.pk for t in live]).update(
            ended_at=timezone.now(), end_reason=reason
        )
        audit.record(
            "session.end_all",
            actor=actor or user,
            agency=user.home_agency,
            target=user,
            request=request,
            data={"reason": reason, "sessions": len(live)},
        )
    return len(live)


def user_logout(*, request: HttpRequest) -> None:
    """Logging out ends all of the user's sessions, not only this browser's (security.md)."""
    from django.contrib.auth import logout

    user = request.user
    if user.is_authenticated:
        audit.record("auth.logout", actor=user, agency=user.home_agency, request=request)
        sessions_end_all(user=user, reason="logout", actor=user, request=request)
    logout(request)


# --- Accounts (system administrator) ---------------------------------------------------------


def _require_sysadmin_of(actor: User, agency: Agency | None) -> None:
    if agency is None or not has_role(actor, Role.SYSADMIN, agency_id=agency.pk):
        raise NotAllowed(_("只有本机关的系统管理员可以管理账号。"))


def generate_temporary_password() -> str:
    """A password that meets the policy: every class present, 16 characters."""
    alphabet = string.ascii_letters + string.digits + "-_.!"
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(16))
        if (
            any(c.islower() for c in candidate)
            and any(c.isupper() for c in candidate)
            and any(c.isdigit() for c in candidate)
            and any(c in "-_.!" for c in candidate)
        ):
            return candidate


def user_create(
    *,
    actor: User,
    agency: Agency,
    username: str,
    display_name: str,
    email: str = "",
    request: HttpRequest | None = None,
) -> tuple[User, str]:
    """Create an account managed by `agency`; returns it with a one-time temporary password."""
    _require_sysadmin_of(actor, agency)
    username = username.strip()
    if not username:
        raise InvalidInput(_("请填写用户名。"))
    if User.objects.filter(username__iexact=username).exists():
        raise InvalidInput(_("用户名已被使用。"), code="username_taken")
    temporary = generate_temporary_password()
    try:
        with transaction.atomic():
            user = User(
                username=username,
                display_name=display_name.strip(),
                email=email.strip(),
                home_agency=agency,
                must_change_password=True,
            )
            user.set_password(temporary)
            user.save()
            audit.record("account.create", actor=actor, agency=agency, target=user, request=request)
    except IntegrityError as exc:
        raise InvalidInput(_("用户名已被使用。"), code="username_taken") from exc
    return user, temporary


def user_disable(
    *, actor: User, user: User, reason: str, request: HttpRequest | None = None
) -> None:
    _require_sysadmin_of(actor, user.home_agency)
    if user.pk == actor.pk:
        raise NotAllowed(_("不能停用自己的账号。"))
    if not reason.strip():
        raise InvalidInput(_("请填写停用原因。"), code="reason_required")
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if not locked.is_active:
            raise Conflict(_("该账号已停用。"), code="already_disabled")
        locked.is_active = False
        locked.save(update_fields=["is_active"])
        audit.record(
            "account.disable",
            actor=actor,
            agency=locked.home_agency,
            target=locked,
            request=request,
            data={"reason": reason},
        )
        sessions_end_all(user=locked, reason="disabled", actor=actor, request=request)
    user.is_active = False


def user_enable(*, actor: User, user: User, request: HttpRequest | None = None) -> None:
    _require_sysadmin_of(actor, user.home_agency)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.is_active:
            raise Conflict(_("该账号已启用。"), code="already_enabled")
        locked.is_active = True
        locked.save(update_fields=["is_active"])
        audit.record(
            "account.enable", actor=actor, agency=locked.home_agency, target=locked, request=request
        )
    user.is_active = True


def user_reset_password(*, actor: User, user: User, request: HttpRequest | None = None) -> str:
    """Give the user a temporary password they must change at next login; ends their sessions."""
    _require_sysadmin_of(actor, user.home_agency)
    temporary = generate_temporary_password()
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        locked.set_password(temporary)
        locked.must_change_password = True
        locked.save(update_fields=["password", "password_changed_at", "must_change_password"])
        audit.record(
            "account.reset_password",
            actor=actor,
            agency=locked.home_agency,
            target=locked,
            request=request,
        )
        sessions_end_all(user=locked, reason="password_reset", actor=actor, request=request)
    return temporary


def user_end_sessions(*, actor: User, user: User, request: HttpRequest | None = None) -> int:
    _require_sysadmin_of(actor, user.home_agency)
    return sessions_end_all(user=user, reason="ended_by_admin", actor=actor, request=request)


def user_unlock(*, actor: User, user: User, request: HttpRequest | None = None) -> int:
    """Lift a login lockout before its cool-off ends (all addresses); returns attempts cleared."""
    from axes.utils import reset

    _require_sysadmin_of(actor, user.home_agency)
    with transaction.atomic():
        cleared = reset(username=user.get_username())
        audit.record(
            "auth.unlock",
            actor=actor,
            agency=user.home_agency,
            target=user,
            request=request,
            data={"attempts_cleared": cleared},
        )
    return cleared


# --- Own password ----------------------------------------------------------------------------


def password_change(
    *, user: User, old_password: str, new_password: str, request: HttpRequest | None = None
) -> None:
    """Change one's own password; the other sessions of the user end, this one stays."""
    if not user.check_password(old_password):
        raise InvalidInput(_("原密码不正确。"), code="wrong_password")
    if old_password == new_password:
        raise InvalidInput(_("新密码不能与原密码相同。"), code="password_unchanged")
    try:
        password_validation.validate_password(new_password, user)
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages), code="password_policy") from exc
    current_key = request.session.session_key if request is not None else None
    with transaction.atomic():
        user.set_password(new_password)
        user.must_change_password = False
        user.save(update_fields=["password", "password_changed_at", "must_change_password"])
        audit.record(
            "account.password_change", actor=user, agency=user.home_agency, request=request
        )
        others = UserSession.objects.filter(user=user, ended_at__isnull=True).exclude(
            session_key=current_key
        )
        for tracked in others:
            _session_store(tracked.session_key).delete()
        others.update(ended_at=timezone.now(), end_reason="password_change")


def password_expired(user: User) -> bool:
    """Staff passwords expire after the configured age (security.md; ASVS deviation recorded)."""
    if user.must_change_password:
        return True
    if user.password_changed_at is None:
        return True
    age = timedelta(days=settings.FAZHI_PASSWORD_MAX_AGE_DAYS)
    return timezone.now() - user.password_changed_at > age


def password_expires_on(user: User):
    if user.password_changed_at is None:
        return None
    when = user.password_changed_at + timedelta(days=settings.FAZHI_PASSWORD_MAX_AGE_DAYS)
    return timezone.localdate(when)


# --- Roles (security administrator) -----------------------------------------------------------


def membership_grant(
    *,
    actor: User,
    user: User,
    agency: Agency,
    role: str,
    department: Department | None = None,
    committee: Committee | None = None,
    request: HttpRequest | None = None,
) -> Membership:
    if not has_role(actor, Role.SECADMIN, agency_id=agency.pk):
        raise NotAllowed(_("只有本机关的安全管理员可以授予角色。"))
    if user.pk == actor.pk:
        raise NotAllowed(_("不能为自己授予角色。"), code="self_grant")
    if role not in Role.values:
        raise InvalidInput(_("未知角色。"), code="unknown_role")
    if not user.is_active:
        raise InvalidInput(_("不能为已停用的账号授予角色。"), code="user_disabled")
    if department is not None and department.agency_id != agency.pk:
        raise InvalidInput(_("科室不属于该机关。"), code="department_agency")
    if role in DEPARTMENT_ROLES and department is None:
        raise InvalidInput(_("该角色须指定科室。"), code="department_required")
    if committee is not None and committee.agency_id != agency.pk:
        raise InvalidInput(_("居委会/村委会不属于该机关。"), code="committee_agency")
    if role in COMMITTEE_ROLES and committee is None:
        raise InvalidInput(_("该角色须指定居委会或村委会。"), code="committee_required")
    if role not in COMMITTEE_ROLES:
        # A committee on any other role would scope nothing and mislead whoever reads it.
        committee = None
    with transaction.atomic():
        # Lock the user's memberships so two grants cannot both pass the separation check.
        held = set(
            Membership.objects.select_for_update()
            .active()
            .filter(user=user)
            .values_list("role", flat=True)
        )
        if role in held:
            raise Conflict(_("该用户已拥有此角色。"), code="role_held")
        if role in ADMIN_ROLES and held:
            raise InvalidInput(
                _("三员分立：管理员角色不能与其他角色兼任。"), code="separation_of_duties"
            )
        if held & ADMIN_ROLES:
            raise InvalidInput(
                _("三员分立：管理员角色不能与其他角色兼任。"), code="separation_of_duties"
            )
        membership = Membership.objects.create(
            user=user,
            agency=agency,
            role=role,
            department=department,
            committee=committee,
            granted_by=actor,
        )
        audit.record(
            "role.grant",
            actor=actor,
            agency=agency,
            target=user,
            request=request,
            data={
                "role": role,
                "department": department.pk if department else None,
                "committee": committee.pk if committee else None,
            },
        )
    forget_roles(user)
    return membership


def membership_revoke(
    *, actor: User, membership: Membership, reason: str, request: HttpRequest | None = None
) -> None:
    if not has_role(actor, Role.SECADMIN, agency_id=membership.agency_id):
        raise NotAllowed(_("只有本机关的安全管理员可以撤销角色。"))
    if membership.user_id == actor.pk:
        raise NotAllowed(_("不能撤销自己的角色。"), code="self_revoke")
    if not reason.strip():
        raise InvalidInput(_("请填写撤销原因。"), code="reason_required")
    with transaction.atomic():
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        if locked.revoked_at is not None:
            raise Conflict(_("该角色已被撤销。"), code="already_revoked")
        locked.revoked_at = timezone.now()
        locked.revoked_by = actor
        locked.save(update_fields=["revoked_at", "revoked_by"])
        audit.record(
            "role.revoke",
            actor=actor,
            agency=locked.agency,
            target=locked.user,
            request=request,
            data={"role": locked.role, "reason": reason},
        )
    forget_roles(membership.user)


# --- Second factor ---------------------------------------------------------------------------


def otp_required(user: User) -> bool:
    """Whether this user must pass TOTP before using the workspace."""
    if settings.FAZHI_DEMO_SKIP_OTP and user.is_demo:
        return False
    required = settings.FAZHI_OTP_REQUIRED_ROLES
    if "all" in required:
        return True
    return has_role(user, *required)
