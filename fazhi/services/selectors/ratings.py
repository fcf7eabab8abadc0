"""Reads of the ratings area: the staff list, one rating, the figures, 待办, the indicator.

The figures (满意度统计) never count a rating excluded by an approved appeal. Definitions, the
same on the pages, in the export, the API and the evaluation indicator:

- 满意率 = (非常满意 + 满意 + 基本满意) ÷ 评价总数 × 100, two decimals, ROUND_HALF_UP.
- 差评 = 不满意 + 非常不满意; 差评整改率 = 已反馈的差评 ÷ 差评 × 100.
- 实名差评回访率 = 已登记回访的实名差评 ÷ 实名差评 × 100.
A rate whose denominator is 0 is None ("—"), never 0 or 100.

Each figure is one aggregate query grouped by the dimension (item, department, center or
month), plus one query for the labels: the cost does not grow with the number of ratings shown.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q
from django.db.models.functions import ExtractMonth
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fazhi.core.models import Agency, Department
from fazhi.core.roles import Role
from fazhi.core.tenancy import agencies_with_role, readable_agency_ids, writable_agency_ids
from fazhi.services.models import ServiceCase, ServiceCenter, ServiceItem
from fazhi.services.models.ratings import (
    SATISFIED_LEVELS,
    BadReviewFollowUp,
    Rating,
    RatingAppeal,
    RatingChannel,
    RatingLevel,
    RatingSms,
    RatingToken,
)
from fazhi.services.permissions import ratings as perms

HUNDRED = Decimal(100)
CENT = Decimal("0.01")
DIMENSIONS = {
    "month": _("月份"),
    "item": _("服务事项"),
    "department": _("责任处室"),
    "center": _("受理中心"),
}
NO_CENTER = _("无受理中心（网上办理）")
LEVELS = tuple(RatingLevel.values)
TASK_LIMIT = 50


# --- Scope ----------------------------------------------------------------------------------


def reading_agencies(user) -> list[Agency]:
    """Agencies whose ratings (or figures) the user reads, first by id."""
    from fazhi.services.selectors import reading_agency_ids

    return list(Agency.objects.filter(pk__in=reading_agency_ids(user)).order_by("pk"))


def agency_for(user, wanted: int | None = None) -> Agency | None:
    agencies = reading_agencies(user)
    if wanted is not None:
        return next((a for a in agencies if a.pk == wanted), None)
    return agencies[0] if agencies else None


def visible_ratings(user, agency: Agency):
    """The agency's ratings the user may read: all for the legal office, leaders and
    overseers, their own departments' for department staff."""
    qs = Rating.objects.filter(agency=agency)
    if perms.reads_all_ratings(user, agency.pk):
        return qs
    return qs.filter(department_id__in=perms.own_department_ids(user, agency.pk))


@dataclass
class RatingFilters:
    channel: str = ""
    level: int | None = None
    bad: bool | None = None
    department: int | None = None
    center: int | None = None
    item: int | None = None
    year: int | None = None
    month: int | None = None
    follow_up: str = ""
    appeal: str = ""
    excluded: bool | None = None


def rating_list(user, agency: Agency, filters: RatingFilters | None = None):
    """The staff list, newest first, with what each row shows joined (constant queries)."""
    f = filters or RatingFilters()
    qs = visible_ratings(user, agency)
    if f.channel:
        qs = qs.filter(channel=f.channel)
    if f.level:
        qs = qs.filter(level=f.level)
    if f.bad is not None:
        qs = qs.filter(bad=f.bad)
    if f.department:
        qs = qs.filter(department_id=f.department)
    if f.center:
        qs = qs.filter(center_id=f.center)
    if f.item:
        qs = qs.filter(item_id=f.item)
    if f.year:
        first, last = _year_span(f.year, f.month)
        qs = qs.filter(rated_on__gte=first, rated_on__lte=last)
    if f.follow_up == "overdue":
        today = timezone.localdate()
        qs = qs.filter(
            Q(
                follow_up__state=BadReviewFollowUp.State.AWAITING_CALLBACK,
                follow_up__callback_due_on__lt=today,
            )
            | Q(
                follow_up__state__in=BadReviewFollowUp.OPEN_STATES,
                follow_up__fix_due_on__lt=today,
            ),
            excluded=False,
        )
    elif f.follow_up == "open":
        qs = qs.filter(follow_up__state__in=BadReviewFollowUp.OPEN_STATES, excluded=False)
    elif f.follow_up in BadReviewFollowUp.State.values:
        qs = qs.filter(follow_up__state=f.follow_up)
    if f.appeal == "pending":
        qs = qs.filter(appeals__state=RatingAppeal.State.PENDING)
    if f.excluded is not None:
        qs = qs.filter(excluded=f.excluded)
    return qs.select_related(
        "case", "item", "department", "center", "follow_up", "agency"
    ).order_by("-rated_on", "-pk")


