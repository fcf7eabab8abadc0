"""The comprehensive evaluation (综合考评) through the API, at /api/oversight/evaluations/.

The same services and checks as the staff pages: roles without evaluation work 403, a record of
another agency (or an unpublished evaluation for a department head) 404, a state that does not
allow the step 409, bad input 422 — in the error shape of fazhi.api.api. Each step has its own
route: schemes `activate` and `new-version`, evaluations `compute` and `publish`.
"""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from fazhi.api.inputs import ApiIn, Day, Text
from fazhi.api.pagination import MAX_LIMIT, paginate
from fazhi.core.errors import Conflict, InvalidInput
from fazhi.core.models import Agency
from fazhi.core.tenancy import access, writable_agency_ids
from fazhi.oversight import indicators as registry
from fazhi.oversight.models import Evaluation, EvaluationScheme, UnitKind
from fazhi.oversight.selectors import evaluation as selectors
from fazhi.oversight.services import evaluation as services

router = Router(tags=["oversight: evaluations"])

_ID = re.compile(r"[1-9][0-9]{0,17}")
VIEW = "oversight.view_evaluations"
SCHEMES = "oversight.view_evaluation_schemes"
MANAGE = "oversight.manage_evaluations"


# --- Schemas -------------------------------------------------------------------------------------


class IndicatorIn(ApiIn):
    key: Text = Field(..., title="指标", description="指标代码，见 GET /indicators")
    weight: str | int | float = Field(
        ..., title="权重", description="大于 0、不超过 100，最多两位小数；建议以字符串传递"
    )
    label: Text = Field("", title="指标名称", description="缺省为指标的名称")


class SchemeIn(ApiIn):
    agency: Text = Field("", title="机关", description="机关编号；只在一个机关工作的用户可不填")
    name: Text = Field(..., title="方案名称")
    unit_kind: Text = Field(..., title="考评对象", description="department 或 subdistrict")
    description: Text = Field("", title="说明")
    indicators: list[IndicatorIn] = Field(default_factory=list, title="指标及权重")


class SchemeUpdateIn(ApiIn):
    name: Text | None = Field(None, title="方案名称")
    unit_kind: Text | None = Field(None, title="考评对象")
    description: Text | None = Field(None, title="说明")
    indicators: list[IndicatorIn] | None = Field(None, title="指标及权重")
    expected_state: Text = Field("", title="预期状态", description="与当前状态不同时返回 409")


class StepIn(ApiIn):
    expected_state: Text = Field("", title="预期状态", description="与当前状态不同时返回 409")


class EvaluationIn(ApiIn):
    scheme: Text = Field(..., title="考评方案", description="使用中的方案编号")
    period_start: Day = Field(..., title="考评期间起")
    period_end: Day = Field(..., title="考评期间止")
    title: Text = Field("", title="名称", description="缺省按期间和方案名称生成")


class EvaluationUpdateIn(ApiIn):
    title: Text | None = Field(None, title="名称")
    period_start: Day | None = Field(None, title="考评期间起")
    period_end: Day | None = Field(None, title="考评期间止")
    expected_state: Text = Field("", title="预期状态")


class ListQuery(Schema):
    state: str = ""
    unit_kind: str = ""
    cursor: str = ""
    limit: str = ""


class IndicatorOut(Schema):
    key: str
    label: str
    unit_kinds: list[str]
    description: str
    basis_labels: dict


class SchemeIndicatorOut(Schema):
    key: str
    label: str
    weight: str


class SchemeOut(Schema):
    id: str
    agency: str
    name: str
    version: int
    previous: str | None
    unit_kind: str
    unit_kind_label: str
    description: str
    state: str
    state_label: str
    activated_at: dt.datetime | None
    indicators: list[SchemeIndicatorOut]
    weight_sum: str
    available_actions: list[dict]


class ScoreOut(Schema):
    unit_id: str
    unit: str
    total: str
    rank: int
    breakdown: list[dict]


class EvaluationOut(Schema):
    id: str
    agency: str
    title: str
    scheme: str
    scheme_name: str
    scheme_version: int
    unit_kind: str
    period_start: dt.date
    period_end: dt.date
    state: str
    state_label: str
    computed_at: dt.datetime | None
    published_at: dt.datetime | None


class EvaluationDetailOut(EvaluationOut):
    indicators: list[SchemeIndicatorOut]
    scores: list[ScoreOut]
    available_actions: list[dict]


class EvaluationPage(Schema):
    items: list[EvaluationOut]
    next_cursor: str | None


class SchemePage(Schema):
    items: list[SchemeOut]
    next_cursor: str | None


