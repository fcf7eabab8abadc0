"""Proactive disclosure (主动公开): a public record from draft to the catalogue, each change in one
transaction with its audit event.

Draft → submit (the personal-data scan runs inside the transition and writes its findings) →
保密审查 (the reviewer clears or redacts every finding and answers the checklist; "release" is
refused while a finding is open; "return" and "withhold" send the record back to draft, the
review staying in its history) → 信息审核发布 (the legal office draws the 索引号) → withdrawn with
a public reason, or superseded by a later published record.

Decisions:
- 索引号: series `disclosure-index`, "{机关代字}公开-{year}-{n:05d}", e.g. 示民公开-2026-00012,
  drawn in the year of publication, gap-free (a refused publication returns its number).
- Only DOCX attachments and the body can be scanned. Any other attachment (PDF, XLSX, images)
  becomes an "unscanned" finding the reviewer must clear after reading it; it cannot be
  redacted automatically (send the record back for a cleaned file instead).
- Redacting an attachment finding stores a redacted copy of the DOCX (every occurrence of that
  number replaced by its mask) which replaces the original among the record's attachments; the
  original stays in the file store for the audit trail but is no longer published. The copy is
  checked by extracting its text again: if Word's runs did not allow an exact replacement, the
  redaction is refused and the record must go back to the drafter.
- A finding's context is cut from the text with every hit masked, so no raw number is stored.
- A release with any checklist item answered "是" needs a comment saying why it may still be
  published (e.g. the right holder's consent, OGI Art. 15); it is not refused outright.
- Normative documents issued by the rules app enter the catalogue through `document_sync`, run
  after the issuing transaction commits (a post_save on the audit Event of the "issue"
  transition, so the rules app never imports disclosure) and by `fazhi disclosure sync` for
  documents issued before. Their 有效性 is read live from the rules status at catalogue time.
"""

from __future__ import annotations

import io
import logging
from datetime import date

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fazhi.core import agency_settings, audit, workflow
from fazhi.core.agency_settings import Definition
from fazhi.core.calendar import add_workdays_result, format_day
from fazhi.core.errors import Conflict, InvalidInput, NotAllowed
from fazhi.core.files import storage
from fazhi.core.files.services import file_store
from fazhi.core.models import Department, Membership
from fazhi.core.numbering import number_allocate
from fazhi.core.roles import Role
from fazhi.disclosure import gates_proactive, scan
from fazhi.disclosure.models.proactive import (
    DRAFT_RECORD,
    RELEASE_RECORD,
    REVIEW_RECORD,
    Category,
    ConfidentialityReview,
    FiveDisclosures,
    PublicRecord,
    PublishForm,
    ScanFinding,
    Validity,
)
from fazhi.disclosure.services._common import _choice, _day, _not_before, _people, _text

logger = logging.getLogger("fazhi.disclosure")

State = PublicRecord.State
INDEX_SERIES = "disclosure-index"
FILE_PURPOSE = "disclosure-record"
SYSTEM_SYNC = "fazhi disclosure sync"
UNSCANNED = "unscanned"
MAX_BODY = 100_000
MAX_ATTACHMENTS = 20
CONTEXT = 30

FINDING_KINDS = {**dict(scan.HitKind.choices), UNSCANNED: _("无法自动检查的附件")}

# The checklist of 保密审查 (OGI Art. 14–16, 《保密法》): "key|label", one item a line.
DEFAULT_CHECKLIST = "\n".join(
    [
        "state_secret|是否涉及国家秘密",
        "work_secret|是否涉及工作秘密",
        "trade_secret|是否涉及商业秘密",
        "privacy|是否涉及个人隐私",
        "process_info|是否属于过程性信息或内部事务信息",
        "three_safety|公开后是否可能危及“三安全一稳定”",
    ]
)

for _definition in (
    Definition(
        "disclosure.scan_terms",
        "个人信息检查附加敏感词",
        "",
        "本系统默认（机关自定，每行或以逗号分隔一个词）",
    ),
    Definition(
        "disclosure.review_checklist",
        "保密审查事项",
        DEFAULT_CHECKLIST,
        "本系统默认（《政府信息公开条例》第十四条至第十六条、《保守国家秘密法》；"
        "每行一项，格式“代码|事项”）",
    ),
):
    agency_settings.register(_definition)


# --- Settings --------------------------------------------------------------------------------


def scan_terms(agency) -> list[str]:
    """The agency's listed terms for the scan (one a line, or separated by commas)."""
    text = str(agency_settings.get(agency, "disclosure.scan_terms") or "")
    for separator in ("，", ",", "、", "；", ";"):
        text = text.replace(separator, "\n")
    return [term.strip() for term in text.splitlines() if term.strip()]


