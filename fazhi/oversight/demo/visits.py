"""Demo data of supervisors, visits and inspections, built through the services.

The demo supervisor account (吴监督) on the roster with four supervisors without accounts (a
deputy, a CPPCC member, two citizens), the five checklist items, a plan for each of the last
twelve months (吴监督 two places, the others one each), about two visits a month filed by
吴监督 with scores (a few with a problem, which opens a finding; one month's remarks turned
into a finding by the legal office), and a third-party contract with the demo inspector over
the four subdistricts, with one submitted special report (DOCX made with core.officialdoc) per
subdistrict per half-year that has ended, each with findings.

Idempotent: every record is looked up first (supervisors by name, items by text, plans by their
unique key, visits by supervisor, day and place, the contract by organisation, inspections by
contract, subdistrict and start day) and skipped when present. Nothing is dated after today;
past days go through the services' date parameters. Scores come from a hash of the day and
place, so a rerun elsewhere tells the same story.
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from fazhi.accounts.models import User
from fazhi.core import officialdoc
from fazhi.core.errors import DomainError
from fazhi.core.models import Department, Subdistrict
from fazhi.oversight.models import (
    Inspection,
    InspectionContract,
    Mode,
    Severity,
    Supervisor,
    Visit,
    VisitChecklistItem,
    VisitPlan,
)
from fazhi.oversight.services import inspections as inspection_services
from fazhi.oversight.services import visits as services

ITEMS = ("服务态度", "办事效率", "窗口环境", "公示公开", "廉洁自律")
OTHERS = (
    ("刘代表", Supervisor.Kind.DEPUTY, "区人大代表、东湖街道某社区党委书记", "13800138001"),
    ("孙委员", Supervisor.Kind.CPPCC, "区政协委员、某律师事务所律师", "13900139002"),
    ("周大姐", Supervisor.Kind.CITIZEN, "西山街道居民", "13700137003"),
    ("马师傅", Supervisor.Kind.CITIZEN, "北塘镇村民代表", "13600136004"),
)
# (place, department, subdistrict or None, mode) the supervisors visit in turn.
PLACES = (
    ("婚姻登记处登记大厅", "婚姻登记处", None, Mode.UNANNOUNCED),
    ("社会救助科受理窗口", "社会救助科", None, Mode.OPEN),
    ("东湖街道社区事务受理服务中心", "社会救助科", "东湖街道", Mode.UNANNOUNCED),
    ("西山街道社区事务受理服务中心", "社会事务科", "西山街道", Mode.OPEN),
    ("南岭镇社区事务受理服务中心", "养老服务科", "南岭镇", Mode.UNANNOUNCED),
    ("社会组织服务大厅", "社会组织管理局", None, Mode.OPEN),
)
PROBLEMS = (
    "窗口工作人员上班时间玩手机，群众等候十余分钟无人接待。",
    "办事指南未及时更新，仍张贴2023年版材料清单。",
    "低保申请材料一次性告知单缺失，群众多次往返。",
    "等候区无饮水设施、无老年人优先窗口标识。",
)
ORGANISATION = "明德社会工作评估中心"
INSPECTION_FINDINGS = (
    (
        "低保年度复核台账不全",
        "抽查低保家庭30户，其中3户缺少年度复核记录。",
        "社会救助科",
        Severity.GENERAL,
    ),
    ("临时救助审批超时限", "2件临时救助申请审批超过规定时限。", "社会救助科", Severity.SERIOUS),
    (
        "特困供养人员照料协议未签订",
        "2名分散供养特困人员未签订照料服务协议。",
        "社会事务科",
        Severity.GENERAL,
    ),
    ("救助政策公示栏信息陈旧", "社区公示栏仍张贴上年度救助标准。", "社会救助科", Severity.MINOR),
)


def _hash(*parts) -> int:
    return int(hashlib.sha256(":".join(map(str, parts)).encode()).hexdigest()[:8], 16)


def _months(today: date) -> list[date]:
    """The first days of the last twelve months, the current one included, oldest first."""
    first = today.replace(day=1)
    months = []
    for back in range(11, -1, -1):
        year, month = first.year, first.month - back
        while month < 1:
            year, month = year - 1, month + 12
        months.append(date(year, month, 1))
    return months


def _roster(agency, officer, today) -> tuple[Supervisor | None, list[Supervisor]]:
    start = _months(today)[0]
    term_end = date(start.year + 3, start.month, 1) - timedelta(days=1)
    account = User.objects.filter(username="supervisor").first()
    found = []
    specs = [("吴监督", Supervisor.Kind.CITIZEN, "特邀监督员、退休教师", "13800138000", account)]
    specs += [(*other, None) for other in OTHERS]
    for name, kind, workplace, phone, user in specs:
        supervisor = Supervisor.objects.filter(agency=agency, name=name).first()
        if supervisor is None:
            try:
                supervisor = services.supervisor_add(
                    actor=officer,
                    agency=agency,
                    name=name,
                    kind=kind,
                    workplace=workplace,
                    phone=phone,
                    term_start=start,
                    term_end=term_end,
                    user=user,
                )
            except DomainError:
                continue  # e.g. the demo account lost its supervisor role
        found.append(supervisor)
    main = next((s for s in found if s.user_id is not None), None)
    return main, found


def _items(agency, officer) -> None:
    known = set(VisitChecklistItem.objects.filter(agency=agency).values_list("text", flat=True))
    for text in ITEMS:
        if text not in known:
            services.checklist_item_save(actor=officer, agency=agency, text=text)


def _plans(agency, officer, supervisors, months, units) -> dict:
    plans = {}
    for index, month in enumerate(months):
        for position, supervisor in enumerate(supervisors):
            count = 2 if supervisor.user_id else 1
            for turn in range(count):
                place, department, subdistrict, mode = PLACES[
                    (index * 2 + position + turn * 3) % len(PLACES)
                ]
                plan = VisitPlan.objects.filter(
                    supervisor=supervisor, month=month, place=place
                ).first()
                if plan is None:
                    if supervisor.term_start > month or supervisor.term_end < month:
                        continue
                    try:
                        plan = services.plan_add(
                            actor=officer,
                            agency=agency,
                            month=month,
                            supervisor=supervisor,
                            place=place,
                            department=units["departments"].get(department),
                            subdistrict=units["subdistricts"].get(subdistrict),
                            mode=mode,
                        )
                    except DomainError:
                        continue
                plans[(supervisor.pk, month, place)] = plan
    return plans


def _visits(agency, officer, main, months, plans, items, today) -> int:
    created = 0
    for month in months:
        month_plans = [p for (s, m, _place), p in plans.items() if s == main.pk and m == month]
        for turn, plan in enumerate(sorted(month_plans, key=lambda p: p.pk)):
            day = month + timedelta(days=6 + turn * 11)
            if day > today or day < main.term_start:
                continue
            if Visit.objects.filter(supervisor=main, visited_on=day, place=plan.place).exists():
                continue
            seed = _hash(day.isoformat(), plan.place)
            scores = {item.pk: 6 + (seed >> (i * 3)) % 5 for i, item in enumerate(items)}
            problem = PROBLEMS[seed % len(PROBLEMS)] if seed % 4 == 0 else ""
            remarks = "整体秩序良好，建议增加引导人员。" if seed % 3 == 0 else ""
            try:
                visit = services.visit_file(
                    actor=main.user,
                    supervisor=main,
                    plan=plan,
                    visited_on=day,
                    on=day,
                    scores=scores,
                    remarks=remarks,
                    problem=problem,
                )
            except DomainError:
                continue
            created += 1
            if not problem and remarks and seed % 2 == 0 and day + timedelta(days=2) <= today:
                services.visit_open_finding(
                    actor=officer,
                    visit=visit,
                    title="服务大厅引导人员不足",
                    description=remarks,
                    severity=Severity.MINOR,
                    on=day + timedelta(days=2),
                )
    return created


def _report(contract, subdistrict, start, end, score) -> ContentFile:
    document = officialdoc.new_document()
    officialdoc.title(document, f"{subdistrict.name}社会救助工作第三方检查专项报告")
    officialdoc.blank(document)
    officialdoc.body(
        document,
        f"受区民政局委托，{contract.organisation}于{officialdoc.official_day(start)}至"
        f"{officialdoc.official_day(end)}对{subdistrict.name}社会救助政策落实情况进行了检查。",
    )
    officialdoc.body(document, "一、检查基本情况")
    officialdoc.body(
        document, "采取查阅台账、入户走访、电话回访相结合的方式，抽查低保、特困、临时救助案卷。"
    )
    officialdoc.body(document, "二、发现的问题")
    officialdoc.body(document, "部分案卷复核记录不全，个别审批超时限，详见问题清单。")
    officialdoc.body(document, f"三、综合评分：{score}分。")
    officialdoc.signature(document, contract.organisation, officialdoc.official_day(end))
    return ContentFile(officialdoc.to_bytes(document), name=f"{subdistrict.name}专项报告.docx")


def _half_years(today: date, months: list[date]) -> list[tuple[date, date]]:
    """The half-years overlapping the last twelve months whose inspection month has ended."""
    found = []
    for year in sorted({m.year for m in months}):
        for start, end in (
            (date(year, 6, 1), date(year, 6, 30)),
            (date(year, 12, 1), date(year, 12, 31)),
        ):
            if end < months[0] or start + timedelta(days=20) > today:
                continue
            found.append((start, end))
    return found


def _inspections(agency, officer, today, months, units) -> int:
    inspector = User.objects.filter(username="inspector").first()
    if inspector is None:
        return 0
    subdistricts = list(Subdistrict.objects.filter(agency=agency).order_by("sort_order", "name"))
    contract = InspectionContract.objects.filter(agency=agency, organisation=ORGANISATION).first()
    if contract is None:
        try:
            contract = inspection_services.contract_save(
                actor=officer,
                agency=agency,
                organisation=ORGANISATION,
                contract_number=f"示民采〔{months[0].year}〕7号",
                scope="社会救助政策落实情况第三方检查（每半年一次，逐街道/镇出具专项报告）",
                period_start=date(months[0].year, 1, 1),
                period_end=date(today.year + 1, 12, 31),
                subdistricts=subdistricts,
                inspectors=[inspector],
            )
        except DomainError:
            return 0
    created = 0
    for start, _end in _half_years(today, months):
        inspected_from = start + timedelta(days=4)
        inspected_to = start + timedelta(days=12)
        for position, subdistrict in enumerate(subdistricts):
            if Inspection.objects.filter(
                contract=contract, subdistrict=subdistrict, inspected_from=inspected_from
            ).exists():
                continue
            if not (
                contract.period_start <= inspected_from and inspected_to <= contract.period_end
            ):
                continue
            seed = _hash(subdistrict.name, start.isoformat())
            score = 78 + seed % 18 + (seed >> 5) % 10 / 10
            try:
                with transaction.atomic():
                    inspection = inspection_services.inspection_create(
                        actor=inspector,
                        agency=agency,
                        kind=Inspection.Kind.THIRD_PARTY,
                        contract=contract,
                        subdistrict=subdistrict,
                        inspected_from=inspected_from,
                        inspected_to=inspected_to,
                        summary=f"抽查{subdistrict.name}低保、特困、临时救助案卷共30件，入户走访10户。"
                        "审核审批总体规范，个别环节有待改进。",
                        score=f"{score:.1f}",
                    )
                    inspection_services.inspection_upload_report(
                        actor=inspector,
                        inspection=inspection,
                        upload=_report(
                            contract, subdistrict, inspected_from, inspected_to, f"{score:.1f}"
                        ),
                    )
                    for n in range(1 + seed % 2):
                        title, description, department, severity = INSPECTION_FINDINGS[
                            (position + n + seed) % len(INSPECTION_FINDINGS)
                        ]
                        inspection_services.inspection_record_finding(
                            actor=inspector,
                            inspection=inspection,
                            title=title,
                            description=description,
                            department=units["departments"][department],
                            severity=severity,
                            on=inspected_to + timedelta(days=3),
                        )
                    inspection_services.inspection_submit(
                        actor=inspector, inspection=inspection, on=inspected_to + timedelta(days=3)
                    )
            except DomainError:
                continue
            created += 1
    return created


def build(agency) -> int:
    """Create what is missing; returns the number of visits and inspections created."""
    officer = User.objects.filter(username="legal_officer").first()
    if officer is None:
        return 0
    today = timezone.localdate()
    months = _months(today)
    units = {
        "departments": {d.name: d for d in Department.objects.filter(agency=agency)},
        "subdistricts": {s.name: s for s in Subdistrict.objects.filter(agency=agency)},
    }
    main, supervisors = _roster(agency, officer, today)
    _items(agency, officer)
    items = list(VisitChecklistItem.objects.filter(agency=agency, active=True).order_by("order"))
    plans = _plans(agency, officer, supervisors, months, units)
    created = 0
    if main is not None:
        created += _visits(agency, officer, main, months, plans, items, today)
    created += _inspections(agency, officer, today, months, units)
    return created
