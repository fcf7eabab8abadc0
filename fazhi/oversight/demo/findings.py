"""Demo data of the findings area: a year of the legal office's own findings (complaints,
routine inspections) in every state, the ladder as the sweep would have climbed it, one issued
circular and two accountability records.

Everything goes through the services with their date parameters (`on=`), and the ladder through
`escalate(rectification, day)` on the days the sweep would have taken each step; nothing is
dated after the build day and nothing is re-dated. Idempotent: each finding carries a
`source_ref` ("demo.findings:<key>"), every step is taken only from the state it expects, the
circular and the accountability records are found by their text. Run again on a later day, it
only lets the ladder climb as the sweep would.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils import timezone

from fazhi.core.calendar import add_workdays
from fazhi.core.models import Department, Membership, Subdistrict
from fazhi.core.roles import Role
from fazhi.oversight.models import (
    AccountabilityRecord,
    Circular,
    Escalation,
    Finding,
    Rectification,
    Severity,
    Source,
)
from fazhi.oversight.services import findings as services

State = Rectification.State
RELIEF = "社会救助科"
AFFAIRS = "社会事务科"
ELDERLY = "养老服务科"
MARRIAGE = "婚姻登记处"
CIRCULAR_TITLE = "关于近期问题整改情况的通报"

# The smallest valid PNG (1×1): a stand-in for a photo of the completed rectification.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


@dataclass
class Story:
    key: str
    title: str
    description: str
    department: str
    opened: int | date  # calendar days before today, or a day
    source: str = Source.COMPLAINT
    severity: str = Severity.MINOR
    subdistrict: str | None = None
    # (working days after the handing over, step[, text]): measures, submit, send_back, verify,
    # interview (the 约谈 note; taken only once the step exists).
    steps: list[tuple] = field(default_factory=list)


def _stories(today: date) -> tuple[list[Story], list[Story]]:
    """(before the circular, after it): the circular is issued between the two phases so it
    lists what had reached 通报 by its issue day, not what reached it afterwards."""
    early = [
        Story(
            "ontime-1",
            "救助金发放公示信息不全",
            "东湖街道低保金发放公示未列明救助人数和金额。",
            RELIEF,
            330,
            source=Source.INSPECTION,
            subdistrict="东湖街道",
            steps=[(2, "measures"), (6, "submit"), (8, "verify")],
        ),
        Story(
            "ontime-2",
            "临时救助审批超时",
            "群众投诉临时救助申请超过规定时限未审批。",
            RELIEF,
            250,
            severity=Severity.GENERAL,
            subdistrict="西山街道",
            steps=[(3, "measures"), (15, "submit"), (17, "verify")],
        ),
        Story(
            "late-1",
            "特困人员档案缺失",
            "日常检查发现部分特困供养人员档案缺少年度复核记录。",
            RELIEF,
            200,
            source=Source.INSPECTION,
            severity=Severity.GENERAL,
            subdistrict="南岭镇",
            steps=[(3, "measures"), (22, "submit"), (24, "verify")],
        ),
        Story(
            "sentback-closed",
            "殡葬服务收费未公示",
            "群众反映殡仪服务站收费标准未上墙公示。",
            AFFAIRS,
            150,
            steps=[
                (2, "measures"),
                (6, "submit"),
                (7, "send_back", "只提供了整改报告，缺少公示现场照片。"),
                (9, "submit"),
                (10, "verify"),
            ],
        ),
        Story(
            "circular-closed",
            "低保复核逾期未完成",
            "日常检查发现北塘镇低保对象年度复核逾期未完成。",
            RELIEF,
            110,
            source=Source.INSPECTION,
            subdistrict="北塘镇",
            steps=[
                (1, "measures"),
                (16, "interview", "局领导约谈社会救助科负责人，要求十个工作日内完成复核。"),
                (22, "submit"),
                (24, "verify"),
            ],
        ),
        Story(
            "ontime-3",
            "窗口一次性告知不到位",
            "群众投诉办理残疾人两项补贴时被要求多次补交材料。",
            AFFAIRS,
            75,
            steps=[(1, "measures"), (5, "submit"), (6, "verify")],
        ),
    ]
    late = [
        Story(
            "sentback-open",
            "求助热线接听不及时",
            "12345 转办工单反映救助热线多次无人接听。",
            RELIEF,
            add_workdays(today, -8),
            subdistrict="东湖街道",
            steps=[(1, "measures"), (4, "submit"), (5, "send_back", "请补充值班表和接听记录。")],
        ),
        Story(
            "submitted",
            "社会组织年检结果未公开",
            "检查发现上年度社会组织年检结果未按规定公开。",
            AFFAIRS,
            add_workdays(today, -6),
            source=Source.INSPECTION,
            steps=[(1, "measures"), (4, "submit")],
        ),
        Story(
            "rectifying",
            "养老机构消防检查整改",
            "投诉反映某养老机构消防通道堆放杂物。",
            RELIEF,
            add_workdays(today, -5),
            severity=Severity.GENERAL,
            subdistrict="西山街道",
            steps=[(2, "measures")],
        ),
        Story(
            "awaiting",
            "婚姻登记预约系统故障未告知",
            "群众反映预约系统故障期间未告知替代办理方式。",
            MARRIAGE,
            add_workdays(today, -2),
        ),
        Story(
            "reminded",
            "居家养老服务补贴发放延迟",
            "群众投诉居家养老服务补贴迟发一个月。",
            AFFAIRS,
            add_workdays(today, -8),
            steps=[(1, "measures")],
        ),
        Story(
            "notice",
            "养老服务机构备案材料不全",
            "检查发现两家养老服务机构备案材料缺少消防意见。",
            ELDERLY,
            add_workdays(today, -12),
            source=Source.INSPECTION,
        ),
        Story(
            "interview",
            "婚姻登记档案查询推诿",
            "群众投诉查询婚姻登记档案被要求到多个窗口往返。",
            MARRIAGE,
            add_workdays(today, -17),
            steps=[(17, "interview", "分管局领导约谈婚姻登记处负责人，要求两周内完成整改。")],
        ),
        Story(
            "circular-pending",
            "流浪乞讨救助信息登记不规范",
            "检查发现救助管理信息系统中受助人员信息登记不全。",
            AFFAIRS,
            add_workdays(today, -25),
            source=Source.INSPECTION,
            steps=[(2, "measures")],
        ),
    ]
    return early, late


def _user(agency, role, department=None):
    memberships = Membership.objects.active().filter(agency=agency, role=role)
    if department is not None:
        memberships = memberships.filter(department=department)
    found = memberships.select_related("user").order_by("pk").first()
    return found.user if found else None


def _open_day(today: date, opened) -> date:
    day = opened if isinstance(opened, date) else today - timedelta(days=opened)
    return add_workdays(day, 0)  # handed over on a working day


def _unit_actor(agency, department):
    for role in (Role.DEPARTMENT_HEAD, Role.LIAISON, Role.CLERK):
        user = _user(agency, role, department)
        if user is not None:
            return user
    return None


def _play(agency, story: Story, today: date, officer, ladder) -> Finding | None:
    department = Department.objects.filter(agency=agency, name=story.department).first()
    if department is None:
        return None
    subdistrict = (
        Subdistrict.objects.filter(agency=agency, name=story.subdistrict).first()
        if story.subdistrict
        else None
    )
    ref = f"demo.findings:{story.key}"
    start = _open_day(today, story.opened)
    if start > today:
        return None
    finding = Finding.objects.filter(agency=agency, source_ref=ref).first()
    if finding is None:
        finding = services.finding_record(
            actor=officer,
            agency=agency,
            source=story.source,
            title=story.title,
            description=story.description,
            department=department,
            severity=story.severity,
            subdistrict=subdistrict,
            found_on=start - timedelta(days=1),
            source_ref=ref,
            on=start,
        )
    rect = Rectification.objects.get(finding=finding)
    walk(agency, rect, start, story.steps, today, officer, ladder, key=story.key)
    return finding


def walk(agency, rect, start: date, steps, today: date, officer, ladder, *, key: str) -> None:
    """Take a rectification through `steps` (working days after `start`, the handing over),
    with the ladder on the days the sweep would have climbed it; nothing after `today`."""
    unit = _unit_actor(agency, rect.department)
    due = rect.due_on
    # The days the sweep would have taken each step, then the people's steps; same day: the
    # sweep (early morning) first.
    events = [
        (add_workdays(due, -ladder["reminder"]), 0, ("ladder",)),
        (add_workdays(due, 1), 0, ("ladder",)),
        (add_workdays(due, ladder["interview"]), 0, ("ladder",)),
        (add_workdays(due, ladder["circular"]), 0, ("ladder",)),
    ] + [(add_workdays(start, wd), 1, tuple(rest)) for wd, *rest in steps]
    # The k-th submission (and k-th send-back) happens only while k were sent back before, so a
    # second run does not submit again what was sent back.
    submits = send_backs = 0
    for day, _order, step in sorted(events, key=lambda e: (e[0], e[1])):
        if day > today:
            break
        rect = Rectification.objects.get(pk=rect.pk)
        kind = step[0]
        if kind == "ladder":
            services.escalate(rect, day, settings=ladder)
        elif kind == "measures" and rect.state == State.AWAITING_MEASURES and unit:
            services.rectification_propose_measures(
                actor=unit,
                rectification=rect,
                measures="制定整改方案，明确责任人和完成时限。",
                on=day,
            )
        elif kind == "submit":
            submits += 1
            if rect.state != State.RECTIFYING or rect.rejection_count != submits - 1 or not unit:
                continue
            services.rectification_attach_evidence(
                actor=unit,
                rectification=rect,
                upload=_photo(f"整改照片-{key}-{rect.rejection_count}.png"),
            )
            services.rectification_submit_evidence(
                actor=unit,
                rectification=rect,
                completion_note="已按整改方案完成整改，佐证材料见附件。",
                on=day,
            )
        elif kind == "send_back":
            send_backs += 1
            if rect.state != State.SUBMITTED or rect.rejection_count != send_backs - 1:
                continue
            services.rectification_send_back(actor=officer, rectification=rect, reason=step[1])
        elif kind == "verify" and rect.state == State.SUBMITTED:
            services.rectification_verify(
                actor=officer, rectification=rect, comment="经核验，整改到位。", on=day
            )
        elif kind == "interview":
            pending = Escalation.objects.filter(
                rectification=rect, step=Escalation.Step.INTERVIEW, note=""
            ).exists()
            if pending:
                services.interview_record(actor=officer, rectification=rect, note=step[1])


def _photo(name: str):
    upload = io.BytesIO(PNG)
    upload.name = name
    return upload


def build(agency) -> None:
    """The findings of the demo agency (see the module docstring)."""
    officer = _user(agency, Role.LEGAL_OFFICER)
    if officer is None:
        return
    today = timezone.localdate()
    ladder = services.ladder_settings(agency)
    early, late = _stories(today)
    played = {s.key: _play(agency, s, today, officer, ladder) for s in early}
    # One circular of the early months, issued after the period it covers.
    start = today - timedelta(days=120)
    end = today - timedelta(days=60)
    issued_on = add_workdays(end, 1)
    if issued_on <= today and not Circular.objects.filter(agency=agency, title=CIRCULAR_TITLE):
        circular = services.circular_create(
            actor=officer, agency=agency, title=CIRCULAR_TITLE, period_start=start, period_end=end
        )
        services.circular_issue(actor=officer, circular=circular, issued_on=issued_on)
    played.update({s.key: _play(agency, s, today, officer, ladder) for s in late})
    _accountability(agency, officer, played, today)


def _accountability(agency, officer, played, today: date) -> None:
    records = [
        (
            "circular-closed",
            "刘某",
            "北塘镇社会救助事务所工作人员",
            AccountabilityRecord.Measure.CRITICISM,
            "低保对象年度复核逾期未完成，经督办仍未按期整改。",
        ),
        (
            "interview",
            "孙某",
            "婚姻登记处窗口负责人",
            AccountabilityRecord.Measure.SELF_EXAMINATION,
            "群众查询婚姻登记档案推诿，经约谈责令作出书面检查。",
        ),
    ]
    for key, name, position, measure, note in records:
        finding = played.get(key)
        if finding is None:
            continue
        if AccountabilityRecord.objects.filter(finding=finding, person_name=name).exists():
            continue
        decided = min(today, finding.found_on + timedelta(days=40))
        services.accountability_record(
            actor=officer,
            finding=finding,
            person_name=name,
            position=position,
            measure=measure,
            decided_on=decided,
            decided_by="示例区民政局",
            note=note,
        )
