"""Pages of a document's life after issuance: evaluations before expiry, cleanup campaigns,
links between documents (staff, under /staff/rules/), and the published cleanup results
(portal, under /rules/cleanups/).

A refused action re-renders the page with the reason and the error's status (403/409/422).
"""

from __future__ import annotations

import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from fazhi.core.decorators import staff_permission_required
from fazhi.core.errors import DomainError
from fazhi.core.models import Agency, Membership
from fazhi.core.roles import Role
from fazhi.core.tenancy import access, agencies_with_role, writable_agency_ids
from fazhi.core.workflow import timeline
from fazhi.rules import aftercare_selectors as selectors
from fazhi.rules.aftercare_selectors import EvaluationState
from fazhi.rules.forms import aftercare as forms
from fazhi.rules.models import CleanupReview, Disposition, DocumentLink, NormativeDocument
from fazhi.rules.selectors import documents_for
from fazhi.rules.services import cleanup as cleanup_services
from fazhi.rules.services import evaluation as evaluation_services
from fazhi.rules.services import links as link_services

PAGE_SIZE = 30
VIEW = "normative.view_list"


def _drafting_departments(user) -> set[int]:
    """Departments where the user drafts (clerk or head): one query for a whole page."""
    return set(
        Membership.objects.active()
        .filter(user=user, role__in=selectors.DRAFTERS, department__isnull=False)
        .values_list("department_id", flat=True)
    )


def _may_review(user, agency_id: int) -> bool:
    return agency_id in set(agencies_with_role(user, Role.LEGAL_OFFICER))


# --- Evaluations -----------------------------------------------------------------------------


@staff_permission_required(VIEW)
def evaluation_list(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "")
    if state not in EvaluationState.LABELS:
        state = ""
    page = Paginator(selectors.evaluation_list(request.user, state=state), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "rules/aftercare/evaluations.html",
        {
            "page": page,
            "rows": selectors.evaluation_rows(page, timezone.localdate()),
            "state": state,
            "states": EvaluationState.CHOICES,
            "query": f"state={state}" if state else "",
            "tab": "evaluations",
        },
    )


EVALUATION_FORMS = {
    "propose": forms.EvaluationProposeForm,
    "confirm": forms.EvaluationConfirmForm,
    "return": forms.EvaluationReturnForm,
}


def _evaluation_page(request, evaluation, *, bound=None, status=200) -> HttpResponse:
    document = evaluation.document
    state = selectors.evaluation_state(evaluation)
    writable = document.agency_id in writable_agency_ids(request.user)
    can_propose = (
        writable
        and state == EvaluationState.PROPOSAL
        and request.user.has_perm("normative.draft_document", document)
    )
    can_confirm = (
        writable
        and state == EvaluationState.CONFIRMATION
        and request.user.has_perm("normative.review_document", document)
    )
    page_forms = {
        "propose": forms.EvaluationProposeForm(
            prefix="propose", initial={"new_valid_until": evaluation.new_valid_until}
        ),
        "confirm": forms.EvaluationConfirmForm(
            prefix="confirm", initial={"ended_on": timezone.localdate()}
        ),
        "return": forms.EvaluationReturnForm(prefix="return"),
    }
    if bound is not None:
        page_forms[bound[0]] = bound[1]
    due_on = selectors.evaluation_stage_due(evaluation)
    return render(
        request,
        "rules/aftercare/evaluation.html",
        {
            "evaluation": evaluation,
            "document": document,
            "state": state,
            "state_label": EvaluationState.LABELS[state],
            "due_on": due_on,
            "overdue": bool(due_on and due_on < timezone.localdate()),
            "can_propose": can_propose,
            "can_confirm": can_confirm,
            "forms": page_forms,
            # A refusal shows even when the form it came from is not offered to this user.
            "errors": bound[1].non_field_errors()
            if bound is not None and not (can_propose if bound[0] == "propose" else can_confirm)
            else [],
            "events": timeline(evaluation),
            "tab": "evaluations",
        },
        status=status,
    )