def review_checklist(agency) -> list[dict[str, str]]:
    """[{key, label}] of the agency's 保密审查 checklist, in order."""
    items = []
    text = str(agency_settings.get(agency, "disclosure.review_checklist") or "")
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        key, _sep, label = line.partition("|")
        if not label:
            key, label = f"item{number}", key
        items.append({"key": key.strip(), "label": label.strip()})
    if not items and agency is not None:
        # An agency that emptied its list still answers the default questions.
        return review_checklist(None)
    return items


# --- Shared helpers ---------------------------------------------------------------------------


def _lock(record: PublicRecord) -> PublicRecord:
    return PublicRecord.objects.select_for_update().get(pk=record.pk)


def _require(actor, perm: str, record) -> None:
    if not actor.has_perm(perm, record):
        raise NotAllowed()


def _require_state(record, *states) -> None:
    if record.state not in states:
        raise Conflict(
            _("该信息当前为“%(state)s”，不能进行此操作。可能已被他人处理，请刷新。")
            % {"state": record.get_state_display()},
            code="state_changed",
        )


def _event(verb: str, *, actor, record, actor_name: str = "", before: str | None = None, **data):
    audit.record(
        f"disclosure.record.{verb}",
        actor=actor,
        actor_name=actor_name,
        agency=record.agency,
        target=record,
        from_state=record.state if before is None else before,
        to_state=record.state,
        data=data,
    )


def _due(record: PublicRecord) -> None:
    """OGI Art. 26: the Nth working day after formation (setting, default 20)."""
    days = int(agency_settings.get(record.agency_id, "disclosure.proactive_workdays"))
    result = add_workdays_result(record.formed_on, days)
    record.due_on = result.date
    record.due_provisional = result.provisional


FIELDS = (
    "department",
    "title",
    "formed_on",
    "category",
    "topic",
    "document_number",
    "five_disclosures",
    "publish_form",
    "validity",
    "body",
)


def _clean(agency, values: dict) -> dict:
    today = timezone.localdate()
    department = values.get("department")
    if department is not None and not isinstance(department, Department):
        department = Department.objects.filter(pk=department).first()
        if department is None:
            raise InvalidInput(_("请选择本机关的科室。"), code="department_invalid")
    if department is not None and department.agency_id != agency.pk:
        raise InvalidInput(_("请选择本机关的科室。"), code="department_invalid")
    five = values.get("five_disclosures") or ""
    if five:
        _choice(five, FiveDisclosures, _("五公开类别"), "five_disclosures_invalid")
    validity = values.get("validity") or ""
    if validity:
        _choice(validity, Validity, _("有效性"), "validity_invalid")
    return {
        "department": department,
        "title": _text(values.get("title"), _("标题"), limit=200, code="title"),
        "formed_on": _day(values.get("formed_on"), _("成文日期"), today=today, default_today=False),
        "category": _choice(values.get("category"), Category, _("公开类别"), "category_invalid"),
        "topic": _text(values.get("topic"), _("主题分类"), limit=40, code="topic"),
        "document_number": _text(
            values.get("document_number"),
            _("发文字号"),
            limit=60,
            code="document_number",
            required=False,
        ),
        "five_disclosures": five,
        "publish_form": _choice(
            values.get("publish_form") or PublishForm.WEBSITE,
            PublishForm,
            _("公开方式"),
            "publish_form_invalid",
        ),
        "validity": validity,
        "body": _text(values.get("body"), _("正文"), limit=MAX_BODY, code="body", required=False),
    }


# --- Drafting ---------------------------------------------------------------------------------


def record_create(
    *,
    actor,
    agency,
    department=None,
    title,
    formed_on,
    category,
    topic,
    document_number="",
    five_disclosures="",
    publish_form=PublishForm.WEBSITE,
    validity="",
    body="",
) -> PublicRecord:
    """A new draft; its Art. 26 deadline counts from `formed_on`."""
    values = _clean(
        agency,
        {
            "department": department,
            "title": title,
            "formed_on": formed_on,
            "category": category,
            "topic": topic,
            "document_number": document_number,
            "five_disclosures": five_disclosures,
            "publish_form": publish_form,
            "validity": validity,
            "body": body,
        },
    )
    record = PublicRecord(agency=agency, created_by=actor, **values)
    _require(actor, DRAFT_RECORD, record)
    _due(record)
    with transaction.atomic():
        record.save()
        _event(
            "create",
            actor=actor,
            record=record,
            before="",
            title=record.title,
            due_on=record.due_on.isoformat(),
        )
    return record


