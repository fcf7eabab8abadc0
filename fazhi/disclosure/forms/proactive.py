"""Forms of the proactive-disclosure pages (主动公开). Each maps to one service of
`services/proactive.py`; the services check the same rules again, so a form only shapes input."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fazhi.core.forms import StyledForm
from fazhi.disclosure.models import ConfidentialityReview, PublicRecord
from fazhi.disclosure.models.proactive import Category, FiveDisclosures, PublishForm, Validity

DATE = {"type": "date"}
YES_NO = [("yes", _("是")), ("no", _("否"))]


def _date(label, *, required=True, help_text=""):
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateInput(DATE, format="%Y-%m-%d"),
    )


class RecordForm(StyledForm):
    """The catalogue fields of a record (目录要素) and its text; `unit` only when creating."""

    unit = forms.ChoiceField(label=_("产生部门"))
    title = forms.CharField(label=_("标题"), max_length=200)
    document_number = forms.CharField(
        label=_("发文字号"), max_length=60, required=False, help_text=_("没有发文字号的可不填。")
    )
    formed_on = _date(
        _("成文日期"), help_text=_("信息形成或者变更的日期，应公开期限自此起算（20个工作日）。")
    )
    category = forms.ChoiceField(label=_("公开类别"), choices=Category.choices)
    five_disclosures = forms.ChoiceField(
        label=_("五公开"),
        required=False,
        choices=[("", _("不涉及")), *FiveDisclosures.choices],
    )
    topic = forms.CharField(
        label=_("主题分类"), max_length=40, help_text=_("如：社会救助、养老服务、婚姻登记。")
    )
    publish_form = forms.ChoiceField(
        label=_("公开方式"), choices=PublishForm.choices, initial=PublishForm.WEBSITE
    )
    validity = forms.ChoiceField(label=_("有效性"), required=False, choices=Validity.choices)
    body = forms.CharField(
        label=_("正文"), required=False, widget=forms.Textarea({"rows": 10}), max_length=200_000
    )

    def __init__(self, *args, units=None, **kwargs):
        """`units`: [(value, label, agency, department)] the user may draft for; None on edit."""
        super().__init__(*args, **kwargs)
        self._units = {
            value: (agency, department) for value, _label, agency, department in units or ()
        }
        if units is None:
            del self.fields["unit"]
        else:
            self.fields["unit"].choices = [(value, label) for value, label, *_rest in units]

    def clean_title(self):
        title = self.cleaned_data["title"].strip()
        if not title:
            raise forms.ValidationError(_("请填写标题。"))
        return title

    def clean_topic(self):
        return self.cleaned_data["topic"].strip()

    def clean_document_number(self):
        return self.cleaned_data["document_number"].strip()

    def service_fields(self) -> dict:
        """The cleaned data as the keyword arguments of record_create / record_update."""
        data = dict(self.cleaned_data)
        unit = data.pop("unit", None)
        if unit is not None:
            data["agency"], data["department"] = self._units[unit]
        return data

    @classmethod
    def initial_from(cls, record: PublicRecord) -> dict:
        return {
            name: getattr(record, name)
            for name in (
                "title",
                "document_number",
                "formed_on",
                "category",
                "five_disclosures",
                "topic",
                "publish_form",
                "validity",
                "body",
            )
        }


class AttachmentForm(StyledForm):
    file = forms.FileField(
        label=_("附件"),
        help_text=_("DOCX、PDF、XLSX 或图片；提交审查时将检查其中的个人信息。"),
    )


class ClearForm(StyledForm):
    reason = forms.CharField(
        label=_("可以公开的理由"),
        max_length=200,
        help_text=_("例如：系已公开的单位联系电话。"),
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("请写明可以公开的理由。"))
        return reason


class ReviewForm(StyledForm):
    """保密审查: every checklist item answered yes or no, and the conclusion."""

    conclusion = forms.ChoiceField(
        label=_("审查结论"),
        choices=ConfidentialityReview.Conclusion.choices,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("审查意见"), required=False, max_length=2000, widget=forms.Textarea({"rows": 3})
    )

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(items)
        checklist = {
            f"item_{item['key']}": forms.ChoiceField(
                label=item["label"],
                choices=YES_NO,
                widget=forms.RadioSelect,
                error_messages={"required": _("请逐项回答审查事项。")},
            )
            for item in self.items
        }
        # The checklist comes first on the page, the conclusion after it.
        self.fields = {**checklist, **self.fields}
        for name in ("conclusion", *checklist):
            self.fields[name].widget.attrs["class"] = "form-check-input"

    def checklist_fields(self):
        return [self[f"item_{item['key']}"] for item in self.items]

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "checklist": {item["key"]: data[f"item_{item['key']}"] == "yes" for item in self.items},
            "conclusion": data["conclusion"],
            "comment": data["comment"].strip(),
        }


class ReleaseForm(StyledForm):
    """信息审核发布: the day the record goes public (today unless it was published earlier)."""

    published_on = _date(_("公开日期"), help_text=_("默认今天。"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"published_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class WithdrawForm(StyledForm):
    reason = forms.CharField(
        label=_("撤回理由（将向社会公开）"), max_length=2000, widget=forms.Textarea({"rows": 3})
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("请写明撤回理由。"))
        return reason


class SupersedeForm(StyledForm):
    successor = forms.ModelChoiceField(label=_("替代记录"), queryset=PublicRecord.objects.none())

    def __init__(self, *args, record=None, **kwargs):
        super().__init__(*args, **kwargs)
        if record is not None:
            self.fields["successor"].queryset = (
                PublicRecord.objects.filter(
                    agency_id=record.agency_id, state=PublicRecord.State.PUBLISHED
                )
                .exclude(pk=record.pk)
                .order_by("-published_on", "-pk")
            )
        self.fields["successor"].label_from_instance = lambda r: (
            f"{r.index_number} {r.title}".strip()
        )
