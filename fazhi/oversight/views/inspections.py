"""Staff pages of inspections under /staff/oversight/inspections/: the list, a new inspection
(the legal office's own, or a third-party inspector's for a subdistrict of their contract), an
inspection's page with its report, findings and submission, the contracts, and the results by
subdistrict. Every POST calls one service; a refusal shows the page again with its status."""

from __future__ import annotations

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
from fazhi.core.models import Agency, Department, Membership, Subdistrict
from fazhi.core.roles import Role
from fazhi.core.tenancy import agencies_with_role
from fazhi.oversight.forms import inspections as forms
from fazhi.oversight.models import Inspection
from fazhi.oversight.selectors import inspections as selectors
from fazhi.oversight.selectors.visits import all_reading_agency_ids
from fazhi.oversight.services import inspections as services
from fazhi.oversight.views.visits import _int, office_agency

PAGE_SIZE = 30
VIEW = "oversight.view_inspections"


def _scopes(user) -> list:
    """(value, label, (contract, subdistrict)) an inspector may create inspections for."""
    today = timezone.localdate()
    contracts = selectors.contracts_for(user).filter(
        inspectors=user, agency_id__in=agencies_with_role(user, Role.INSPECTOR)
    )
    scopes = []
    for contract in contracts.order_by("-period_start"):
        if contract.period_start > today:
            continue
        for subdistrict in sorted(
            contract.subdistricts.all(), key=lambda s: (s.sort_order, s.name)
        ):
            scopes.append(
                (
                    f"{contract.pk}:{subdistrict.pk}",
                    f"{contract.organisation} · {subdistrict.name}",
                    (contract, subdistrict),
                )
            )
    return scopes


