"""Reads for a normative document's life after issuance: evaluation before expiry, cleanup
campaigns (清理), the family of linked documents, and the 待办 they put on people's lists.

Every staff read takes the acting user and is scoped by agency (core.tenancy); the public reads
expose only what is published. List reads carry their `select_related`/annotations so a page
costs the same number of queries however many rows it shows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fazhi.core.models import Membership
from fazhi.core.roles import Role
from fazhi.core.tenancy import scope
from fazhi.rules.models import (
    CleanupItem,
    CleanupReview,
    Disposition,
    DocumentLink,
    ExpiryEvaluation,
    NormativeDocument,
)

# --- Documents in force ----------------------------------------------------------------------


def superseded_on(day: date) -> QuerySet:
    """Ids of documents replaced or repealed by a newer document published by `day`."""
    return DocumentLink.objects.filter(
        kind__in=[DocumentLink.Kind.REVISES, DocumentLink.Kind.REPEALS],
        source__state=NormativeDocument.State.ISSUED,
        source__published_on__lte=day,
    ).values("target_id")


def in_force(agency, day: date) -> QuerySet[NormativeDocument]:
    """The agency's documents in force on `day`: published, not ended, not expired and not
    superseded — the same reading as the badge 有效 / 即将到期 (rules/status.py)."""
    return (
        NormativeDocument.objects.filter(
            agency=agency,
            state=NormativeDocument.State.ISSUED,
            published_on__lte=day,
            valid_until__gte=day,
        )
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day))
        .exclude(pk__in=superseded_on(day))
    )


# --- People to notify ------------------------------------------------------------------------


def people_by_department(
    pairs: Iterable[tuple[int, int]], roles: Iterable[str]
) -> dict[tuple[int, int], list]:
    """{(agency_id, department_id): users holding one of `roles` there} in one query."""
    pairs = set(pairs)
    found: dict[tuple[int, int], list] = defaultdict(list)
    if not pairs:
        return found
    condition = Q()
    for agency_id, department_id in pairs:
        condition |= Q(agency_id=agency_id, department_id=department_id)
    memberships = (
        Membership.objects.active()
        .filter(condition, role__in=list(roles))
        .select_related("user")
        .order_by("pk")
    )
    for membership in memberships:
        found[(membership.agency_id, membership.department_id)].append(membership.user)
    return found


def people_by_agency(agency_ids: Iterable[int], roles: Iterable[str]) -> dict[int, list]:
    """{agency_id: users holding one of `roles` in the agency} in one query."""
    found: dict[int, list] = defaultdict(list)
    memberships = (
        Membership.objects.active()
        .filter(agency_id__in=set(agency_ids), role__in=list(roles))
        .select_related("user")
        .order_by("pk")
    )
    for membership in memberships:
        found[membership.agency_id].append(membership.user)
    return found


DRAFTERS = (Role.CLERK, Role.DEPARTMENT_HEAD)


# --- Evaluations -----------------------------------------------------------------------------


class EvaluationState:
    """Where an evaluation stands, derived from its fields (never stored)."""

    PROPOSAL = "proposal"  # waits for the department's proposal
    CONFIRMATION = "confirmation"  # waits for the legal office's confirmation
    DONE = "done"  # confirmed, or the document ended otherwise (nothing left to evaluate)

    LABELS = {
        PROPOSAL: _("待部门评估"),
        CONFIRMATION: _("待法制办确认"),
        DONE: _("已办结"),
    }
    CHOICES = list(LABELS.items())

    FILTERS = {
        PROPOSAL: Q(confirmed_at__isnull=True, proposal="", document__ended_on__isnull=True),
        CONFIRMATION: Q(confirmed_at__isnull=True, document__ended_on__isnull=True)
        & ~Q(proposal=""),
        DONE: Q(confirmed_at__isnull=False) | Q(document__ended_on__isnull=False),
    }


def evaluation_state(evaluation: ExpiryEvaluation) -> str:
    """Needs `evaluation.document` (selected with the evaluation)."""
    if evaluation.confirmed_at is not None or evaluation.document.ended_on is not None:
        return EvaluationState.DONE
    return EvaluationState.CONFIRMATION if evaluation.proposal else EvaluationState.PROPOSAL


def evaluation_stage_due(evaluation: ExpiryEvaluation) -> date | None:
    """The deadline of the stage the evaluation is in: the proposal's, then the confirmation's."""
    state = evaluation_state(evaluation)
    if state == EvaluationState.PROPOSAL:
        return evaluation.due_on
    if state == EvaluationState.CONFIRMATION:
        return evaluation.confirm_due_on
    return None


def evaluations_for(user) -> QuerySet[ExpiryEvaluation]:
    return scope(
        user,
        ExpiryEvaluation.objects.select_related(
            "document__department", "document__doc_number", "document__agency"
        ),
        field="document__agency",
    )


def evaluation_list(user, *, state: str = "") -> QuerySet[ExpiryEvaluation]:
    """The evaluations the user may see, earliest deadline first (constant query count)."""
    qs = evaluations_for(user).select_related("proposed_by", "confirmed_by")
    if state in EvaluationState.FILTERS:
        qs = qs.filter(EvaluationState.FILTERS[state])
    return qs.order_by("due_on", "pk")


def evaluation_rows(evaluations: Iterable[ExpiryEvaluation], today: date) -> list[dict]:
    rows = []
    for evaluation in evaluations:
        state = evaluation_state(evaluation)
        due_on = evaluation_stage_due(evaluation)
        rows.append(
            {
                "evaluation": evaluation,
                "state": state,
                "state_label": EvaluationState.LABELS[state],
                "due_on": due_on,
                "overdue": bool(due_on and due_on < today),
            }
        )
    return rows


# --- Cleanup campaigns -----------------------------------------------------------------------


def campaigns_for(user) -> QuerySet[CleanupReview]:
    return scope(user, CleanupReview.objects.select_related("agency", "scope_department"))


def _with_counts(qs: QuerySet[CleanupReview]) -> QuerySet[CleanupReview]:
    return qs.annotate(
        item_count=Count("items", distinct=True),
        proposed_count=Count("items", filter=~Q(items__proposal=""), distinct=True),
        confirmed_count=Count("items", filter=~Q(items__result=""), distinct=True),
        # Neither proposed by the department nor decided by the office yet.
        waiting_count=Count("items", filter=Q(items__proposal="", items__result=""), distinct=True),
    )


def campaign_list(user) -> QuerySet[CleanupReview]:
    """Campaigns the user may see, newest first, each with its progress counts."""
    return _with_counts(campaigns_for(user)).order_by("-opened_on", "-pk")


def campaign_items(campaign: CleanupReview) -> QuerySet[CleanupItem]:
    """The documents of a campaign, by department then publication (constant query count)."""
    return campaign.items.select_related(
        "document__department",
        "document__doc_number",
        "proposed_by",
        "confirmed_by",
    ).order_by(
        "document__department__sort_order",
        "document__department_id",
        "document__published_on",
        "pk",
    )


RESULT_ORDER = (Disposition.KEEP, Disposition.REVISE, Disposition.REPEAL, Disposition.EXPIRE)


def result_groups(items: Iterable[CleanupItem]) -> list[dict]:
    """The published result lists in the order 保留 / 修改 / 废止 / 宣布失效."""
    grouped: dict[str, list[CleanupItem]] = defaultdict(list)
    for item in items:
        grouped[item.result].append(item)
    return [
        {"result": result, "label": result.label, "items": grouped.get(result, [])}
        for result in RESULT_ORDER
    ]


def published_campaigns() -> QuerySet[CleanupReview]:
    """Cleanups whose results are published, newest first, with the size of each list."""
    return (
        CleanupReview.objects.filter(state=CleanupReview.State.PUBLISHED)
        .select_related("agency")
        .annotate(
            item_count=Count("items"),
            **{
                f"{result.value}_count": Count("items", filter=Q(items__result=result.value))
                for result in RESULT_ORDER
            },
        )
        .order_by("-published_on", "-pk")
    )


def public_campaign(campaign_id) -> CleanupReview | None:
    """A published campaign, or None for a missing or unpublished one (the portal's 404)."""
    try:
        return (
            CleanupReview.objects.filter(pk=campaign_id, state=CleanupReview.State.PUBLISHED)
            .select_related("agency")
            .first()
        )
    except (ValueError, TypeError):
        return None


def public_result_items(campaign: CleanupReview) -> QuerySet[CleanupItem]:
    return campaign.items.select_related("document__doc_number", "document__department").order_by(
        "document__published_on", "pk"
    )


# --- Links and the family of a document ------------------------------------------------------

RELATION_LABELS = {
    (DocumentLink.Kind.REVISES, "out"): _("本文件修订了"),
    (DocumentLink.Kind.REVISES, "in"): _("被以下文件修订"),
    (DocumentLink.Kind.REPEALS, "out"): _("本文件废止了"),
    (DocumentLink.Kind.REPEALS, "in"): _("被以下文件废止"),
    (DocumentLink.Kind.BASED_ON, "out"): _("本文件的依据"),
    (DocumentLink.Kind.BASED_ON, "in"): _("以本文件为依据"),
}


@dataclass(frozen=True)
class Relative:
    """One document linked to another, seen from that other document."""

    document: NormativeDocument
    kind: str  # revises / repeals / based_on
    direction: str  # "out": the document links to this one; "in": this one links to it
    link_id: int

    @property
    def label(self):
        return RELATION_LABELS[(self.kind, self.direction)]


@dataclass(frozen=True)
class Family:
    """Direct relatives both ways, and the revision line (沿革) the document belongs to."""

    relatives: list[Relative]
    # The documents joined by revises/repeals links, transitively, oldest publication first
    # (the document itself included); empty when it stands alone.
    lineage: list[NormativeDocument]


def _visible(public: bool) -> Q:
    return Q(state=NormativeDocument.State.ISSUED) if public else Q()


def relatives(document: NormativeDocument, *, public: bool = True) -> list[Relative]:
    """The documents linked to `document` in either direction (two queries).

    `public=True` keeps only published relatives (a draft that will revise it is not public).
    """
    found = []
    outgoing = document.links_out.select_related(
        "target__doc_number", "target__department"
    ).order_by("kind", "target__published_on", "pk")
    for link in outgoing:
        if not public or link.target.state == NormativeDocument.State.ISSUED:
            found.append(Relative(link.target, link.kind, "out", link.pk))
    incoming = document.links_in.select_related(
        "source__doc_number", "source__department"
    ).order_by("kind", "source__published_on", "pk")
    for link in incoming:
        if not public or link.source.state == NormativeDocument.State.ISSUED:
            found.append(Relative(link.source, link.kind, "in", link.pk))
    return found


LINEAGE_LIMIT = 50


def lineage(document: NormativeDocument, *, public: bool = True) -> list[NormativeDocument]:
    """The revision line: every document reachable through revises/repeals links either way.

    One query per step along the line, bounded by LINEAGE_LIMIT documents.
    """
    kinds = [DocumentLink.Kind.REVISES, DocumentLink.Kind.REPEALS]
    seen = {document.pk}
    frontier = {document.pk}
    while frontier and len(seen) < LINEAGE_LIMIT:
        pairs = DocumentLink.objects.filter(kind__in=kinds).filter(
            Q(source_id__in=frontier) | Q(target_id__in=frontier)
        )
        if public:
            pairs = pairs.filter(
                source__state=NormativeDocument.State.ISSUED,
                target__state=NormativeDocument.State.ISSUED,
            )
        reached = set()
        for source_id, target_id in pairs.values_list("source_id", "target_id"):
            reached.update((source_id, target_id))
        frontier = reached - seen
        seen |= frontier
    if len(seen) == 1:
        return []
    members = NormativeDocument.objects.filter(pk__in=list(seen)[:LINEAGE_LIMIT]).filter(
        _visible(public)
    )
    # Drafts (not yet published) come last, as the newest step of the line.
    return list(
        members.select_related("doc_number", "department").order_by(
            F("published_on").asc(nulls_last=True), "created_at", "pk"
        )
    )


def family(document: NormativeDocument, *, public: bool = True) -> Family:
    """Everything the portal shows as a document's family (relatives and revision line)."""
    return Family(
        relatives=relatives(document, public=public), lineage=lineage(document, public=public)
    )


def links_of(document: NormativeDocument) -> QuerySet[DocumentLink]:
    """The links a document being drafted makes to issued documents (staff page)."""
    return document.links_out.select_related("target__doc_number").order_by("pk")


def link_targets(user, document: NormativeDocument) -> QuerySet[NormativeDocument]:
    """Issued documents of the same agency that `document` may link to."""
    return (
        scope(user, NormativeDocument.objects.all())
        .filter(agency_id=document.agency_id, state=NormativeDocument.State.ISSUED)
        .exclude(pk=document.pk)
        .select_related("doc_number")
        .order_by("-published_on", "-pk")
    )


# --- 待办 (workspace task provider) -----------------------------------------------------------


def aftercare_tasks(user):
    """What evaluation and cleanup ask of the user: proposals for the departments where they
    draft, confirmations (and a publication) for the legal office. A fixed number of queries."""
    from fazhi.core.tenancy import agencies_with_role, roles_by_agency
    from fazhi.workspace.tasks import Task

    if not roles_by_agency(user):
        return
    module = _("规范性文件")
    drafting = list(
        Membership.objects.active()
        .filter(user=user, role__in=DRAFTERS, department__isnull=False)
        .values_list("agency_id", "department_id")
        .distinct()
    )
    if drafting:
        mine = Q()
        for agency_id, department_id in drafting:
            mine |= Q(document__agency_id=agency_id, document__department_id=department_id)
        waiting = (
            ExpiryEvaluation.objects.filter(mine)
            .filter(EvaluationState.FILTERS[EvaluationState.PROPOSAL])
            .select_related("document")
            .order_by("due_on", "pk")
        )
        for evaluation in waiting:
            yield Task(
                _("到期评估：%(title)s") % {"title": evaluation.document.title},
                reverse("rules:evaluation", args=[evaluation.pk]),
                module,
                evaluation.due_on,
            )
        cleanup = (
            CleanupItem.objects.filter(mine, campaign__state=CleanupReview.State.OPEN)
            .filter(proposal="", confirmed_at__isnull=True)
            .values("campaign_id", "campaign__title", "campaign__proposals_due_on")
            .annotate(n=Count("pk"))
            .order_by("campaign__proposals_due_on", "campaign_id")
        )
        for row in cleanup:
            yield Task(
                _("清理意见：%(title)s（%(n)d件待提出意见）")
                % {"title": row["campaign__title"], "n": row["n"]},
                reverse("rules:cleanup", args=[row["campaign_id"]]),
                module,
                row["campaign__proposals_due_on"],
            )
    legal = agencies_with_role(user, Role.LEGAL_OFFICER)
    if legal:
        confirming = (
            ExpiryEvaluation.objects.filter(document__agency_id__in=legal)
            .filter(EvaluationState.FILTERS[EvaluationState.CONFIRMATION])
            .select_related("document")
            .order_by("confirm_due_on", "pk")
        )
        for evaluation in confirming:
            yield Task(
                _("确认到期评估：%(title)s") % {"title": evaluation.document.title},
                reverse("rules:evaluation", args=[evaluation.pk]),
                module,
                evaluation.confirm_due_on,
            )
        campaigns = CleanupReview.objects.filter(
            agency_id__in=legal, state=CleanupReview.State.OPEN
        ).annotate(
            unconfirmed=Count("items", filter=Q(items__result="")),
            proposed=Count("items", filter=Q(items__result="") & ~Q(items__proposal="")),
        )
        for campaign in campaigns.order_by("proposals_due_on", "pk"):
            url = reverse("rules:cleanup", args=[campaign.pk])
            if campaign.unconfirmed == 0:
                yield Task(_("公布清理结果：%(title)s") % {"title": campaign.title}, url, module)
            elif campaign.proposed:
                yield Task(
                    _("确认清理结果：%(title)s（%(n)d件部门已提出意见）")
                    % {"title": campaign.title, "n": campaign.proposed},
                    url,
                    module,
                )


def in_open_campaign() -> Exists:
    return Exists(
        CleanupItem.objects.filter(
            document_id=OuterRef("pk"), campaign__state=CleanupReview.State.OPEN
        )
    )