def record_update(*, actor, record: PublicRecord, **fields) -> PublicRecord:
    """Change a draft (only a draft: what is under review is what the reviewer sees)."""
    unknown = sorted(set(fields) - set(FIELDS))
    if unknown:
        raise InvalidInput(
            _("不能修改的字段：%(fields)s。") % {"fields": "、".join(unknown)},
            code="unknown_field",
        )
    with transaction.atomic():
        locked = _lock(record)
        _require(actor, DRAFT_RECORD, locked)
        _require_state(locked, State.DRAFT)
        current = {name: getattr(locked, name) for name in FIELDS}
        values = _clean(locked.agency, {**current, **fields})
        changed = [name for name in FIELDS if values[name] != current[name]]
        for name in changed:
            setattr(locked, name, values[name])
        # Moving the record to another department needs the right to draft there too.
        _require(actor, DRAFT_RECORD, locked)
        if not changed:
            return locked
        _due(locked)
        locked.save()
        _event("update", actor=actor, record=locked, fields=changed)
    return locked


def record_attach(*, actor, record: PublicRecord, upload, name: str | None = None):
    """Store an upload (DOCX, PDF, XLSX, images) and attach it to the draft."""
    with transaction.atomic():
        locked = _lock(record)
        _require(actor, DRAFT_RECORD, locked)
        _require_state(locked, State.DRAFT)
        if locked.attachments.count() >= MAX_ATTACHMENTS:
            raise InvalidInput(
                _("每条信息最多 %(n)d 个附件。") % {"n": MAX_ATTACHMENTS},
                code="too_many_attachments",
            )
        stored = file_store(
            actor=actor, agency=locked.agency, upload=upload, purpose=FILE_PURPOSE, name=name
        )
        locked.attachments.add(stored)
        locked.save(update_fields=["updated_at"])
        _event("attach", actor=actor, record=locked, file=stored.pk, name=stored.original_name)
    return stored


def record_detach(*, actor, record: PublicRecord, file_id) -> PublicRecord:
    """Take an attachment off the draft (the file stays in the store for the audit trail)."""
    with transaction.atomic():
        locked = _lock(record)
        _require(actor, DRAFT_RECORD, locked)
        _require_state(locked, State.DRAFT)
        try:
            stored = locked.attachments.get(pk=file_id)
        except (ValueError, TypeError, locked.attachments.model.DoesNotExist):
            raise InvalidInput(_("该附件不属于此信息。"), code="attachment_unknown") from None
        locked.attachments.remove(stored)
        locked.save(update_fields=["updated_at"])
        _event("detach", actor=actor, record=locked, file=stored.pk, name=stored.original_name)
    return locked


# --- The scan ---------------------------------------------------------------------------------


def _read(stored) -> bytes:
    with storage.content_open(stored.sha256) as handle:
        return handle.read()


def _contexts(text: str, hits) -> list[str]:
    """For each hit, the text around it with every hit masked (no raw number is ever kept)."""
    redacted = scan.redact(text, hits)
    shift = 0
    found = []
    for hit in hits:
        start = hit.start + shift
        end = start + len(hit.masked)
        shift += len(hit.masked) - (hit.end - hit.start)
        snippet = redacted[max(0, start - CONTEXT) : end + CONTEXT].replace("\n", " ")
        found.append(snippet[:200])
    return found


def _findings(record, text: str, hits, attachment=None) -> list[ScanFinding]:
    return [
        ScanFinding(
            record=record,
            attachment=attachment,
            kind=str(hit.kind),
            masked=hit.masked[:100],
            start=hit.start,
            end=hit.end,
            context=context,
        )
        for hit, context in zip(hits, _contexts(text, hits), strict=True)
    ]


def scan_record(record: PublicRecord) -> list[ScanFinding]:
    """Scan the body and each attachment; write this round's findings. Called by the `submit`
    transition (inside perform's transaction, on the locked record)."""
    terms = scan_terms(record.agency_id)
    findings = _findings(record, record.body, scan.scan_text(record.body, terms=terms))
    for stored in record.attachments.order_by("pk"):
        if stored.extension == "docx":
            result = scan.scan_docx(_read(stored), terms=terms)
            findings += _findings(record, result.text, result.hits, stored)
        else:
            findings.append(
                ScanFinding(
                    record=record,
                    attachment=stored,
                    kind=UNSCANNED,
                    masked=stored.original_name[:100],
                    start=0,
                    end=1,
                    context=str(_("该类型附件无法自动检查个人信息，请人工核对。")),
                )
            )
    ScanFinding.objects.bulk_create(findings)
    return findings


def record_submit(*, actor, record: PublicRecord) -> PublicRecord:
    """To 保密审查: the scan runs and its findings wait for the reviewer."""
    return workflow.perform(record, "submit", actor=actor)


