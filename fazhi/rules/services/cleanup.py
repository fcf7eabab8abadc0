"""Cleanup campaigns (清理): the legal office selects the documents in force, each department
proposes keep / revise / repeal / declare invalid with a reason, the office confirms a result
(which may differ), and publishing the result lists applies them to the documents.

The campaign row is locked by every write, so no proposal or confirmation slips in while the
results are being published.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from fazhi.core import agency_settings, audit, workflow
from fazhi.core.calendar import add_workdays
from fazhi.core.errors import Conflict, InvalidInput, NotAllowed
from fazhi.core.notify.services import notify
from fazhi.core.roles import Role
from fazhi.rules import aftercare_selectors as selectors
from fazhi.rules.models import CleanupItem, CleanupReview, Disposition, NormativeDocument
from fazhi.rules.services.evaluation import end_document, site_language

Scope = CleanupReview.Scope
ENDED_AS = {Disposition.REPEAL: "repealed", Disposition.EXPIRE: "expired"}


def _day(value: date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def _url(campaign: CleanupReview) -> str:
    return reverse("rules:cleanup", args=[campaign.pk])


def _event(verb: str, *, actor, campaign: CleanupReview, **data) -> None:
    audit.record(
        f"normative.cleanupreview.{verb}",
        actor=actor,
        agency=campaign.agency,
        target=campaign,
        from_state=campaign.state,
        to_state=campaign.state,
        data=data,
    )


def _lock_campaign(campaign_id: int) -> CleanupReview:
    return (
        CleanupReview.objects.select_for_update(of=("self",))
        .select_related("agency")
        .get(pk=campaign_id)
    )


def _require_open(campaign: CleanupReview) -> None:
    if campaign.state != CleanupReview.State.OPEN:
        raise Conflict(_("清理结果已公布，不能再修改。"), code="campaign_published")


def selection(agency, *, scope: str, department=None, topic: str = "", day: date):
    """The documents a campaign with this scope takes in on `day`: in force, and not already
    in another cleanup that is still open."""
    documents = selectors.in_force(agency, day).exclude(selectors.in_open_campaign())
    if scope == Scope.DEPARTMENT:
        documents = documents.filter(department=department)
    elif scope == Scope.TOPIC:
        documents = documents.filter(topic=topic)
    return documents.order_by("published_on", "pk")


def campaign_open(
    *,
    actor,
    agency,
    title: str,
    basis: str = "",
    scope: str,
    scope_department=None,
    scope_topic: str = "",
) -> CleanupReview:
    """Open a cleanup over the documents in force today within the scope (all, one department
    or one topic); each goes to its department for a proposal due in
    `rules.cleanup_proposal_workdays` working days."""
    title = (title or "").strip()
    scope_topic = (scope_topic or "").strip()
    campaign = CleanupReview(agency=agency)
    if not actor.has_perm("normative.review_document", campaign):
        raise NotAllowed()
    if not title:
        raise InvalidInput(_("请填写清理名称。"), code="title_required")
    if scope not in Scope.values:
        raise InvalidInput(_("请选择清理范围。"), code="scope_required")
    if scope == Scope.DEPARTMENT:
        if scope_department is None:
            raise InvalidInput(_("请选择要清理的科室。"), code="department_required")
        if scope_department.agency_id != agency.pk:
            raise InvalidInput(_("科室不属于本机关。"), code="department_agency")
    else:
        scope_department = None
    if scope == Scope.TOPIC:
        if not scope_topic:
            raise InvalidInput(_("请填写要清理的主题分类。"), code="topic_required")
    else:
        scope_topic = ""
    today = timezone.localdate()
    with transaction.atomic():
        documents = list(
            selection(
                agency, scope=scope, department=scope_department, topic=scope_topic, day=today
            ).select_related("department")
        )
        if not documents:
            raise InvalidInput(
                _("所选范围内没有可清理的现行有效文件（已在进行中的清理中的文件不重复列入）。"),
                code="empty_selection",
            )
        campaign.title = title[:200]
        campaign.basis = (basis or "").strip()
        campaign.scope = scope
        campaign.scope_department = scope_department
        campaign.scope_topic = scope_topic[:50]
        campaign.opened_by = actor
        campaign.opened_on = today
        campaign.proposals_due_on = add_workdays(
            today, agency_settings.get(agency, "rules.cleanup_proposal_workdays")
        )
        campaign.save()
        CleanupItem.objects.bulk_create(
            [CleanupItem(campaign=campaign, document=document) for document in documents]
        )
        _event(
            "open",
            actor=actor,
            campaign=campaign,
            scope=scope,
            department=scope_department.pk if scope_department else None,
            topic=scope_topic,
            documents=len(documents),
            proposals_due_on=campaign.proposals_due_on.isoformat(),
        )
        _notify_departments(campaign, documents)
    return campaign


def _notify_departments(campaign: CleanupReview, documents: list[NormativeDocument]) -> None:
    per_department: dict[tuple[int, int], int] = defaultdict(int)
    for document in documents:
        per_department[(document.agency_id, document.department_id)] += 1
    people = selectors.people_by_department(per_department, selectors.DRAFTERS)
    for pair, count in per_department.items():
        with site_language():
            notify(
                recipients=people.get(pair, []),
                kind="normative_cleanup",
                title=_t("规范性文件清理：%(title)s") % {"title": campaign.title[:150]},
                body=_t("请于%(due)s前对本科室的%(n)d件文件提出清理意见并说明理由。")
                % {"due": _day(campaign.proposals_due_on), "n": count},
                url=_url(campaign),
                target=campaign,
                agency=campaign.agency,
                dedupe_key=f"cleanup-open:{campaign.pk}",
            )


def _locked_item(item: CleanupItem) -> tuple[CleanupReview, CleanupItem]:
    campaign = _lock_campaign(item.campaign_id)
    locked = (
        CleanupItem.objects.select_for_update(of=("self",))
        .select_related("document__department")
        .get(pk=item.pk)
    )
    return campaign, locked


def cleanup_propose(*, actor, item: CleanupItem, proposal: str, reason: str) -> CleanupItem:
    """The document's department proposes what becomes of it, with a reason; it may change its
    proposal until the legal office has confirmed a result."""
    reason = (reason or "").strip()
    if proposal not in Disposition.values:
        raise InvalidInput(_("请选择清理意见。"), code="proposal_required")
    if not reason:
        raise InvalidInput(_("请写明理由。"), code="reason_required")
    with transaction.atomic():
        campaign, locked = _locked_item(item)
        if not actor.has_perm("normative.draft_document", locked.document):
            raise NotAllowed()
        _require_open(campaign)
        if locked.result:
            raise Conflict(
                _("法制办已确认该文件的清理结果，不能再修改意见。"), code="item_confirmed"
            )
        locked.proposal = proposal
        locked.proposal_reason = reason
        locked.proposed_by = actor
        locked.proposed_at = timezone.now()
        locked.save(update_fields=["proposal", "proposal_reason", "proposed_by", "proposed_at"])
        _event(
            "propose",
            actor=actor,
            campaign=campaign,
            item=locked.pk,
            document=locked.document_id,
            proposal=proposal,
            reason=reason,
        )
    return locked


def cleanup_confirm(*, actor, item: CleanupItem, result: str, note: str = "") -> CleanupItem:
    """The legal office sets the result; one that departs from the department's proposal (or
    stands without one) needs a note. It may be changed until the results are published."""
    note = (note or "").strip()
    if result not in Disposition.values:
        raise InvalidInput(_("请选择清理结果。"), code="result_required")
    with transaction.atomic():
        campaign, locked = _locked_item(item)
        if not actor.has_perm("normative.review_document", campaign):
            raise NotAllowed()
        _require_open(campaign)
        if result != locked.proposal and not note:
            raise InvalidInput(
                _("清理结果与部门意见不同（或部门未提出意见）时，须写明说明。"),
                code="note_required",
            )
        locked.result = result
        locked.result_note = note
        locked.confirmed_by = actor
        locked.confirmed_at = timezone.now()
        locked.save(update_fields=["result", "result_note", "confirmed_by", "confirmed_at"])
        _event(
            "confirm",
            actor=actor,
            campaign=campaign,
            item=locked.pk,
            document=locked.document_id,
            proposal=locked.proposal,
            result=result,
            note=note,
        )
    return locked


def campaign_publish(*, actor, campaign: CleanupReview, result_note: str = "") -> CleanupReview:
    """Publish the result lists (guard: every result confirmed) and apply them: repeal →
    repealed, declare invalid → expired, both from the publication day with the campaign as
    basis; keep and revise leave the document as it is (a revision is drafted separately)."""
    today = timezone.localdate()
    with transaction.atomic():
        done = workflow.perform(campaign, "publish", actor=actor, comment=result_note)
        done.published_on = today
        done.result_note = (result_note or "").strip()
        done.save(update_fields=["published_on", "result_note"])
        items = list(done.items.filter(result__in=list(ENDED_AS)).order_by("pk"))
        documents = NormativeDocument.objects.select_for_update().in_bulk(
            [item.document_id for item in items]
        )
        for item in items:
            document = documents[item.document_id]
            if document.ended_on is not None:
                continue  # ended meanwhile (e.g. by an evaluation): that record stands
            end_document(
                actor=actor,
                document=document,
                ended_on=today,
                ended_as=ENDED_AS[item.result],
                basis=done.title,
            )
    return done


def open_cleanup_proposals(today: date):
    """Deadline source: per campaign and department, the documents still awaiting the
    department's proposal; reminders to its clerks and head, escalation to the head and the
    legal office once the campaign's proposal date has passed."""
    from fazhi.core.notify.deadlines import DeadlineItem

    rows = list(
        CleanupItem.objects.filter(campaign__state=CleanupReview.State.OPEN, proposal="", result="")
        .values("campaign_id", "document__agency_id", "document__department_id")
        .annotate(n=Count("pk"))
        .order_by("campaign_id", "document__department_id")
    )
    if not rows:
        return
    campaigns = CleanupReview.objects.select_related("agency").in_bulk(
        {row["campaign_id"] for row in rows}
    )
    pairs = {(row["document__agency_id"], row["document__department_id"]) for row in rows}
    drafters = selectors.people_by_department(pairs, selectors.DRAFTERS)
    heads = selectors.people_by_department(pairs, [Role.DEPARTMENT_HEAD])
    officers = selectors.people_by_agency({a for a, _d in pairs}, [Role.LEGAL_OFFICER])
    for row in rows:
        campaign = campaigns[row["campaign_id"]]
        pair = (row["document__agency_id"], row["document__department_id"])
        yield DeadlineItem(
            campaign.agency,
            drafters.get(pair, []),
            campaign,
            campaign.proposals_due_on,
            _t("提出清理意见：%(title)s（%(n)d件）")
            % {"title": campaign.title[:150], "n": row["n"]},
            _url(campaign),
            [*heads.get(pair, []), *officers.get(pair[0], [])],
        )
