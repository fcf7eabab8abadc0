from django.core.management.base import BaseCommand, CommandError

from fazhi.accounts.models import User
from fazhi.api.models import ApiToken
from fazhi.api.tokens import token_create, token_revoke


class Command(BaseCommand):
    help = "接口令牌：create 为用户签发（只显示一次），list 列出，revoke 吊销。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="为用户签发令牌。")
        create.add_argument("username")
        create.add_argument("--name", default="", help="用途，例如 一网通办。")
        listing = sub.add_parser("list", help="列出用户的令牌。")
        listing.add_argument("username")
        revoke = sub.add_parser("revoke", help="按前缀吊销令牌。")
        revoke.add_argument("prefix")

    def handle(self, *args, **options):
        action = options["action"]
        if action in {"create", "list"}:
            user = User.objects.filter(username=options["username"]).first()
            if user is None:
                raise CommandError(f"没有用户 {options['username']}。")
        if action == "create":
            if not user.is_active:
                raise CommandError("该账号已停用，不能签发令牌。")
            record, token = token_create(user=user, name=options["name"], actor_name="fazhi token")
            self.stdout.write(token)
            self.stderr.write(
                f"令牌 {record.prefix}… 已签发给 {user.username}；此令牌只显示这一次。"
            )
        elif action == "list":
            for record in ApiToken.objects.filter(user=user).order_by("created_at"):
                status = "已吊销" if record.revoked_at else "有效"
                used = record.last_used_at.isoformat() if record.last_used_at else "从未使用"
                self.stdout.write(f"{record.prefix}  {status}  {record.name}  最近使用：{used}")
        else:
            record = ApiToken.objects.filter(prefix=options["prefix"]).first()
            if record is None:
                raise CommandError("没有该前缀的令牌。")
            token_revoke(record=record, actor_name="fazhi token")
            self.stdout.write(f"令牌 {record.prefix}… 已吊销。")
