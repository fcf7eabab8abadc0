"""Inspections: the legal office's 日常检查 / 重点抽查, and third-party inspections (第三方检查).

Rules of the area:
- The legal office records its own inspections of a department or a subdistrict (summary,
  optional score 0–100, findings), and keeps the contracts with third-party organisations:
  organisation, number, service period, the subdistricts inspected and the accounts of the
  organisation's staff (each must hold Role.INSPECTOR in the agency).
- An inspector works only inside their contracts: a contract that is not theirs is "not
  found", a subdistrict outside the contract is refused (403). Per subdistrict they create the
  inspection (dates within the contract's period, never in the future), upload the special
  report (专项报告, PDF or DOCX), give the score 0–100 and the summary, and record findings,
  each opened at once through `finding_open` (source "third_party", reference
  `oversight.inspection:<pk>:<n>`, n counting the inspection's findings) for the responsible
  department chosen from the agency's departments.
- Submitting locks the inspection: a third-party inspection needs its report, score and
  summary; the legal office's own needs a summary. Nothing changes after submission.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fazhi.core import audit
from fazhi.core.calendar import format_day
from fazhi.core.errors import Conflict, InvalidInput, NotAllowed
from fazhi.core.files.conf import MB
from fazhi.core.files.services import file_store
from fazhi.core.models import Department, Subdistrict
from fazhi.core.roles import Role
from fazhi.core.tenancy import has_role
from fazhi.oversight.models import (
    Finding,
    Inspection,
    InspectionContract,
    Severity,
    Source,
)
from fazhi.oversight.services.findings import finding_open

REPORT_PURPOSE = "oversight_inspection_report"
EVIDENCE_PURPOSE = "oversight_inspection_evidence"
MAX_EVIDENCE = 10
MAX_TEXT = 20000
Kind = Inspection.Kind
State = Inspection.State


def ready() -> None:
    from fazhi.core.files.uses import register_use
    from fazhi.oversight.services.visits import may_read_oversight_file

    register_use(
        REPORT_PURPOSE,
        label=_("专项报告"),
        allowed_types={"pdf", "docx"},
        max_bytes=50 * MB,
        can_read=may_read_oversight_file,
    )
    register_use(
        EVIDENCE_PURPOSE,
        label=_("检查问题证据"),
        allowed_types={"pdf", "docx", "xlsx", "jpeg", "png"},
        max_bytes=20 * MB,
        can_read=may_read_oversight_file,
    )


def source_ref_prefix(inspection) -> str:
    return f"oversight.inspection:{inspection.pk}:"


def inspection_findings(inspection):
    """The findings recorded on an inspection, in the order recorded."""
    return Finding.objects.filter(
        agency_id=inspection.agency_id, source_ref__startswith=source_ref_prefix(inspection)
    ).order_by("pk")


# --- Checks --------------------------------------------------------------------------------------


def _office(actor, agency) -> None:
    if not has_role(actor, Role.LEGAL_OFFICER, agency_id=agency.pk):
        raise NotAllowed()


def _text(value, label, *, limit: int, code: str, required: bool = True) -> str:
    if value is not None and not isinstance(value, str):
        raise InvalidInput(_("%(label)s格式不正确。") % {"label": label}, code=f"{code}_invalid")
    text = (value or "").strip()
    if required and not text:
        raise InvalidInput(_("请填写%(label)s。") % {"label": label}, code=f"{code}_required")
    if len(text) > limit:
        raise InvalidInput(
            _("%(label)s不能超过 %(limit)d 字。") % {"label": label, "limit": limit},
            code=f"{code}_too_long",
        )
    return text


def _day(value, label, code) -> date:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise InvalidInput(_("请填写%(label)s。") % {"label": label}, code=f"{code}_required")
    return value


def _score(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        score = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise InvalidInput(_("得分须为 0 至 100 的数。"), code="score_invalid") from None
    if not score.is_finite() or not Decimal(0) <= score <= Decimal(100):
        raise InvalidInput(_("得分须在 0 至 100 分之间。"), code="score_out_of_range")
    if score != score.quantize(Decimal("0.1")):
        raise InvalidInput(_("得分最多保留一位小数。"), code="score_precision")
    return score.quantize(Decimal("0.1"))


def is_contract_inspector(user, contract) -> bool:
    return (
        contract is not None
        and has_role(user, Role.INSPECTOR, agency_id=contract.agency_id)
        and contract.inspectors.filter(pk=user.pk).exists()
    )


def _writer(actor, inspection) -> None:
    """Who may change an inspection: its contract's inspectors for a third-party one, the legal
    office for its own."""
    if inspection.kind == Kind.THIRD_PARTY:
        if not is_contract_inspector(actor, inspection.contract):
            raise NotAllowed()
    else:
        _office(actor, inspection.agency)


def _draft(inspection) -> None:
    if inspection.state != State.DRAFT:
        raise Conflict(_("检查已提交，不能再修改。"), code="state_changed")


def _lock(inspection) -> Inspection:
    return (
        # Lock the inspection's row only: the contract is a nullable join, and PostgreSQL
        # cannot lock the nullable side of an outer join.
        Inspection.objects.select_for_update(of=("self",))
        .select_related("contract", "agency")
        .get(pk=inspection.pk)
    )


def _event(verb: str, *, actor, inspection, before=None, **data) -> None:
    audit.record(
        f"oversight.inspections.{verb}",
        actor=actor,
        agency=inspection.agency,
        target=inspection,
        from_state=inspection.state if before is None else before,
        to_state=inspection.state,
        data=data,
    )


# --- Contracts -----------------------------------------------------------------------------------


def _contract_values(agency, values) -> dict:
    start = _day(values.get("period_start"), _("服务期开始"), "period_start")
    end = _day(values.get("period_end"), _("服务期结束"), "period_end")
    if end < start:
        raise InvalidInput(_("服务期结束不能早于开始。"), code="period_order")
    subdistricts = list(values.get("subdistricts") or ())
    if not subdistricts:
        raise InvalidInput(_("请选择检查的街道/镇。"), code="subdistricts_required")
    if any(not isinstance(s, Subdistrict) or s.agency_id != agency.pk for s in subdistricts):
        raise InvalidInput(_("请选择本机关的街道/镇。"), code="subdistrict_invalid")
    inspectors = list(values.get("inspectors") or ())
    for user in inspectors:
        if not has_role(user, Role.INSPECTOR, agency_id=agency.pk):
            raise InvalidInput(
                _("“%(name)s”不是本机关的第三方机构账号，请先由安全管理员授予该角色。")
                % {"name": getattr(user, "display_name", "") or user.get_username()},
                code="inspector_invalid",
            )
    return {
        "organisation": _text(
            values.get("organisation"), _("第三方机构"), limit=200, code="organisation"
        ),
        "contract_number": _text(
            values.get("contract_number"),
            _("合同编号"),
            limit=60,
            code="contract_number",
            required=False,
        ),
        "scope": _text(values.get("scope"), _("检查内容"), limit=5000, code="scope"),
        "period_start": start,
        "period_end": end,
        "subdistricts": subdistricts,
        "inspectors": inspectors,
    }


def contract_save(
    *,
    actor,
    agency,
    organisation,
    scope,
    period_start,
    period_end,
    subdistricts: Iterable,
    inspectors: Iterable = (),
    contract_number="",
    contract: InspectionContract | None = None,
) -> InspectionContract:
    """Create a contract (contract=None) or change one (legal office). Narrowing a contract
    never strands an inspection: the subdistricts and period of its inspections stay covered."""
    _office(actor, agency)
    values = _contract_values(
        agency,
        {
            "organisation": organisation,
            "contract_number": contract_number,
            "scope": scope,
            "period_start": period_start,
            "period_end": period_end,
            "subdistricts": subdistricts,
            "inspectors": inspectors,
        },
    )
    subdistricts = values.pop("subdistricts")
    inspectors = values.pop("inspectors")
    with transaction.atomic():
        if contract is None:
            contract = InspectionContract.objects.create(agency=agency, created_by=actor, **values)
            verb = "contract_add"
        else:
            if contract.agency_id != agency.pk:
                raise NotAllowed()
            contract = InspectionContract.objects.select_for_update().get(pk=contract.pk)
            done = contract.inspections.all()
            outside = done.exclude(subdistrict__in=subdistricts)
            if outside.exists():
                raise InvalidInput(
                    _("已有检查的街道/镇不能移出合同。"), code="subdistrict_has_inspection"
                )
            if (
                done.filter(inspected_from__lt=values["period_start"]).exists()
                or done.filter(inspected_to__gt=values["period_end"]).exists()
            ):
                raise InvalidInput(
                    _("服务期须包括已有检查的日期。"), code="period_excludes_inspection"
                )
            for name, value in values.items():
                setattr(contract, name, value)
            contract.save()
            verb = "contract_update"
        contract.subdistricts.set(subdistricts)
        contract.inspectors.set(inspectors)
        audit.record(
            f"oversight.inspections.{verb}",
            actor=actor,
            agency=agency,
            target=contract,
            data={
                "organisation": contract.organisation,
                "period": [contract.period_start.isoformat(), contract.period_end.isoformat()],
                "subdistricts": sorted(s.pk for s in subdistricts),
                "inspectors": sorted(u.pk for u in inspectors),
            },
        )
    return contract


# --- Inspections ---------------------------------------------------------------------------------


def _check_period(inspected_from, inspected_to, contract) -> tuple[date, date]:
    today = timezone.localdate()
    inspected_from = _day(inspected_from, _("检查开始日期"), "inspected_from")
    inspected_to = _day(inspected_to, _("检查结束日期"), "inspected_to")
    if inspected_to < inspected_from:
        raise InvalidInput(_("检查结束日期不能早于开始日期。"), code="period_order")
    if inspected_to > today:
        raise InvalidInput(_("检查日期不能晚于今天。"), code="date_in_future")
    if contract is not None and (
        inspected_from < contract.period_start or inspected_to > contract.period_end
    ):
        raise InvalidInput(
            _("检查日期须在合同服务期内（%(a)s至%(b)s）。")
            % {"a": format_day(contract.period_start), "b": format_day(contract.period_end)},
            code="outside_contract_period",
        )
    return inspected_from, inspected_to


def inspection_create(
    *,
    actor,
    agency,
    kind,
    title="",
    inspected_from,
    inspected_to,
    contract: InspectionContract | None = None,
    subdistrict=None,
    department=None,
    summary="",
    score=None,
) -> Inspection:
    """A new inspection in draft. Third-party: by an inspector of `contract`, for one of its
    subdistricts; the title defaults to "<organisation> · <subdistrict>专项检查"."""
    if kind not in Kind.values:
        raise InvalidInput(_("请选择检查类型。"), code="kind_invalid")
    if subdistrict is not None and (
        not isinstance(subdistrict, Subdistrict) or subdistrict.agency_id != agency.pk
    ):
        raise InvalidInput(_("请选择本机关的街道/镇。"), code="subdistrict_invalid")
    if department is not None and (
        not isinstance(department, Department) or department.agency_id != agency.pk
    ):
        raise InvalidInput(_("请选择本机关的单位。"), code="department_invalid")
    if kind == Kind.THIRD_PARTY:
        if contract is None or contract.agency_id != agency.pk:
            raise InvalidInput(_("请选择第三方检查合同。"), code="contract_required")
        if not is_contract_inspector(actor, contract):
            raise NotAllowed()
        if subdistrict is None:
            raise InvalidInput(_("请选择检查的街道/镇。"), code="subdistrict_required")
        if not contract.subdistricts.filter(pk=subdistrict.pk).exists():
            raise NotAllowed(
                _("该街道/镇不在您的检查合同范围内。"), code="subdistrict_outside_contract"
            )
        department = None
        default_title = _("%(org)s·%(sd)s专项检查") % {
            "org": contract.organisation,
            "sd": subdistrict.name,
        }
    else:
        _office(actor, agency)
        contract = None
        if department is None and subdistrict is None:
            raise InvalidInput(_("请选择被检查的单位或街道/镇。"), code="unit_required")
        default_title = ""
    inspected_from, inspected_to = _check_period(inspected_from, inspected_to, contract)
    title = _text(title or default_title, _("名称"), limit=200, code="title")
    inspection = Inspection(
        agency=agency,
        kind=kind,
        title=title,
        contract=contract,
        subdistrict=subdistrict,
        department=department,
        inspected_from=inspected_from,
        inspected_to=inspected_to,
        summary=_text(summary, _("检查情况"), limit=MAX_TEXT, code="summary", required=False),
        score=_score(score),
        created_by=actor,
    )
    with transaction.atomic():
        inspection.save()
        _event(
            "create",
            actor=actor,
            inspection=inspection,
            before="",
            kind=kind,
            contract=contract.pk if contract else None,
            subdistrict=subdistrict.pk if subdistrict else None,
            department=department.pk if department else None,
        )
    return inspection


UPDATE_FIELDS = ("title", "inspected_from", "inspected_to", "summary", "score")


def inspection_update(*, actor, inspection: Inspection, **fields) -> Inspection:
    """Change a draft's title, dates, summary or score (only the fields given)."""
    unknown = sorted(set(fields) - set(UPDATE_FIELDS))
    if unknown:
        raise InvalidInput(
            _("不能修改的字段：%(f)s。") % {"f": "、".join(unknown)}, code="unknown_field"
        )
    with transaction.atomic():
        locked = _lock(inspection)
        _writer(actor, locked)
        _draft(locked)
        values = {name: fields.get(name, getattr(locked, name)) for name in UPDATE_FIELDS}
        start, end = _check_period(
            values["inspected_from"], values["inspected_to"], locked.contract
        )
        clean = {
            "title": _text(values["title"], _("名称"), limit=200, code="title"),
            "inspected_from": start,
            "inspected_to": end,
            "summary": _text(
                values["summary"], _("检查情况"), limit=MAX_TEXT, code="summary", required=False
            ),
            "score": _score(values["score"]),
        }
        changed = [name for name, value in clean.items() if value != getattr(locked, name)]
        if not changed:
            return locked
        for name in changed:
            setattr(locked, name, clean[name])
        locked.save(update_fields=changed)
        _event("update", actor=actor, inspection=locked, fields=changed)
    return locked


