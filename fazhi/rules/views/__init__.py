"""Staff pages of normative documents: the worklist, the document page, one POST per step."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from fazhi.core import agency_settings, workflow
from fazhi.core.decorators import staff_permission_required
from fazhi.core.errors import DomainError
from fazhi.core.models import Department
from fazhi.core.roles import Role
from fazhi.core.tenancy import access
from fazhi.rules import forms, selectors, services
from fazhi.rules.docx_export import render as render_docx
from fazhi.rules.models import NormativeDocument, PublicComment
from fazhi.rules.views.drafting import (  # noqa: F401 - routed as views.<name> in urls.py
    adviser_answer,
    adviser_request,
    countersign_open,
    countersign_opine,
    version_compare,
    version_upload,
)
from fazhi.rules.views.page import invalid_form, open_document, refused, render_detail, signed_in

PAGE_SIZE = 30


@staff_permission_required("normative.view_list")
def document_list(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "")
    if state not in NormativeDocument.State.values:
        state = ""
    page = Paginator(selectors.worklist(request.user, state=state), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    today = timezone.localdate()
    maxima: dict[int, int] = {}
    rows = []
    for document in page:
        if document.agency_id not in maxima:
            maxima[document.agency_id] = agency_settings.get(
                document.agency_id, "rules.legality_review_max_workdays"
            )
        due_on = selectors.stage_due_on(document, maxima[document.agency_id])
        rows.append(
            {"document": document, "due_on": due_on, "overdue": bool(due_on and due_on < today)}
        )
    return render(
        request,
        "rules/list.html",
        {
            "page": page,
            "rows": rows,
            "state": state,
            "states": NormativeDocument.State.choices,
            "query": f"state={state}" if state else "",
            "can_create": _drafting_departments(request.user).exists(),
        },
    )


def _drafting_departments(user):
    return (
        Department.objects.filter(
            memberships__user=user,
            memberships__revoked_at__isnull=True,
            memberships__role__in=[Role.CLERK, Role.DEPARTMENT_HEAD],
        )
        .select_related("agency")
        .distinct()
    )


@staff_permission_required("normative.view_list")
@require_http_methods(["GET", "POST"])
def document_create(request: HttpRequest) -> HttpResponse:
    departments = list(_drafting_departments(request.user))
    if not departments:
        raise Http404
    form = forms.DocumentCreateForm(request.POST or None, departments=departments)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = dict(form.cleaned_data)
            department = data.pop("department")
            try:
                document = services.document_create(
                    actor=request.user,
                    agency=department.agency,
                    department=department,
                    **data,
                )
            except DomainError as exc:
                form.add_error(None, str(exc.message))
            else:
                messages.success(request, _("文件草案已保存。"))
                return redirect("rules:detail", document_id=document.pk)
        status = 400
    return render(
        request, "rules/create.html", {"form": form, "departments": departments}, status=status
    )


@signed_in
def document_detail(request: HttpRequest, document_id: int) -> HttpResponse:
    return render_detail(request, open_document(request, document_id))


STEPS = {
    "version": (
        forms.VersionForm,
        lambda r, d, c: services.document_save_version(actor=r.user, document=d, **c),
    ),
    "consultation": (
        forms.ConsultationForm,
        lambda r, d, c: services.consultation_open(actor=r.user, document=d, **c),
    ),
    "exemption": (
        forms.ExemptionForm,
        lambda r, d, c: services.exemption_approve(actor=r.user, document=d, **c),
    ),
    "close": (None, lambda r, d, c: workflow.perform(d, "close_consultation", actor=r.user)),
    "report": (
        forms.ReportForm,
        lambda r, d, c: services.consultation_report_publish(actor=r.user, document=d, **c),
    ),
    "submit": (None, lambda r, d, c: services.review_submit(actor=r.user, document=d)),
    "review": (
        forms.ReviewForm,
        lambda r, d, c: services.review_record(
            actor=r.user,
            document=d,
            checklist={
                key: c[key] for key in ("authority", "competence", "procedure", "content", "form")
            },
            opinion=c["opinion"],
            report=c["report"],
            adviser_opinion=c["adviser_opinion"],
        ),
    ),
    "decision": (
        forms.DecisionForm,
        lambda r, d, c: services.decision_record(actor=r.user, document=d, **c),
    ),
    "issue": (
        forms.IssueForm,
        lambda r, d, c: services.document_issue(actor=r.user, document=d, **c),
    ),
}


@staff_permission_required("normative.view_list")
@require_POST
def document_step(request: HttpRequest, document_id: int, step: str) -> HttpResponse:
    document = access(request.user, selectors.documents_for(request.user), document_id, write=True)
    if step not in STEPS:
        raise Http404
    form_class, call = STEPS[step]
    form = form_class(request.POST) if form_class else None
    if form is not None and not form.is_valid():
        return invalid_form(request, document, form)
    try:
        call(request, document, form.cleaned_data if form else {})
    except DomainError as exc:
        return refused(request, document, exc)
    messages.success(request, _("已办理。"))
    return redirect("rules:detail", document_id=document.pk)


@staff_permission_required("normative.view_list")
@require_POST
def comment_respond(request: HttpRequest, document_id: int, comment_id: int) -> HttpResponse:
    document = access(request.user, selectors.documents_for(request.user), document_id, write=True)
    comment = PublicComment.objects.filter(pk=comment_id, consultation__document=document).first()
    if comment is None:
        raise Http404
    form = forms.ResponseForm(request.POST)
    if not form.is_valid():
        return invalid_form(request, document, form)
    try:
        services.comment_respond(actor=request.user, comment=comment, **form.cleaned_data)
    except DomainError as exc:
        return refused(request, document, exc)
    messages.success(request, _("已答复。"))
    return redirect("rules:detail", document_id=document.pk)


@staff_permission_required("normative.view_list")
def document_docx(request: HttpRequest, document_id: int) -> HttpResponse:
    document = access(request.user, selectors.documents_for(request.user), document_id)
    if document.state != NormativeDocument.State.ISSUED:
        raise Http404
    response = HttpResponse(
        render_docx(document),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    response["Content-Disposition"] = f'attachment; filename="normative-{document.pk}.docx"'
    return response
