from django import forms
from django.utils.translation import gettext_lazy as _


class ApiKeyCreateForm(forms.Form):
    name = forms.CharField(label=_("密钥名称"), max_length=50, help_text=_("例如：理赔系统对接"))
