"""Spot checks (案卷评查) through the staff API, at /api/oversight/spot-checks/.

Everything the pages do, through the same services and checks: checklists, the reviewer pool,
plans (create, draw, re-draw check), files (list, detail, review, hand to another reviewer),
results by unit, and the populations one can plan over. Roles without spot-check work get 403,
another agency's record 404, a changed state 409, bad input 422 — in fazhi.api.api's shape.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from fazhi.accounts.models import User
from fazhi.api.inputs import ApiIn, Day, Text
from fazhi.api.pagination import MAX_LIMIT, paginate
from fazhi.core.errors import InvalidInput
from fazhi.core.models import Agency, Event
from fazhi.core.tenancy import access, writable_agency_ids
from fazhi.oversight.models import Checklist, ReviewerPoolMember, SampledFile, SamplingPlan
from fazhi.oversight.selectors import spotchecks as selectors
from fazhi.oversight.services import spotchecks as services

router = Router(tags=["监督：案卷评查"])

VIEW = "oversight.view_spot_checks"
READ = "oversight.read_spot_checks"
MANAGE = "oversight.manage_spot_checks"
_ID = re.compile(r"[0-9]{1,12}")


def _id(text) -> int | None:
    return int(text) if _ID.fullmatch(str(text or "")) else None


def _limit(text: str) -> int | None:
    if not text:
        return None
    if not re.fullmatch(r"[0-9]{1,3}", text) or not 1 <= int(text) <= MAX_LIMIT:
        raise InvalidInput(
            _("每页条数须在 1 至 %(max)d 之间。") % {"max": MAX_LIMIT}, code="bad_limit"
        )
    return int(text)


def _may(user, perm: str = VIEW) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied


def _agency(user, agency_id: str) -> Agency:
    """The agency an entry is for: the one named, or the user's only writable one."""
    writable = writable_agency_ids(user)
    if agency_id:
        agency = Agency.objects.filter(pk=_id(agency_id), pk__in=writable).first()
        if agency is None:
            raise InvalidInput(_("机关不存在或不属于您的机关。"), code="agency_invalid")
        return agency
    if len(writable) != 1:
        raise InvalidInput(_("请填写机关。"), code="agency_required")
    return Agency.objects.get(pk=next(iter(writable)))


def _name(user) -> str:
    return (user.display_name or user.username) if user else ""


# --- schemas ----------------------------------------------------------------------------------


class ItemIn(ApiIn):
    text: Text = Field(..., title="评查内容")
    kind: Text = Field(..., title="类型", description="veto（否决项）或 points（评分项）")
    max_points: Text = Field("", title="分值", description="评分项的满分；否决项不填")
    basis: Text = Field("", title="依据")


class ChecklistIn(ApiIn):
    agency: Text = Field("", title="机关", description="机关编号；只在一个机关工作的用户可不填")
    name: Text = Field(..., title="评查表名称")
    population: Text = Field(..., title="案卷类型", description="见 /populations")
    excellent_min: Text = Field("90", title="优秀分数线")
    pass_min: Text = Field("60", title="合格分数线")
    items: list[ItemIn] = Field(..., title="评查项目")


class ChecklistUpdateIn(ApiIn):
    name: Text = Field(..., title="评查表名称")
    excellent_min: Text = Field(..., title="优秀分数线")
    pass_min: Text = Field(..., title="合格分数线")
    items: list[ItemIn] = Field(..., title="评查项目")


class ItemOut(Schema):
    id: str
    order: int
    text: str
    kind: str
    max_points: Decimal | None
    basis: str


class ChecklistOut(Schema):
    id: str
    agency: str
    name: str
    population: str
    population_label: str
    excellent_min: Decimal
    pass_min: Decimal
    locked: bool
    active: bool
    items: list[ItemOut]


class ReviewerIn(ApiIn):
    agency: Text = Field("", title="机关")
    user: Text = Field(..., title="人员", description="用户编号")


