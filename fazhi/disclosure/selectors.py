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


# --- Proactive disclosure (主动公开) ----------------------------------------------------------
# Who sees which records: the legal office, leaders and district overseers every record of the
# agencies they read; clerks and department heads the records of their own departments.


def _proactive():
    from fazhi.disclosure.models import PublicRecord

    return PublicRecord


def records_for(user):
    """The public records `user` may open (the permission `disclosure.view_record` agrees)."""
    from fazhi.core.models import Membership
    from fazhi.core.roles import Role
    from fazhi.core.tenancy import agencies_with_role, has_role, readable_agency_ids

    PublicRecord = _proactive()
    readable = readable_agency_ids(user)
    if not readable:
        return PublicRecord.objects.none()
    whole = set(agencies_with_role(user, Role.LEGAL_OFFICER, Role.LEADER))
    if has_role(user, Role.DISTRICT_OVERSEER):
        whole = readable
    departments = list(
        Membership.objects.active()
        .filter(
            user=user,
            agency_id__in=readable,
            role__in=[Role.CLERK, Role.DEPARTMENT_HEAD],
            department__isnull=False,
        )
        .values_list("department_id", flat=True)
    )
    return PublicRecord.objects.filter(
        Q(agency_id__in=whole & readable) | Q(agency_id__in=readable, department_id__in=departments)
    )


def _current_open_findings():
    from django.db.models import F

    return Count(
        "findings",
        filter=Q(findings__resolution="open", findings__found_at__gte=F("submitted_at")),
        distinct=True,
    )


