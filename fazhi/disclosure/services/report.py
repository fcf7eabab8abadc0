"""The annual report (政府信息公开工作年度报告): opened once per agency and year, written while a
draft, finalised (the identities checked, tables 二、三、四 frozen), reopened before publication
if need be, and published (OGI Art. 49: by 31 January of the following year).

Every service locks the report, checks the actor's permission and the state, and writes its
audit event in the same transaction; a refusal writes nothing.

Decisions:
- The legal office (办公室（法制办）, the office that handles disclosure in a district bureau)
  opens, writes, finalises, reopens and publishes; leaders and district overseers read. The
  leaders' approval of the text happens before the office finalises it and is not modelled.
- A report is finalised only after its year has ended: the statistics period is the calendar
  year, so earlier figures would not be the year's.
- The three written sections (一、五、六) are required to finalise; 六 may say "无".
- The hand rows of table 二 must be entered (0 is an answer) before finalising, except 规章,
  which a district bureau does not make and which stands at 0 unless entered otherwise.
- The deadline is the fixed date of Art. 49 (31 January), not moved to a working day; the
  clock follows it from the reminder lead before it until 31 March (see reports_due).
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_DOWN, Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fazhi.core import audit, workflow
from fazhi.core.calendar import format_day
from fazhi.core.errors import Conflict, InvalidInput, NotAllowed
from fazhi.core.models import Agency
from fazhi.core.roles import Role
from fazhi.disclosure import selectors
from fazhi.disclosure.models import AnnualReport
from fazhi.disclosure.models.report import (
    PUBLISH_REPORT,
    WRITE_REPORT,
    figures_entered,
    sections_written,
    year_ended,
)
from fazhi.disclosure.services._common import MAX_TEXT, _people, _text

State = AnnualReport.State
# The 2019 regulation and the report format built on it: no Fazhi report before its first year.
FIRST_YEAR = 2019
MAX_COUNT = 10**9
# 万元 with at most four decimals: to the 元.
MAX_AMOUNT = Decimal("1000000000")
# The last day (month, day) on which the report due on 31 January is still followed.
FOLLOW_UNTIL = (3, 31)
SECTION_LABELS = {
    "overview": _("一、总体情况"),
    "problems": _("五、存在的主要问题及改进情况"),
    "other_matters": _("六、其他需要报告的事项"),
}


def due_on(year: int) -> date:
    """OGI Art. 49: a department publishes its report of `year` by 31 January of the next."""
    return date(year + 1, 1, 31)


def _lock(report: AnnualReport) -> AnnualReport:
    return AnnualReport.objects.select_for_update().select_related("agency").get(pk=report.pk)


def _require(actor, perm: str, report: AnnualReport) -> None:
    if not actor.has_perm(perm, report):
        raise NotAllowed()


def _require_state(report: AnnualReport, *states) -> None:
    if report.state not in states:
        raise Conflict(
            _("报告当前为“%(state)s”，不能进行此操作。可能已被他人处理，请刷新。")
            % {"state": report.get_state_display()},
            code="state_changed",
        )


def _event(verb: str, *, actor, report, from_state: str, http_request=None, **data) -> None:
    audit.record(
        f"disclosure.report.{verb}",
        actor=actor,
        agency=report.agency,
        target=report,
        from_state=from_state,
        to_state=report.state,
        request=http_request,
        data=data,
    )


def _year(value) -> int:
    today = timezone.localdate()
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise InvalidInput(_("年度格式不正确。"), code="invalid_year")
    text = str(value).strip()
    if not (text.isascii() and text.isdigit() and len(text) == 4):
        raise InvalidInput(_("年度格式不正确，请填写四位数字，如 2025。"), code="invalid_year")
    year = int(text)
    if year < FIRST_YEAR:
        raise InvalidInput(
            _("年度不能早于 %(first)d 年（《中华人民共和国政府信息公开条例》2019年修订施行）。")
            % {"first": FIRST_YEAR},
            code="year_too_early",
        )
    if year > today.year:
        raise InvalidInput(_("不能编制未来年度的报告。"), code="year_in_future")
    return year


# --- Opening and writing ----------------------------------------------------------------------


def report_open(*, actor, agency: Agency, year, http_request=None) -> AnnualReport:
    """The draft of the agency's report of `year`; one per agency and year."""
    _require(actor, WRITE_REPORT, AnnualReport(agency=agency))
    year = _year(year)
    taken = Conflict(
        _("%(year)d年度报告已存在，请直接打开。") % {"year": year}, code="report_exists"
    )
    if AnnualReport.objects.filter(agency=agency, year=year).exists():
        raise taken
    try:
        with transaction.atomic():
            report = AnnualReport.objects.create(agency=agency, year=year, created_by=actor)
            _event("open", actor=actor, report=report, from_state="", http_request=http_request)
    except IntegrityError as exc:  # opened by a colleague at the same moment
        raise taken from exc
    return report


