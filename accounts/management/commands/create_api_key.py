"""`manage.py create_api_key --org <credit code or name> --name <label>`: issue an API key."""

from django.core.management.base import CommandError

from accounts.selectors import organisation_by_code_or_name
from accounts.services import api_key_create
from core.management.base import ServiceCommand


class Command(ServiceCommand):
    help = "为机构签发 API 密钥。密钥只显示这一次，系统只保存其摘要。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--org", required=True, help="机构的统一社会信用代码（大小写、空格、全角均可）或全称"
        )
        parser.add_argument("--name", required=True, help="密钥名称，如“承保系统对接”（同一机构内不可重复）")

    def handle(self, *args, **options):
        organisation = organisation_by_code_or_name(credit_code=options["org"], name=options["org"])
        if organisation is None:
            raise CommandError(f"未找到机构“{options['org']}”：请填写统一社会信用代码或机构全称。")
        if not organisation.is_active:
            raise CommandError(f"机构“{organisation.name}”已停用，不能签发 API 密钥。")
        api_key, key = api_key_create(organisation=organisation, name=options["name"])
        self.stdout.write(
            f"已为 {organisation.name}（{organisation.credit_code}）签发 API 密钥“{api_key.name}”："
        )
        self.stdout.write(key)
        self.stdout.write(self.style.WARNING("请立即妥善保存：系统不保存密钥明文，此后无法再次显示。"))
        self.stdout.write("调用 API 时使用请求头：Authorization: Api-Key <密钥>")
