"""Committee affairs disclosure (居务 / 村务公开): required items, postings, import, the check.

Rules and decisions of this area:
- Required items are agency data per committee kind. `items_install_defaults` installs the
  statutory ones (村民委员会组织法 Art. 30, domain-rules.md §7) and this system's defaults for
  residents' committees (the law fixes no frequency; each is marked "本机关规定（法律未规定频次）").
  Installing is idempotent: an item already there (by code) is left as the agency edited it.
- A committee may have its own frequency for an item (CommitteeItemOverride, e.g. finances
  quarterly where transactions are few), or "" for not required, decided by the legal office
  with a reason. Overrides are changed, never deleted; "恢复" sets the item's own frequency.
- A posting names one whole period of the item's effective frequency for the committee (a month
  for a monthly item; 随时 items any day or period), is posted on a day not in the future and not
  before the period starts. Committee clerks record their own committee's; the legal office any.
- Import from 社区通 (CSV page or API): each record by 外部编号, idempotent per agency; a record
  already imported is reported as such and left unchanged. With any bad record nothing is
  imported unless the caller chose "只导入正确的行". Values echoed back in a report have
  formula-leading characters neutralised, so a report pasted into a spreadsheet cannot run.
- The check (`committee_check`) computes, for each committee, counted item and period that
  ended in a window, the status from committee_periods, upserts CommitteeCheckResult and opens a
  finding for each missing (一般) or late (轻微) period through finding_open; the responsible
  department is the one named by the agency setting `oversight.committee_department` (a name,
  since agency settings hold numbers, flags and text; default 基层政权和社区建设科). Without such
  a department the results are still stored and the findings wait for the next run. The check
  never closes a finding (a later posting changes the result, the rectification loop closes).
  Results for periods no longer expected (an override changed the frequency) are removed: they
  are derived data, recomputed on every run. A run that changes nothing writes nothing.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fazhi.core import agency_settings, audit
from fazhi.core.agency_settings import Definition
from fazhi.core.errors import Conflict, InvalidInput, NotAllowed
from fazhi.core.models import Agency, Committee, Department
from fazhi.core.roles import Role
from fazhi.core.tenancy import has_role, writable_agency_ids
from fazhi.oversight import committee_periods as cp
from fazhi.oversight.models import (
    CommitteeCheckResult,
    CommitteeDisclosureItem,
    CommitteeItemOverride,
    CommitteePosting,
    Frequency,
    Severity,
    Source,
)
from fazhi.oversight.permissions.base import committee_ids, reads_everything
from fazhi.oversight.services.findings import finding_open

logger = logging.getLogger("fazhi.oversight")

DEPARTMENT_SETTING = "oversight.committee_department"
DEFAULT_DEPARTMENT = "基层政权和社区建设科"
agency_settings.register(
    Definition(
        DEPARTMENT_SETTING,
        "负责居（村）务公开检查问题整改的科室（科室名称）",
        DEFAULT_DEPARTMENT,
        "本系统默认（民政部门基层政权建设职责；按本机关分工调整）",
        "",
        None,
        None,
        False,
    )
)

POSTING_USE = "committee_posting"
SYSTEM = "居（村）务公开检查"
TITLE_MAX = 200
CONTENT_MAX = 20000
REASON_MAX = 200
IMPORT_MAX_ROWS = 5000
IMPORT_MAX_BYTES = 2 * 1024 * 1024
# The sweep looks back this many months (a year and the month before it, so a period whose
# grace ran over the turn of the sweep's window is still seen once more).
SWEEP_MONTHS = 13

OWN_RULE = "本机关规定（法律未规定频次）"
VCL30 = "《村民委员会组织法》第三十条"

# (kind, code, name, frequency, basis); in this order on the pages.
STATUTORY_ITEMS = (
    (
        "villagers",
        "finance",
        "财务收支情况",
        Frequency.MONTHLY,
        VCL30 + "：集体财务往来较多的，财务收支情况应当每月公布一次（往来较少的可调整为每季度）",
    ),
    (
        "villagers",
        "meeting_decisions",
        "村民会议和村民代表会议讨论决定的事项及其实施情况",
        Frequency.QUARTERLY,
        VCL30 + "第一款第（一）项；一般事项至少每季度公布一次",
    ),
    (
        "villagers",
        "relief_funds",
        "救灾救助、补贴补助等资金、物资的管理和使用情况",
        Frequency.QUARTERLY,
        VCL30 + "第一款第（三）项；一般事项至少每季度公布一次",
    ),
    (
        "villagers",
        "government_assistance",
        "村民委员会协助人民政府开展工作的情况",
        Frequency.QUARTERLY,
        VCL30 + "第一款第（四）项；一般事项至少每季度公布一次",
    ),
    (
        "villagers",
        "major_matters",
        "涉及村民利益的重大事项",
        Frequency.IMMEDIATELY,
        VCL30 + "：涉及村民利益的重大事项应当随时公布",
    ),
    (
        "residents",
        "general_affairs",
        "居务公开（一般事项）",
        Frequency.QUARTERLY,
        OWN_RULE + "；参照村务一般事项每季度公布",
    ),
    (
        "residents",
        "welfare_funds",
        "兴办公益事业筹集经费的收支账目",
        Frequency.MONTHLY,
        "《城市居民委员会组织法》第十六条：收支帐目应当及时公布；“及时”按每月执行——" + OWN_RULE,
    ),
    (
        "residents",
        "meeting_decisions",
        "居民会议讨论决定的事项及其实施情况",
        Frequency.QUARTERLY,
        OWN_RULE,
    ),
    (
        "residents",
        "government_assistance",
        "居民委员会协助人民政府开展工作的情况",
        Frequency.QUARTERLY,
        OWN_RULE,
    ),
    (
        "residents",
        "major_matters",
        "涉及居民利益的重大事项",
        Frequency.IMMEDIATELY,
        OWN_RULE + "；随时公布",
    ),
)

STATUS = CommitteeCheckResult.Status
KINDS = dict(CommitteeDisclosureItem._meta.get_field("committee_kind").choices)


def ready() -> None:
    """Registrations of the committees area (sweeps, deadline sources, 待办, file uses)."""
    from fazhi.core.files.conf import MB
    from fazhi.core.files.uses import register_use
    from fazhi.core.notify.sweeps import register_sweep

    register_use(
        POSTING_USE,
        label=gettext_lazy("居（村）务公开照片或附件"),
        allowed_types={"jpeg", "png", "pdf", "ofd", "docx", "xlsx"},
        max_bytes=10 * MB,
        can_read=may_read_posting_file,
    )
    register_sweep("oversight.committee_check", check_sweep)


def may_read_posting_file(user, stored) -> bool:
    """Readers of the whole agency's oversight, or the clerk of a committee that posted it."""
    if reads_everything(user, stored):
        return True
    own = committee_ids(user, agency_id=stored.agency_id)
    return (
        bool(own) and CommitteePosting.objects.filter(committee_id__in=own, files=stored).exists()
    )


