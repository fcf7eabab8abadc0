from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from fazhi.core.audit import prune, verify_chain
from fazhi.core.errors import DomainError


class Command(BaseCommand):
    help = "审计日志工具：verify 校验整条哈希链；prune 按保存期限清理过期事件。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="重新计算哈希链，指出第一条被篡改的事件。")
        pruning = sub.add_parser("prune", help="删除超过保存期限的事件，哈希链仍可校验。")
        pruning.add_argument(
            "--days",
            type=int,
            default=None,
            help="保存天数（默认取 FAZHI_AUDIT_RETENTION_DAYS，不得少于 180）。",
        )

    def handle(self, *args, **options):
        if options["action"] == "verify":
            result = verify_chain()
            if not result.ok:
                raise CommandError(
                    f"审计链断裂：事件 #{result.broken_seq}（{result.reason}），"
                    f"此前 {result.checked} 条完好。"
                )
            self.stdout.write(f"审计链完好：共 {result.checked} 条事件。")
        elif options["action"] == "prune":
            days = options["days"] or settings.FAZHI_AUDIT_RETENTION_DAYS
            try:
                count = prune(retention_days=days)
            except DomainError as exc:
                raise CommandError(str(exc.message)) from exc
            self.stdout.write(f"已清理 {count} 条超过 {days} 天的事件。")
