"""Forms of the inspection pages: contracts, an inspection, its report and its findings. Each maps
to one service of `services/inspections.py`, which checks the same rules again."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fazhi.core.forms import StyledForm
from fazhi.oversight.models import Inspection, Severity

DATE = {"type": "date"}


def _date(label, *, required=True):
    return forms.DateField(
        label=label, required=required, widget=forms.DateInput(DATE, format="%Y-%m-%d")
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class ContractForm(StyledForm):
    organisation = forms.CharField(label=_("第三方机构"), max_length=200)
    contract_number = forms.CharField(label=_("合同编号"), max_length=60, required=False)
    scope = forms.CharField(
        label=_("检查内容"), max_length=5000, widget=forms.Textarea({"rows": 3})
    )
    period_start = _date(_("服务期开始"))
    period_end = _date(_("服务期结束"))
    subdistricts = forms.ModelMultipleChoiceField(
        label=_("检查街道/镇"), queryset=None, widget=forms.CheckboxSelectMultiple
    )
    inspectors = forms.ModelMultipleChoiceField(
        label=_("机构人员账号"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("须已授予“第三方机构”角色。"),
    )

    def __init__(self, *args, subdistricts=None, inspectors=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subdistricts"].queryset = subdistricts
        self.fields["inspectors"].queryset = inspectors
        self.fields["inspectors"].label_from_instance = lambda u: (
            f"{u.display_name or u.username}（{u.username}）"
        )
        for name in ("subdistricts", "inspectors"):
            self.fields[name].widget.attrs["class"] = "form-check-input"


class InspectionForm(StyledForm):
    """A new inspection: for the legal office kind + unit; for an inspector contract scope."""

    kind = forms.ChoiceField(
        label=_("检查类型"),
        choices=[
            (Inspection.Kind.ROUTINE, Inspection.Kind.ROUTINE.label),
            (Inspection.Kind.TARGETED, Inspection.Kind.TARGETED.label),
        ],
    )
    scope = forms.ChoiceField(label=_("合同与街道/镇"), required=False)
    title = forms.CharField(label=_("名称"), max_length=200, required=False)
    department = forms.ModelChoiceField(label=_("被检查单位"), queryset=None, required=False)
    subdistrict = forms.ModelChoiceField(label=_("街道/镇"), queryset=None, required=False)
    inspected_from = _date(_("检查开始日期"))
    inspected_to = _date(_("检查结束日期"))
    summary = forms.CharField(
        label=_("检查情况"), required=False, max_length=20000, widget=forms.Textarea({"rows": 4})
    )
    score = forms.DecimalField(
        label=_("得分"),
        required=False,
        min_value=0,
        max_value=100,
        decimal_places=1,
        help_text=_("0 至 100 分，可保留一位小数。"),
    )

    def __init__(
        self, *args, third_party=False, scopes=(), departments=None, subdistricts=None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.third_party = third_party
        self._scopes = {value: pair for value, _label, pair in scopes}
        if third_party:
            for name in ("kind", "department", "subdistrict"):
                del self.fields[name]
            self.fields["scope"].required = True
            self.fields["scope"].choices = [(value, label) for value, label, _pair in scopes]
            self.fields["title"].help_text = _("可不填，默认为“机构·街道专项检查”。")
        else:
            del self.fields["scope"]
            self.fields["department"].queryset = departments
            self.fields["subdistrict"].queryset = subdistricts

    def clean(self):
        data = super().clean()
        start, end = data.get("inspected_from"), data.get("inspected_to")
        if start and end and end < start:
            self.add_error("inspected_to", _("检查结束日期不能早于开始日期。"))
        return data

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        if self.third_party:
            contract, subdistrict = self._scopes[data.pop("scope")]
            data.update(
                kind=Inspection.Kind.THIRD_PARTY, contract=contract, subdistrict=subdistrict
            )
        return data


class InspectionEditForm(StyledForm):
    title = forms.CharField(label=_("名称"), max_length=200)
    inspected_from = _date(_("检查开始日期"))
    inspected_to = _date(_("检查结束日期"))
    summary = forms.CharField(
        label=_("检查情况"), required=False, max_length=20000, widget=forms.Textarea({"rows": 5})
    )
    score = forms.DecimalField(
        label=_("得分"), required=False, min_value=0, max_value=100, decimal_places=1
    )


class ReportForm(StyledForm):
    report = forms.FileField(label=_("专项报告"), help_text=_("PDF 或 DOCX。"))


class FindingForm(StyledForm):
    title = forms.CharField(label=_("问题"), max_length=200)
    description = forms.CharField(
        label=_("问题描述"), max_length=5000, widget=forms.Textarea({"rows": 3})
    )
    severity = forms.ChoiceField(
        label=_("严重程度"), choices=Severity.choices, initial=Severity.GENERAL
    )
    department = forms.ModelChoiceField(
        label=_("责任单位"), queryset=None, help_text=_("问题将交该单位限期整改。")
    )
    legal_basis = forms.CharField(
        label=_("依据"), required=False, max_length=2000, widget=forms.Textarea({"rows": 2})
    )
    evidence = MultipleFileField(
        label=_("证据材料"), required=False, help_text=_("照片、PDF、DOCX 或 XLSX，可多选。")
    )

    def __init__(self, *args, departments=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments
