"""Forms of the pages after issuance: evaluation, cleanup, links. Each maps to one service."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fazhi.core.forms import StyledForm
from fazhi.rules.models import CleanupReview, Disposition, DocumentLink

DATE = {"type": "date"}


def _date(label, *, required=True, help_text=""):
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateInput(DATE, format="%Y-%m-%d"),
    )


class EvaluationProposeForm(StyledForm):
    proposal = forms.ChoiceField(label=_("评估意见"), choices=Disposition.choices)
    new_valid_until = _date(
        _("新的有效期至"), required=False, help_text=_("评估意见为保留时填写。")
    )
    reason = forms.CharField(
        label=_("理由"),
        required=False,
        max_length=2000,
        widget=forms.Textarea({"rows": 3}),
        help_text=_("修改、宣布失效、废止，或新的有效期超过上限时，须写明理由。"),
    )


class EvaluationConfirmForm(StyledForm):
    ended_on = _date(_("废止日期"), required=False, help_text=_("评估意见为废止时适用，默认今天。"))


class EvaluationReturnForm(StyledForm):
    reason = forms.CharField(
        label=_("退回理由"), max_length=2000, widget=forms.Textarea({"rows": 2})
    )


class CampaignForm(StyledForm):
    agency = forms.ModelChoiceField(label=_("机关"), queryset=None, empty_label=None)
    title = forms.CharField(label=_("清理名称"), max_length=200)
    basis = forms.CharField(
        label=_("清理依据和要求"), required=False, widget=forms.Textarea({"rows": 3})
    )
    scope = forms.ChoiceField(label=_("清理范围"), choices=CleanupReview.Scope.choices)
    scope_department = forms.ModelChoiceField(
        label=_("科室（按部门清理时）"), queryset=None, required=False
    )
    scope_topic = forms.CharField(
        label=_("主题分类（按主题清理时）"), max_length=50, required=False
    )

    def __init__(self, *args, agencies=(), **kwargs):
        from fazhi.core.models import Agency, Department

        super().__init__(*args, **kwargs)
        ids = [agency.pk for agency in agencies]
        self.fields["agency"].queryset = Agency.objects.filter(pk__in=ids).order_by("name")
        self.fields["scope_department"].queryset = Department.objects.filter(
            agency_id__in=ids
        ).select_related("agency")
        if len(ids) == 1:
            self.fields["agency"].widget = forms.HiddenInput()
            self.fields["agency"].initial = ids[0]


class CleanupProposeForm(StyledForm):
    proposal = forms.ChoiceField(label=_("清理意见"), choices=Disposition.choices)
    reason = forms.CharField(label=_("理由"), max_length=2000, widget=forms.Textarea({"rows": 2}))


class CleanupConfirmForm(StyledForm):
    result = forms.ChoiceField(label=_("清理结果"), choices=Disposition.choices)
    note = forms.CharField(
        label=_("说明"),
        required=False,
        max_length=2000,
        widget=forms.Textarea({"rows": 2}),
        help_text=_("与部门意见不同时须写明。"),
    )


class CampaignPublishForm(StyledForm):
    result_note = forms.CharField(
        label=_("清理结果说明"), required=False, widget=forms.Textarea({"rows": 3})
    )


class LinkForm(StyledForm):
    kind = forms.ChoiceField(label=_("关系"), choices=DocumentLink.Kind.choices)
    target = forms.ModelChoiceField(label=_("关联文件"), queryset=None)

    def __init__(self, *args, targets=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = targets
        self.fields["target"].label_from_instance = lambda document: (
            f"{document.doc_number.text if document.doc_number_id else ''} {document.title}"
        ).strip()
