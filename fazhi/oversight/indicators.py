"""The indicator registry of the comprehensive evaluation (综合考评) and the built-in indicators.

An indicator turns a period's records into a value from 0 to 100 per unit (department or
subdistrict): `compute(agency, period_start, period_end, unit_kind)` returns
`{unit_id: IndicatorValue(value, basis)}`, where `basis` holds the counts the value was made
from, so every score can explain itself on the page, in the API and in the XLSX export.
Other modules add theirs with `register_indicator(...)` from their own `ready()` (the services
module registers "service_satisfaction"); nothing here has to change for that.

Decisions:
- **A unit with no data for an indicator gets no value**, and its weight is redistributed over
  the indicators that have one: the total is Σ(weight × value) / Σ(weight of the indicators
  with a value). "No data, full marks" (无数据不扣分) would rank a department that was never
  checked above one that was checked and did well; a zero would punish it for the legal
  office's sampling. Redistribution scores each unit on what was measured. A unit with no
  value for any indicator is not ranked.
- **Values are rounded to two decimals (ROUND_HALF_UP) when computed**, and the total is
  computed from those rounded values, so anyone can recompute the published total from the
  published breakdown.
- spot_check_score is Σ points / Σ maximum points × 100 over the files reviewed in the period
  (the review's date), a file failing a veto item counting 0 points; the maximum of a file is
  the sum of its checklist's points items (100 when a checklist has none). A ratio of sums
  rather than a mean of percentages, so the basis (得分合计 / 满分合计) gives the value.
- rectification_on_time counts rectifications due in the period or closed in it; closed on or
  before `due_on` is on time, closed after it or still open after `due_on` is late; one still
  open and not yet due (as of the day of computation) is left out.
- visit_score is Σ total_points / Σ max_points × 100 of the visits made in the period; a
  visit without scored items (max 0) is left out.
- committee_timeliness is on time / (on time + late + missing) × 100 of the check results
  whose period starts in the evaluation period; pending ones (grace not over) are left out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fazhi.oversight.models.evaluation import UnitKind

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class IndicatorValue:
    """A unit's value (0–100, two decimals) and the counts it was computed from."""

    value: Decimal
    basis: dict = field(default_factory=dict)


Compute = Callable[[object, date, date, str], dict[int, IndicatorValue]]


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str
    # The unit kinds it can score (UnitKind values).
    unit_kinds: tuple[str, ...]
    compute: Compute
    description: str = ""
    # Chinese names of the basis keys, for pages and exports.
    basis_labels: dict = field(default_factory=dict)

    def applies_to(self, unit_kind: str) -> bool:
        return unit_kind in self.unit_kinds


_REGISTRY: dict[str, Indicator] = {}


def register_indicator(indicator: Indicator, *, replace: bool = False) -> Indicator:
    """Add an indicator; a key already taken is refused unless `replace` (for tests)."""
    if not indicator.key or len(indicator.key) > 40:
        raise ValueError("indicator key must be 1–40 characters")
    unknown = set(indicator.unit_kinds) - set(UnitKind.values)
    if unknown or not indicator.unit_kinds:
        raise ValueError(f"indicator {indicator.key}: unit kinds {sorted(unknown)} unknown")
    if indicator.key in _REGISTRY and not replace:
        raise ValueError(f"indicator {indicator.key} already registered")
    _REGISTRY[indicator.key] = indicator
    return indicator


def unregister_indicator(key: str) -> None:
    """For tests that register an indicator of their own."""
    _REGISTRY.pop(key, None)


def get_indicator(key: str) -> Indicator | None:
    return _REGISTRY.get(key)


def all_indicators() -> list[Indicator]:
    return list(_REGISTRY.values())


def indicators_for(unit_kind: str) -> list[Indicator]:
    return [i for i in _REGISTRY.values() if i.applies_to(unit_kind)]


def percent(part, whole) -> Decimal:
    """part / whole × 100, two decimals, ROUND_HALF_UP, within 0–100."""
    whole = Decimal(str(whole))
    if whole <= 0:
        raise ValueError("whole must be positive")
    value = (Decimal(str(part)) * HUNDRED / whole).quantize(CENT, rounding=ROUND_HALF_UP)
    return min(max(value, Decimal(0)), HUNDRED)


def _number(value) -> float | int:
    """Counts as int, points as float (JSON-friendly basis)."""
    value = Decimal(str(value or 0))
    return int(value) if value == value.to_integral_value() else float(value)


# --- Built-in indicators --------------------------------------------------------------------


def spot_check_score(agency, start: date, end: date, unit_kind: str) -> dict[int, IndicatorValue]:
    from fazhi.oversight.models import ChecklistItem, SampledFile

    files = list(
        SampledFile.objects.filter(
            plan__agency=agency,
            state=SampledFile.State.REVIEWED,
            reviewed_at__date__gte=start,
            reviewed_at__date__lte=end,
        ).values_list("department_id", "plan__checklist_id", "score", "vetoed")
    )
    checklist_max = dict(
        ChecklistItem.objects.filter(
            checklist_id__in={f[1] for f in files}, kind=ChecklistItem.Kind.POINTS
        )
        .order_by()
        .values("checklist_id")
        .annotate(total=Sum("max_points"))
        .values_list("checklist_id", "total")
    )
    tally: dict[int, dict] = defaultdict(
        lambda: {"reviewed": 0, "vetoed": 0, "points": Decimal(0), "max_points": Decimal(0)}
    )
    for department_id, checklist_id, score, vetoed in files:
        row = tally[department_id]
        row["reviewed"] += 1
        row["max_points"] += Decimal(checklist_max.get(checklist_id) or HUNDRED)
        if vetoed:
            row["vetoed"] += 1
        else:
            row["points"] += Decimal(score or 0)
    return {
        unit: IndicatorValue(
            percent(row["points"], row["max_points"]),
            {k: _number(v) for k, v in row.items()},
        )
        for unit, row in tally.items()
        if row["max_points"] > 0
    }


