"""Staff pages of spot checks (案卷评查) under /staff/oversight/spot-checks/.

The legal office: plans (list, create, draw, re-draw check, hand a file to another reviewer),
checklists, the reviewer pool, results by unit. Leaders and district oversight read the same
pages without their buttons. A reviewer (any pool member) has "my files" and the scoring form,
made for a phone. Every POST calls one service; a refusal shows its Chinese message and answers
with its status (403/409/422), and nothing is written.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fazhi.accounts.models import User
from fazhi.core.decorators import staff_permission_required
from fazhi.core.errors import DomainError
from fazhi.core.forms import form_error_messages
from fazhi.core.models import Agency, Event, Membership
from fazhi.core.roles import Role
from fazhi.core.tenancy import access, agencies_with_role, writable_agency_ids
from fazhi.oversight.forms import spotchecks as forms
from fazhi.oversight.models import Checklist, ReviewerPoolMember, SampledFile, SamplingPlan
from fazhi.oversight.selectors import spotchecks as selectors
from fazhi.oversight.services import spotchecks as services

VIEW = "oversight.view_spot_checks"
READ = "oversight.read_spot_checks"
MANAGE = "oversight.manage_spot_checks"


def office_agencies(user) -> list[Agency]:
    """Agencies whose spot checks the user runs (legal office, not read-only)."""
    writable = writable_agency_ids(user)
    ids = [a for a in agencies_with_role(user, Role.LEGAL_OFFICER) if a in writable]
    return list(Agency.objects.filter(pk__in=ids).order_by("name"))


def _chosen_agency(agencies: list[Agency], chosen) -> Agency:
    if not agencies:
        raise PermissionDenied
    if len(agencies) == 1:
        return agencies[0]
    agency = next((a for a in agencies if a.pk == chosen), None)
    if agency is None:
        raise DomainError(_("请选择机关。"), code="agency_required")
    return agency


def _refused(request, exc: DomainError) -> None:
    messages.error(request, str(exc.message))


def _reader(request) -> None:
    if not request.user.has_perm(READ):
        raise PermissionDenied


# --- plans --------------------------------------------------------------------------------------


@staff_permission_required(VIEW)
@require_GET
def plan_list(request: HttpRequest) -> HttpResponse:
    """The tab's page: the plans for those who read them, "my files" for a reviewer only."""
    if not request.user.has_perm(READ):
        return redirect("oversight:spot_check_my_files")
    plans = list(selectors.plans_for(request.user).order_by("-period_end", "-pk"))
    for plan in plans:
        plan.population_label = selectors.population_label(plan.population)
    return render(
        request,
        "oversight/spot_checks/plan_list.html",
        {
            "plans": plans,
            "may_manage": bool(office_agencies(request.user)),
            "several_agencies": len({p.agency_id for p in plans}) > 1,
            "my_pending": selectors.my_files(request.user)
            .filter(state=SampledFile.State.PENDING)
            .count(),
        },
    )


def _plan_form(request, data=None):
    agencies = office_agencies(request.user)
    if not agencies:
        raise PermissionDenied
    checklists = (
        Checklist.objects.filter(agency__in=agencies, active=True)
        .select_related("agency")
        .order_by("agency__name", "name")
    )
    return forms.PlanForm(
        data,
        agencies=agencies,
        populations=selectors.population_choices(),
        checklists=checklists,
    ), agencies


