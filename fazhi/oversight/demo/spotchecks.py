"""Demo data of spot checks (案卷评查): two checklists, the reviewer pool from the demo users and
a year of quarterly plans, drawn and reviewed through the services.

Runs after the rules and disclosure demos (their documents and requests are the populations).
Idempotent: checklists, pool members and plans are found by name and skipped when present; a
plan is created only when its quarter has files, so no draft is left behind. Nothing is dated
after today; past days go through the services' `on` parameters. Ratings are decided by a hash
of the file's reference, so a rerun in another database tells the same story: mostly 合格 and
优秀, a few 不合格 (which open findings), and the latest quarter partly still to be reviewed.
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from fazhi.accounts.models import User
from fazhi.core.errors import DomainError
from fazhi.oversight.models import Checklist, ChecklistItem, ReviewerPoolMember, SamplingPlan
from fazhi.oversight.populations import population
from fazhi.oversight.services import spotchecks as services

VETO = ChecklistItem.Kind.VETO
POINTS = ChecklistItem.Kind.POINTS

CHECKLISTS = {
    "normative.documents": (
        "规范性文件案卷评查表",
        [
            services.ItemSpec("未经合法性审核", VETO, basis="《行政规范性文件合法性审核办法》"),
            services.ItemSpec("未经集体审议决定", VETO, basis="三不两责一公开"),
            services.ItemSpec("未向社会公开发布", VETO),
            services.ItemSpec("起草说明完整，制定依据充分", POINTS, 20),
            services.ItemSpec("依法公开征求意见并反馈采纳情况", POINTS, 25),
            services.ItemSpec("统一登记、统一编号、统一公布", POINTS, 20),
            services.ItemSpec("政策解读与文件同步发布", POINTS, 15),
            services.ItemSpec("按规定报送备案，案卷材料齐全有序", POINTS, 20),
        ],
    ),
    "disclosure.requests": (
        "依申请公开案卷评查表",
        [
            services.ItemSpec("超期答复", VETO, basis="《政府信息公开条例》第三十三条"),
            services.ItemSpec("答复无法律依据或适用错误", VETO),
            services.ItemSpec("登记要素完整，收到申请日期认定准确", POINTS, 20),
            services.ItemSpec("补正、征求意见、延期等程序规范", POINTS, 25),
            services.ItemSpec("答复书格式规范，告知救济途径", POINTS, 25),
            services.ItemSpec("送达凭证齐全", POINTS, 15),
            services.ItemSpec("案卷归档及时、装订规范", POINTS, 15),
        ],
    ),
}
POOL = ("legal_officer", "department_head", "liaison", "legal_adviser")
COUNTS = {"normative.documents": 3, "disclosure.requests": 4}
TITLES = {"normative.documents": "规范性文件", "disclosure.requests": "依申请公开"}


def _quarters(today: date) -> list[tuple[date, date, str]]:
    """The last four quarters that have ended by today, oldest first."""
    year, quarter = today.year, (today.month - 1) // 3 + 1
    found = []
    for _ in range(4):
        quarter -= 1
        if quarter == 0:
            year, quarter = year - 1, 4
        start = date(year, 3 * quarter - 2, 1)
        end = date(year, 12, 31) if quarter == 4 else date(year, 3 * quarter + 1, 1) - timedelta(1)
        found.append((start, end, f"{year}年第{'一二三四'[quarter - 1]}季度"))
    return list(reversed(found))


def _fate(ref: str) -> int:
    return int(hashlib.sha256(f"demo:{ref}".encode()).hexdigest()[:8], 16) % 12


def _answers(sampled_file, fate: int) -> dict:
    """0: a veto item failed; 1: a low score; 2–6: 合格; otherwise 优秀."""
    found = {}
    first_veto = True
    for item in sampled_file.plan.checklist.items.all():
        if item.kind == VETO:
            failed = fate == 0 and first_veto
            found[item.pk] = services.Answer(
                passed=not failed, note="案卷中未见相关材料" if failed else ""
            )
            first_veto = False
            continue
        share = {1: Decimal("0.5")}.get(fate, Decimal("0.8") if fate <= 6 else Decimal("0.95"))
        points = (item.max_points * share).quantize(Decimal("0.5"))
        note = "" if points == item.max_points else "材料不够完整"
        found[item.pk] = services.Answer(points=points, note=note)
    return found


def _checklists(agency, officer) -> dict[str, Checklist]:
    found = {}
    for key, (name, items) in CHECKLISTS.items():
        checklist = Checklist.objects.filter(agency=agency, name=name).first()
        if checklist is None:
            checklist = services.checklist_create(
                actor=officer,
                agency=agency,
                name=name,
                population=key,
                items=items,
                excellent_min=Decimal(90),
                pass_min=Decimal(60),
            )
        found[key] = checklist
    return found


def _pool(agency, officer, users: dict[str, User]) -> None:
    in_pool = set(
        ReviewerPoolMember.objects.filter(agency=agency, active=True).values_list(
            "user_id", flat=True
        )
    )
    for name in POOL:
        user = users.get(name)
        if user is not None and user.pk not in in_pool:
            try:
                services.reviewer_add(actor=officer, agency=agency, user=user)
            except DomainError:
                continue  # a demo user whose role does not allow it (changed by an admin)


def build(agency) -> list[SamplingPlan]:
    """Add the missing demo checklists, pool members and plans; returns the plans created."""
    users = {u.username: u for u in User.objects.filter(username__in=[*POOL, "legal_officer"])}
    officer = users.get("legal_officer")
    if officer is None:
        return []
    today = timezone.localdate()
    created = []
    with transaction.atomic():
        checklists = _checklists(agency, officer)
        _pool(agency, officer, users)
        titles = set(SamplingPlan.objects.filter(agency=agency).values_list("title", flat=True))
        quarters = _quarters(today)
        vetoed = False
        for index, (start, end, label) in enumerate(quarters):
            for key, checklist in checklists.items():
                title = f"{label}{TITLES[key]}案卷评查"
                source = population(key)
                if title in titles or source is None:
                    continue
                files = source.files(agency, start, end)
                if not files:
                    continue
                drawn_on = min(end + timedelta(days=7), today)
                plan = services.plan_create(
                    actor=officer,
                    agency=agency,
                    title=title,
                    population=key,
                    period_start=start,
                    period_end=end,
                    method=SamplingPlan.Method.COUNT,
                    count=min(COUNTS[key], len(files)),
                    min_per_stratum=1,
                    checklist=checklist,
                )
                plan = services.plan_draw(actor=officer, plan=plan, on=drawn_on)
                created.append(plan)
                latest = index == len(quarters) - 1
                for number, sampled in enumerate(plan.files.order_by("draw_order")):
                    # The latest quarter is still being reviewed: its last files wait.
                    if latest and number >= 1:
                        break
                    reviewed_on = min(drawn_on + timedelta(days=10 + number), today)
                    # The draw's seed is new on every build, so which files are drawn (and so
                    # their fates) varies; the first file reviewed fails a veto item, so the
                    # demo always has a 不合格 file and its finding.
                    fate = 0 if not vetoed else _fate(sampled.case_ref)
                    vetoed = True
                    services.review_submit(
                        actor=sampled.reviewer,
                        sampled_file=sampled,
                        answers=_answers(sampled, fate),
                        remarks="",
                        on=reviewed_on,
                    )
    return created
