from django import forms
from django.utils.translation import gettext_lazy as _

from fazhi.core.forms import StyledForm
from fazhi.core.models import Committee, Department
from fazhi.core.roles import Role


class LoginForm(StyledForm):
    username = forms.CharField(label=_("用户名"), max_length=150)
    password = forms.CharField(
        label=_("密码"), max_length=128, strip=False, widget=forms.PasswordInput
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autofocus": True})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


class OtpForm(StyledForm):
    token = forms.CharField(
        label=_("动态口令"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]{6}"}
        ),
    )


class PasswordChangeForm(StyledForm):
    old_password = forms.CharField(
        label=_("原密码"),
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password = forms.CharField(
        label=_("新密码"),
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password_again = forms.CharField(
        label=_("再次输入新密码"),
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("new_password") != data.get("new_password_again"):
            self.add_error("new_password_again", _("两次输入的新密码不一致。"))
        return data


class UserCreateForm(StyledForm):
    username = forms.RegexField(
        label=_("用户名"),
        regex=r"^[A-Za-z0-9_.-]{3,50}$",
        error_messages={"invalid": _("用户名只能包含字母、数字、下划线、点和连字符，3 至 50 位。")},
    )
    display_name = forms.CharField(label=_("姓名"), max_length=50)
    email = forms.EmailField(label=_("电子邮箱"), required=False)


class ReasonForm(StyledForm):
    reason = forms.CharField(label=_("原因"), max_length=200)


class GrantForm(StyledForm):
    username = forms.CharField(label=_("用户名"), max_length=150)
    role = forms.ChoiceField(label=_("角色"), choices=Role.choices)
    department = forms.ModelChoiceField(
        label=_("科室"), queryset=Department.objects.none(), required=False
    )
    committee = forms.ModelChoiceField(
        label=_("居委会/村委会"),
        queryset=Committee.objects.none(),
        required=False,
        help_text=_("仅“居村委工作人员”角色需要选择。"),
    )

    def __init__(self, *args, agency=None, **kwargs):
        super().__init__(*args, **kwargs)
        if agency is not None:
            self.fields["department"].queryset = Department.objects.filter(agency=agency)
            self.fields["committee"].queryset = Committee.objects.filter(
                agency=agency
            ).select_related("subdistrict")
