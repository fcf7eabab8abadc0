"""Legal clocks: a budget of working or calendar days plus a ledger of pauses and extensions.

A `Clock` is a value: it stores nothing. A domain app keeps its own rows (the application, its
pause and extension records with who approved them), builds a Clock from them and stores the
derived `due_on` for querying. The rules of each procedure (unit, budget, extension allowance,
allowed pause reasons) are `ClockRule` rows, found with `clock_rule_for(agency, procedure)`.

Conventions (domain-rules.md §9):

* The start day is not counted (民法典 Art. 201): 20 working days from 2026-12-10 end on the
  20th working day after it.
* A pause from `start` to `end` stops the clock on every day from `start` to `end` inclusive;
  counting resumes the day after `end`. It moves the due date by the working (or calendar) days
  it covers. Days on or before the clock's start are not counted anyway and are ignored; a
  pause that begins after the due date (the clock had already run out) changes nothing.
  Overlapping pauses are merged, so a day is never subtracted twice.
* An open pause (no end yet) that began on or before the due date stops the clock: `due_on` is
  None and `stopped` is True. `resumed_on(day)` gives the clock as if it restarted after `day`,
  e.g. to show "if the third party answers today, the reply is due on …".
* Extensions add days in the clock's unit; their total may not exceed the rule's allowance.
* A calendar-day period whose last day is not a working day ends on the next working day
  (民法典 Art. 203); a working-day period always ends on a working day.
* The result is provisional when any day consulted lies in a year whose schedule is not
  confirmed; the explanation says which years.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import cached_property

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fazhi.core.calendar import workdays
from fazhi.core.errors import InvalidInput


class ClockUnit(models.TextChoices):
    # Counts only working days of the calendar (工作日).
    WORKING = "working", gettext_lazy("工作日")
    # Counts every day; a last day that is not a working day moves to the next working day.
    CALENDAR = "calendar", gettext_lazy("自然日")


@dataclass(frozen=True)
class Pause:
    """The clock stood still from `start` to `end` (inclusive); `end` None = still stopped."""

    start: date
    end: date | None = None
    reason: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.start, date) or (
            self.end is not None and not isinstance(self.end, date)
        ):
            raise InvalidInput(_("暂停的起止日期格式不正确。"), code="invalid_date")
        if self.end is not None and self.end < self.start:
            raise InvalidInput(_("暂停的结束日期不能早于开始日期。"), code="pause_end_before_start")
        if not self.reason.strip():
            raise InvalidInput(_("请填写暂停事由。"), code="reason_required")


@dataclass(frozen=True)
class Extension:
    """Days added to the budget, with the reason and who approved it (e.g. OGI Art. 33)."""

    days: int
    reason: str
    approved_by: str = ""

    def __post_init__(self) -> None:
        if isinstance(self.days, bool) or not isinstance(self.days, int) or self.days < 1:
            raise InvalidInput(_("延长天数应为正整数。"), code="invalid_extension")
        if not self.reason.strip():
            raise InvalidInput(_("请填写延长理由。"), code="reason_required")


@dataclass(frozen=True)
class PauseEffect:
    """A merged pause span and what it did to the due date."""

    start: date
    end: date | None
    reasons: tuple[str, ...]
    # Days it moved the due date (0 when it began after the clock had run out).
    days: int
    # True when it began after the due date and so changed nothing.
    after_due: bool = False


@dataclass(frozen=True)
class Clock:
    start: date
    budget: int
    unit: str = ClockUnit.WORKING
    pauses: tuple[Pause, ...] = ()
    extensions: tuple[Extension, ...] = ()
    # The rule's extension allowance; None = not checked (a clock built without a rule).
    max_extension_days: int | None = None

    def __post_init__(self) -> None:
        # Accept any sequence but keep the value hashable and immutable.
        object.__setattr__(self, "pauses", tuple(self.pauses))
        object.__setattr__(self, "extensions", tuple(self.extensions))
        if not isinstance(self.start, date):
            raise InvalidInput(_("起算日期格式不正确。"), code="invalid_date")
        if self.unit not in ClockUnit.values:
            raise InvalidInput(_("期限单位应为工作日或自然日。"), code="invalid_unit")
        if isinstance(self.budget, bool) or not isinstance(self.budget, int) or self.budget < 1:
            raise InvalidInput(_("期限天数应为正整数。"), code="invalid_days")
        from fazhi.core.calendar import conf

        if self.budget + self.extension_days > conf.max_days():
            raise InvalidInput(
                _("期限天数不能超过%(cap)d天。") % {"cap": conf.max_days()}, code="too_many_days"
            )
        if self.max_extension_days is not None and self.extension_days > self.max_extension_days:
            raise InvalidInput(
                _("延长天数合计%(n)d天，超过本程序允许的%(max)d天。")
                % {"n": self.extension_days, "max": self.max_extension_days},
                code="extension_exceeds_limit",
            )

    # --- derived ------------------------------------------------------------------------------

    @property
    def extension_days(self) -> int:
        return sum(e.days for e in self.extensions)

    @property
    def unit_label(self) -> str:
        return str(ClockUnit(self.unit).label)

    @cached_property
    def outcome(self) -> _Outcome:
        return _compute(self)

    @property
    def due_on(self) -> date | None:
        """The last day of the period; None while an open pause holds the clock."""
        return self.outcome.due_on

    @property
    def stopped(self) -> bool:
        return self.outcome.stopped

    @property
    def provisional(self) -> bool:
        return bool(self.outcome.unconfirmed_years)

    def resumed_on(self, day: date) -> Clock:
        """This clock with its open pauses ended on `day` (at least their start)."""
        return replace(
            self,
            pauses=tuple(
                p if p.end is not None else Pause(p.start, max(day, p.start), p.reason)
                for p in self.pauses
            ),
        )

    def _explain_pause(self, effect: PauseEffect) -> str:
        values = {
            "reason": "、".join(effect.reasons),
            "start": workdays.format_day(effect.start),
            "end": workdays.format_day(effect.end) if effect.end else "",
            "n": effect.days,
            "unit": self.unit_label,
        }
        if effect.after_due:
            if effect.end is None:
                return _("自%(start)s起因%(reason)s暂停时期限已届满，不影响截止日") % values
            return _("因%(reason)s暂停（%(start)s至%(end)s）时期限已届满，不影响截止日") % values
        if effect.end is None:
            return _("自%(start)s起因%(reason)s暂停，尚未恢复，期限停止计算") % values
        return _("因%(reason)s暂停%(n)d个%(unit)s（%(start)s至%(end)s）") % values

    def explain(self) -> str:
        """The due date in words, e.g. 自2026年12月10日起20个工作日；因征求第三方意见暂停…。"""
        o = self.outcome
        parts = [
            _("自%(start)s起%(n)d个%(unit)s（开始当日不计入）")
            % {"start": workdays.format_day(self.start), "n": self.budget, "unit": self.unit_label}
        ]
        for effect in o.effects:
            parts.append(self._explain_pause(effect))
        for ext in self.extensions:
            text = _("延长%(n)d个%(unit)s（%(reason)s") % {
                "n": ext.days,
                "unit": self.unit_label,
                "reason": ext.reason.strip(),
            }
            if ext.approved_by.strip():
                text += _("，批准人：%(who)s") % {"who": ext.approved_by.strip()}
            parts.append(text + "）")
        if o.moved_from is not None and o.due_on is not None:
            parts.append(
                _("期限末日%(last)s不是工作日，顺延至%(due)s")
                % {
                    "last": workdays.format_day(o.moved_from),
                    "due": workdays.format_day(o.due_on),
                }
            )
        if o.due_on is not None:
            parts.append(_("截止日为%(due)s") % {"due": workdays.format_day(o.due_on)})
        if o.unconfirmed_years:
            parts.append(workdays.provisional_note(list(o.unconfirmed_years)))
        return "；".join(parts) + "。"


@dataclass(frozen=True)
class _Outcome:
    due_on: date | None
    stopped: bool
    effects: tuple[PauseEffect, ...]
    unconfirmed_years: tuple[int, ...]
    # For calendar-day clocks moved by Art. 203: the last day before moving.
    moved_from: date | None = None


def _merged(pauses: Sequence[Pause], after: date) -> list[tuple[date, date | None, list[str]]]:
    """Pauses sorted and merged where they overlap or touch, clipped to days after `after`."""
    spans: list[tuple[date, date | None, list[str]]] = []
    first_counted = after + timedelta(days=1)
    for pause in sorted(pauses, key=lambda p: p.start):
        if pause.end is not None and pause.end <= after:
            continue  # wholly before counting began
        start = max(pause.start, first_counted)
        if spans:
            last_start, last_end, reasons = spans[-1]
            if last_end is None or start <= last_end + timedelta(days=1):
                end = None if last_end is None or pause.end is None else max(last_end, pause.end)
                if pause.reason not in reasons:
                    reasons.append(pause.reason)
                spans[-1] = (last_start, end, reasons)
                continue
        spans.append((start, pause.end, [pause.reason]))
    return spans


def _compute(clock: Clock) -> _Outcome:
    total = clock.budget + clock.extension_days
    working = clock.unit == ClockUnit.WORKING
    if working:
        due = workdays.add_workdays(clock.start, total)
    else:
        due = clock.start + timedelta(days=total)
    effects: list[PauseEffect] = []
    stopped = False
    for start, end, reasons in _merged(clock.pauses, clock.start):
        if start > due:
            # Sorted by start and the due date only grows: every later pause is after it too.
            effects.append(PauseEffect(start, end, tuple(reasons), 0, after_due=True))
            continue
        if end is None:
            effects.append(PauseEffect(start, None, tuple(reasons), 0))
            stopped = True
            break
        if working:
            days = workdays.workdays_between(start - timedelta(days=1), end)
            due = workdays.add_workdays(due, days) if days else due
        else:
            days = (end - start).days + 1
            due = due + timedelta(days=days)
        effects.append(PauseEffect(start, end, tuple(reasons), days))
    if stopped:
        last_consulted = max(e.start for e in effects)
        return _Outcome(
            None,
            True,
            tuple(effects),
            tuple(workdays.unconfirmed_years(clock.start, last_consulted)),
        )
    moved_from = None
    if not working:
        # 民法典 Art. 203: a period ending on a day off ends on the next working day.
        landed = workdays.next_workday(due)
        if landed != due:
            moved_from, due = due, landed
        consulted_from = moved_from or due
    else:
        consulted_from = clock.start + timedelta(days=1)
    return _Outcome(
        due,
        False,
        tuple(effects),
        tuple(workdays.unconfirmed_years(consulted_from, due)),
        moved_from,
    )


def check_pause_reasons(pauses: Iterable[Pause], allowed: Sequence[str]) -> None:
    """Refuse a pause whose reason the procedure's rule does not list."""
    allowed_set = {a.strip() for a in allowed}
    for pause in pauses:
        if pause.reason.strip() not in allowed_set:
            raise InvalidInput(
                _("本程序不允许因“%(reason)s”暂停计算期限。") % {"reason": pause.reason},
                code="pause_reason_not_allowed",
            )


def clock_rule_for(agency, procedure: str):
    """The agency's own rule for the procedure, else the default row (one query)."""
    from fazhi.core.calendar.models import ClockRule

    rules = ClockRule.objects.filter(procedure=procedure)
    if agency is not None:
        rules = rules.filter(models.Q(agency=agency) | models.Q(agency__isnull=True))
    else:
        rules = rules.filter(agency__isnull=True)
    found = rules.order_by(models.F("agency_id").asc(nulls_last=True)).first()
    if found is None:
        raise InvalidInput(
            _("没有程序“%(procedure)s”的期限规则。") % {"procedure": procedure},
            code="unknown_clock_rule",
        )
    return found
