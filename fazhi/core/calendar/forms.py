"""Forms of the calendar pages; the services re-check everything they are given."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fazhi.core.forms import StyledForm


class DaySetForm(StyledForm):
    KIND_CHOICES = [("holiday", _("休息（节假日）")), ("workday", _("上班（调休）"))]

    date = forms.DateField(
        label=_("日期"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("日期格式应为 YYYY-MM-DD。")},
    )
    kind = forms.ChoiceField(label=_("调整为"), choices=KIND_CHOICES)
    name = forms.CharField(
        label=_("名称"),
        max_length=50,
        required=False,
        help_text=_("节假日名称（如 春节）或调休说明；留空则自动填写。"),
    )
    reason = forms.CharField(
        label=_("调整理由"),
        max_length=200,
        help_text=_("例如：国务院办公厅关于2027年部分节假日安排的通知。"),
    )


class ReasonForm(StyledForm):
    date = forms.DateField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("清除理由"), max_length=200)


class ConfirmForm(StyledForm):
    note = forms.CharField(
        label=_("确认说明"),
        max_length=300,
        required=False,
        help_text=_("例如所依据的通知文号。"),
    )
