"""Forms of the drafting and review extras on the document page; each maps to one service."""

from django import forms
from django.utils.translation import gettext_lazy as _

from fazhi.core.forms import StyledForm
from fazhi.rules.services.drafting import COMMENT_MAX, COUNTERSIGN_MAX_WORKDAYS, OPINION_MAX


class UploadForm(StyledForm):
    """A Word draft; its text becomes the next version. Prefixed: the page has another note."""

    prefix = "upload"
    file = forms.FileField(
        label=_("Word 文档（.docx）"),
        widget=forms.ClearableFileInput(attrs={"accept": ".docx"}),
        help_text=_("正文从文档中提取（段落和表格），原文件随版本保存。"),
    )
    note = forms.CharField(label=_("本稿说明"), max_length=200, required=False)


class CountersignForm(StyledForm):
    prefix = "countersign"
    departments = forms.ModelMultipleChoiceField(
        label=_("会签科室"), queryset=None, widget=forms.CheckboxSelectMultiple
    )
    workdays = forms.IntegerField(
        label=_("会签期限（工作日）"), min_value=1, max_value=COUNTERSIGN_MAX_WORKDAYS, initial=5
    )
    subject = forms.CharField(label=_("会签事项"), max_length=200, required=False)

    def __init__(self, *args, departments=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departments"].queryset = departments
        # StyledForm styles a multiple-checkbox widget like a text box; these are checkboxes.
        self.fields["departments"].widget.attrs["class"] = "form-check-input"


class OpinionForm(StyledForm):
    agree = forms.TypedChoiceField(
        label=_("会签意见"),
        choices=[("agree", _("同意")), ("disagree", _("不同意"))],
        coerce=lambda value: value == "agree",
    )
    comment = forms.CharField(
        label=_("意见说明"),
        max_length=COMMENT_MAX,
        required=False,
        widget=forms.Textarea({"rows": 2}),
    )


class AdviserRequestForm(StyledForm):
    prefix = "adviser"
    adviser = forms.ModelChoiceField(label=_("法律顾问"), queryset=None)
    question = forms.CharField(
        label=_("征求意见的事项"), max_length=COMMENT_MAX, widget=forms.Textarea({"rows": 3})
    )

    def __init__(self, *args, advisers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["adviser"].queryset = advisers
        self.fields["adviser"].label_from_instance = lambda u: u.display_name or u.username


class AdviserAnswerForm(StyledForm):
    prefix = "answer"
    opinion = forms.CharField(
        label=_("法律顾问意见书"), max_length=OPINION_MAX, widget=forms.Textarea({"rows": 5})
    )
    attachment = forms.FileField(
        label=_("意见附件（PDF 或 DOCX，可不附）"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx"}),
    )
