"""Staff forms of disclosure requests: the worklist filter, registration, one form per step.

The forms only carry input to the services, which hold the rules (dates in the future, periods,
"once" rules, the parts of a partial disclosure); a field is required here only where the
service cannot default it. Dates left empty mean "today" to the services.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fazhi.core.forms import StyledForm
from fazhi.disclosure.choices import (
    SELF_SERVICE_CHANNELS,
    ApplicantKind,
    Channel,
    ConsultationAnswer,
    ConsultationKind,
    DeliveryMethod,
    FeeBasis,
    IdDocument,
    InfoForm,
    NoticeDocument,
)
from fazhi.disclosure.forms.public import ERROR_FIELDS
from fazhi.disclosure.models import DisclosureChallenge, DisclosureRequest
from fazhi.disclosure.outcomes import GROUPS, LAPSE_OUTCOMES, PART_REASONS, Outcome, grouped_choices
from fazhi.disclosure.services import Applicant, Part
from fazhi.disclosure.services.challenges import DECIDED


def _blank(choices) -> list:
    return [("", _("请选择")), *choices]


def _date(label, *, required: bool = False, help_text=None) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text if help_text is not None else ("" if required else _("不填为今天。")),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("请填写%(label)s。") % {"label": label},
            "invalid": _("%(label)s格式不正确。") % {"label": label},
        },
    )


def _text(label, *, rows: int = 3, required: bool = False, max_length: int = 5000):
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"required": _("请填写%(label)s。") % {"label": label}},
    )


# --- The worklist -----------------------------------------------------------------------------


class FilterForm(StyledForm):
    """The worklist's filters; an unknown value is ignored rather than refused."""

    state = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[
            ("", _("全部状态")),
            ("open", _("办理中（全部未办结）")),
            *DisclosureRequest.State.choices,
        ],
    )
    year = forms.IntegerField(label=_("收到年度"), required=False, min_value=2019, max_value=2100)
    applicant_kind = forms.ChoiceField(
        label=_("申请人类型"),
        required=False,
        choices=[("", _("全部申请人")), *ApplicantKind.choices],
    )
    outcome = forms.ChoiceField(
        label=_("办理结果"), required=False, choices=[("", _("全部结果")), *grouped_choices()]
    )
    q = forms.CharField(label=_("申请编号"), required=False, max_length=60)

    def values(self) -> dict:
        if not self.is_valid():
            return {
                name: self.cleaned_data.get(name)
                for name in self.fields
                if name not in self.errors and self.cleaned_data.get(name)
            }
        return {k: v for k, v in self.cleaned_data.items() if v not in ("", None)}


# --- Registration of letters, visits, faxes ---------------------------------------------------

CHANNEL_MESSAGE = _("请选择来件方式：信函、当面、口头、电子邮件或传真。")
STAFF_CHANNELS = [(c.value, c.label) for c in Channel if c not in SELF_SERVICE_CHANNELS]


