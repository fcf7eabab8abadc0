"""待办 (my tasks): what awaits the user, gathered from every module that provides tasks.

A module registers a provider: a function of the user returning `Task`s. Overdue is derived
from `due_on` when read (design principle 4), never stored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from fazhi.core.roles import Role


@dataclass(frozen=True)
class Task:
    title: str | Promise
    url: str
    module: str | Promise
    due_on: date | None = None

    @property
    def overdue(self) -> bool:
        return self.due_on is not None and self.due_on < timezone.localdate()


Provider = Callable[[object], Iterable[Task]]
_PROVIDERS: list[Provider] = []


def provider(func: Provider) -> Provider:
    _PROVIDERS.append(func)
    return func


def tasks_for(user) -> list[Task]:
    found = [task for source in _PROVIDERS for task in source(user)]
    # Dated tasks first, earliest first; undated ones after.
    return sorted(found, key=lambda t: (t.due_on is None, t.due_on or date.max, str(t.title)))


@provider
def password_expiry(user) -> Iterable[Task]:
    """Remind staff to change a password that expires within two weeks."""
    from django.urls import reverse

    from fazhi.accounts.services import password_expires_on

    expires = password_expires_on(user)
    if expires is not None and (expires - timezone.localdate()).days <= 14:
        yield Task(
            _("修改登录密码（密码即将到期）"),
            reverse("accounts:password_change"),
            _("账号安全"),
            expires,
        )


@provider
def second_factor_missing(user) -> Iterable[Task]:
    """Users for whom the second factor is optional are invited to enrol it."""
    from django.urls import reverse

    from fazhi.accounts import otp

    if otp.confirmed_device(user) is None:
        yield Task(_("绑定动态口令（双因素认证）"), reverse("accounts:otp_enrol"), _("账号安全"))


@provider
def accounts_awaiting_roles(user) -> Iterable[Task]:
    """The security administrator is told of active accounts that hold no role yet."""
    from django.urls import reverse

    from fazhi.accounts.models import User
    from fazhi.core.tenancy import agencies_with_role

    agency_ids = agencies_with_role(user, Role.SECADMIN)
    if not agency_ids:
        return
    waiting = (
        User.objects.filter(home_agency_id__in=agency_ids, is_active=True)
        .exclude(memberships__revoked_at__isnull=True)
        .exclude(pk=user.pk)
        .count()
    )
    if waiting:
        yield Task(
            _("%(n)d 个账号尚未授予角色") % {"n": waiting},
            reverse("workspace:role_list"),
            _("角色授权"),
        )
