"""Drafting and review extras of a normative document: who may open and answer what, the file
uses, the 待办 providers, and the reads the document page needs.

`ready()` is called once from the app's `ready()`.
"""

from __future__ import annotations

from collections.abc import Iterable

import rules
from django.db.models import Prefetch
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fazhi.core.files.conf import MB
from fazhi.core.models import Countersign, CountersignOpinion, Department
from fazhi.core.roles import Role
from fazhi.core.tenancy import has_role
from fazhi.rules import gates
from fazhi.rules.models import DocumentVersion, LegalityReview, NormativeDocument
from fazhi.rules.permissions import can_read, works_with_documents

# The label core.workflow files countersign rounds of a normative document under.
TARGET_TYPE = NormativeDocument._meta.label_lower
DRAFT_USE = "normative_draft"
ADVISER_USE = "normative_adviser"
DRAFT_MAX_BYTES = 10 * MB
ADVISER_MAX_BYTES = 20 * MB
SIGNING_ROLES = (Role.DEPARTMENT_HEAD, Role.LIAISON)


# --- Who may -----------------------------------------------------------------------------


@rules.predicate
def is_asked_adviser(user, document) -> bool:
    """The legal adviser whose opinion the current legality review awaits (only while asked)."""
    if document is None or document.state != NormativeDocument.State.REVIEW:
        return False
    if not has_role(user, Role.LEGAL_ADVISER, agency_id=document.agency_id):
        return False
    review = gates.latest_review(document)
    return bool(
        review is not None
        and review.adviser_id == user.pk
        and review.adviser_requested_at is not None
        and review.adviser_answered_at is None
    )


def may_open(user, document) -> bool:
    """Whether `user` may open the document's page (the caller has scoped it by agency)."""
    return user.has_perm("normative.open_document", document)


def _register_perms() -> None:
    # Staff who work with documents read their agency's; the adviser reads only what they
    # are asked about, and only until they answer.
    rules.add_perm("normative.open_document", (works_with_documents & can_read) | is_asked_adviser)
    rules.add_perm("normative.answer_adviser", is_asked_adviser)


# --- Files -------------------------------------------------------------------------------


def _may_read_draft_file(user, stored) -> bool:
    version = DocumentVersion.objects.filter(source_file=stored).select_related("document").first()
    return version is not None and may_open(user, version.document)


def _may_read_adviser_file(user, stored) -> bool:
    review = LegalityReview.objects.filter(adviser_file=stored).select_related("document").first()
    if review is None:
        return False
    return review.adviser_id == user.pk or may_open(user, review.document)


def _register_uses() -> None:
    from fazhi.core.files.uses import register_use

    register_use(
        DRAFT_USE,
        label=_("规范性文件草案（Word）"),
        allowed_types={"docx"},
        max_bytes=DRAFT_MAX_BYTES,
        can_read=_may_read_draft_file,
    )
    register_use(
        ADVISER_USE,
        label=_("法律顾问意见附件"),
        allowed_types={"pdf", "docx"},
        max_bytes=ADVISER_MAX_BYTES,
        can_read=_may_read_adviser_file,
    )


# --- Reads -------------------------------------------------------------------------------


def countersign_rounds(document) -> list[Countersign]:
    """Every 会签 round on the document, newest first, with each department's opinion."""
    opinions = CountersignOpinion.objects.select_related("department", "decided_by").order_by(
        "department__sort_order", "department__name", "pk"
    )
    return list(
        Countersign.objects.filter(target_type=TARGET_TYPE, target_id=str(document.pk))
        .select_related("opened_by")
        .prefetch_related(Prefetch("opinions", queryset=opinions))
        .order_by("-pk")
    )


def signing_departments(user, agency_id: int) -> set[int]:
    """Departments of the agency whose opinion `user` may give (as head or liaison)."""
    return set(
        user.memberships.active()
        .filter(agency_id=agency_id, role__in=SIGNING_ROLES, department__isnull=False)
        .values_list("department_id", flat=True)
    )


def opinions_to_sign(user, document, rounds: Iterable[Countersign]) -> list[CountersignOpinion]:
    """The pending opinions of an open round on this document that `user` may give."""
    if document.state != NormativeDocument.State.DRAFTING:
        return []
    mine = signing_departments(user, document.agency_id)
    return [
        opinion
        for round_ in rounds
        if round_.outcome == Countersign.Outcome.PENDING and round_.state == document.state
        for opinion in round_.opinions.all()
        if opinion.department_id in mine and opinion.opinion == CountersignOpinion.Opinion.PENDING
    ]


def countersign_departments(document):
    """The departments that may be asked: the agency's others, not the drafting one."""
    return Department.objects.filter(agency_id=document.agency_id).exclude(
        pk=document.department_id
    )


def adviser_candidates(document):
    from fazhi.accounts.models import User

    return (
        User.objects.filter(
            is_active=True,
            memberships__agency_id=document.agency_id,
            memberships__role=Role.LEGAL_ADVISER,
            memberships__revoked_at__isnull=True,
        )
        .distinct()
        .order_by("display_name", "username")
    )


# --- 待办 --------------------------------------------------------------------------------


