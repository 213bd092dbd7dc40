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
