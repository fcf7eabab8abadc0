"""Password policy (security.md "Identity and sessions") and the test-speed hasher."""

from __future__ import annotations

import string
from functools import cache
from pathlib import Path

from django.contrib.auth.hashers import Argon2PasswordHasher
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

COMMON_PASSWORDS = Path(__file__).with_name("common-passwords.txt")


class LengthValidator:
    def __init__(self, min_length: int = 10, max_length: int = 128):
        self.min_length = min_length
        self.max_length = max_length

    def validate(self, password: str, user=None) -> None:
        if len(password) < self.min_length:
            raise ValidationError(
                _("密码至少需要 %(min)d 个字符。") % {"min": self.min_length},
                code="password_too_short",
            )
        if len(password) > self.max_length:
            raise ValidationError(
                _("密码不能超过 %(max)d 个字符。") % {"max": self.max_length},
                code="password_too_long",
            )

    def get_help_text(self) -> str:
        return _("长度 %(min)d 至 %(max)d 个字符。") % {
            "min": self.min_length,
            "max": self.max_length,
        }


def character_classes(password: str) -> int:
    checks = (
        any(c in string.ascii_lowercase for c in password),
        any(c in string.ascii_uppercase for c in password),
        any(c.isdigit() for c in password),
        # Anything else counts as a symbol, including Chinese characters and spaces.
        any(not (c.isascii() and c.isalnum()) for c in password),
    )
    return sum(checks)


class CharacterClassValidator:
    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password: str, user=None) -> None:
        if character_classes(password) < self.min_classes:
            raise ValidationError(
                ngettext(
                    "密码须包含小写字母、大写字母、数字、符号中的至少 %(n)d 类。",
                    "密码须包含小写字母、大写字母、数字、符号中的至少 %(n)d 类。",
                    self.min_classes,
                )
                % {"n": self.min_classes},
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return _("须包含小写字母、大写字母、数字、符号中的至少 %(n)d 类。") % {
            "n": self.min_classes
        }


@cache
def _common_passwords() -> frozenset[str]:
    return frozenset(COMMON_PASSWORDS.read_text().split())


class CommonPasswordValidator:
    def validate(self, password: str, user=None) -> None:
        if password.lower().strip() in _common_passwords():
            raise ValidationError(_("该密码过于常见，请换一个。"), code="password_too_common")

    def get_help_text(self) -> str:
        return _("不能是常见密码。")


class UsernameValidator:
    def validate(self, password: str, user=None) -> None:
        username = (getattr(user, "username", "") or "").lower()
        if username and username in password.lower():
            raise ValidationError(_("密码不能包含用户名。"), code="password_contains_username")

    def get_help_text(self) -> str:
        return _("不能包含用户名。")


class FastArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2 at its cheapest parameters, for the test suite only."""

    time_cost = 1
    memory_cost = 8
    parallelism = 1