class ReviewerOut(Schema):
    id: str
    agency: str
    user_id: str
    name: str
    unit_id: str | None
    unit: str
    active: bool


class PlanIn(ApiIn):
    agency: Text = Field("", title="机关")
    title: Text = Field(..., title="方案名称")
    population: Text = Field(..., title="案卷类型")
    period_start: Day = Field(..., title="起始日期")
    period_end: Day = Field(..., title="截止日期")
    method: Text = Field(..., title="抽取方式", description="rate（按比例）或 count（按数量）")
    rate: Text = Field("", title="抽取比例（%）")
    count: int | None = Field(None, title="抽取数量", ge=1, le=100000)
    min_per_stratum: int = Field(1, title="每个单位至少", ge=0, le=1000)
    checklist: Text = Field(..., title="评查表", description="评查表编号")


class DrawIn(ApiIn):
    seed: Text = Field("", title="随机种子", description="不填由系统生成")


class FileOut(Schema):
    id: str
    plan_id: str
    case_ref: str
    case_label: str
    unit_id: str
    unit: str
    draw_order: int
    reviewer_id: str
    reviewer: str
    state: str
    score: Decimal | None
    vetoed: bool
    rating: str
    rating_label: str
    remarks: str
    reviewed_at: dt.datetime | None
    finding_id: str | None


class ScoreOut(Schema):
    item_id: str
    passed: bool | None
    points: Decimal | None
    note: str


class FileDetailOut(FileOut):
    scores: list[ScoreOut]
    checklist: ChecklistOut
    available_actions: list[str]


class EventOut(Schema):
    at: dt.datetime
    verb: str
    actor: str
    from_state: str
    to_state: str


class PlanOut(Schema):
    id: str
    agency: str
    title: str
    population: str
    population_label: str
    period_start: dt.date
    period_end: dt.date
    method: str
    rate: Decimal | None
    count: int | None
    min_per_stratum: int
    checklist_id: str
    state: str
    state_label: str
    seed: str
    population_size: int | None
    population_digest: str
    drawn_at: dt.datetime | None
    file_count: int
    reviewed_count: int


class PlanDetailOut(PlanOut):
    files: list[FileOut]
    population_snapshot: list[dict]
    available_actions: list[str]
    timeline: list[EventOut]


class PlanPage(Schema):
    items: list[PlanOut]
    next_cursor: str | None


class FilePage(Schema):
    items: list[FileOut]
    next_cursor: str | None


class AnswerIn(ApiIn):
    item: Text = Field(..., title="评查项目", description="评查项目编号")
    passed: bool | None = Field(None, title="是否符合", description="否决项填写")
    points: Text = Field("", title="得分", description="评分项填写")
    note: Text = Field("", title="说明")


class ReviewIn(ApiIn):
    answers: list[AnswerIn] = Field(..., title="评分")
    remarks: Text = Field("", title="评查意见")


class ReassignIn(ApiIn):
    reviewer: Text = Field(..., title="评查人", description="用户编号（须在评查人员库中）")


class CheckOut(Schema):
    same: bool
    digest_matches: bool
    missing: list[str]
    extra: list[str]
    order_differs: list[str]
    reviewer_differs: list[str]
    error: str


class UnitResultOut(Schema):
    unit_id: int
    unit: str
    files: int
    reviewed: int
    excellent: int
    passed: int
    failed: int
    vetoed: int
    average: Decimal | None


class PopulationOut(Schema):
    key: str
    label: str


class PlanQuery(Schema):
    state: str = ""
    population: str = ""
    cursor: str = ""
    limit: str = ""


class FileQuery(Schema):
    plan: str = ""
    mine: bool = False
    state: str = ""
    cursor: str = ""
    limit: str = ""


class ResultQuery(Schema):
    plan: str = ""
    year: str = ""
    population: str = ""


# --- outputs ------------------------------------------------------------------------------------


