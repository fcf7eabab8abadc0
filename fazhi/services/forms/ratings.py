"""Forms of the ratings pages. Each maps to one service (services/ratings.py,
services/rating_followups.py), which checks the same rules again: a form only shapes input."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fazhi.core.forms import StyledForm
from fazhi.oversight.models import Severity
from fazhi.services.models.ratings import (
    BAD_REASONS,
    GOOD_REASONS,
    BadReviewFollowUp,
    RatingLevel,
)
from fazhi.services.services.rating_followups import ANSWER_MAX, NOTE_MAX
from fazhi.services.services.ratings import COMMENT_MAX, NAME_MAX

DATE = {"type": "date"}


class _Form(StyledForm):
    """StyledForm whose radio and checkbox lists get the check-input class, not form-control."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                field.widget.attrs["class"] = "form-check-input"


def _date(label, *, required=False, help_text=""):
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateInput(DATE, format="%Y-%m-%d"),
    )


def _text(label, *, rows=3, max_length=NOTE_MAX, required=True, help_text=""):
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        help_text=help_text,
        widget=forms.Textarea({"rows": rows}),
    )


class RatingForm(_Form):
    """The rater's form (portal link and counter device); the template draws the big buttons."""

    level = forms.TypedChoiceField(
        label=_("评价等级"),
        choices=RatingLevel.choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择评价等级。")},
    )
    reasons = forms.MultipleChoiceField(
        label=_("评价原因"),
        choices=list(GOOD_REASONS) + list(BAD_REASONS),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    comment = _text(_("评价内容（选填）"), rows=3, max_length=COMMENT_MAX, required=False)
    real_name = forms.TypedChoiceField(
        label=_("实名或匿名"),
        choices=[("0", _("匿名评价")), ("1", _("实名评价"))],
        coerce=lambda value: value == "1",
        required=False,
        empty_value=False,
        initial="0",
        widget=forms.RadioSelect,
    )
    rater_name = forms.CharField(label=_("姓名"), max_length=NAME_MAX, required=False)
    rater_phone = forms.CharField(
        label=_("联系电话（选填）"),
        max_length=30,
        required=False,
        help_text=_("留下手机号码，整改结果会以短信告知您。"),
    )

    def clean(self):
        data = super().clean()
        if data.get("real_name") and not (data.get("rater_name") or "").strip():
            self.add_error("rater_name", _("实名评价请填写姓名。"))
        return data


class CallbackForm(_Form):
    called_back_on = _date(_("回访日期"), required=True)
    note = _text(_("回访情况"), help_text=_("回访方式、评价人反映的问题、沟通结果。"))


class VerifyForm(_Form):
    verdict = forms.ChoiceField(
        label=_("核实结论"), choices=BadReviewFollowUp.Verdict.choices, widget=forms.RadioSelect
    )
    note = _text(_("核实情况"))
    answer = _text(
        _("给评价人的解释说明"),
        max_length=ANSWER_MAX,
        required=False,
        help_text=_("核实结论为“解释说明”时必填，即为对评价人的反馈。"),
    )
    answered_on = _date(_("反馈日期"), help_text=_("不填为今天。"))


class FixForm(_Form):
    note = _text(_("整改情况"), rows=4)


class FindingForm(_Form):
    title = forms.CharField(
        label=_("问题"), max_length=200, required=False, help_text=_("不填则按评价自动生成。")
    )
    severity = forms.ChoiceField(
        label=_("严重程度"), choices=Severity.choices, initial=Severity.GENERAL
    )


class AnswerForm(_Form):
    answer = _text(_("反馈评价人的内容"), max_length=ANSWER_MAX)
    answered_on = _date(_("反馈日期"), help_text=_("不填为今天。"))


class AppealForm(_Form):
    reason = _text(_("申诉理由"), rows=4)
    evidence = forms.FileField(
        label=_("佐证材料（选填）"),
        required=False,
        help_text=_("PDF、图片或 DOCX，不超过 20 MB。"),
    )


class DecideForm(_Form):
    decision = forms.ChoiceField(
        label=_("审核结论"),
        choices=[("approve", _("同意剔除")), ("reject", _("不予剔除"))],
        widget=forms.RadioSelect,
    )
    note = _text(_("审核意见"), required=False, help_text=_("不予剔除时必填。"))


class LinkForm(_Form):
    channel = forms.ChoiceField(
        label=_("渠道"), choices=[("online", _("网上评价")), ("sms", _("短信评价"))]
    )
