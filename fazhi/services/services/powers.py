"""The power list (行政权力清单): versions, powers, publishing, the diff and the XLSX import.

Rules:
- One draft per agency. The legal office starts a draft; it copies the last published version.
- The legal office edits every power of the draft; a department's heads, clerks and liaisons
  edit the draft powers whose 责任处室 is their department. A published version is frozen.
- The legal office publishes the draft (at least one power; not dated after today); publishing
  is an event and the version stays readable for ever.
- "What changed" compares two versions power by power, matched by 序号.
- Import (legal office, into the draft): each row checked; bad rows are listed with their row
  number, column and reason; with any bad row nothing is imported unless the caller chose to
  import the good ones. The sheet is the whole list: powers of the draft whose 序号 is not in the
  sheet (not even in a bad row) are removed, rows with a known 序号 update it, new ones are added.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fazhi.core import audit
from fazhi.core.errors import Conflict, InvalidInput
from fazhi.core.models import Department
from fazhi.services import xlsx
from fazhi.services.models import Power, PowerKind, PowerList
from fazhi.services.services._common import (
    limits,
    neutralise,
    require_department,
    require_office,
    text,
)

FIELDS = (
    "code",
    "name",
    "kind",
    "basis",
    "implementing_body",
    "department",
    "promised_days",
    "statutory_days",
)
KIND_BY_LABEL = {str(label): value for value, label in PowerKind.choices}
# The column each field comes from, for the bad-row report.
COLUMN_OF = {key: header for header, key in xlsx.COLUMNS.items()}


class FieldError(InvalidInput):
    """An InvalidInput that knows which field (column) is wrong."""

    def __init__(self, message, *, field: str, code: str):
        super().__init__(message, code=code, field=field)
        self.field = field


def _field(name, fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except InvalidInput as exc:
        if isinstance(exc, FieldError):
            raise
        raise FieldError(exc.message, field=name, code=exc.code) from None


def _kind(value) -> str:
    text_ = str(value or "").strip()
    if text_ in PowerKind.values:
        return text_
    if text_ in KIND_BY_LABEL:
        return KIND_BY_LABEL[text_]
    raise InvalidInput(
        _("事项类型“%(v)s”不是以下之一：%(all)s。")
        % {"v": neutralise(text_[:20]), "all": "、".join(KIND_BY_LABEL)},
        code="kind_invalid",
    )


def clean(agency, data: dict, departments: dict[str, Department] | None = None) -> dict:
    """Checked power fields from `data` (department: a Department, its id or its name)."""
    for key, value in data.items():
        if value is xlsx.FORMULA:
            raise FieldError(
                _("“%(col)s”是公式，已拒绝；请以文本填写。") % {"col": COLUMN_OF[key]},
                field=key,
                code="formula_refused",
            )
    out = {
        "code": _field("code", text, data.get("code"), _("序号"), limit=40, code="code"),
        "name": _field("name", text, data.get("name"), _("事项名称"), limit=200, code="name"),
        "kind": _field("kind", _kind, data.get("kind")),
        "basis": _field("basis", text, data.get("basis"), _("设定依据"), limit=4000, code="basis"),
        "implementing_body": _field(
            "implementing_body",
            text,
            data.get("implementing_body"),
            _("实施主体"),
            limit=200,
            code="implementing_body",
        ),
    }
    if isinstance(out["code"], str) and "\n" in out["code"]:
        raise FieldError(_("序号含有无效字符。"), field="code", code="code_invalid")
    department = data.get("department")
    if not isinstance(department, Department):
        if departments is None:
            departments = {d.name: d for d in Department.objects.filter(agency=agency)}
        by_id = {str(d.pk): d for d in departments.values()}
        key = str(department if department is not None else "").strip()
        department = departments.get(key) or by_id.get(key)
        if department is None:
            raise FieldError(
                _("责任处室“%(v)s”不是本机关的处室。") % {"v": neutralise(key[:40])},
                field="department",
                code="department_unknown",
            )
    elif department.agency_id != agency.pk:
        raise FieldError(
            _("责任处室不是本机关的处室。"), field="department", code="department_unknown"
        )
    out["department"] = department
    out["promised_days"], out["statutory_days"] = _field(
        "promised_days", limits, data.get("promised_days"), data.get("statutory_days")
    )
    return out


# --- Versions -----------------------------------------------------------------------------------


def latest_published(agency) -> PowerList | None:
    return (
        PowerList.objects.filter(agency=agency, state=PowerList.State.PUBLISHED)
        .order_by("-version")
        .first()
    )


def current_draft(agency) -> PowerList | None:
    return PowerList.objects.filter(agency=agency, state=PowerList.State.DRAFT).first()


def power_list_start_draft(*, actor, agency, note: str = "", request=None) -> PowerList:
    """A new draft (legal office), copying the last published version's powers."""
    require_office(actor, agency)
    note = text(note, _("说明"), limit=200, code="note", required=False)
    with transaction.atomic():
        # Lock the agency's versions so two clicks make one draft.
        versions = list(
            PowerList.objects.select_for_update().filter(agency=agency).order_by("-version")
        )
        if any(v.state == PowerList.State.DRAFT for v in versions):
            raise Conflict(_("已有一份草稿，请先发布或继续编辑它。"), code="draft_exists")
        base = next((v for v in versions if v.state == PowerList.State.PUBLISHED), None)
        draft = PowerList.objects.create(
            agency=agency,
            version=(versions[0].version + 1) if versions else 1,
            based_on=base,
            note=note,
            created_by=actor,
        )
        if base is not None:
            Power.objects.bulk_create(
                Power(
                    agency=agency,
                    power_list=draft,
                    **{f: getattr(p, f) for f in FIELDS if f != "department"},
                    department_id=p.department_id,
                    sort_order=p.sort_order,
                )
                for p in base.powers.all()
            )
        audit.record(
            "services.powers.draft_start",
            actor=actor,
            agency=agency,
            target=draft,
            request=request,
            to_state=draft.state,
            data={"version": draft.version, "based_on": base.version if base else None},
        )
    return draft