def _count(value, label) -> int:
    if isinstance(value, bool):
        value = None
    if isinstance(value, int):
        number = value
    else:
        text = str(value).strip() if isinstance(value, str | Decimal | float) else ""
        if not (text.isascii() and text.isdigit()):
            raise InvalidInput(
                _("%(label)s须为不小于 0 的整数。") % {"label": label}, code="invalid_figure"
            )
        number = int(text)
    if not 0 <= number <= MAX_COUNT:
        raise InvalidInput(
            _("%(label)s须为不小于 0 的整数。") % {"label": label}, code="invalid_figure"
        )
    return number


def _amount(value, label) -> str:
    if isinstance(value, bool) or isinstance(value, float):
        # A float has already lost the decimals the office typed; take the text or a Decimal.
        value = str(value) if isinstance(value, float) else None
    try:
        amount = Decimal(str(value).strip()) if value is not None else None
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or amount < 0 or amount >= MAX_AMOUNT:
        raise InvalidInput(
            _("%(label)s须为不小于 0 的数字（单位：万元）。") % {"label": label},
            code="invalid_amount",
        )
    if amount != amount.quantize(Decimal("0.0001"), rounding=ROUND_DOWN):
        raise InvalidInput(
            _("%(label)s最多保留四位小数（单位：万元）。") % {"label": label},
            code="amount_precision",
        )
    # Stored as text so the amount keeps exactly the digits entered (JSON has no decimals).
    return format(amount.normalize(), "f") if amount else "0"


def cell_label(row: str, column: str) -> str:
    """表二“行政处罚”“本年处理决定数量”: how a refusal names a hand cell."""
    for _key, _header, columns, rows in selectors.TABLE_TWO_LAYOUT:
        for key, label, _manual in rows:
            if key == row:
                column_label = dict(columns).get(column, column)
                return f"表二“{label}”“{column_label}”"
    return f"表二“{row}”"


def clean_figures(figures) -> dict:
    """{row: {column: value}} checked against MANUAL_CELLS; "" or None clears a cell."""
    if not isinstance(figures, dict):
        raise InvalidInput(_("手工填报数据格式不正确。"), code="invalid_figures")
    cleaned: dict[str, dict] = {}
    for row, cells in figures.items():
        if row not in selectors.MANUAL_CELLS or not isinstance(cells, dict):
            raise InvalidInput(
                _("表二没有可手工填报的“%(row)s”行。") % {"row": row}, code="unknown_figure"
            )
        for column, value in cells.items():
            if column not in selectors.MANUAL_CELLS[row]:
                raise InvalidInput(
                    _("%(row)s没有“%(column)s”列。")
                    % {"row": cell_label(row, ""), "column": column},
                    code="unknown_figure",
                )
            label = cell_label(row, column)
            if value is None or (isinstance(value, str) and not value.strip()):
                cleaned.setdefault(row, {})[column] = None
            elif (row, column) in selectors.AMOUNT_CELLS:
                cleaned.setdefault(row, {})[column] = _amount(value, label)
            else:
                cleaned.setdefault(row, {})[column] = _count(value, label)
    return cleaned


def report_update(
    *,
    actor,
    report: AnnualReport,
    overview=None,
    problems=None,
    other_matters=None,
    manual_figures=None,
    http_request=None,
) -> AnnualReport:
    """Write the sections 一、五、六 and the hand figures of table 二 (those given; None leaves a
    field as it is). Draft only."""
    texts = {
        name: _text(value, SECTION_LABELS[name], limit=MAX_TEXT, code=name, required=False)
        for name, value in (
            ("overview", overview),
            ("problems", problems),
            ("other_matters", other_matters),
        )
        if value is not None
    }
    figures = clean_figures(manual_figures) if manual_figures is not None else {}
    with transaction.atomic():
        locked = _lock(report)
        _require(actor, WRITE_REPORT, locked)
        _require_state(locked, State.DRAFT)
        changed = [name for name, text in texts.items() if getattr(locked, name) != text]
        for name in changed:
            setattr(locked, name, texts[name])
        merged = {row: dict(cells) for row, cells in (locked.manual_figures or {}).items()}
        figure_changes = {}
        for row, cells in figures.items():
            for column, value in cells.items():
                before = merged.get(row, {}).get(column)
                if before == value:
                    continue
                figure_changes[f"{row}.{column}"] = value
                if value is None:
                    merged.get(row, {}).pop(column, None)
                else:
                    merged.setdefault(row, {})[column] = value
        merged = {row: cells for row, cells in merged.items() if cells}
        if not changed and not figure_changes:
            return locked
        locked.manual_figures = merged
        locked.save(update_fields=[*changed, "manual_figures", "updated_at"])
        _event(
            "update",
            actor=actor,
            report=locked,
            from_state=locked.state,
            http_request=http_request,
            sections=changed,
            figures=figure_changes,
        )
    return locked


# --- Finalising, reopening, publishing --------------------------------------------------------


