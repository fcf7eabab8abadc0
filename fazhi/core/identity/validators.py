"""Validation of resident ID numbers, unified social credit codes and phone numbers.

Each `validate_*` function returns the normalised value or raises `InvalidInput` with a Chinese
message and a stable code; the `*Validator` classes raise Django's `ValidationError` with the same
message and code, for form and model fields.

Normalisation (the same everywhere, see docs/mechanisms/identity.md):
- surrounding whitespace is removed; whitespace inside a number is refused, not guessed away;
- full-width ASCII (`１１０１…`, `Ｘ`), which Chinese input methods produce, becomes half-width;
  no other Unicode is folded (NFKC would turn `Ⅹ` or `①` into ASCII), and only ASCII digits count
  as digits (`str.isdigit` would accept Arabic-Indic digits);
- ASCII lower case becomes upper case (`x` → `X`; credit codes are upper case).
"""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

from fazhi.core.errors import InvalidInput
from fazhi.core.identity import conf

DIGITS = "0123456789"

# GB 11643-1999, ISO 7064 MOD 11-2 (domain-rules.md §5.1): weight_i = 2^(18-i) mod 11, i = 1..17.
RESIDENT_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
RESIDENT_ID_CHECK_CHARS = "10X98765432"

# GB 32100-2015 (domain-rules.md §5.2): 31 characters, no I O Z S V; weight_i = 3^(i-1) mod 31.
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_FORBIDDEN = "IOZSV"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

_MOBILE = re.compile(r"1[3-9][0-9]{9}", re.ASCII)
# Area code (0 + 2 or 3 digits) and a 7- or 8-digit local number, optionally one hyphen between.
_LANDLINE = re.compile(r"(0[1-9][0-9]{1,2})-?([1-9][0-9]{6,7})", re.ASCII)
# Passports, Mainland Travel Permits and the like: letters, digits, brackets, hyphens.
_OTHER_ID = re.compile(r"[A-Z0-9()\-]{5,30}", re.ASCII)

# U+FF01..U+FF5E are the full-width forms of U+0021..U+007E; U+3000 is the ideographic space.
_HALFWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_ASCII_UPPER = {code: code - 32 for code in range(ord("a"), ord("z") + 1)}


class Sex(models.TextChoices):
    # The 17th digit of a resident ID number (顺序码): odd for men, even for women.
    MALE = "male", _("男")
    FEMALE = "female", _("女")


def canonical(value: object) -> str:
    """The lenient normal form: half-width, upper-case ASCII, surrounding whitespace removed.

    Never raises; used for masking and for the lookup hash of values that need not be valid.
    """
    if value is None:
        return ""
    return str(value).translate(_HALFWIDTH).strip().translate(_ASCII_UPPER)


def _shown(char: str) -> str:
    """A character as it can be quoted in a message, invisible ones by their code point."""
    return char if char.isprintable() and not char.isspace() else f"U+{ord(char):04X}"


def _prepare(value: object, prefix: str, label) -> str:
    if value is None or (isinstance(value, str) and not canonical(value)):
        raise InvalidInput(_("请填写%(label)s。") % {"label": label}, code=f"{prefix}_required")
    if not isinstance(value, str):
        raise InvalidInput(
            _("%(label)s应以文本形式提交。") % {"label": label}, code=f"{prefix}_type"
        )
    text = canonical(value)
    if any(char.isspace() for char in text):
        raise InvalidInput(
            _("%(label)s中不能有空格，请删除空格后再提交。") % {"label": label},
            code=f"{prefix}_whitespace",
        )
    return text


# --- resident ID number 公民身份号码 ---


def resident_id_check_char(first17: str) -> str:
    """The check character for the first 17 digits of a resident ID number."""
    total = sum(
        int(digit) * weight for digit, weight in zip(first17, RESIDENT_ID_WEIGHTS, strict=True)
    )
    return RESIDENT_ID_CHECK_CHARS[total % 11]


def validate_resident_id(value: object) -> str:
    """Return the 18-character number with an upper-case X, or raise `InvalidInput`."""
    label = _("公民身份号码")
    text = _prepare(value, "resident_id", label)
    if len(text) == 15 and all(char in DIGITS for char in text):
        raise InvalidInput(
            _("15 位的第一代身份证号码已停止使用，请填写 18 位公民身份号码。"),
            code="resident_id_length",
            length=15,
        )
    if len(text) != 18:
        raise InvalidInput(
            _("公民身份号码应为 18 位，您填写了 %(length)d 位。") % {"length": len(text)},
            code="resident_id_length",
            length=len(text),
        )
    for index, char in enumerate(text):
        allowed = DIGITS if index < 17 else DIGITS + "X"
        if char not in allowed:
            raise InvalidInput(
                _(
                    "公民身份号码第 %(position)d 位“%(char)s”不正确："
                    "前 17 位只能是数字，最后一位是数字或 X。"
                )
                % {"position": index + 1, "char": _shown(char)},
                code="resident_id_chars",
                position=index + 1,
            )
    _birth_date(text)
    if text[17] != resident_id_check_char(text[:17]):
        raise InvalidInput(
            _("公民身份号码的校验码（最后一位）不符，请逐位核对号码。"),
            code="resident_id_check_digit",
        )
    return text