def _locked_draft(power_list: PowerList) -> PowerList:
    locked = PowerList.objects.select_for_update().get(pk=power_list.pk)
    if locked.state != PowerList.State.DRAFT:
        raise Conflict(_("该版本已发布，不能再修改；请新建草稿。"), code="version_frozen")
    return locked


def power_list_publish(
    *, actor, power_list: PowerList, on: date | None = None, request=None
) -> PowerList:
    """Publish the draft (legal office). The version is frozen from then on."""
    require_office(actor, power_list.agency)
    today = timezone.localdate()
    on = on or today
    if on > today:
        raise InvalidInput(_("发布日期不能晚于今天。"), code="date_in_future")
    with transaction.atomic():
        locked = _locked_draft(power_list)
        count = locked.powers.count()
        if not count:
            raise InvalidInput(_("清单中还没有任何权力事项，不能发布。"), code="list_empty")
        previous = latest_published(locked.agency)
        if previous is not None and previous.published_on and on < previous.published_on:
            raise InvalidInput(_("发布日期不能早于上一版的发布日期。"), code="date_before_previous")
        locked.state = PowerList.State.PUBLISHED
        locked.published_on = on
        locked.published_by = actor
        locked.save(update_fields=["state", "published_on", "published_by"])
        changes = diff(previous, locked) if previous else None
        audit.record(
            "services.powers.publish",
            actor=actor,
            agency=locked.agency,
            target=locked,
            request=request,
            from_state=PowerList.State.DRAFT,
            to_state=locked.state,
            data={
                "version": locked.version,
                "powers": count,
                "published_on": on.isoformat(),
                "added": [c["code"] for c in changes["added"]] if changes else [],
                "removed": [c["code"] for c in changes["removed"]] if changes else [],
                "changed": [c["code"] for c in changes["changed"]] if changes else [],
            },
        )
    return locked


# --- Powers in the draft ------------------------------------------------------------------------