# --- Who may ------------------------------------------------------------------------------------


def is_office(actor, agency) -> bool:
    agency_id = agency if isinstance(agency, int) else agency.pk
    return (
        getattr(actor, "is_authenticated", False)
        and has_role(actor, Role.LEGAL_OFFICER, agency_id=agency_id)
        and agency_id in writable_agency_ids(actor)
    )


def _require_office(actor, agency) -> None:
    if not is_office(actor, agency):
        raise NotAllowed(_("只有法制办可以进行此操作。"), code="legal_office_only")


def may_post_for(actor, committee) -> bool:
    if not getattr(actor, "is_authenticated", False):
        return False
    if is_office(actor, committee.agency_id):
        return True
    return committee.pk in committee_ids(actor, agency_id=committee.agency_id)


# --- Small checks -------------------------------------------------------------------------------


def _text(value, label, *, limit: int, code: str, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise InvalidInput(_("请填写%(label)s。") % {"label": label}, code=f"{code}_required")
    if len(text) > limit:
        raise InvalidInput(
            _("%(label)s不能超过 %(limit)d 字。") % {"label": label, "limit": limit},
            code=f"{code}_too_long",
        )
    if "\x00" in text:
        raise InvalidInput(_("%(label)s含有无效字符。") % {"label": label}, code=f"{code}_invalid")
    return text


def _grace(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 30:
        raise InvalidInput(_("期满后宽限应为 1 至 30 个工作日。"), code="grace_invalid")
    return value


def _frequency(value, *, allow_blank: bool = False) -> str:
    if allow_blank and value == "":
        return ""
    if value not in Frequency.values:
        raise InvalidInput(_("请选择公开频次。"), code="frequency_invalid")
    return value


def neutralise(value) -> str:
    """A value as it may be echoed into a report that may end up in a spreadsheet: a leading
    =, +, -, @, tab or carriage return is prefixed with an apostrophe (OWASP CSV injection)."""
    text = str(value if value is not None else "")
    if text[:1] in {"=", "+", "-", "@", "\t", "\r"}:
        return "'" + text
    return text


def effective_frequency(item, override: CommitteeItemOverride | None) -> str:
    """The item's frequency for one committee ("" = not required there)."""
    return override.frequency if override is not None else item.frequency


def committee_department(agency) -> Department | None:
    """The department answerable for committee findings (agency setting, by name)."""
    name = agency_settings.get(agency, DEPARTMENT_SETTING)
    return Department.objects.filter(agency=agency, name=name).first()


# --- Items and overrides -----------------------------------------------------------------------


def items_install_defaults(*, actor, agency, request=None) -> int:
    """Install the statutory items (and our residents' defaults); returns how many were new."""
    _require_office(actor, agency)
    created = []
    with transaction.atomic():
        have = set(
            CommitteeDisclosureItem.objects.select_for_update()
            .filter(agency=agency)
            .values_list("committee_kind", "code")
        )
        for order, (kind, code, name, frequency, basis) in enumerate(STATUTORY_ITEMS):
            if (kind, code) in have:
                continue
            created.append(
                CommitteeDisclosureItem.objects.create(
                    agency=agency,
                    committee_kind=kind,
                    code=code,
                    name=name,
                    frequency=frequency,
                    basis=basis[:200],
                    order=order,
                )
            )
        if created:
            audit.record(
                "oversight.committees.items_install",
                actor=actor,
                agency=agency,
                target=agency,
                request=request,
                data={"codes": [f"{i.committee_kind}:{i.code}" for i in created]},
            )
    return len(created)


def item_create(
    *,
    actor,
    agency,
    committee_kind: str,
    code: str,
    name: str,
    frequency: str,
    grace_workdays: int = 5,
    basis: str = "",
    order: int = 100,
    request=None,
) -> CommitteeDisclosureItem:
    """An item the agency adds (its city's rules may require more than the law)."""
    _require_office(actor, agency)
    if committee_kind not in KINDS:
        raise InvalidInput(_("请选择适用组织。"), code="kind_invalid")
    code = _text(code, _("代码"), limit=40, code="code")
    from django.utils.text import slugify

    if slugify(code) != code:
        raise InvalidInput(_("代码只能由小写字母、数字、连字符和下划线组成。"), code="code_invalid")
    name = _text(name, _("公开事项"), limit=100, code="name")
    frequency = _frequency(frequency)
    grace_workdays = _grace(grace_workdays)
    basis = _text(basis, _("依据"), limit=200, code="basis", required=False)
    with transaction.atomic():
        if CommitteeDisclosureItem.objects.filter(
            agency=agency, committee_kind=committee_kind, code=code
        ).exists():
            raise Conflict(_("该代码已被使用。"), code="code_taken")
        item = CommitteeDisclosureItem.objects.create(
            agency=agency,
            committee_kind=committee_kind,
            code=code,
            name=name,
            frequency=frequency,
            grace_workdays=grace_workdays,
            basis=basis,
            order=max(0, min(int(order), 32767)),
        )
        audit.record(
            "oversight.committees.item_create",
            actor=actor,
            agency=agency,
            target=item,
            request=request,
            data={"kind": committee_kind, "code": code, "frequency": frequency},
        )
    return item


def item_update(
    *,
    actor,
    item,
    name: str,
    frequency: str,
    grace_workdays: int,
    basis: str,
    active: bool,
    order: int | None = None,
    request=None,
) -> CommitteeDisclosureItem:
    """Edit an item (legal office); the code stays, since findings and imports name it."""
    _require_office(actor, item.agency_id)
    name = _text(name, _("公开事项"), limit=100, code="name")
    frequency = _frequency(frequency)
    grace_workdays = _grace(grace_workdays)
    basis = _text(basis, _("依据"), limit=200, code="basis", required=False)
    with transaction.atomic():
        row = CommitteeDisclosureItem.objects.select_for_update().get(pk=item.pk)
        before = {
            "name": row.name,
            "frequency": row.frequency,
            "grace_workdays": row.grace_workdays,
            "basis": row.basis,
            "active": row.active,
            "order": row.order,
        }
        row.name, row.frequency, row.grace_workdays = name, frequency, grace_workdays
        row.basis, row.active = basis, bool(active)
        if order is not None:
            row.order = max(0, min(int(order), 32767))
        after = {
            "name": row.name,
            "frequency": row.frequency,
            "grace_workdays": row.grace_workdays,
            "basis": row.basis,
            "active": row.active,
            "order": row.order,
        }
        changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
        if changed:
            row.save()
            audit.record(
                "oversight.committees.item_update",
                actor=actor,
                agency=row.agency,
                target=row,
                request=request,
                data={"changed": changed},
            )
    return row


def override_set(
    *, actor, committee, item, frequency: str, reason: str, request=None
) -> CommitteeItemOverride:
    """A committee's own frequency for an item ("" = not required), with the reason."""
    _require_office(actor, committee.agency_id)
    if item.agency_id != committee.agency_id:
        raise InvalidInput(_("公开事项不属于本机关。"), code="item_agency")
    if item.committee_kind != committee.kind:
        raise InvalidInput(
            _("该事项适用于%(kind)s，不适用于%(name)s。")
            % {"kind": KINDS[item.committee_kind], "name": committee.name},
            code="item_kind",
        )
    frequency = _frequency(frequency, allow_blank=True)
    reason = _text(reason, _("理由"), limit=REASON_MAX, code="reason")
    with transaction.atomic():
        row = (
            CommitteeItemOverride.objects.select_for_update()
            .filter(committee=committee, item=item)
            .first()
        )
        before = row.frequency if row is not None else item.frequency
        if row is None:
            row = CommitteeItemOverride(committee=committee, item=item)
        row.frequency, row.reason, row.decided_by = frequency, reason, actor
        row.save()
        audit.record(
            "oversight.committees.override_set",
            actor=actor,
            agency=committee.agency,
            target=row,
            request=request,
            data={
                "committee": committee.pk,
                "item": item.code,
                "from": before,
                "to": frequency,
                "reason": reason,
            },
        )
    return row


def committee_department_set(*, actor, agency, department, request=None) -> None:
    """Choose, once, the department answerable for the findings of the check."""
    _require_office(actor, agency)
    if department is None or department.agency_id != agency.pk:
        raise InvalidInput(_("请选择本机关的科室。"), code="department_invalid")
    agency_settings.setting_set(
        actor=actor,
        agency=agency,
        key=DEPARTMENT_SETTING,
        value=department.name,
        reason=_("居（村）务公开检查问题的责任科室"),
        request=request,
    )


# --- Postings ----------------------------------------------------------------------------------


def _override_of(committee, item) -> CommitteeItemOverride | None:
    return CommitteeItemOverride.objects.filter(committee=committee, item=item).first()


def posting_period(committee, item, period_text: str, *, posted_on: date | None = None):
    """The period a posting names, checked against the item's frequency for the committee."""
    frequency = effective_frequency(item, _override_of(committee, item))
    text = (period_text or "").strip()
    if not text and frequency == Frequency.IMMEDIATELY and posted_on is not None:
        return cp.period_of(posted_on, cp.IMMEDIATELY)
    try:
        period = cp.parse(text)
        return cp.for_frequency(period, frequency or item.frequency)
    except cp.PeriodError as exc:
        raise InvalidInput(str(exc), code="period_invalid", fields=["period"]) from exc


def _validate_posting(committee, item, period, posted_on, today) -> None:
    if item.agency_id != committee.agency_id:
        raise InvalidInput(_("公开事项不属于本机关。"), code="item_agency", fields=["item"])
    if item.committee_kind != committee.kind:
        raise InvalidInput(
            _("“%(item)s”不适用于%(kind)s。") % {"item": item.name, "kind": KINDS[committee.kind]},
            code="item_kind",
            fields=["item"],
        )
    if not item.active:
        raise InvalidInput(_("该公开事项已停用。"), code="item_inactive", fields=["item"])
    if not isinstance(posted_on, date) or isinstance(posted_on, datetime):
        raise InvalidInput(_("请填写公开日期。"), code="posted_on_required", fields=["posted_on"])
    if posted_on > today:
        raise InvalidInput(
            _("公开日期不能晚于今天。"), code="posted_in_future", fields=["posted_on"]
        )
    if period.start > today:
        raise InvalidInput(
            _("所属期间尚未开始，不能登记。"), code="period_in_future", fields=["period"]
        )
    if posted_on < period.start:
        raise InvalidInput(
            _("公开日期不能早于所属期间的开始日（%(day)s）。") % {"day": period.start.isoformat()},
            code="posted_before_period",
            fields=["posted_on"],
        )


def posting_record(
    *,
    actor,
    committee,
    item,
    period: str,
    posted_on: date,
    title: str,
    content: str = "",
    uploads=(),
    files=(),
    request=None,
) -> CommitteePosting:
    """Record one posting (a clerk for the own committee; the legal office for any).

    `period` is the text form of committee_periods ("2026-02", "2026-Q1", ...). `uploads` are
    files to store (photos of the notice board, the account sheet); `files` already stored ones.
    """
    if not may_post_for(actor, committee):
        raise NotAllowed(_("您只能登记本居（村）委会的公开记录。"), code="not_own_committee")
    today = timezone.localdate()
    title = _text(title, _("标题"), limit=TITLE_MAX, code="title")
    content = _text(content, _("公开内容"), limit=CONTENT_MAX, code="content", required=False)
    found = posting_period(committee, item, period, posted_on=posted_on)
    _validate_posting(committee, item, found, posted_on, today)
    from fazhi.core.files.services import file_store

    with transaction.atomic():
        stored = [
            file_store(
                actor=actor, agency=committee.agency, upload=u, purpose=POSTING_USE, request=request
            )
            for u in uploads
        ]
        stored += [f for f in files if f.agency_id == committee.agency_id]
        posting = CommitteePosting.objects.create(
            agency_id=committee.agency_id,
            committee=committee,
            item=item,
            period_start=found.start,
            period_end=found.end,
            posted_on=posted_on,
            title=title,
            content=content,
            source=CommitteePosting.Source.MANUAL,
            recorded_by=actor,
        )
        if stored:
            posting.files.set(stored)
        audit.record(
            "oversight.committees.posting_record",
            actor=actor,
            agency=committee.agency,
            target=posting,
            request=request,
            data={
                "committee": committee.pk,
                "item": item.code,
                "period": found.key,
                "posted_on": posted_on.isoformat(),
                "files": [f.pk for f in stored],
            },
        )
    return posting


# --- Import from the community platform (社区通) ------------------------------------------------

# CSV header → record key. The API takes the keys.
COLUMNS = {
    "外部编号": "external_id",
    "街道/镇": "subdistrict",
    "居村委名称": "committee",
    "公开事项": "item",
    "所属期间": "period",
    "公开日期": "posted_on",
    "标题": "title",
    "内容": "content",
}
REQUIRED_COLUMNS = ("外部编号", "街道/镇", "居村委名称", "公开事项", "所属期间", "公开日期", "标题")
# Other spellings the platform's exports have used for the same columns.
ALIASES = {
    "街道": "街道/镇",
    "镇": "街道/镇",
    "街镇": "街道/镇",
    "居委会/村委会": "居村委名称",
    "居村委": "居村委名称",
    "公开事项代码或名称": "公开事项",
    "公开事项代码": "公开事项",
    "期间": "所属期间",
}


@dataclass
class RowError:
    row: int  # the line number in the file (header = 1), or the record's index + 1 for the API
    external_id: str
    reason: str


@dataclass
class ImportReport:
    created: list[int] = field(default_factory=list)  # posting ids
    existing: list[int] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    imported: bool = False  # False when bad rows stopped the whole import
    total: int = 0

    def as_dict(self) -> dict:
        return {
            "total": self.total,
            "imported": self.imported,
            "created": len(self.created),
            "existing": len(self.existing),
            "created_ids": [str(i) for i in self.created],
            "existing_ids": [str(i) for i in self.existing],
            "unknown_columns": [neutralise(c) for c in self.unknown_columns],
            "errors": [
                {"row": e.row, "external_id": neutralise(e.external_id), "reason": e.reason}
                for e in self.errors
            ],
        }


def csv_read(data: bytes) -> tuple[list[tuple[int, dict]], list[str]]:
    """The records of a 社区通 CSV export: [(line number, record)], unknown columns.

    UTF-8 (with or without BOM) or GB18030 (what Excel saves on Chinese Windows). A missing
    required column refuses the whole file, naming it.
    """
    if len(data) > IMPORT_MAX_BYTES:
        raise InvalidInput(_("文件不能超过 2 MB。"), code="file_too_large")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise InvalidInput(_("无法识别文件编码，请另存为 UTF-8 CSV。"), code="csv_encoding")
    if "\x00" in text:
        raise InvalidInput(_("文件不是 CSV 文本。"), code="csv_invalid")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        raise InvalidInput(_("文件为空或不是 CSV。"), code="csv_empty") from exc
    names = [ALIASES.get(h.strip(), h.strip()) for h in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        raise InvalidInput(
            _("缺少必需的列：%(cols)s。首行应为：%(all)s。")
            % {"cols": "、".join(missing), "all": ",".join(COLUMNS)},
            code="csv_columns",
        )
    unknown = [h for h in header if ALIASES.get(h.strip(), h.strip()) not in COLUMNS and h.strip()]
    records = []
    try:
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            if len(records) >= IMPORT_MAX_ROWS:
                raise InvalidInput(
                    _("一次最多导入 %(n)d 行。") % {"n": IMPORT_MAX_ROWS}, code="csv_too_many"
                )
            record = {}
            for name, value in zip(names, cells, strict=False):
                if name in COLUMNS:
                    record[COLUMNS[name]] = value
            if len(cells) > len(names):
                record["_extra_cells"] = True
            records.append((reader.line_num, record))
    except csv.Error as exc:
        raise InvalidInput(
            _("第 %(n)d 行不是有效的 CSV。") % {"n": reader.line_num}, code="csv_invalid"
        ) from exc
    return records, unknown


def _parse_day(value) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    text = str(value or "").strip().replace("/", "-").replace(".", "-")
    if text.endswith("日"):
        text = text.replace("年", "-").replace("月", "-").rstrip("日")
    try:
        day = date.fromisoformat("-".join(p.zfill(2) for p in text.split("-")))
    except ValueError as exc:
        raise InvalidInput(_("公开日期格式不正确（应为 2026-02-05）。"), code="bad_date") from exc
    if not 2000 <= day.year <= 2100:
        raise InvalidInput(_("公开日期格式不正确（应为 2026-02-05）。"), code="bad_date")
    return day


@dataclass
class _Lookup:
    committees: dict[tuple[str, str], Committee]
    items: dict[tuple[str, str], CommitteeDisclosureItem]
    overrides: dict[tuple[int, int], str]
    existing: dict[str, int]


def _lookup(agency, records) -> _Lookup:
    committees = {
        (c.subdistrict.name, c.name): c
        for c in Committee.objects.filter(agency=agency).select_related("subdistrict")
    }
    items = {}
    for item in CommitteeDisclosureItem.objects.filter(agency=agency):
        items[(item.committee_kind, item.code)] = item
        items.setdefault((item.committee_kind, item.name), item)
    overrides = {
        (o.committee_id, o.item_id): o.frequency
        for o in CommitteeItemOverride.objects.filter(committee__agency=agency)
    }
    ids = [str(r.get("external_id", "")).strip() for _n, r in records]
    existing = dict(
        CommitteePosting.objects.filter(
            agency=agency, external_id__in=[i for i in ids if i]
        ).values_list("external_id", "pk")
    )
    return _Lookup(committees, items, overrides, existing)


def _check_record(actor, record: dict, lookup: _Lookup, today: date, office: bool, own: set):
    """One record → the posting fields, or InvalidInput naming what is wrong."""
    external_id = str(record.get("external_id") or "").strip()
    if not external_id:
        raise InvalidInput(_("外部编号为空。"), code="external_id_required")
    if len(external_id) > 80 or any(ord(c) < 32 for c in external_id):
        raise InvalidInput(_("外部编号过长或含有无效字符。"), code="external_id_invalid")
    if record.get("_extra_cells"):
        raise InvalidInput(_("本行的列数多于首行。"), code="extra_cells")
    key = (str(record.get("subdistrict") or "").strip(), str(record.get("committee") or "").strip())
    committee = lookup.committees.get(key)
    if committee is None:
        raise InvalidInput(
            _("本机关没有“%(sub)s”的“%(name)s”。")
            % {"sub": neutralise(key[0]), "name": neutralise(key[1])},
            code="committee_unknown",
        )
    if not office and committee.pk not in own:
        raise InvalidInput(_("您只能导入本居（村）委会的公开记录。"), code="not_own_committee")
    item_text = str(record.get("item") or "").strip()
    item = lookup.items.get((committee.kind, item_text))
    if item is None:
        raise InvalidInput(
            _("“%(item)s”不是%(kind)s的公开事项代码或名称。")
            % {"item": neutralise(item_text[:40]), "kind": KINDS[committee.kind]},
            code="item_unknown",
        )
    posted_on = _parse_day(record.get("posted_on"))
    frequency = lookup.overrides.get((committee.pk, item.pk), item.frequency)
    period_text = str(record.get("period") or "").strip()
    try:
        if not period_text and frequency == Frequency.IMMEDIATELY:
            period = cp.period_of(posted_on, cp.IMMEDIATELY)
        else:
            period = cp.for_frequency(cp.parse(period_text), frequency or item.frequency)
    except cp.PeriodError as exc:
        raise InvalidInput(neutralise(str(exc)), code="period_invalid") from exc
    _validate_posting(committee, item, period, posted_on, today)
    title = _text(str(record.get("title") or ""), _("标题"), limit=TITLE_MAX, code="title")
    content = _text(
        str(record.get("content") or ""),
        _("内容"),
        limit=CONTENT_MAX,
        code="content",
        required=False,
    )
    return {
        "external_id": external_id,
        "committee": committee,
        "item": item,
        "period": period,
        "posted_on": posted_on,
        "title": title,
        "content": content,
    }


def postings_import(
    *,
    actor,
    agency,
    records: list[tuple[int, dict]],
    source: str,
    only_valid: bool = False,
    unknown_columns=(),
    request=None,
) -> ImportReport:
    """Import postings from 社区通 records [(row number, record)]; idempotent on 外部编号.

    The legal office imports for every committee of the agency; a committee clerk only for
    the own committee (other committees' rows are bad rows). Bad rows: nothing is imported
    unless `only_valid`. Returns the report; the import event lists what was created.
    """
    office = is_office(actor, agency)
    own = committee_ids(actor, agency_id=agency.pk)
    if not office and not own:
        raise NotAllowed(_("只有法制办或居村委工作人员可以导入公开记录。"), code="not_allowed")
    if source not in {CommitteePosting.Source.CSV, CommitteePosting.Source.API}:
        raise InvalidInput(_("未知的导入来源。"), code="source_invalid")
    if not records:
        raise InvalidInput(_("没有可导入的记录。"), code="import_empty")
    if len(records) > IMPORT_MAX_ROWS:
        raise InvalidInput(
            _("一次最多导入 %(n)d 行。") % {"n": IMPORT_MAX_ROWS}, code="import_too_many"
        )
    today = timezone.localdate()
    report = ImportReport(unknown_columns=list(unknown_columns), total=len(records))
    lookup = _lookup(agency, records)
    good = []
    seen: dict[str, int] = {}
    for row, record in records:
        external_id = str(record.get("external_id") or "").strip()
        try:
            if external_id in seen:
                raise InvalidInput(
                    _("外部编号与第 %(n)d 行重复。") % {"n": seen[external_id]},
                    code="external_id_duplicate",
                )
            if external_id:
                seen[external_id] = row
            if external_id in lookup.existing:
                report.existing.append(lookup.existing[external_id])
                continue
            good.append(_check_record(actor, record, lookup, today, office, own))
        except InvalidInput as exc:
            report.errors.append(RowError(row, external_id[:80], str(exc.message)))
    if report.errors and not only_valid:
        return report
    report.imported = True
    with transaction.atomic():
        for fields_ in good:
            period = fields_["period"]
            posting = CommitteePosting.objects.create(
                agency=agency,
                committee=fields_["committee"],
                item=fields_["item"],
                period_start=period.start,
                period_end=period.end,
                posted_on=fields_["posted_on"],
                title=fields_["title"],
                content=fields_["content"],
                source=source,
                external_id=fields_["external_id"],
                recorded_by=actor,
            )
            report.created.append(posting.pk)
        if report.created:
            audit.record(
                "oversight.committees.posting_import",
                actor=actor,
                agency=agency,
                target=agency,
                request=request,
                data={
                    "source": source,
                    "created": report.created,
                    "existing": len(report.existing),
                    "skipped_rows": [e.row for e in report.errors],
                },
            )
    return report


API_IMPORT_VERB = "oversight.committees.api_import"


def postings_import_api(
    *, actor, agency, records: list[dict], idempotency_key: str, only_valid=False, request=None
) -> tuple[dict, bool]:
    """The API import with an Idempotency-Key: the first call's answer is recorded in its audit
    event; the same key with the same body answers that again (replayed=True); the same key with
    another body is refused (409). Returns (answer, replayed)."""
    from fazhi.core.models import Event

    body_hash = hashlib.sha256(
        json.dumps(
            [records, bool(only_valid)], sort_keys=True, ensure_ascii=False, default=str
        ).encode()
    ).hexdigest()
    with transaction.atomic():
        # One import per key at a time: the agency row is the lock the replays wait on.
        Agency.objects.select_for_update().filter(pk=agency.pk).first()
        earlier = (
            Event.objects.filter(agency=agency, verb=API_IMPORT_VERB, data__key=idempotency_key)
            .order_by("seq")
            .first()
        )
        if earlier is not None:
            if earlier.data.get("body") != body_hash:
                raise Conflict(
                    _("该 Idempotency-Key 已用于另一批记录，请为新的一批使用新的键。"),
                    code="idempotency_key_reused",
                )
            return earlier.data["answer"], True
        report = postings_import(
            actor=actor,
            agency=agency,
            records=[(n + 1, r) for n, r in enumerate(records)],
            source=CommitteePosting.Source.API,
            only_valid=only_valid,
            request=request,
        )
        answer = report.as_dict()
        if report.imported:
            # Only a batch that was taken is remembered: a refused one may be fixed and re-sent
            # under the same key.
            audit.record(
                API_IMPORT_VERB,
                actor=actor,
                agency=agency,
                target=agency,
                request=request,
                data={"key": idempotency_key, "body": body_hash, "answer": answer},
            )
    return answer, False


# --- The check -----------------------------------------------------------------------------------


@dataclass
class CheckSummary:
    results: int = 0
    created: int = 0
    changed: int = 0
    removed: int = 0
    findings: int = 0
    unassigned: int = 0  # gaps waiting for the department setting
    counts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Expected:
    committee: Committee
    item: CommitteeDisclosureItem
    period: cp.Period
    due_on: date


def expected_periods(agency, first: date, last: date, committees=None) -> list[Expected]:
    """Every (committee, counted item, period ending in first..last) and its due date."""
    committees = list(
        committees
        if committees is not None
        else Committee.objects.filter(agency=agency).select_related("subdistrict")
    )
    items = list(CommitteeDisclosureItem.objects.filter(agency=agency, active=True))
    overrides = {
        (o.committee_id, o.item_id): o.frequency
        for o in CommitteeItemOverride.objects.filter(committee__in=[c.pk for c in committees])
    }
    due_cache: dict[tuple[cp.Period, int], date] = {}
    found = []
    for committee in committees:
        for item in items:
            if item.committee_kind != committee.kind:
                continue
            frequency = overrides.get((committee.pk, item.pk), item.frequency)
            if frequency not in cp.COUNTED:
                continue
            for period in cp.periods_ending_between(first, last, frequency):
                key = (period, item.grace_workdays)
                if key not in due_cache:
                    due_cache[key] = cp.due_on(period, item.grace_workdays)
                found.append(Expected(committee, item, period, due_cache[key]))
    return found


def _finding_text(expected: Expected, status: str, posted_on: date | None):
    c, item, period = expected.committee, expected.item, expected.period
    if status == STATUS.MISSING:
        title = _("%(c)s%(p)s“%(i)s”未公开") % {"c": c.name, "p": period.label, "i": item.name}
        description = _("%(c)s（%(s)s）应于%(due)s前公开%(p)s的“%(i)s”，检查时未见公开记录。") % {
            "c": c.name,
            "s": c.subdistrict.name,
            "due": expected.due_on.isoformat(),
            "p": period.label,
            "i": item.name,
        }
    else:
        title = _("%(c)s%(p)s“%(i)s”逾期公开") % {"c": c.name, "p": period.label, "i": item.name}
        description = _("%(c)s（%(s)s）应于%(due)s前公开%(p)s的“%(i)s”，实际于%(posted)s公开。") % {
            "c": c.name,
            "s": c.subdistrict.name,
            "due": expected.due_on.isoformat(),
            "p": period.label,
            "i": item.name,
            "posted": posted_on.isoformat() if posted_on else "",
        }
    return title[:200], description


def committee_check(
    *,
    agency,
    first: date,
    last: date,
    today: date | None = None,
    committees=None,
    actor=None,
    request=None,
) -> CheckSummary:
    """Check every committee of the agency for the periods ending in first..last (inclusive).

    Upserts the results, removes those of periods no longer expected there, opens findings for
    missing and late periods that have none. Safe to run twice: the second run changes nothing.
    """
    real_today = timezone.localdate()
    today = today or real_today
    last = min(last, today - timedelta(days=1))  # a period ending today has not ended yet
    summary = CheckSummary()
    if last < first:
        return summary
    expected = expected_periods(agency, first, last, committees)
    committee_list = (
        sorted({e.committee.pk for e in expected})
        if committees is None
        else [c.pk for c in committees]
    )
    earliest = min((e.period.start for e in expected), default=first)
    postings: dict[tuple[int, int], list[tuple[date, int, date, date]]] = {}
    rows = (
        CommitteePosting.objects.filter(
            agency=agency,
            committee_id__in=committee_list,
            period_end__gte=earliest,
            period_start__lte=last,
        )
        .order_by("posted_on", "pk")
        .values_list("committee_id", "item_id", "posted_on", "pk", "period_start", "period_end")
    )
    for committee_id, item_id, posted_on, pk, start, end in rows:
        postings.setdefault((committee_id, item_id), []).append((posted_on, pk, start, end))
    starts = {e.period.start for e in expected}
    # Rows of the window, and rows of another length that start with an expected period (an
    # override changed the frequency): the unique key is (committee, item, period_start).
    existing = {
        (r.committee_id, r.item_id, r.period_start): r
        for r in CommitteeCheckResult.objects.filter(
            Q(period_end__gte=first, period_end__lte=last) | Q(period_start__in=starts),
            agency=agency,
            committee_id__in=committee_list,
        )
    }
    now = timezone.now()
    department = committee_department(agency)
    to_create, to_update, gaps = [], [], []
    wanted = set()
    for e in expected:
        posting = next(
            (
                (posted_on, pk)
                for posted_on, pk, start, end in postings.get((e.committee.pk, e.item.pk), ())
                if cp.covers(start, end, e.period)
            ),
            None,
        )
        posted_on, posting_id = posting if posting else (None, None)
        status = cp.status(today=today, due=e.due_on, posted_on=posted_on)
        summary.counts[status] = summary.counts.get(status, 0) + 1
        key = (e.committee.pk, e.item.pk, e.period.start)
        wanted.add(key)
        row = existing.get(key)
        values = {
            "period_end": e.period.end,
            "due_on": e.due_on,
            "status": status,
            "posting_id": posting_id,
            "posted_on": posted_on,
            "subdistrict_id": e.committee.subdistrict_id,
        }
        if row is None:
            row = CommitteeCheckResult(
                agency=agency,
                committee=e.committee,
                item=e.item,
                period_start=e.period.start,
                checked_at=now,
                **values,
            )
            to_create.append(row)
        elif any(getattr(row, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(row, k, v)
            row.checked_at = now
            to_update.append(row)
        if status in (STATUS.MISSING, STATUS.LATE) and row.finding_id is None:
            gaps.append((e, row, status, posted_on))
    stale = [r.pk for k, r in existing.items() if k not in wanted and first <= r.period_end <= last]
    with transaction.atomic():
        if stale:
            CommitteeCheckResult.objects.filter(pk__in=stale).delete()
        CommitteeCheckResult.objects.bulk_create(to_create)
        for e, row, status, posted_on in gaps:
            if department is None:
                summary.unassigned += 1
                continue
            title, description = _finding_text(e, status, posted_on)
            found_on = min(e.due_on + timedelta(days=1), today, real_today)
            finding = finding_open(
                agency=agency,
                source=Source.COMMITTEE_CHECK,
                title=title,
                description=description,
                department=department,
                severity=Severity.MINOR if status == STATUS.LATE else Severity.GENERAL,
                legal_basis=e.item.basis,
                subdistrict=e.committee.subdistrict,
                committee=e.committee,
                found_on=found_on,
                on=min(today, real_today),
                source_ref=f"oversight.committee:{e.committee.pk}:{e.item.code}:"
                f"{e.period.start.isoformat()}",
                source_label=f"{e.item.name} · {e.period.label}",
                actor=actor,
                actor_name="" if actor else SYSTEM,
                request=request,
            )
            row.finding = finding
            summary.findings += 1
            if row not in to_create and row not in to_update:
                to_update.append(row)
        if to_update:
            CommitteeCheckResult.objects.bulk_update(
                to_update,
                [
                    "period_end",
                    "due_on",
                    "status",
                    "posting",
                    "posted_on",
                    "subdistrict",
                    "finding",
                    "checked_at",
                ],
            )
        # Rows created before their finding existed get it now.
        late_links = [r for r in to_create if r.finding_id is not None]
        if late_links:
            CommitteeCheckResult.objects.bulk_update(late_links, ["finding"])
        summary.results = len(expected)
        summary.created = len(to_create)
        summary.changed = len(to_update)
        summary.removed = len(stale)
        if to_create or to_update or stale:
            audit.record(
                "oversight.committees.check",
                actor=actor,
                actor_name="" if actor else SYSTEM,
                agency=agency,
                target=agency,
                request=request,
                data={
                    "first": first.isoformat(),
                    "last": last.isoformat(),
                    "today": today.isoformat(),
                    "created": summary.created,
                    "changed": summary.changed,
                    "removed": summary.removed,
                    "findings": summary.findings,
                    "unassigned": summary.unassigned,
                    "counts": summary.counts,
                },
            )
    return summary


def committee_check_month(*, actor, agency, month: date, request=None) -> CheckSummary:
    """The legal office runs the check for the periods that end in a chosen month (the month
    itself; its quarter, half year and year when it closes one)."""
    _require_office(actor, agency)
    if not isinstance(month, date):
        raise InvalidInput(_("请选择月份。"), code="month_required")
    today = timezone.localdate()
    first = month.replace(day=1)
    last = cp.period_of(first, cp.MONTHLY).end
    if first > today or (first.year, first.month) == (today.year, today.month):
        raise InvalidInput(_("所选月份尚未结束，不能检查。"), code="month_not_ended")
    if first < date(2000, 1, 1):
        raise InvalidInput(_("月份不正确。"), code="month_invalid")
    return committee_check(
        agency=agency, first=first, last=last, today=today, actor=actor, request=request
    )


def sweep_window(today: date) -> tuple[date, date]:
    """The periods the scheduled check looks at: those that ended in the last 13 months."""
    month = today.month - SWEEP_MONTHS
    year = today.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    first = date(year, month, 1)
    return first, today - timedelta(days=1)


def check_sweep(now: datetime) -> int:
    """`fazhi sweep` job: check every agency that has committees; returns the findings opened."""
    from fazhi.core.notify.sweeps import PartialSweepFailure

    today = timezone.localdate(now)
    first, last = sweep_window(today)
    opened, failures = 0, []
    agency_ids = (
        CommitteeDisclosureItem.objects.filter(active=True)
        .values_list("agency_id", flat=True)
        .distinct()
    )
    for agency in Agency.objects.filter(pk__in=list(agency_ids), is_active=True):
        try:
            opened += committee_check(agency=agency, first=first, last=last, today=today).findings
        except Exception as exc:  # one agency's failure must not stop the others
            logger.exception("committee check failed for agency %s", agency.pk)
            failures.append(f"{agency.pk}: {exc.__class__.__name__}")
    if failures:
        raise PartialSweepFailure(opened, failures)
    return opened
