"""Forms of the supervisors' and visits' pages. Each maps to one service of
`services/visits.py`; the services check the same rules again, so a form only shapes input."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fazhi.core.forms import StyledForm
from fazhi.core.identity.forms import PhoneField
from fazhi.oversight.models import Mode, Severity, Supervisor, VisitPlan

DATE = {"type": "date"}


def _date(label, *, required=True, help_text=""):
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateInput(DATE, format="%Y-%m-%d"),
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Several photos in one input (Django's documented recipe)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget",
            MultipleFileInput(attrs={"accept": "image/jpeg,image/png", "capture": "environment"}),
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class MonthField(forms.CharField):
    """`YYYY-MM` (an <input type="month">) as the first day of the month."""

    widget = forms.TextInput({"type": "month"})

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            year, month = value.split("-")
            return date(int(year), int(month), 1)
        except (ValueError, TypeError):
            raise forms.ValidationError(_("月份格式不正确。")) from None

    def prepare_value(self, value):
        if isinstance(value, date):
            return f"{value.year:04d}-{value.month:02d}"
        return value


class SupervisorForm(StyledForm):
    name = forms.CharField(label=_("姓名"), max_length=50)
    kind = forms.ChoiceField(label=_("类别"), choices=Supervisor.Kind.choices)
    workplace = forms.CharField(label=_("工作单位及职务"), max_length=200, required=False)
    phone = PhoneField(
        label=_("联系电话"),
        required=False,
        help_text=_("加密保存，列表中只显示部分号码。修改时留空表示不变。"),
    )
    term_start = _date(_("聘期开始"))
    term_end = _date(_("聘期结束"))
    user = forms.ModelChoiceField(
        label=_("登录账号"),
        queryset=None,
        required=False,
        help_text=_("有账号的监督员可以用手机填报走访；账号须已授予“行风政风监督员”角色。"),
    )

    def __init__(self, *args, accounts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = accounts
        self.fields["user"].label_from_instance = lambda u: (
            f"{u.display_name or u.username}（{u.username}）"
        )

    def clean(self):
        data = super().clean()
        start, end = data.get("term_start"), data.get("term_end")
        if start and end and end < start:
            self.add_error("term_end", _("聘期结束不能早于聘期开始。"))
        return data


class EndTermForm(StyledForm):
    ended_on = _date(_("离任日期"), help_text=_("当日之后不能再填报走访。"))
    reason = forms.CharField(label=_("原因"), max_length=500, required=False)


class ChecklistItemForm(StyledForm):
    text = forms.CharField(label=_("评价内容"), max_length=200)
    max_points = forms.IntegerField(label=_("满分"), min_value=1, max_value=100, initial=10)
    order = forms.IntegerField(label=_("序号"), min_value=1, max_value=999, required=False)
    active = forms.BooleanField(label=_("启用"), required=False, initial=True)


class PlanForm(StyledForm):
    month = MonthField(label=_("月份"))
    supervisor = forms.ModelChoiceField(label=_("监督员"), queryset=None)
    place = forms.CharField(
        label=_("走访地点"),
        max_length=200,
        help_text=_("如：婚姻登记处窗口、东湖街道社区事务受理服务中心。"),
    )
    department = forms.ModelChoiceField(label=_("被走访单位"), queryset=None, required=False)
    subdistrict = forms.ModelChoiceField(label=_("街道/镇"), queryset=None, required=False)
    mode = forms.ChoiceField(label=_("方式"), choices=Mode.choices, initial=Mode.OPEN)
    note = forms.CharField(
        label=_("说明"), required=False, max_length=2000, widget=forms.Textarea({"rows": 2})
    )

    def __init__(self, *args, supervisors=None, departments=None, subdistricts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supervisor"].queryset = supervisors
        self.fields["department"].queryset = departments
        self.fields["subdistrict"].queryset = subdistricts


class VisitForm(StyledForm):
    """The supervisor's form on a phone: plan or place, unit, day, mode, scores, text, photos."""

    plan = forms.ModelChoiceField(
        label=_("走访计划"),
        queryset=None,
        required=False,
        empty_label=_("（不按计划，自行填写地点）"),
    )
    place = forms.CharField(label=_("走访地点"), max_length=200, required=False)
    department = forms.ModelChoiceField(
        label=_("被走访单位"),
        queryset=None,
        required=False,
        help_text=_("必填；发现的问题将交该单位整改。选择了计划的可不填。"),
    )
    subdistrict = forms.ModelChoiceField(label=_("街道/镇"), queryset=None, required=False)
    visited_on = _date(_("走访日期"))
    mode = forms.ChoiceField(
        label=_("方式"),
        choices=[("", _("（按计划）")), *Mode.choices],
        required=False,
    )
    remarks = forms.CharField(
        label=_("意见建议"), required=False, max_length=5000, widget=forms.Textarea({"rows": 3})
    )
    problem = forms.CharField(
        label=_("发现的问题"),
        required=False,
        max_length=5000,
        widget=forms.Textarea({"rows": 3}),
        help_text=_("填写后将作为问题交被走访单位限期整改，第一行作为问题标题。"),
    )
    photos = MultipleImageField(
        label=_("照片"), required=False, help_text=_("JPEG 或 PNG，可多选。")
    )

    def __init__(self, *args, plans=None, departments=None, subdistricts=None, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = plans
        self.fields["plan"].label_from_instance = lambda p: (
            f"{p.month.year}年{p.month.month}月 · {p.place}（{p.get_mode_display()}）"
        )
        self.fields["department"].queryset = departments
        self.fields["subdistrict"].queryset = subdistricts
        self.items = list(items)
        for item in self.items:
            self.fields[f"score_{item.pk}"] = forms.IntegerField(
                label=item.text,
                min_value=0,
                max_value=item.max_points,
                help_text=_("0 至 %(max)d 分") % {"max": item.max_points},
                widget=forms.NumberInput(
                    {"inputmode": "numeric", "class": "form-control score-input"}
                ),
                error_messages={
                    "required": _("请为“%(item)s”打分。") % {"item": item.text},
                    "min_value": _("得分须在 0 至 %(max)d 分之间。") % {"max": item.max_points},
                    "max_value": _("得分须在 0 至 %(max)d 分之间。") % {"max": item.max_points},
                },
            )
        self.fields["visited_on"].initial = timezone.localdate()
        self.fields["visited_on"].widget.attrs["max"] = timezone.localdate().isoformat()

    def score_fields(self):
        return [self[f"score_{item.pk}"] for item in self.items]

    def clean_visited_on(self):
        day = self.cleaned_data["visited_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("走访日期不能晚于今天。"))
        return day

    def clean(self):
        data = super().clean()
        plan: VisitPlan | None = data.get("plan")
        if plan is None and not (data.get("place") or "").strip():
            self.add_error("place", _("请填写走访地点或选择走访计划。"))
        if plan is None and not data.get("department"):
            self.add_error("department", _("请选择被走访单位。"))
        if plan is None and not data.get("mode"):
            self.add_error("mode", _("请选择明察或暗访。"))
        return data

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "plan": data.get("plan"),
            "place": (data.get("place") or "").strip(),
            "department": data.get("department"),
            "subdistrict": data.get("subdistrict"),
            "visited_on": data["visited_on"],
            "mode": data.get("mode") or None,
            "remarks": data.get("remarks", ""),
            "problem": data.get("problem", ""),
            "photos": data.get("photos") or [],
            "scores": {item.pk: data.get(f"score_{item.pk}") for item in self.items},
        }


class VisitFindingForm(StyledForm):
    title = forms.CharField(label=_("问题"), max_length=200)
    description = forms.CharField(
        label=_("问题描述"), max_length=5000, widget=forms.Textarea({"rows": 4})
    )
    severity = forms.ChoiceField(
        label=_("严重程度"), choices=Severity.choices, initial=Severity.GENERAL
    )