def power_create(*, actor, power_list: PowerList, data: dict, request=None) -> Power:
    agency = power_list.agency
    fields_ = clean(agency, data)
    require_department(actor, agency, fields_["department"].pk)
    with transaction.atomic():
        locked = _locked_draft(power_list)
        if locked.powers.filter(code=fields_["code"]).exists():
            raise FieldError(
                _("序号“%(c)s”已在清单中。") % {"c": neutralise(fields_["code"])},
                field="code",
                code="code_duplicate",
            )
        order = (
            locked.powers.order_by("-sort_order").values_list("sort_order", flat=True).first() or 0
        ) + 1
        power = Power.objects.create(agency=agency, power_list=locked, sort_order=order, **fields_)
        audit.record(
            "services.powers.power_create",
            actor=actor,
            agency=agency,
            target=power,
            request=request,
            data={"version": locked.version, "code": power.code},
        )
    return power


def power_update(*, actor, power: Power, data: dict, request=None) -> Power:
    agency = power.agency
    require_department(actor, agency, power.department_id)
    merged = {f: getattr(power, f) for f in FIELDS}
    merged.update({k: v for k, v in data.items() if k in FIELDS})
    fields_ = clean(agency, merged)
    # A department may not hand its power to another department; the legal office may.
    require_department(actor, agency, fields_["department"].pk)
    with transaction.atomic():
        _locked_draft(power.power_list)
        locked = Power.objects.select_for_update().get(pk=power.pk)
        if (
            fields_["code"] != locked.code
            and Power.objects.filter(
                power_list_id=locked.power_list_id, code=fields_["code"]
            ).exists()
        ):
            raise FieldError(
                _("序号“%(c)s”已在清单中。") % {"c": neutralise(fields_["code"])},
                field="code",
                code="code_duplicate",
            )
        changed = _changes(locked, fields_)
        for key, value in fields_.items():
            setattr(locked, key, value)
        locked.save()
        if changed:
            audit.record(
                "services.powers.power_update",
                actor=actor,
                agency=agency,
                target=locked,
                request=request,
                data={"code": locked.code, "changed": changed},
            )
    return locked


def power_remove(*, actor, power: Power, request=None) -> None:
    agency = power.agency
    require_department(actor, agency, power.department_id)
    with transaction.atomic():
        _locked_draft(power.power_list)
        audit.record(
            "services.powers.power_remove",
            actor=actor,
            agency=agency,
            target=power,
            request=request,
            data={"code": power.code, "name": power.name},
        )
        Power.objects.filter(pk=power.pk).delete()


# --- What changed -------------------------------------------------------------------------------

DIFF_FIELDS = [f for f in FIELDS if f != "code"]


def _value(power: Power, name: str):
    if name == "department":
        return power.department.name
    if name == "kind":
        return str(PowerKind(power.kind).label)
    return getattr(power, name)


def _changes(power: Power, fields_: dict) -> list[str]:
    return [
        k
        for k, v in fields_.items()
        if (v.pk if k == "department" else v)
        != (power.department_id if k == "department" else getattr(power, k))
    ]


def diff(old: PowerList, new: PowerList) -> dict:
    """What changed from `old` to `new`: added, removed, changed (with old/new per field)."""

    def load(version):
        return {p.code: p for p in version.powers.select_related("department")}

    before, after = load(old), load(new)
    labels = {f: str(Power._meta.get_field(f).verbose_name) for f in DIFF_FIELDS}
    changed = []
    for code in sorted(set(before) & set(after)):
        fields_ = [
            {
                "field": f,
                "label": labels[f],
                "old": _value(before[code], f),
                "new": _value(after[code], f),
            }
            for f in DIFF_FIELDS
            if _value(before[code], f) != _value(after[code], f)
        ]
        if fields_:
            changed.append({"code": code, "name": after[code].name, "fields": fields_})
    return {
        "added": [{"code": c, "name": after[c].name} for c in sorted(set(after) - set(before))],
        "removed": [{"code": c, "name": before[c].name} for c in sorted(set(before) - set(after))],
        "changed": changed,
    }


