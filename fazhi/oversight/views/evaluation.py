"""Staff pages of the comprehensive evaluation (综合考评): the list of evaluations (with the
form to start one), the schemes (list, create, edit a draft with a live weight sum, activate,
new version), and the evaluation page (ranking with each unit's breakdown, ECharts charts of
the totals and of the weighted scores by indicator, compute / publish, XLSX).

Every POST calls one service; a refusal shows the page again with the message and the
refusal's status (403/409/422) and nothing is written.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fazhi.core.decorators import staff_permission_required
from fazhi.core.errors import DomainError
from fazhi.core.files.names import content_disposition
from fazhi.core.forms import form_error_messages
from fazhi.core.models import Agency
from fazhi.core.roles import Role
from fazhi.core.tenancy import access, agencies_with_role, writable_agency_ids
from fazhi.oversight import evaluation_export
from fazhi.oversight.forms import evaluation as forms
from fazhi.oversight.models import Evaluation, EvaluationScheme
from fazhi.oversight.permissions.base import department_ids
from fazhi.oversight.selectors import evaluation as selectors
from fazhi.oversight.services import evaluation as services

VIEW = "oversight.view_evaluations"
READ = "oversight.view_evaluation"
SCHEMES = "oversight.view_evaluation_schemes"
MANAGE = "oversight.manage_evaluations"


def office_agencies(user) -> list[Agency]:
    """Agencies where the user runs the evaluation (legal office, not read-only)."""
    writable = writable_agency_ids(user)
    ids = [a for a in agencies_with_role(user, Role.LEGAL_OFFICER) if a in writable]
    return list(Agency.objects.filter(pk__in=ids).order_by("name"))


def _manages(user, record) -> bool:
    return record.agency_id in writable_agency_ids(user) and user.has_perm(MANAGE, record)


# --- Evaluations ----------------------------------------------------------------------------------


def _list_page(request, *, form=None, status=200) -> HttpResponse:
    user = request.user
    agencies = office_agencies(user)
    schemes = list(selectors.active_schemes([a.pk for a in agencies]).select_related("agency"))
    if form is None and schemes:
        form = forms.EvaluationForm(schemes=schemes)
    evaluations = list(selectors.evaluation_list(user))
    return render(
        request,
        "oversight/evaluations/list.html",
        {
            "evaluations": evaluations,
            "form": form if agencies else None,
            "may_manage": bool(agencies),
            "may_see_schemes": user.has_perm(SCHEMES),
            "several_agencies": len({e.agency_id for e in evaluations}) > 1,
        },
        status=status,
    )


@staff_permission_required(VIEW)
@require_GET
def evaluation_list(request: HttpRequest) -> HttpResponse:
    return _list_page(request)


@staff_permission_required(VIEW)
@require_POST
def evaluation_create(request: HttpRequest) -> HttpResponse:
    agencies = office_agencies(request.user)
    if not agencies:
        raise PermissionDenied
    schemes = list(selectors.active_schemes([a.pk for a in agencies]).select_related("agency"))
    form = forms.EvaluationForm(request.POST, schemes=schemes)
    if not form.is_valid():
        form_error_messages(request, form)
        return _list_page(request, form=form, status=422)
    scheme = next(s for s in schemes if s.pk == form.cleaned_data["scheme"])
    try:
        evaluation = services.evaluation_create(
            actor=request.user,
            scheme=scheme,
            period_start=form.cleaned_data["period_start"],
            period_end=form.cleaned_data["period_end"],
            title=form.cleaned_data["title"],
            http_request=request,
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return _list_page(request, form=form, status=exc.status)
    messages.success(request, _("已建立考评，请计算考评结果。"))
    return redirect("oversight:evaluation", evaluation_id=evaluation.pk)


def open_evaluation(request, evaluation_id, *, write: bool = False) -> Evaluation:
    """404 outside the user's agencies and for unpublished ones a department head may not see."""
    evaluation = access(
        request.user, selectors.evaluations_for(request.user), evaluation_id, write=write
    )
    if not request.user.has_perm(READ, evaluation):
        raise Http404
    return evaluation