# --- Helpers -------------------------------------------------------------------------------------


def _id(text: str) -> int | None:
    return int(text) if _ID.fullmatch(text or "") else None


def _limit(text: str) -> int | None:
    if not text:
        return None
    if not re.fullmatch(r"[0-9]{1,3}", text) or not 1 <= int(text) <= MAX_LIMIT:
        raise InvalidInput(
            _("每页条数须在 1 至 %(max)d 之间。") % {"max": MAX_LIMIT}, code="bad_limit"
        )
    return int(text)


def _may(user, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied


def _check_state(record, expected: str) -> None:
    if expected and record.state != expected:
        raise Conflict(
            _("当前为“%(state)s”，与预期不符。可能已被他人处理，请刷新。")
            % {"state": record.get_state_display()},
            code="state_changed",
        )


def _office_agency(user, agency_id: str) -> Agency:
    from fazhi.core.roles import Role
    from fazhi.core.tenancy import agencies_with_role

    ids = [
        a for a in agencies_with_role(user, Role.LEGAL_OFFICER) if a in writable_agency_ids(user)
    ]
    if not ids:
        raise PermissionDenied
    if agency_id:
        if _id(agency_id) not in ids:
            raise InvalidInput(
                _("机关不存在或您不在该机关办理考评。"), code="agency_invalid", fields=["agency"]
            )
        return Agency.objects.get(pk=_id(agency_id))
    if len(ids) != 1:
        raise InvalidInput(_("请填写机关。"), code="agency_required", fields=["agency"])
    return Agency.objects.get(pk=ids[0])


def _weights(rows) -> list[services.IndicatorWeight]:
    return [services.IndicatorWeight(r.key, r.weight, r.label) for r in rows]


def _scheme(request, scheme_id: str, *, write: bool = False) -> EvaluationScheme:
    _may(request.user, SCHEMES)
    schemes = selectors.schemes_for(request.user)
    if write:
        schemes = schemes.filter(agency_id__in=writable_agency_ids(request.user))
    scheme = schemes.filter(pk=_id(scheme_id)).first()
    if scheme is None:
        raise Http404
    return scheme


def _manages(user, record) -> bool:
    return record.agency_id in writable_agency_ids(user) and user.has_perm(MANAGE, record)


def _scheme_out(scheme: EvaluationScheme, user) -> dict:
    rows = list(scheme.indicators.all())
    actions = []
    if _manages(user, scheme):
        base = f"/api/oversight/evaluations/schemes/{scheme.pk}"
        if scheme.state == EvaluationScheme.State.DRAFT:
            actions = [{"name": "activate", "label": "启用方案", "route": f"{base}/activate"}]
        else:
            actions = [
                {"name": "new_version", "label": "建立新版本", "route": f"{base}/new-version"}
            ]
    return {
        "id": str(scheme.pk),
        "agency": scheme.agency.name,
        "name": scheme.name,
        "version": scheme.version,
        "previous": str(scheme.previous_id) if scheme.previous_id else None,
        "unit_kind": scheme.unit_kind,
        "unit_kind_label": str(scheme.get_unit_kind_display()),
        "description": scheme.description,
        "state": scheme.state,
        "state_label": str(scheme.get_state_display()),
        "activated_at": scheme.activated_at,
        "indicators": [{"key": r.key, "label": r.label, "weight": str(r.weight)} for r in rows],
        "weight_sum": str(services.weight_sum(r.weight for r in rows)),
        "available_actions": actions,
    }


def _fresh_scheme(scheme, user) -> dict:
    return _scheme_out(selectors.schemes_for(user).get(pk=scheme.pk), user)


def _evaluation(request, evaluation_id: str, *, write: bool = False) -> Evaluation:
    _may(request.user, VIEW)
    evaluation = access(
        request.user, selectors.evaluations_for(request.user), _id(evaluation_id), write=write
    )
    if not request.user.has_perm("oversight.view_evaluation", evaluation):
        raise Http404
    return evaluation


def _evaluation_out(evaluation: Evaluation) -> dict:
    scheme = evaluation.scheme
    return {
        "id": str(evaluation.pk),
        "agency": evaluation.agency.name,
        "title": evaluation.title,
        "scheme": str(scheme.pk),
        "scheme_name": scheme.name,
        "scheme_version": scheme.version,
        "unit_kind": scheme.unit_kind,
        "period_start": evaluation.period_start,
        "period_end": evaluation.period_end,
        "state": evaluation.state,
        "state_label": str(evaluation.get_state_display()),
        "computed_at": evaluation.computed_at,
        "published_at": evaluation.published_at,
    }


def _detail(evaluation: Evaluation, user) -> dict:
    evaluation = Evaluation.objects.select_related("agency", "scheme").get(pk=evaluation.pk)
    actions = []
    if _manages(user, evaluation) and evaluation.state != Evaluation.State.PUBLISHED:
        base = f"/api/oversight/evaluations/{evaluation.pk}"
        actions.append({"name": "compute", "label": "计算考评结果", "route": f"{base}/compute"})
        if evaluation.state == Evaluation.State.COMPUTED:
            actions.append({"name": "publish", "label": "发布考评结果", "route": f"{base}/publish"})
    return {
        **_evaluation_out(evaluation),
        "indicators": [
            {"key": r.key, "label": r.label, "weight": str(r.weight)}
            for r in selectors.indicator_rows(evaluation)
        ],
        "scores": [
            {
                "unit_id": str(score.department_id or score.subdistrict_id),
                "unit": selectors.unit_name(score),
                "total": str(score.total),
                "rank": score.rank,
                "breakdown": score.breakdown,
            }
            for score in selectors.scores_of(evaluation)
        ],
        "available_actions": actions,
    }


# --- Indicators and schemes (registered before the "/{evaluation_id}" routes) --------------------


@router.get("/indicators", response=list[IndicatorOut], url_name="oversight_indicators")
def indicator_list(request):
    """The registered indicators, the unit kinds each can score, and its basis keys."""
    _may(request.user, VIEW)
    return [
        {
            "key": i.key,
            "label": str(i.label),
            "unit_kinds": list(i.unit_kinds),
            "description": str(i.description),
            "basis_labels": {k: str(v) for k, v in i.basis_labels.items()},
        }
        for i in registry.all_indicators()
    ]


@router.get("/schemes/", response=SchemePage, url_name="oversight_evaluation_schemes")
def scheme_list(request, filters: Query[ListQuery]):
    _may(request.user, SCHEMES)
    schemes = selectors.schemes_for(request.user)
    if filters.state:
        if filters.state not in EvaluationScheme.State.values:
            raise InvalidInput(_("状态不存在。"), code="bad_state", fields=["state"])
        schemes = schemes.filter(state=filters.state)
    if filters.unit_kind:
        if filters.unit_kind not in UnitKind.values:
            raise InvalidInput(_("考评对象不存在。"), code="bad_unit_kind", fields=["unit_kind"])
        schemes = schemes.filter(unit_kind=filters.unit_kind)
    page = paginate(schemes, cursor=filters.cursor or None, limit=_limit(filters.limit))
    return {
        "items": [_scheme_out(s, request.user) for s in page["items"]],
        "next_cursor": page["next_cursor"],
    }


@router.post("/schemes/", response={201: SchemeOut}, url_name="oversight_evaluation_scheme_create")
def scheme_create(request, body: SchemeIn):
    _may(request.user, SCHEMES)
    scheme = services.scheme_create(
        actor=request.user,
        agency=_office_agency(request.user, body.agency),
        name=body.name,
        unit_kind=body.unit_kind,
        description=body.description,
        indicators=_weights(body.indicators),
        http_request=request,
    )
    return Status(201, _fresh_scheme(scheme, request.user))


@router.get("/schemes/{scheme_id}", response=SchemeOut, url_name="oversight_evaluation_scheme")
def scheme_detail(request, scheme_id: str):
    return _scheme_out(_scheme(request, scheme_id), request.user)


@router.patch(
    "/schemes/{scheme_id}", response=SchemeOut, url_name="oversight_evaluation_scheme_update"
)
def scheme_update(request, scheme_id: str, body: SchemeUpdateIn):
    """Edit a draft (fields left out stay as they are)."""
    with transaction.atomic():
        scheme = _scheme(request, scheme_id, write=True)
        _check_state(scheme, body.expected_state)
        services.scheme_update(
            actor=request.user,
            scheme=scheme,
            name=body.name,
            unit_kind=body.unit_kind,
            description=body.description,
            indicators=_weights(body.indicators) if body.indicators is not None else None,
            http_request=request,
        )
    return _fresh_scheme(scheme, request.user)


@router.post(
    "/schemes/{scheme_id}/activate",
    response=SchemeOut,
    url_name="oversight_evaluation_scheme_activate",
)
def scheme_activate(request, scheme_id: str, body: StepIn | None = None):
    """启用: 422 `weights_not_100` (with `detail.sum`) unless the weights add up to 100."""
    with transaction.atomic():
        scheme = _scheme(request, scheme_id, write=True)
        _check_state(scheme, body.expected_state if body else "")
        services.scheme_activate(actor=request.user, scheme=scheme, http_request=request)
    return _fresh_scheme(scheme, request.user)


@router.post(
    "/schemes/{scheme_id}/new-version",
    response={201: SchemeOut},
    url_name="oversight_evaluation_scheme_new_version",
)
def scheme_new_version(request, scheme_id: str, body: StepIn | None = None):
    with transaction.atomic():
        scheme = _scheme(request, scheme_id, write=True)
        _check_state(scheme, body.expected_state if body else "")
        copy = services.scheme_new_version(actor=request.user, scheme=scheme, http_request=request)
    return Status(201, _fresh_scheme(copy, request.user))


# --- Evaluations ---------------------------------------------------------------------------------


@router.get("/", response=EvaluationPage, url_name="oversight_evaluations")
def evaluation_list(request, filters: Query[ListQuery]):
    """The caller's evaluations, newest first (department heads: published ones)."""
    _may(request.user, VIEW)
    if filters.state and filters.state not in Evaluation.State.values:
        raise InvalidInput(_("状态不存在。"), code="bad_state", fields=["state"])
    if filters.unit_kind and filters.unit_kind not in UnitKind.values:
        raise InvalidInput(_("考评对象不存在。"), code="bad_unit_kind", fields=["unit_kind"])
    rows = selectors.evaluation_list(request.user, state=filters.state, unit_kind=filters.unit_kind)
    page = paginate(rows, cursor=filters.cursor or None, limit=_limit(filters.limit))
    return {
        "items": [_evaluation_out(e) for e in page["items"]],
        "next_cursor": page["next_cursor"],
    }


@router.post("/", response={201: EvaluationDetailOut}, url_name="oversight_evaluation_create")
def evaluation_create(request, body: EvaluationIn):
    _may(request.user, VIEW)
    scheme = (
        selectors.schemes_for(request.user)
        .filter(agency_id__in=writable_agency_ids(request.user), pk=_id(body.scheme))
        .first()
    )
    if scheme is None:
        raise InvalidInput(_("考评方案不存在。"), code="scheme_invalid", fields=["scheme"])
    evaluation = services.evaluation_create(
        actor=request.user,
        scheme=scheme,
        period_start=body.period_start,
        period_end=body.period_end,
        title=body.title,
        http_request=request,
    )
    return Status(201, _detail(evaluation, request.user))


@router.get("/{evaluation_id}", response=EvaluationDetailOut, url_name="oversight_evaluation")
def evaluation_detail(request, evaluation_id: str):
    """The evaluation with each unit's total, rank and breakdown (value, weight, basis)."""
    return _detail(_evaluation(request, evaluation_id), request.user)


@router.patch(
    "/{evaluation_id}", response=EvaluationDetailOut, url_name="oversight_evaluation_update"
)
def evaluation_update(request, evaluation_id: str, body: EvaluationUpdateIn):
    with transaction.atomic():
        evaluation = _evaluation(request, evaluation_id, write=True)
        _check_state(evaluation, body.expected_state)
        services.evaluation_update(
            actor=request.user,
            evaluation=evaluation,
            title=body.title,
            period_start=body.period_start,
            period_end=body.period_end,
            http_request=request,
        )
    return _detail(evaluation, request.user)


@router.post(
    "/{evaluation_id}/compute",
    response=EvaluationDetailOut,
    url_name="oversight_evaluation_compute",
)
def evaluation_compute(request, evaluation_id: str, body: StepIn | None = None):
    """Compute or recompute; 409 once published."""
    with transaction.atomic():
        evaluation = _evaluation(request, evaluation_id, write=True)
        _check_state(evaluation, body.expected_state if body else "")
        services.evaluation_compute(actor=request.user, evaluation=evaluation, http_request=request)
    return _detail(evaluation, request.user)


@router.post(
    "/{evaluation_id}/publish",
    response=EvaluationDetailOut,
    url_name="oversight_evaluation_publish",
)
def evaluation_publish(request, evaluation_id: str, body: StepIn | None = None):
    with transaction.atomic():
        evaluation = _evaluation(request, evaluation_id, write=True)
        _check_state(evaluation, body.expected_state if body else "")
        services.evaluation_publish(actor=request.user, evaluation=evaluation, http_request=request)
    return _detail(evaluation, request.user)


@router.get("/{evaluation_id}/xlsx", url_name="oversight_evaluation_xlsx")
def evaluation_xlsx(request, evaluation_id: str):
    from fazhi.oversight.views.evaluation import xlsx_response

    return xlsx_response(_evaluation(request, evaluation_id))