def finalise_refusal(report: AnnualReport) -> Conflict | None:
    """Why the report cannot be finalised now, naming the section or cell; None if it can."""
    if not year_ended(report):
        return Conflict(
            _("统计期至%(year)d年12月31日，年度结束后方可定稿。") % {"year": report.year},
            code="year_not_ended",
        )
    if not sections_written(report):
        missing = "、".join(
            f"“{SECTION_LABELS[name]}”"
            for name in SECTION_LABELS
            if not (getattr(report, name) or "").strip()
        )
        return Conflict(
            _("请先填写%(sections)s。") % {"sections": missing}, code="sections_required"
        )
    if not figures_entered(report):
        missing = "、".join(
            cell_label(row, column)
            for row, columns in selectors.MANUAL_CELLS.items()
            for column in columns
            if selectors.manual_value(report.manual_figures, row, column) is None
        )
        return Conflict(
            _("尚未填报：%(cells)s（没有的请填 0）。") % {"cells": missing}, code="figures_required"
        )
    tables = selectors.report_tables_data(report.agency, report.year, report.manual_figures)
    breaks = selectors.report_identity_breaks(tables)
    if breaks:
        return Conflict(
            _("勾稽关系不成立，不能定稿：%(breaks)s。请核对当年的申请记录。")
            % {"breaks": "；".join(breaks)},
            code="identity_broken",
            breaks=breaks,
        )
    return None


def report_finalise(*, actor, report: AnnualReport, http_request=None) -> AnnualReport:
    """定稿: refused with the broken section, cell or identity named; freezes the tables."""
    with transaction.atomic():
        locked = _lock(report)
        _require(actor, WRITE_REPORT, locked)
        _require_state(locked, State.DRAFT)
        refusal = finalise_refusal(locked)
        if refusal is not None:
            raise refusal
        return workflow.perform(locked, "finalise", actor=actor, expected_state=State.DRAFT)


def report_reopen(*, actor, report: AnnualReport, reason: str, http_request=None) -> AnnualReport:
    """退回编制 before publication, with the reason."""
    reason = _text(reason, _("退回理由"), limit=2000, code="reason")
    with transaction.atomic():
        locked = _lock(report)
        _require(actor, WRITE_REPORT, locked)
        if locked.state == State.PUBLISHED:
            raise Conflict(
                _("报告已于%(day)s公开，不能退回编制。") % {"day": format_day(locked.published_on)},
                code="already_published",
            )
        _require_state(locked, State.FINAL)
        return workflow.perform(
            locked, "reopen", actor=actor, comment=reason, expected_state=State.FINAL
        )


def report_publish(
    *, actor, report: AnnualReport, published_on: date | None = None, http_request=None
) -> AnnualReport:
    """公开 a finalised report on `published_on` (today when omitted; never in the future nor
    before it was finalised)."""
    today = timezone.localdate()
    day = published_on or today
    if not isinstance(day, date):
        raise InvalidInput(_("公开日期格式不正确。"), code="invalid_date")
    if day > today:
        raise InvalidInput(_("公开日期不能晚于今天。"), code="date_in_future")
    with transaction.atomic():
        locked = _lock(report)
        _require(actor, PUBLISH_REPORT, locked)
        if locked.state == State.DRAFT:
            raise Conflict(_("报告尚未定稿，定稿后方可公开。"), code="not_final")
        _require_state(locked, State.FINAL)
        finalised = timezone.localdate(locked.finalised_at)
        if day < finalised:
            raise InvalidInput(
                _("公开日期不能早于定稿日期（%(day)s）。") % {"day": format_day(finalised)},
                code="date_too_early",
            )
        return workflow.perform(
            locked, "publish", actor=actor, expected_state=State.FINAL, published_on=day
        )


# --- The deadline on the clock ----------------------------------------------------------------


def reports_due(today: date):
    """Deadline source: last year's report not yet published by each agency that has a legal
    office — reminders to the office before 31 January, to its leaders too once overdue.
    Only the report now due is followed, and only in the first quarter: by 31 March the district
    government publishes its consolidated report (Art. 50) built on the departments' reports,
    after which a reminder serves nothing (and a system installed later in the year does not
    escalate a report long published elsewhere); the report list still shows it overdue."""
    from fazhi.core.notify.deadlines import DeadlineItem

    if today > date(today.year, FOLLOW_UNTIL[0], FOLLOW_UNTIL[1]):
        return
    year = today.year - 1
    office = _people(
        Agency.objects.filter(memberships__role=Role.LEGAL_OFFICER)
        .values_list("pk", flat=True)
        .distinct(),
        [Role.LEGAL_OFFICER],
    )
    if not office:
        return
    leaders = _people(office, [Role.LEADER])
    reports = {
        r.agency_id: r
        for r in AnnualReport.objects.filter(agency_id__in=list(office), year=year).select_related(
            "agency"
        )
    }
    agencies = Agency.objects.in_bulk(list(office))
    for agency_id in sorted(office):
        report = reports.get(agency_id)
        if report is not None and report.state == State.PUBLISHED:
            continue
        recipients = office[agency_id]
        yield DeadlineItem(
            agencies[agency_id],
            recipients,
            report if report is not None else agencies[agency_id],
            due_on(year),
            str(_("%(year)d年政府信息公开工作年度报告公开") % {"year": year}),
            "",
            escalate_to=recipients + leaders.get(agency_id, []),
        )