def inspection_upload_report(*, actor, inspection: Inspection, upload, name=None, request=None):
    """Store the special report (PDF/DOCX) of a draft; a new upload replaces the earlier one
    (which stays in the file store for the record)."""
    with transaction.atomic():
        locked = _lock(inspection)
        _writer(actor, locked)
        _draft(locked)
        stored = file_store(
            actor=actor,
            agency=locked.agency,
            upload=upload,
            purpose=REPORT_PURPOSE,
            name=name,
            request=request,
        )
        previous = locked.report_id
        locked.report = stored
        locked.save(update_fields=["report"])
        _event(
            "report",
            actor=actor,
            inspection=locked,
            file=stored.pk,
            name=stored.original_name,
            replaced=previous,
        )
    return locked


def inspection_record_finding(
    *,
    actor,
    inspection: Inspection,
    title,
    description,
    department,
    severity=Severity.GENERAL,
    legal_basis="",
    evidence: Iterable = (),
    evidence_files: Iterable = (),
    on: date | None = None,
    request=None,
) -> Finding:
    """Record a problem the inspection found: opened at once for the responsible department
    (rectification starts `on`, the day it is recorded: today unless the demo records a past
    inspection), with the uploads as evidence."""
    evidence = list(evidence or ())
    evidence_files = list(evidence_files or ())
    for stored in evidence_files:
        # Files uploaded first through /api/files: the same person's, for this use.
        if (
            stored.purpose != EVIDENCE_PURPOSE
            or stored.uploaded_by_id != actor.pk
            or stored.agency_id != inspection.agency_id
        ):
            raise InvalidInput(_("证据材料须是您本人上传的检查证据。"), code="evidence_invalid")
    if len(evidence) + len(evidence_files) > MAX_EVIDENCE:
        raise InvalidInput(
            _("每个问题最多 %(n)d 份证据材料。") % {"n": MAX_EVIDENCE}, code="too_many_files"
        )
    with transaction.atomic():
        locked = _lock(inspection)
        _writer(actor, locked)
        _draft(locked)
        if department is None or not isinstance(department, Department):
            raise InvalidInput(_("请选择责任单位。"), code="department_required")
        stored = [
            file_store(
                actor=actor,
                agency=locked.agency,
                upload=upload,
                purpose=EVIDENCE_PURPOSE,
                request=request,
            )
            for upload in evidence
        ] + evidence_files
        number = inspection_findings(locked).count() + 1
        finding = finding_open(
            agency=locked.agency,
            source=Source.THIRD_PARTY if locked.kind == Kind.THIRD_PARTY else Source.INSPECTION,
            source_ref=f"{source_ref_prefix(locked)}{number}",
            source_label=locked.title,
            title=title,
            description=description,
            department=department,
            subdistrict=locked.subdistrict,
            severity=severity,
            legal_basis=legal_basis or "",
            found_on=min(locked.inspected_to, on or timezone.localdate()),
            on=on,
            evidence=stored,
            actor=actor,
            request=request,
        )
        _event("finding", actor=actor, inspection=locked, finding=finding.pk, number=number)
    return finding


