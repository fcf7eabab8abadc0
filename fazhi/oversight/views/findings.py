"""Staff pages of findings under /staff/oversight/findings/: the worklist, the new-finding form
(legal office), the finding page with the rectification step forms for whoever may act now,
the board (督办看板) and the circulars (通报).

Every POST calls one service. A refused step renders the finding page again with the message
and the refusal's status (403/409/422), and nothing is written (the services are atomic).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fazhi.core import workflow
from fazhi.core.decorators import staff_permission_required
from fazhi.core.errors import DomainError
from fazhi.core.forms import form_error_messages
from fazhi.core.models import Agency, Department
from fazhi.core.roles import Role
from fazhi.core.tenancy import agencies_with_role, readable_agency_ids, writable_agency_ids
from fazhi.oversight.forms import findings as forms
from fazhi.oversight.models import Circular, Escalation, Finding, Rectification, Severity, Source
from fazhi.oversight.permissions.base import department_ids
from fazhi.oversight.selectors import findings as selectors
from fazhi.oversight.services import findings as services

PAGE_SIZE = 30
VIEW = "oversight.view_findings"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
State = Rectification.State

VERB_LABELS = {
    "oversight.finding.open": gettext_lazy("登记问题并交办"),
    "oversight.finding.attach": gettext_lazy("补充证据材料"),
    "oversight.rectification.attach": gettext_lazy("上传整改佐证材料"),
    "oversight.rectification.set_due": gettext_lazy("调整整改期限"),
    "oversight.escalation.reminder": gettext_lazy("到期提醒"),
    "oversight.escalation.notice": gettext_lazy("发出督办单"),
    "oversight.escalation.interview": gettext_lazy("约谈"),
    "oversight.escalation.interview_note": gettext_lazy("记录约谈情况"),
    "oversight.escalation.circular": gettext_lazy("列入通报"),
    "oversight.accountability.record": gettext_lazy("责任追究"),
}


def office_agencies(user) -> list[Agency]:
    """Agencies where the user works as the legal office (and may write)."""
    writable = writable_agency_ids(user)
    ids = [a for a in agencies_with_role(user, Role.LEGAL_OFFICER) if a in writable]
    return list(Agency.objects.filter(pk__in=ids).order_by("pk"))


# --- The worklist ----------------------------------------------------------------------------


@staff_permission_required(VIEW)
@require_GET
def finding_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    state = request.GET.get("state", "")
    if state not in State.values:
        state = ""
    source = request.GET.get("source", "")
    if source not in Source.values:
        source = ""
    severity = request.GET.get("severity", "")
    if severity not in Severity.values:
        severity = ""
    overdue = request.GET.get("overdue") == "1"
    full = selectors.full_agency_ids(user)
    # The filter offers the units whose findings the user reads.
    readable = Department.objects.filter(agency_id__in=readable_agency_ids(user)).filter(
        Q(agency_id__in=full) | Q(pk__in=department_ids(user))
    )
    departments = list(
        readable.select_related("agency").order_by("agency__name", "sort_order", "name")
    )
    department = None
    raw = request.GET.get("department", "")
    if raw.isascii() and raw.isdigit():
        department = next((d for d in departments if d.pk == int(raw)), None)
    q = request.GET.get("q", "").strip()[:100]
    today = timezone.localdate()
    found = selectors.finding_worklist(
        user,
        state=state,
        source=source,
        department=department.pk if department else None,
        severity=severity,
        overdue=overdue,
        q=q,
        today=today,
    )
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for finding in page:
        rect = finding.rectification
        rows.append(
            {
                "finding": finding,
                "rect": rect,
                "overdue": rect.state in services.UNIT_STATES and rect.due_on < today,
            }
        )
    query = {
        key: value
        for key, value in (
            ("state", state),
            ("source", source),
            ("severity", severity),
            ("department", str(department.pk) if department else ""),
            ("overdue", "1" if overdue else ""),
            ("q", q),
        )
        if value
    }
    return render(
        request,
        "oversight/findings/list.html",
        {
            "page": page,
            "rows": rows,
            "state": state,
            "states": State.choices,
            "source": source,
            "sources": Source.choices,
            "severity": severity,
            "severities": Severity.choices,
            "department": department,
            "departments": departments,
            "overdue": overdue,
            "q": q,
            "query": urlencode(query),
            "can_create": bool(office_agencies(user)),
        },
    )


# --- Opening by hand -------------------------------------------------------------------------


@staff_permission_required(VIEW)
@require_http_methods(["GET", "POST"])
def finding_create(request: HttpRequest) -> HttpResponse:
    agencies = office_agencies(request.user)
    if not agencies:
        raise PermissionDenied
    agency = agencies[0]
    form = forms.FindingForm(
        request.POST or None,
        request.FILES or None,
        agency=agency,
        initial={"found_on": timezone.localdate()},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = dict(form.cleaned_data)
            upload = data.pop("evidence", None)
            try:
                finding = services.finding_record(
                    actor=request.user,
                    agency=agency,
                    evidence=[upload] if upload else [],
                    request=request,
                    **data,
                )
            except DomainError as exc:
                form.add_error(None, str(exc.message))
                status = exc.status
            else:
                messages.success(request, _("问题已登记并交办责任单位。"))
                return redirect("oversight:finding_detail", pk=finding.pk)
        else:
            status = 422
    return render(
        request, "oversight/findings/form.html", {"form": form, "agency": agency}, status=status
    )


# --- The finding page ------------------------------------------------------------------------


def _timeline(finding: Finding, rect: Rectification) -> list[dict]:
    from fazhi.core.models import Event

    labels = {
        f"{rect._meta.label_lower}.{action.name}": action.label
        for action in workflow.workflow_of(rect).actions
    }
    events = Event.objects.filter(
        target_type__in=["oversight.finding", "oversight.rectification"],
        target_id__in=[str(finding.pk), str(rect.pk)],
    ).order_by("seq")
    mine = {("oversight.finding", str(finding.pk)), ("oversight.rectification", str(rect.pk))}
    rows = []
    for event in events:
        if (event.target_type, event.target_id) not in mine:
            continue
        data = event.data or {}
        rows.append(
            {
                "event": event,
                "label": labels.get(event.verb) or VERB_LABELS.get(event.verb) or event.verb,
                "comment": str(data.get("comment", "") or data.get("measures", "") or "")[:500],
            }
        )
    return rows


def render_finding(request: HttpRequest, finding: Finding, *, bound=None, status=200):
    user = request.user
    rect = Rectification.objects.select_related("closed_by").get(finding=finding)
    writable = finding.agency_id in writable_agency_ids(user)
    may_rectify = writable and user.has_perm("oversight.rectify", rect)
    may_verify = writable and user.has_perm("oversight.verify_rectification", rect)
    today = timezone.localdate()
    escalations = selectors.rectification_escalations(rect)
    interview = next((e for e in escalations if e.step == Escalation.Step.INTERVIEW), None)
    page_forms = {
        "measures": forms.MeasuresForm(),
        "evidence": forms.EvidenceForm(),
        "submit": forms.SubmitForm(initial={"completion_note": rect.completion_note}),
        "verify": forms.VerifyForm(),
        "send_back": forms.SendBackForm(),
        "due": forms.DueForm(),
        "interview": forms.InterviewForm(),
        "accountability": forms.AccountabilityForm(initial={"decided_on": today}),
        "finding_evidence": forms.EvidenceForm(),
    }
    if bound is not None and bound[0] in page_forms:
        page_forms[bound[0]] = bound[1]
    context = {
        "finding": finding,
        "rect": rect,
        "evidence": selectors.finding_evidence(finding),
        "files": selectors.rectification_files(rect),
        "escalations": escalations,
        "accountability": selectors.finding_accountability(finding),
        "overdue": rect.state in services.UNIT_STATES and rect.due_on < today,
        "overdue_workdays": services.overdue_workdays(rect.due_on, today) if rect.is_open else 0,
        "can_measures": may_rectify and rect.state == State.AWAITING_MEASURES,
        "can_evidence": may_rectify and rect.state == State.RECTIFYING,
        "can_verify": may_verify and rect.state == State.SUBMITTED,
        "can_due": may_verify and rect.is_open,
        "can_interview": may_verify and interview is not None and not interview.note,
        "can_account": writable and user.has_perm("oversight.record_accountability", finding),
        "forms": page_forms,
        "timeline": _timeline(finding, rect),
        "sent_back_reason": _last_send_back(rect) if rect.rejection_count else "",
    }
    return render(request, "oversight/findings/detail.html", context, status=status)


def _last_send_back(rect) -> str:
    from fazhi.core.models import Event

    event = (
        Event.objects.filter(
            target_type="oversight.rectification",
            target_id=str(rect.pk),
            verb="oversight.rectification.send_back",
        )
        .order_by("-seq")
        .first()
    )
    return str((event.data or {}).get("comment", "")) if event else ""


@staff_permission_required(VIEW)
@require_GET
def finding_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_finding(request, selectors.access_finding(request.user, pk))


def _measures(request, finding, rect, data):
    services.rectification_propose_measures(actor=request.user, rectification=rect, **data)
    return _("整改措施已提交，请按期完成整改并上传佐证材料。")


def _evidence(request, finding, rect, data):
    services.rectification_attach_evidence(
        actor=request.user, rectification=rect, upload=data["file"], request=request
    )
    return _("整改佐证材料已上传。")


def _submit(request, finding, rect, data):
    services.rectification_submit_evidence(
        actor=request.user, rectification=rect, request=request, **data
    )
    return _("已提交法制办核验。")


def _verify(request, finding, rect, data):
    services.rectification_verify(actor=request.user, rectification=rect, **data)
    return _("已核验销号。")


def _send_back(request, finding, rect, data):
    services.rectification_send_back(actor=request.user, rectification=rect, **data)
    return _("已驳回，理由已告知责任单位。")


def _due(request, finding, rect, data):
    services.rectification_set_due(actor=request.user, rectification=rect, **data)
    return _("整改期限已调整。")


def _interview(request, finding, rect, data):
    services.interview_record(actor=request.user, rectification=rect, **data)
    return _("约谈情况已记录。")


def _account(request, finding, rect, data):
    services.accountability_record(actor=request.user, finding=finding, **data)
    return _("责任追究已记录。")


def _finding_evidence(request, finding, rect, data):
    services.finding_attach_evidence(
        actor=request.user, finding=finding, upload=data["file"], request=request
    )
    return _("证据材料已上传。")


STEPS = {
    "measures": (forms.MeasuresForm, _measures),
    "evidence": (forms.EvidenceForm, _evidence),
    "submit": (forms.SubmitForm, _submit),
    "verify": (forms.VerifyForm, _verify),
    "send_back": (forms.SendBackForm, _send_back),
    "due": (forms.DueForm, _due),
    "interview": (forms.InterviewForm, _interview),
    "accountability": (forms.AccountabilityForm, _account),
    "finding_evidence": (forms.EvidenceForm, _finding_evidence),
}


@staff_permission_required(VIEW)
@require_POST
def finding_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    if step not in STEPS:
        raise Http404
    finding = selectors.access_finding(request.user, pk)
    rect = Rectification.objects.get(finding=finding)
    form_class, call = STEPS[step]
    form = form_class(request.POST, request.FILES)
    if not form.is_valid():
        form_error_messages(request, form)
        return render_finding(request, finding, bound=(step, form), status=422)
    try:
        done = call(request, finding, rect, dict(form.cleaned_data))
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return render_finding(request, finding, bound=(step, form), status=exc.status)
    messages.success(request, done)
    return redirect("oversight:finding_detail", pk=finding.pk)


@staff_permission_required(VIEW)
@require_GET
def notice_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The 督办单 of the finding's rectification: the stored copy, or rendered from the record
    when the ladder had no legal-office account to file it under."""
    finding = selectors.access_finding(request.user, pk)
    rect = Rectification.objects.select_related("agency", "finding", "department").get(
        finding=finding
    )
    notice = rect.escalations.filter(step=Escalation.Step.NOTICE).first()
    if notice is None:
        raise Http404
    if notice.document_id:
        return redirect("files:download", pk=notice.document_id)
    content = services.notice_bytes(rect, notice.taken_on)
    response = HttpResponse(content, content_type=DOCX)
    response["Content-Disposition"] = "attachment; filename=notice.docx"
    return response


