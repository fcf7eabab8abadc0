"""Request bodies for every app's API: validation errors in Chinese, text and dates that the
database and the calendar can take (design "API conventions").

`ApiIn` is the base of every input schema; `Text` refuses NUL and lone surrogates (PostgreSQL
cannot store them); `Day` keeps dates within 2000–2100 so date arithmetic never overflows.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_
from ninja import Schema
from pydantic import AfterValidator, ValidationError, model_validator
from pydantic_core import PydanticCustomError

_MESSAGES = {
    "missing": N_("必填。"),
    "string_type": N_("须为文本。"),
    "string_too_long": N_("不能超过 {max_length} 个字。"),
    "string_too_short": N_("不能为空。"),
    "bool_type": N_("须为 true 或 false。"),
    "bool_parsing": N_("须为 true 或 false。"),
    "int_type": N_("须为整数。"),
    "int_parsing": N_("须为整数。"),
    "int_from_float": N_("须为整数。"),
    "greater_than_equal": N_("不能小于 {ge}。"),
    "less_than_equal": N_("不能大于 {le}。"),
    "date_type": N_("须为日期，格式 YYYY-MM-DD。"),
    "date_parsing": N_("须为日期，格式 YYYY-MM-DD。"),
    "date_from_datetime_parsing": N_("须为日期，格式 YYYY-MM-DD。"),
    "date_from_datetime_inexact": N_("须为日期，格式 YYYY-MM-DD。"),
    "literal_error": N_("须为以下之一：{expected}。"),
    "model_type": N_("须为 JSON 对象。"),
    "model_attributes_type": N_("须为 JSON 对象。"),
    "dict_type": N_("须为 JSON 对象。"),
}
_DONE = "zh_"  # errors already put into words by an inner schema keep their message
_OWN = {"text_control", "text_encoding", "date_range"}  # raised below, already in Chinese


def _message(error: dict[str, Any]) -> str:
    template = _(_MESSAGES.get(error["type"], "格式不正确。"))
    try:
        return template.format(**error.get("ctx", {}))
    except (KeyError, IndexError, ValueError):
        return _("格式不正确。")


def _braces_as_text(message: str) -> str:
    # PydanticCustomError treats braces as placeholders; a finished message has none left.
    return message.replace("{", "(").replace("}", ")")


class ApiIn(Schema):
    """A request body whose validation errors read in Chinese, prefixed with the field's label."""

    @model_validator(mode="wrap")
    @classmethod
    def _in_chinese(cls, data: Any, handler):
        try:
            return handler(data)
        except ValidationError as exc:
            errors = []
            for error in exc.errors():
                if error["type"].startswith(_DONE):
                    message, kind = error["msg"], error["type"]
                else:
                    field = cls.model_fields.get(str(error["loc"][0])) if error["loc"] else None
                    label = field.title if field is not None and field.title else ""
                    text = error["msg"] if error["type"] in _OWN else _message(error)
                    message = f"{label}：{text}" if label else text
                    kind = _DONE + error["type"]
                errors.append(
                    {
                        "type": PydanticCustomError(kind, _braces_as_text(message)),
                        "loc": error["loc"],
                        "input": error.get("input"),
                    }
                )
            raise ValidationError.from_exception_data(exc.title, errors) from None


def _clean_text(value: str) -> str:
    # PostgreSQL refuses NUL in text, and a lone surrogate cannot be stored: refuse both here.
    if "\x00" in value:
        raise PydanticCustomError("text_control", _("不能包含控制字符。"))
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise PydanticCustomError("text_encoding", _("含有无法识别的字符。")) from None
    return value


def _sane_day(value: dt.date) -> dt.date:
    # Real records fall in these years; absurd dates would only break date arithmetic later.
    if not 2000 <= value.year <= 2100:
        raise PydanticCustomError("date_range", _("日期须在 2000 年至 2100 年之间。"))
    return value


Text = Annotated[str, AfterValidator(_clean_text)]
Day = Annotated[dt.date, AfterValidator(_sane_day)]