@staff_permission_required(VIEW)
def evaluation_detail(request: HttpRequest, evaluation_id: int) -> HttpResponse:
    evaluation = access(
        request.user,
        selectors.evaluations_for(request.user),
        evaluation_id,
        field="document__agency",
    )
    return _evaluation_page(request, evaluation)


@staff_permission_required(VIEW)
@require_POST
def evaluation_act(request: HttpRequest, evaluation_id: int, action: str) -> HttpResponse:
    evaluation = access(
        request.user,
        selectors.evaluations_for(request.user),
        evaluation_id,
        write=True,
        field="document__agency",
    )
    if action not in EVALUATION_FORMS:
        raise Http404
    form = EVALUATION_FORMS[action](request.POST, prefix=action)
    if not form.is_valid():
        return _evaluation_page(request, evaluation, bound=(action, form), status=422)
    data = form.cleaned_data
    try:
        if action == "propose":
            evaluation_services.evaluation_propose(
                actor=request.user, evaluation=evaluation, **data
            )
            messages.success(request, _("评估意见已报送法制办。"))
        elif action == "confirm":
            outcome = evaluation_services.evaluation_confirm(
                actor=request.user, evaluation=evaluation, ended_on=data["ended_on"]
            )
            if outcome.draft is not None:
                messages.success(request, _("已确认，并已为修改建立新的文件草案。"))
                return redirect("rules:detail", document_id=outcome.draft.pk)
            messages.success(request, _("评估意见已确认。"))
        else:
            evaluation_services.evaluation_return(
                actor=request.user, evaluation=evaluation, reason=data["reason"]
            )
            messages.success(request, _("已退回科室重新评估。"))
    except DomainError as exc:
        form.add_error(None, str(exc.message))
        return _evaluation_page(request, evaluation, bound=(action, form), status=exc.status)
    return redirect("rules:evaluation", evaluation_id=evaluation.pk)


# --- Cleanup campaigns -----------------------------------------------------------------------


def _legal_agencies(user) -> list[Agency]:
    ids = agencies_with_role(user, Role.LEGAL_OFFICER)
    return list(Agency.objects.filter(pk__in=ids).order_by("name")) if ids else []


