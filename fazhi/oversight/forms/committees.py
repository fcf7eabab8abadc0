"""Forms of the committee affairs disclosure pages. Each shapes the input of one service of
services/committees.py, which checks the same rules again."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fazhi.core.forms import StyledForm
from fazhi.oversight.models import CommitteeDisclosureItem, Frequency

DATE = {"type": "date"}
MONTH = {"type": "month"}
KINDS = [("villagers", _("村委会")), ("residents", _("居委会"))]


class MonthField(forms.CharField):
    """A month as YYYY-MM (the browser's month picker); cleaned to its first day."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(MONTH))
        kwargs.setdefault("max_length", 7)
        super().__init__(**kwargs)

    def clean(self, value):
        from datetime import date

        text = super().clean(value)
        if not text:
            return None
        try:
            year, month = (int(p) for p in text.split("-"))
            return date(year, month, 1)
        except (TypeError, ValueError) as exc:
            raise forms.ValidationError(_("月份格式应为 2026-02。")) from exc


class PostingForm(StyledForm):
    committee = forms.ModelChoiceField(label=_("居委会/村委会"), queryset=None, empty_label=None)
    item = forms.ModelChoiceField(label=_("公开事项"), queryset=None)
    period = forms.CharField(
        label=_("所属期间"),
        max_length=20,
        help_text=_("月份如 2026-02，季度如 2026-Q1，半年如 2026-H1；随时公开的事项可不填。"),
        required=False,
    )
    posted_on = forms.DateField(label=_("公开日期"), widget=forms.DateInput(DATE))
    title = forms.CharField(label=_("标题"), max_length=200)
    content = forms.CharField(
        label=_("公开内容"), required=False, widget=forms.Textarea({"rows": 4}), max_length=20000
    )
    photos = forms.FileField(
        label=_("照片或附件"),
        required=False,
        widget=forms.ClearableFileInput({"accept": "image/*,.pdf,.docx,.xlsx,.ofd"}),
        help_text=_("公开栏照片、收支明细等，每个不超过 10 MB。"),
    )

    def __init__(self, *args, committees, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["committee"].queryset = committees
        self.fields["item"].queryset = items
        self.fields["item"].label_from_instance = lambda i: (
            f"{i.name}（{i.get_committee_kind_display()}·{i.get_frequency_display()}）"
        )
        if committees.count() == 1:
            self.fields["committee"].widget = forms.HiddenInput()
            self.fields["committee"].initial = committees.first().pk


class ItemForm(StyledForm):
    name = forms.CharField(label=_("公开事项"), max_length=100)
    frequency = forms.ChoiceField(label=_("公开频次"), choices=Frequency.choices)
    grace_workdays = forms.IntegerField(
        label=_("期满后宽限（工作日）"), min_value=1, max_value=30, initial=5
    )
    basis = forms.CharField(label=_("依据"), max_length=200, required=False)
    order = forms.IntegerField(label=_("排序"), min_value=0, max_value=999, initial=100)
    active = forms.BooleanField(label=_("启用"), required=False, initial=True)


class ItemCreateForm(ItemForm):
    committee_kind = forms.ChoiceField(label=_("适用组织"), choices=KINDS)
    code = forms.SlugField(label=_("代码"), max_length=40)

    field_order = ["committee_kind", "code", "name", "frequency", "grace_workdays", "basis"]


class OverrideForm(StyledForm):
    committee = forms.ModelChoiceField(label=_("居委会/村委会"), queryset=None)
    item = forms.ModelChoiceField(label=_("公开事项"), queryset=None)
    frequency = forms.ChoiceField(
        label=_("本会公开频次"),
        choices=[("", _("不适用（无需公开）")), *Frequency.choices],
        required=False,
    )
    reason = forms.CharField(label=_("理由"), max_length=200)

    def __init__(self, *args, committees, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["committee"].queryset = committees
        self.fields["item"].queryset = items
        self.fields["item"].label_from_instance = lambda i: (
            f"{i.name}（{i.get_committee_kind_display()}）"
        )


class ImportForm(StyledForm):
    file = forms.FileField(
        label=_("社区通导出的 CSV 文件"), widget=forms.ClearableFileInput({"accept": ".csv"})
    )
    only_valid = forms.BooleanField(label=_("只导入正确的行"), required=False)


class CheckForm(StyledForm):
    month = MonthField(
        label=_("检查月份"), help_text=_("检查在该月结束的月度、季度、半年和年度期间。")
    )


class DepartmentForm(StyledForm):
    department = forms.ModelChoiceField(label=_("负责整改的科室"), queryset=None)

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments


class RangeForm(forms.Form):
    """The results table's period range (GET)."""

    first = MonthField(label=_("起始月份"), required=False)
    last = MonthField(label=_("截止月份"), required=False)


def item_choices(agency_id, kinds=None):
    qs = CommitteeDisclosureItem.objects.filter(agency_id=agency_id, active=True)
    if kinds:
        qs = qs.filter(committee_kind__in=kinds)
    return qs.order_by("committee_kind", "order", "pk")