@staff_permission_required(VIEW)
def inspection_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    kind = request.GET.get("kind", "")
    if kind not in Inspection.Kind.values:
        kind = ""
    state = request.GET.get("state", "")
    if state not in Inspection.State.values:
        state = ""
    subdistrict = _int(request.GET.get("subdistrict"))
    year = _int(request.GET.get("year"))
    if year is not None and not 1 <= year <= 9999:  # `__year` lookups raise outside these
        year = None
    rows = selectors.inspection_list(
        user, kind=kind, state=state, subdistrict=subdistrict, year=year
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    readable = all_reading_agency_ids(user) | set(agencies_with_role(user, Role.INSPECTOR))
    query = {
        k: v
        for k, v in (
            ("kind", kind),
            ("state", state),
            ("subdistrict", str(subdistrict or "")),
            ("year", str(year or "")),
        )
        if v
    }
    return render(
        request,
        "oversight/inspections/inspection_list.html",
        {
            "page": page,
            "kind": kind,
            "kinds": Inspection.Kind.choices,
            "state": state,
            "states": Inspection.State.choices,
            "subdistrict": subdistrict,
            "subdistricts": list(
                Subdistrict.objects.filter(agency_id__in=readable).order_by("sort_order", "name")
            ),
            "year": year,
            "office": office_agency(user),
            "inspector": bool(_scopes(user)),
            "reads_results": user.has_perm("oversight.view_inspection_results"),
            "query": urlencode(query),
        },
    )


@staff_permission_required(VIEW)
@require_http_methods(["GET", "POST"])
def inspection_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    office = office_agency(user)
    scopes = _scopes(user)
    third_party = office is None or request.GET.get("third_party") == "1"
    if third_party and not scopes:
        raise PermissionDenied
    form = forms.InspectionForm(
        request.POST or None,
        third_party=third_party,
        scopes=scopes,
        departments=Department.objects.filter(agency=office).order_by("sort_order", "name")
        if office
        else None,
        subdistricts=Subdistrict.objects.filter(agency=office).order_by("sort_order", "name")
        if office
        else None,
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            fields = form.service_fields()
            agency = fields["contract"].agency if third_party else office
            try:
                inspection = services.inspection_create(actor=user, agency=agency, **fields)
            except DomainError as exc:
                form.add_error(None, str(exc.message))
                status = exc.status
            else:
                messages.success(request, _("已创建检查。"))
                return redirect("oversight:inspection", inspection_id=inspection.pk)
        else:
            status = 422
    return render(
        request,
        "oversight/inspections/inspection_form.html",
        {"form": form, "third_party": third_party, "inspection": None},
        status=status,
    )


def _may_write(user, inspection) -> bool:
    if inspection.state != Inspection.State.DRAFT:
        return False
    if inspection.kind == Inspection.Kind.THIRD_PARTY:
        return services.is_contract_inspector(user, inspection.contract)
    office = office_agency(user)
    return office is not None and office.pk == inspection.agency_id


def render_inspection(request, inspection, *, bound=None, status=200):
    user = request.user
    may_write = _may_write(user, inspection)
    departments = Department.objects.filter(agency_id=inspection.agency_id).order_by(
        "sort_order", "name"
    )
    page_forms = {
        "report": forms.ReportForm(),
        "finding": forms.FindingForm(departments=departments),
    }
    if bound is not None:
        page_forms[bound[0]] = bound[1]
    findings = list(selectors.findings_of(inspection))
    return render(
        request,
        "oversight/inspections/inspection_detail.html",
        {
            "inspection": inspection,
            "findings": [
                {
                    "finding": f,
                    "rectification": getattr(f, "rectification", None),
                    "may_open": user.has_perm("oversight.view_finding", f),
                }
                for f in findings
            ],
            "may_write": may_write,
            "forms": page_forms,
        },
        status=status,
    )


def _refresh(request, inspection_id):
    return selectors.access_inspection(request.user, inspection_id)


@staff_permission_required(VIEW)
def inspection_detail(request: HttpRequest, inspection_id: int) -> HttpResponse:
    return render_inspection(request, selectors.access_inspection(request.user, inspection_id))


@staff_permission_required(VIEW)
@require_http_methods(["GET", "POST"])
def inspection_edit(request: HttpRequest, inspection_id: int) -> HttpResponse:
    inspection = selectors.access_inspection(request.user, inspection_id)
    if not _may_write(request.user, inspection):
        raise PermissionDenied
    initial = {name: getattr(inspection, name) for name in services.UPDATE_FIELDS}
    form = forms.InspectionEditForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.inspection_update(
                    actor=request.user, inspection=inspection, **form.cleaned_data
                )
            except DomainError as exc:
                form.add_error(None, str(exc.message))
                status = exc.status
            else:
                messages.success(request, _("已保存。"))
                return redirect("oversight:inspection", inspection_id=inspection.pk)
        else:
            status = 422
    return render(
        request,
        "oversight/inspections/inspection_form.html",
        {"form": form, "inspection": inspection, "third_party": False},
        status=status,
    )


def _refused(request, inspection_id, exc: DomainError, bound=None):
    if exc.status == 403:
        raise PermissionDenied from exc
    messages.error(request, str(exc.message))
    return render_inspection(
        request, _refresh(request, inspection_id), bound=bound, status=exc.status
    )


@staff_permission_required(VIEW)
@require_POST
def inspection_report(request: HttpRequest, inspection_id: int) -> HttpResponse:
    inspection = selectors.access_inspection(request.user, inspection_id)
    form = forms.ReportForm(request.POST, request.FILES)
    if not form.is_valid():
        form_error_messages(request, form)
        return render_inspection(request, inspection, bound=("report", form), status=422)
    try:
        services.inspection_upload_report(
            actor=request.user,
            inspection=inspection,
            upload=form.cleaned_data["report"],
            request=request,
        )
    except DomainError as exc:
        return _refused(request, inspection_id, exc)
    messages.success(request, _("专项报告已上传。"))
    return redirect("oversight:inspection", inspection_id=inspection.pk)


@staff_permission_required(VIEW)
@require_POST
def inspection_finding(request: HttpRequest, inspection_id: int) -> HttpResponse:
    inspection = selectors.access_inspection(request.user, inspection_id)
    departments = Department.objects.filter(agency_id=inspection.agency_id)
    form = forms.FindingForm(request.POST, request.FILES, departments=departments)
    if not form.is_valid():
        form_error_messages(request, form)
        return render_inspection(request, inspection, bound=("finding", form), status=422)
    try:
        services.inspection_record_finding(
            actor=request.user, inspection=inspection, request=request, **form.cleaned_data
        )
    except DomainError as exc:
        return _refused(request, inspection_id, exc, bound=("finding", form))
    messages.success(request, _("问题已记录，交责任单位限期整改。"))
    return redirect("oversight:inspection", inspection_id=inspection.pk)


@staff_permission_required(VIEW)
@require_POST
def inspection_submit(request: HttpRequest, inspection_id: int) -> HttpResponse:
    inspection = selectors.access_inspection(request.user, inspection_id)
    try:
        services.inspection_submit(actor=request.user, inspection=inspection)
    except DomainError as exc:
        return _refused(request, inspection_id, exc)
    messages.success(request, _("检查已提交，不能再修改。"))
    return redirect("oversight:inspection", inspection_id=inspection.pk)


# --- Contracts -----------------------------------------------------------------------------------


def _inspector_accounts(agency: Agency):
    ids = (
        Membership.objects.active()
        .filter(agency=agency, role=Role.INSPECTOR)
        .values_list("user_id", flat=True)
    )
    return User.objects.filter(pk__in=ids, is_active=True).order_by("username")


def _contract_form(office, data=None, initial=None):
    return forms.ContractForm(
        data,
        initial=initial,
        subdistricts=Subdistrict.objects.filter(agency=office).order_by("sort_order", "name"),
        inspectors=_inspector_accounts(office),
    )


@staff_permission_required(VIEW)
@require_http_methods(["GET", "POST"])
def contract_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    office = office_agency(user)
    form = _contract_form(office) if office else None
    status = 200
    if request.method == "POST":
        if office is None:
            raise PermissionDenied
        form = _contract_form(office, request.POST)
        if form.is_valid():
            try:
                services.contract_save(actor=user, agency=office, **form.cleaned_data)
            except DomainError as exc:
                messages.error(request, str(exc.message))
                status = exc.status
            else:
                messages.success(request, _("已登记第三方检查合同。"))
                return redirect("oversight:inspection_contracts")
        else:
            form_error_messages(request, form)
            status = 422
    contracts = list(selectors.contracts_for(user).order_by("-period_start", "pk"))
    return render(
        request,
        "oversight/inspections/contracts.html",
        {"contracts": contracts, "form": form, "office": office},
        status=status,
    )


@staff_permission_required(VIEW)
@require_http_methods(["GET", "POST"])
def contract_edit(request: HttpRequest, contract_id: int) -> HttpResponse:
    contract = selectors.access_contract(request.user, contract_id)
    office = office_agency(request.user)
    if office is None or office.pk != contract.agency_id:
        raise PermissionDenied
    initial = {
        "organisation": contract.organisation,
        "contract_number": contract.contract_number,
        "scope": contract.scope,
        "period_start": contract.period_start,
        "period_end": contract.period_end,
        "subdistricts": list(contract.subdistricts.all()),
        "inspectors": list(contract.inspectors.all()),
    }
    form = _contract_form(office, request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.contract_save(
                    actor=request.user, agency=office, contract=contract, **form.cleaned_data
                )
            except DomainError as exc:
                form.add_error(None, str(exc.message))
                status = exc.status
            else:
                messages.success(request, _("已保存。"))
                return redirect("oversight:inspection_contracts")
        else:
            status = 422
    return render(
        request,
        "oversight/inspections/contract_form.html",
        {"form": form, "contract": contract},
        status=status,
    )


# --- Results by subdistrict ----------------------------------------------------------------------


@staff_permission_required("oversight.view_inspection_results")
def results(request: HttpRequest) -> HttpResponse:
    agencies = list(
        Agency.objects.filter(pk__in=all_reading_agency_ids(request.user)).order_by("pk")
    )
    if not agencies:
        raise PermissionDenied
    wanted = _int(request.GET.get("agency"))
    agency = agencies[0] if wanted is None else next((a for a in agencies if a.pk == wanted), None)
    if agency is None:
        raise Http404
    years = selectors.inspection_years(agency.pk)
    year = _int(request.GET.get("year"))
    if year not in years:
        year = None
    rows = selectors.results_by_subdistrict(agency.pk, year=year)
    return render(
        request,
        "oversight/inspections/results.html",
        {
            "agency": agency,
            "agencies": agencies,
            "years": years,
            "year": year,
            "rows": rows,
        },
    )