def render_evaluation(request, evaluation, *, edit_form=None, status=200) -> HttpResponse:
    user = request.user
    manages = _manages(user, evaluation)
    frozen = evaluation.state == Evaluation.State.PUBLISHED
    data = selectors.ranking(evaluation)
    if edit_form is None and manages and not frozen:
        edit_form = forms.EvaluationEditForm(
            initial={
                "title": evaluation.title,
                "period_start": evaluation.period_start,
                "period_end": evaluation.period_end,
            }
        )
    own = department_ids(user, evaluation.agency_id)
    for row in data["rows"]:
        row["own"] = row["score"].department_id in own
    return render(
        request,
        "oversight/evaluations/detail.html",
        {
            "evaluation": evaluation,
            "scheme": evaluation.scheme,
            "columns": data["columns"],
            "rows": data["rows"],
            "chart": data["chart"],
            "can_compute": manages and not frozen,
            "can_publish": manages and evaluation.state == Evaluation.State.COMPUTED,
            "edit_form": edit_form if manages and not frozen else None,
            "may_see_schemes": user.has_perm(SCHEMES, evaluation),
        },
        status=status,
    )


@staff_permission_required(VIEW)
@require_GET
def evaluation_detail(request: HttpRequest, evaluation_id: int) -> HttpResponse:
    return render_evaluation(request, open_evaluation(request, evaluation_id))


def _compute(request, evaluation, form):
    services.evaluation_compute(actor=request.user, evaluation=evaluation, http_request=request)
    return _("已计算考评结果。")


def _publish(request, evaluation, form):
    services.evaluation_publish(actor=request.user, evaluation=evaluation, http_request=request)
    return _("考评结果已发布，已通知局领导和各科室负责人。")


def _update(request, evaluation, form):
    services.evaluation_update(
        actor=request.user, evaluation=evaluation, http_request=request, **form.cleaned_data
    )
    return _("已保存。")


EVALUATION_STEPS = {
    "compute": (None, _compute),
    "publish": (None, _publish),
    "update": (forms.EvaluationEditForm, _update),
}


@staff_permission_required(VIEW)
@require_POST
def evaluation_step(request: HttpRequest, evaluation_id: int, step: str) -> HttpResponse:
    if step not in EVALUATION_STEPS:
        raise Http404
    evaluation = open_evaluation(request, evaluation_id, write=True)
    form_class, call = EVALUATION_STEPS[step]
    form = form_class(request.POST) if form_class else None
    if form is not None and not form.is_valid():
        form_error_messages(request, form)
        return render_evaluation(request, evaluation, edit_form=form, status=422)
    try:
        done = call(request, evaluation, form)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        fresh = Evaluation.objects.select_related("agency", "scheme").get(pk=evaluation.pk)
        return render_evaluation(request, fresh, edit_form=form, status=exc.status)
    messages.success(request, done)
    return redirect("oversight:evaluation", evaluation_id=evaluation.pk)


@staff_permission_required(VIEW)
@require_GET
def evaluation_xlsx(request: HttpRequest, evaluation_id: int) -> HttpResponse:
    evaluation = open_evaluation(request, evaluation_id)
    return xlsx_response(evaluation)


def xlsx_response(evaluation) -> HttpResponse:
    response = HttpResponse(
        evaluation_export.render_xlsx(evaluation), content_type=evaluation_export.XLSX_TYPE
    )
    response["Content-Disposition"] = content_disposition(
        evaluation_export.filename(evaluation), default_stem=f"evaluation-{evaluation.pk}"
    )
    return response


# --- Schemes --------------------------------------------------------------------------------------


@staff_permission_required(SCHEMES)
@require_GET
def scheme_list(request: HttpRequest) -> HttpResponse:
    schemes = selectors.scheme_list(request.user)
    return render(
        request,
        "oversight/evaluations/schemes.html",
        {
            "schemes": schemes,
            "may_manage": bool(office_agencies(request.user)),
            "several_agencies": len({s.agency_id for s in schemes}) > 1,
        },
    )


def _scheme_form_page(request, form, *, scheme=None, status=200) -> HttpResponse:
    return render(
        request,
        "oversight/evaluations/scheme_form.html",
        {"form": form, "scheme": scheme},
        status=status,
    )


