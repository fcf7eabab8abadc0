from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_datetime

from fazhi.core.notify.sweeps import registered_sweeps, run_sweeps


class Command(BaseCommand):
    help = "运行全部定期任务（到期提醒、逾期督办、补发未送达的通知）。可重复运行，不会重复发送。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--job",
            action="append",
            dest="jobs",
            metavar="NAME",
            help="只运行指定的任务（可多次给出）。",
        )
        parser.add_argument(
            "--now",
            help="以此时刻（ISO 8601，含时区）为当前时间运行，用于补跑。",
        )

    def handle(self, *args, **options):
        jobs = options["jobs"]
        unknown = sorted(set(jobs or ()) - set(registered_sweeps()))
        if unknown:
            raise CommandError(f"未知的定期任务：{'、'.join(unknown)}")
        now = None
        if options["now"]:
            now = parse_datetime(options["now"])
            if now is None or now.tzinfo is None:
                raise CommandError("--now 须为含时区的 ISO 8601 时间，例如 2026-11-26T08:00+08:00")
        report = run_sweeps(now=now, only=jobs)
        for name, count in report.counts.items():
            self.stdout.write(f"{name}: {count}")
        if not report.ok:
            details = "；".join(
                f"{name}（{'；'.join(items)}）" for name, items in report.failures.items()
            )
            raise CommandError(f"部分定期任务出错，已记录日志：{details}")
        self.stdout.write(f"完成：共 {report.total} 条。")
