"""`manage.py create_user --org <credit code or name> --username U`: add an operator."""

import getpass
import sys

from django.core.management.base import CommandError
from django.db import transaction

from accounts.selectors import organisation_by_code_or_name
from accounts.services import user_create
from core.management.base import ServiceCommand


class Command(ServiceCommand):
    help = (
        "为机构添加操作员账号。未给 --password 时：在终端中交互输入两次；非交互运行时自动生成密码并显示一次。"
    )
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument(
            "--org", required=True, help="机构的统一社会信用代码（大小写、空格、全角均可）或全称"
        )
        parser.add_argument("--username", required=True, help="登录用户名")
        parser.add_argument("--password", help="登录密码（须符合密码规则；省略时见上）")
        parser.add_argument("--email", default="", help="电子邮箱")
        parser.add_argument("--name", default="", help="姓名")
        parser.add_argument(
            "--org-admin", action="store_true", help="设为机构管理员（可管理本机构的 API 密钥）"
        )

    def handle(self, *args, **options):
        stdin = options.get("stdin", sys.stdin)
        organisation = organisation_by_code_or_name(credit_code=options["org"], name=options["org"])
        if organisation is None:
            raise CommandError(f"未找到机构“{options['org']}”：请填写统一社会信用代码或机构全称。")
        password = options["password"]
        generated = password is None
        if generated and hasattr(stdin, "isatty") and stdin.isatty():
            password = getpass.getpass("密码：")
            if password != getpass.getpass("再次输入密码："):
                raise CommandError("两次输入的密码不一致。")
            generated = False

        with transaction.atomic():
            user, password = user_create(
                organisation=organisation,
                username=options["username"],
                password=password,
                email=options["email"].strip(),
                first_name=options["name"],
                is_org_admin=options["org_admin"],
            )

        role = "机构管理员" if user.is_org_admin else "操作员"
        self.stdout.write(
            self.style.SUCCESS(
                f"已创建用户 {user.username}：{organisation.name}（{organisation.get_kind_display()}）{role}。"
            )
        )
        if generated:
            self.stdout.write(f"初始密码（只显示这一次，请转交本人并提醒登录后修改）：{password}")
