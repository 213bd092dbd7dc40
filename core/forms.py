from django import forms
from django.core.validators import FileExtensionValidator
from django.utils.translation import gettext_lazy as _


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("文件"),
        validators=[FileExtensionValidator(["xlsx", "csv"])],
        help_text=_("Excel（.xlsx）或 CSV（UTF-8 或 GB18030）"),
    )
    dry_run = forms.BooleanField(
        label=_("先预检，不写入"), required=False, initial=True, help_text=_("预检通过后可一键确认导入。")
    )
