from django.core.management.base import BaseCommand

from fazhi.disclosure.services import documents_backfill


class Command(BaseCommand):
    help = "政府信息公开工具：sync 将已公布的行政规范性文件补录到主动公开目录（可重复运行）。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("sync", help="补录尚未进入公开目录的已公布规范性文件。")

    def handle(self, *args, **options):
        if options["action"] == "sync":
            count = documents_backfill()
            self.stdout.write(f"已将 {count} 件规范性文件补录到主动公开目录。")