def access_rating(user, pk) -> Rating:
    """One rating the user may read; missing and forbidden both 404."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    rating = (
        Rating.objects.filter(pk=pk, agency_id__in=readable_agency_ids(user))
        .select_related("agency", "case", "item", "department", "center", "center__subdistrict")
        .first()
    )
    if rating is None or not perms.reads_rating(user, rating):
        raise Http404
    return rating


def follow_up_of(rating) -> BadReviewFollowUp | None:
    return (
        BadReviewFollowUp.objects.filter(rating=rating)
        .select_related("department", "assignee")
        .first()
    )


def appeals_of(rating) -> list[RatingAppeal]:
    return list(
        RatingAppeal.objects.filter(rating=rating)
        .select_related("filed_by", "decided_by")
        .prefetch_related("evidence")
        .order_by("pk")
    )


def case_of_agency(user, case_id) -> ServiceCase:
    """A case of an agency the user reads (404 otherwise): the counter device and the links
    then check the role (403)."""
    try:
        pk = int(case_id)
    except (TypeError, ValueError):
        raise Http404 from None
    case = (
        ServiceCase.objects.filter(pk=pk, agency_id__in=readable_agency_ids(user))
        .select_related("agency", "item", "department", "center")
        .first()
    )
    if case is None:
        raise Http404
    return case


@dataclass
class CasePanel:
    """What the case page's ratings panel shows."""

    ratings: list
    links: dict
    messages: list
    may_counter: bool
    may_send: bool
    rateable: bool
    counter_rated: bool
    has_mobile: bool
    read_ratings: bool
    channels: list = field(default_factory=list)


def case_panel(user, case) -> CasePanel:
    from fazhi.services.services.ratings import case_mobile, is_rateable

    ratings = list(Rating.objects.filter(case=case).select_related("follow_up").order_by("channel"))
    links = {t.channel: t for t in RatingToken.objects.filter(case=case)}
    messages = list(
        RatingSms.objects.filter(case=case, kind=RatingSms.Kind.LINK).order_by("-pk")[:3]
    )
    rated = {r.channel for r in ratings}
    now = timezone.now()
    channels = []
    for value, label in RatingChannel.choices:
        rating = next((r for r in ratings if r.channel == value), None)
        token = links.get(value)
        channels.append(
            {
                "channel": value,
                "label": label,
                "rating": rating,
                "token": token,
                "expired": token is not None and token.used_at is None and token.expires_at <= now,
            }
        )
    may_counter = bool(user.has_perm(perms.RATE_AT_COUNTER, case))
    return CasePanel(
        ratings=ratings,
        links=links,
        messages=messages,
        may_counter=may_counter,
        may_send=bool(user.has_perm(perms.SEND_LINK, case)),
        rateable=is_rateable(case),
        counter_rated=RatingChannel.COUNTER in rated,
        has_mobile=bool(case_mobile(case)),
        read_ratings=any(perms.reads_rating(user, r) for r in ratings),
        channels=channels,
    )


# --- Figures --------------------------------------------------------------------------------


def rate(part: int, whole: int) -> Decimal | None:
    """part ÷ whole × 100, two decimals ROUND_HALF_UP; None when there is nothing to divide."""
    if not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class FigureRow:
    key: object
    label: str
    total: int = 0
    levels: dict = field(default_factory=dict)
    bad: int = 0
    answered: int = 0
    real_bad: int = 0
    real_called: int = 0

    @property
    def satisfied(self) -> int:
        return sum(self.levels.get(level, 0) for level in SATISFIED_LEVELS)

    @property
    def satisfaction_rate(self) -> Decimal | None:
        return rate(self.satisfied, self.total)

    @property
    def fix_rate(self) -> Decimal | None:
        return rate(self.answered, self.bad)

    @property
    def callback_rate(self) -> Decimal | None:
        return rate(self.real_called, self.real_bad)

    @property
    def level_counts(self) -> list[int]:
        return [self.levels.get(level, 0) for level in LEVELS]

    def add(self, other: FigureRow) -> None:
        self.total += other.total
        for level in LEVELS:
            self.levels[level] = self.levels.get(level, 0) + other.levels.get(level, 0)
        self.bad += other.bad
        self.answered += other.answered
        self.real_bad += other.real_bad
        self.real_called += other.real_called

    def as_dict(self) -> dict:
        return {
            "key": None if self.key is None else str(self.key),
            "label": str(self.label),
            "total": self.total,
            "levels": {str(level): self.levels.get(level, 0) for level in LEVELS},
            "satisfied": self.satisfied,
            "satisfaction_rate": self.satisfaction_rate,
            "bad": self.bad,
            "answered": self.answered,
            "fix_rate": self.fix_rate,
            "real_name_bad": self.real_bad,
            "real_name_called_back": self.real_called,
            "callback_rate": self.callback_rate,
        }