def _checklist_out(checklist: Checklist) -> dict:
    return {
        "id": str(checklist.pk),
        "agency": checklist.agency.name,
        "name": checklist.name,
        "population": checklist.population,
        "population_label": selectors.population_label(checklist.population),
        "excellent_min": checklist.excellent_min,
        "pass_min": checklist.pass_min,
        "locked": checklist.locked,
        "active": checklist.active,
        "items": [
            {
                "id": str(i.pk),
                "order": i.order,
                "text": i.text,
                "kind": i.kind,
                "max_points": i.max_points,
                "basis": i.basis,
            }
            for i in checklist.items.all()
        ],
    }


def _file_out(f: SampledFile) -> dict:
    return {
        "id": str(f.pk),
        "plan_id": str(f.plan_id),
        "case_ref": f.case_ref,
        "case_label": f.case_label,
        "unit_id": str(f.department_id),
        "unit": f.department.name,
        "draw_order": f.draw_order,
        "reviewer_id": str(f.reviewer_id),
        "reviewer": _name(f.reviewer),
        "state": f.state,
        "score": f.score,
        "vetoed": f.vetoed,
        "rating": f.rating,
        "rating_label": str(f.get_rating_display()) if f.rating else "",
        "remarks": f.remarks,
        "reviewed_at": f.reviewed_at,
        "finding_id": str(f.finding_id) if f.finding_id else None,
    }


def _plan_out(plan: SamplingPlan) -> dict:
    return {
        "id": str(plan.pk),
        "agency": plan.agency.name,
        "title": plan.title,
        "population": plan.population,
        "population_label": selectors.population_label(plan.population),
        "period_start": plan.period_start,
        "period_end": plan.period_end,
        "method": plan.method,
        "rate": plan.rate,
        "count": plan.count,
        "min_per_stratum": plan.min_per_stratum,
        "checklist_id": str(plan.checklist_id),
        "state": plan.state,
        "state_label": str(plan.get_state_display()),
        "seed": plan.seed,
        "population_size": plan.population_size,
        "population_digest": plan.population_digest,
        "drawn_at": plan.drawn_at,
        "file_count": getattr(plan, "file_count", 0),
        "reviewed_count": getattr(plan, "reviewed_count", 0),
    }


def _plan_detail(user, plan: SamplingPlan) -> dict:
    actions = []
    if user.has_perm(MANAGE, plan):
        actions = ["draw"] if plan.state == SamplingPlan.State.DRAFT else ["reassign"]
        if plan.state == SamplingPlan.State.COMPLETED:
            actions = []
    events = (
        Event.objects.filter(target_type="oversight.samplingplan", target_id=str(plan.pk))
        .select_related("actor")
        .order_by("seq")
    )
    return {
        **_plan_out(plan),
        "files": [_file_out(f) for f in selectors.plan_files(plan)],
        "population_snapshot": plan.population_snapshot,
        "available_actions": actions,
        "timeline": [
            {
                "at": e.at,
                "verb": e.verb,
                "actor": _name(e.actor) or e.actor_name,
                "from_state": e.from_state,
                "to_state": e.to_state,
            }
            for e in events
        ],
    }


def _items(items: list[ItemIn]) -> list[services.ItemSpec]:
    return [
        services.ItemSpec(
            text=i.text,
            kind=i.kind,
            max_points=i.max_points or None,
            basis=i.basis,
        )
        for i in items
    ]


# --- populations, checklists, pool -------------------------------------------------------------


@router.get("/populations", response=list[PopulationOut], url_name="spot_check_populations")
def population_list(request):
    """The case types a plan can draw from (registered by the modules that own the cases)."""
    _may(request.user)
    return [{"key": k, "label": label} for k, label in selectors.population_choices()]


@router.get("/checklists", response=list[ChecklistOut], url_name="spot_check_checklists")
def checklist_list(request):
    _may(request.user, READ)
    return [
        _checklist_out(c) for c in selectors.checklists_for(request.user).prefetch_related("items")
    ]


