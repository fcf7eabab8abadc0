"""Comprehensive evaluation (综合考评): schemes of weighted indicators, and evaluations that
score and rank departments or subdistricts for a period.

Rules:
- A scheme is edited as a draft (name, unit kind, indicators with weights; weights need not
  add up yet). Activating it checks that the weights add up to exactly 100 and that every
  indicator is registered and applies to the unit kind, and locks it. A change is a new
  version: a draft copy (version + 1, `previous` set); activating it retires the version before,
  which stays for the evaluations that used it.
- An evaluation needs an active scheme and a period that has started and ended (by today). It
  is computed as often as the legal office likes until published: each computation replaces the
  stored scores. Publishing freezes it: no recompute, no edit; the stored scores are the
  result whatever the records say later. Leaders and department heads are notified.
- Total = Σ(weight × value) / Σ(weight of the indicators with a value), rounded to two
  decimals ROUND_HALF_UP (indicators.py: a missing value's weight is redistributed); with a
  value for every indicator that is Σ weight × value / 100. Ranks are shared by equal totals
  (1, 2, 2, 4).

Every service checks the actor's permission (NotAllowed), validates (InvalidInput), runs in one
transaction with the row locked and writes its audit event; a refusal writes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from fazhi.core import audit
from fazhi.core.errors import Conflict, InvalidInput, NotAllowed
from fazhi.core.models import Department, Membership, Subdistrict
from fazhi.core.roles import Role
from fazhi.core.tenancy import writable_agency_ids
from fazhi.oversight import indicators as registry
from fazhi.oversight.models import (
    Evaluation,
    EvaluationIndicator,
    EvaluationScheme,
    EvaluationScore,
    UnitKind,
)

MANAGE = "oversight.manage_evaluations"
HUNDRED = Decimal(100)
CENT = Decimal("0.01")
MAX_NAME = 100
MAX_TITLE = 200
MAX_TEXT = 5000
EARLIEST = dt.date(2000, 1, 1)
# An evaluation period longer than this is almost surely a typing error.
MAX_PERIOD_DAYS = 3 * 366

SchemeState = EvaluationScheme.State
EvalState = Evaluation.State


@dataclass(frozen=True)
class IndicatorWeight:
    key: str
    weight: Decimal | str | int | float
    label: str = ""


# --- Helpers ------------------------------------------------------------------------------------


def _require(actor, obj) -> None:
    if not actor.has_perm(MANAGE, obj) or obj.agency_id not in writable_agency_ids(actor):
        raise NotAllowed()


def _text(value, label: str, *, max_length: int, required: bool = True) -> str:
    text = str(value or "").strip()
    if "\x00" in text:
        raise InvalidInput(_("%(label)s含有无效字符。") % {"label": label}, code="invalid_text")
    if required and not text:
        raise InvalidInput(_("请填写%(label)s。") % {"label": label}, code="required")
    if len(text) > max_length:
        raise InvalidInput(
            _("%(label)s不能超过 %(n)d 个字。") % {"label": label, "n": max_length},
            code="too_long",
        )
    return text


def _unit_kind(value) -> str:
    if value not in UnitKind.values:
        raise InvalidInput(_("考评对象须为科室/单位或街道/镇。"), code="invalid_unit_kind")
    return value


def _weight(value, label: str) -> Decimal:
    try:
        weight = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise InvalidInput(
            _("“%(label)s”的权重须为数字。") % {"label": label}, code="invalid_weight"
        ) from exc
    if not weight.is_finite() or weight <= 0 or weight > HUNDRED:
        raise InvalidInput(
            _("“%(label)s”的权重须大于 0 且不超过 100。") % {"label": label},
            code="invalid_weight",
        )
    if weight != weight.quantize(CENT):
        raise InvalidInput(
            _("“%(label)s”的权重最多保留两位小数。") % {"label": label}, code="invalid_weight"
        )
    return weight.quantize(CENT)


def _indicator_rows(rows, unit_kind: str) -> list[tuple[str, str, Decimal]]:
    """(key, label, weight) checked: registered, applicable, each at most once."""
    checked: list[tuple[str, str, Decimal]] = []
    seen: set[str] = set()
    for row in rows or ():
        if isinstance(row, dict):
            row = IndicatorWeight(**{k: row.get(k) for k in ("key", "weight", "label") if k in row})
        key = str(row.key or "").strip()
        indicator = registry.get_indicator(key)
        if indicator is None:
            raise InvalidInput(
                _("指标“%(key)s”不存在。") % {"key": key[:40]}, code="unknown_indicator"
            )
        if not indicator.applies_to(unit_kind):
            raise InvalidInput(
                _("指标“%(label)s”不适用于%(kind)s。")
                % {"label": indicator.label, "kind": UnitKind(unit_kind).label},
                code="indicator_not_applicable",
            )
        if key in seen:
            raise InvalidInput(
                _("指标“%(label)s”重复。") % {"label": indicator.label}, code="duplicate_indicator"
            )
        seen.add(key)
        label = _text(row.label or str(indicator.label), _("指标名称"), max_length=100)
        checked.append((key, label, _weight(row.weight, label)))
    return checked


def plain(number: Decimal) -> str:
    """40.00 → "40", 30.50 → "30.5" (never "4E+1")."""
    return format(Decimal(number).normalize(), "f")


def weight_sum(weights) -> Decimal:
    return sum((Decimal(w) for w in weights), Decimal(0)).quantize(CENT)


def _lock_scheme(scheme: EvaluationScheme) -> EvaluationScheme:
    return EvaluationScheme.objects.select_for_update().select_related("agency").get(pk=scheme.pk)


def _lock_evaluation(evaluation: Evaluation) -> Evaluation:
    return (
        Evaluation.objects.select_for_update()
        .select_related("agency", "scheme")
        .get(pk=evaluation.pk)
    )


def _event(verb: str, *, actor, target, agency, from_state="", http_request=None, **data):
    audit.record(
        f"oversight.evaluation.{verb}",
        actor=actor,
        agency=agency,
        target=target,
        from_state=from_state,
        to_state=getattr(target, "state", ""),
        request=http_request,
        data=data,
    )


def _state_conflict(record, message=None) -> Conflict:
    return Conflict(
        message
        or _("当前为“%(state)s”，不能进行此操作。可能已被他人处理，请刷新。")
        % {"state": record.get_state_display()},
        code="state_changed",
    )


def _write_indicators(scheme: EvaluationScheme, rows) -> None:
    scheme.indicators.all().delete()
    EvaluationIndicator.objects.bulk_create(
        EvaluationIndicator(scheme=scheme, key=key, label=label, weight=weight, order=n)
        for n, (key, label, weight) in enumerate(rows, start=1)
    )


def _indicator_data(rows) -> list[dict]:
    return [{"key": k, "weight": str(w)} for k, _label, w in rows]


# --- Schemes --------------------------------------------------------------------------------------


def scheme_create(
    *,
    actor,
    agency,
    name,
    unit_kind,
    indicators=(),
    description="",
    http_request=None,
) -> EvaluationScheme:
    """A draft scheme (version 1); a name already used by the agency is refused."""
    _require(actor, EvaluationScheme(agency=agency))
    name = _text(name, _("方案名称"), max_length=MAX_NAME)
    unit_kind = _unit_kind(unit_kind)
    description = _text(description, _("说明"), max_length=MAX_TEXT, required=False)
    rows = _indicator_rows(indicators, unit_kind)
    taken = Conflict(
        _("已有名为“%(name)s”的考评方案，如需修改请建立新版本。") % {"name": name},
        code="scheme_name_taken",
    )
    if EvaluationScheme.objects.filter(agency=agency, name=name).exists():
        raise taken
    try:
        with transaction.atomic():
            scheme = EvaluationScheme.objects.create(
                agency=agency,
                name=name,
                unit_kind=unit_kind,
                description=description,
                created_by=actor,
            )
            _write_indicators(scheme, rows)
            _event(
                "scheme_create",
                actor=actor,
                target=scheme,
                agency=agency,
                http_request=http_request,
                indicators=_indicator_data(rows),
            )
    except IntegrityError as exc:  # a colleague took the name at the same moment
        raise taken from exc
    return scheme


def scheme_update(
    *,
    actor,
    scheme: EvaluationScheme,
    name=None,
    unit_kind=None,
    description=None,
    indicators=None,
    http_request=None,
) -> EvaluationScheme:
    """Edit a draft; fields left None stay. The name is fixed once a version follows another."""
    _require(actor, scheme)
    with transaction.atomic():
        scheme = _lock_scheme(scheme)
        if scheme.state != SchemeState.DRAFT:
            raise _state_conflict(scheme, _("方案已启用，不能修改；如需调整请建立新版本。"))
        changed = []
        if name is not None:
            name = _text(name, _("方案名称"), max_length=MAX_NAME)
            if name != scheme.name:
                if scheme.version > 1:
                    raise InvalidInput(
                        _("新版本沿用原方案名称，不能改名。"), code="scheme_name_fixed"
                    )
                if (
                    EvaluationScheme.objects.filter(agency=scheme.agency, name=name)
                    .exclude(pk=scheme.pk)
                    .exists()
                ):
                    raise Conflict(
                        _("已有名为“%(name)s”的考评方案。") % {"name": name},
                        code="scheme_name_taken",
                    )
                scheme.name = name
                changed.append("name")
        if unit_kind is not None and unit_kind != scheme.unit_kind:
            if scheme.version > 1:
                raise InvalidInput(_("新版本沿用原方案的考评对象。"), code="scheme_unit_kind_fixed")
            scheme.unit_kind = _unit_kind(unit_kind)
            changed.append("unit_kind")
        if description is not None:
            scheme.description = _text(description, _("说明"), max_length=MAX_TEXT, required=False)
            changed.append("description")
        if indicators is not None:
            rows = _indicator_rows(indicators, scheme.unit_kind)
        elif "unit_kind" in changed:
            # The rows already there must still apply to the new unit kind.
            rows = _indicator_rows(
                [IndicatorWeight(i.key, i.weight, i.label) for i in scheme.indicators.all()],
                scheme.unit_kind,
            )
        else:
            rows = None
        try:
            with transaction.atomic():
                if changed:
                    scheme.save(update_fields=changed)
                if rows is not None:
                    _write_indicators(scheme, rows)
        except IntegrityError as exc:
            raise Conflict(_("方案名称已被使用。"), code="scheme_name_taken") from exc
        _event(
            "scheme_update",
            actor=actor,
            target=scheme,
            agency=scheme.agency,
            from_state=scheme.state,
            http_request=http_request,
            fields=changed,
            indicators=_indicator_data(rows) if rows is not None else None,
        )
    return scheme


def scheme_activate(*, actor, scheme: EvaluationScheme, http_request=None) -> EvaluationScheme:
    """Lock a draft for use; the active version of the same name is retired."""
    _require(actor, scheme)
    with transaction.atomic():
        scheme = _lock_scheme(scheme)
        if scheme.state != SchemeState.DRAFT:
            raise _state_conflict(scheme)
        rows = list(scheme.indicators.all())
        if not rows:
            raise InvalidInput(_("请至少设置一项考评指标。"), code="no_indicators")
        for row in rows:
            indicator = registry.get_indicator(row.key)
            if indicator is None:
                raise InvalidInput(
                    _("指标“%(label)s”已不可用，请删除后再启用。") % {"label": row.label},
                    code="unknown_indicator",
                )
            if not indicator.applies_to(scheme.unit_kind):
                raise InvalidInput(
                    _("指标“%(label)s”不适用于%(kind)s。")
                    % {"label": row.label, "kind": scheme.get_unit_kind_display()},
                    code="indicator_not_applicable",
                )
        total = weight_sum(r.weight for r in rows)
        if total != HUNDRED:
            raise InvalidInput(
                _("各项指标权重之和须恰好为 100，当前为 %(sum)s。") % {"sum": plain(total)},
                code="weights_not_100",
                sum=str(total),
            )
        retired = list(
            EvaluationScheme.objects.select_for_update()
            .filter(agency=scheme.agency, name=scheme.name, state=SchemeState.ACTIVE)
            .exclude(pk=scheme.pk)
        )
        for old in retired:
            old.state = SchemeState.RETIRED
            old.save(update_fields=["state"])
            _event(
                "scheme_retire",
                actor=actor,
                target=old,
                agency=old.agency,
                from_state=SchemeState.ACTIVE,
                http_request=http_request,
                successor=scheme.pk,
            )
        scheme.state = SchemeState.ACTIVE
        scheme.activated_at = timezone.now()
        scheme.save(update_fields=["state", "activated_at"])
        _event(
            "scheme_activate",
            actor=actor,
            target=scheme,
            agency=scheme.agency,
            from_state=SchemeState.DRAFT,
            http_request=http_request,
            retired=[old.pk for old in retired],
        )
    return scheme


def scheme_new_version(*, actor, scheme: EvaluationScheme, http_request=None) -> EvaluationScheme:
    """A draft copy of the latest version (version + 1); one draft per scheme at a time."""
    _require(actor, scheme)
    with transaction.atomic():
        scheme = _lock_scheme(scheme)
        if scheme.state == SchemeState.DRAFT:
            raise _state_conflict(scheme, _("草稿方案可直接修改，无需建立新版本。"))
        family = EvaluationScheme.objects.select_for_update().filter(
            agency=scheme.agency, name=scheme.name
        )
        if family.filter(state=SchemeState.DRAFT).exists():
            raise Conflict(
                _("该方案已有待启用的新版本草稿，请直接修改。"), code="draft_version_exists"
            )
        latest = family.aggregate(v=Max("version"))["v"] or scheme.version
        if scheme.version != latest:
            raise Conflict(
                _("只能基于最新版本（第%(v)d版）建立新版本。") % {"v": latest},
                code="not_latest_version",
            )
        copy = EvaluationScheme.objects.create(
            agency=scheme.agency,
            name=scheme.name,
            version=latest + 1,
            previous=scheme,
            unit_kind=scheme.unit_kind,
            description=scheme.description,
            created_by=actor,
        )
        EvaluationIndicator.objects.bulk_create(
            EvaluationIndicator(
                scheme=copy, key=i.key, label=i.label, weight=i.weight, order=i.order
            )
            for i in scheme.indicators.all()
        )
        _event(
            "scheme_new_version",
            actor=actor,
            target=copy,
            agency=copy.agency,
            http_request=http_request,
            previous=scheme.pk,
            version=copy.version,
        )
    return copy


# --- Evaluations ----------------------------------------------------------------------------------


def _period(start, end, *, today: dt.date) -> tuple[dt.date, dt.date]:
    if not isinstance(start, dt.date) or not isinstance(end, dt.date):
        raise InvalidInput(_("请填写考评期间。"), code="period_required")
    if isinstance(start, dt.datetime) or isinstance(end, dt.datetime):
        start, end = (d.date() if isinstance(d, dt.datetime) else d for d in (start, end))
    if end < start:
        raise InvalidInput(_("考评期间止不能早于考评期间起。"), code="period_order")
    if start < EARLIEST:
        raise InvalidInput(_("考评期间不能早于 2000 年。"), code="period_too_early")
    if end > today:
        raise InvalidInput(
            _("考评期间须已结束：期间止不能晚于今天（%(today)s）。") % {"today": today.isoformat()},
            code="period_in_future",
        )
    if (end - start).days > MAX_PERIOD_DAYS:
        raise InvalidInput(_("考评期间不能超过三年。"), code="period_too_long")
    return start, end


def default_title(scheme: EvaluationScheme, start: dt.date, end: dt.date) -> str:
    if start.year == end.year and (start.month, start.day, end.month, end.day) == (1, 1, 12, 31):
        when = f"{start.year}年度"
    else:
        when = f"{start.year}年{start.month}月{start.day}日至{end.year}年{end.month}月{end.day}日"
    return f"{when}{scheme.name}"[:MAX_TITLE]


def evaluation_create(
    *,
    actor,
    scheme: EvaluationScheme,
    period_start,
    period_end,
    title="",
    today: dt.date | None = None,
    http_request=None,
) -> Evaluation:
    """A draft evaluation of an ended period under an active scheme (once per scheme and period)."""
    _require(actor, scheme)
    today = today or timezone.localdate()
    start, end = _period(period_start, period_end, today=today)
    title = _text(title, _("名称"), max_length=MAX_TITLE, required=False) or default_title(
        scheme, start, end
    )
    taken = Conflict(_("该方案已有同一期间的考评。"), code="evaluation_exists")
    try:
        with transaction.atomic():
            scheme = _lock_scheme(scheme)
            if scheme.state != SchemeState.ACTIVE:
                raise Conflict(
                    _("方案“%(scheme)s”未在使用中，只能按使用中的方案开展考评。")
                    % {"scheme": scheme},
                    code="scheme_not_active",
                )
            if Evaluation.objects.filter(
                scheme=scheme, period_start=start, period_end=end
            ).exists():
                raise taken
            evaluation = Evaluation.objects.create(
                agency=scheme.agency,
                scheme=scheme,
                title=title,
                period_start=start,
                period_end=end,
                created_by=actor,
            )
            _event(
                "create",
                actor=actor,
                target=evaluation,
                agency=evaluation.agency,
                http_request=http_request,
                scheme=scheme.pk,
                period=[start.isoformat(), end.isoformat()],
            )
    except IntegrityError as exc:
        raise taken from exc
    return evaluation


def evaluation_update(
    *,
    actor,
    evaluation: Evaluation,
    title=None,
    period_start=None,
    period_end=None,
    today: dt.date | None = None,
    http_request=None,
) -> Evaluation:
    """Title and period until published; a changed period drops the computed scores."""
    _require(actor, evaluation)
    today = today or timezone.localdate()
    with transaction.atomic():
        evaluation = _lock_evaluation(evaluation)
        before = evaluation.state
        if before == EvalState.PUBLISHED:
            raise _state_conflict(evaluation, _("考评结果已发布，不能修改。"))
        changed = []
        if title is not None:
            evaluation.title = _text(title, _("名称"), max_length=MAX_TITLE)
            changed.append("title")
        start = period_start if period_start is not None else evaluation.period_start
        end = period_end if period_end is not None else evaluation.period_end
        start, end = _period(start, end, today=today)
        if (start, end) != (evaluation.period_start, evaluation.period_end):
            if (
                Evaluation.objects.filter(
                    scheme_id=evaluation.scheme_id, period_start=start, period_end=end
                )
                .exclude(pk=evaluation.pk)
                .exists()
            ):
                raise Conflict(_("该方案已有同一期间的考评。"), code="evaluation_exists")
            evaluation.period_start, evaluation.period_end = start, end
            evaluation.scores.all().delete()
            evaluation.state = EvalState.DRAFT
            evaluation.computed_at = None
            changed += ["period_start", "period_end", "state", "computed_at"]
        if changed:
            evaluation.save(update_fields=changed)
        _event(
            "update",
            actor=actor,
            target=evaluation,
            agency=evaluation.agency,
            from_state=before,
            http_request=http_request,
            fields=changed,
        )
    return evaluation


@dataclass
class UnitResult:
    unit_id: int
    total: Decimal
    rank: int
    breakdown: list[dict]


def combine(weights: list[tuple[str, str, Decimal]], values: dict[str, dict]) -> list[UnitResult]:
    """Totals and ranks from the scheme's (key, label, weight) rows and each indicator's
    {unit_id: IndicatorValue}; pure, so the rules are testable without records.

    Units are ranked by total, highest first; equal totals share a rank (1, 2, 2, 4). A unit
    without any value is not scored.
    """
    units = sorted({unit for per_unit in values.values() for unit in per_unit})
    results = []
    for unit in units:
        present = [(k, w) for k, _l, w in weights if unit in values.get(k, {})]
        if not present:
            continue
        present_weight = sum((w for _k, w in present), Decimal(0))
        weighted_sum = sum((w * values[k][unit].value for k, w in present), Decimal(0))
        total = (weighted_sum / present_weight).quantize(CENT, rounding=ROUND_HALF_UP)
        breakdown = []
        for key, label, weight in weights:
            found = values.get(key, {}).get(unit)
            if found is None:
                breakdown.append(
                    {
                        "key": key,
                        "label": label,
                        "weight": str(weight),
                        "effective_weight": "0.00",
                        "value": None,
                        "weighted": None,
                        "basis": {},
                    }
                )
                continue
            effective = weight * HUNDRED / present_weight
            breakdown.append(
                {
                    "key": key,
                    "label": label,
                    "weight": str(weight),
                    "effective_weight": str(effective.quantize(CENT, rounding=ROUND_HALF_UP)),
                    "value": str(found.value),
                    "weighted": str(
                        (effective * found.value / HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP)
                    ),
                    "basis": dict(found.basis),
                }
            )
        results.append(UnitResult(unit, total, 0, breakdown))
    rank_results(results)
    return results


def rank_results(results: list[UnitResult]) -> None:
    """Competition ranking in place: 1, 2, 2, 4; sorted by total, highest first (stable)."""
    results.sort(key=lambda r: r.total, reverse=True)
    for n, result in enumerate(results):
        if n and result.total == results[n - 1].total:
            result.rank = results[n - 1].rank
        else:
            result.rank = n + 1


def _indicator_values(evaluation: Evaluation, rows) -> dict[str, dict]:
    values: dict[str, dict] = {}
    scheme = evaluation.scheme
    for row in rows:
        indicator = registry.get_indicator(row.key)
        if indicator is None:
            raise Conflict(
                _("指标“%(label)s”已不可用，无法计算。") % {"label": row.label},
                code="unknown_indicator",
            )
        computed = indicator.compute(
            evaluation.agency, evaluation.period_start, evaluation.period_end, scheme.unit_kind
        )
        checked = {}
        for unit, found in computed.items():
            value = Decimal(found.value).quantize(CENT, rounding=ROUND_HALF_UP)
            if not Decimal(0) <= value <= HUNDRED:
                raise Conflict(
                    _("指标“%(label)s”的计算结果超出 0–100。") % {"label": row.label},
                    code="indicator_out_of_range",
                )
            checked[unit] = registry.IndicatorValue(value, found.basis)
        values[row.key] = checked
    # Only the agency's own units (an indicator reading a stray row must not score another's).
    model = Department if scheme.unit_kind == UnitKind.DEPARTMENT else Subdistrict
    own = set(
        model.objects.filter(
            agency=evaluation.agency,
            pk__in={u for per_unit in values.values() for u in per_unit},
        ).values_list("pk", flat=True)
    )
    return {k: {u: v for u, v in per_unit.items() if u in own} for k, per_unit in values.items()}


def evaluation_compute(*, actor, evaluation: Evaluation, http_request=None) -> Evaluation:
    """Compute (or recompute) the scores from the records; refused once published."""
    _require(actor, evaluation)
    with transaction.atomic():
        evaluation = _lock_evaluation(evaluation)
        before = evaluation.state
        if before == EvalState.PUBLISHED:
            raise _state_conflict(evaluation, _("考评结果已发布，不能重新计算。"))
        rows = list(evaluation.scheme.indicators.all())
        weights = [(r.key, r.label, r.weight) for r in rows]
        results = combine(weights, _indicator_values(evaluation, rows))
        evaluation.scores.all().delete()
        unit_kind = evaluation.scheme.unit_kind
        unit_field = "department_id" if unit_kind == UnitKind.DEPARTMENT else "subdistrict_id"
        EvaluationScore.objects.bulk_create(
            EvaluationScore(
                evaluation=evaluation,
                unit_kind=unit_kind,
                total=r.total,
                rank=r.rank,
                breakdown=r.breakdown,
                **{unit_field: r.unit_id},
            )
            for r in results
        )
        evaluation.state = EvalState.COMPUTED
        evaluation.computed_at = timezone.now()
        evaluation.save(update_fields=["state", "computed_at"])
        _event(
            "compute",
            actor=actor,
            target=evaluation,
            agency=evaluation.agency,
            from_state=before,
            http_request=http_request,
            units=len(results),
            totals={str(r.unit_id): str(r.total) for r in results},
        )
    return evaluation


def _readers(agency_id: int) -> list:
    memberships = (
        Membership.objects.active()
        .filter(
            agency_id=agency_id,
            role__in=[Role.LEADER, Role.DEPARTMENT_HEAD],
            user__is_active=True,
        )
        .select_related("user")
        .order_by("user_id")
    )
    people = []
    for membership in memberships:
        if membership.user not in people:
            people.append(membership.user)
    return people


def evaluation_publish(*, actor, evaluation: Evaluation, http_request=None) -> Evaluation:
    """Freeze the computed result and tell leaders and department heads."""
    from django.urls import reverse

    from fazhi.core.notify.services import notify

    _require(actor, evaluation)
    with transaction.atomic():
        evaluation = _lock_evaluation(evaluation)
        if evaluation.state != EvalState.COMPUTED:
            if evaluation.state == EvalState.DRAFT:
                raise Conflict(_("请先计算考评结果再发布。"), code="not_computed")
            raise _state_conflict(evaluation, _("考评结果已发布。"))
        evaluation.state = EvalState.PUBLISHED
        evaluation.published_at = timezone.now()
        evaluation.published_by = actor
        evaluation.save(update_fields=["state", "published_at", "published_by"])
        _event(
            "publish",
            actor=actor,
            target=evaluation,
            agency=evaluation.agency,
            from_state=EvalState.COMPUTED,
            http_request=http_request,
            units=evaluation.scores.count(),
        )
        with translation.override(settings.LANGUAGE_CODE):
            notify(
                recipients=_readers(evaluation.agency_id),
                kind="oversight_evaluation_published",
                title=_("综合考评结果已发布：%(title)s") % {"title": evaluation.title},
                body=_("请查看本单位得分、排名及各项指标的计算依据。"),
                url=reverse("oversight:evaluation", args=[evaluation.pk]),
                target=evaluation,
                agency=evaluation.agency,
                dedupe_key=f"oversight.evaluation.published:{evaluation.pk}",
            )
    return evaluation


def ready() -> None:
    """Registrations of the evaluation area: the built-in indicators (importing registers
    them). Nothing here has a deadline or a sweep: an evaluation is run when the office runs it."""
    from fazhi.oversight import indicators  # noqa: F401