# --- 保密审查 ---------------------------------------------------------------------------------


def _open_finding(actor, finding: ScanFinding) -> tuple[PublicRecord, ScanFinding]:
    record = _lock(finding.record)
    locked = ScanFinding.objects.select_for_update().get(pk=finding.pk)
    _require(actor, REVIEW_RECORD, record)
    _require_state(record, State.REVIEW)
    if record.submitted_at is None or locked.found_at < record.submitted_at:
        raise Conflict(_("该检查结果属于此前的审查轮次，已不再适用。"), code="finding_stale")
    if locked.resolution != ScanFinding.Resolution.OPEN:
        raise Conflict(
            _("该检查结果已处理（%(how)s）。") % {"how": locked.get_resolution_display()},
            code="finding_resolved",
        )
    return record, locked


def finding_clear(*, actor, finding: ScanFinding, reason: str) -> ScanFinding:
    """The reviewer confirms the hit may be published, with the reason."""
    reason = _text(reason, _("可以公开的理由"), limit=200, code="reason")
    with transaction.atomic():
        record, locked = _open_finding(actor, finding)
        locked.resolution = ScanFinding.Resolution.CLEARED
        locked.reason = reason
        locked.resolved_by = actor
        locked.resolved_at = timezone.now()
        locked.save(update_fields=["resolution", "reason", "resolved_by", "resolved_at"])
        _event(
            "finding_clear",
            actor=actor,
            record=record,
            finding=locked.pk,
            kind=locked.kind,
            masked=locked.masked,
            reason=reason,
        )
    return locked


def _resolve(finding: ScanFinding, actor, now) -> None:
    finding.resolution = ScanFinding.Resolution.REDACTED
    finding.resolved_by = actor
    finding.resolved_at = now


def finding_redact(*, actor, finding: ScanFinding) -> ScanFinding:
    """Put the mask in place of the hit: in the body, or in a redacted copy of the DOCX."""
    with transaction.atomic():
        record, locked = _open_finding(actor, finding)
        if locked.kind == UNSCANNED:
            raise Conflict(
                _("该附件无法自动遮蔽。请人工核对后确认可公开，或退回起草人更换为已处理的文件。"),
                code="cannot_redact",
            )
        now = timezone.now()
        if locked.attachment_id is None:
            _redact_body(record, locked, actor, now)
        else:
            _redact_attachment(record, locked, actor, now)
        _event(
            "finding_redact",
            actor=actor,
            record=record,
            finding=locked.pk,
            kind=locked.kind,
            masked=locked.masked,
            attachment=locked.attachment_id,
        )
    return locked


def _current_findings(record):
    return ScanFinding.objects.filter(record=record, found_at__gte=record.submitted_at)


def _redact_body(record, finding, actor, now) -> None:
    hit = next(
        (
            h
            for h in scan.scan_text(record.body, terms=scan_terms(record.agency_id))
            if (h.start, h.end, h.masked) == (finding.start, finding.end, finding.masked)
        ),
        None,
    )
    if hit is None:
        raise Conflict(_("正文已变化，找不到该检查结果，请退回重新提交。"), code="finding_stale")
    record.body = scan.redact(record.body, [hit])
    record.save(update_fields=["body", "updated_at"])
    delta = len(hit.masked) - (hit.end - hit.start)
    if delta:
        # Later hits of the body move with the text.
        _current_findings(record).filter(attachment__isnull=True, start__gte=hit.end).exclude(
            pk=finding.pk
        ).update(start=F("start") + delta, end=F("end") + delta)
    _resolve(finding, actor, now)
    finding.save(update_fields=["resolution", "resolved_by", "resolved_at"])


def _replace_in_docx(data: bytes, raw: str, masked: str) -> bytes:
    """Every occurrence of `raw` in the paragraphs (body, tables, headers, footers) replaced by
    `masked`, run formatting kept where the hit lies within one run."""
    import docx
    from docx.oxml.ns import qn

    document = docx.Document(io.BytesIO(data))
    parts = [document.element.body]
    for section in document.sections:
        for part in (
            section.header,
            section.footer,
            section.first_page_header,
            section.first_page_footer,
            section.even_page_header,
            section.even_page_footer,
        ):
            if not part.is_linked_to_previous:
                parts.append(part._element)
    for element in parts:
        for paragraph in element.iter(qn("w:p")):
            nodes = list(paragraph.iter(qn("w:t")))
            _replace_in_nodes(nodes, raw, masked)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _replace_in_nodes(nodes, raw: str, masked: str) -> None:
    while True:
        texts = [node.text or "" for node in nodes]
        joined = "".join(texts)
        at = joined.find(raw)
        if at < 0:
            return
        end = at + len(raw)
        position = 0
        placed = False
        for node, text in zip(nodes, texts, strict=True):
            lo, hi = position, position + len(text)
            position = hi
            if hi <= at or lo >= end:
                continue
            keep_before = text[: max(0, at - lo)]
            keep_after = text[max(0, end - lo) :] if end < hi else ""
            node.text = keep_before + ("" if placed else masked) + keep_after
            node.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            placed = True


