"""The document page: who may open it, and its context (every stage, its forms, the timeline).

The page is rendered both by GET and by a refused POST (with the refusal's 4xx status and the
message), so a person sees why and the status tells a machine it failed.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fazhi.core import workflow
from fazhi.core.errors import DomainError
from fazhi.core.forms import form_error_messages
from fazhi.core.models import Countersign
from fazhi.core.tenancy import access
from fazhi.rules import drafting, forms, selectors, services
from fazhi.rules.forms import drafting as drafting_forms
from fazhi.rules.models import NormativeDocument
from fazhi.rules.status import badge, superseding_dates

# What the timeline says for each event (the verb stays on the row for machines).
VERB_LABELS = {
    "normative.document.create": _("起草"),
    "normative.document.version": _("保存新稿"),
    "normative.document.upload": _("上传 Word 稿"),
    "normative.consultation.exempt": _("批准不征求意见"),
    "normative.comment.submit": _("公众提交意见"),
    "normative.comment.respond": _("答复意见"),
    "normative.consultation.report": _("公布采纳情况说明"),
    "normative.adviser.request": _("征求法律顾问意见"),
    "normative.adviser.answer": _("法律顾问出具意见"),
    "normative.filing.record": _("备案登记"),
    "workflow.countersign_open": _("发起会签"),
    "workflow.countersign_opinion": _("签署会签意见"),
    "workflow.urge": _("催办"),
    "number.issue": _("编号"),
}


def signed_in(view):
    """Anonymous users go to the login page; what a signed-in user may see is decided per
    document (the requested legal adviser sees only the document they are asked about)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapped


def open_document(request: HttpRequest, document_id, *, write: bool = False) -> NormativeDocument:
    """The document if the user may open its page: 404 outside their agencies, 403 for a role
    without documents work (and for an adviser not, or no longer, asked about it)."""
    document = access(request.user, selectors.documents_for(request.user), document_id, write=write)
    if not drafting.may_open(request.user, document):
        raise PermissionDenied
    return document


def refused(request: HttpRequest, document, exc: DomainError) -> HttpResponse:
    """The page again with the refusal's message and status; nothing was written."""
    messages.error(request, str(exc.message))
    return render_detail(request, _fresh(document), status=exc.status)


def invalid_form(request: HttpRequest, document, form) -> HttpResponse:
    form_error_messages(request, form)
    return render_detail(request, _fresh(document), status=422)


def _fresh(document) -> NormativeDocument:
    # A refused service may have locked and changed a copy; show what the database holds.
    return (
        NormativeDocument.objects.select_related("department", "doc_number", "agency")
        .filter(pk=document.pk)
        .first()
        or document
    )


def _has(document, relation: str) -> bool:
    try:
        getattr(document, relation)
    except ObjectDoesNotExist:  # the reverse one-to-one is absent
        return False
    return True


def _timeline(document) -> list[dict]:
    labels = {
        f"{document._meta.label_lower}.{action.name}": action.label
        for action in workflow.workflow_of(document).actions
    }
    labels[f"{document._meta.label_lower}.{workflow.WITHDRAW}"] = _("撤回")
    labels[f"{document._meta.label_lower}.{workflow.TRANSFER}"] = _("转办")
    return [
        {
            "event": event,
            "label": labels.get(event.verb) or VERB_LABELS.get(event.verb) or event.verb,
            "comment": str(event.data.get("comment", "") or "")[:500],
        }
        for event in workflow.timeline(document)
    ]


def render_detail(request: HttpRequest, document, *, status: int = 200) -> HttpResponse:
    user = request.user
    consultation = document.consultation if _has(document, "consultation") else None
    comments = list(consultation.comments.all()) if consultation else []
    versions = list(
        document.versions.select_related("created_by", "source_file").order_by("-number")
    )
    reviews = list(
        document.reviews.select_related("adviser", "adviser_file", "reviewer").order_by(
            "-started_on", "-pk"
        )
    )
    rounds = drafting.countersign_rounds(document)
    can_draft = user.has_perm("normative.draft_document", document)
    can_review = user.has_perm("normative.review_document", document)
    drafting_state = document.state == NormativeDocument.State.DRAFTING
    in_review = document.state == NormativeDocument.State.REVIEW
    latest_review = reviews[0] if reviews else None
    open_round = next(
        (
            r
            for r in rounds
            if r.outcome == Countersign.Outcome.PENDING and r.state == document.state
        ),
        None,
    )
    to_sign = drafting.opinions_to_sign(user, document, rounds)
    context = {
        "document": document,
        "versions": versions,
        "latest_version": versions[0] if versions else None,
        "consultation": consultation,
        "comments": comments,
        "reviews": reviews,
        "latest_review": latest_review,
        "decisions": document.decisions.select_related("minutes").order_by("-meeting_date"),
        "filing": document.filing if _has(document, "filing") else None,
        "badge": badge(document, timezone.localdate(), superseding=superseding_dates(document)),
        "can_draft": can_draft,
        "can_review": can_review,
        "countersign_rounds": rounds,
        "countersign_open_round": open_round,
        "countersign_outcome": workflow.countersign_outcome(document, "drafting"),
        "opinions_to_sign": [
            (opinion, drafting_forms.OpinionForm(prefix=f"opinion-{opinion.pk}"))
            for opinion in to_sign
        ],
        "can_upload": can_draft and drafting_state,
        "can_countersign": can_draft and drafting_state and open_round is None,
        "can_request_adviser": bool(
            can_review
            and in_review
            and latest_review is not None
            and latest_review.adviser_requested_at is None
        ),
        "can_answer_adviser": user.has_perm("normative.answer_adviser", document),
        "forms": {
            "version": forms.VersionForm(initial={"text": versions[0].text if versions else ""}),
            "upload": drafting_forms.UploadForm(),
            "countersign": drafting_forms.CountersignForm(
                departments=drafting.countersign_departments(document)
            ),
            "adviser_request": drafting_forms.AdviserRequestForm(
                advisers=drafting.adviser_candidates(document)
            ),
            "adviser_answer": drafting_forms.AdviserAnswerForm(),
            "consultation": forms.ConsultationForm(),
            "exemption": forms.ExemptionForm(),
            "response": forms.ResponseForm(),
            "report": forms.ReportForm(
                initial={
                    "report": services.consultation_report_draft(consultation)
                    if consultation
                    else ""
                }
            ),
            "review": forms.ReviewForm(),
            "decision": forms.DecisionForm(initial={"meeting_date": timezone.localdate()}),
            "issue": forms.IssueForm(),
        },
        "timeline": _timeline(document),
    }
    return render(request, "rules/detail.html", context, status=status)