# --- The board (督办看板) ---------------------------------------------------------------------


@staff_permission_required(VIEW)
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    user = request.user
    full = selectors.full_agency_ids(user)
    own_departments = department_ids(user)
    own_agencies = set(
        Department.objects.filter(pk__in=own_departments).values_list("agency_id", flat=True)
    )
    agencies = list(Agency.objects.filter(pk__in=full | own_agencies).order_by("name"))
    if not agencies:
        raise PermissionDenied
    agency = agencies[0]
    raw = request.GET.get("agency", "")
    if raw.isascii() and raw.isdigit():
        agency = next((a for a in agencies if a.pk == int(raw)), None)
        if agency is None:
            raise Http404
    limited = None if agency.pk in full else sorted(own_departments)
    data = selectors.board(agency, department_ids_only=limited)
    return render(
        request,
        "oversight/findings/board.html",
        {
            "agency": agency,
            "agencies": agencies,
            "limited": limited is not None,
            "pending_circular": (
                selectors.pending_circular_steps(agency.pk) if limited is None else 0
            ),
            **data,
        },
    )


# --- Circulars (通报) -------------------------------------------------------------------------


@staff_permission_required(VIEW)
@require_GET
def circular_list(request: HttpRequest) -> HttpResponse:
    circulars = selectors.circulars_for(request.user)
    page = Paginator(circulars, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "oversight/findings/circular_list.html",
        {"page": page, "can_create": bool(office_agencies(request.user)), "query": ""},
    )