def _redact_attachment(record, finding, actor, now) -> None:
    original = finding.attachment
    data = _read(original)
    text = scan.docx_text(data)
    raw = text[finding.start : finding.end]
    still_there = any(
        (hit.start, hit.end, hit.masked) == (finding.start, finding.end, finding.masked)
        for hit in scan.scan_text(text, terms=scan_terms(record.agency_id))
    )
    if not still_there:
        raise Conflict(_("附件已变化，找不到该检查结果，请退回重新提交。"), code="finding_stale")
    redacted = _replace_in_docx(data, raw, finding.masked)
    expected = text.replace(raw, finding.masked)
    if scan.docx_text(redacted) != expected:
        raise Conflict(
            _("该附件的排版无法自动遮蔽此处，请退回起草人处理后重新上传。"),
            code="cannot_redact",
        )
    copy = file_store(
        actor=actor,
        agency=record.agency,
        upload=ContentFile(redacted, name=original.original_name),
        purpose=FILE_PURPOSE,
    )
    record.attachments.remove(original)
    record.attachments.add(copy)
    record.save(update_fields=["updated_at"])
    # Every finding of this file moves to the copy: those of the same text are redacted with
    # it, the others shift by the masks placed before them.
    occurrences = []
    position = text.find(raw)
    while position >= 0:
        occurrences.append(position)
        position = text.find(raw, position + len(raw))
    delta = len(finding.masked) - len(raw)
    siblings = list(_current_findings(record).filter(attachment=original).select_for_update())
    for sibling in siblings:
        if sibling.pk == finding.pk:
            sibling = finding
        before = sum(1 for at in occurrences if at + len(raw) <= sibling.start)
        same = text[sibling.start : sibling.end] == raw
        sibling.attachment = copy
        sibling.start += before * delta
        sibling.end = sibling.start + (len(finding.masked) if same else sibling.end - sibling.start)
        fields = ["attachment", "start", "end"]
        if same and sibling.resolution == ScanFinding.Resolution.OPEN:
            _resolve(sibling, actor, now)
            fields += ["resolution", "resolved_by", "resolved_at"]
        sibling.save(update_fields=fields)


def record_review(
    *, actor, record: PublicRecord, checklist: dict, conclusion: str, comment: str = ""
) -> PublicRecord:
    """保密审查: every checklist item answered, and a conclusion. "release" moves the record on
    to 审核发布 (refused while a finding is open); "return" and "withhold" send it back."""
    conclusion = _choice(
        conclusion, ConfidentialityReview.Conclusion, _("审查结论"), "conclusion_invalid"
    )
    comment = _text(comment, _("审查意见"), limit=2000, code="comment", required=False)
    if conclusion != ConfidentialityReview.Conclusion.RELEASE and not comment:
        raise InvalidInput(_("退回修改或不予公开的，请写明理由。"), code="comment_required")
    with transaction.atomic():
        locked = _lock(record)
        _require(actor, REVIEW_RECORD, locked)
        _require_state(locked, State.REVIEW)
        items = review_checklist(locked.agency_id)
        answers = checklist if isinstance(checklist, dict) else {}
        missing = [
            item["label"] for item in items if not isinstance(answers.get(item["key"]), bool)
        ]
        if missing:
            raise InvalidInput(
                _("请逐项回答审查事项：%(items)s。") % {"items": "；".join(missing)},
                code="checklist_incomplete",
            )
        answers = {item["key"]: answers[item["key"]] for item in items}
        if conclusion == ConfidentialityReview.Conclusion.RELEASE:
            open_count = gates_proactive.open_findings(locked).count()
            if open_count:
                raise Conflict(
                    _(
                        "个人信息检查尚有 %(n)d 项未处理，不能作出“可以公开”的结论。"
                        "请逐项确认可公开或遮蔽。"
                    )
                    % {"n": open_count},
                    code="finding_open",
                )
            if any(answers.values()) and not comment:
                raise InvalidInput(
                    _("审查事项中有回答“是”的，作出“可以公开”结论时请在审查意见中写明理由。"),
                    code="comment_required",
                )
        ConfidentialityReview.objects.create(
            record=locked,
            checklist=answers,
            conclusion=conclusion,
            comment=comment,
            reviewer=actor,
            reviewed_at=timezone.now(),
        )
        action = (
            "pass_review"
            if conclusion == ConfidentialityReview.Conclusion.RELEASE
            else "return_from_review"
        )
        return workflow.perform(locked, action, actor=actor, comment=comment, conclusion=conclusion)