def _birth_date(text: str) -> date:
    shown = text[6:14]
    try:
        born = date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        raise InvalidInput(
            _("公民身份号码中的出生日期 %(date)s 不存在，请核对第 7 至 14 位。") % {"date": shown},
            code="resident_id_birth_date_invalid",
        ) from None
    earliest = conf.earliest_birth_year()
    if born.year < earliest:
        raise InvalidInput(
            _("公民身份号码中的出生日期 %(date)s 早于 %(year)d 年，请核对第 7 至 14 位。")
            % {"date": shown, "year": earliest},
            code="resident_id_birth_date_too_early",
        )
    if born > timezone.localdate():
        raise InvalidInput(
            _("公民身份号码中的出生日期 %(date)s 晚于今天，请核对第 7 至 14 位。")
            % {"date": shown},
            code="resident_id_birth_date_future",
        )
    return born


def resident_id_birth_date(value: object) -> date:
    """The date of birth encoded in a valid resident ID number."""
    return _birth_date(validate_resident_id(value))


def resident_id_sex(value: object) -> Sex:
    """The sex encoded in the sequence code (odd = male, even = female)."""
    return Sex.MALE if int(validate_resident_id(value)[16]) % 2 else Sex.FEMALE


# --- unified social credit code 统一社会信用代码 ---


def credit_code_check_char(first17: str) -> str:
    """The check character for the first 17 characters of a unified social credit code."""
    total = sum(
        CREDIT_CODE_ALPHABET.index(char) * weight
        for char, weight in zip(first17, CREDIT_CODE_WEIGHTS, strict=True)
    )
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(value: object) -> str:
    """Return the 18-character upper-case code, or raise `InvalidInput`."""
    label = _("统一社会信用代码")
    text = _prepare(value, "credit_code", label)
    if len(text) != 18:
        raise InvalidInput(
            _("统一社会信用代码应为 18 位，您填写了 %(length)d 位。") % {"length": len(text)},
            code="credit_code_length",
            length=len(text),
        )
    for index, char in enumerate(text):
        if char in CREDIT_CODE_FORBIDDEN:
            raise InvalidInput(
                _(
                    "统一社会信用代码不使用字母 I、O、Z、S、V，第 %(position)d 位是“%(char)s”，"
                    "请核对是否应为数字。"
                )
                % {"position": index + 1, "char": char},
                code="credit_code_forbidden_letter",
                position=index + 1,
            )
        if char not in CREDIT_CODE_ALPHABET:
            raise InvalidInput(
                _("统一社会信用代码第 %(position)d 位“%(char)s”不正确：只能是数字或大写字母。")
                % {"position": index + 1, "char": _shown(char)},
                code="credit_code_chars",
                position=index + 1,
            )
    if text[17] != credit_code_check_char(text[:17]):
        raise InvalidInput(
            _("统一社会信用代码的校验码（最后一位）不符，请逐位核对代码。"),
            code="credit_code_check_char",
        )
    return text


# --- phone numbers 电话号码 ---


def _strip_country_code(text: str) -> str:
    # Mainland mobiles are often written +86…; the prefix carries no information here.
    if text.startswith("+86") and _MOBILE.fullmatch(text[3:]):
        return text[3:]
    return text


def validate_mobile(value: object) -> str:
    """Return the 11-digit mainland mobile number (1[3-9] + 9 digits), or raise `InvalidInput`."""
    text = _strip_country_code(_prepare(value, "mobile", _("手机号码")))
    if not _MOBILE.fullmatch(text):
        raise InvalidInput(
            _("手机号码应为 11 位数字，以 13 至 19 开头，如 13812345678。"),
            code="mobile_format",
        )
    return text


def validate_phone(value: object) -> str:
    """A mobile number, or a landline with its area code; returned as digits only."""
    text = _strip_country_code(_prepare(value, "phone", _("联系电话")))
    if _MOBILE.fullmatch(text):
        return text
    landline = _LANDLINE.fullmatch(text)
    if landline:
        return landline.group(1) + landline.group(2)
    raise InvalidInput(
        _("联系电话应为 11 位手机号码，或带区号的固定电话，如 021-12345678。"),
        code="phone_format",
    )


# --- other identity documents 其他证件号码 ---


def validate_other_id(value: object) -> str:
    """A passport, travel permit or similar number: 5 to 30 letters, digits, brackets, hyphens."""
    text = _prepare(value, "other_id", _("证件号码"))
    if not _OTHER_ID.fullmatch(text):
        raise InvalidInput(
            _("证件号码应为 5 至 30 位字母或数字（可含括号和连字符）。"),
            code="other_id_format",
        )
    return text


# --- Django validators: the same rules for form and model fields ---


@deconstructible
class _IdentifierValidator:
    function = staticmethod(validate_resident_id)

    def __call__(self, value: object) -> None:
        try:
            self.function(value)
        except InvalidInput as exc:
            raise ValidationError(exc.message, code=exc.code) from None

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other)

    def __hash__(self) -> int:
        return hash(type(self))


class ResidentIdValidator(_IdentifierValidator):
    function = staticmethod(validate_resident_id)


class CreditCodeValidator(_IdentifierValidator):
    function = staticmethod(validate_credit_code)


class MobileValidator(_IdentifierValidator):
    function = staticmethod(validate_mobile)


class PhoneValidator(_IdentifierValidator):
    function = staticmethod(validate_phone)


class OtherIdValidator(_IdentifierValidator):
    function = staticmethod(validate_other_id)
