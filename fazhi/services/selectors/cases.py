"""Reads of the cases area: what a user may see, the case list, a person's records, figures.

The case list must stay fast over millions of cases: it reads one agency at a time, ordered by
the index `services_case_list` (agency, -received_on, -id), pages by keyset ("更早"/"较新",
the cursor is the last row's (received_on, id)), counts at most COUNT_CAP rows, loads only the
columns it shows (no identifier is decrypted) and joins item, department and center in the
same query — a constant number of queries whatever the rows.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.db.models import BigIntegerField, Count, DateField, Q, QuerySet
from django.db.models.functions import Cast
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fazhi.core.errors import InvalidInput
from fazhi.core.identity.selectors import filter_by_identifier
from fazhi.core.models import Agency
from fazhi.core.roles import Role
from fazhi.core.tenancy import agencies_with_role, readable_agency_ids
from fazhi.services.models import Appointment, PowerKind, ServiceCase
from fazhi.services.permissions import cases as perms

State = ServiceCase.State
PAGE_SIZE = 50
COUNT_CAP = 1000
LIST_COLUMNS = (
    "id",
    "agency",
    "case_number",
    "item",
    "item__name",
    "department",
    "department__name",
    "center",
    "center__name",
    "channel",
    "applicant_kind",
    "applicant_name",
    "state",
    "received_on",
    "accepted_on",
    "promised_due_on",
    "statutory_due_on",
    "concluded_on",
    "on_time_promised",
    "on_time_statutory",
    "overdue",
    "created_by",
    "handler",
)


# --- Who sees what ----------------------------------------------------------------------------


def reading_agency_ids(user) -> list[int]:
    """Agencies whose cases the user reads (all of them, or some departments' cases)."""
    ids = readable_agency_ids(user)
    if agencies_with_role(user, Role.DISTRICT_OVERSEER):
        return sorted(ids)
    from fazhi.core.tenancy import has_role

    return sorted(
        a
        for a in ids
        if has_role(user, Role.LEGAL_OFFICER, Role.LEADER, *perms.DEPARTMENT_ROLES, agency_id=a)
    )


def agency_for(user, wanted: int | None = None) -> Agency | None:
    """The agency a page shows: the one asked for (if readable), else the user's first."""
    ids = reading_agency_ids(user)
    if wanted is not None:
        return Agency.objects.filter(pk=wanted, pk__in=ids).first()
    return Agency.objects.filter(pk__in=ids).order_by("pk").first()


def visible(user, agency_id: int) -> QuerySet:
    """The agency's cases the user reads: all (legal office, leaders, overseers) or those of
    their departments and those they registered."""
    qs = ServiceCase.objects.filter(agency_id=agency_id)
    if agency_id not in readable_agency_ids(user):
        return qs.none()
    if perms.reads_all(user, agency_id):
        return qs
    departments = perms.department_ids(user, agency_id)
    return qs.filter(Q(department_id__in=departments) | Q(created_by_id=user.pk))


def access_case(user, pk) -> ServiceCase:
    """One case the user may read (404 for a missing and a forbidden one alike)."""
    text = str(pk or "")
    if not (text.isascii() and text.isdigit() and len(text) < 19):
        raise Http404
    case = (
        ServiceCase.objects.select_related(
            "agency", "item", "department", "center", "appointment", "handler", "created_by"
        )
        .filter(pk=int(text))
        .first()
    )
    if case is None or not perms.may_read(user, case):
        raise Http404
    return case


# --- The list ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseFilters:
    state: str = ""
    department: int | None = None
    center: int | None = None
    item: int | None = None
    channel: str = ""
    # "1": past the promised limit (running, or concluded late); "2": the statutory one.
    overdue: str = ""
    received_from: date | None = None
    received_to: date | None = None
    q: str = ""


OVERDUE_CHOICES = (("1", gettext_lazy("超承诺时限")), ("2", gettext_lazy("超法定时限")))


def filtered(
    qs: QuerySet, f: CaseFilters, today: date | None = None, *, agency_id: int | None = None
) -> QuerySet:
    """`qs` (one agency's cases, `agency_id`) narrowed by the list's filters."""
    today = today or timezone.localdate()
    if f.state:
        qs = qs.filter(state=f.state)
    if f.department:
        qs = qs.filter(department_id=f.department)
    if f.center:
        qs = qs.filter(center_id=f.center)
    if f.item:
        qs = qs.filter(item_id=f.item)
    if f.channel:
        qs = qs.filter(channel=f.channel)
    if f.overdue in ("1", "2"):
        column = "promised" if f.overdue == "1" else "statutory"
        qs = qs.filter(
            Q(state__in=ServiceCase.RUNNING_STATES, **{f"{column}_due_on__lt": today})
            | Q(**{f"on_time_{column}": False})
        )
    if f.received_from:
        qs = qs.filter(received_on__gte=f.received_from)
    if f.received_to:
        qs = qs.filter(received_on__lte=f.received_to)
    if f.q and agency_id is not None:
        # As a subquery: the matches are found by their own indexes first. Put in the outer
        # WHERE, SQLite walked the list's index newest-first and tested every row (a rare name
        # or one case number among a million took seconds).
        matches = ServiceCase.objects.filter(agency_id=agency_id).filter(search(agency_id, f.q))
        qs = qs.filter(pk__in=matches.values("pk"))
    return qs


def case_numbers_for(agency_id: int, text: str) -> list[str]:
    """The case numbers `text` may mean: itself, and when it is the serial alone ("123" or
    "000123") that serial in each year's case series of the agency — so the search stays an
    index lookup on (agency, case_number) instead of a scan for a substring."""
    from fazhi.core.models.numbering import NumberSeries
    from fazhi.services.services.cases import SERIES

    numbers = [text]
    if text.isascii() and text.isdigit() and len(text) <= 9:
        for series in NumberSeries.objects.filter(agency_id=agency_id, key=SERIES):
            numbers.append(series.render(int(text)))
    return numbers


def search(agency_id: int, text: str) -> Q:
    """办件编号 (whole, or its serial) or 申请人 (the whole name or its beginning): both served
    by an index (services_case_number, services_case_applicant)."""
    return Q(case_number__in=case_numbers_for(agency_id, text)) | name_prefix(text)


def name_prefix(text: str) -> Q:
    """Names beginning with `text`, as an index seek on both databases. PostgreSQL serves
    LIKE 'x%' from the varchar_pattern_ops index; SQLite's LIKE ignores ASCII case and so cannot
    use a plain index (a million-case list scanned every row), but a range over the column in
    its binary order is the same test for a prefix and is a seek."""
    if connection.vendor == "sqlite":
        return Q(applicant_name__gte=text, applicant_name__lt=text + "\U0010ffff")
    return Q(applicant_name__startswith=text)


def encode_cursor(received_on: date, pk: int) -> str:
    raw = f"{received_on.isoformat()}.{pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[date, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        day, pk = base64.urlsafe_b64decode(padded.encode()).decode().split(".")
        return date.fromisoformat(day), int(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise InvalidInput(_("分页游标无效。"), code="bad_cursor") from exc


@dataclass(frozen=True)
class CasePage:
    rows: list
    # Cursor of the next (older) page and of the previous (newer) one; None at either end.
    older: str | None
    newer: str | None
    # At most COUNT_CAP + 1: "more than COUNT_CAP" is shown as such.
    count: int

    @property
    def count_capped(self) -> bool:
        return self.count > COUNT_CAP


def _order(filters: CaseFilters, *, newest_first: bool) -> tuple:
    """The list's order, (received_on, id). With a search the matches are few and found by
    their own indexes, so the order is given as an expression the list's index cannot serve:
    otherwise SQLite walks that index newest-first and tests every case (seconds at a million)
    instead of sorting the few matches."""
    if not filters.q:
        return ("-received_on", "-id") if newest_first else ("received_on", "id")
    day, pk = Cast("received_on", DateField()), Cast("id", BigIntegerField())
    return (day.desc(), pk.desc()) if newest_first else (day.asc(), pk.asc())


def case_page(
    user,
    agency_id: int,
    filters: CaseFilters,
    *,
    after: str = "",
    before: str = "",
    size: int | None = None,
    count: bool = True,
    today: date | None = None,
) -> CasePage:
    """One page of the list, newest first; `after` pages towards older cases, `before` back
    towards newer ones (cursors from an earlier page). Two queries (page, capped count)."""
    size = size or PAGE_SIZE
    base = filtered(visible(user, agency_id), filters, today, agency_id=agency_id)
    qs = base.select_related("item", "department", "center").only(*LIST_COLUMNS)
    if before:
        day, pk = decode_cursor(before)
        # received_on >= day narrows the index range; the OR keeps the exact keyset order.
        rows = list(
            qs.filter(received_on__gte=day)
            .filter(Q(received_on__gt=day) | Q(received_on=day, pk__gt=pk))
            .order_by(*_order(filters, newest_first=False))[: size + 1]
        )
        more_newer = len(rows) > size
        rows = list(reversed(rows[:size]))
        more_older = True
    else:
        if after:
            day, pk = decode_cursor(after)
            qs = qs.filter(received_on__lte=day).filter(
                Q(received_on__lt=day) | Q(received_on=day, pk__lt=pk)
            )
        rows = list(qs.order_by(*_order(filters, newest_first=True))[: size + 1])
        more_older = len(rows) > size
        rows = rows[:size]
        more_newer = bool(after)
    older = encode_cursor(rows[-1].received_on, rows[-1].pk) if rows and more_older else None
    newer = encode_cursor(rows[0].received_on, rows[0].pk) if rows and more_newer else None
    total = base.order_by()[: COUNT_CAP + 1].count() if count else 0
    return CasePage(rows=rows, older=older, newer=newer, count=total)


def filter_choices(agency_id: int) -> dict:
    """The list's filter options: departments, centers and items of the agency (3 queries)."""
    from fazhi.core.models import Department
    from fazhi.services.models import ServiceCenter, ServiceItem

    return {
        "departments": list(
            Department.objects.filter(agency_id=agency_id).order_by("sort_order", "name")
        ),
        "centers": list(ServiceCenter.objects.filter(agency_id=agency_id).order_by("name", "pk")),
        "items": list(
            ServiceItem.objects.filter(agency_id=agency_id)
            .only("id", "name", "power_code")
            .order_by("power_code", "pk")
        ),
    }


# --- A person's records (刷证办事) -------------------------------------------------------------


def cases_of_person(agency, number: str) -> list[ServiceCase]:
    """Every case of the agency whose applicant holds this ID number, newest first."""
    qs = ServiceCase.objects.filter(agency=agency).select_related("item", "department", "center")
    return list(
        filter_by_identifier(qs, "resident_id", number)
        .only(*LIST_COLUMNS)
        .order_by("-received_on", "-id")[:200]
    )


def appointments_of_person(agency, number: str) -> list[Appointment]:
    qs = Appointment.objects.filter(agency=agency).select_related("center", "item")
    return list(
        filter_by_identifier(qs, "resident_id", number)
        .defer("resident_id", "phone")
        .order_by("-day", "-starts_at", "-pk")[:200]
    )


def checked_in_appointment(agency_id: int, pk) -> Appointment | None:
    """A checked-in appointment of the agency without a case yet (the register page's prefill)."""
    text = str(pk or "")
    if not (text.isascii() and text.isdigit() and len(text) < 19):
        return None
    return (
        Appointment.objects.select_related("center", "item")
        .filter(
            pk=int(text),
            agency_id=agency_id,
            state=Appointment.State.CHECKED_IN,
            case__isnull=True,
        )
        .first()
    )


# --- Figures ----------------------------------------------------------------------------------

DECISIONS = (
    ServiceCase.Decision.GRANTED,
    ServiceCase.Decision.DENIED,
    ServiceCase.Decision.NOT_ACCEPTED,
)


def decisions_by_kind(agency, year: int) -> dict[str, dict[str, int]]:
    """{power kind: {granted, denied, not_accepted, total}} of the decisions dated in `year`
    (决定日期), every kind present (zeros included). One query."""
    out = {kind: dict.fromkeys((*DECISIONS, "total"), 0) for kind in PowerKind.values}
    rows = (
        ServiceCase.objects.filter(
            agency=agency,
            decided_on__gte=date(year, 1, 1),
            decided_on__lte=date(year, 12, 31),
            decision__in=list(DECISIONS),
        )
        .values("power_kind", "decision")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        bucket = out.setdefault(row["power_kind"], dict.fromkeys((*DECISIONS, "total"), 0))
        bucket[row["decision"]] += row["n"]
        bucket["total"] += row["n"]
    return out


def decision_rows(agency, year: int) -> list[dict]:
    """decisions_by_kind as table rows in the order of the power kinds, with a total row."""
    data = decisions_by_kind(agency, year)
    rows = [{"kind": kind, "label": str(label), **data[kind]} for kind, label in PowerKind.choices]
    total = {key: sum(r[key] for r in rows) for key in (*DECISIONS, "total")}
    rows.append({"kind": "", "label": _("合计"), **total})
    return rows


def percent(part: int, whole: int) -> Decimal | None:
    """part / whole as a percentage, two decimals, ROUND_HALF_UP; None when whole is 0."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), ROUND_HALF_UP)


@dataclass(frozen=True)
class OnTimeRow:
    key: int | None
    name: str
    concluded: int
    # Cases with a promised (statutory) limit, and how many concluded within it.
    with_promised: int
    on_time_promised: int
    with_statutory: int
    on_time_statutory: int

    @property
    def promised_rate(self) -> Decimal | None:
        return percent(self.on_time_promised, self.with_promised)

    @property
    def statutory_rate(self) -> Decimal | None:
        return percent(self.on_time_statutory, self.with_statutory)


def on_time_rates(agency, year: int, *, by: str = "item") -> list[OnTimeRow]:
    """按时办结率 per item or department of the cases concluded (办结) in `year`.

    Definition: on-time rate = cases concluded on or before the deadline ÷ cases concluded that
    have that limit, ×100, two decimals, ROUND_HALF_UP. 不予受理 never started a clock and is
    not counted; a case whose guide sets no limit leaves that rate's denominator. The last row
    is the total. One query.
    """
    if by not in ("item", "department"):
        raise InvalidInput(_("统计维度应为事项或处室。"), code="bad_filter")
    key = "item_id" if by == "item" else "department_id"
    name = "item__name" if by == "item" else "department__name"
    rows = (
        ServiceCase.objects.filter(
            agency=agency,
            concluded_on__gte=date(year, 1, 1),
            concluded_on__lte=date(year, 12, 31),
            state__in=[State.CONCLUDED, State.DELIVERED],
        )
        .values(key, name)
        .annotate(
            concluded=Count("id"),
            with_promised=Count("id", filter=Q(on_time_promised__isnull=False)),
            on_time_promised=Count("id", filter=Q(on_time_promised=True)),
            with_statutory=Count("id", filter=Q(on_time_statutory__isnull=False)),
            on_time_statutory=Count("id", filter=Q(on_time_statutory=True)),
        )
        .order_by(name, key)
    )
    found = [
        OnTimeRow(
            r[key],
            r[name],
            r["concluded"],
            r["with_promised"],
            r["on_time_promised"],
            r["with_statutory"],
            r["on_time_statutory"],
        )
        for r in rows
    ]
    if found:
        found.append(
            OnTimeRow(
                None,
                _("合计"),
                *(
                    sum(getattr(r, f) for r in found)
                    for f in (
                        "concluded",
                        "with_promised",
                        "on_time_promised",
                        "with_statutory",
                        "on_time_statutory",
                    )
                ),
            )
        )
    return found
