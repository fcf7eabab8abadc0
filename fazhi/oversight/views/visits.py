"""Staff pages of supervisors and visits under /staff/oversight/visits/.

The visit list (everyone who works with visits, each seeing what the selectors allow), the
mobile visit form for supervisors, a visit's page with its finding, the roster, the checklist,
the monthly plans and the average scores per department. Every POST calls one service; a
refusal shows the page again with the message and the refusal's status.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from fazhi.accounts.models import User
from fazhi.core.decorators import staff_permission_required
from fazhi.core.errors import DomainError
from fazhi.core.forms import form_error_messages
from fazhi.core.identity.forms import RevealForm
from fazhi.core.identity.protected import Protected
from fazhi.core.identity.services import identity_reveal
from fazhi.core.models import Agency, Department, Membership, Subdistrict
from fazhi.core.roles import Role
from fazhi.core.tenancy import agencies_with_role, writable_agency_ids
from fazhi.oversight.forms import visits as forms
from fazhi.oversight.models import Mode, Supervisor, VisitChecklistItem
from fazhi.oversight.selectors import visits as selectors
from fazhi.oversight.services import visits as services

PAGE_SIZE = 30
VIEW = "oversight.view_visits"


# --- Helpers -------------------------------------------------------------------------------------


def _int(value) -> int | None:
    text = str(value or "")
    return int(text) if text.isascii() and text.isdigit() and len(text) < 12 else None


def _month(value) -> date | None:
    text = str(value or "")
    try:
        year, month = text.split("-")
        return date(int(year), int(month), 1)
    except (ValueError, TypeError):
        return None


def office_agency(user) -> Agency | None:
    """The agency whose roster, checklist and plans the user keeps (legal office)."""
    ids = [
        a for a in agencies_with_role(user, Role.LEGAL_OFFICER) if a in writable_agency_ids(user)
    ]
    return Agency.objects.filter(pk__in=ids).order_by("pk").first()


def reading_agency(request) -> tuple[Agency, list[Agency]]:
    """The agency a roster/plan/score page shows (?agency=, else the first), and the choices."""
    agencies = list(
        Agency.objects.filter(pk__in=selectors.all_reading_agency_ids(request.user)).order_by("pk")
    )
    if not agencies:
        raise PermissionDenied
    wanted = _int(request.GET.get("agency"))
    if wanted is None:
        office = office_agency(request.user)
        return (office or agencies[0]), agencies
    chosen = next((a for a in agencies if a.pk == wanted), None)
    if chosen is None:
        raise Http404
    return chosen, agencies


def _departments(agency_ids):
    return Department.objects.filter(agency_id__in=agency_ids).order_by("sort_order", "name")


def _subdistricts(agency_ids):
    return Subdistrict.objects.filter(agency_id__in=agency_ids).order_by("sort_order", "name")


# --- Visit list ----------------------------------------------------------------------------------


@staff_permission_required(VIEW)
def visit_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    month = _month(request.GET.get("month"))
    mode = request.GET.get("mode", "")
    if mode not in Mode.values:
        mode = ""
    supervisor = _int(request.GET.get("supervisor"))
    department = _int(request.GET.get("department"))
    reads_all = bool(selectors.all_reading_agency_ids(user))
    visits = selectors.visit_list(
        user, month=month, supervisor=supervisor, department=department, mode=mode
    )
    page = Paginator(visits, PAGE_SIZE).get_page(request.GET.get("page"))
    own = services.roster_entry(user)
    query = {
        k: v
        for k, v in (
            ("month", request.GET.get("month", "") if month else ""),
            ("mode", mode),
            ("supervisor", str(supervisor or "")),
            ("department", str(department or "")),
        )
        if v
    }
    return render(
        request,
        "oversight/visits/visit_list.html",
        {
            "page": page,
            "month": month,
            "mode": mode,
            "modes": Mode.choices,
            "supervisor": supervisor,
            "department": department,
            "supervisors": list(selectors.supervisors_for(user).order_by("name"))
            if reads_all
            else [],
            "departments": list(_departments(selectors.all_reading_agency_ids(user)))
            if reads_all
            else [],
            "reads_all": reads_all,
            "own": own,
            "can_file": own is not None and own.active and user.has_perm("oversight.file_visit"),
            "is_office": office_agency(user) is not None,
            "query": urlencode(query),
        },
    )


# --- Filing (the supervisor's phone) -------------------------------------------------------------


def _visit_form(request, own: Supervisor, data=None, files=None):
    today = timezone.localdate()
    plans = selectors.open_plans_of(own, today)
    form = forms.VisitForm(
        data,
        files,
        plans=plans,
        departments=_departments([own.agency_id]),
        subdistricts=_subdistricts([own.agency_id]),
        items=selectors.checklist(own.agency_id),
    )
    if data is None:
        plan_id = _int(request.GET.get("plan"))
        if plan_id and plans.filter(pk=plan_id).exists():
            form.initial["plan"] = plan_id
    return form


@staff_permission_required(VIEW)
@require_http_methods(["GET", "POST"])
def visit_file(request: HttpRequest) -> HttpResponse:
    user = request.user
    own = services.roster_entry(user)
    if own is None or not user.has_perm("oversight.file_visit"):
        raise PermissionDenied
    status = 200
    if request.method == "POST":
        form = _visit_form(request, own, request.POST, request.FILES)
        if form.is_valid():
            try:
                visit = services.visit_file(
                    actor=user, supervisor=own, request=request, **form.service_fields()
                )
            except DomainError as exc:
                form.add_error(None, str(exc.message))
                status = exc.status
            else:
                if visit.finding_id:
                    messages.success(request, _("走访已提交，发现的问题已交被走访单位限期整改。"))
                else:
                    messages.success(request, _("走访已提交。"))
                return redirect("oversight:visit", visit_id=visit.pk)
        else:
            status = 422
    else:
        form = _visit_form(request, own)
    return render(
        request,
        "oversight/visits/visit_form.html",
        {"form": form, "own": own, "in_post": own.active},
        status=status,
    )


# --- A visit -------------------------------------------------------------------------------------


def render_visit(request, visit, *, finding_form=None, status=200):
    user = request.user
    scores = sorted(visit.scores.all(), key=lambda s: s.item.order)
    finding = visit.finding
    rectification = getattr(finding, "rectification", None) if finding else None
    may_turn = (
        finding is None
        and bool(visit.remarks.strip())
        and user.has_perm("oversight.visit_to_finding", visit)
        and visit.agency_id in writable_agency_ids(user)
    )
    if may_turn and finding_form is None:
        finding_form = forms.VisitFindingForm(
            initial={
                "title": services.finding_title(visit.remarks),
                "description": visit.remarks,
            }
        )
    return render(
        request,
        "oversight/visits/visit_detail.html",
        {
            "visit": visit,
            "scores": scores,
            "photos": list(visit.photos.all()),
            "finding": finding,
            "rectification": rectification,
            "may_open_finding": bool(finding) and user.has_perm("oversight.view_finding", finding),
            "may_turn": may_turn,
            "finding_form": finding_form,
            "percent": round(visit.total_points * 100 / visit.max_points, 1)
            if visit.max_points
            else None,
        },
        status=status,
    )


@staff_permission_required(VIEW)
def visit_detail(request: HttpRequest, visit_id: int) -> HttpResponse:
    visit = selectors.access_visit(request.user, visit_id)
    return render_visit(request, visit)


@staff_permission_required(VIEW)
@require_POST
def visit_to_finding(request: HttpRequest, visit_id: int) -> HttpResponse:
    visit = selectors.access_visit(request.user, visit_id)
    if not request.user.has_perm("oversight.visit_to_finding", visit):
        raise PermissionDenied
    form = forms.VisitFindingForm(request.POST)
    if not form.is_valid():
        form_error_messages(request, form)
        return render_visit(request, visit, finding_form=form, status=422)
    try:
        services.visit_open_finding(
            actor=request.user, visit=visit, request=request, **form.cleaned_data
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return render_visit(
            request, selectors.access_visit(request.user, visit_id), status=exc.status
        )
    messages.success(request, _("已转为问题，交被走访单位限期整改。"))
    return redirect("oversight:visit", visit_id=visit.pk)


# --- The roster ----------------------------------------------------------------------------------


def _accounts(agency: Agency, keep: Supervisor | None = None):
    """Accounts holding the supervisor role in the agency, not yet on the roster."""
    taken = Supervisor.objects.filter(agency=agency, user__isnull=False)
    if keep is not None:
        taken = taken.exclude(pk=keep.pk)
    ids = (
        Membership.objects.active()
        .filter(agency=agency, role=Role.SUPERVISOR)
        .values_list("user_id", flat=True)
    )
    return (
        User.objects.filter(pk__in=ids, is_active=True)
        .exclude(pk__in=taken.values_list("user_id", flat=True))
        .order_by("username")
    )


def render_roster(request, *, form=None, revealed=None, reveal_form=None, status=200):
    agency, agencies = reading_agency(request)
    office = office_agency(request.user)
    may_edit = office is not None and office.pk == agency.pk
    if may_edit and form is None:
        form = forms.SupervisorForm(accounts=_accounts(agency))
    return render(
        request,
        "oversight/visits/roster.html",
        {
            "agency": agency,
            "agencies": agencies,
            "rows": list(selectors.roster(request.user, agency_id=agency.pk)),
            "may_edit": may_edit,
            "form": form if may_edit else None,
            "revealed": revealed or {},
            "reveal_form": reveal_form or RevealForm(),
            "today": timezone.localdate(),
        },
        status=status,
    )


@staff_permission_required("oversight.view_supervisors")
@require_http_methods(["GET", "POST"])
def roster(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return render_roster(request)
    agency = office_agency(request.user)
    if agency is None:
        raise PermissionDenied
    form = forms.SupervisorForm(request.POST, accounts=_accounts(agency))
    if not form.is_valid():
        form_error_messages(request, form)
        return render_roster(request, form=form, status=422)
    try:
        supervisor = services.supervisor_add(actor=request.user, agency=agency, **form.cleaned_data)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return render_roster(request, form=form, status=exc.status)
    messages.success(request, _("已将%(name)s加入监督员名册。") % {"name": supervisor.name})
    return redirect("oversight:roster")


@staff_permission_required("oversight.view_supervisors")
@require_http_methods(["GET", "POST"])
def supervisor_edit(request: HttpRequest, supervisor_id: int) -> HttpResponse:
    supervisor = selectors.access_supervisor(request.user, supervisor_id)
    office = office_agency(request.user)
    if office is None or office.pk != supervisor.agency_id:
        raise PermissionDenied
    accounts = _accounts(supervisor.agency, keep=supervisor)
    initial = {
        name: getattr(supervisor, name)
        for name in ("name", "kind", "workplace", "term_start", "term_end", "user")
    }
    initial["phone"] = supervisor.phone or None
    form = forms.SupervisorForm(request.POST or None, initial=initial, accounts=accounts)
    end_form = forms.EndTermForm(initial={"ended_on": timezone.localdate()})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = dict(form.cleaned_data)
            phone = data.pop("phone")
            try:
                services.supervisor_update(
                    actor=request.user,
                    supervisor=supervisor,
                    phone=None if isinstance(phone, Protected) or not phone else phone,
                    **data,
                )
            except DomainError as exc:
                form.add_error(None, str(exc.message))
                status = exc.status
            else:
                messages.success(request, _("已保存。"))
                return redirect("oversight:roster")
        else:
            status = 422
    return render(
        request,
        "oversight/visits/supervisor_form.html",
        {"form": form, "supervisor": supervisor, "end_form": end_form},
        status=status,
    )


@staff_permission_required("oversight.view_supervisors")
@require_POST
def supervisor_end(request: HttpRequest, supervisor_id: int) -> HttpResponse:
    supervisor = selectors.access_supervisor(request.user, supervisor_id)
    form = forms.EndTermForm(request.POST)
    if not form.is_valid():
        form_error_messages(request, form)
        return redirect("oversight:supervisor_edit", supervisor_id=supervisor.pk)
    try:
        services.supervisor_end_term(actor=request.user, supervisor=supervisor, **form.cleaned_data)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        if exc.status == 403:
            raise PermissionDenied from exc
        return redirect("oversight:supervisor_edit", supervisor_id=supervisor.pk)
    messages.success(request, _("%(name)s已离任。") % {"name": supervisor.name})
    return redirect("oversight:roster")


@staff_permission_required("oversight.view_supervisors")
@require_POST
def supervisor_phone(request: HttpRequest, supervisor_id: int) -> HttpResponse:
    """Show a supervisor's full phone number once, to the legal office, with a reason."""
    supervisor = selectors.access_supervisor(request.user, supervisor_id)
    office = office_agency(request.user)
    if office is None or office.pk != supervisor.agency_id:
        raise PermissionDenied
    form = RevealForm(request.POST)
    if not form.is_valid():
        form_error_messages(request, form)
        return render_roster(request, reveal_form=form, status=422)
    try:
        number = identity_reveal(
            actor=request.user,
            obj=supervisor,
            field="phone",
            reason=form.cleaned_data["reason"],
            request=request,
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return render_roster(request, status=exc.status)
    return render_roster(request, revealed={supervisor.pk: number})


# --- The checklist -------------------------------------------------------------------------------


@staff_permission_required("oversight.view_supervisors")
@require_http_methods(["GET", "POST"])
def checklist(request: HttpRequest) -> HttpResponse:
    agency, agencies = reading_agency(request)
    office = office_agency(request.user)
    may_edit = office is not None and office.pk == agency.pk
    form = forms.ChecklistItemForm()
    status = 200
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied
        item = None
        item_id = _int(request.POST.get("item"))
        if item_id is not None:
            item = VisitChecklistItem.objects.filter(agency=agency, pk=item_id).first()
            if item is None:
                raise Http404
        form = forms.ChecklistItemForm(request.POST)
        if form.is_valid():
            try:
                services.checklist_item_save(
                    actor=request.user, agency=agency, item=item, **form.cleaned_data
                )
            except DomainError as exc:
                messages.error(request, str(exc.message))
                status = exc.status
            else:
                messages.success(request, _("已保存。"))
                return redirect("oversight:visit_checklist")
        else:
            form_error_messages(request, form)
            status = 422
    return render(
        request,
        "oversight/visits/checklist.html",
        {
            "agency": agency,
            "agencies": agencies,
            "items": selectors.checklist(agency.pk, active_only=False),
            "form": form,
            "may_edit": may_edit,
        },
        status=status,
    )


# --- Monthly plans -------------------------------------------------------------------------------


@staff_permission_required(VIEW)
@require_http_methods(["GET", "POST"])
def plans(request: HttpRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    month = _month(request.GET.get("month")) or today.replace(day=1)
    office = office_agency(user)
    form = None
    status = 200
    if office is not None:
        form = forms.PlanForm(
            request.POST or None,
            initial={"month": month},
            supervisors=Supervisor.objects.filter(agency=office, active=True).order_by("name"),
            departments=_departments([office.pk]),
            subdistricts=_subdistricts([office.pk]),
        )
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                plan = services.plan_add(actor=user, agency=office, **form.cleaned_data)
            except DomainError as exc:
                messages.error(request, str(exc.message))
                status = exc.status
            else:
                messages.success(request, _("已加入走访计划。"))
                return redirect(
                    f"{request.path}?month={plan.month.year:04d}-{plan.month.month:02d}"
                )
        else:
            form_error_messages(request, form)
            status = 422
    rows = list(selectors.month_plans(user, month))
    previous = (
        date(month.year - 1, 12, 1) if month.month == 1 else month.replace(month=month.month - 1)
    )
    following = (
        date(month.year + 1, 1, 1) if month.month == 12 else month.replace(month=month.month + 1)
    )
    return render(
        request,
        "oversight/visits/plans.html",
        {
            "month": month,
            "previous": previous,
            "following": following,
            "rows": rows,
            "done": sum(1 for r in rows if r.done),
            "form": form,
            "office": office,
        },
        status=status,
    )


@staff_permission_required(VIEW)
@require_POST
def plan_remove(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = selectors.access_plan(request.user, plan_id)
    month = plan.month
    try:
        services.plan_remove(actor=request.user, plan=plan, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        if exc.status == 403:
            raise PermissionDenied from exc
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("已从计划中删除。"))
    return redirect(f"/staff/oversight/visits/plans/?month={month.year:04d}-{month.month:02d}")


# --- Scores per department -----------------------------------------------------------------------


@staff_permission_required("oversight.view_supervisors")
def scores(request: HttpRequest) -> HttpResponse:
    agency, agencies = reading_agency(request)
    today = timezone.localdate()
    start = _parse_day(request.GET.get("start")) or date(today.year, 1, 1)
    end = _parse_day(request.GET.get("end")) or today
    if end < start:
        start, end = end, start
    rows = selectors.department_scores(request.user, agency.pk, start, end)
    return render(
        request,
        "oversight/visits/scores.html",
        {"agency": agency, "agencies": agencies, "start": start, "end": end, "rows": rows},
    )


def _parse_day(value) -> date | None:
    try:
        return date.fromisoformat(str(value or ""))
    except ValueError:
        return None
