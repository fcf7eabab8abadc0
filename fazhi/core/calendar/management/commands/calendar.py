from django.core.management.base import BaseCommand, CommandError

from fazhi.core.calendar import selectors, services
from fazhi.core.errors import DomainError


class Command(BaseCommand):
    help = "工作日历：import 从 chinesecalendar 导入并确认年度安排；show 显示某年的调整日。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        importing = sub.add_parser(
            "import", help="导入 chinesecalendar 已知年份的放假安排并标记为已确认（可重复执行）。"
        )
        importing.add_argument(
            "--years",
            default="",
            help="年份，如 2026、2025,2026 或 2004-2026（默认：软件包已知的全部年份）。",
        )
        showing = sub.add_parser("show", help="显示某年的状态、工作日数和全部调整日。")
        showing.add_argument("year", type=int)

    def handle(self, *args, **options):
        try:
            if options["action"] == "import":
                self._import(options["years"])
            else:
                self._show(options["year"])
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc

    def _import(self, years_text: str) -> None:
        years = services.parse_years(years_text) if years_text.strip() else None
        report = services.calendar_import(years=years, actor_name="fazhi calendar import")
        if report.imported:
            first, last, count = report.imported[0], report.imported[-1], len(report.imported)
            self.stdout.write(
                f"已导入 {first}–{last} 年（{count} 年）："
                f"新增 {report.created} 天，更新 {report.updated} 天，删除 {report.deleted} 天；"
                f"新确认 {len(report.confirmed)} 年。"
            )
        if report.kept_manual:
            self.stdout.write("保留管理员设置的日期：" + "、".join(report.kept_manual))
        if report.unknown:
            self.stdout.write(
                "软件包尚无以下年份的数据，未导入（按周一至周五计算并标为暂定）："
                + "、".join(str(y) for y in report.unknown)
            )

    def _show(self, year: int) -> None:
        services.parse_years(str(year))
        overview = selectors.year_overview(year)
        status = "已确认" if overview.confirmed else "未确认（按周一至周五计算，结果为暂定）"
        self.stdout.write(
            f"{year}年：{status}；周一至周五 {overview.weekdays} 天，"
            f"调整后工作日 {overview.workdays} 天。"
        )
        for day in overview.days:
            kind = "上班" if day.is_workday else "休息"
            self.stdout.write(
                f"{day.date.isoformat()} {kind} {day.name}（{day.get_source_display()}）"
            )
