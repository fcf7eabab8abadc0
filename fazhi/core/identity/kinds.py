"""The kinds of protected number and what each one means: validator, normal form, mask."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from fazhi.core.identity import masking, validators


class Kind(models.TextChoices):
    # 公民身份号码 (GB 11643), also on residence permits of Hong Kong, Macao and Taiwan residents.
    RESIDENT_ID = "resident_id", _("公民身份号码")
    # 统一社会信用代码 (GB 32100) of an organisation or an individual business.
    CREDIT_CODE = "credit_code", _("统一社会信用代码")
    # A mainland mobile number only (where an SMS must reach the person).
    MOBILE = "mobile", _("手机号码")
    # A mobile number or a landline with area code.
    PHONE = "phone", _("联系电话")
    # Passport, Mainland Travel Permit and other documents without a check digit.
    OTHER_ID = "other_id", _("其他证件号码")


@dataclass(frozen=True)
class KindSpec:
    validate: Callable[[object], str]
    normalise: Callable[[object], str]
    mask: Callable[[object], str]
    # Kinds in the same hash domain hash a number alike, so a mobile stored as "mobile" in one
    # table is found by the same number stored as "phone" in another.
    hash_domain: str


def _normalise_phone(value: object) -> str:
    text = validators.canonical(value).replace("-", "")
    return text[3:] if text.startswith("+86") and len(text) == 14 else text


SPECS: dict[str, KindSpec] = {
    Kind.RESIDENT_ID: KindSpec(
        validators.validate_resident_id,
        validators.canonical,
        masking.mask_resident_id,
        "resident_id",
    ),
    Kind.CREDIT_CODE: KindSpec(
        validators.validate_credit_code,
        validators.canonical,
        masking.mask_credit_code,
        "credit_code",
    ),
    Kind.MOBILE: KindSpec(
        validators.validate_mobile, _normalise_phone, masking.mask_phone, "phone"
    ),
    Kind.PHONE: KindSpec(validators.validate_phone, _normalise_phone, masking.mask_phone, "phone"),
    Kind.OTHER_ID: KindSpec(
        validators.validate_other_id,
        validators.canonical,
        masking.mask_other_id,
        "other_id",
    ),
}


def spec(kind: str) -> KindSpec:
    """The rules of one kind; an unknown kind is a programming error."""
    try:
        return SPECS[Kind(kind)]
    except ValueError:
        raise ValueError(f"Unknown identifier kind {kind!r}; use one of {list(Kind)}.") from None


def mask(kind: str, value: object) -> str:
    """The masked form of a value of the given kind."""
    return spec(kind).mask(value)


def validate(kind: str, value: object) -> str:
    """Validate and normalise a value of the given kind (raises `InvalidInput`)."""
    return spec(kind).validate(value)
