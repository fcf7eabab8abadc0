"""Forms of the staff pages; each maps to one service call."""

from django import forms
from django.utils.translation import gettext_lazy as _

from fazhi.core.forms import StyledForm
from fazhi.rules.models import CollectiveDecision, DocumentKind, LegalityReview, PublicComment

DATE = {"type": "date"}


class DocumentCreateForm(StyledForm):
    # Only the departments where the user drafts (clerk or head); preselected when just one.
    department = forms.ModelChoiceField(label=_("起草科室"), queryset=None, empty_label=None)
    title = forms.CharField(label=_("标题"), max_length=200)
    kind = forms.ChoiceField(label=_("类型"), choices=DocumentKind.choices)
    legal_basis = forms.CharField(
        label=_("制定依据"), widget=forms.Textarea({"rows": 2}), required=False
    )
    drafting_note = forms.CharField(
        label=_("起草说明"), widget=forms.Textarea({"rows": 3}), required=False
    )
    market_related = forms.BooleanField(label=_("涉及市场主体生产经营"), required=False)
    major_rights = forms.BooleanField(
        label=_("涉及公民权利义务或切身利益"), required=False, initial=True
    )
    text = forms.CharField(label=_("正文"), widget=forms.Textarea({"rows": 12}))

    def __init__(self, *args, departments=(), **kwargs):
        from fazhi.core.models import Department

        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(
            pk__in=[d.pk for d in departments]
        ).select_related("agency")


class VersionForm(StyledForm):
    text = forms.CharField(label=_("正文"), widget=forms.Textarea({"rows": 12}))
    note = forms.CharField(label=_("修改说明"), max_length=200, required=False)


class ConsultationForm(StyledForm):
    opens_on = forms.DateField(label=_("开始日期"), widget=forms.DateInput(DATE, format="%Y-%m-%d"))
    closes_on = forms.DateField(
        label=_("截止日期"), widget=forms.DateInput(DATE, format="%Y-%m-%d")
    )


class ExemptionForm(StyledForm):
    ground = forms.CharField(label=_("不征求意见的法定理由"), widget=forms.Textarea({"rows": 2}))


class ResponseForm(StyledForm):
    response = forms.ChoiceField(label=_("采纳情况"), choices=PublicComment.Response.choices)
    reason = forms.CharField(label=_("理由"), required=False, max_length=500)


class ReportForm(StyledForm):
    report = forms.CharField(label=_("意见采纳情况说明"), widget=forms.Textarea({"rows": 6}))


class ReviewForm(StyledForm):
    authority = forms.BooleanField(label=_("制定主体合法"), required=False)
    competence = forms.BooleanField(label=_("未超越法定权限"), required=False)
    procedure = forms.BooleanField(label=_("制定程序合法"), required=False)
    content = forms.BooleanField(label=_("内容合法"), required=False)
    form = forms.BooleanField(label=_("形式规范"), required=False)
    opinion = forms.ChoiceField(label=_("审核意见"), choices=LegalityReview.Opinion.choices)
    report = forms.CharField(label=_("审核报告"), widget=forms.Textarea({"rows": 4}))
    adviser_opinion = forms.CharField(
        label=_("法律顾问意见"), required=False, widget=forms.Textarea({"rows": 2})
    )


class DecisionForm(StyledForm):
    meeting = forms.ChoiceField(label=_("会议"), choices=CollectiveDecision.Meeting.choices)
    meeting_date = forms.DateField(
        label=_("会议日期"), widget=forms.DateInput(DATE, format="%Y-%m-%d")
    )
    attendees = forms.CharField(label=_("出席人员"), max_length=500)
    adopted = forms.BooleanField(label=_("审议通过"), required=False, initial=True)
    decision = forms.CharField(label=_("决定内容"), widget=forms.Textarea({"rows": 3}))


class IssueForm(StyledForm):
    published_on = forms.DateField(
        label=_("公布日期"), widget=forms.DateInput(DATE, format="%Y-%m-%d")
    )
    effective_on = forms.DateField(
        label=_("施行日期"), widget=forms.DateInput(DATE, format="%Y-%m-%d")
    )
    valid_until = forms.DateField(
        label=_("有效期至"), widget=forms.DateInput(DATE, format="%Y-%m-%d")
    )
    interpretation = forms.CharField(label=_("政策解读"), widget=forms.Textarea({"rows": 4}))
    validity_reason = forms.CharField(
        label=_("有效期超过上限的理由"), required=False, widget=forms.Textarea({"rows": 2})
    )


class CommentForm(StyledForm):
    """A citizen's comment. Name and phone are required but never shown publicly."""

    article = forms.IntegerField(
        label=_("针对条款（可不填）"), required=False, min_value=1, max_value=999
    )
    text = forms.CharField(label=_("意见内容"), max_length=5000, widget=forms.Textarea({"rows": 5}))
    name = forms.CharField(label=_("姓名"), max_length=50)
    phone = forms.CharField(label=_("手机号码"), max_length=20)
    # One-time token: a double submit makes one comment.
    token = forms.RegexField(regex=r"^[0-9a-f]{32}$", widget=forms.HiddenInput)
