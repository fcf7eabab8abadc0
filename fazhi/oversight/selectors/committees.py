"""Reads of committee affairs disclosure (居务 / 村务公开), each with a fixed number of queries.

- `summary`: the check results of a period range by subdistrict and committee (on time / late /
  missing / pending, and the rate = on time ÷ (on time + late + missing)), and the chart series;
- `matrix`: one committee's items × months of a year, each cell a result (a quarterly item's
  cell spans its three months);
- `clerk_board`: what a committee clerk has to post now, computed live from the postings;
- `postings`: postings the user may see, newest first.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Prefetch, QuerySet

from fazhi.core.models import Committee, Subdistrict
from fazhi.core.tenancy import readable_agency_ids
from fazhi.oversight import committee_periods as cp
from fazhi.oversight.models import (
    CommitteeCheckResult,
    CommitteeDisclosureItem,
    CommitteeItemOverride,
    CommitteePosting,
)
from fazhi.oversight.permissions.base import committee_ids, reads_everything

STATUS = CommitteeCheckResult.Status
COUNTED_STATUSES = (STATUS.ON_TIME, STATUS.LATE, STATUS.MISSING)


def readable_committees(user) -> QuerySet[Committee]:
    """Committees the user may look at: all of the agencies the user reads oversight of, or the
    clerk's own committee."""
    agencies = [a for a in readable_agency_ids(user) if reads_everything(user, _Obj(a))]
    own = committee_ids(user)
    qs = Committee.objects.select_related("subdistrict", "agency")
    return qs.filter(agency_id__in=agencies) | qs.filter(pk__in=own)


@dataclass(frozen=True)
class _Obj:
    agency_id: int


def office_agencies(user) -> list[int]:
    """Agencies whose whole committee picture the user reads (legal office, leaders, overseers)."""
    return sorted(a for a in readable_agency_ids(user) if reads_everything(user, _Obj(a)))


@dataclass
class Counts:
    on_time: int = 0
    late: int = 0
    missing: int = 0
    pending: int = 0

    @property
    def due(self) -> int:
        return self.on_time + self.late + self.missing

    @property
    def rate(self) -> float | None:
        """Share posted on time of what has fallen due; None when nothing has."""
        return round(100 * self.on_time / self.due, 1) if self.due else None

    def add(self, status: str, n: int) -> None:
        setattr(self, status, getattr(self, status) + n)


@dataclass
class CommitteeRow:
    committee: Committee
    counts: Counts = field(default_factory=Counts)


@dataclass
class SubdistrictRow:
    subdistrict: Subdistrict
    counts: Counts = field(default_factory=Counts)
    committees: list[CommitteeRow] = field(default_factory=list)


