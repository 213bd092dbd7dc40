from django import forms
from django.utils.translation import gettext_lazy as _


class ApiKeyCreateForm(forms.Form):
    name = forms.CharField(label=_("密钥名称"), max_length=50, help_text=_("例如：理赔系统对接"))


class OrganisationUserCreateForm(forms.Form):
    """A new operator of the admin's organisation; the service checks the rules and makes the password."""

    username = forms.CharField(label=_("用户名"), max_length=150, help_text=_("登录时使用，创建后不能修改。"))
    first_name = forms.CharField(label=_("姓名"), max_length=150, required=False)
    email = forms.EmailField(label=_("电子邮箱"), required=False)
    phone = forms.CharField(label=_("手机号"), max_length=20, required=False)
    is_org_admin = forms.BooleanField(
        label=_("机构管理员"), required=False, help_text=_("可管理本机构的用户和 API 密钥。")
    )


class OtpCodeForm(forms.Form):
    """A code from the authenticator app, or one of the backup codes."""

    code = forms.CharField(
        label=_("验证码"),
        max_length=16,
        help_text=_("手机验证器上的六位数字，或一个备用码。"),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )


class PasswordConfirmForm(forms.Form):
    password = forms.CharField(
        label=_("当前密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