def record_worklist(user, *, state: str = "", category: str = "", department=None, q: str = ""):
    """The staff list: records the user may open, open ones first by due date; constant queries
    (one, with the open findings counted in SQL)."""
    from django.db.models import Case, IntegerField, Value, When

    PublicRecord = _proactive()
    records = records_for(user).select_related("agency", "department")
    if state:
        records = records.filter(state=state)
    if category:
        records = records.filter(category=category)
    if department:
        records = records.filter(department_id=getattr(department, "pk", department))
    q = (q or "").strip()
    if q:
        records = records.filter(
            Q(title__icontains=q) | Q(document_number__icontains=q) | Q(index_number__icontains=q)
        )
    open_states = [PublicRecord.State.DRAFT, PublicRecord.State.REVIEW, PublicRecord.State.APPROVAL]
    return records.annotate(
        open_findings=_current_open_findings(),
        is_open=Case(
            When(state__in=open_states, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        ),
    ).order_by("is_open", "due_on", "-published_on", "-pk")


def _with_validity(records, today: date):
    """`validity_now`: a normative document's 有效性 read live from the rules status (never a
    stale copy); other records keep what the drafter set."""
    from django.db.models import Case, CharField, OuterRef, Subquery, Value, When

    from fazhi.rules.models import NormativeDocument
    from fazhi.rules.selectors import with_public_status

    status = Subquery(
        with_public_status(
            NormativeDocument.objects.filter(pk=OuterRef("source_document_id")), today
        ).values("public_status")[:1]
    )
    return records.annotate(source_status=status).annotate(
        validity_now=Case(
            When(source_document__isnull=True, then="validity"),
            When(source_status="repealed", then=Value("repealed")),
            When(source_status__in=["expired", "revised"], then=Value("expired")),
            default=Value("in_force"),
            output_field=CharField(),
        )
    )


CATALOGUE_STATES = ("published", "withdrawn", "superseded")


def catalogue(
    agency=None,
    *,
    category: str = "",
    five_disclosures: str = "",
    topic: str = "",
    year: int | None = None,
    q: str = "",
    today: date | None = None,
):
    """The public catalogue (公开目录): published records, newest first. Withdrawn entries stay
    listed as 已撤回 with their public reason, superseded ones as 已被替代 with their successor,
    so a link once given never silently disappears. `agency` None: every agency."""
    from django.utils import timezone

    PublicRecord = _proactive()
    records = PublicRecord.objects.filter(state__in=CATALOGUE_STATES).select_related(
        "agency", "department", "superseded_by"
    )
    if agency is not None:
        records = records.filter(agency_id=getattr(agency, "pk", agency))
    if category:
        records = records.filter(category=category)
    if five_disclosures:
        records = records.filter(five_disclosures=five_disclosures)
    if topic:
        records = records.filter(topic=topic)
    if year:
        records = records.filter(published_on__year=year)
    q = (q or "").strip()
    if q:
        records = records.filter(
            Q(title__icontains=q)
            | Q(body__icontains=q)
            | Q(document_number__icontains=q)
            | Q(index_number__icontains=q)
        )
    records = _with_validity(records, today or timezone.localdate())
    return records.order_by("-published_on", "-pk")


def catalogue_record(record_id, *, today: date | None = None):
    """One catalogue entry for the public, with its attachments; None if not public."""
    from django.db.models import Prefetch

    from fazhi.core.files.models import StoredFile

    try:
        return (
            catalogue(today=today)
            .prefetch_related(Prefetch("attachments", queryset=StoredFile.objects.order_by("pk")))
            .get(pk=record_id)
        )
    except (ValueError, TypeError, _proactive().DoesNotExist):
        return None


def catalogue_attachment(record_id, file_id):
    """An attachment of a published record (not withdrawn or superseded), for the portal's
    download; None otherwise. The caller opens `core.files.storage.content_open(sha256)`."""
    from fazhi.core.files.models import StoredFile

    PublicRecord = _proactive()
    try:
        record = PublicRecord.objects.get(pk=record_id, state=PublicRecord.State.PUBLISHED)
        return record.attachments.get(pk=file_id)
    except (ValueError, TypeError, PublicRecord.DoesNotExist, StoredFile.DoesNotExist):
        return None


def record_findings(record):
    """The scan findings of the record's current round (earlier rounds are history); reads the
    round from the database, so a stale instance still gets the right findings."""
    from django.db.models import F

    from fazhi.disclosure.models import ScanFinding

    return (
        ScanFinding.objects.filter(record_id=record.pk, found_at__gte=F("record__submitted_at"))
        .select_related("attachment", "resolved_by")
        .order_by("attachment_id", "start", "pk")
    )


def record_reviews(record):
    """Every 保密审查 of the record, oldest first (returns and withholdings stay visible)."""
    return record.reviews.select_related("reviewer").order_by("reviewed_at", "pk")


def record_timeline(record):
    from fazhi.core import workflow

    return workflow.timeline(record)


@dataclass(frozen=True)
class TimelinessRow:
    category: str
    label: str
    published: int
    on_time: int
    late: int


def timeliness(agency, year: int) -> dict:
    """OGI Art. 26 in a year: records published within their limit (`due_on`) and late, per
    category; one query. {"rows": [TimelinessRow], "published", "on_time", "late"}."""
    from django.db.models import F

    from fazhi.disclosure.models.proactive import Category

    PublicRecord = _proactive()
    counts = {
        row["category"]: row
        for row in PublicRecord.objects.filter(
            agency_id=getattr(agency, "pk", agency),
            state__in=CATALOGUE_STATES,
            published_on__year=year,
        )
        .values("category")
        .annotate(
            published=Count("pk"),
            on_time=Count("pk", filter=Q(due_on__isnull=True) | Q(published_on__lte=F("due_on"))),
        )
    }
    rows = []
    for value, label in Category.choices:
        row = counts.get(value, {"published": 0, "on_time": 0})
        rows.append(
            TimelinessRow(
                value,
                str(label),
                row["published"],
                row["on_time"],
                row["published"] - row["on_time"],
            )
        )
    return {
        "rows": rows,
        "published": sum(r.published for r in rows),
        "on_time": sum(r.on_time for r in rows),
        "late": sum(r.late for r in rows),
    }


# --- Table 二 of the annual report and the report's tables as data (年度报告) -------------------
# 国办公开办函〔2021〕30号, table 二: the blocks of Art. 20 with their rows and columns, verbatim.
# 行政规范性文件 comes from the rules app and 行政许可 from the services app's cases (the
# decisions dated in the year on items whose power is a 行政许可: 准予, 不予 and 不予受理); the rows
# no Fazhi module keeps yet (规章, 行政处罚, 行政强制, 行政事业性收费) are entered by hand and
# marked 手工填报 wherever shown.

TABLE_TWO_TITLE = _("二、主动公开政府信息情况")
TABLE_THREE_TITLE = _("三、收到和处理政府信息公开申请情况")
INFORMATION = _("信息内容")
MANUAL_MARK = _("手工填报")
DOCUMENT_COLUMNS = (
    ("issued", _("本年制发件数")),
    ("repealed", _("本年废止件数")),
    ("in_force", _("现行有效件数")),
)
DECISION_COLUMNS = (("decisions", _("本年处理决定数量")),)
AMOUNT_COLUMNS = (("amount", _("本年收费金额（单位：万元）")),)
# (block key, block header, columns, ((row key, row label, entered by hand), ...))
TABLE_TWO_LAYOUT = (
    (
        "article_20_1",
        _("第二十条第（一）项"),
        DOCUMENT_COLUMNS,
        (("regulations", _("规章"), True), ("normative_documents", _("行政规范性文件"), False)),
    ),
    (
        "article_20_5",
        _("第二十条第（五）项"),
        DECISION_COLUMNS,
        (("licensing", _("行政许可"), False),),
    ),
    (
        "article_20_6",
        _("第二十条第（六）项"),
        DECISION_COLUMNS,
        (("penalty", _("行政处罚"), True), ("coercion", _("行政强制"), True)),
    ),
    (
        "article_20_8",
        _("第二十条第（八）项"),
        AMOUNT_COLUMNS,
        (("fees", _("行政事业性收费"), True),),
    ),
)
# {row key: (column keys)} of the cells entered by hand.
MANUAL_CELLS: dict[str, tuple[str, ...]] = {
    row: tuple(key for key, _label in columns)
    for _block, _header, columns, rows in TABLE_TWO_LAYOUT
    for row, _row_label, manual in rows
    if manual
}
# A district bureau makes no 规章 (only governments of larger cities and ministries do), so the
# row stands at 0 unless the office enters otherwise; the other hand rows must be entered.
MANUAL_DEFAULTS: dict[str, dict[str, int]] = {
    "regulations": {"issued": 0, "repealed": 0, "in_force": 0}
}
AMOUNT_CELLS = frozenset({("fees", "amount")})


@dataclass(frozen=True)
class TwoRow:
    key: str
    label: str
    manual: bool
    # One value per column of the block: int, a decimal string for 万元, None if not entered.
    values: tuple


@dataclass(frozen=True)
class TwoBlock:
    key: str
    header: str
    columns: tuple[tuple[str, str], ...]
    rows: tuple[TwoRow, ...]


@dataclass(frozen=True)
class TableTwo:
    year: int
    blocks: tuple[TwoBlock, ...]

    def row(self, key: str) -> TwoRow:
        return next(r for b in self.blocks for r in b.rows if r.key == key)

    def value(self, key: str, column: str):
        block = next(b for b in self.blocks if any(r.key == key for r in b.rows))
        return self.row(key).values[[c for c, _label in block.columns].index(column)]

    def missing(self) -> list[tuple[str, str]]:
        """(row label, column label) of the hand cells not entered yet."""
        return [
            (row.label, label)
            for block in self.blocks
            for row in block.rows
            for (_key, label), value in zip(block.columns, row.values, strict=True)
            if value is None
        ]


def manual_value(manual_figures: dict, row: str, column: str):
    """A hand cell as entered (int, or 万元 as a decimal string), its default, or None."""
    entered = (manual_figures or {}).get(row, {}).get(column)
    if entered is None:
        return MANUAL_DEFAULTS.get(row, {}).get(column)
    return entered


def computed_rows(agency, year: int) -> dict[str, dict[str, int]]:
    """The rows of table 二 counted from the records: 行政规范性文件 by the rules app (three
    queries), 行政许可 by the services app (one query: decisions dated in the year)."""
    from fazhi.rules.selectors import report_figures
    from fazhi.services.models import PowerKind
    from fazhi.services.selectors.cases import decisions_by_kind

    licensing = decisions_by_kind(agency, year)[PowerKind.LICENSING]
    return {
        "normative_documents": report_figures(agency, year),
        "licensing": {"decisions": licensing["total"]},
    }


def table_two(agency, year: int, manual_figures: dict | None = None) -> TableTwo:
    """Table 二 for one agency and year: the counted rows (see `computed_rows`), the other rows
    from `manual_figures` ({row: {column: value}}, see MANUAL_CELLS)."""
    counted = computed_rows(agency, year)
    blocks = []
    for key, header, columns, rows in TABLE_TWO_LAYOUT:
        built = []
        for row, label, manual in rows:
            if manual:
                values = tuple(manual_value(manual_figures, row, column) for column, _c in columns)
            else:
                values = tuple(counted[row][column] for column, _c in columns)
            built.append(TwoRow(row, str(label), manual, values))
        blocks.append(
            TwoBlock(key, str(header), tuple((c, str(label)) for c, label in columns), tuple(built))
        )
    return TableTwo(year=year, blocks=tuple(blocks))


def report_tables_data(agency, year: int, manual_figures: dict | None = None) -> dict:
    """Tables 二, 三 and 四 as plain data (labels in Chinese whatever the interface language):
    what a report freezes in `tables` when finalised, and what pages and exports render."""
    from django.conf import settings
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        two = table_two(agency, year, manual_figures)
        three = table_three(agency, year)
        four = table_four(agency, year)
        return {
            "year": year,
            "two": {
                "title": str(TABLE_TWO_TITLE),
                "information": str(INFORMATION),
                "blocks": [
                    {
                        "key": block.key,
                        "header": block.header,
                        "columns": [{"key": c, "label": label} for c, label in block.columns],
                        "rows": [
                            {
                                "key": row.key,
                                "label": row.label,
                                "manual": row.manual,
                                "values": list(row.values),
                            }
                            for row in block.rows
                        ],
                    }
                    for block in two.blocks
                ],
            },
            "three": {
                "title": str(TABLE_THREE_TITLE),
                "note": str(TABLE_THREE_NOTE),
                "applicant": str(APPLICANT_HEADER),
                "organisation": str(ORGANISATION_HEADER),
                "columns": list(COLUMNS),
                "column_labels": [str(label) for label in COLUMN_LABELS],
                "rows": [
                    {
                        "key": row.key,
                        "label": row.label,
                        "level": row.level,
                        "values": list(row.values) if row.values is not None else None,
                    }
                    for row in three.rows
                ],
            },
            "four": {
                "title": str(TABLE_FOUR_TITLE),
                "reconsideration": str(RECONSIDERATION),
                "litigation": str(LITIGATION),
                "columns": list(FOUR_COLUMNS),
                "column_labels": [str(label) for label in FOUR_COLUMN_LABELS],
                "groups": [
                    {
                        "key": group.key,
                        "label": group.label,
                        "parent": group.parent,
                        "values": list(group.values),
                    }
                    for group in four.groups
                ],
            },
        }


def report_tables(report) -> dict:
    """The report's tables: frozen once finalised, computed from the records while drafted."""
    if report.state != "draft" and report.tables:
        return report.tables
    return report_tables_data(report.agency, report.year, report.manual_figures)


def _cell(data: dict, key: str) -> list:
    return next(row["values"] for row in data["rows"] if row["key"] == key)


def report_identity_breaks(tables: dict) -> list[str]:
    """The broken identities, one Chinese sentence each naming its cell: table 三's
    一＋二＝三（七）总计＋四 in each of the 7 columns, table 四's 总计 in each group."""
    found = []
    three = tables["three"]
    new, carried, total, out = (
        _cell(three, k) for k in ("new", "carried_in", "total", "carried_out")
    )
    for i, label in enumerate(three["column_labels"]):
        left, right = new[i] + carried[i], total[i] + out[i]
        if left != right:
            found.append(f"表三“{label}”列：一＋二＝{left}，三（七）总计＋四＝{right}")
    four = tables["four"]
    parts = "＋".join(four["column_labels"][:-1])
    for group in four["groups"]:
        values = group["values"]
        if values[-1] != sum(values[:-1]):
            label = f"{group['parent']}（{group['label']}）" if group["parent"] else group["label"]
            found.append(
                f"表四“{label}”：{four['column_labels'][-1]}＝{values[-1]}，"
                f"{parts}＝{sum(values[:-1])}"
            )
    return found


def case_files(agency, start: date, end: date):
    """The population "disclosure.requests" of spot checks (案卷评查): requests concluded
    (办结) from `start` to `end`. The legal office handles every request, so each is of the
    agency's legal office department; none without one. The label is the tracking number and
    the outcome, never the applicant or the description (the population is published)."""
    from fazhi.core.models import Department
    from fazhi.oversight.populations import CaseFile

    office = Department.objects.filter(agency=agency, is_legal_office=True).first()
    if office is None:
        return []
    rows = (
        DisclosureRequest.objects.filter(
            agency=agency, concluded_on__gte=start, concluded_on__lte=end
        )
        .exclude(outcome="")
        .order_by("concluded_on", "pk")
        .only("pk", "tracking_number", "outcome", "concluded_on")
    )
    import re

    # "（二）部分公开（区分处理的，…）" → "部分公开": the table's numbering and notes dropped.
    outcomes = {
        value: re.sub(r"^（[一二三四五六七八九十]+）|^[0-9]+\.", "", str(label)).split("（")[0]
        for value, label in Outcome.choices
    }
    return [
        CaseFile(
            ref=f"disclosure.requests:{request.pk}",
            label=f"{request.tracking_number}（{outcomes.get(request.outcome, '')}）"[:300],
            department_id=office.pk,
            day=request.concluded_on,
        )
        for request in rows
    ]