@staff_permission_required(VIEW)
def campaign_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.campaign_list(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    today = timezone.localdate()
    rows = [
        {
            "campaign": campaign,
            "overdue": campaign.state == CleanupReview.State.OPEN
            and campaign.waiting_count > 0
            and campaign.proposals_due_on < today,
        }
        for campaign in page
    ]
    return render(
        request,
        "rules/aftercare/cleanups.html",
        {
            "page": page,
            "rows": rows,
            "can_open": bool(agencies_with_role(request.user, Role.LEGAL_OFFICER)),
            "tab": "cleanups",
        },
    )


@staff_permission_required(VIEW)
@require_http_methods(["GET", "POST"])
def campaign_create(request: HttpRequest) -> HttpResponse:
    agencies = _legal_agencies(request.user)
    if not agencies:
        raise PermissionDenied
    form = forms.CampaignForm(request.POST or None, agencies=agencies)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                campaign = cleanup_services.campaign_open(actor=request.user, **data)
            except DomainError as exc:
                form.add_error(None, str(exc.message))
                status = exc.status
            else:
                messages.success(
                    request,
                    _("清理已发起，共 %(n)d 件文件。") % {"n": campaign.items.count()},
                )
                return redirect("rules:cleanup", campaign_id=campaign.pk)
        else:
            status = 422
    return render(
        request,
        "rules/aftercare/cleanup_form.html",
        {"form": form, "tab": "cleanups"},
        status=status,
    )


def _campaign_page(request, campaign, *, bound=None, status=200) -> HttpResponse:
    user = request.user
    is_open = campaign.state == CleanupReview.State.OPEN
    writable = campaign.agency_id in writable_agency_ids(user)
    reviewer = writable and _may_review(user, campaign.agency_id)
    departments = _drafting_departments(user) if writable else set()
    rows = []
    confirmed = 0
    for item in selectors.campaign_items(campaign):
        confirmed += bool(item.result)
        # The page offers the proposal to the drafting department; the legal office confirms
        # a result directly (the service would also take the office's proposal, e.g. by API).
        can_propose = (
            is_open and writable and not item.result and item.document.department_id in departments
        )
        can_confirm = is_open and reviewer
        propose = forms.CleanupProposeForm(
            prefix=f"propose-{item.pk}",
            initial={"proposal": item.proposal or None, "reason": item.proposal_reason},
        )
        confirm = forms.CleanupConfirmForm(
            prefix=f"confirm-{item.pk}",
            initial={"result": item.result or item.proposal or None, "note": item.result_note},
        )
        if bound is not None and bound[0] == item.pk:
            if bound[1] == "propose":
                propose = bound[2]
            else:
                confirm = bound[2]
        rows.append(
            {
                "item": item,
                "can_propose": can_propose,
                "can_confirm": can_confirm,
                "propose_form": propose,
                "confirm_form": confirm,
                "error": bound[2].non_field_errors() if bound and bound[0] == item.pk else None,
            }
        )
    publish_form = forms.CampaignPublishForm(prefix="publish")
    if bound is not None and bound[0] == "publish":
        publish_form = bound[2]
    today = timezone.localdate()
    return render(
        request,
        "rules/aftercare/cleanup.html",
        {
            "campaign": campaign,
            "rows": rows,
            "total": len(rows),
            "confirmed": confirmed,
            "can_publish": is_open and reviewer,
            "publish_form": publish_form,
            "errors": publish_form.non_field_errors() if not (is_open and reviewer) else [],
            "overdue": is_open and campaign.proposals_due_on < today,
            "groups": selectors.result_groups(r["item"] for r in rows) if not is_open else None,
            "events": timeline(campaign),
            "tab": "cleanups",
        },
        status=status,
    )


@staff_permission_required(VIEW)
def campaign_detail(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = access(request.user, selectors.campaigns_for(request.user), campaign_id)
    return _campaign_page(request, campaign)


ITEM_FORMS = {"propose": forms.CleanupProposeForm, "confirm": forms.CleanupConfirmForm}


@staff_permission_required(VIEW)
@require_POST
def campaign_item_act(
    request: HttpRequest, campaign_id: int, item_id: int, action: str
) -> HttpResponse:
    campaign = access(request.user, selectors.campaigns_for(request.user), campaign_id, write=True)
    item = campaign.items.select_related("document").filter(pk=item_id).first()
    if item is None or action not in ITEM_FORMS:
        raise Http404
    form = ITEM_FORMS[action](request.POST, prefix=f"{action}-{item.pk}")
    if not form.is_valid():
        return _campaign_page(request, campaign, bound=(item.pk, action, form), status=422)
    try:
        if action == "propose":
            cleanup_services.cleanup_propose(actor=request.user, item=item, **form.cleaned_data)
            messages.success(request, _("清理意见已提交。"))
        else:
            cleanup_services.cleanup_confirm(actor=request.user, item=item, **form.cleaned_data)
            messages.success(request, _("清理结果已确认。"))
    except DomainError as exc:
        form.add_error(None, str(exc.message))
        return _campaign_page(request, campaign, bound=(item.pk, action, form), status=exc.status)
    return redirect(f"{_campaign_url(campaign)}#item-{item.pk}")


def _campaign_url(campaign) -> str:
    from django.urls import reverse

    return reverse("rules:cleanup", args=[campaign.pk])


@staff_permission_required(VIEW)
@require_POST
def campaign_publish(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = access(request.user, selectors.campaigns_for(request.user), campaign_id, write=True)
    form = forms.CampaignPublishForm(request.POST, prefix="publish")
    if not form.is_valid():
        return _campaign_page(request, campaign, bound=("publish", None, form), status=422)
    try:
        cleanup_services.campaign_publish(
            actor=request.user, campaign=campaign, result_note=form.cleaned_data["result_note"]
        )
    except DomainError as exc:
        form.add_error(None, str(exc.message))
        return _campaign_page(request, campaign, bound=("publish", None, form), status=exc.status)
    messages.success(request, _("清理结果已公布。"))
    return redirect("rules:cleanup", campaign_id=campaign.pk)


XLSX_HEADERS = ["序号", "文号", "标题", "起草科室", "部门意见", "理由", "清理结果", "说明"]


def cleanup_workbook(campaign, items) -> bytes:
    """The result lists as XLSX: one sheet per result (保留 / 修改 / 废止 / 宣布失效), and a
    sheet of every document with the department's proposal and the office's result."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    items = list(items)
    workbook = Workbook()
    overview = workbook.active
    overview.title = "全部文件"
    sheets = [(overview, items)]
    for group in selectors.result_groups(i for i in items if i.result):
        sheets.append((workbook.create_sheet(str(group["label"])), group["items"]))
    for sheet, rows in sheets:
        sheet.append(XLSX_HEADERS)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(horizontal="center")
        for index, item in enumerate(rows, start=1):
            document = item.document
            sheet.append(
                [
                    index,
                    document.doc_number.text if document.doc_number_id else "",
                    document.title,
                    document.department.name,
                    str(item.get_proposal_display()),
                    item.proposal_reason,
                    str(item.get_result_display()),
                    item.result_note,
                ]
            )
        for column, width in zip("ABCDEFGH", (6, 20, 48, 16, 10, 36, 10, 36), strict=True):
            sheet.column_dimensions[column].width = width
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@staff_permission_required(VIEW)
def campaign_xlsx(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = access(request.user, selectors.campaigns_for(request.user), campaign_id)
    response = HttpResponse(
        cleanup_workbook(campaign, selectors.campaign_items(campaign)),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="cleanup-{campaign.pk}.xlsx"'
    return response


# --- Links of a document being made ----------------------------------------------------------


def _links_page(request, document, *, form=None, status=200) -> HttpResponse:
    user = request.user
    can_edit = (
        document.state in NormativeDocument.OPEN_STATES
        and document.agency_id in writable_agency_ids(user)
        and user.has_perm("normative.draft_document", document)
    )
    return render(
        request,
        "rules/aftercare/links.html",
        {
            "document": document,
            "links": selectors.links_of(document),
            "incoming": selectors.relatives(document, public=False),
            "can_edit": can_edit,
            "form": form or forms.LinkForm(targets=selectors.link_targets(user, document)),
            "tab": "documents",
        },
        status=status,
    )


@staff_permission_required(VIEW)
@require_http_methods(["GET", "POST"])
def document_links(request: HttpRequest, document_id: int) -> HttpResponse:
    write = request.method == "POST"
    document = access(request.user, documents_for(request.user), document_id, write=write)
    if not write:
        return _links_page(request, document)
    form = forms.LinkForm(request.POST, targets=selectors.link_targets(request.user, document))
    if not form.is_valid():
        return _links_page(request, document, form=form, status=422)
    try:
        link_services.link_add(
            actor=request.user,
            source=document,
            target=form.cleaned_data["target"],
            kind=form.cleaned_data["kind"],
        )
    except DomainError as exc:
        form.add_error(None, str(exc.message))
        return _links_page(request, document, form=form, status=exc.status)
    messages.success(request, _("已添加文件关系。"))
    return redirect("rules:links", document_id=document.pk)


@staff_permission_required(VIEW)
@require_POST
def document_link_remove(request: HttpRequest, document_id: int, link_id: int) -> HttpResponse:
    document = access(request.user, documents_for(request.user), document_id, write=True)
    link = DocumentLink.objects.filter(pk=link_id, source=document).first()
    if link is None:
        raise Http404
    try:
        link_services.link_remove(actor=request.user, link=link)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return _links_page(request, document, status=exc.status)
    messages.success(request, _("已删除文件关系。"))
    return redirect("rules:links", document_id=document.pk)


# --- Portal: published cleanup results -------------------------------------------------------


def public_cleanups(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.published_campaigns(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "rules/public/cleanups.html",
        {"page": page, "results": Disposition, "query": ""},
    )


def public_cleanup(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = selectors.public_campaign(campaign_id)
    if campaign is None:
        raise Http404
    return render(
        request,
        "rules/public/cleanup.html",
        {
            "campaign": campaign,
            "groups": selectors.result_groups(selectors.public_result_items(campaign)),
        },
    )
