"""Reads of disclosure requests: the clock's facts, the status lookup, tables 三 and 四."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from fazhi.core.tenancy import scope
from fazhi.disclosure import clock
from fazhi.disclosure.choices import ApplicantKind, ConsultationKind
from fazhi.disclosure.models import DisclosureChallenge, DisclosureRequest
from fazhi.disclosure.outcomes import GROUPS, Outcome


def requests_for(user) -> QuerySet[DisclosureRequest]:
    """The requests of the agencies the user may read (the role check is the permission's)."""
    return scope(user, DisclosureRequest.objects.all())


def _one(request, name):
    try:
        return getattr(request, name)
    except ObjectDoesNotExist:
        return None


# --- The clock --------------------------------------------------------------------------------


def facts_for(request: DisclosureRequest) -> clock.Facts:
    """The request's clock records as values for clock.due_date()."""
    supplement_request = _one(request, "supplement_request")
    fee = _one(request, "fee")
    extension = _one(request, "extension")
    kinds = dict(ConsultationKind.choices)
    return clock.Facts(
        received_on=request.received_on,
        supplement_request=clock.SupplementRequest(
            supplement_request.notice_on,
            supplement_request.supplement_due_on,
            supplement_request.supplemented_on,
        )
        if supplement_request is not None
        else None,
        consultations=tuple(
            clock.Pause(str(kinds[c.kind]), c.sent_on, c.due_on, c.answered_on)
            for c in request.consultations.all()
        ),
        fee=clock.Pause(str(_("收费通知至缴费")), fee.notice_on, fee.payment_due_on, fee.paid_on)
        if fee is not None
        else None,
        extension=clock.Extension(extension.days, extension.approved_on, str(extension.approved_by))
        if extension is not None
        else None,
    )


def due_explained(request: DisclosureRequest) -> clock.DueDate:
    """The request's deadline with its explanation, as the request page and the API show it."""
    return clock.due_date(facts_for(request), clock.Rules.for_agency(request.agency_id))


# --- The applicant's status check -------------------------------------------------------------


def request_by_tracking(tracking_number: str, phone: str) -> DisclosureRequest | None:
    """The request with this tracking number whose contact phone is `phone`, else None.

    Both must match, and a wrong phone answers exactly like an unknown number, so the lookup
    tells nothing about which numbers exist.
    """
    number = (tracking_number or "").strip()[:60]
    if not number or not (phone or "").strip():
        return None
    for candidate in DisclosureRequest.objects.filter(tracking_number=number).select_related(
        "agency"
    ):
        if candidate.phone.matches(phone):
            return candidate
    return None


# --- Table 三 of the annual report ------------------------------------------------------------

# 国办公开办函〔2021〕30号, table 三: the header note, the columns and the rows, verbatim.
TABLE_THREE_NOTE = _("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）")
APPLICANT_HEADER = _("申请人情况")
ORGANISATION_HEADER = _("法人或其他组织")
TOTAL = _("总计")
# The 7 numeric columns: 自然人, the five organisation kinds, 总计.
COLUMNS: tuple[str, ...] = (*ApplicantKind.values, "total")
COLUMN_LABELS = (*ApplicantKind.labels, TOTAL)
NEW = _("一、本年新收政府信息公开申请数量")
CARRIED_IN = _("二、上年结转政府信息公开申请数量")
RESULTS = _("三、本年度办理结果")
RESULTS_TOTAL = _("（七）总计")
CARRIED_OUT = _("四、结转下年度继续办理")


@dataclass(frozen=True)
class TableRow:
    key: str
    label: str
    # 0: 一、二、三、四; 1: （一）…（七）; 2: the numbered sub-rows.
    level: int
    # One number per column of COLUMNS; None for a heading without numbers of its own.
    values: tuple[int, ...] | None


@dataclass(frozen=True)
class TableThree:
    year: int
    rows: tuple[TableRow, ...]
    columns: tuple[str, ...] = COLUMNS

    def row(self, key: str) -> TableRow:
        return next(r for r in self.rows if r.key == key)

    def value(self, key: str, column: str) -> int:
        return self.row(key).values[self.columns.index(column)]

    def identity_breaks(self) -> list[str]:
        """The columns where 一 + 二 ≠ 三(七)总计 + 四 (empty when the table is consistent)."""
        new, carried, total, out = (
            self.row(k).values for k in ("new", "carried_in", "total", "carried_out")
        )
        return [
            column
            for i, column in enumerate(self.columns)
            if new[i] + carried[i] != total[i] + out[i]
        ]


def _with_total(counts: dict[str, int]) -> tuple[int, ...]:
    values = [counts.get(kind, 0) for kind in ApplicantKind.values]
    return (*values, sum(values))


def table_three(agency, year: int) -> TableThree:
    """Table 三 for one agency and year, counted from the requests in two aggregate queries.

    一 received in the year; 二 received earlier and still open on 1 January; 三 concluded in
    the year, by outcome; 四 received by 31 December and still open after it. Every request
    counts in the column of its applicant kind. The identity 一 + 二 = 三(七) + 四 holds by
    construction (a request concludes on or after its receipt, a database constraint).
    """
    first, last = date(year, 1, 1), date(year, 12, 31)
    requests = DisclosureRequest.objects.filter(agency=agency).order_by()
    in_play = requests.filter(received_on__lte=last).filter(
        Q(concluded_on__isnull=True) | Q(concluded_on__gte=first)
    )
    totals = {
        row["applicant_kind"]: row
        for row in in_play.values("applicant_kind").annotate(
            new=Count("pk", filter=Q(received_on__gte=first)),
            carried=Count("pk", filter=Q(received_on__lt=first)),
            open_at_end=Count("pk", filter=Q(concluded_on__isnull=True) | Q(concluded_on__gt=last)),
        )
    }
    by_outcome: dict[str, dict[str, int]] = {}
    for row in (
        requests.filter(concluded_on__range=(first, last))
        .values("outcome", "applicant_kind")
        .annotate(n=Count("pk"))
    ):
        by_outcome.setdefault(row["outcome"], {})[row["applicant_kind"]] = row["n"]

    def column_counts(field: str) -> dict[str, int]:
        return {kind: row[field] for kind, row in totals.items()}

    rows = [
        TableRow("new", str(NEW), 0, _with_total(column_counts("new"))),
        TableRow("carried_in", str(CARRIED_IN), 0, _with_total(column_counts("carried"))),
        TableRow("results", str(RESULTS), 0, None),
    ]
    concluded: dict[str, int] = {}
    for group in GROUPS:
        if not group.own_row:
            rows.append(TableRow(group.key, str(group.label), 1, None))
        for outcome in group.outcomes:
            counts = by_outcome.get(outcome, {})
            for kind, n in counts.items():
                concluded[kind] = concluded.get(kind, 0) + n
            rows.append(
                TableRow(
                    outcome,
                    str(Outcome(outcome).label),
                    1 if group.own_row else 2,
                    _with_total(counts),
                )
            )
    rows.append(TableRow("total", str(RESULTS_TOTAL), 1, _with_total(concluded)))
    rows.append(
        TableRow("carried_out", str(CARRIED_OUT), 0, _with_total(column_counts("open_at_end")))
    )
    return TableThree(year=year, rows=tuple(rows))


# --- Table 四 of the annual report ------------------------------------------------------------

# 国办公开办函〔2021〕30号, table 四: the title, the group headers and the columns, verbatim.
TABLE_FOUR_TITLE = _("四、政府信息公开行政复议、行政诉讼情况")
RECONSIDERATION = _("行政复议")
LITIGATION = _("行政诉讼")
LITIGATION_DIRECT = _("未经复议直接起诉")
LITIGATION_AFTER = _("复议后起诉")
FOUR_COLUMNS: tuple[str, ...] = ("upheld", "corrected", "other", "pending", "total")
FOUR_COLUMN_LABELS = (_("结果维持"), _("结果纠正"), _("其他结果"), _("尚未审结"), TOTAL)


@dataclass(frozen=True)
class ChallengeGroup:
    key: str  # a DisclosureChallenge.Kind value
    label: str
    # "行政诉讼" over its two sub-groups; empty for 行政复议.
    parent: str
    # One number per column of FOUR_COLUMNS.
    values: tuple[int, ...]


@dataclass(frozen=True)
class TableFour:
    year: int
    groups: tuple[ChallengeGroup, ...]
    columns: tuple[str, ...] = FOUR_COLUMNS

    def group(self, key: str) -> ChallengeGroup:
        return next(g for g in self.groups if g.key == key)

    def value(self, key: str, column: str) -> int:
        return self.group(key).values[self.columns.index(column)]

    def cells(self) -> tuple[int, ...]:
        """The 15 numbers of the table's one data row, left to right."""
        return tuple(n for g in self.groups for n in g.values)

    def identity_breaks(self) -> list[str]:
        """The groups where 总计 ≠ 维持 + 纠正 + 其他 + 尚未审结 (empty when consistent)."""
        return [g.key for g in self.groups if g.values[-1] != sum(g.values[:-1])]


def table_four(agency, year: int) -> TableFour:
    """Table 四 for one agency and year, counted in one aggregate query.

    Counting rule: a case counts in the year it was filed (申请复议或起诉日期), in the group of
    its kind, under its result as it stood on 31 December of that year — decided by then:
    结果维持 / 结果纠正 / 其他结果; decided later or not yet: 尚未审结. So 总计 is the number of
    cases filed in the year, and a finalised report does not change when a case is decided next
    year (that decision is not counted again in the next year's table). The national format
    does not state the rule in words; this reading is ours (domain-rules.md §1.2 gives only the
    columns), so the annual report should say so in its notes.
    """
    Kind, Result = DisclosureChallenge.Kind, DisclosureChallenge.Result
    last = date(year, 12, 31)
    decided_by_end = Q(result_on__lte=last)
    counts = {
        row["kind"]: row
        for row in DisclosureChallenge.objects.filter(agency=agency, filed_on__year=year)
        .order_by()
        .values("kind")
        .annotate(
            upheld=Count("pk", filter=decided_by_end & Q(result=Result.UPHELD)),
            corrected=Count("pk", filter=decided_by_end & Q(result=Result.CORRECTED)),
            other=Count("pk", filter=decided_by_end & Q(result=Result.OTHER)),
            pending=Count("pk", filter=Q(result_on__isnull=True) | Q(result_on__gt=last)),
            total=Count("pk"),
        )
    }
    layout = (
        (Kind.RECONSIDERATION, RECONSIDERATION, ""),
        (Kind.LITIGATION_DIRECT, LITIGATION_DIRECT, LITIGATION),
        (Kind.LITIGATION_AFTER, LITIGATION_AFTER, LITIGATION),
    )
    groups = []
    for kind, label, parent in layout:
        row = counts.get(kind, {})
        groups.append(
            ChallengeGroup(
                str(kind),
                str(label),
                str(parent),
                tuple(row.get(column, 0) for column in FOUR_COLUMNS),
            )
        )
    return TableFour(year=year, groups=tuple(groups))