# --- 信息审核发布 and after -------------------------------------------------------------------


def record_publish(
    *, actor, record: PublicRecord, published_on: date | None = None
) -> PublicRecord:
    """Publish with a new 索引号, after a release review of this round and no open finding."""
    today = timezone.localdate()
    published_on = _day(published_on, _("公开日期"), today=today)
    with transaction.atomic():
        locked = _lock(record)
        _require(actor, RELEASE_RECORD, locked)
        _require_state(locked, State.APPROVAL)
        if not gates_proactive.released(locked) or not gates_proactive.no_open_finding(locked):
            raise Conflict(
                _("尚未经保密审查同意公开，或个人信息检查尚有未处理的结果，不能发布。"),
                code="review_required",
            )
        _not_before(published_on, locked.formed_on, _("公开日期"), _("成文日期"))
        locked.published_on = published_on
        locked.index_number = number_allocate(
            actor=actor,
            agency=locked.agency,
            key=INDEX_SERIES,
            year=published_on.year,
            target=locked,
        ).text
        locked.save(update_fields=["published_on", "index_number", "updated_at"])
        done = workflow.perform(
            locked,
            "publish",
            actor=actor,
            index_number=locked.index_number,
            published_on=published_on.isoformat(),
        )
        _index_public(done)
    return done


def record_return(*, actor, record: PublicRecord, reason: str) -> PublicRecord:
    """信息审核发布 declined: the legal office sends the record back to its drafter."""
    reason = _text(reason, _("退回理由"), limit=2000, code="reason")
    with transaction.atomic():
        locked = _lock(record)
        _require(actor, RELEASE_RECORD, locked)
        _require_state(locked, State.APPROVAL)
        return workflow.perform(locked, "return_from_approval", actor=actor, comment=reason)


def record_withdraw(
    *, actor, record: PublicRecord, reason: str, withdrawn_on: date | None = None
) -> PublicRecord:
    """撤回: the entry stays in the catalogue as 已撤回 with the public reason."""
    reason = _text(reason, _("撤回理由"), limit=500, code="reason")
    withdrawn_on = _day(withdrawn_on, _("撤回日期"), today=timezone.localdate())
    with transaction.atomic():
        locked = _lock(record)
        _require(actor, RELEASE_RECORD, locked)
        _require_state(locked, State.PUBLISHED)
        _not_before(withdrawn_on, locked.published_on, _("撤回日期"), _("公开日期"))
        done = workflow.perform(
            locked, "retract", actor=actor, comment=reason, withdrawn_on=withdrawn_on
        )
        _unindex_public(done)
    return done


def record_supersede(*, actor, record: PublicRecord, successor: PublicRecord) -> PublicRecord:
    """A later published record of the same agency replaces this one."""
    with transaction.atomic():
        # Both rows locked in one order, so two supersessions at once cannot deadlock.
        list(
            PublicRecord.objects.select_for_update()
            .filter(pk__in=[record.pk, successor.pk])
            .order_by("pk")
        )
        locked = PublicRecord.objects.get(pk=record.pk)
        newer = PublicRecord.objects.get(pk=successor.pk)
        _require(actor, RELEASE_RECORD, locked)
        _require_state(locked, State.PUBLISHED)
        if newer.pk == locked.pk or newer.agency_id != locked.agency_id:
            raise InvalidInput(_("请选择本机关的另一条信息作为替代。"), code="successor_invalid")
        if newer.state != State.PUBLISHED:
            raise Conflict(_("替代的新信息须已公开。"), code="successor_unpublished")
        PublicRecord.objects.filter(pk=locked.pk).update(superseded_by=newer)
        locked.superseded_by = newer
        return workflow.perform(locked, "supersede", actor=actor, successor=newer)


def _public_url(record) -> str:
    return f"/disclosure/catalogue/{record.pk}/"


def _index_public(record) -> None:
    """The published record goes into the portal's full-text search (same transaction)."""
    from fazhi.core.search.services import index_document

    index_document(
        target=record,
        title=record.title,
        body=record.body,
        url=_public_url(record),
        agency=record.agency,
        is_public=True,
    )


def _unindex_public(record) -> None:
    from fazhi.core.search.services import remove_document

    remove_document(record)


# --- Normative documents in the catalogue -----------------------------------------------------


