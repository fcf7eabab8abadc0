"""The deadline sweep: reminders before `due_on`, escalation once it has passed.

Domain apps know their open items; this module knows when to remind. An app registers a
`DeadlineSource` from its AppConfig.ready():

    register_deadline_source(DeadlineSource("disclosure.applications", open_applications))

where `open_applications(today)` yields `DeadlineItem(agency, recipients, target, due_on,
title, url)` (plain 6-tuples work too) for every item not yet finished. The sweep then sends

- a reminder when `due_on` is at most N working days away (N: the agency's
  "notify.reminder_workdays" setting, else FAZHI_REMINDER_WORKDAYS, default 3), and
- an escalation once `due_on` has passed (overdue means `due_on < today`, as everywhere in
  the workspace: the due day itself is still in time),

each once per item and due date: the deduplication key names the target and the due date, so
running the sweep twice sends nothing new, while an extension (a new due date) reminds again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple

from django.conf import settings
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from fazhi.core.errors import DomainError
from fazhi.core.notify import conf
from fazhi.core.notify.services import notify
from fazhi.core.notify.sweeps import PartialSweepFailure, describe

logger = logging.getLogger("fazhi.notify")

REMINDER_SETTING = "notify.reminder_workdays"
KIND_REMINDER = "deadline_reminder"
KIND_OVERDUE = "deadline_overdue"

WorkdaysBetween = Callable[[date, date], int]


class DeadlineItem(NamedTuple):
    agency: Any
    recipients: Sequence
    target: models.Model
    due_on: date
    title: str
    url: str = ""
    # Who hears of the item once overdue (e.g. the department head); default: the recipients.
    escalate_to: Sequence = ()


@dataclass(frozen=True)
class DeadlineSource:
    name: str
    # today -> the open items with a due date.
    items: Callable[[date], Iterable[DeadlineItem | tuple]]


_SOURCES: dict[str, DeadlineSource] = {}


def register_deadline_source(source: DeadlineSource) -> DeadlineSource:
    _SOURCES[source.name] = source
    return source


def deadline_sources() -> list[DeadlineSource]:
    return list(_SOURCES.values())


def weekday_workdays_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end`, counting Monday to Friday.

    The fallback when no working-day calendar is installed; negative when `end` is earlier.
    """
    if end < start:
        return -weekday_workdays_between(end, start)
    weeks, rest = divmod((end - start).days, 7)
    first = start.weekday()
    return weeks * 5 + sum(1 for i in range(1, rest + 1) if (first + i) % 7 < 5)


def resolve_workdays_between() -> WorkdaysBetween:
    """`fazhi.core.calendar.workdays_between` when it exists, else Monday–Friday arithmetic.

    Looked up at call time so the sweep uses the agency calendar as soon as it is installed.
    """
    try:
        from fazhi.core import calendar
    except ImportError:
        return weekday_workdays_between
    found = getattr(calendar, "workdays_between", None)
    return found if callable(found) else weekday_workdays_between


def reminder_lead(agency_ids: Iterable[int]) -> dict[int, int]:
    """{agency_id: N} for the agencies that set their own lead time (one query)."""
    from fazhi.core.models import AgencySetting

    return {
        agency_id: int(value)
        for agency_id, value in AgencySetting.objects.filter(
            key=REMINDER_SETTING, agency_id__in=list(agency_ids)
        ).values_list("agency_id", "value")
    }


def deadline_sweep(
    now: datetime,
    *,
    workdays_between: WorkdaysBetween | None = None,
    sources: Iterable[DeadlineSource] | None = None,
) -> int:
    """Remind and escalate for every open item of every source; returns notices created.

    A source (or one of its items) that raises is logged and skipped; the others still run,
    and the sweep then raises PartialSweepFailure with the count so the run records both.
    """
    between = workdays_between or resolve_workdays_between()
    today = timezone.localdate(now)
    default_lead = conf.reminder_workdays()
    sent = 0
    failures: list[str] = []
    # Stored notices are in the site language, whatever language the caller had active.
    with translation.override(settings.LANGUAGE_CODE):
        for source in list(sources if sources is not None else deadline_sources()):
            try:
                items = [DeadlineItem(*raw) for raw in source.items(today)]
            except Exception as exc:  # a broken source must not stop the others
                logger.exception("Deadline source %s failed", source.name)
                failures.append(f"{source.name}: {describe(exc)}")
                continue
            leads = reminder_lead({i.agency.pk for i in items if i.agency is not None})
            for item in items:
                lead = leads.get(getattr(item.agency, "pk", None), default_lead)
                try:
                    sent += _remind_or_escalate(item, today, lead, between)
                except Exception as exc:
                    logger.exception(
                        "Deadline item %s of %s failed", _target_key(item.target), source.name
                    )
                    failures.append(f"{source.name} {_target_key(item.target)}: {describe(exc)}")
    if failures:
        raise PartialSweepFailure(sent, failures)
    return sent


def _remind_or_escalate(item: DeadlineItem, today: date, lead: int, between) -> int:
    due = _format_date(item.due_on)
    key = f"{_target_key(item.target)}:{item.due_on.isoformat()}"
    if item.due_on < today:
        created = notify(
            recipients=item.escalate_to or item.recipients,
            kind=KIND_OVERDUE,
            title=_short(_("【已逾期】%(title)s") % {"title": item.title}),
            body=_("办理期限为%(due)s，现已逾期，请及时督办。") % {"due": due},
            url=item.url,
            target=item.target,
            agency=item.agency,
            dedupe_key=f"overdue:{key}",
            channels=conf.deadline_channels(),
        )
        return len(created)
    try:
        left = int(between(today, item.due_on))
    except DomainError:
        # A date the calendar does not cover: count Monday to Friday, as the calendar itself
        # does for years without a confirmed schedule, rather than drop the reminder.
        left = weekday_workdays_between(today, item.due_on)
    if left > lead:
        return 0
    if item.due_on == today:
        body = _("办理期限为%(due)s，今天到期。") % {"due": due}
    else:
        body = _("办理期限为%(due)s，还剩 %(n)d 个工作日。") % {"due": due, "n": left}
    created = notify(
        recipients=item.recipients,
        kind=KIND_REMINDER,
        title=_short(_("【即将到期】%(title)s") % {"title": item.title}),
        body=body,
        url=item.url,
        target=item.target,
        agency=item.agency,
        dedupe_key=f"reminder:{key}",
        channels=conf.deadline_channels(),
    )
    return len(created)


def _target_key(target: models.Model) -> str:
    return f"{target._meta.label_lower}:{target.pk}"


def _format_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _short(title: str) -> str:
    title = " ".join(title.split())
    return title if len(title) <= 200 else title[:199] + "…"