@router.post("/checklists", response={201: ChecklistOut}, url_name="spot_check_checklist_create")
def checklist_create(request, body: ChecklistIn):
    _may(request.user)
    checklist = services.checklist_create(
        actor=request.user,
        agency=_agency(request.user, body.agency),
        name=body.name,
        population=body.population,
        items=_items(body.items),
        excellent_min=body.excellent_min,
        pass_min=body.pass_min,
        request=request,
    )
    return Status(201, _checklist_out(checklist))


@router.get(
    "/checklists/{checklist_id}", response=ChecklistOut, url_name="spot_check_checklist_detail"
)
def checklist_detail(request, checklist_id: str):
    _may(request.user, READ)
    return _checklist_out(
        access(request.user, selectors.checklists_for(request.user), _id(checklist_id))
    )


@router.put(
    "/checklists/{checklist_id}", response=ChecklistOut, url_name="spot_check_checklist_update"
)
def checklist_update(request, checklist_id: str, body: ChecklistUpdateIn):
    _may(request.user)
    checklist = access(
        request.user, selectors.checklists_for(request.user), _id(checklist_id), write=True
    )
    updated = services.checklist_update(
        actor=request.user,
        checklist=checklist,
        name=body.name,
        items=_items(body.items),
        excellent_min=body.excellent_min,
        pass_min=body.pass_min,
        request=request,
    )
    return _checklist_out(Checklist.objects.select_related("agency").get(pk=updated.pk))


class ActiveIn(ApiIn):
    active: bool = Field(..., title="启用", description="false 停用：不再用于新方案")


@router.post(
    "/checklists/{checklist_id}/active",
    response=ChecklistOut,
    url_name="spot_check_checklist_active",
)
def checklist_active(request, checklist_id: str, body: ActiveIn):
    _may(request.user)
    checklist = access(
        request.user, selectors.checklists_for(request.user), _id(checklist_id), write=True
    )
    services.checklist_set_active(
        actor=request.user, checklist=checklist, active=body.active, request=request
    )
    return _checklist_out(Checklist.objects.select_related("agency").get(pk=checklist.pk))


@router.get("/reviewers", response=list[ReviewerOut], url_name="spot_check_reviewers")
def reviewer_list(request):
    _may(request.user, READ)
    return [_reviewer_out(m) for m in selectors.pool_for(request.user)]


def _reviewer_out(m: ReviewerPoolMember) -> dict:
    return {
        "id": str(m.pk),
        "agency": m.agency.name,
        "user_id": str(m.user_id),
        "name": _name(m.user),
        "unit_id": str(m.department_id) if m.department_id else None,
        "unit": m.department.name if m.department_id else "",
        "active": m.active,
    }


@router.post("/reviewers", response={201: ReviewerOut}, url_name="spot_check_reviewer_add")
def reviewer_add(request, body: ReviewerIn):
    _may(request.user)
    agency = _agency(request.user, body.agency)
    user = User.objects.filter(pk=_id(body.user), memberships__agency=agency).distinct().first()
    if user is None:
        raise InvalidInput(_("人员不存在或不属于该机关。"), code="user_invalid")
    member = services.reviewer_add(actor=request.user, agency=agency, user=user, request=request)
    return Status(201, _reviewer_out(selectors.pool_for(request.user).get(pk=member.pk)))


@router.post(
    "/reviewers/{member_id}/remove", response=ReviewerOut, url_name="spot_check_reviewer_remove"
)
def reviewer_remove(request, member_id: str):
    _may(request.user)
    member = access(request.user, selectors.pool_for(request.user), _id(member_id), write=True)
    services.reviewer_remove(actor=request.user, member=member, request=request)
    return _reviewer_out(selectors.pool_for(request.user).get(pk=member.pk))


# --- plans --------------------------------------------------------------------------------------


