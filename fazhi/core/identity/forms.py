"""Form fields for protected numbers, and the form that asks for a reason before a reveal."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from fazhi.core.errors import InvalidInput
from fazhi.core.forms import StyledForm
from fazhi.core.identity import conf
from fazhi.core.identity.kinds import Kind, spec
from fazhi.core.identity.protected import Protected


class ProtectedTextInput(forms.TextInput):
    """Never writes a stored number into the page: an edit form shows the mask as placeholder."""

    def __init__(self, attrs=None):
        super().__init__({"autocomplete": "off", "spellcheck": "false", **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, Protected):
            return None
        return super().format_value(value)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        if isinstance(value, Protected):
            context["widget"]["attrs"]["placeholder"] = value.masked
        return context


class IdentifierField(forms.CharField):
    """Validates and normalises one kind of number; `clean()` returns the normalised text.

    Bound to a stored value (an edit form), leaving the input empty keeps the stored number:
    the page never held it, so the user cannot be asked to type it back.
    """

    kind: str = Kind.RESIDENT_ID
    widget = ProtectedTextInput

    def clean(self, value):
        if isinstance(value, Protected):
            return value
        value = self.to_python(value)
        self.validate(value)
        if value in self.empty_values:
            return self.empty_value
        try:
            normalised = spec(self.kind).validate(value)
        except InvalidInput as exc:
            raise ValidationError(exc.message, code=exc.code) from None
        self.run_validators(normalised)
        return normalised

    def _clean_bound_field(self, bf):
        # Django's own FileField keeps its initial value the same way (forms/fields.py).
        if not self.disabled and isinstance(bf.initial, Protected):
            if self.to_python(bf.data) in self.empty_values:
                return bf.initial
        return super()._clean_bound_field(bf)

    def has_changed(self, initial, data):
        if isinstance(initial, Protected):
            text = self.to_python(data)
            return text not in self.empty_values and not initial.matches(text)
        return super().has_changed(initial, data)


class ResidentIdField(IdentifierField):
    kind = Kind.RESIDENT_ID


class CreditCodeField(IdentifierField):
    kind = Kind.CREDIT_CODE


class MobileField(IdentifierField):
    kind = Kind.MOBILE


class PhoneField(IdentifierField):
    kind = Kind.PHONE


class OtherIdField(IdentifierField):
    kind = Kind.OTHER_ID


FORM_FIELDS: dict[str, type[IdentifierField]] = {
    Kind.RESIDENT_ID: ResidentIdField,
    Kind.CREDIT_CODE: CreditCodeField,
    Kind.MOBILE: MobileField,
    Kind.PHONE: PhoneField,
    Kind.OTHER_ID: OtherIdField,
}


class RevealForm(StyledForm):
    """The reason a staff member gives before a full number is shown (goes to the audit log)."""

    reason = forms.CharField(
        label=_("查看理由"),
        help_text=_("查看完整号码将记入审计日志，请写明用途，例如“窗口核验申请人身份”。"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("查看完整号码必须填写理由。")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = conf.reveal_reason_max_length()
        field = self.fields["reason"]
        field.max_length = limit
        field.validators.append(MaxLengthValidator(limit))
        field.widget.attrs["maxlength"] = str(limit)
