"""Every change to the working-day calendar, each one an audit event.

Each service locks the single revision row first: that serialises calendar edits, and bumping it
in the same transaction tells every process that its cached calendar is out of date.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fazhi.core import audit
from fazhi.core.calendar import conf, workdays
from fazhi.core.calendar.models import (
    Source,
    WorkCalendarDay,
    WorkCalendarRevision,
    WorkCalendarYear,
)
from fazhi.core.errors import Conflict, InvalidInput, NotAllowed

PERMISSION = "calendar.manage_calendar"
DEFAULT_WORKDAY_NAME = "调休上班"
DEFAULT_HOLIDAY_NAME = "节假日"


def _require_manager(actor) -> None:
    if actor is None or not actor.has_perm(PERMISSION):
        raise NotAllowed(_("只有系统管理员可以维护工作日历。"))


def _check_year(year: int) -> None:
    if not conf.first_year() <= year <= conf.last_year():
        raise InvalidInput(
            _("年份应在%(first)d年至%(last)d年之间。")
            % {"first": conf.first_year(), "last": conf.last_year()},
            code="date_out_of_range",
        )


def _lock_revision() -> None:
    """Take the calendar's write lock (the revision row) and count this change."""
    WorkCalendarRevision.objects.select_for_update().get_or_create(pk=1)
    WorkCalendarRevision.objects.filter(pk=1).update(
        revision=models.F("revision") + 1, changed_at=timezone.now()
    )


def _changed() -> None:
    # Drop the cache now (later calls in this transaction see the change) and again after
    # commit (a concurrent call may have reloaded the old data meanwhile).
    workdays.forget()
    transaction.on_commit(workdays.forget)


def _day_data(row: WorkCalendarDay | None) -> dict | None:
    if row is None:
        return None
    return {
        "is_workday": row.is_workday,
        "name": row.name,
        "source": row.source,
        "reason": row.reason,
    }


def _default_name(day: date, is_workday: bool) -> str:
    if is_workday == (day.weekday() < 5):
        # A row pinning the usual value against the package's (see calendar_day_set).
        return str(_("正常上班")) if is_workday else str(_("正常休息"))
    return DEFAULT_WORKDAY_NAME if is_workday else DEFAULT_HOLIDAY_NAME


def calendar_day_set(
    *,
    actor,
    day: date,
    is_workday: bool,
    name: str = "",
    reason: str,
    request: HttpRequest | None = None,
) -> WorkCalendarDay:
    """Make `day` a working day or a day off against Monday–Friday, with a reason."""
    _require_manager(actor)
    _check_year(day.year)
    reason = reason.strip()
    if not reason:
        raise InvalidInput(_("请填写调整理由。"), code="reason_required")
    name = (name or "").strip()[:50] or _default_name(day, is_workday)
    with transaction.atomic():
        _lock_revision()
        row = WorkCalendarDay.objects.select_for_update().filter(date=day).first()
        if row is None and is_workday == (day.weekday() < 5):
            # Nothing to record. (With a row, the same value is kept on purpose: it overrides
            # the package's day, and a later import leaves a manual row alone.)
            raise InvalidInput(
                _("该日按周一至周五规则本就是工作日，无需设置。")
                if is_workday
                else _("该日按周一至周五规则本就是休息日，无需设置。"),
                code="same_as_weekday_rule",
            )
        before = _day_data(row)
        if row is None:
            row = WorkCalendarDay(date=day)
        row.is_workday = is_workday
        row.name = name
        row.source = Source.MANUAL
        row.reason = reason[:200]
        row.updated_by = actor
        row.save()
        audit.record(
            "calendar.day_set",
            actor=actor,
            target=row,
            request=request,
            data={"date": day.isoformat(), "before": before, "after": _day_data(row)},
        )
        _changed()
    return row


def calendar_day_clear(
    *, actor, day: date, reason: str, request: HttpRequest | None = None
) -> None:
    """Remove the adjustment of `day`: it follows Monday–Friday again."""
    _require_manager(actor)
    reason = reason.strip()
    if not reason:
        raise InvalidInput(_("请填写清除理由。"), code="reason_required")
    with transaction.atomic():
        _lock_revision()
        row = WorkCalendarDay.objects.select_for_update().filter(date=day).first()
        if row is None:
            raise Conflict(_("该日没有调整记录，可能已被他人清除。"), code="day_not_adjusted")
        before = _day_data(row)
        row.delete()
        audit.record(
            "calendar.day_clear",
            actor=actor,
            request=request,
            target_ref=("calendar.workcalendarday", day.isoformat(), day.isoformat()),
            data={"date": day.isoformat(), "before": before, "reason": reason[:200]},
        )
        _changed()


def calendar_year_confirm(
    *, actor, year: int, note: str = "", request: HttpRequest | None = None
) -> WorkCalendarYear:
    """Declare a year's adjustments complete: from now on they count, and results stop being
    provisional for that year."""
    _require_manager(actor)
    _check_year(year)
    with transaction.atomic():
        _lock_revision()
        record, _created = WorkCalendarYear.objects.select_for_update().get_or_create(
            year=year, defaults={"source": Source.MANUAL}
        )
        if record.confirmed:
            raise Conflict(
                _("%(year)d年的工作日安排已经确认。") % {"year": year},
                code="year_already_confirmed",
            )
        record.confirmed = True
        record.source = Source.MANUAL
        record.confirmed_by = actor
        record.confirmed_at = timezone.now()
        record.note = note.strip()[:300]
        record.save()
        rows = list(
            WorkCalendarDay.objects.filter(date__year=year).values_list("date", "is_workday")
        )
        adjustment = sum((1 if w else -1) for d, w in rows if w != (d.weekday() < 5))
        audit.record(
            "calendar.year_confirm",
            actor=actor,
            target=record,
            request=request,
            data={
                "year": year,
                "adjusted_days": len(rows),
                "workdays": workdays.weekdays_in_year(year) + adjustment,
                "note": record.note,
            },
        )
        _changed()
    return record