@staff_permission_required(VIEW)
@require_http_methods(["GET", "POST"])
def plan_create(request: HttpRequest) -> HttpResponse:
    form, agencies = _plan_form(request, request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            checklist = Checklist.objects.filter(pk=data["checklist"], agency__in=agencies).first()
            try:
                agency = _chosen_agency(agencies, data.get("agency"))
                plan = services.plan_create(
                    actor=request.user,
                    agency=agency,
                    title=data["title"],
                    population=data["population"],
                    period_start=data["period_start"],
                    period_end=data["period_end"],
                    method=data["method"],
                    rate=data.get("rate"),
                    count=data.get("count"),
                    min_per_stratum=data["min_per_stratum"],
                    checklist=checklist,
                    request=request,
                )
            except DomainError as exc:
                _refused(request, exc)
                status = exc.status
            else:
                messages.success(request, _("已创建抽查方案，请核对后抽取。"))
                return redirect("oversight:spot_check_plan", plan_id=plan.pk)
        else:
            form_error_messages(request, form)
            status = 422
    return render(request, "oversight/spot_checks/plan_form.html", {"form": form}, status=status)


def _open_plan(request, plan_id) -> SamplingPlan:
    _reader(request)
    return access(request.user, selectors.plans_for(request.user), plan_id)


VERB_LABELS = {
    "oversight.spot_checks.plan_create": gettext_lazy("创建方案"),
    "oversight.spot_checks.plan_draw": gettext_lazy("抽取并公布"),
    "oversight.spot_checks.plan_complete": gettext_lazy("评查完成"),
}


def _timeline(plan: SamplingPlan) -> list[dict]:
    events = (
        Event.objects.filter(target_type="oversight.samplingplan", target_id=str(plan.pk))
        .select_related("actor")
        .order_by("seq")
    )
    return [{"event": e, "label": VERB_LABELS.get(e.verb, e.verb)} for e in events]


@staff_permission_required(VIEW)
@require_GET
def plan_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    return _plan_page(request, plan_id)


def _plan_page(request, plan_id, *, status: int = 200, check=None) -> HttpResponse:
    plan = _open_plan(request, plan_id)
    files = list(selectors.plan_files(plan))
    may_manage = request.user.has_perm(MANAGE, plan)
    reviewers = []
    if may_manage and plan.state == SamplingPlan.State.DRAWN:
        reviewers = list(
            User.objects.filter(
                pk__in=ReviewerPoolMember.objects.filter(agency=plan.agency, active=True).values(
                    "user_id"
                )
            ).order_by("display_name", "pk")
        )
    population_size = plan.population_size
    preview = None
    if plan.state == SamplingPlan.State.DRAFT:
        source = selectors.population(plan.population)
        preview = (
            list(source.files(plan.agency, plan.period_start, plan.period_end)) if source else []
        )
        population_size = len(preview)
    return render(
        request,
        "oversight/spot_checks/plan_detail.html",
        {
            "plan": plan,
            "population_label": selectors.population_label(plan.population),
            "population_size": population_size,
            "preview_units": _units_of(preview) if preview is not None else [],
            "files": files,
            "results": selectors.results_by_unit(SampledFile.objects.filter(plan=plan)),
            "may_manage": may_manage,
            "seed_form": forms.SeedForm(),
            "reassign_reviewers": reviewers,
            "check": check,
            "timeline": _timeline(plan),
        },
        status=status,
    )


def _units_of(files) -> list[dict]:
    from fazhi.core.models import Department

    counts: dict[int, int] = {}
    for f in files:
        counts[f.department_id] = counts.get(f.department_id, 0) + 1
    names = dict(Department.objects.filter(pk__in=list(counts)).values_list("pk", "name"))
    return [{"name": names.get(k, str(k)), "count": n} for k, n in sorted(counts.items())]


@staff_permission_required(VIEW)
@require_POST
def plan_draw(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = access(request.user, selectors.plans_for(request.user), plan_id)
    form = forms.SeedForm(request.POST)
    if not form.is_valid():
        form_error_messages(request, form)
        return _plan_page(request, plan_id, status=422)
    try:
        drawn = services.plan_draw(
            actor=request.user, plan=plan, seed=form.cleaned_data["seed"], request=request
        )
    except DomainError as exc:
        if exc.status == 403:
            raise PermissionDenied from exc
        _refused(request, exc)
        return _plan_page(request, plan_id, status=exc.status)
    messages.success(
        request,
        _("已抽取 %(n)d 份案卷并公布，随机种子：%(seed)s")
        % {"n": drawn.files.count(), "seed": drawn.seed},
    )
    return redirect("oversight:spot_check_plan", plan_id=plan.pk)


@staff_permission_required(VIEW)
@require_GET
def plan_verify(request: HttpRequest, plan_id: int) -> HttpResponse:
    """重新抽取核验: draw again from the stored seed and population, compare."""
    plan = _open_plan(request, plan_id)
    check = services.plan_redraw_check(plan)
    if check.same:
        messages.success(
            request, _("核验一致：按公布的随机种子和案卷清单重新抽取，结果与本方案相同。")
        )
    else:
        messages.error(request, _("核验不一致，请查看差异。"))
    return _plan_page(request, plan_id, check=check)


@staff_permission_required(VIEW)
@require_POST
def file_reassign(request: HttpRequest, file_id: int) -> HttpResponse:
    sampled = access(request.user, selectors.files_for(request.user), file_id, field="plan__agency")
    reviewers = User.objects.filter(
        pk__in=ReviewerPoolMember.objects.filter(
            agency_id=sampled.plan.agency_id, active=True
        ).values("user_id")
    )
    form = forms.ReassignForm(request.POST, reviewers=reviewers)
    if not form.is_valid():
        form_error_messages(request, form)
        return _plan_page(request, sampled.plan_id, status=422)
    try:
        services.sampled_file_reassign(
            actor=request.user,
            sampled_file=sampled,
            reviewer=reviewers.get(pk=form.cleaned_data["reviewer"]),
            request=request,
        )
    except DomainError as exc:
        if exc.status == 403:
            raise PermissionDenied from exc
        _refused(request, exc)
        return _plan_page(request, sampled.plan_id, status=exc.status)
    messages.success(request, _("已更换评查人。"))
    return redirect("oversight:spot_check_plan", plan_id=sampled.plan_id)


# --- results ------------------------------------------------------------------------------------


@staff_permission_required(VIEW)
@require_GET
def results(request: HttpRequest) -> HttpResponse:
    """评查结果汇总 per unit, for a year (by the plans' period end) and a case type."""
    _reader(request)
    files = selectors.files_for(request.user).exclude(plan__state=SamplingPlan.State.DRAFT)
    years = sorted(
        {d.year for d in selectors.plans_for(request.user).values_list("period_end", flat=True)},
        reverse=True,
    )
    year = request.GET.get("year", "")
    if year and year.isascii() and year.isdigit() and int(year) in years:
        files = files.filter(plan__period_end__year=int(year))
    else:
        year = ""
    population = request.GET.get("population", "")
    if population in dict(selectors.population_choices()):
        files = files.filter(plan__population=population)
    else:
        population = ""
    rows = selectors.results_by_unit(files)
    return render(
        request,
        "oversight/spot_checks/results.html",
        {
            "rows": rows,
            "years": years,
            "year": year,
            "population": population,
            "populations": selectors.population_choices(),
            "totals": {
                "files": sum(r.files for r in rows),
                "reviewed": sum(r.reviewed for r in rows),
                "excellent": sum(r.excellent for r in rows),
                "passed": sum(r.passed for r in rows),
                "failed": sum(r.failed for r in rows),
            },
        },
    )


# --- checklists ---------------------------------------------------------------------------------


@staff_permission_required(VIEW)
@require_GET
def checklist_list(request: HttpRequest) -> HttpResponse:
    _reader(request)
    checklists = list(selectors.checklists_for(request.user))
    for checklist in checklists:
        checklist.population_label = selectors.population_label(checklist.population)
    return render(
        request,
        "oversight/spot_checks/checklist_list.html",
        {"checklists": checklists, "may_manage": bool(office_agencies(request.user))},
    )


def _checklist_page(request, form, rows, *, checklist=None, status=200):
    return render(
        request,
        "oversight/spot_checks/checklist_form.html",
        {"form": form, "rows": rows, "checklist": checklist, "kinds": _kinds()},
        status=status,
    )


def _kinds():
    from fazhi.oversight.models import ChecklistItem

    return ChecklistItem.Kind.choices


@staff_permission_required(VIEW)
@require_http_methods(["GET", "POST"])
def checklist_create(request: HttpRequest) -> HttpResponse:
    agencies = office_agencies(request.user)
    if not agencies:
        raise PermissionDenied
    populations = selectors.population_choices()
    if request.method == "GET":
        form = forms.ChecklistForm(agencies=agencies, populations=populations)
        return _checklist_page(request, form, forms.item_rows())
    form = forms.ChecklistForm(request.POST, agencies=agencies, populations=populations)
    rows = forms.posted_item_rows(request.POST)
    if not form.is_valid():
        form_error_messages(request, form)
        return _checklist_page(request, form, rows, status=422)
    data = form.cleaned_data
    try:
        checklist = services.checklist_create(
            actor=request.user,
            agency=_chosen_agency(agencies, data.get("agency")),
            name=data["name"],
            population=data["population"],
            items=forms.read_items(request.POST),
            excellent_min=data["excellent_min"],
            pass_min=data["pass_min"],
            request=request,
        )
    except DomainError as exc:
        _refused(request, exc)
        return _checklist_page(request, form, rows, status=exc.status)
    messages.success(request, _("已保存评查表。"))
    return redirect("oversight:spot_check_checklist", checklist_id=checklist.pk)


@staff_permission_required(VIEW)
@require_http_methods(["GET", "POST"])
def checklist_detail(request: HttpRequest, checklist_id: int) -> HttpResponse:
    _reader(request)
    checklist = access(request.user, selectors.checklists_for(request.user), checklist_id)
    may_edit = request.user.has_perm(MANAGE, checklist) and not checklist.locked
    items = list(checklist.items.all())
    checklist.population_label = selectors.population_label(checklist.population)
    if request.method == "POST":
        if not request.user.has_perm(MANAGE, checklist):
            raise PermissionDenied
        form = forms.ChecklistForm(request.POST, editing=True)
        rows = forms.posted_item_rows(request.POST)
        if not form.is_valid():
            form_error_messages(request, form)
            return _checklist_page(request, form, rows, checklist=checklist, status=422)
        try:
            services.checklist_update(
                actor=request.user,
                checklist=checklist,
                name=form.cleaned_data["name"],
                items=forms.read_items(request.POST),
                excellent_min=form.cleaned_data["excellent_min"],
                pass_min=form.cleaned_data["pass_min"],
                request=request,
            )
        except DomainError as exc:
            _refused(request, exc)
            return _checklist_page(request, form, rows, checklist=checklist, status=exc.status)
        messages.success(request, _("已保存评查表。"))
        return redirect("oversight:spot_check_checklist", checklist_id=checklist.pk)
    if may_edit and request.GET.get("edit"):
        form = forms.ChecklistForm(
            initial={
                "name": checklist.name,
                "excellent_min": checklist.excellent_min,
                "pass_min": checklist.pass_min,
            },
            editing=True,
        )
        return _checklist_page(request, form, forms.item_rows(items), checklist=checklist)
    total = sum((i.max_points for i in items if i.max_points is not None), 0)
    return render(
        request,
        "oversight/spot_checks/checklist_detail.html",
        {
            "checklist": checklist,
            "items": items,
            "total": total,
            "may_edit": may_edit,
            "may_manage": request.user.has_perm(MANAGE, checklist),
        },
    )


@staff_permission_required(VIEW)
@require_POST
def checklist_active(request: HttpRequest, checklist_id: int) -> HttpResponse:
    checklist = access(request.user, selectors.checklists_for(request.user), checklist_id)
    try:
        services.checklist_set_active(
            actor=request.user,
            checklist=checklist,
            active=request.POST.get("active") == "1",
            request=request,
        )
    except DomainError as exc:
        if exc.status == 403:
            raise PermissionDenied from exc
        _refused(request, exc)
    return redirect("oversight:spot_check_checklist", checklist_id=checklist.pk)


# --- the reviewer pool --------------------------------------------------------------------------


def _candidates(agencies: list[Agency], members) -> list[dict]:
    """People who may join the pool: active staff of the agencies in a reviewer role."""
    in_pool = {(m.agency_id, m.user_id) for m in members if m.active}
    found = {}
    for membership in (
        Membership.objects.active()
        .filter(agency__in=agencies, role__in=services.REVIEWER_ROLES, user__is_active=True)
        .select_related("user", "department", "agency")
        .order_by("agency__name", "user__display_name", "user_id")
    ):
        key = (membership.agency_id, membership.user_id)
        if key in in_pool:
            continue
        entry = found.setdefault(
            key, {"agency": membership.agency, "user": membership.user, "roles": []}
        )
        entry["roles"].append(membership.get_role_display())
    return list(found.values())


@staff_permission_required(VIEW)
@require_http_methods(["GET", "POST"])
def pool(request: HttpRequest) -> HttpResponse:
    _reader(request)
    agencies = office_agencies(request.user)
    status = 200
    if request.method == "POST":
        if not agencies:
            raise PermissionDenied
        # "<agency id>-<user id>": one choice names both (a person may serve two agencies).
        agency_text, _sep, user_text = request.POST.get("user", "").partition("-")
        agency_id = int(agency_text) if agency_text.isdecimal() else 0
        user_id = int(user_text) if user_text.isdecimal() else 0
        agency = next((a for a in agencies if a.pk == agency_id), None)
        user = (
            User.objects.filter(pk=user_id, memberships__agency=agency).first() if agency else None
        )
        if agency is None or user is None:
            messages.error(request, _("请选择本机关的人员。"))
            status = 422
        else:
            try:
                services.reviewer_add(actor=request.user, agency=agency, user=user, request=request)
            except DomainError as exc:
                _refused(request, exc)
                status = exc.status
            else:
                messages.success(
                    request,
                    _("已将%(name)s加入评查人员库。")
                    % {"name": user.display_name or user.username},
                )
                return redirect("oversight:spot_check_pool")
    members = list(selectors.pool_for(request.user))
    load = selectors.workload({m.agency_id for m in members})
    for member in members:
        member.load = load.get((member.agency_id, member.user_id), {"pending": 0, "reviewed": 0})
    return render(
        request,
        "oversight/spot_checks/pool.html",
        {
            "members": members,
            "candidates": _candidates(agencies, members) if agencies else [],
            "may_manage": bool(agencies),
            "several_agencies": len({m.agency_id for m in members} | {a.pk for a in agencies}) > 1,
        },
        status=status,
    )


@staff_permission_required(VIEW)
@require_POST
def pool_remove(request: HttpRequest, member_id: int) -> HttpResponse:
    member = access(request.user, selectors.pool_for(request.user), member_id)
    try:
        services.reviewer_remove(actor=request.user, member=member, request=request)
    except DomainError as exc:
        if exc.status == 403:
            raise PermissionDenied from exc
        _refused(request, exc)
    else:
        messages.success(request, _("已移出评查人员库。"))
    return redirect("oversight:spot_check_pool")


# --- reviewing ----------------------------------------------------------------------------------


@staff_permission_required(VIEW)
@require_GET
def my_files(request: HttpRequest) -> HttpResponse:
    files = list(selectors.my_files(request.user))
    return render(
        request,
        "oversight/spot_checks/my_files.html",
        {
            "pending": [f for f in files if f.state == SampledFile.State.PENDING],
            "done": [f for f in files if f.state == SampledFile.State.REVIEWED],
        },
    )


def _open_file(request, file_id) -> SampledFile:
    sampled = access(request.user, selectors.files_for(request.user), file_id, field="plan__agency")
    if not request.user.has_perm("oversight.view_sampled_file", sampled):
        raise Http404
    return sampled


def _file_page(request, sampled: SampledFile, *, data=None, status=200):
    items = list(sampled.plan.checklist.items.all())
    scores = {s.item_id: s for s in sampled.scores.all()}
    rows = []
    for item in items:
        score = scores.get(item.pk)
        posted = (data or {}).get(f"item-{item.pk}", "")
        rows.append(
            {
                "item": item,
                "score": score,
                "value": posted,
                "note": (data or {}).get(f"note-{item.pk}", ""),
            }
        )
    may_review = (
        request.user.has_perm(services.REVIEW, sampled)
        and sampled.state == SampledFile.State.PENDING
        and sampled.plan.state == SamplingPlan.State.DRAWN
    )
    return render(
        request,
        "oversight/spot_checks/file_detail.html",
        {
            "file": sampled,
            "plan": sampled.plan,
            "rows": rows,
            "may_review": may_review,
            "remarks": (data or {}).get("remarks", ""),
            "total": sum((i.max_points for i in items if i.max_points is not None), 0),
        },
        status=status,
    )


@staff_permission_required(VIEW)
@require_http_methods(["GET", "POST"])
def file_detail(request: HttpRequest, file_id: int) -> HttpResponse:
    sampled = _open_file(request, file_id)
    if request.method == "GET":
        return _file_page(request, sampled)
    items = list(sampled.plan.checklist.items.all())
    try:
        reviewed = services.review_submit(
            actor=request.user,
            sampled_file=sampled,
            answers=forms.read_answers(request.POST, items),
            remarks=request.POST.get("remarks", ""),
            request=request,
        )
    except DomainError as exc:
        _refused(request, exc)
        return _file_page(request, sampled, data=request.POST, status=exc.status)
    messages.success(
        request,
        _("已提交评查：%(score)s分，%(rating)s。")
        % {"score": reviewed.score, "rating": reviewed.get_rating_display()},
    )
    if reviewed.finding_id:
        messages.warning(request, _("评查不合格，已交办承办单位限期整改。"))
    return redirect("oversight:spot_check_file", file_id=sampled.pk)