class RegisterForm(StyledForm):
    """An application received by letter, in person, orally, by e-mail or fax (Art. 29–31)."""

    channel = forms.ChoiceField(
        label=_("申请方式"),
        required=False,
        choices=_blank(STAFF_CHANNELS),
        error_messages={"invalid_choice": CHANNEL_MESSAGE},
    )
    arrived_on = _date(
        _("提交或送达日期"),
        required=True,
        help_text=_("当面、口头为提交之日；邮寄为签收之日；平常信函、电子邮件、传真为到达之日。"),
    )
    confirmed_on = _date(
        _("与申请人确认日期"),
        help_text=_("平常信函、电子邮件、传真以双方确认之日为收到申请之日；其他方式可不填。"),
    )
    channel_note = forms.CharField(label=_("来件说明（可不填）"), required=False, max_length=400)
    applicant_kind = forms.ChoiceField(
        label=_("申请人类型"), required=False, choices=_blank(ApplicantKind.choices)
    )
    name = forms.CharField(label=_("申请人姓名或名称"), required=False, max_length=200)
    contact_person = forms.CharField(
        label=_("联系人（法人或其他组织填写）"), required=False, max_length=100
    )
    id_document = forms.ChoiceField(
        label=_("身份证明"), required=False, choices=_blank(IdDocument.choices)
    )
    other_id_type = forms.CharField(label=_("证件名称"), required=False, max_length=60)
    id_number = forms.CharField(
        label=_("证件号码"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    phone = forms.CharField(label=_("联系电话"), required=False, max_length=30)
    email = forms.CharField(label=_("电子邮箱（可不填）"), required=False, max_length=254)
    address = forms.CharField(label=_("通信地址"), required=False, max_length=400)
    postal_code = forms.CharField(label=_("邮政编码（可不填）"), required=False, max_length=12)
    description = _text(_("所需信息的内容描述"), rows=4, max_length=10000)
    info_reference = forms.CharField(
        label=_("文件名称、文号等特征（可不填）"), required=False, max_length=400
    )
    info_form = forms.ChoiceField(
        label=_("信息的提供形式"), required=False, choices=_blank(InfoForm.choices)
    )
    delivery = forms.ChoiceField(
        label=_("获取信息的方式"), required=False, choices=_blank(DeliveryMethod.choices)
    )

    def applicant_data(self) -> Applicant:
        data = self.cleaned_data
        return Applicant(
            kind=data["applicant_kind"],
            name=data["name"],
            id_document=data["id_document"],
            id_number=data["id_number"],
            phone=data["phone"],
            other_id_type=data["other_id_type"],
            contact_person=data["contact_person"],
            email=data["email"],
            address=data["address"],
            postal_code=data["postal_code"],
        )

    def place_error(self, exc) -> None:
        """The service's refusal on the field it concerns, else above the form."""
        code = exc.code or ""
        for prefix, field in (
            ("channel", "channel"),
            ("date", "arrived_on"),
            ("confirmed", "confirmed_on"),
            *ERROR_FIELDS,
        ):
            if code.startswith(prefix) and field in self.fields:
                self.add_error(field, str(exc.message))
                return
        self.add_error(None, str(exc.message))


# --- The steps --------------------------------------------------------------------------------


class SupplementRequestForm(StyledForm):
    items = _text(_("需要补正的事项"), rows=3, required=True, max_length=2000)
    notice_on = _date(_("补正告知日期"))
    period_workdays = forms.IntegerField(
        label=_("补正期限（工作日）"),
        required=False,
        min_value=1,
        max_value=60,
        help_text=_("不填按本机关设置的期限。"),
    )


class SupplementReceivedForm(StyledForm):
    supplement = _text(_("补正内容"), rows=3, required=True)
    supplemented_on = _date(_("收到补正材料日期"))
    late_reason = _text(_("逾期补正的正当理由（逾期时填写）"), rows=2, max_length=2000)


class ConsultationOpenForm(StyledForm):
    kind = forms.ChoiceField(label=_("类型"), choices=_blank(ConsultationKind.choices))
    party = forms.CharField(label=_("征求对象"), max_length=100)
    subject = _text(_("征求意见事项"), rows=2, required=True, max_length=2000)
    sent_on = _date(_("发出日期"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].error_messages["required"] = _("请选择征求意见的类型。")
        self.fields["party"].error_messages["required"] = _("请填写征求对象。")


class ConsultationAnswerForm(StyledForm):
    consultation = forms.TypedChoiceField(label=_("征求意见"), coerce=int, choices=())
    answer = forms.ChoiceField(label=_("意见"), choices=_blank(ConsultationAnswer.choices))
    text = _text(_("意见内容（不同意公开的须填写理由）"), rows=2)
    answered_on = _date(_("答复日期"))

    def __init__(self, *args, consultations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consultation"].choices = [
            (c.pk, f"{c.party}（{c.get_kind_display()}）") for c in consultations
        ]


class ExtensionForm(StyledForm):
    days = forms.IntegerField(
        label=_("延长工作日"),
        min_value=1,
        error_messages={"required": _("请填写延长的工作日数。")},
    )
    reason = _text(_("延期理由"), rows=2, required=True, max_length=2000)
    approved_on = _date(_("批准日期"))
    notified_on = _date(_("告知申请人日期"), help_text=_("不填为批准日期。"))


class FeeNoticeForm(StyledForm):
    basis = forms.ChoiceField(label=_("计收方式"), choices=_blank(FeeBasis.choices))
    quantity = forms.IntegerField(
        label=_("件数或页数"),
        min_value=1,
        max_value=100000,
        error_messages={"required": _("请填写件数或页数。")},
    )
    notice_on = _date(_("通知日期"))


class FeePaidForm(StyledForm):
    paid_on = _date(_("缴费日期"))
    receipt_number = forms.CharField(label=_("票据号（可不填）"), required=False, max_length=60)


class OutcomeSelect(forms.Select):
    """The 21 result rows under their headings; the two that only a lapse reaches are shown but
    cannot be chosen (the service refuses them too)."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if value in LAPSE_OUTCOMES:
            option["attrs"]["disabled"] = True
        return option


class ReplyForm(StyledForm):
    outcome = forms.ChoiceField(
        label=_("办理结果"),
        choices=[("", _("请选择")), *grouped_choices()],
        widget=OutcomeSelect,
        error_messages={"required": _("请选择办理结果。"), "invalid_choice": _("请选择办理结果。")},
    )
    text = _text(_("答复内容"), rows=5, required=True, max_length=20000)
    referral = forms.CharField(
        label=_("负责公开的机关及联系方式（可不填）"),
        required=False,
        max_length=200,
        help_text=_("信息由其他机关负责公开的，写明该机关名称和联系方式。"),
    )
    replied_on = _date(_("答复日期"))


PART_REASON_CHOICES = [
    (group.label, [(o, Outcome(o).label) for o in group.outcomes if o in PART_REASONS])
    for group in GROUPS
    if any(o in PART_REASONS for o in group.outcomes)
]


class PartForm(forms.Form):
    """One part of a partial disclosure (Art. 37)."""

    description = forms.CharField(
        label=_("信息内容"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    disclosed = forms.TypedChoiceField(
        label=_("是否公开"),
        required=False,
        coerce=lambda value: value == "yes",
        choices=[("yes", _("予以公开")), ("no", _("不予公开"))],
        empty_value=True,
    )
    reason = forms.ChoiceField(
        label=_("不予公开的理由类别"), required=False, choices=_blank(PART_REASON_CHOICES)
    )
    explanation = forms.CharField(
        label=_("理由说明"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def part(self) -> Part | None:
        """The part, or None for a row left empty."""
        data = self.cleaned_data
        if not data.get("description", "").strip() and not data.get("explanation", "").strip():
            return None
        return Part(
            description=data["description"],
            disclosed=bool(data["disclosed"]),
            reason="" if data["disclosed"] else data["reason"],
            explanation="" if data["disclosed"] else data["explanation"],
        )


PART_ROWS = 4
PartFormSet = forms.formset_factory(PartForm, extra=PART_ROWS, max_num=50, absolute_max=50)


def parts_of(formset) -> list[Part]:
    return [part for form in formset.forms if (part := form.part()) is not None]


class DeliveryForm(StyledForm):
    document = forms.ChoiceField(label=_("文书"), choices=_blank(NoticeDocument.choices))
    method = forms.ChoiceField(label=_("送达方式"), choices=_blank(DeliveryMethod.choices))
    sent_on = _date(_("发出日期"))
    delivered_on = _date(_("送达日期"), help_text=_("已知送达日期的填写，也可以收到回执后再登记。"))
    reference = forms.CharField(label=_("邮件单号等（可不填）"), required=False, max_length=100)
    note = forms.CharField(label=_("说明（可不填）"), required=False, max_length=200)


class DeliveryConfirmForm(StyledForm):
    delivery = forms.TypedChoiceField(label=_("送达记录"), coerce=int, choices=())
    delivered_on = _date(_("送达日期"), required=True)

    def __init__(self, *args, deliveries=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["delivery"].choices = [
            (d.pk, f"{d.get_document_display()} · {d.get_method_display()} · {d.sent_on:%Y-%m-%d}")
            for d in deliveries
        ]


class ChallengeForm(StyledForm):
    kind = forms.ChoiceField(label=_("类型"), choices=_blank(DisclosureChallenge.Kind.choices))
    subject = forms.CharField(label=_("复议或诉讼事项"), max_length=200)
    filed_on = _date(_("申请复议或起诉日期"), required=True)
    body = forms.CharField(label=_("复议机关或人民法院"), max_length=100)
    note = _text(_("备注（可不填）"), rows=2, max_length=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].error_messages["required"] = _("请选择类型。")
        self.fields["subject"].error_messages["required"] = _("请填写复议或诉讼事项。")
        self.fields["body"].error_messages["required"] = _("请填写复议机关或人民法院。")


class ChallengeDecideForm(StyledForm):
    challenge = forms.TypedChoiceField(label=_("复议或诉讼"), coerce=int, choices=())
    result = forms.ChoiceField(
        label=_("结果"),
        choices=_blank([(r.value, r.label) for r in DECIDED]),
        error_messages={"required": _("请选择结果：维持、纠正或其他。")},
    )
    result_on = _date(_("审结日期"), required=True)
    note = _text(_("备注（可不填）"), rows=2, max_length=2000)

    def __init__(self, *args, challenges=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["challenge"].choices = [
            (c.pk, f"{c.get_kind_display()} · {c.subject}") for c in challenges
        ]