@dataclass
class Figures:
    agency: Agency
    year: int
    by: str
    rows: list[FigureRow]
    total: FigureRow


def _year_span(year: int, month: int | None = None) -> tuple[date, date]:
    if month:
        return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    return date(year, 1, 1), date(year, 12, 31)


_GROUP = {
    "item": "item_id",
    "department": "department_id",
    "center": "center_id",
}


def _aggregates() -> dict:
    answered = Q(bad=True, follow_up__state=BadReviewFollowUp.State.ANSWERED)
    real_bad = Q(bad=True, real_name=True)
    called = Q(bad=True, real_name=True, follow_up__called_back_on__isnull=False)
    counts = {f"l{level}": Count("pk", filter=Q(level=level)) for level in LEVELS}
    return {
        "total": Count("pk"),
        **counts,
        "bad_n": Count("pk", filter=Q(bad=True)),
        "answered_n": Count("pk", filter=answered),
        "real_bad_n": Count("pk", filter=real_bad),
        "real_called_n": Count("pk", filter=called),
    }


def counted(agency, *, first: date, last: date, department=None, center=None, item=None):
    """The ratings the figures count: of the agency, in [first, last], not excluded."""
    qs = Rating.objects.filter(
        agency=agency, rated_on__gte=first, rated_on__lte=last, excluded=False
    )
    if department:
        qs = qs.filter(department_id=department)
    if center:
        qs = qs.filter(center_id=center)
    if item:
        qs = qs.filter(item_id=item)
    return qs


def _labels(by: str, keys) -> dict:
    keys = [k for k in keys if k is not None]
    if by == "item":
        return dict(ServiceItem.objects.filter(pk__in=keys).values_list("pk", "name"))
    if by == "department":
        return dict(Department.objects.filter(pk__in=keys).values_list("pk", "name"))
    if by == "center":
        return dict(ServiceCenter.objects.filter(pk__in=keys).values_list("pk", "name"))
    return {m: _("%(m)d月") % {"m": m} for m in keys}


def figures(
    agency,
    *,
    year: int,
    by: str = "month",
    month: int | None = None,
    department: int | None = None,
    center: int | None = None,
    item: int | None = None,
) -> Figures:
    """满意度统计 of a year (or one month of it) per month, item, department or center."""
    if by not in DIMENSIONS:
        by = "month"
    first, last = _year_span(year, month)
    qs = counted(agency, first=first, last=last, department=department, center=center, item=item)
    if by == "month":
        grouped = qs.annotate(group=ExtractMonth("rated_on")).values("group")
    else:
        grouped = qs.values(group=_aggregate_key(by))
    rows_data = list(grouped.annotate(**_aggregates()).order_by())
    labels = _labels(by, [r["group"] for r in rows_data])
    rows = []
    for data in rows_data:
        key = data["group"]
        rows.append(
            FigureRow(
                key=key,
                label=str(labels.get(key, NO_CENTER if key is None else key)),
                total=data["total"],
                levels={level: data[f"l{level}"] for level in LEVELS},
                bad=data["bad_n"],
                answered=data["answered_n"],
                real_bad=data["real_bad_n"],
                real_called=data["real_called_n"],
            )
        )
    if by == "month":
        rows.sort(key=lambda r: r.key)
    else:
        rows.sort(key=lambda r: (r.key is None, r.label))
    total = FigureRow(key=None, label=str(_("合计")), levels={})
    for row in rows:
        total.add(row)
    return Figures(agency=agency, year=year, by=by, rows=rows, total=total)


def _aggregate_key(by: str):
    from django.db.models import F

    return F(_GROUP[by])


def figure_years(agency) -> list[int]:
    """Years to offer in the filters: from the first rating (or this year) to this year."""
    this = timezone.localdate().year
    first = (
        Rating.objects.filter(agency=agency).order_by("rated_on").values_list("rated_on", flat=True)
    ).first()
    start = min(first.year, this) if first else this
    return list(range(this, start - 1, -1))


def public_agencies() -> list[Agency]:
    """Agencies that publish a power list: their figures are public."""
    return list(Agency.objects.filter(power_lists__state="published").distinct().order_by("pk"))


# --- 待办 and the evaluation indicator ------------------------------------------------------