@staff_permission_required(VIEW)
@require_http_methods(["GET", "POST"])
def circular_create(request: HttpRequest) -> HttpResponse:
    agencies = office_agencies(request.user)
    if not agencies:
        raise PermissionDenied
    agency = agencies[0]
    today = timezone.localdate()
    form = forms.CircularForm(
        request.POST or None,
        initial={
            "title": _("关于%(year)d年%(month)d月问题整改情况的通报")
            % {"year": today.year, "month": today.month},
            "period_start": today.replace(day=1),
            "period_end": today,
        },
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                circular = services.circular_create(
                    actor=request.user, agency=agency, **form.cleaned_data
                )
            except DomainError as exc:
                form.add_error(None, str(exc.message))
                status = exc.status
            else:
                messages.success(request, _("通报草稿已建立，核对所列问题后即可印发。"))
                return redirect("oversight:circular_detail", pk=circular.pk)
        else:
            status = 422
    return render(request, "oversight/findings/circular_form.html", {"form": form}, status=status)


def _render_circular(request, circular, *, form=None, status=200):
    user = request.user
    can_issue = (
        circular.state == Circular.State.DRAFT
        and circular.agency_id in writable_agency_ids(user)
        and circular.agency_id in agencies_with_role(user, Role.LEGAL_OFFICER)
    )
    return render(
        request,
        "oversight/findings/circular_detail.html",
        {
            "circular": circular,
            "items": services.circular_items(circular),
            "can_issue": can_issue,
            "form": form or forms.IssueForm(),
        },
        status=status,
    )


@staff_permission_required(VIEW)
@require_GET
def circular_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_circular(request, selectors.access_circular(request.user, pk))


@staff_permission_required(VIEW)
@require_POST
def circular_issue(request: HttpRequest, pk: int) -> HttpResponse:
    circular = selectors.access_circular(request.user, pk)
    form = forms.IssueForm(request.POST)
    if not form.is_valid():
        form_error_messages(request, form)
        return _render_circular(request, circular, form=form, status=422)
    try:
        issued = services.circular_issue(
            actor=request.user, circular=circular, issued_on=form.cleaned_data["issued_on"]
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return _render_circular(request, circular, form=form, status=exc.status)
    messages.success(request, _("通报已印发：%(number)s") % {"number": issued.number.text})
    return redirect("oversight:circular_detail", pk=issued.pk)


@staff_permission_required(VIEW)
@require_GET
def circular_download(request: HttpRequest, pk: int) -> HttpResponse:
    circular = selectors.access_circular(request.user, pk)
    if not circular.document_id:
        raise Http404
    return redirect(reverse("files:download", args=[circular.document_id]))