def inspection_submit(*, actor, inspection: Inspection, on: date | None = None) -> Inspection:
    """Submit: locked afterwards. A third-party inspection needs report, score and summary.
    `on` is the day of submission (today unless the demo submits a past report)."""
    today = timezone.localdate()
    if on is not None and (on > today or not isinstance(on, date)):
        raise InvalidInput(_("提交日期不能晚于今天。"), code="date_in_future")
    with transaction.atomic():
        locked = _lock(inspection)
        _writer(actor, locked)
        _draft(locked)
        if locked.kind == Kind.THIRD_PARTY:
            if locked.report_id is None:
                raise Conflict(_("请先上传专项报告。"), code="report_required")
            if locked.score is None:
                raise Conflict(_("请填写得分。"), code="score_required")
        if not locked.summary.strip():
            raise Conflict(_("请填写检查情况。"), code="summary_required")
        if on is not None and on < locked.inspected_to:
            raise InvalidInput(_("提交日期不能早于检查结束日期。"), code="date_too_early")
        locked.state = State.SUBMITTED
        locked.submitted_at = (
            timezone.now()
            if on is None or on == today
            else timezone.make_aware(datetime.combine(on, datetime.min.time().replace(hour=17)))
        )
        locked.save(update_fields=["state", "submitted_at"])
        _event(
            "submit",
            actor=actor,
            inspection=locked,
            before=State.DRAFT,
            score=str(locked.score) if locked.score is not None else None,
            findings=inspection_findings(locked).count(),
        )
    return locked
