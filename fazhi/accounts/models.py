"""Accounts: the staff user and the sessions it holds."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who signs in: staff, legal adviser, supervisor, inspector or overseer.

    Citizens never have accounts; they reach their submissions by tracking code and phone.
    """

    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    # The agency whose system administrator manages this account.
    home_agency = models.ForeignKey(
        "core.Agency",
        verbose_name=_("所属机关"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="accounts",
    )
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)
    # Set by a password reset: the holder must choose their own password before anything else.
    must_change_password = models.BooleanField(_("须修改密码"), default=False)
    # Demo accounts made by `fazhi demo`; dev settings may let them skip the second factor.
    is_demo = models.BooleanField(_("演示账号"), default=False)

    objects = UserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.display_name or self.username

    def set_password(self, raw_password) -> None:
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()


class UserSession(models.Model):
    """A live login, so that logout and disabling can end every session of a user."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="login_sessions")
    session_key = models.CharField(max_length=64, unique=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=255, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=40, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "ended_at"])]

    def __str__(self) -> str:
        return f"{self.user} @ {self.started_at:%Y-%m-%d %H:%M}"
