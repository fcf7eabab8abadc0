"""Domain errors: a stable code for machines and a translatable message for people."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    code = "domain_error"
    status = 409
    default_message = _("操作无法完成。")

    def __init__(self, message=None, *, code: str | None = None, **params):
        self.message = message or self.default_message
        if code:
            self.code = code
        self.params = params
        super().__init__(str(self.message))


class NotAllowed(DomainError):
    """The actor's role does not permit the action (HTTP 403)."""

    code = "not_allowed"
    status = 403
    default_message = _("您没有执行此操作的权限。")


class InvalidInput(DomainError):
    """The input breaks a rule (HTTP 422)."""

    code = "invalid_input"
    status = 422
    default_message = _("输入不符合要求。")


class Conflict(DomainError):
    """The record changed underneath, or a guard refuses in its current state (HTTP 409)."""

    code = "conflict"
    status = 409
    default_message = _("记录已被他人修改，请刷新后重试。")
