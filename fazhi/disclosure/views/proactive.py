"""Staff pages of proactive disclosure (主动公开) under /staff/disclosure/catalogue/: the
worklist, the entry form, and the record page with every step of its review and release.

Every POST calls one service. A refused step renders the record page again with the message
and the refusal's status (403/409/422), and nothing is written (the services are atomic).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from fazhi.core import workflow
from fazhi.core.decorators import staff_permission_required
from fazhi.core.errors import Conflict, DomainError
from fazhi.core.forms import form_error_messages
from fazhi.core.models import Agency, Department, Membership
from fazhi.core.roles import Role
from fazhi.core.tenancy import access, agencies_with_role, readable_agency_ids, writable_agency_ids
from fazhi.disclosure import selectors, services
from fazhi.disclosure.forms import proactive as forms
from fazhi.disclosure.models import PublicRecord, ScanFinding
from fazhi.disclosure.models.proactive import Category
from fazhi.disclosure.services.proactive import FINDING_KINDS

PAGE_SIZE = 30
VIEW = "disclosure.view_catalogue"
DRAFT = "disclosure.draft_record"
REVIEW = "disclosure.review_record"
RELEASE = "disclosure.release_record"
READ = "disclosure.view_record"
# Before publication the Art. 26 limit runs; afterwards the due date is history, not a warning.
PENDING_STATES = {PublicRecord.State.DRAFT, PublicRecord.State.REVIEW, PublicRecord.State.APPROVAL}

# What the timeline says for events that are not transitions of the record's workflow.
VERB_LABELS = {
    "disclosure.record.create": gettext_lazy("登记"),
    "disclosure.record.update": gettext_lazy("修改"),
    "disclosure.record.attach": gettext_lazy("上传附件"),
    "disclosure.record.detach": gettext_lazy("删除附件"),
    "disclosure.record.finding_clear": gettext_lazy("确认可公开"),
    "disclosure.record.finding_redact": gettext_lazy("遮蔽个人信息"),
    "disclosure.record.sync": gettext_lazy("规范性文件自动编入目录"),
    "number.issue": gettext_lazy("生成索引号"),
}


# --- Who may draft where ---------------------------------------------------------------------


def drafting_units(user) -> list[tuple[str, str, Agency, Department | None]]:
    """Where the user may enter records: (value, label, agency, department).

    The legal office enters records of the whole agency (with or without a department); clerks
    and department heads enter their own department's. Two queries, whatever the user holds.
    """
    writable = writable_agency_ids(user)
    office = [a for a in agencies_with_role(user, Role.LEGAL_OFFICER) if a in writable]
    units: list[tuple[str, str, Agency, Department | None]] = []
    seen: set[tuple[int, int | None]] = set()
    departments = Department.objects.filter(agency_id__in=office).select_related("agency")
    by_agency: dict[int, list[Department]] = {}
    for department in departments.order_by("agency__name", "sort_order", "name"):
        by_agency.setdefault(department.agency_id, []).append(department)
    agencies = {a.pk: a for a in Agency.objects.filter(pk__in=office).order_by("name")}
    for agency in agencies.values():
        units.append(
            (f"{agency.pk}:", _("%(agency)s（本机关）") % {"agency": agency.name}, agency, None)
        )
        seen.add((agency.pk, None))
        for department in by_agency.get(agency.pk, []):
            units.append((f"{agency.pk}:{department.pk}", department.name, agency, department))
            seen.add((agency.pk, department.pk))
    own = (
        Membership.objects.active()
        .filter(
            user=user,
            role__in=[Role.CLERK, Role.DEPARTMENT_HEAD],
            department__isnull=False,
            agency_id__in=writable,
        )
        .select_related("department__agency")
        .order_by("department__sort_order", "department__name")
    )
    for membership in own:
        department = membership.department
        key = (department.agency_id, department.pk)
        if key not in seen:
            seen.add(key)
            units.append((f"{key[0]}:{key[1]}", department.name, department.agency, department))
    if len({unit[2].pk for unit in units}) > 1:
        # Several agencies: say which one each department belongs to.
        units = [
            (value, label if department is None else f"{agency.name} · {label}", agency, department)
            for value, label, agency, department in units
        ]
    return units


# --- Timeliness (OGI Art. 26) ------------------------------------------------------------------


@staff_permission_required(VIEW)
@require_http_methods(["GET"])
def record_timeliness(request: HttpRequest) -> HttpResponse:
    """How much of a year's proactive disclosure met the 20-working-day limit, per category of
    Art. 20, and what is still unpublished past its limit today (for the agency's own check
    and the annual report's overview)."""
    agencies = list(
        Agency.objects.filter(pk__in=readable_agency_ids(request.user)).order_by("name")
    )
    if not agencies:
        raise PermissionDenied
    raw_agency = request.GET.get("agency", "")
    agency = agencies[0]
    if raw_agency.isascii() and raw_agency.isdigit():
        agency = next((a for a in agencies if a.pk == int(raw_agency)), None)
        if agency is None:
            raise Http404
    today = timezone.localdate()
    years = list(range(today.year, 2018, -1))
    raw_year = request.GET.get("year", "")
    year = int(raw_year) if raw_year.isascii() and raw_year.isdigit() else today.year
    if year not in years:
        year = today.year
    figures = selectors.timeliness(agency, year)
    overdue = PublicRecord.objects.filter(
        agency=agency, state__in=PENDING_STATES, due_on__lt=today
    ).count()
    return render(
        request,
        "disclosure/staff/record_timeliness.html",
        {
            "agency": agency,
            "agencies": agencies,
            "year": year,
            "years": years,
            "figures": figures,
            "rate": round(figures["on_time"] * 100 / figures["published"], 1)
            if figures["published"]
            else None,
            "overdue": overdue,
        },
    )


# --- The worklist ----------------------------------------------------------------------------


@staff_permission_required(VIEW)
def record_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    state = request.GET.get("state", "")
    if state not in PublicRecord.State.values:
        state = ""
    category = request.GET.get("category", "")
    if category not in Category.values:
        category = ""
    departments = list(
        Department.objects.filter(agency_id__in=readable_agency_ids(user))
        .select_related("agency")
        .order_by("agency__name", "sort_order", "name")
    )
    department = None
    raw_department = request.GET.get("department", "")
    if raw_department.isascii() and raw_department.isdigit():
        department = next((d for d in departments if d.pk == int(raw_department)), None)
    q = request.GET.get("q", "").strip()[:100]
    records = selectors.record_worklist(
        user, state=state, category=category, department=department, q=q
    )
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = [
        {
            "record": record,
            "overdue": bool(
                record.due_on and record.due_on < today and record.state in PENDING_STATES
            ),
        }
        for record in page
    ]
    query = {
        key: value
        for key, value in (
            ("state", state),
            ("category", category),
            ("department", str(department.pk) if department else ""),
            ("q", q),
        )
        if value
    }
    return render(
        request,
        "disclosure/staff/record_list.html",
        {
            "page": page,
            "rows": rows,
            "state": state,
            "states": PublicRecord.State.choices,
            "category": category,
            "categories": Category.choices,
            "department": department,
            "departments": departments,
            "several_agencies": len({d.agency_id for d in departments}) > 1,
            "q": q,
            "query": urlencode(query),
            "can_create": bool(drafting_units(user)),
        },
    )


# --- Entering and editing --------------------------------------------------------------------


@staff_permission_required(VIEW)
@require_http_methods(["GET", "POST"])
def record_create(request: HttpRequest) -> HttpResponse:
    units = drafting_units(request.user)
    if not units:
        raise PermissionDenied
    form = forms.RecordForm(request.POST or None, units=units)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                record = services.record_create(actor=request.user, **form.service_fields())
            except DomainError as exc:
                form.add_error(None, str(exc.message))
                status = exc.status
            else:
                messages.success(request, _("已登记。上传附件后即可提交保密审查。"))
                return redirect("disclosure:record", record_id=record.pk)
        else:
            status = 422
    return render(
        request,
        "disclosure/staff/record_form.html",
        {"form": form, "record": None},
        status=status,
    )


@staff_permission_required(VIEW)
@require_http_methods(["GET", "POST"])
def record_edit(request: HttpRequest, record_id: int) -> HttpResponse:
    record = open_record(request, record_id, write=True)
    if not request.user.has_perm(DRAFT, record):
        raise PermissionDenied
    if record.state != PublicRecord.State.DRAFT:
        return refused(request, record, Conflict(_("只有草稿可以修改；退回修改后才能再改。")))
    form = forms.RecordForm(request.POST or None, initial=forms.RecordForm.initial_from(record))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.record_update(actor=request.user, record=record, **form.service_fields())
            except DomainError as exc:
                form.add_error(None, str(exc.message))
                status = exc.status
            else:
                messages.success(request, _("已保存。"))
                return redirect("disclosure:record", record_id=record.pk)
        else:
            status = 422
    return render(
        request,
        "disclosure/staff/record_form.html",
        {"form": form, "record": record},
        status=status,
    )


# --- The record page -------------------------------------------------------------------------


def open_record(request: HttpRequest, record_id: int, *, write: bool = False) -> PublicRecord:
    """The record if the user may open its page: 404 outside their agencies, 403 for a role
    that works with the catalogue but not with this record (another department's draft)."""
    record = access(request.user, selectors.records_for(request.user), record_id, write=write)
    if not request.user.has_perm(READ, record):
        raise PermissionDenied
    return record


def _fresh(record: PublicRecord) -> PublicRecord:
    # A refused service may have changed a locked copy; show what the database holds.
    return (
        PublicRecord.objects.select_related("agency", "department", "superseded_by")
        .filter(pk=record.pk)
        .first()
        or record
    )


def refused(request: HttpRequest, record, exc: DomainError, *, bound=None) -> HttpResponse:
    """The page again with the refusal's message and status; nothing was written."""
    messages.error(request, str(exc.message))
    return render_record(request, _fresh(record), bound=bound, status=exc.status)


def invalid_form(request: HttpRequest, record, name: str, form) -> HttpResponse:
    form_error_messages(request, form)
    return render_record(request, _fresh(record), bound=(name, form), status=422)


def review_items(record: PublicRecord) -> list[dict]:
    """The agency's checklist of the confidentiality review, as the service reads it."""
    return list(services.review_checklist(record.agency))


def _timeline(record: PublicRecord) -> list[dict]:
    labels = {
        f"{record._meta.label_lower}.{action.name}": action.label
        for action in workflow.workflow_of(record).actions
    }
    return [
        {
            "event": event,
            "label": labels.get(event.verb) or VERB_LABELS.get(event.verb) or event.verb,
            "comment": str(
                (event.data or {}).get("comment", "") or (event.data or {}).get("reason", "") or ""
            )[:500],
        }
        for event in workflow.timeline(record)
    ]


def render_record(request: HttpRequest, record: PublicRecord, *, bound=None, status=200):
    user = request.user
    state = record.state
    states = PublicRecord.State
    writable = record.agency_id in writable_agency_ids(user)
    may_draft = writable and user.has_perm(DRAFT, record)
    may_review = writable and user.has_perm(REVIEW, record)
    may_release = writable and user.has_perm(RELEASE, record)
    attachments = list(record.attachments.order_by("pk"))
    findings = list(selectors.record_findings(record))
    items = review_items(record)
    labels = {item["key"]: item["label"] for item in items}
    reviews = [
        {
            "review": review,
            "answers": [
                (labels.get(key, key), answer) for key, answer in (review.checklist or {}).items()
            ],
        }
        for review in selectors.record_reviews(record)
    ]
    page_forms = {
        "attach": forms.AttachmentForm(),
        "review": forms.ReviewForm(items=items),
        "publish": forms.ReleaseForm(),
        "withdraw": forms.WithdrawForm(),
        "supersede": forms.SupersedeForm(record=record) if may_release else None,
        "clear": forms.ClearForm(),
    }
    if bound is not None and bound[0] in page_forms:
        page_forms[bound[0]] = bound[1]
    open_findings = [f for f in findings if f.resolution == ScanFinding.Resolution.OPEN]
    today = timezone.localdate()
    context = {
        "record": record,
        "attachments": attachments,
        "findings": [
            {
                "finding": finding,
                "kind": FINDING_KINDS.get(finding.kind, finding.kind),
                "where": finding.attachment.original_name if finding.attachment else _("正文"),
            }
            for finding in findings
        ],
        "open_findings": len(open_findings),
        "reviews": reviews,
        "overdue": bool(record.due_on and record.due_on < today and state in PENDING_STATES),
        "can_edit": may_draft and state == states.DRAFT,
        "can_submit": may_draft and state == states.DRAFT,
        "can_resolve": may_review and state == states.REVIEW,
        "can_review": may_review and state == states.REVIEW,
        "can_publish": may_release and state == states.APPROVAL,
        "can_withdraw": may_release and state == states.PUBLISHED,
        "can_supersede": may_release and state == states.PUBLISHED,
        "forms": page_forms,
        "clear_bound": bound[1] if bound is not None and bound[0] == "clear" else None,
        "clear_finding": bound[2] if bound is not None and len(bound) > 2 else None,
        "supersedes": list(record.supersedes.order_by("pk")),
        "timeline": _timeline(record),
    }
    return render(request, "disclosure/staff/record_detail.html", context, status=status)


@staff_permission_required(VIEW)
def record_detail(request: HttpRequest, record_id: int) -> HttpResponse:
    return render_record(request, open_record(request, record_id))


# --- One POST per step -----------------------------------------------------------------------


def _submit(request, record, data):
    services.record_submit(actor=request.user, record=record)
    return _("已提交保密审查。")


def _review(request, record, data):
    services.record_review(actor=request.user, record=record, **data)
    return _("审查意见已记录。")


def _publish(request, record, data):
    services.record_publish(actor=request.user, record=record, **data)
    return _("已公开。")


def _withdraw(request, record, data):
    services.record_withdraw(actor=request.user, record=record, **data)
    return _("已撤回，撤回理由将在公开目录中显示。")


def _supersede(request, record, data):
    services.record_supersede(actor=request.user, record=record, **data)
    return _("已标记为被替代。")


STEPS = {
    "submit": (None, _submit),
    "review": (forms.ReviewForm, _review),
    "publish": (forms.ReleaseForm, _publish),
    "withdraw": (forms.WithdrawForm, _withdraw),
    "supersede": (forms.SupersedeForm, _supersede),
}


@staff_permission_required(VIEW)
@require_POST
def record_step(request: HttpRequest, record_id: int, step: str) -> HttpResponse:
    if step not in STEPS:
        raise Http404
    record = open_record(request, record_id, write=True)
    form_class, call = STEPS[step]
    form = None
    if form_class is forms.ReviewForm:
        form = form_class(request.POST, items=review_items(record))
    elif form_class is forms.SupersedeForm:
        form = form_class(request.POST, record=record)
    elif form_class is not None:
        form = form_class(request.POST)
    if form is not None and not form.is_valid():
        return invalid_form(request, record, step, form)
    if form is None:
        data = {}
    elif hasattr(form, "service_fields"):
        data = form.service_fields()
    else:
        data = dict(form.cleaned_data)
    try:
        done = call(request, record, data)
    except DomainError as exc:
        return refused(request, record, exc, bound=(step, form) if form is not None else None)
    messages.success(request, done)
    return redirect("disclosure:record", record_id=record.pk)


@staff_permission_required(VIEW)
@require_POST
def finding_act(request: HttpRequest, record_id: int, finding_id: int, action: str) -> HttpResponse:
    record = open_record(request, record_id, write=True)
    finding = ScanFinding.objects.filter(pk=finding_id, record=record).first()
    if finding is None or action not in ("clear", "redact"):
        raise Http404
    try:
        if action == "clear":
            form = forms.ClearForm(request.POST)
            if not form.is_valid():
                messages.error(request, " ".join(str(e) for e in form.errors.get("reason", [])))
                return render_record(
                    request, _fresh(record), bound=("clear", form, finding.pk), status=422
                )
            services.finding_clear(
                actor=request.user, finding=finding, reason=form.cleaned_data["reason"]
            )
            messages.success(request, _("已确认该处可以公开。"))
        else:
            services.finding_redact(actor=request.user, finding=finding)
            messages.success(request, _("已遮蔽。"))
    except DomainError as exc:
        return refused(request, record, exc)
    return redirect(f"{record_url(record)}#findings")


def record_url(record: PublicRecord) -> str:
    return reverse("disclosure:record", kwargs={"record_id": record.pk})


@staff_permission_required(VIEW)
@require_POST
def attachment_add(request: HttpRequest, record_id: int) -> HttpResponse:
    record = open_record(request, record_id, write=True)
    form = forms.AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        return invalid_form(request, record, "attach", form)
    try:
        services.record_attach(actor=request.user, record=record, upload=form.cleaned_data["file"])
    except DomainError as exc:
        return refused(request, record, exc, bound=("attach", form))
    messages.success(request, _("附件已上传。"))
    return redirect(f"{record_url(record)}#attachments")


@staff_permission_required(VIEW)
@require_POST
def attachment_remove(request: HttpRequest, record_id: int, file_id: int) -> HttpResponse:
    record = open_record(request, record_id, write=True)
    try:
        services.record_detach(actor=request.user, record=record, file_id=file_id)
    except DomainError as exc:
        return refused(request, record, exc)
    messages.success(request, _("附件已删除。"))
    return redirect(f"{record_url(record)}#attachments")