@router.get("/plans", response=PlanPage, url_name="spot_check_plans")
def plan_list(request, filters: Query[PlanQuery]):
    _may(request.user, READ)
    plans = selectors.plans_for(request.user)
    if filters.state:
        if filters.state not in SamplingPlan.State.values:
            raise InvalidInput(_("状态不存在。"), code="bad_state")
        plans = plans.filter(state=filters.state)
    if filters.population:
        plans = plans.filter(population=filters.population)
    page = paginate(plans, cursor=filters.cursor or None, limit=_limit(filters.limit))
    return {"items": [_plan_out(p) for p in page["items"]], "next_cursor": page["next_cursor"]}


@router.post("/plans", response={201: PlanDetailOut}, url_name="spot_check_plan_create")
def plan_create(request, body: PlanIn):
    _may(request.user)
    agency = _agency(request.user, body.agency)
    checklist = Checklist.objects.filter(pk=_id(body.checklist), agency=agency).first()
    if checklist is None:
        raise InvalidInput(_("评查表不存在或不属于该机关。"), code="checklist_required")
    plan = services.plan_create(
        actor=request.user,
        agency=agency,
        title=body.title,
        population=body.population,
        period_start=body.period_start,
        period_end=body.period_end,
        method=body.method,
        rate=body.rate or None,
        count=body.count,
        min_per_stratum=body.min_per_stratum,
        checklist=checklist,
        request=request,
    )
    fresh = selectors.plans_for(request.user).get(pk=plan.pk)
    return Status(201, _plan_detail(request.user, fresh))


@router.get("/plans/{plan_id}", response=PlanDetailOut, url_name="spot_check_plan_detail")
def plan_detail(request, plan_id: str):
    _may(request.user, READ)
    plan = access(request.user, selectors.plans_for(request.user), _id(plan_id))
    return _plan_detail(request.user, plan)


@router.post(
    "/plans/{plan_id}/actions/draw", response=PlanDetailOut, url_name="spot_check_plan_draw"
)
def plan_draw(request, plan_id: str, body: DrawIn):
    """Draw the files and their reviewers and publish the plan."""
    _may(request.user)
    plan = access(request.user, selectors.plans_for(request.user), _id(plan_id), write=True)
    services.plan_draw(actor=request.user, plan=plan, seed=body.seed, request=request)
    return _plan_detail(request.user, selectors.plans_for(request.user).get(pk=plan.pk))


@router.get(
    "/plans/{plan_id}/redraw-check", response=CheckOut, url_name="spot_check_plan_redraw_check"
)
def plan_redraw_check(request, plan_id: str):
    """Draw again from the published seed, population and pool; compare with the files."""
    _may(request.user, READ)
    plan = access(request.user, selectors.plans_for(request.user), _id(plan_id))
    check = services.plan_redraw_check(plan)
    return {
        "same": check.same,
        "digest_matches": check.digest_matches,
        "missing": check.missing,
        "extra": check.extra,
        "order_differs": check.order_differs,
        "reviewer_differs": check.reviewer_differs,
        "error": str(check.error),
    }


@router.get("/results", response=list[UnitResultOut], url_name="spot_check_results")
def results(request, filters: Query[ResultQuery]):
    """Counts by rating and the average score per unit that handled the files."""
    _may(request.user, READ)
    files = selectors.files_for(request.user).exclude(plan__state=SamplingPlan.State.DRAFT)
    if filters.plan:
        files = files.filter(plan_id=_id(filters.plan))
    if filters.year:
        if not re.fullmatch(r"[0-9]{4}", filters.year) or int(filters.year) < 1:
            raise InvalidInput(_("年份格式不正确。"), code="bad_year")
        files = files.filter(plan__period_end__year=int(filters.year))
    if filters.population:
        files = files.filter(plan__population=filters.population)
    return [
        {
            "unit_id": r.department_id,
            "unit": r.name,
            "files": r.files,
            "reviewed": r.reviewed,
            "excellent": r.excellent,
            "passed": r.passed,
            "failed": r.failed,
            "vetoed": r.vetoed,
            "average": r.average,
        }
        for r in selectors.results_by_unit(files)
    ]


