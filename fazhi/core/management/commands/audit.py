from django.core.management.base import BaseCommand, CommandError

from fazhi.core.audit import verify_chain


class Command(BaseCommand):
    help = "审计日志工具：verify 校验整条哈希链。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="重新计算哈希链，指出第一条被篡改的事件。")

    def handle(self, *args, **options):
        if options["action"] == "verify":
            result = verify_chain()
            if not result.ok:
                raise CommandError(
                    f"审计链断裂：事件 #{result.broken_seq}（{result.reason}），"
                    f"此前 {result.checked} 条完好。"
                )
            self.stdout.write(f"审计链完好：共 {result.checked} 条事件。")