def countersign_tasks(user):
    """Heads and liaisons: documents whose drafter awaits their department's 会签 opinion."""
    from fazhi.workspace.tasks import Task

    departments = set(
        user.memberships.active()
        .filter(role__in=SIGNING_ROLES, department__isnull=False)
        .values_list("department_id", flat=True)
    )
    if not departments:
        return
    pending = CountersignOpinion.objects.filter(
        department_id__in=departments,
        opinion=CountersignOpinion.Opinion.PENDING,
        countersign__target_type=TARGET_TYPE,
        countersign__outcome=Countersign.Outcome.PENDING,
        countersign__state=NormativeDocument.State.DRAFTING,
    ).select_related("countersign")
    rounds = {opinion.countersign.target_id: opinion.countersign for opinion in pending}
    if not rounds:
        return
    documents = NormativeDocument.objects.filter(
        pk__in=[int(pk) for pk in rounds], state=NormativeDocument.State.DRAFTING
    ).only("pk", "title", "state")
    for document in documents:
        yield Task(
            _("会签：%(title)s") % {"title": document.title},
            reverse("rules:detail", args=[document.pk]),
            _("规范性文件"),
            rounds[str(document.pk)].due_on,
        )


def adviser_tasks(user):
    """The legal adviser: opinions the legal office has asked for and not yet received."""
    from fazhi.workspace.tasks import Task

    if not has_role(user, Role.LEGAL_ADVISER):
        return
    asked = list(
        LegalityReview.objects.filter(
            adviser=user,
            adviser_requested_at__isnull=False,
            adviser_answered_at__isnull=True,
            document__state=NormativeDocument.State.REVIEW,
        ).select_related("document")
    )
    if not asked:
        return
    # A request left open on an earlier round of review is no longer awaited.
    latest = {}
    for review in LegalityReview.objects.filter(
        document_id__in=[r.document_id for r in asked]
    ).order_by("document_id", "started_on", "pk"):
        latest[review.document_id] = review.pk
    for review in asked:
        if latest.get(review.document_id) != review.pk:
            continue
        if not has_role(user, Role.LEGAL_ADVISER, agency_id=review.document.agency_id):
            continue
        yield Task(
            _("出具法律顾问意见：%(title)s") % {"title": review.document.title},
            reverse("rules:detail", args=[review.document_id]),
            _("规范性文件"),
            review.adviser_due_on,
        )


# --- Reminders before the due dates (the deadline sweep) ----------------------------------


def open_countersign_opinions(today):
    """Deadline source: departments that have not yet given their 会签 opinion. The opinion is
    the target, so each department is reminded once per due date; the drafter hears of it
    once it is overdue."""
    from fazhi.core.models import Membership
    from fazhi.core.notify.deadlines import DeadlineItem

    pending = list(
        CountersignOpinion.objects.filter(
            opinion=CountersignOpinion.Opinion.PENDING,
            countersign__target_type=TARGET_TYPE,
            countersign__outcome=Countersign.Outcome.PENDING,
            countersign__state=NormativeDocument.State.DRAFTING,
            countersign__due_on__isnull=False,
        ).select_related("countersign__agency", "countersign__opened_by", "department")
    )
    if not pending:
        return
    documents = NormativeDocument.objects.filter(
        pk__in={int(o.countersign.target_id) for o in pending},
        state=NormativeDocument.State.DRAFTING,
    ).in_bulk()
    signers: dict[int, list] = {}
    for membership in (
        Membership.objects.active()
        .filter(department__in={o.department_id for o in pending}, role__in=SIGNING_ROLES)
        .select_related("user")
    ):
        signers.setdefault(membership.department_id, []).append(membership.user)
    for opinion in pending:
        document = documents.get(int(opinion.countersign.target_id))
        if document is None:
            continue
        yield DeadlineItem(
            opinion.countersign.agency,
            signers.get(opinion.department_id, []),
            opinion,
            opinion.countersign.due_on,
            str(_("会签：%(title)s") % {"title": document.title}),
            reverse("rules:detail", args=[document.pk]),
            [opinion.countersign.opened_by],
        )


def open_adviser_requests(today):
    """Deadline source: opinions asked of a legal adviser and not yet given; the legal office
    hears of it once overdue."""
    from fazhi.core.models import Membership
    from fazhi.core.notify.deadlines import DeadlineItem

    asked = list(
        LegalityReview.objects.filter(
            adviser__isnull=False,
            adviser_requested_at__isnull=False,
            adviser_answered_at__isnull=True,
            adviser_due_on__isnull=False,
            document__state=NormativeDocument.State.REVIEW,
        ).select_related("document__agency", "adviser")
    )
    officers: dict[int, list] = {}
    for membership in (
        Membership.objects.active()
        .filter(agency_id__in={r.document.agency_id for r in asked}, role=Role.LEGAL_OFFICER)
        .select_related("user")
    ):
        officers.setdefault(membership.agency_id, []).append(membership.user)
    for review in asked:
        yield DeadlineItem(
            review.document.agency,
            [review.adviser],
            review,
            review.adviser_due_on,
            str(_("出具法律顾问意见：%(title)s") % {"title": review.document.title}),
            reverse("rules:detail", args=[review.document_id]),
            officers.get(review.document.agency_id, []),
        )


_READY = False


def ready() -> None:
    global _READY
    if _READY:  # permissions and providers are registered once per process
        return
    _READY = True
    from fazhi.core.notify.deadlines import DeadlineSource, register_deadline_source
    from fazhi.workspace.tasks import provider

    _register_perms()
    _register_uses()
    provider(countersign_tasks)
    provider(adviser_tasks)
    register_deadline_source(DeadlineSource("normative.countersign", open_countersign_opinions))
    register_deadline_source(DeadlineSource("normative.adviser", open_adviser_requests))