def document_sync(document) -> PublicRecord | None:
    """Enter an issued normative document in the catalogue (once; again is a no-op).

    The rules app published it after its own legality review and collective decision, so the
    record is entered as published without a second review; its 有效性 is read live from the
    rules status by the catalogue (the stored value is the status on the day of entry).
    """
    from fazhi.rules.models import NormativeDocument
    from fazhi.rules.status import Badge, badge, superseding_dates

    if document.state != NormativeDocument.State.ISSUED or document.published_on is None:
        return None
    with transaction.atomic():
        locked = (
            NormativeDocument.objects.select_for_update(of=("self",))
            .select_related("agency", "department", "doc_number")
            .get(pk=document.pk)
        )
        existing = PublicRecord.objects.filter(source_document=locked).first()
        if existing is not None:
            return existing
        today = timezone.localdate()
        status = badge(locked, today, superseding=superseding_dates(locked))
        validity = {
            Badge.REPEALED: Validity.REPEALED,
            Badge.EXPIRED: Validity.EXPIRED,
            Badge.REVISED: Validity.EXPIRED,
        }.get(status, Validity.IN_FORCE)
        version = locked.versions.order_by("-number").first()
        body = "\n\n".join(filter(None, [version.text if version else "", locked.interpretation]))
        record = PublicRecord(
            agency=locked.agency,
            department=locked.department,
            title=locked.title[:200],
            document_number=locked.doc_number.text[:60] if locked.doc_number_id else "",
            formed_on=locked.published_on,
            category=Category.REGULATIONS,
            five_disclosures=FiveDisclosures.DECISION,
            topic=(locked.topic or str(_("行政规范性文件")))[:40],
            publish_form=PublishForm.WEBSITE,
            validity=validity,
            body=body[:MAX_BODY],
            source_document=locked,
            published_on=locked.published_on,
            # The state is set once, at creation: the document passed its own gates.
            state=State.PUBLISHED,
        )
        _due(record)
        record.index_number = number_allocate(
            actor=None,
            actor_name=SYSTEM_SYNC,
            agency=locked.agency,
            key=INDEX_SERIES,
            year=locked.published_on.year,
        ).text
        record.save()
        _event(
            "sync",
            actor=None,
            actor_name=SYSTEM_SYNC,
            record=record,
            before="",
            document=locked.pk,
            document_number=record.document_number,
        )
        _index_public(record)
    return record


def documents_backfill() -> int:
    """Sync every issued normative document not yet in the catalogue; the number entered."""
    from fazhi.rules.models import NormativeDocument

    count = 0
    missing = NormativeDocument.objects.filter(
        state=NormativeDocument.State.ISSUED, public_record__isnull=True
    ).order_by("published_on", "pk")
    for document in missing:
        if document_sync(document) is not None:
            count += 1
    return count


ISSUE_VERB = "normative.normativedocument.issue"


def _on_event(sender, instance, created, **kwargs) -> None:
    """After the issuing transaction commits, enter the document in the catalogue. A failure
    here must not turn a successful issuance into an error page: it is logged, and
    `fazhi disclosure sync` enters the document later."""
    if not created or instance.verb != ISSUE_VERB:
        return
    document_id = instance.target_id

    def sync():
        from fazhi.rules.models import NormativeDocument

        try:
            document = NormativeDocument.objects.get(pk=document_id)
            document_sync(document)
        except Exception:
            logger.exception("normative document %s not entered in the catalogue", document_id)

    transaction.on_commit(sync)


# --- Reminders --------------------------------------------------------------------------------


def _staff_url(record) -> str:
    return _staff_url_by_pk(record.pk)


def unpublished_records(today: date):
    """Deadline source: the department (or the legal office) hears before a record's Art. 26
    limit; the legal office as well once it has passed."""
    from fazhi.core.notify.deadlines import DeadlineItem

    records = list(
        PublicRecord.objects.filter(
            state__in=[State.DRAFT, State.REVIEW, State.APPROVAL], due_on__isnull=False
        )
        .select_related("agency")
        .order_by("pk")
    )
    office = _people({r.agency_id for r in records}, [Role.LEGAL_OFFICER])
    departments: dict[int, list] = {}
    memberships = (
        Membership.objects.active()
        .filter(
            department_id__in={r.department_id for r in records if r.department_id},
            role__in=[Role.CLERK, Role.DEPARTMENT_HEAD],
            user__is_active=True,
        )
        .select_related("user")
        .order_by("user_id")
    )
    for membership in memberships:
        users = departments.setdefault(membership.department_id, [])
        if membership.user not in users:
            users.append(membership.user)
    for record in records:
        legal = office.get(record.agency_id, [])
        recipients = departments.get(record.department_id, []) if record.department_id else legal
        yield DeadlineItem(
            record.agency,
            recipients or legal,
            record,
            record.due_on,
            str(
                _("主动公开信息《%(title)s》应于%(day)s前公开")
                % {"title": record.title, "day": format_day(record.due_on)}
            ),
            _staff_url(record),
            escalate_to=list({u.pk: u for u in [*recipients, *legal]}.values()),
        )