@staff_permission_required(SCHEMES)
@require_http_methods(["GET", "POST"])
def scheme_create(request: HttpRequest) -> HttpResponse:
    agencies = office_agencies(request.user)
    if not agencies:
        raise PermissionDenied
    if request.method == "GET":
        return _scheme_form_page(request, forms.SchemeForm())
    form = forms.SchemeForm(request.POST)
    if not form.is_valid():
        form_error_messages(request, form)
        return _scheme_form_page(request, form, status=422)
    try:
        scheme = services.scheme_create(
            actor=request.user,
            agency=agencies[0],
            name=form.cleaned_data["name"],
            unit_kind=form.cleaned_data["unit_kind"],
            description=form.cleaned_data["description"],
            indicators=form.indicator_weights(),
            http_request=request,
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return _scheme_form_page(request, form, status=exc.status)
    messages.success(request, _("已保存方案草稿。权重合计为 100 后即可启用。"))
    return redirect("oversight:evaluation_scheme", scheme_id=scheme.pk)


def open_scheme(request, scheme_id, *, write: bool = False) -> EvaluationScheme:
    schemes = selectors.schemes_for(request.user)
    if write:
        schemes = schemes.filter(agency_id__in=writable_agency_ids(request.user))
    try:
        return schemes.get(pk=scheme_id)
    except EvaluationScheme.DoesNotExist as exc:
        raise Http404 from exc


def render_scheme(request, scheme, *, form=None, status=200) -> HttpResponse:
    manages = _manages(request.user, scheme)
    draft = scheme.state == EvaluationScheme.State.DRAFT
    if form is None and manages and draft:
        form = forms.SchemeForm(
            initial=forms.SchemeForm.initial_from(scheme), fixed_kind=scheme.version > 1
        )
    rows = list(scheme.indicators.all())
    return render(
        request,
        "oversight/evaluations/scheme_detail.html",
        {
            "scheme": scheme,
            "rows": rows,
            "weight_sum": services.weight_sum(r.weight for r in rows),
            "form": form if manages and draft else None,
            "can_activate": manages and draft,
            "can_version": manages and not draft,
            "evaluations": list(
                Evaluation.objects.filter(scheme=scheme).order_by("-period_end", "-pk")
            ),
        },
        status=status,
    )


@staff_permission_required(SCHEMES)
@require_GET
def scheme_detail(request: HttpRequest, scheme_id: int) -> HttpResponse:
    return render_scheme(request, open_scheme(request, scheme_id))


def _scheme_save(request, scheme):
    form = forms.SchemeForm(
        request.POST,
        initial=forms.SchemeForm.initial_from(scheme),
        fixed_kind=scheme.version > 1,
    )
    if not form.is_valid():
        return form, None
    services.scheme_update(
        actor=request.user,
        scheme=scheme,
        name=form.cleaned_data["name"] if scheme.version == 1 else None,
        unit_kind=form.cleaned_data["unit_kind"] if scheme.version == 1 else None,
        description=form.cleaned_data["description"],
        indicators=form.indicator_weights(),
        http_request=request,
    )
    return form, scheme


@staff_permission_required(SCHEMES)
@require_POST
def scheme_step(request: HttpRequest, scheme_id: int, step: str) -> HttpResponse:
    if step not in ("save", "activate", "new-version"):
        raise Http404
    scheme = open_scheme(request, scheme_id, write=True)
    form = None
    try:
        if step == "save":
            form, saved = _scheme_save(request, scheme)
            if saved is None:
                form_error_messages(request, form)
                return render_scheme(request, scheme, form=form, status=422)
            messages.success(request, _("已保存。"))
            target = scheme
        elif step == "activate":
            services.scheme_activate(actor=request.user, scheme=scheme, http_request=request)
            messages.success(request, _("方案已启用，可据此开展考评。"))
            target = scheme
        else:
            target = services.scheme_new_version(
                actor=request.user, scheme=scheme, http_request=request
            )
            messages.success(
                request, _("已建立第%(v)d版草稿，修改后启用即替代原版本。") % {"v": target.version}
            )
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return render_scheme(request, open_scheme(request, scheme_id), form=form, status=exc.status)
    return redirect("oversight:evaluation_scheme", scheme_id=target.pk)
