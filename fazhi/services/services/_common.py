"""Checks shared by the services of the power list and the guides."""

from __future__ import annotations

from django.utils.translation import gettext as _

from fazhi.core.errors import InvalidInput, NotAllowed
from fazhi.core.tenancy import writable_agency_ids
from fazhi.services import permissions

FORMULA_START = ("=", "+", "-", "@")


def neutralise(value) -> str:
    """A value as it may be echoed into a report or a sheet: formula starts get an apostrophe."""
    text = str(value if value is not None else "")
    if text[:1] in {*FORMULA_START, "\t", "\r"}:
        return "'" + text
    return text


def require_office(actor, agency) -> None:
    if agency.pk not in writable_agency_ids(actor) or not permissions.is_office(actor, agency.pk):
        raise NotAllowed(_("只有法制办可以执行此操作。"), code="not_allowed")


def require_department(actor, agency, department_id) -> None:
    if agency.pk not in writable_agency_ids(actor) or not permissions.may_edit_department(
        actor, agency.pk, department_id
    ):
        raise NotAllowed(_("只有法制办或该事项的责任处室可以修改。"), code="not_allowed")


def text(value, label, *, limit: int, code: str, required: bool = True) -> str:
    value = str(value if value is not None else "").strip()
    if required and not value:
        raise InvalidInput(_("%(label)s不能为空。") % {"label": label}, code=f"{code}_required")
    if len(value) > limit:
        raise InvalidInput(
            _("%(label)s不能超过 %(n)d 个字。") % {"label": label, "n": limit},
            code=f"{code}_too_long",
        )
    if any(ord(c) < 32 and c not in "\n\t" for c in value) or "\x00" in value:
        raise InvalidInput(_("%(label)s含有无效字符。") % {"label": label}, code=f"{code}_invalid")
    return value


def days(value, label, *, code: str) -> int | None:
    """A time limit in working days: blank, or a whole number 1–999."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        value = None
    elif isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or not 1 <= value <= 999:
        raise InvalidInput(
            _("%(label)s应为 1 至 999 的整数（工作日），或留空。") % {"label": label},
            code=f"{code}_invalid",
        )
    return value


def limits(promised, statutory) -> tuple[int | None, int | None]:
    promised = days(promised, _("承诺时限"), code="promised_days")
    statutory = days(statutory, _("法定时限"), code="statutory_days")
    if promised is not None and statutory is not None and promised > statutory:
        raise InvalidInput(
            _("承诺时限（%(p)d 个工作日）不能长于法定时限（%(s)d 个工作日）。")
            % {"p": promised, "s": statutory},
            code="promised_exceeds_statutory",
        )
    return promised, statutory
