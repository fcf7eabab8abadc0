"""Spot checks of case files (案卷评查, 双随机): checklists, the reviewer pool, plans, the draw and
the reviews. Every change here checks permission, validates, runs in one transaction and writes
its audit event ("oversight.spot_checks.<verb>").

Rules and decisions:
- A checklist (评查表) has veto items (否决项, passed or not) and points items (评分项, 0 to the
  item's points). It can be edited until the first draw that uses it; then it is locked, and a
  change is a new checklist, so the scores of a drawn plan always mean what they meant.
- A reviewer's unit (回避单位) comes from their memberships: legal officers belong to the legal
  office department, department staff to their department, the legal adviser and leaders to
  none. It is derived again at each draw, so a later transfer cannot put anyone on a file of
  their own unit. Someone holding roles in two units cannot join the pool (no single unit to
  keep them away from).
- A plan is drawn once, after its period has ended (so the population is final and anyone
  listing it later gets the same files). The draw is `sampling.draw` over the population the
  owning module lists; the seed is typed (e.g. a public lottery number) or made by the system
  (`secrets.token_hex(16)`). A seed already used by another plan of the agency for a different
  population is refused: otherwise seeds could be tried until one gave wanted files. The
  population, its digest and the reviewer pool are stored with the plan and published, so
  `plan_redraw_check` (and any citizen) can re-draw and compare. Drawn = published.
- A review scores every item. Total = the sum of points; a failed veto item makes the file
  不合格 whatever the points; otherwise the checklist's thresholds decide 优秀/合格/不合格.
  不合格 opens a finding for the file's unit (serious when a veto item failed). The plan is
  complete when every file is reviewed.
"""

from __future__ import annotations

import re
import secrets
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fazhi.core import audit
from fazhi.core.calendar import format_day
from fazhi.core.errors import Conflict, InvalidInput, NotAllowed
from fazhi.core.models import Agency, Department, Membership
from fazhi.core.notify.services import notify
from fazhi.core.roles import DEPARTMENT_ROLES, Role
from fazhi.oversight import sampling
from fazhi.oversight.models import (
    Checklist,
    ChecklistItem,
    Rating,
    ReviewerPoolMember,
    ReviewScore,
    SampledFile,
    SamplingPlan,
    Severity,
    Source,
)
from fazhi.oversight.populations import population as population_for
from fazhi.oversight.services.findings import finding_open

MANAGE = "oversight.manage_spot_checks"
REVIEW = "oversight.review_sampled_file"
# Who may sit in the pool: the agency's own staff and its legal adviser.
REVIEWER_ROLES = frozenset(
    {
        Role.LEGAL_OFFICER,
        Role.LEADER,
        Role.CLERK,
        Role.DEPARTMENT_HEAD,
        Role.LIAISON,
        Role.LEGAL_ADVISER,
    }
)
MAX_ITEMS = 60
MAX_POINTS = Decimal("1000")
SEED_PATTERN = re.compile(r"[A-Za-z0-9_.\-]{1,64}")
EARLIEST = date(2000, 1, 1)


# --- shared helpers -----------------------------------------------------------------------------


def _require(actor, perm: str, obj) -> None:
    if actor is None or not actor.has_perm(perm, obj):
        raise NotAllowed()