# --- Import -------------------------------------------------------------------------------------


@dataclass
class RowError:
    row: int
    column: str
    reason: str


@dataclass
class ImportReport:
    total: int = 0
    imported: bool = False
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "total": self.total,
            "imported": self.imported,
            "created": [neutralise(c) for c in self.created],
            "updated": [neutralise(c) for c in self.updated],
            "unchanged": len(self.unchanged),
            "removed": [neutralise(c) for c in self.removed],
            "unknown_columns": [neutralise(c) for c in self.unknown_columns],
            "errors": [{"row": e.row, "column": e.column, "reason": e.reason} for e in self.errors],
        }


def power_list_import(
    *,
    actor,
    power_list: PowerList,
    records: list[tuple[int, dict]],
    only_valid: bool = False,
    unknown_columns=(),
    request=None,
) -> ImportReport:
    """Import sheet rows [(row number, record)] into the draft (legal office). See the module."""
    agency = power_list.agency
    require_office(actor, agency)
    if not records:
        raise InvalidInput(_("表格中没有可导入的行。"), code="import_empty")
    if len(records) > xlsx.MAX_ROWS:
        raise InvalidInput(
            _("一次最多导入 %(n)d 行。") % {"n": xlsx.MAX_ROWS}, code="import_too_many"
        )
    report = ImportReport(total=len(records), unknown_columns=list(unknown_columns))
    departments = {d.name: d for d in Department.objects.filter(agency=agency)}
    good: list[tuple[int, dict]] = []
    seen: dict[str, int] = {}
    named: set[str] = set()  # every 序号 in the sheet, good or bad
    for row, record in records:
        code = record.get("code")
        if isinstance(code, (int, float)) and not isinstance(code, bool):
            code = str(int(code)) if float(code).is_integer() else str(code)
            record = {**record, "code": code}
        if isinstance(code, str) and code.strip():
            named.add(code.strip())
        try:
            fields_ = clean(agency, record, departments)
            if fields_["code"] in seen:
                raise FieldError(
                    _("序号与第 %(n)d 行重复。") % {"n": seen[fields_["code"]]},
                    field="code",
                    code="code_duplicate",
                )
            seen[fields_["code"]] = row
            good.append((row, fields_))
        except FieldError as exc:
            report.errors.append(RowError(row, COLUMN_OF.get(exc.field, ""), str(exc.message)))
    if report.errors and not only_valid:
        return report
    with transaction.atomic():
        locked = _locked_draft(power_list)
        existing = {p.code: p for p in locked.powers.select_for_update()}
        for order, (_row, fields_) in enumerate(good, start=1):
            power = existing.get(fields_["code"])
            if power is None:
                Power.objects.create(agency=agency, power_list=locked, sort_order=order, **fields_)
                report.created.append(fields_["code"])
                continue
            changed = _changes(power, fields_)
            if changed or power.sort_order != order:
                for key, value in fields_.items():
                    setattr(power, key, value)
                power.sort_order = order
                power.save()
            (report.updated if changed else report.unchanged).append(power.code)
        gone = [code for code in existing if code not in named]
        Power.objects.filter(power_list=locked, code__in=gone).delete()
        report.removed = sorted(gone)
        report.imported = True
        audit.record(
            "services.powers.import",
            actor=actor,
            agency=agency,
            target=locked,
            request=request,
            data={
                "version": locked.version,
                "created": report.created,
                "updated": report.updated,
                "removed": report.removed,
                "skipped_rows": [e.row for e in report.errors],
            },
        )
    return report


def power_list_export(*, actor, power_list: PowerList, request=None) -> bytes:
    """The version as an XLSX sheet; exporting is an event (it leaves the system)."""
    data = xlsx.render(power_list.powers.select_related("department"))
    audit.record(
        "services.powers.export",
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        agency=power_list.agency,
        target=power_list,
        request=request,
        data={"version": power_list.version},
    )
    return data