# --- 待办 -------------------------------------------------------------------------------------

TASK_LIMIT = 50
DUE_SOON_WORKDAYS = 3


def record_tasks(user):
    """The records waiting for `user`: reviews for the department head (the legal office for
    records without a department), releases for the legal office, and drafts of the user's
    departments due within 3 working days or overdue. One query; earliest due first."""
    from django.db.models import Q

    from fazhi.core.calendar import add_workdays
    from fazhi.core.tenancy import agencies_with_role
    from fazhi.workspace.tasks import Task

    if not getattr(user, "is_authenticated", False):
        return
    # The legal office's agencies, and the departments the user drafts for or heads.
    office = agencies_with_role(user, Role.LEGAL_OFFICER)
    memberships = list(
        Membership.objects.active()
        .filter(user=user, role__in=[Role.CLERK, Role.DEPARTMENT_HEAD], department__isnull=False)
        .values_list("department_id", "role")
    )
    drafting = {department for department, _role in memberships}
    heading = {department for department, role in memberships if role == Role.DEPARTMENT_HEAD}
    soon = add_workdays(timezone.localdate(), DUE_SOON_WORKDAYS)
    waiting = (
        Q(state=State.APPROVAL, agency_id__in=office)
        | Q(state=State.REVIEW, department_id__in=heading)
        | Q(state=State.REVIEW, department__isnull=True, agency_id__in=office)
        | (
            Q(state=State.DRAFT, due_on__lte=soon)
            & (Q(department_id__in=drafting) | Q(department__isnull=True, agency_id__in=office))
        )
    )
    if not (office or memberships):
        return
    labels = {
        State.DRAFT: _("完成并提交主动公开信息《%(title)s》"),
        State.REVIEW: _("保密审查《%(title)s》"),
        State.APPROVAL: _("审核发布《%(title)s》"),
    }
    rows = (
        PublicRecord.objects.filter(waiting)
        .order_by("due_on", "pk")
        .values_list("pk", "title", "state", "due_on")[:TASK_LIMIT]
    )
    for pk, title, state, due_on in rows:
        yield Task(
            labels[state] % {"title": title}, _staff_url_by_pk(pk), _("政府信息公开"), due_on
        )


def _staff_url_by_pk(pk) -> str:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("disclosure:record", args=[pk])
    except NoReverseMatch:
        return ""


# --- Registration (called from DisclosureConfig.ready) ----------------------------------------


def _can_read_file(user, stored) -> bool:
    records = PublicRecord.objects.filter(attachments=stored).select_related("agency")
    return stored.uploaded_by_id == user.pk or any(
        user.has_perm("disclosure.view_record", record) for record in records
    )


def ready() -> None:
    from django.db.models.signals import post_save

    from fazhi.core.files.conf import MB
    from fazhi.core.files.uses import register_use
    from fazhi.core.models import Event
    from fazhi.core.notify.deadlines import DeadlineSource, register_deadline_source
    from fazhi.core.numbering import SeriesKind, register_series
    from fazhi.workspace.tasks import provider

    # 示民公开-2026-00012: the agency's 机关代字 + 公开, year, five digits.
    register_series(
        SeriesKind(
            INDEX_SERIES,
            "主动公开索引号",
            lambda agency: f"{agency.short_name}公开",
            template="{prefix}-{year}-{n:05d}",
        )
    )
    register_use(
        FILE_PURPOSE,
        label=_("主动公开附件"),
        allowed_types={"docx", "pdf", "xlsx", "jpeg", "png"},
        max_bytes=20 * MB,
        can_read=_can_read_file,
    )
    register_deadline_source(DeadlineSource("disclosure.records", unpublished_records))
    post_save.connect(_on_event, sender=Event, dispatch_uid="disclosure.document_sync")
    provider(record_tasks)


__all__ = [
    "FINDING_KINDS",
    "INDEX_SERIES",
    "document_sync",
    "documents_backfill",
    "finding_clear",
    "finding_redact",
    "record_attach",
    "record_create",
    "record_detach",
    "record_publish",
    "record_return",
    "record_review",
    "record_submit",
    "record_supersede",
    "record_update",
    "record_withdraw",
    "review_checklist",
    "scan_record",
    "scan_terms",
]