def _text(value, label, *, limit: int, code: str, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise InvalidInput(_("请填写%(label)s。") % {"label": label}, code=f"{code}_required")
    if len(text) > limit:
        raise InvalidInput(
            _("%(label)s不能超过 %(limit)d 字。") % {"label": label, "limit": limit},
            code=f"{code}_too_long",
        )
    return text


def _decimal(value, label, *, code: str, low: Decimal, high: Decimal, places: int = 1) -> Decimal:
    try:
        number = Decimal(str(value).strip()) if value is not None and value != "" else None
    except (InvalidOperation, ValueError):
        number = None
    if number is None or not number.is_finite():
        raise InvalidInput(_("%(label)s须为数字。") % {"label": label}, code=f"{code}_invalid")
    if number != number.quantize(Decimal(1).scaleb(-places)):
        raise InvalidInput(
            _("%(label)s最多保留 %(n)d 位小数。") % {"label": label, "n": places},
            code=f"{code}_precision",
        )
    if not low <= number <= high:
        raise InvalidInput(
            _("%(label)s须在 %(low)s 至 %(high)s 之间。")
            % {"label": label, "low": low, "high": high},
            code=f"{code}_range",
        )
    return number


def _day(value, label, *, today: date) -> date:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise InvalidInput(_("请填写%(label)s。") % {"label": label}, code="date_required")
    if value < EARLIEST:
        raise InvalidInput(_("%(label)s不能早于2000年。") % {"label": label}, code="date_too_early")
    if value > today:
        raise InvalidInput(_("%(label)s不能晚于今天。") % {"label": label}, code="date_in_future")
    return value


def _at(day: date | None) -> datetime:
    """Now, or a past day's working hour for records entered afterwards (demo, imports)."""
    now = timezone.now()
    if day is None or day >= timezone.localdate():
        return now
    return timezone.make_aware(datetime.combine(day, time(10, 0)))


def _event(verb: str, *, actor, agency, target, request=None, from_state="", to_state="", **data):
    audit.record(
        f"oversight.spot_checks.{verb}",
        actor=actor,
        agency=agency,
        target=target,
        from_state=from_state,
        to_state=to_state,
        request=request,
        data=data,
    )


# --- checklists (评查表) ------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemSpec:
    text: str
    kind: str  # ChecklistItem.Kind
    max_points: Decimal | str | int | None = None
    basis: str = ""


def _items(items: Sequence[ItemSpec]) -> list[ItemSpec]:
    if not items:
        raise InvalidInput(_("请至少填写一个评查项目。"), code="items_required")
    if len(items) > MAX_ITEMS:
        raise InvalidInput(_("评查项目最多 %(n)d 项。") % {"n": MAX_ITEMS}, code="items_too_many")
    clean = []
    for number, item in enumerate(items, start=1):
        label = _("第%(n)d项") % {"n": number}
        text = _text(item.text, _("%(label)s评查内容") % {"label": label}, limit=300, code="item")
        basis = _text(
            item.basis,
            _("%(label)s依据") % {"label": label},
            limit=300,
            code="basis",
            required=False,
        )
        if item.kind == ChecklistItem.Kind.VETO:
            clean.append(ItemSpec(text, item.kind, None, basis))
        elif item.kind == ChecklistItem.Kind.POINTS:
            points = _decimal(
                item.max_points,
                _("%(label)s分值") % {"label": label},
                code="item_points",
                low=Decimal("0.5"),
                high=MAX_POINTS,
            )
            clean.append(ItemSpec(text, item.kind, points, basis))
        else:
            raise InvalidInput(
                _("%(label)s请选择类型（否决项或评分项）。") % {"label": label}, code="item_kind"
            )
    if not any(i.kind == ChecklistItem.Kind.POINTS for i in clean):
        raise InvalidInput(_("请至少填写一个评分项。"), code="points_item_required")
    return clean


def _thresholds(items: list[ItemSpec], excellent_min, pass_min) -> tuple[Decimal, Decimal]:
    total = sum((i.max_points for i in items if i.max_points is not None), Decimal(0))
    excellent = _decimal(
        excellent_min, _("优秀分数线"), code="excellent_min", low=Decimal(0), high=MAX_POINTS
    )
    passing = _decimal(pass_min, _("合格分数线"), code="pass_min", low=Decimal(0), high=MAX_POINTS)
    if passing > excellent:
        raise InvalidInput(_("合格分数线不能高于优秀分数线。"), code="thresholds_order")
    if excellent > total:
        raise InvalidInput(
            _("优秀分数线（%(line)s）高于满分（%(total)s），没有案卷能评为优秀。")
            % {"line": excellent, "total": total},
            code="threshold_above_total",
        )
    return excellent, passing


def _population_key(key: str) -> str:
    if population_for(key or "") is None:
        raise InvalidInput(_("请选择案卷类型。"), code="population_unknown")
    return key


def _write_items(checklist: Checklist, items: list[ItemSpec]) -> None:
    ChecklistItem.objects.bulk_create(
        ChecklistItem(
            checklist=checklist,
            order=number,
            text=item.text,
            kind=item.kind,
            max_points=item.max_points,
            basis=item.basis,
        )
        for number, item in enumerate(items, start=1)
    )


def _unique_name(agency_id: int, name: str, exclude_pk=None) -> None:
    taken = Checklist.objects.filter(agency_id=agency_id, name=name)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise InvalidInput(_("已有同名的评查表。"), code="checklist_name_taken")


def checklist_create(
    *,
    actor,
    agency,
    name: str,
    population: str,
    items: Sequence[ItemSpec],
    excellent_min=Decimal(90),
    pass_min=Decimal(60),
    request=None,
) -> Checklist:
    """A new checklist for one case type, with its items in the order given."""
    _require(actor, MANAGE, Checklist(agency=agency))
    name = _text(name, _("评查表名称"), limit=100, code="name")
    population = _population_key(population)
    clean = _items(items)
    excellent, passing = _thresholds(clean, excellent_min, pass_min)
    with transaction.atomic():
        _unique_name(agency.pk, name)
        checklist = Checklist.objects.create(
            agency=agency,
            name=name,
            population=population,
            excellent_min=excellent,
            pass_min=passing,
        )
        _write_items(checklist, clean)
        _event(
            "checklist_create",
            actor=actor,
            agency=agency,
            target=checklist,
            request=request,
            population=population,
            items=len(clean),
        )
    return checklist


def checklist_update(
    *,
    actor,
    checklist: Checklist,
    name: str,
    items: Sequence[ItemSpec],
    excellent_min,
    pass_min,
    request=None,
) -> Checklist:
    """Replace the name, thresholds and items of a checklist no draw has used yet."""
    name = _text(name, _("评查表名称"), limit=100, code="name")
    clean = _items(items)
    excellent, passing = _thresholds(clean, excellent_min, pass_min)
    with transaction.atomic():
        locked = Checklist.objects.select_for_update().get(pk=checklist.pk)
        _require(actor, MANAGE, locked)
        if locked.locked:
            raise Conflict(
                _("评查表已用于抽查，不能修改；如需调整，请新建评查表。"), code="checklist_locked"
            )
        _unique_name(locked.agency_id, name, exclude_pk=locked.pk)
        locked.name = name
        locked.excellent_min = excellent
        locked.pass_min = passing
        locked.save(update_fields=["name", "excellent_min", "pass_min"])
        locked.items.all().delete()
        _write_items(locked, clean)
        _event(
            "checklist_update",
            actor=actor,
            agency=locked.agency,
            target=locked,
            request=request,
            items=len(clean),
        )
    return locked


def checklist_set_active(*, actor, checklist: Checklist, active: bool, request=None) -> Checklist:
    """启用/停用: a retired checklist stays on its plans but is offered for no new plan."""
    with transaction.atomic():
        locked = Checklist.objects.select_for_update().get(pk=checklist.pk)
        _require(actor, MANAGE, locked)
        if locked.active != bool(active):
            locked.active = bool(active)
            locked.save(update_fields=["active"])
            _event(
                "checklist_activate" if active else "checklist_retire",
                actor=actor,
                agency=locked.agency,
                target=locked,
                request=request,
            )
    return locked


# --- the reviewer pool (评查人员库) --------------------------------------------------------------


def reviewer_unit(agency, user) -> Department | None:
    """The unit a reviewer must never review (None: no unit of the agency).

    Raises InvalidInput when the user may not review for the agency or holds roles in more
    than one unit."""
    if not user.is_active:
        raise InvalidInput(_("该账号已停用。"), code="reviewer_inactive")
    memberships = list(
        Membership.objects.active()
        .filter(agency=agency, user=user, role__in=REVIEWER_ROLES)
        .select_related("department")
    )
    if not memberships:
        raise InvalidInput(
            _("只有本机关的法制办、领导、科室工作人员和法律顾问可以担任评查人员。"),
            code="reviewer_role",
        )
    units: dict[int, Department] = {}
    for membership in memberships:
        if membership.role == Role.LEGAL_OFFICER:
            office = Department.objects.filter(agency=agency, is_legal_office=True).first()
            if office is not None:
                units[office.pk] = office
        elif membership.role in DEPARTMENT_ROLES and membership.department is not None:
            units[membership.department.pk] = membership.department
    if len(units) > 1:
        raise InvalidInput(
            _("%(user)s在多个单位任职（%(units)s），无法确定回避单位，不能担任评查人员。")
            % {
                "user": user.display_name or user.username,
                "units": "、".join(u.name for u in units.values()),
            },
            code="reviewer_several_units",
        )
    return next(iter(units.values()), None)


def reviewer_add(*, actor, agency, user, request=None) -> ReviewerPoolMember:
    """Put a person in the pool (or back in it), with their unit from their memberships."""
    _require(actor, MANAGE, ReviewerPoolMember(agency=agency))
    unit = reviewer_unit(agency, user)
    with transaction.atomic():
        member = (
            # Ordered by pk: the default ordering joins the (nullable) department, and
            # PostgreSQL cannot lock the nullable side of an outer join.
            ReviewerPoolMember.objects.select_for_update()
            .filter(agency=agency, user=user)
            .order_by("pk")
            .first()
        )
        if member is not None and member.active:
            raise Conflict(_("该人员已在评查人员库中。"), code="reviewer_in_pool")
        if member is None:
            member = ReviewerPoolMember.objects.create(agency=agency, user=user, department=unit)
        else:
            member.active = True
            member.department = unit
            member.save(update_fields=["active", "department"])
        _event(
            "reviewer_add",
            actor=actor,
            agency=agency,
            target=member,
            request=request,
            user=user.pk,
            unit=unit.pk if unit else None,
        )
    return member


def reviewer_remove(*, actor, member: ReviewerPoolMember, request=None) -> ReviewerPoolMember:
    """Take a person out of the pool; the files already drawn to them stay theirs."""
    with transaction.atomic():
        locked = ReviewerPoolMember.objects.select_for_update().get(pk=member.pk)
        _require(actor, MANAGE, locked)
        if not locked.active:
            raise Conflict(_("该人员已不在评查人员库中。"), code="reviewer_not_in_pool")
        locked.active = False
        locked.save(update_fields=["active"])
        _event(
            "reviewer_remove",
            actor=actor,
            agency=locked.agency,
            target=locked,
            request=request,
            user=locked.user_id,
        )
    return locked


# --- plans (抽查方案) ---------------------------------------------------------------------------


def plan_create(
    *,
    actor,
    agency,
    title: str,
    population: str,
    period_start: date,
    period_end: date,
    method: str,
    checklist: Checklist,
    rate=None,
    count=None,
    min_per_stratum: int = 1,
    request=None,
) -> SamplingPlan:
    """A draft plan: what is drawn (a case type and a period), how many, and the checklist."""
    _require(actor, MANAGE, SamplingPlan(agency=agency))
    title = _text(title, _("方案名称"), limit=200, code="title")
    population = _population_key(population)
    if not isinstance(period_start, date) or not isinstance(period_end, date):
        raise InvalidInput(_("请填写抽查期间的起止日期。"), code="period_required")
    if period_start < EARLIEST:
        raise InvalidInput(_("起始日期不能早于2000年。"), code="period_too_early")
    if period_end < period_start:
        raise InvalidInput(_("截止日期不能早于起始日期。"), code="period_order")
    if (period_end - period_start).days > 366 * 5:
        raise InvalidInput(_("抽查期间不能超过五年。"), code="period_too_long")
    if method == SamplingPlan.Method.RATE:
        rate = _decimal(
            rate, _("抽取比例"), code="rate", low=Decimal("0.01"), high=Decimal(100), places=2
        )
        count = None
    elif method == SamplingPlan.Method.COUNT:
        if isinstance(count, bool) or not isinstance(count, int) or count <= 0:
            raise InvalidInput(_("抽取数量须为正整数。"), code="count_invalid")
        if count > 100000:
            raise InvalidInput(_("抽取数量过大。"), code="count_too_large")
        rate = None
    else:
        raise InvalidInput(_("请选择抽取方式（按比例或按数量）。"), code="method_required")
    if isinstance(min_per_stratum, bool) or not isinstance(min_per_stratum, int):
        raise InvalidInput(_("每个单位至少抽取数须为整数。"), code="min_invalid")
    if not 0 <= min_per_stratum <= 1000:
        raise InvalidInput(_("每个单位至少抽取数须在 0 至 1000 之间。"), code="min_range")
    if checklist is None or checklist.agency_id != agency.pk:
        raise InvalidInput(_("请选择本机关的评查表。"), code="checklist_required")
    if checklist.population != population:
        raise InvalidInput(_("所选评查表不适用于该案卷类型。"), code="checklist_population")
    if not checklist.active:
        raise InvalidInput(_("所选评查表已停用。"), code="checklist_retired")
    with transaction.atomic():
        plan = SamplingPlan.objects.create(
            agency=agency,
            title=title,
            population=population,
            period_start=period_start,
            period_end=period_end,
            method=method,
            rate=rate,
            count=count,
            min_per_stratum=min_per_stratum,
            checklist=checklist,
            seed="",
            created_by=actor,
        )
        _event(
            "plan_create",
            actor=actor,
            agency=agency,
            target=plan,
            request=request,
            to_state=plan.state,
            population=population,
            period=[period_start.isoformat(), period_end.isoformat()],
            method=method,
            rate=str(rate) if rate is not None else None,
            count=count,
            min_per_stratum=min_per_stratum,
            checklist=checklist.pk,
        )
    return plan


def _seed(seed: str) -> str:
    seed = (seed or "").strip()
    if not seed:
        return secrets.token_hex(16)
    if not SEED_PATTERN.fullmatch(seed):
        raise InvalidInput(
            _("随机种子只能由字母、数字和“-”“_”“.”组成，最多64个字符。"), code="seed_invalid"
        )
    return seed


def _sampling_error(exc: sampling.SamplingError, units: Mapping[int, str]) -> InvalidInput:
    if exc.code == "sample_too_large":
        return InvalidInput(
            _("抽取数量（%(count)d）超过案卷总数（%(population)d），无法抽取。") % exc.params,
            code="sample_too_large",
        )
    if exc.code == "empty_population":
        return InvalidInput(_("该期间没有可抽取的案卷。"), code="population_empty")
    if exc.code == "no_reviewer":
        return InvalidInput(
            _(
                "评查人员库中没有%(unit)s以外的评查人员，无法为该单位的案卷分配评查人，请先补充评查人员。"
            )
            % {"unit": units.get(exc.params["stratum"], str(exc.params["stratum"]))},
            code="no_eligible_reviewer",
        )
    return InvalidInput(_("抽取参数不正确。"), code=f"sampling_{exc.code}")


def _pool(agency) -> list[tuple[ReviewerPoolMember, Department | None]]:
    """The active pool with each member's unit as of now (members who lost their role are
    left out; a changed unit is written back)."""
    found = []
    members = ReviewerPoolMember.objects.filter(agency=agency, active=True).select_related("user")
    for member in members.order_by("pk"):
        try:
            unit = reviewer_unit(agency, member.user)
        except InvalidInput:
            continue
        if member.department_id != (unit.pk if unit else None):
            member.department = unit
            member.save(update_fields=["department"])
        found.append((member, unit))
    return found


def plan_draw(*, actor, plan: SamplingPlan, seed: str = "", request=None, on: date | None = None):
    """Draw the files and their reviewers, publish the plan (state 已抽取并公布).

    `on` is the day of the draw (today unless entered afterwards); the period must have ended
    by then. Raises InvalidInput for a sample larger than the population, a seed used before
    for a different population, or a unit no reviewer may review; nothing is written then.
    """
    today = timezone.localdate()
    on = _day(on or today, _("抽取日期"), today=today)
    seed = _seed(seed)
    with transaction.atomic():
        # One draw at a time per agency: the seed check below reads the other plans.
        Agency.objects.select_for_update().filter(pk=plan.agency_id).first()
        locked = SamplingPlan.objects.select_for_update().select_related("agency").get(pk=plan.pk)
        _require(actor, MANAGE, locked)
        if locked.state != SamplingPlan.State.DRAFT:
            raise Conflict(_("该方案已经抽取，不能重复抽取。"), code="plan_drawn")
        if locked.period_end > on:
            raise InvalidInput(
                _("抽查期间截止（%(day)s）后方可抽取。") % {"day": format_day(locked.period_end)},
                code="period_not_ended",
            )
        source = population_for(locked.population)
        if source is None:
            raise InvalidInput(_("案卷类型已不可用。"), code="population_unknown")
        files = list(source.files(locked.agency, locked.period_start, locked.period_end))
        if not files:
            raise InvalidInput(_("该期间没有可抽取的案卷。"), code="population_empty")
        digest = sampling.population_digest(f.ref for f in files)
        reused = (
            SamplingPlan.objects.filter(agency=locked.agency, seed=seed)
            .exclude(pk=locked.pk)
            .exclude(population_digest=digest)
            .exclude(state=SamplingPlan.State.DRAFT)
            .first()
        )
        if reused is not None:
            raise InvalidInput(
                _("该随机种子已用于其他案卷范围（%(plan)s），请换用新的随机种子。")
                % {"plan": reused.title},
                code="seed_reused",
            )
        units = dict(
            Department.objects.filter(pk__in={f.department_id for f in files}).values_list(
                "pk", "name"
            )
        )
        pool = _pool(locked.agency)
        try:
            drawn = sampling.draw(
                [sampling.File(f.ref, f.department_id) for f in files],
                seed=seed,
                method=locked.method,
                rate=locked.rate,
                count=locked.count,
                min_per_stratum=locked.min_per_stratum,
            )
            reviewers = sampling.assign_reviewers(
                drawn,
                [sampling.Reviewer(m.user_id, unit.pk if unit else None) for m, unit in pool],
                seed=seed,
            )
        except sampling.SamplingError as exc:
            raise _sampling_error(exc, units) from exc
        by_ref = {f.ref: f for f in files}
        locked.seed = seed
        locked.population_digest = digest
        locked.population_size = len(files)
        locked.population_snapshot = [
            {
                "ref": f.ref,
                "label": f.label,
                "unit": f.department_id,
                "unit_name": units.get(f.department_id, ""),
                "day": f.day.isoformat(),
            }
            for f in sorted(files, key=lambda f: f.ref)
        ]
        locked.reviewer_snapshot = [
            {"user": m.user_id, "unit": unit.pk if unit else None} for m, unit in pool
        ]
        locked.state = SamplingPlan.State.DRAWN
        locked.drawn_at = _at(on)
        locked.drawn_by = actor
        locked.save()
        checklist = Checklist.objects.select_for_update().get(pk=locked.checklist_id)
        if not checklist.locked:
            checklist.locked = True
            checklist.save(update_fields=["locked"])
        SampledFile.objects.bulk_create(
            SampledFile(
                plan=locked,
                case_ref=item.ref,
                case_label=by_ref[item.ref].label[:300],
                department_id=item.stratum,
                draw_order=item.order,
                reviewer_id=reviewers[item.ref],
            )
            for item in drawn
        )
        _event(
            "plan_draw",
            actor=actor,
            agency=locked.agency,
            target=locked,
            request=request,
            from_state=SamplingPlan.State.DRAFT,
            to_state=locked.state,
            seed=seed,
            population_size=len(files),
            population_digest=digest,
            drawn=[item.ref for item in drawn],
        )
        _tell_reviewers(locked, Counter(reviewers.values()))
    return locked


def _tell_reviewers(plan: SamplingPlan, counts: Counter) -> None:
    from fazhi.accounts.models import User

    url = reverse("oversight:spot_check_my_files")
    for user in User.objects.filter(pk__in=list(counts)).order_by("pk"):
        notify(
            recipients=[user],
            kind="oversight_spot_check",
            title=_("案卷评查：%(plan)s 分配给您 %(n)d 份案卷")
            % {"plan": plan.title[:60], "n": counts[user.pk]},
            body=_("请登录工作台，在“案卷评查—我的评查任务”中逐项评分。"),
            url=url,
            target=plan,
            agency=plan.agency,
            dedupe_key=f"oversight.spot_check.draw:{plan.pk}",
        )


@dataclass
class RedrawCheck:
    """The outcome of drawing a published plan again from its seed and stored population."""

    same: bool
    missing: list[str] = field(default_factory=list)  # stored but not drawn again
    extra: list[str] = field(default_factory=list)  # drawn again but not stored
    order_differs: list[str] = field(default_factory=list)
    reviewer_differs: list[str] = field(default_factory=list)
    digest_matches: bool = True
    error: str = ""


def redraw(plan: SamplingPlan) -> tuple[list[sampling.Drawn], dict[str, int]]:
    """Draw again from the plan's seed, stored population and stored pool (no database
    write; reads nothing but the plan)."""
    files = [sampling.File(row["ref"], row["unit"]) for row in plan.population_snapshot]
    drawn = sampling.draw(
        files,
        seed=plan.seed,
        method=plan.method,
        rate=plan.rate,
        count=plan.count,
        min_per_stratum=plan.min_per_stratum,
    )
    pool = [sampling.Reviewer(row["user"], row["unit"]) for row in plan.reviewer_snapshot]
    return drawn, sampling.assign_reviewers(drawn, pool, seed=plan.seed)


def plan_redraw_check(plan: SamplingPlan) -> RedrawCheck:
    """Re-draw a published plan and compare with the files stored for it."""
    plan = SamplingPlan.objects.get(pk=plan.pk)
    if plan.state == SamplingPlan.State.DRAFT:
        return RedrawCheck(same=False, error=_("方案尚未抽取。"))
    digest_matches = (
        sampling.population_digest(row["ref"] for row in plan.population_snapshot)
        == plan.population_digest
    )
    try:
        drawn, reviewers = redraw(plan)
    except sampling.SamplingError as exc:
        return RedrawCheck(same=False, digest_matches=digest_matches, error=exc.code)
    stored = {
        f.case_ref: f
        for f in SampledFile.objects.filter(plan=plan).only(
            "case_ref", "draw_order", "reviewer_id", "plan_id"
        )
    }
    again = {d.ref: d for d in drawn}
    check = RedrawCheck(same=True, digest_matches=digest_matches)
    check.missing = sorted(set(stored) - set(again))
    check.extra = sorted(set(again) - set(stored))
    for ref in sorted(set(stored) & set(again)):
        if stored[ref].draw_order != again[ref].order:
            check.order_differs.append(ref)
    # A file handed to another reviewer afterwards is on the record (its own event); the
    # check compares the draw itself, so reviewers are compared as drawn only where unchanged.
    handed = set(audit_refs(plan, "oversight.spot_checks.file_reassign"))
    for ref in sorted(set(stored) & set(again)):
        if ref not in handed and stored[ref].reviewer_id != reviewers[ref]:
            check.reviewer_differs.append(ref)
    check.same = digest_matches and not (
        check.missing or check.extra or check.order_differs or check.reviewer_differs
    )
    return check


def audit_refs(plan: SamplingPlan, verb: str) -> list[str]:
    """The case refs of a plan's files named by events of `verb`."""
    from fazhi.core.models import Event

    ids = Event.objects.filter(
        verb=verb, target_type="oversight.sampledfile", data__plan=plan.pk
    ).values_list("target_id", flat=True)
    return list(
        SampledFile.objects.filter(plan=plan, pk__in=[int(i) for i in ids]).values_list(
            "case_ref", flat=True
        )
    )


# --- the files and their reviews ------------------------------------------------------------


def sampled_file_reassign(*, actor, sampled_file: SampledFile, reviewer, request=None):
    """Hand a file not yet reviewed to another reviewer of the pool (e.g. one on leave), who
    must not be of the file's unit."""
    with transaction.atomic():
        locked = (
            SampledFile.objects.select_for_update()
            .select_related("plan__agency", "department")
            .get(pk=sampled_file.pk)
        )
        plan = locked.plan
        _require(actor, MANAGE, plan)
        if locked.state != SampledFile.State.PENDING:
            raise Conflict(_("该案卷已评查，不能更换评查人。"), code="file_reviewed")
        if reviewer is None or reviewer.pk == locked.reviewer_id:
            raise InvalidInput(_("请选择另一位评查人员。"), code="reviewer_required")
        member = ReviewerPoolMember.objects.filter(
            agency=plan.agency, user=reviewer, active=True
        ).first()
        if member is None:
            raise InvalidInput(_("所选人员不在评查人员库中。"), code="reviewer_not_in_pool")
        unit = reviewer_unit(plan.agency, reviewer)
        if unit is not None and unit.pk == locked.department_id:
            raise InvalidInput(
                _("评查人员不能评查本单位（%(unit)s）承办的案卷。") % {"unit": unit.name},
                code="reviewer_own_unit",
            )
        before = locked.reviewer_id
        locked.reviewer = reviewer
        locked.save(update_fields=["reviewer"])
        _event(
            "file_reassign",
            actor=actor,
            agency=plan.agency,
            target=locked,
            request=request,
            plan=plan.pk,
            before=before,
            after=reviewer.pk,
        )
        notify(
            recipients=[reviewer],
            kind="oversight_spot_check",
            title=_("案卷评查：%(file)s 改由您评查") % {"file": locked.case_label[:60]},
            url=reverse("oversight:spot_check_file", args=[locked.pk]),
            target=locked,
            agency=plan.agency,
            dedupe_key=f"oversight.spot_check.reassign:{locked.pk}:{reviewer.pk}",
        )
    return locked


@dataclass(frozen=True)
class Answer:
    """One item as scored: `passed` for a veto item, `points` for a points item."""

    passed: bool | None = None
    points: Decimal | str | int | float | None = None
    note: str = ""


def rating_for(checklist: Checklist, score: Decimal, vetoed: bool) -> str:
    if vetoed:
        return Rating.FAIL
    if score >= checklist.excellent_min:
        return Rating.EXCELLENT
    if score >= checklist.pass_min:
        return Rating.PASS
    return Rating.FAIL


def _scores(items: list[ChecklistItem], answers: Mapping[int, Answer]):
    unknown = set(answers) - {i.pk for i in items}
    if unknown:
        raise InvalidInput(_("评分含有不属于本评查表的项目。"), code="item_unknown")
    rows = []
    for item in items:
        answer = answers.get(item.pk)
        label = _("第%(n)d项") % {"n": item.order}
        if answer is None:
            raise InvalidInput(
                _("%(label)s（%(text)s）尚未评分。") % {"label": label, "text": item.text[:30]},
                code="item_unanswered",
            )
        note = _text(
            answer.note,
            _("%(label)s说明") % {"label": label},
            limit=300,
            code="note",
            required=False,
        )
        if item.kind == ChecklistItem.Kind.VETO:
            if not isinstance(answer.passed, bool):
                raise InvalidInput(
                    _("%(label)s（否决项）请选择“符合”或“不符合”。") % {"label": label},
                    code="veto_unanswered",
                )
            rows.append((item, answer.passed, None, note))
        else:
            points = _decimal(
                answer.points,
                _("%(label)s得分") % {"label": label},
                code="points",
                low=Decimal(0),
                high=item.max_points,
            )
            rows.append((item, None, points, note))
    return rows


def _finding_text(sampled_file: SampledFile, rows, remarks: str, score, vetoed) -> tuple[str, str]:
    failed = [item.text for item, passed, _p, _n in rows if passed is False]
    low = [
        (item, points, note)
        for item, passed, points, note in rows
        if points is not None and points < item.max_points
    ]
    title = _("案卷评查不合格：%(file)s") % {"file": sampled_file.case_label}
    lines = []
    if failed:
        lines.append(_("触及否决项：") + "；".join(failed))
    for item, points, note in low:
        line = _("%(text)s（得%(points)s分，满分%(max)s分）") % {
            "text": item.text,
            "points": points,
            "max": item.max_points,
        }
        lines.append(f"{line}{('：' + note) if note else ''}")
    if not vetoed:
        lines.insert(0, _("评查得分%(score)s分，低于合格分数线。") % {"score": score})
    if remarks:
        lines.append(_("评查意见：") + remarks)
    return title[:200], "\n".join(str(line) for line in lines)


def review_submit(
    *,
    actor,
    sampled_file: SampledFile,
    answers: Mapping[int, Answer],
    remarks: str = "",
    request=None,
    on: date | None = None,
) -> SampledFile:
    """The reviewer scores their file on the plan's checklist; 不合格 opens a finding.

    `answers` maps each checklist item's id to its Answer. `on` is the day of the review
    (today unless entered afterwards)."""
    today = timezone.localdate()
    on = _day(on or today, _("评查日期"), today=today)
    remarks = _text(remarks, _("评查意见"), limit=2000, code="remarks", required=False)
    with transaction.atomic():
        locked = (
            SampledFile.objects.select_for_update()
            .select_related("plan__agency", "plan__checklist", "department")
            .get(pk=sampled_file.pk)
        )
        plan = locked.plan
        _require(actor, REVIEW, locked)
        if locked.state != SampledFile.State.PENDING:
            raise Conflict(_("该案卷已评查，不能重复提交。"), code="file_reviewed")
        if plan.state != SamplingPlan.State.DRAWN:
            raise Conflict(_("该抽查方案不在评查阶段。"), code="plan_not_drawn")
        try:
            unit = reviewer_unit(plan.agency, actor)
        except InvalidInput as exc:
            raise NotAllowed(exc.message, code=exc.code) from exc
        if unit is not None and unit.pk == locked.department_id:
            raise NotAllowed(
                _("评查人员不能评查本单位（%(unit)s）承办的案卷，请联系法制办更换评查人。")
                % {"unit": unit.name},
                code="reviewer_own_unit",
            )
        if on < plan.drawn_at.astimezone(timezone.get_current_timezone()).date():
            raise InvalidInput(_("评查日期不能早于抽取日期。"), code="review_before_draw")
        items = list(plan.checklist.items.all())
        rows = _scores(items, answers)
        score = sum((points for _i, _p, points, _n in rows if points is not None), Decimal(0))
        vetoed = any(passed is False for _i, passed, _p, _n in rows)
        rating = rating_for(plan.checklist, score, vetoed)
        ReviewScore.objects.bulk_create(
            ReviewScore(sampled_file=locked, item=item, passed=passed, points=points, note=note)
            for item, passed, points, note in rows
        )
        locked.score = score
        locked.vetoed = vetoed
        locked.rating = rating
        locked.remarks = remarks
        locked.state = SampledFile.State.REVIEWED
        locked.reviewed_at = _at(on)
        if rating == Rating.FAIL:
            title, description = _finding_text(locked, rows, remarks, score, vetoed)
            locked.finding = finding_open(
                agency=plan.agency,
                source=Source.SPOT_CHECK,
                title=title,
                description=description,
                department=locked.department,
                severity=Severity.SERIOUS if vetoed else Severity.GENERAL,
                found_on=on,
                on=on,
                source_ref=f"oversight.sampledfile:{locked.pk}",
                source_label=_("案卷评查：%(plan)s") % {"plan": plan.title},
                actor=actor,
                request=request,
            )
        locked.save()
        _event(
            "review_submit",
            actor=actor,
            agency=plan.agency,
            target=locked,
            request=request,
            from_state=SampledFile.State.PENDING,
            to_state=locked.state,
            plan=plan.pk,
            score=str(score),
            vetoed=vetoed,
            rating=rating,
            finding=locked.finding_id,
        )
        pending = SampledFile.objects.filter(plan=plan, state=SampledFile.State.PENDING).exists()
        if not pending:
            SamplingPlan.objects.filter(pk=plan.pk).update(state=SamplingPlan.State.COMPLETED)
            plan.state = SamplingPlan.State.COMPLETED
            _event(
                "plan_complete",
                actor=actor,
                agency=plan.agency,
                target=plan,
                request=request,
                from_state=SamplingPlan.State.DRAWN,
                to_state=SamplingPlan.State.COMPLETED,
            )
    return locked


# --- registrations ------------------------------------------------------------------------------


def review_tasks(user):
    """待办: the files drawn to the user that are not reviewed yet, one task per plan."""
    from django.db.models import Count

    from fazhi.workspace.tasks import Task

    if not getattr(user, "is_authenticated", False):
        return
    rows = (
        SampledFile.objects.filter(
            reviewer=user, state=SampledFile.State.PENDING, plan__state=SamplingPlan.State.DRAWN
        )
        .values("plan_id", "plan__title")
        .annotate(n=Count("pk"))
        .order_by("plan_id")
    )
    url = reverse("oversight:spot_check_my_files")
    for row in rows:
        yield Task(
            _("案卷评查：%(plan)s（%(n)d份待评）") % {"plan": row["plan__title"], "n": row["n"]},
            url,
            _("案卷评查"),
        )


def ready() -> None:
    """Registrations of the spotchecks area: the reviewers' 待办."""
    from fazhi.workspace.tasks import provider

    provider(review_tasks)
