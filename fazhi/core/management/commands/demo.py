from django.conf import settings
from django.core.management.base import BaseCommand

from fazhi.core.demo import DEMO_USERS, build_demo


class Command(BaseCommand):
    help = "创建演示机关“示例区民政局”及每个角色的演示用户（可重复执行）。"

    def add_arguments(self, parser):
        parser.add_argument("--quiet-accounts", action="store_true", help="不打印演示账号。")

    def handle(self, *args, **options):
        password = settings.FAZHI_DEMO_PASSWORD
        agency, created = build_demo(password=password)
        self.stdout.write(f"演示机关：{agency.name}（新建用户 {len(created)} 个）")
        from fazhi.rules.demo import build_rules_demo  # a year of normative documents

        documents = build_rules_demo(agency)
        self.stdout.write(f"行政规范性文件：新建演示文件 {len(documents)} 件")
        from fazhi.disclosure.demo import build_disclosure_demo  # a year of disclosure requests

        requests = build_disclosure_demo(agency)
        self.stdout.write(f"政府信息公开申请：新建演示申请 {len(requests)} 件")
        from fazhi.oversight.demo import build_oversight_demo  # a year of oversight

        oversight = build_oversight_demo(agency)
        self.stdout.write(f"监督：新建演示记录 {sum(oversight.values())} 条")
        from fazhi.services.demo import build_services_demo  # power list, guides, a year of work

        built = build_services_demo(agency, history=True)
        self.stdout.write(
            "政务服务：新建权力事项 {powers} 项、办事指南 {guides} 份、"
            "服务中心及受理事项 {centers} 条、预约 {appointments} 个、办件 {cases} 件、"
            "评价 {ratings} 条（差评 {bad_reviews} 条）".format(**built)
        )
        if not options["quiet_accounts"]:
            self.stdout.write(f"演示账号（密码均为 {password}）：")
            for spec in DEMO_USERS:
                self.stdout.write(
                    f"  {spec.role.value:<18} {spec.role.label} · {spec.display_name}"
                )
