"""Demo data of committee affairs disclosure (居务 / 村务公开): the statutory items, a year of
postings of the 10 demo committees (the scheduled check's 13 months), and the check over it.

Everything goes through the services: items installed, one override (石桥村委会 posts finances
quarterly), postings recorded by the committee clerk of 南岭村委会 (林村务), imported from 社区通
for the residents' committees of 东湖街道 (CSV source, ids SQT-…), recorded by the legal office
for the others. Whether a period is posted on time, late or not at all is decided by a hash of
(committee, item, period), so every database tells the same story: mostly on time, some late, a
few missing — and 南岭村委会 always misses the finances of the month three months back (the
demo's February). Idempotent: a period already posted is skipped; imports are idempotent on
their 外部编号; the check changes nothing when run again. Nothing is dated after today.
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

from django.utils import timezone

from fazhi.accounts.models import User
from fazhi.core.calendar import add_workdays
from fazhi.core.models import Committee
from fazhi.oversight import committee_periods as cp
from fazhi.oversight.models import CommitteeDisclosureItem, CommitteeItemOverride, CommitteePosting
from fazhi.oversight.services import committees as services

CLERK_COMMITTEE = "南岭村委会"
IMPORTED_SUBDISTRICT = "东湖街道"
FEW_TRANSACTIONS = "石桥村委会"
TITLES = {
    "finance": "{label}村级财务收支情况公开",
    "meeting_decisions": "{label}村民（代表）会议决定事项及实施情况",
    "relief_funds": "{label}救灾救助、补贴补助资金物资使用情况",
    "government_assistance": "{label}协助政府开展工作情况",
    "general_affairs": "{label}居务公开",
    "welfare_funds": "{label}公益事业经费收支情况",
}


def _roll(*parts: str) -> int:
    """A stable number 0–99 for the parts (the same in every database and on every day)."""
    digest = hashlib.sha256("|".join(parts).encode()).hexdigest()
    return int(digest[:8], 16) % 100


def _missed_month(today: date) -> cp.Period:
    month = cp.period_of(today, cp.MONTHLY)
    for _ in range(3):
        month = cp.period_of(month.start - timedelta(days=1), cp.MONTHLY)
    return month


def _plan(committee, item, period, due, today) -> date | None:
    """The day the period is posted, or None for a gap."""
    if committee.name == CLERK_COMMITTEE and item.code == "finance":
        if period == _missed_month(today):
            return None
    roll = _roll(committee.name, item.code, period.key)
    if roll < 4:
        return None
    if roll < 14:
        posted = due + timedelta(days=3 + roll % 12)  # late
    else:
        posted = add_workdays(period.end, 1 + roll % item.grace_workdays)
    return posted if posted <= today else None


def build(agency) -> None:
    today = timezone.localdate()
    officer = User.objects.filter(
        memberships__agency=agency, memberships__role="legal_officer"
    ).first()
    clerk = User.objects.filter(
        memberships__agency=agency, memberships__role="committee_clerk"
    ).first()
    if officer is None:
        return
    services.items_install_defaults(actor=officer, agency=agency)
    committees = list(Committee.objects.filter(agency=agency).select_related("subdistrict"))
    items = list(CommitteeDisclosureItem.objects.filter(agency=agency, active=True))
    few = next((c for c in committees if c.name == FEW_TRANSACTIONS), None)
    finance = next((i for i in items if i.code == "finance"), None)
    if few is not None and finance is not None:
        if not CommitteeItemOverride.objects.filter(committee=few, item=finance).exists():
            services.override_set(
                actor=officer,
                committee=few,
                item=finance,
                frequency="quarterly",
                reason="集体财务往来较少，经镇政府同意按季度公布财务收支（村民委员会组织法第三十条）",
            )
    overrides = {
        (o.committee_id, o.item_id): o.frequency
        for o in CommitteeItemOverride.objects.filter(committee__agency=agency)
    }
    posted = set(
        CommitteePosting.objects.filter(agency=agency).values_list(
            "committee_id", "item_id", "period_start", "period_end"
        )
    )
    first, last = services.sweep_window(today)
    records = []
    for committee in committees:
        actor = clerk if committee.name == CLERK_COMMITTEE and clerk is not None else officer
        for item in items:
            if item.committee_kind != committee.kind:
                continue
            frequency = overrides.get((committee.pk, item.pk), item.frequency)
            if frequency not in cp.COUNTED:
                continue
            for period in cp.periods_ending_between(first, last, frequency):
                if (committee.pk, item.pk, period.start, period.end) in posted:
                    continue
                due = cp.due_on(period, item.grace_workdays)
                day = _plan(committee, item, period, due, today)
                if day is None:
                    continue
                title = TITLES.get(item.code, "{label}" + item.name).format(label=period.label)
                if committee.subdistrict.name == IMPORTED_SUBDISTRICT:
                    records.append(
                        {
                            "external_id": f"SQT-{committee.pk}-{item.code}-{period.key}",
                            "subdistrict": committee.subdistrict.name,
                            "committee": committee.name,
                            "item": item.code,
                            "period": period.key,
                            "posted_on": day.isoformat(),
                            "title": title,
                            "content": "由社区通同步。",
                        }
                    )
                    continue
                services.posting_record(
                    actor=actor,
                    committee=committee,
                    item=item,
                    period=period.key,
                    posted_on=day,
                    title=title,
                    content="已在公开栏张贴，并同步至社区通。",
                )
    if records:
        services.postings_import(
            actor=officer,
            agency=agency,
            records=list(enumerate(records, start=2)),
            source=CommitteePosting.Source.CSV,
            only_valid=True,
        )
    # A major matter posted as it arose (随时: listed, never counted).
    village = next((c for c in committees if c.name == CLERK_COMMITTEE), None)
    major = next(
        (i for i in items if i.code == "major_matters" and i.committee_kind == "villagers"), None
    )
    if village is not None and major is not None and clerk is not None:
        day = today - timedelta(days=40)
        if not CommitteePosting.objects.filter(committee=village, item=major).exists():
            services.posting_record(
                actor=clerk,
                committee=village,
                item=major,
                period=day.isoformat(),
                posted_on=day,
                title="关于村集体土地征收补偿方案的公告",
                content="补偿方案经村民代表会议讨论通过，现予公布，公布期间接受村民查询。",
            )
    services.committee_check(agency=agency, first=first, last=last, today=today)