# --- Import from the chinesecalendar package --------------------------------------------------


@dataclass
class ImportReport:
    imported: list[int] = field(default_factory=list)
    # Years the package does not know (not yet announced, or before 2004).
    unknown: list[int] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    deleted: int = 0
    # Days kept as the administrator set them although the package says otherwise.
    kept_manual: list[str] = field(default_factory=list)
    confirmed: list[int] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deleted or self.confirmed)


def package_years() -> tuple[int, int]:
    """The first and last year the installed chinesecalendar knows."""
    from chinese_calendar import constants

    known = list(constants.holidays) + list(constants.workdays)
    return min(known).year, max(known).year


def package_adjustments(year: int) -> dict[date, tuple[bool, str]]:
    """{day: (is_workday, name)} where the package differs from Monday–Friday.

    Raises NotImplementedError for a year the package does not know, as the package does.
    """
    import chinese_calendar
    from chinese_calendar.constants import Holiday

    chinese = {h.value: h.chinese for h in Holiday}
    first = date(year, 1, 1)
    chinese_calendar.is_workday(first)  # raises NotImplementedError for an unknown year
    found: dict[date, tuple[bool, str]] = {}
    for offset in range((date(year, 12, 31) - first).days + 1):
        day = first + timedelta(days=offset)
        off, name = chinese_calendar.get_holiday_detail(day)
        workday = not off
        if workday == (day.weekday() < 5):
            continue
        label = chinese.get(name, name or "")
        if workday:
            found[day] = (True, f"{label}调休上班" if label else DEFAULT_WORKDAY_NAME)
        else:
            found[day] = (False, label or DEFAULT_HOLIDAY_NAME)
    return found


def parse_years(text: str) -> list[int]:
    """ "2004-2026", "2026", "2025,2026" -> the years; InvalidInput for anything else."""
    years: set[int] = set()
    try:
        for part in text.replace("，", ",").split(","):
            part = part.strip()
            if not part:
                continue
            if "-" in part:
                a, b = (int(x) for x in part.split("-", 1))
                if b < a or b - a > 400:
                    raise ValueError(part)
                years.update(range(a, b + 1))
            else:
                years.add(int(part))
    except ValueError as exc:
        raise InvalidInput(
            _("年份格式应为 2026、2025,2026 或 2004-2026。"), code="invalid_years"
        ) from exc
    if not years:
        raise InvalidInput(_("请指定年份。"), code="invalid_years")
    for year in years:
        _check_year(year)
    return sorted(years)


def calendar_import(
    *,
    actor=None,
    years: Iterable[int] | None = None,
    request: HttpRequest | None = None,
    actor_name: str = "",
) -> ImportReport:
    """Load the package's schedule for `years` (default: every year it knows) and confirm them.

    Idempotent: a second run changes nothing. Days the administrator set by hand are kept and
    listed. Years the package does not know are listed, not an error. One audit event per run.
    `actor` None is the command line (`fazhi calendar import`), which needs no role.
    """
    if actor is not None:
        _require_manager(actor)
    if years is None:
        first, last = package_years()
        years = range(first, last + 1)
    years = sorted(set(years))
    for year in years:
        _check_year(year)
    report = ImportReport()
    loaded: dict[int, dict[date, tuple[bool, str]]] = {}
    for year in years:
        try:
            loaded[year] = package_adjustments(year)
        except NotImplementedError:
            report.unknown.append(year)
    with transaction.atomic():
        _lock_revision()
        for year, wanted in loaded.items():
            _import_year(year, wanted, actor, report)
            report.imported.append(year)
        audit.record(
            "calendar.import",
            actor=actor,
            actor_name=actor_name,
            request=request,
            data={
                "imported": report.imported,
                "unknown": report.unknown,
                "created": report.created,
                "updated": report.updated,
                "deleted": report.deleted,
                "kept_manual": report.kept_manual,
                "confirmed": report.confirmed,
            },
        )
        _changed()
    return report


def _import_year(
    year: int, wanted: dict[date, tuple[bool, str]], actor, report: ImportReport
) -> None:
    existing = {
        row.date: row for row in WorkCalendarDay.objects.select_for_update().filter(date__year=year)
    }
    for day, (is_workday, name) in sorted(wanted.items()):
        row = existing.get(day)
        if row is None:
            WorkCalendarDay.objects.create(
                date=day, is_workday=is_workday, name=name, source=Source.PACKAGE
            )
            report.created += 1
        elif row.source == Source.MANUAL:
            if row.is_workday != is_workday:
                report.kept_manual.append(day.isoformat())
        elif row.is_workday != is_workday or row.name != name:
            row.is_workday, row.name = is_workday, name
            row.save(update_fields=["is_workday", "name", "updated_at"])
            report.updated += 1
    stale = [
        row.pk
        for day, row in existing.items()
        if row.source == Source.PACKAGE and day not in wanted
    ]
    if stale:
        WorkCalendarDay.objects.filter(pk__in=stale).delete()
        report.deleted += len(stale)
    record, _created = WorkCalendarYear.objects.select_for_update().get_or_create(
        year=year, defaults={"source": Source.PACKAGE}
    )
    if not record.confirmed:
        record.confirmed = True
        record.source = Source.PACKAGE
        record.confirmed_by = actor
        record.confirmed_at = timezone.now()
        record.note = str(_("由 chinesecalendar 软件包导入"))
        record.save()
        report.confirmed.append(year)