def rating_tasks(user):
    """待办: the department's open follow-ups (回访, 核实, 整改并反馈) and, for the legal office
    and leaders, appeals awaiting a decision. Two queries at most."""
    from django.urls import reverse

    from fazhi.workspace.tasks import Task

    if not getattr(user, "is_authenticated", False):
        return []
    module = _("好差评")
    found = []
    writable = writable_agency_ids(user)
    units = set(
        user.memberships.active()
        .filter(agency_id__in=writable, role__in=perms.DEPARTMENT_ROLES, department__isnull=False)
        .values_list("department_id", flat=True)
    )
    State = BadReviewFollowUp.State
    if units:
        rows = (
            BadReviewFollowUp.objects.filter(
                agency_id__in=writable,
                department_id__in=units,
                state__in=BadReviewFollowUp.OPEN_STATES,
                rating__excluded=False,
            )
            .order_by("fix_due_on", "pk")
            .values_list(
                "rating_id", "rating__item__name", "state", "callback_due_on", "fix_due_on"
            )[:TASK_LIMIT]
        )
        for rating_id, item, state, callback_due, fix_due in rows:
            if state == State.AWAITING_CALLBACK:
                title, due = _("回访差评：%(item)s") % {"item": item}, callback_due
            elif state == State.VERIFYING:
                title, due = _("核实差评：%(item)s") % {"item": item}, fix_due
            else:
                title, due = _("差评整改并反馈评价人：%(item)s") % {"item": item}, fix_due
            found.append(Task(title, reverse("services:rating", args=[rating_id]), module, due))
    deciders = [
        a for a in agencies_with_role(user, Role.LEGAL_OFFICER, Role.LEADER) if a in writable
    ]
    if deciders:
        appeals = (
            RatingAppeal.objects.filter(agency_id__in=deciders, state=RatingAppeal.State.PENDING)
            .order_by("filed_at", "pk")
            .values_list("rating_id", "rating__item__name")[:TASK_LIMIT]
        )
        for rating_id, item in appeals:
            found.append(
                Task(
                    _("审核差评申诉：%(item)s") % {"item": item},
                    reverse("services:rating", args=[rating_id]),
                    module,
                )
            )
    return found


def satisfaction_indicator(agency, start: date, end: date, unit_kind: str) -> dict:
    """service_satisfaction: 满意率 per department (the case's) or subdistrict (the center's)
    over the ratings of the period, excluded ones left out."""
    from fazhi.oversight.indicators import IndicatorValue, percent
    from fazhi.oversight.models.evaluation import UnitKind

    unit = "department_id" if unit_kind == UnitKind.DEPARTMENT else "center__subdistrict_id"
    rows = (
        Rating.objects.filter(agency=agency, rated_on__gte=start, rated_on__lte=end, excluded=False)
        .exclude(**{f"{unit}__isnull": True})
        .values(unit)
        .annotate(
            rated=Count("pk"),
            satisfied=Count("pk", filter=Q(level__in=list(SATISFIED_LEVELS))),
            bad_n=Count("pk", filter=Q(bad=True)),
        )
        .order_by()
    )
    return {
        row[unit]: IndicatorValue(
            percent(row["satisfied"], row["rated"]),
            {"rated": row["rated"], "satisfied": row["satisfied"], "bad": row["bad_n"]},
        )
        for row in rows
    }


# --- What a user may do now (pages and API) -------------------------------------------------

FOLLOW_UP_ACTIONS = {
    "record_callback": _("登记回访"),
    "verify": _("登记核实结论"),
    "record_fix": _("登记整改情况"),
    "open_finding": _("转入整改督办"),
    "send_answer": _("整改完成，反馈评价人"),
}


def follow_up_actions(user, follow_up) -> list[dict]:
    """The loop's steps `user` may take now on `follow_up` (none once answered or excluded)."""
    from fazhi.services.models.ratings import FOLLOW_UP

    if follow_up is None or follow_up.rating.excluded or not follow_up.is_open:
        return []
    State = BadReviewFollowUp.State
    handles = bool(user.has_perm(FOLLOW_UP, follow_up))
    names = []
    if handles and follow_up.state == State.AWAITING_CALLBACK:
        names.append("record_callback")
    if handles and follow_up.state == State.VERIFYING:
        names.append("verify")
    if follow_up.state == State.RECTIFYING:
        if handles:
            names.append("record_fix")
        if not follow_up.finding_ref and user.has_perm(perms.OPEN_FINDING, follow_up):
            names.append("open_finding")
        if handles and follow_up.fix_note.strip():
            names.append("send_answer")
    return [{"name": name, "label": str(FOLLOW_UP_ACTIONS[name])} for name in names]