# --- files and reviews ----------------------------------------------------------------------


def _visible_files(user):
    """All files for those who read spot checks; the caller's own for a reviewer."""
    if user.has_perm(READ):
        return selectors.files_for(user)
    return selectors.files_for(user).filter(reviewer=user)


@router.get("/files", response=FilePage, url_name="spot_check_files")
def file_list(request, filters: Query[FileQuery]):
    """Files of a plan, or (`mine=true`) those drawn to the caller."""
    _may(request.user)
    files = _visible_files(request.user).exclude(plan__state=SamplingPlan.State.DRAFT)
    if filters.mine:
        files = files.filter(reviewer=request.user)
    if filters.plan:
        files = files.filter(plan_id=_id(filters.plan))
    if filters.state:
        if filters.state not in SampledFile.State.values:
            raise InvalidInput(_("状态不存在。"), code="bad_state")
        files = files.filter(state=filters.state)
    page = paginate(files, cursor=filters.cursor or None, limit=_limit(filters.limit))
    return {"items": [_file_out(f) for f in page["items"]], "next_cursor": page["next_cursor"]}


def _file_detail(user, f: SampledFile) -> dict:
    actions = []
    if f.state == SampledFile.State.PENDING and f.plan.state == SamplingPlan.State.DRAWN:
        if user.has_perm(services.REVIEW, f):
            actions.append("review")
        if user.has_perm(MANAGE, f.plan):
            actions.append("reassign")
    return {
        **_file_out(f),
        "scores": [
            {"item_id": str(s.item_id), "passed": s.passed, "points": s.points, "note": s.note}
            for s in f.scores.all()
        ],
        "checklist": _checklist_out(f.plan.checklist),
        "available_actions": actions,
    }


@router.get("/files/{file_id}", response=FileDetailOut, url_name="spot_check_file_detail")
def file_detail(request, file_id: str):
    _may(request.user)
    f = access(request.user, _visible_files(request.user), _id(file_id), field="plan__agency")
    return _file_detail(request.user, f)


@router.post(
    "/files/{file_id}/actions/review", response=FileDetailOut, url_name="spot_check_file_review"
)
def file_review(request, file_id: str, body: ReviewIn):
    """Score the file on its checklist: every item once; 不合格 opens a finding."""
    _may(request.user)
    f = access(request.user, _visible_files(request.user), _id(file_id), field="plan__agency")
    answers = {}
    for answer in body.answers:
        item_id = _id(answer.item)
        if item_id is None or item_id in answers:
            raise InvalidInput(_("评查项目编号不正确或重复。"), code="item_unknown")
        answers[item_id] = services.Answer(
            passed=answer.passed, points=answer.points or None, note=answer.note
        )
    with transaction.atomic():
        services.review_submit(
            actor=request.user,
            sampled_file=f,
            answers=answers,
            remarks=body.remarks,
            request=request,
        )
    return _file_detail(request.user, selectors.files_for(request.user).get(pk=f.pk))


@router.post(
    "/files/{file_id}/actions/reassign",
    response=FileDetailOut,
    url_name="spot_check_file_reassign",
)
def file_reassign(request, file_id: str, body: ReassignIn):
    """Hand a file not yet reviewed to another pool member, never of the file's unit."""
    _may(request.user)
    f = access(request.user, _visible_files(request.user), _id(file_id), field="plan__agency")
    reviewer = User.objects.filter(pk=_id(body.reviewer)).first()
    if reviewer is None:
        raise InvalidInput(_("所选人员不在评查人员库中。"), code="reviewer_not_in_pool")
    services.sampled_file_reassign(
        actor=request.user, sampled_file=f, reviewer=reviewer, request=request
    )
    return _file_detail(request.user, selectors.files_for(request.user).get(pk=f.pk))