def rectification_on_time(
    agency, start: date, end: date, unit_kind: str, *, today: date | None = None
) -> dict[int, IndicatorValue]:
    from fazhi.oversight.models import Rectification

    today = today or timezone.localdate()
    unit_field = "department_id" if unit_kind == UnitKind.DEPARTMENT else "finding__subdistrict_id"
    rows = (
        Rectification.objects.filter(agency=agency)
        .filter(Q(due_on__range=(start, end)) | Q(closed_on__range=(start, end)))
        .values_list(unit_field, "state", "due_on", "closed_on")
    )
    tally: dict[int, dict] = defaultdict(
        lambda: {"counted": 0, "on_time": 0, "closed_late": 0, "overdue_open": 0}
    )
    for unit, state, due_on, closed_on in rows:
        if unit is None:
            continue
        if state == Rectification.State.CLOSED and closed_on is not None:
            key = "on_time" if closed_on <= due_on else "closed_late"
        elif due_on < today:
            key = "overdue_open"
        else:
            continue  # open and not yet due: neither on time nor late yet
        tally[unit][key] += 1
        tally[unit]["counted"] += 1
    return {
        unit: IndicatorValue(percent(row["on_time"], row["counted"]), dict(row))
        for unit, row in tally.items()
        if row["counted"]
    }


def visit_score(agency, start: date, end: date, unit_kind: str) -> dict[int, IndicatorValue]:
    from fazhi.oversight.models import Visit

    unit_field = "department_id" if unit_kind == UnitKind.DEPARTMENT else "subdistrict_id"
    rows = (
        Visit.objects.filter(agency=agency, visited_on__range=(start, end), max_points__gt=0)
        .exclude(**{f"{unit_field}__isnull": True})
        .order_by()
        .values(unit_field)
        .annotate(
            visits=Count("pk"),
            points=Sum("total_points"),
            max_points=Sum("max_points"),
        )
    )
    return {
        row[unit_field]: IndicatorValue(
            percent(row["points"], row["max_points"]),
            {
                "visits": row["visits"],
                "points": _number(row["points"]),
                "max_points": _number(row["max_points"]),
            },
        )
        for row in rows
    }


def committee_timeliness(
    agency, start: date, end: date, unit_kind: str
) -> dict[int, IndicatorValue]:
    from fazhi.oversight.models import CommitteeCheckResult

    Status = CommitteeCheckResult.Status
    rows = (
        CommitteeCheckResult.objects.filter(
            agency=agency,
            period_start__range=(start, end),
            status__in=[Status.ON_TIME, Status.LATE, Status.MISSING],
        )
        .values_list("subdistrict_id", "status")
        .order_by()
    )
    tally: dict[int, dict] = defaultdict(lambda: {"on_time": 0, "late": 0, "missing": 0})
    for subdistrict_id, status in rows:
        tally[subdistrict_id][status] += 1
    return {
        unit: IndicatorValue(percent(row["on_time"], sum(row.values())), dict(row))
        for unit, row in tally.items()
    }


SPOT_CHECK_SCORE = register_indicator(
    Indicator(
        key="spot_check_score",
        label=_("案卷评查得分"),
        unit_kinds=(UnitKind.DEPARTMENT,),
        compute=spot_check_score,
        description=_(
            "期间内评查完毕的抽查案卷：得分合计 ÷ 满分合计 × 100；触及否决项的案卷计 0 分。"
        ),
        basis_labels={
            "reviewed": _("评查案卷数"),
            "vetoed": _("触及否决项"),
            "points": _("得分合计"),
            "max_points": _("满分合计"),
        },
    )
)
RECTIFICATION_ON_TIME = register_indicator(
    Indicator(
        key="rectification_on_time",
        label=_("按期整改率"),
        unit_kinds=(UnitKind.DEPARTMENT, UnitKind.SUBDISTRICT),
        compute=rectification_on_time,
        description=_(
            "期间内到期或销号的整改：在整改期限内销号的件数 ÷ 计入件数 × 100；"
            "逾期销号和逾期未销号均计为未按期，尚未到期的未销号整改不计入。"
        ),
        basis_labels={
            "counted": _("计入件数"),
            "on_time": _("按期销号"),
            "closed_late": _("逾期销号"),
            "overdue_open": _("逾期未销号"),
        },
    )
)
VISIT_SCORE = register_indicator(
    Indicator(
        key="visit_score",
        label=_("明察暗访得分率"),
        unit_kinds=(UnitKind.DEPARTMENT, UnitKind.SUBDISTRICT),
        compute=visit_score,
        description=_("期间内监督员走访：得分合计 ÷ 满分合计 × 100。"),
        basis_labels={
            "visits": _("走访次数"),
            "points": _("得分合计"),
            "max_points": _("满分合计"),
        },
    )
)
COMMITTEE_TIMELINESS = register_indicator(
    Indicator(
        key="committee_timeliness",
        label=_("居（村）务公开及时率"),
        unit_kinds=(UnitKind.SUBDISTRICT,),
        compute=committee_timeliness,
        description=_(
            "期间内开始的应公开期次：按时公开 ÷（按时公开＋逾期公开＋未公开）× 100；"
            "未到期的不计入。"
        ),
        basis_labels={
            "on_time": _("按时公开"),
            "late": _("逾期公开"),
            "missing": _("未公开"),
        },
    )
)