def summary(agency_id: int, first: date, last: date) -> dict:
    """Results of the periods lying within first..last, by subdistrict and committee. Two
    queries whatever the number of committees."""
    committees = list(
        Committee.objects.filter(agency_id=agency_id)
        .select_related("subdistrict")
        .order_by("subdistrict__sort_order", "subdistrict__name", "name")
    )
    tallies = (
        CommitteeCheckResult.objects.filter(
            agency_id=agency_id, period_start__gte=first, period_end__lte=last
        )
        .values("committee_id", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_committee: dict[int, Counts] = defaultdict(Counts)
    for row in tallies:
        by_committee[row["committee_id"]].add(row["status"], row["n"])
    subdistricts: dict[int, SubdistrictRow] = {}
    total = Counts()
    for committee in committees:
        sub = subdistricts.setdefault(
            committee.subdistrict_id, SubdistrictRow(committee.subdistrict)
        )
        counts = by_committee.get(committee.pk, Counts())
        sub.committees.append(CommitteeRow(committee, counts))
        for status in ("on_time", "late", "missing", "pending"):
            sub.counts.add(status, getattr(counts, status))
            total.add(status, getattr(counts, status))
    rows = list(subdistricts.values())
    chart = {
        "subdistricts": [r.subdistrict.name for r in rows],
        "series": [
            {
                "key": "on_time",
                "name": str(STATUS.ON_TIME.label),
                "data": [r.counts.on_time for r in rows],
            },
            {"key": "late", "name": str(STATUS.LATE.label), "data": [r.counts.late for r in rows]},
            {
                "key": "missing",
                "name": str(STATUS.MISSING.label),
                "data": [r.counts.missing for r in rows],
            },
        ],
        "rates": [r.counts.rate for r in rows],
    }
    return {"rows": rows, "total": total, "chart": chart}


@dataclass
class Cell:
    span: int
    result: CommitteeCheckResult | None = None
    period: cp.Period | None = None
    postings: int = 0

    @property
    def status(self) -> str:
        return self.result.status if self.result else ""


@dataclass
class MatrixRow:
    item: CommitteeDisclosureItem
    frequency: str
    override: CommitteeItemOverride | None
    cells: list[Cell]


def effective_items(
    committee,
) -> list[tuple[CommitteeDisclosureItem, str, CommitteeItemOverride | None]]:
    """The committee's active items with their effective frequency ("" = not required)."""
    overrides = {
        o.item_id: o
        for o in CommitteeItemOverride.objects.filter(committee=committee).select_related(
            "decided_by"
        )
    }
    items = CommitteeDisclosureItem.objects.filter(
        agency_id=committee.agency_id, committee_kind=committee.kind, active=True
    )
    found = []
    for item in items:
        override = overrides.get(item.pk)
        found.append((item, override.frequency if override else item.frequency, override))
    return found


def matrix(committee, year: int) -> dict:
    """Items × months of `year` for one committee: four queries."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    months = cp.months_between(first, last)
    results = {
        (r.item_id, r.period_start): r
        for r in CommitteeCheckResult.objects.filter(
            committee=committee, period_start__gte=first, period_start__lte=last
        ).select_related("finding")
    }
    posted = defaultdict(int)
    for item_id, start, end in CommitteePosting.objects.filter(
        committee=committee, period_end__gte=first, period_start__lte=last
    ).values_list("item_id", "period_start", "period_end"):
        posted[(item_id, start, end)] += 1
    rows = []
    for item, frequency, override in effective_items(committee):
        cells = []
        if frequency in cp.COUNTED:
            for period in cp.periods_overlapping(first, last, frequency):
                cells.append(
                    Cell(
                        span=cp.MONTHS[frequency],
                        result=results.get((item.pk, period.start)),
                        period=period,
                        postings=posted.get((item.pk, period.start, period.end), 0),
                    )
                )
        else:
            count = sum(n for (i, _s, _e), n in posted.items() if i == item.pk)
            cells.append(Cell(span=12, postings=count))
        rows.append(MatrixRow(item, frequency, override, cells))
    return {"months": months, "rows": rows, "year": year}


@dataclass
class BoardRow:
    item: CommitteeDisclosureItem
    frequency: str
    current: cp.Period | None  # the period running now (post during or after it)
    previous: cp.Period | None  # the last ended period
    previous_due: date | None
    previous_status: str
    previous_posted: date | None


def clerk_board(committee, today: date) -> list[BoardRow]:
    """What the committee has to post: for each counted item, the period that ended last (with
    its due date and status, live from the postings) and the one running now."""
    postings = defaultdict(list)
    for item_id, start, end, posted_on in (
        CommitteePosting.objects.filter(committee=committee)
        .order_by("posted_on")
        .values_list("item_id", "period_start", "period_end", "posted_on")
    ):
        postings[item_id].append((start, end, posted_on))
    rows = []
    for item, frequency, _override in effective_items(committee):
        if frequency not in cp.COUNTED:
            rows.append(BoardRow(item, frequency, None, None, None, "", None))
            continue
        current = cp.period_of(today, frequency)
        previous = cp.period_of(current.start.replace(day=1) - _one_day(), frequency)
        due = cp.due_on(previous, item.grace_workdays)
        posted = next((p for s, e, p in postings[item.pk] if cp.covers(s, e, previous)), None)
        rows.append(
            BoardRow(
                item,
                frequency,
                current,
                previous,
                due,
                cp.status(today=today, due=due, posted_on=posted),
                posted,
            )
        )
    return rows


def _one_day():
    from datetime import timedelta

    return timedelta(days=1)


def postings(user, *, committee=None, agency_id=None) -> QuerySet[CommitteePosting]:
    """Postings the user may see, newest first, with what a list shows (three queries)."""
    qs = CommitteePosting.objects.filter(committee__in=readable_committees(user))
    if committee is not None:
        qs = qs.filter(committee=committee)
    if agency_id is not None:
        qs = qs.filter(agency_id=agency_id)
    return (
        qs.select_related("committee__subdistrict", "item", "recorded_by")
        .prefetch_related(Prefetch("files"))
        .order_by("-posted_on", "-pk")
    )


def results(agency_id: int, *, first=None, last=None, status="", committee_id=None):
    qs = CommitteeCheckResult.objects.filter(agency_id=agency_id).select_related(
        "committee", "subdistrict", "item"
    )
    if first is not None:
        qs = qs.filter(period_start__gte=first)
    if last is not None:
        qs = qs.filter(period_end__lte=last)
    if status:
        qs = qs.filter(status=status)
    if committee_id is not None:
        qs = qs.filter(committee_id=committee_id)
    return qs


def items(agency_id: int) -> QuerySet[CommitteeDisclosureItem]:
    return CommitteeDisclosureItem.objects.filter(agency_id=agency_id).order_by(
        "committee_kind", "order", "pk"
    )


def overrides(agency_id: int) -> QuerySet[CommitteeItemOverride]:
    return (
        CommitteeItemOverride.objects.filter(committee__agency_id=agency_id)
        .select_related("committee__subdistrict", "item", "decided_by")
        .order_by("committee__subdistrict__sort_order", "committee__name", "item__order")
    )
