"""The portal's forms: the application (OGI Art. 29) and the applicant's status check.

The application form only carries the input to `services.request_submit`, which is the one place
the rules live: its InvalidInput is placed on the field it concerns (`place_error`), so the
citizen reads the service's own Chinese message next to what they typed. Fields the service
checks are therefore not required here (Django's generic "required" text would say less).
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fazhi.core.errors import DomainError
from fazhi.core.forms import StyledForm
from fazhi.core.models import Agency
from fazhi.disclosure.choices import (
    ORGANISATION_KINDS,
    ApplicantKind,
    DeliveryMethod,
    IdDocument,
    InfoForm,
)
from fazhi.disclosure.services import Applicant

PERSON = "person"
ORGANISATION = "organisation"
# A person proves identity with one of these; an organisation always with its credit code.
PERSON_DOCUMENTS = (IdDocument.RESIDENT_ID, IdDocument.OTHER)
STALE_FORM = _("表单已失效，请刷新页面后重新提交。")

# The service's error codes by the form field they concern; the first matching prefix wins, so
# `other_id_type` comes before `other_id`.
ERROR_FIELDS: tuple[tuple[str, str], ...] = (
    ("applicant_kind", "applicant_kind"),
    ("applicant_name", "name"),
    ("contact_person", "contact_person"),
    ("id_document", "id_document"),
    ("other_id_type", "other_id_type"),
    ("resident_id", "id_number"),
    ("credit_code", "id_number"),
    ("other_id", "id_number"),
    ("phone", "phone"),
    ("mobile", "phone"),
    ("email", "email"),
    ("address", "address"),
    ("postal_code", "postal_code"),
    ("description", "description"),
    ("info_reference", "info_reference"),
    ("info_form", "info_form"),
    ("delivery", "delivery"),
)


def _with_blank(choices) -> list[tuple[str, str]]:
    return [("", _("请选择")), *choices]


class ApplicationForm(StyledForm):
    """An application as a natural person or as a legal person / other organisation.

    `applicant` decides which fields the page shows: a person proves identity with a resident
    ID or another document, an organisation with its unified social credit code and names a
    contact person.
    """

    agency = forms.ModelChoiceField(
        label=_("受理机关"),
        queryset=Agency.objects.none(),
        empty_label=_("请选择"),
        error_messages={
            "required": _("请选择受理机关。"),
            "invalid_choice": _("请选择受理机关。"),
        },
    )
    applicant_kind = forms.ChoiceField(
        label=_("申请人类型"),
        required=False,
        choices=_with_blank([(k.value, k.label) for k in ApplicantKind if k in ORGANISATION_KINDS]),
    )
    name = forms.CharField(label=_("申请人姓名"), required=False, max_length=200)
    contact_person = forms.CharField(label=_("联系人"), required=False, max_length=100)
    id_document = forms.ChoiceField(
        label=_("身份证明"),
        required=False,
        choices=_with_blank([(d.value, d.label) for d in PERSON_DOCUMENTS]),
    )
    other_id_type = forms.CharField(
        label=_("证件名称"),
        required=False,
        max_length=60,
        help_text=_("选择其他身份证件时填写，如护照、港澳居民来往内地通行证。"),
    )
    id_number = forms.CharField(
        label=_("证件号码"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    phone = forms.CharField(
        label=_("联系电话"),
        required=False,
        max_length=30,
        help_text=_("查询办理进度时需要输入此号码。"),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    email = forms.CharField(label=_("电子邮箱（可不填）"), required=False, max_length=254)
    address = forms.CharField(label=_("通信地址"), required=False, max_length=400)
    postal_code = forms.CharField(label=_("邮政编码（可不填）"), required=False, max_length=12)
    description = forms.CharField(
        label=_("所需信息的内容描述"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("请尽量写明信息的内容、时间和范围，便于准确查找。"),
    )
    info_reference = forms.CharField(
        label=_("文件名称、文号等特征（可不填）"), required=False, max_length=400
    )
    info_form = forms.ChoiceField(
        label=_("信息的提供形式"), required=False, choices=_with_blank(InfoForm.choices)
    )
    delivery = forms.ChoiceField(
        label=_("获取信息的方式"), required=False, choices=_with_blank(DeliveryMethod.choices)
    )
    # One-time token: a double submit makes one request (services.request_submit).
    token = forms.RegexField(
        regex=r"^[0-9a-f]{32}$",
        widget=forms.HiddenInput,
        error_messages={"required": STALE_FORM, "invalid": STALE_FORM},
    )

    PERSON_ONLY = ("id_document", "other_id_type")
    ORGANISATION_ONLY = ("applicant_kind", "contact_person")

    def __init__(self, *args, applicant: str = PERSON, **kwargs):
        super().__init__(*args, **kwargs)
        self.applicant = ORGANISATION if applicant == ORGANISATION else PERSON
        self.fields["agency"].queryset = Agency.objects.filter(is_active=True)
        hidden = self.ORGANISATION_ONLY if self.applicant == PERSON else self.PERSON_ONLY
        for name in hidden:
            del self.fields[name]
        if self.applicant == ORGANISATION:
            self.fields["name"].label = _("法人或其他组织名称")
            self.fields["id_number"].label = _("统一社会信用代码")
        else:
            self.fields["address"].help_text = _("选择邮寄获取的，须填写通信地址。")

    def applicant_data(self) -> Applicant:
        data = self.cleaned_data
        organisation = self.applicant == ORGANISATION
        return Applicant(
            kind=data["applicant_kind"] if organisation else ApplicantKind.NATURAL_PERSON,
            name=data["name"],
            id_document=IdDocument.CREDIT_CODE if organisation else data["id_document"],
            id_number=data["id_number"],
            phone=data["phone"],
            other_id_type="" if organisation else data["other_id_type"],
            contact_person=data["contact_person"] if organisation else "",
            email=data["email"],
            address=data["address"],
            postal_code=data["postal_code"],
        )

    def place_error(self, exc: DomainError) -> None:
        """Show the service's refusal on the field it concerns, else above the form."""
        code = exc.code or ""
        for prefix, field in ERROR_FIELDS:
            if code.startswith(prefix) and field in self.fields:
                self.add_error(field, str(exc.message))
                return
        self.add_error(None, str(exc.message))


class StatusForm(StyledForm):
    """The applicant's status check: the tracking number and the phone given in the application."""

    tracking_number = forms.CharField(
        label=_("申请编号"),
        max_length=60,
        error_messages={"required": _("请填写申请编号。")},
        help_text=_("提交申请后页面显示的编号，如 示民依申〔2026〕15号。"),
    )
    phone = forms.CharField(
        label=_("联系电话"),
        max_length=30,
        error_messages={"required": _("请填写申请时留下的联系电话。")},
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )


class VerifiedForm(forms.Form):
    """The tracking number and phone the applicant just verified, sent again with a follow-up
    (the supplement, the letter download) so the service can check them once more."""

    tracking_number = forms.CharField(max_length=60, widget=forms.HiddenInput)
    phone = forms.CharField(max_length=30, widget=forms.HiddenInput)


class SupplementForm(VerifiedForm, StyledForm):
    """The applicant's 补正 (supplement) sent on the status page."""

    supplement = forms.CharField(
        label=_("补正内容"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("请填写补正内容。")},
        help_text=_("请按补正告知书列明的事项逐项补充说明。"),
    )
    # One-time token: sending the same page twice records one supplement.
    token = forms.RegexField(
        regex=r"^[0-9a-f]{32}$",
        widget=forms.HiddenInput,
        error_messages={"required": STALE_FORM, "invalid": STALE_FORM},
    )
