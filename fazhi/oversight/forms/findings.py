"""Forms of the findings pages. Each maps to one service of services/findings.py; the services
check the same rules again, so a form only shapes input."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fazhi.core.forms import StyledForm
from fazhi.oversight.models import AccountabilityRecord, Severity, Source
from fazhi.oversight.services.findings import MANUAL_SOURCES

DATE = {"type": "date"}


def _date(label, *, required=True, help_text=""):
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateInput(DATE, format="%Y-%m-%d"),
    )


def _text(label, *, rows=4, max_length=5000, required=True, help_text=""):
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        help_text=help_text,
        widget=forms.Textarea({"rows": rows}),
    )


class FindingForm(StyledForm):
    """The legal office opens a finding by hand."""

    source = forms.ChoiceField(
        label=_("来源"), choices=[(s.value, s.label) for s in MANUAL_SOURCES]
    )
    title = forms.CharField(label=_("问题"), max_length=200)
    description = _text(_("问题描述"), rows=5)
    department = forms.ModelChoiceField(label=_("责任单位"), queryset=None)
    subdistrict = forms.ModelChoiceField(
        label=_("街道/镇"), queryset=None, required=False, empty_label=_("（不涉及）")
    )
    severity = forms.ChoiceField(
        label=_("严重程度"),
        choices=Severity.choices,
        initial=Severity.GENERAL,
        help_text=_("整改期限按严重程度的工作日数从交办之日起算。"),
    )
    legal_basis = _text(_("依据"), rows=2, required=False)
    found_on = _date(_("发现日期"))
    source_label = forms.CharField(
        label=_("来源说明"),
        max_length=200,
        required=False,
        help_text=_("例如：12345 热线工单号、检查名称。"),
    )
    evidence = forms.FileField(
        label=_("证据材料"),
        required=False,
        help_text=_("PDF、图片、DOCX 或 XLSX，单个不超过 20 MB；更多材料可在问题页面补充。"),
    )

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        from fazhi.core.models import Department, Subdistrict

        self.fields["department"].queryset = Department.objects.filter(agency=agency).order_by(
            "sort_order", "name"
        )
        self.fields["subdistrict"].queryset = Subdistrict.objects.filter(agency=agency).order_by(
            "sort_order", "name"
        )


class MeasuresForm(StyledForm):
    measures = _text(_("整改措施"), rows=4)


class EvidenceForm(StyledForm):
    file = forms.FileField(
        label=_("整改佐证材料"),
        help_text=_("PDF、图片、DOCX 或 XLSX，单个不超过 20 MB。"),
    )


class SubmitForm(StyledForm):
    completion_note = _text(_("整改情况"), rows=4)


class VerifyForm(StyledForm):
    comment = _text(_("核验意见"), rows=2, max_length=500, required=False)


class SendBackForm(StyledForm):
    reason = _text(_("驳回理由"), rows=2, max_length=500)


class DueForm(StyledForm):
    due_on = _date(_("新的整改期限"), help_text=_("须为工作日，且不早于今天。"))
    reason = _text(_("调整理由"), rows=2, max_length=500)


class InterviewForm(StyledForm):
    note = _text(_("约谈情况"), rows=3, help_text=_("约谈时间、参加人员、约谈内容和整改承诺。"))


class AccountabilityForm(StyledForm):
    person_name = forms.CharField(label=_("责任人"), max_length=50)
    position = forms.CharField(label=_("职务"), max_length=100, required=False)
    measure = forms.ChoiceField(label=_("处理措施"), choices=AccountabilityRecord.Measure.choices)
    decided_on = _date(_("决定日期"))
    decided_by = forms.CharField(label=_("决定机关"), max_length=100)
    basis = _text(_("依据"), rows=2, required=False)
    note = _text(_("备注"), rows=2, required=False)


class CircularForm(StyledForm):
    title = forms.CharField(label=_("标题"), max_length=200)
    period_start = _date(_("起始日期"))
    period_end = _date(_("截止日期"))


class IssueForm(StyledForm):
    issued_on = _date(_("印发日期"), required=False, help_text=_("不填为今天。"))


SOURCES = Source.choices
