"""After issuance through the API (design "API conventions"): evaluations before expiry,
cleanup campaigns, links between documents, and the published cleanup results.

Staff routes are added to the rules router (/api/rules/...); they call the same services as the
staff pages, so the same checks answer: 403 a role that may not act, 404 a record of another
agency (or none), 409 a changed state or a closed gate, 422 bad input.
The public routes (no login, published results only) are on `public_router`, mounted beside the
other public rules routes (api/public.py) at /api/public/rules/cleanups/.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from fazhi.api.inputs import Day, Text
from fazhi.api.pagination import MAX_LIMIT, paginate
from fazhi.api.workflow_routes import AvailableAction, RecordOut, TimelineEntry, record_out
from fazhi.core.errors import Conflict, InvalidInput
from fazhi.core.models import Agency, Department
from fazhi.core.roles import Role
from fazhi.core.tenancy import access, agencies_with_role
from fazhi.core.workflow import timeline
from fazhi.rules import aftercare_selectors as selectors
from fazhi.rules.aftercare_selectors import EvaluationState
from fazhi.rules.api import router
from fazhi.rules.models import CleanupReview, DocumentLink, ExpiryEvaluation
from fazhi.rules.selectors import documents_for
from fazhi.rules.services import cleanup as cleanup_services
from fazhi.rules.services import evaluation as evaluation_services
from fazhi.rules.services import links as link_services

# --- Input ------------------------------------------------------------------------------------


DispositionName = Literal["keep", "revise", "repeal", "expire"]
EvaluationStateName = Literal["proposal", "confirmation", "done"]


class EvaluationProposeIn(Schema):
    proposal: DispositionName = Field(..., title="评估意见")
    reason: Text = Field("", title="理由", max_length=2000)
    new_valid_until: Day | None = Field(None, title="新的有效期至")
    expected_state: EvaluationStateName | None = Field(None, title="预期状态")


class EvaluationConfirmIn(Schema):
    ended_on: Day | None = Field(None, title="废止日期（评估意见为废止时，默认今天）")
    expected_state: EvaluationStateName | None = Field(None, title="预期状态")


class EvaluationReturnIn(Schema):
    reason: Text = Field(..., title="退回理由", min_length=1, max_length=2000)
    expected_state: EvaluationStateName | None = Field(None, title="预期状态")


class CampaignIn(Schema):
    # Needed only by a legal officer of several agencies.
    agency: Text | None = Field(None, title="机关 id", max_length=20)
    title: Text = Field(..., title="清理名称", min_length=1, max_length=200)
    basis: Text = Field("", title="清理依据和要求", max_length=20_000)
    scope: Literal["all", "department", "topic"] = Field(..., title="清理范围")
    scope_department: Text | None = Field(None, title="科室 id（按部门清理时）", max_length=20)
    scope_topic: Text = Field("", title="主题分类（按主题清理时）", max_length=50)


class PublishIn(Schema):
    result_note: Text = Field("", title="清理结果说明", max_length=20_000)
    expected_state: Literal["open", "published"] | None = Field(None, title="预期状态")


class ItemProposeIn(Schema):
    proposal: DispositionName = Field(..., title="清理意见")
    reason: Text = Field(..., title="理由", min_length=1, max_length=2000)


class ItemConfirmIn(Schema):
    result: DispositionName = Field(..., title="清理结果")
    note: Text = Field("", title="说明", max_length=2000)


class LinkIn(Schema):
    target: Text = Field(..., title="关联文件 id", max_length=20)
    kind: Literal["revises", "repeals", "based_on"] = Field(..., title="关系")


class PublicPageQuery(Schema):
    """Query parameters arrive as text and are parsed here, with Chinese messages."""

    cursor: str = ""
    limit: str = ""


class PageQuery(PublicPageQuery):
    state: str = ""


# --- Output -----------------------------------------------------------------------------------


class EvaluationOut(Schema):
    id: str
    state: str
    state_label: str
    due_on: dt.date | None
    overdue: bool
    available_actions: list[AvailableAction]
    timeline: list[TimelineEntry]
    fields: dict[str, Any]


class EvaluationRow(Schema):
    id: str
    document: str
    title: str
    doc_number: str | None
    department: str
    valid_until: dt.date
    state: str
    state_label: str
    proposal: str
    due_on: dt.date | None
    overdue: bool
    escalated_on: dt.date | None


class EvaluationPage(Schema):
    items: list[EvaluationRow]
    next_cursor: str | None


class CampaignRow(Schema):
    id: str
    title: str
    state: str
    state_label: str
    scope: str
    opened_on: dt.date
    proposals_due_on: dt.date
    published_on: dt.date | None
    item_count: int
    proposed_count: int
    confirmed_count: int


class CampaignPage(Schema):
    items: list[CampaignRow]
    next_cursor: str | None


class ItemOut(Schema):
    id: str
    document: str
    title: str
    doc_number: str | None
    department: str
    proposal: str
    proposal_label: str
    proposal_reason: str
    result: str
    result_label: str
    result_note: str


class ItemPage(Schema):
    items: list[ItemOut]
    next_cursor: str | None


class LinkOut(Schema):
    id: str
    source: str
    target: str
    kind: str
    kind_label: str


class RelativeOut(Schema):
    document: str
    title: str
    doc_number: str | None
    state: str
    kind: str
    direction: str
    label: str


class FamilyOut(Schema):
    relatives: list[RelativeOut]
    lineage: list[RelativeOut]


class PublicItem(Schema):
    document: str
    title: str
    doc_number: str | None
    note: str


class PublicGroup(Schema):
    result: str
    label: str
    documents: list[PublicItem]


class PublicCampaignRow(Schema):
    id: str
    title: str
    agency: str
    published_on: dt.date
    counts: dict[str, int]


class PublicCampaignPage(Schema):
    items: list[PublicCampaignRow]
    next_cursor: str | None


class PublicCampaignOut(Schema):
    id: str
    title: str
    agency: str
    basis: str
    published_on: dt.date
    result_note: str
    results: list[PublicGroup]


# --- Helpers ----------------------------------------------------------------------------------


def _may_work_with_documents(user) -> None:
    """The page-level check of the staff pages: roles without documents work get 403."""
    if not user.has_perm("normative.view_list"):
        raise PermissionDenied


def _limit(text: str) -> int | None:
    if not text:
        return None
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_LIMIT:
        raise InvalidInput(
            _("每页条数须在 1 至 %(max)d 之间。") % {"max": MAX_LIMIT}, code="bad_limit"
        )
    return int(text)


def _evaluation(request, evaluation_id: str, *, write: bool = False) -> ExpiryEvaluation:
    _may_work_with_documents(request.user)
    return access(
        request.user,
        selectors.evaluations_for(request.user),
        evaluation_id,
        write=write,
        field="document__agency",
    )


def _expect_evaluation(evaluation: ExpiryEvaluation, expected: str | None) -> None:
    """Answer 409 when the evaluation moved on from the state the caller saw."""
    if expected is None:
        return
    current = (
        ExpiryEvaluation.objects.select_for_update(of=("self",))
        .select_related("document")
        .get(pk=evaluation.pk)
    )
    if selectors.evaluation_state(current) != expected:
        raise Conflict(_("评估已被他人处理，请刷新后重试。"), code="state_changed")


def _evaluation_actions(evaluation: ExpiryEvaluation, user) -> list[dict]:
    state = selectors.evaluation_state(evaluation)
    document = evaluation.document
    found = []
    if state == EvaluationState.PROPOSAL and user.has_perm("normative.draft_document", document):
        found.append(("propose", _("报送评估意见"), "transition", False))
    if state == EvaluationState.CONFIRMATION and user.has_perm(
        "normative.review_document", document
    ):
        found.append(("confirm", _("确认"), "transition", False))
        found.append(("return", _("退回重新评估"), "return", True))
    return [
        {"name": name, "label": str(label), "kind": kind, "comment_required": required}
        for name, label, kind, required in found
    ]


def _timeline(record) -> list[dict]:
    return [
        {
            "seq": event.seq,
            "at": event.at.isoformat(),
            "actor": event.actor_name,
            "verb": event.verb,
            "from_state": event.from_state,
            "to_state": event.to_state,
            "comment": str(event.data.get("comment", event.data.get("reason", ""))),
        }
        for event in timeline(record)
    ]


def _evaluation_out(evaluation: ExpiryEvaluation, user, **extra) -> dict:
    state = selectors.evaluation_state(evaluation)
    due_on = selectors.evaluation_stage_due(evaluation)
    document = evaluation.document
    return {
        "id": str(evaluation.pk),
        "state": state,
        "state_label": str(EvaluationState.LABELS[state]),
        "due_on": due_on,
        "overdue": bool(due_on and due_on < timezone.localdate()),
        "available_actions": _evaluation_actions(evaluation, user),
        "timeline": _timeline(evaluation),
        "fields": {
            "document": str(document.pk),
            "title": document.title,
            "doc_number": document.doc_number.text if document.doc_number_id else None,
            "department": document.department.name,
            "valid_until": evaluation.valid_until.isoformat(),
            "requested_on": evaluation.requested_on.isoformat(),
            "proposal_due_on": evaluation.due_on.isoformat(),
            "confirm_due_on": evaluation.confirm_due_on.isoformat(),
            "proposal": evaluation.proposal,
            "reason": evaluation.reason,
            "new_valid_until": evaluation.new_valid_until.isoformat()
            if evaluation.new_valid_until
            else None,
            "escalated_on": evaluation.escalated_on.isoformat()
            if evaluation.escalated_on
            else None,
            **extra,
        },
    }


def _reload_evaluation(request, evaluation: ExpiryEvaluation) -> ExpiryEvaluation:
    return selectors.evaluations_for(request.user).get(pk=evaluation.pk)


def _campaign(request, campaign_id: str, *, write: bool = False) -> CleanupReview:
    _may_work_with_documents(request.user)
    return access(request.user, selectors.campaigns_for(request.user), campaign_id, write=write)


def _campaign_out(campaign: CleanupReview, user) -> dict:
    out = record_out(
        campaign,
        user,
        {
            "title": campaign.title,
            "basis": campaign.basis,
            "scope": campaign.scope,
            "scope_department": campaign.scope_department.name
            if campaign.scope_department_id
            else None,
            "scope_topic": campaign.scope_topic,
            "opened_on": campaign.opened_on.isoformat(),
            "proposals_due_on": campaign.proposals_due_on.isoformat(),
            "published_on": campaign.published_on.isoformat() if campaign.published_on else None,
            "result_note": campaign.result_note,
        },
    )
    if campaign.state == CleanupReview.State.OPEN:
        unproposed = campaign.items.filter(proposal="", result="").exists()
        out["due_on"] = campaign.proposals_due_on
        out["overdue"] = unproposed and campaign.proposals_due_on < timezone.localdate()
    return out


def _item_out(item) -> dict:
    document = item.document
    return {
        "id": str(item.pk),
        "document": str(document.pk),
        "title": document.title,
        "doc_number": document.doc_number.text if document.doc_number_id else None,
        "department": document.department.name,
        "proposal": item.proposal,
        "proposal_label": str(item.get_proposal_display()) if item.proposal else "",
        "proposal_reason": item.proposal_reason,
        "result": item.result,
        "result_label": str(item.get_result_display()) if item.result else "",
        "result_note": item.result_note,
    }


def _item(campaign: CleanupReview, item_id: str):
    try:
        pk = int(item_id)
    except (TypeError, ValueError):
        raise Http404 from None
    item = selectors.campaign_items(campaign).filter(pk=pk).first()
    if item is None:
        raise Http404
    return item


def _id_of(model, text: str | None, **scope):
    """The record with this id within `scope`, or None when absent or not an id."""
    if not text or not (text.isascii() and text.isdigit()) or len(text) > 18:
        return None
    return model.objects.filter(pk=int(text), **scope).first()


def _relative_out(document, kind: str = "", direction: str = "", label: str = "") -> dict:
    return {
        "document": str(document.pk),
        "title": document.title,
        "doc_number": document.doc_number.text if document.doc_number_id else None,
        "state": document.state,
        "kind": kind,
        "direction": direction,
        "label": str(label),
    }


# --- Evaluations ------------------------------------------------------------------------------


@router.get("/evaluations/", response=EvaluationPage, url_name="evaluations_list")
def evaluation_list(request, filters: Query[PageQuery]):
    """Evaluations before expiry of the caller's agencies, by state (proposal, confirmation,
    done), earliest proposal deadline first in pages (cursor: newest id first)."""
    _may_work_with_documents(request.user)
    state = filters.state.strip()
    if state and state not in EvaluationState.LABELS:
        raise InvalidInput(_("状态不存在。"), code="bad_state")
    page = paginate(
        selectors.evaluation_list(request.user, state=state),
        cursor=filters.cursor or None,
        limit=_limit(filters.limit),
    )
    today = timezone.localdate()
    items = []
    for row in selectors.evaluation_rows(page["items"], today):
        evaluation = row["evaluation"]
        document = evaluation.document
        items.append(
            {
                "id": str(evaluation.pk),
                "document": str(document.pk),
                "title": document.title,
                "doc_number": document.doc_number.text if document.doc_number_id else None,
                "department": document.department.name,
                "valid_until": evaluation.valid_until,
                "state": row["state"],
                "state_label": str(row["state_label"]),
                "proposal": evaluation.proposal,
                "due_on": row["due_on"],
                "overdue": row["overdue"],
                "escalated_on": evaluation.escalated_on,
            }
        )
    return {"items": items, "next_cursor": page["next_cursor"]}


@router.get("/evaluations/{evaluation_id}", response=EvaluationOut, url_name="evaluations_detail")
def evaluation_detail(request, evaluation_id: str):
    return _evaluation_out(_evaluation(request, evaluation_id), request.user)


@router.post(
    "/evaluations/{evaluation_id}/actions/propose",
    response=EvaluationOut,
    url_name="evaluations_propose",
)
def evaluation_propose(request, evaluation_id: str, body: EvaluationProposeIn):
    """The department's proposal: keep (with `new_valid_until`), revise, expire or repeal."""
    evaluation = _evaluation(request, evaluation_id, write=True)
    with transaction.atomic():
        _expect_evaluation(evaluation, body.expected_state)
        evaluation_services.evaluation_propose(
            actor=request.user,
            evaluation=evaluation,
            proposal=body.proposal,
            reason=body.reason,
            new_valid_until=body.new_valid_until,
        )
    return _evaluation_out(_reload_evaluation(request, evaluation), request.user)


@router.post(
    "/evaluations/{evaluation_id}/actions/confirm",
    response=EvaluationOut,
    url_name="evaluations_confirm",
)
def evaluation_confirm(request, evaluation_id: str, body: EvaluationConfirmIn):
    """The legal office confirms and the outcome applies; a revision answers the new draft's
    id in `fields.draft`."""
    evaluation = _evaluation(request, evaluation_id, write=True)
    with transaction.atomic():
        _expect_evaluation(evaluation, body.expected_state)
        outcome = evaluation_services.evaluation_confirm(
            actor=request.user, evaluation=evaluation, ended_on=body.ended_on
        )
    extra = {"draft": str(outcome.draft.pk) if outcome.draft else None}
    return _evaluation_out(_reload_evaluation(request, evaluation), request.user, **extra)


@router.post(
    "/evaluations/{evaluation_id}/actions/return",
    response=EvaluationOut,
    url_name="evaluations_return",
)
def evaluation_return(request, evaluation_id: str, body: EvaluationReturnIn):
    evaluation = _evaluation(request, evaluation_id, write=True)
    with transaction.atomic():
        _expect_evaluation(evaluation, body.expected_state)
        evaluation_services.evaluation_return(
            actor=request.user, evaluation=evaluation, reason=body.reason
        )
    return _evaluation_out(_reload_evaluation(request, evaluation), request.user)


# --- Cleanup campaigns ------------------------------------------------------------------------


@router.get("/cleanups/", response=CampaignPage, url_name="cleanups_list")
def campaign_list(request, filters: Query[PageQuery]):
    _may_work_with_documents(request.user)
    state = filters.state.strip()
    qs = selectors.campaign_list(request.user)
    if state:
        if state not in CleanupReview.State.values:
            raise InvalidInput(_("状态不存在。"), code="bad_state")
        qs = qs.filter(state=state)
    page = paginate(qs, cursor=filters.cursor or None, limit=_limit(filters.limit))
    return {
        "items": [
            {
                "id": str(campaign.pk),
                "title": campaign.title,
                "state": campaign.state,
                "state_label": str(campaign.get_state_display()),
                "scope": campaign.scope,
                "opened_on": campaign.opened_on,
                "proposals_due_on": campaign.proposals_due_on,
                "published_on": campaign.published_on,
                "item_count": campaign.item_count,
                "proposed_count": campaign.proposed_count,
                "confirmed_count": campaign.confirmed_count,
            }
            for campaign in page["items"]
        ],
        "next_cursor": page["next_cursor"],
    }


@router.post("/cleanups/", response={201: RecordOut}, url_name="cleanups_create")
def campaign_create(request, body: CampaignIn):
    """Open a cleanup over the documents in force today within the scope (legal office)."""
    _may_work_with_documents(request.user)
    legal = agencies_with_role(request.user, Role.LEGAL_OFFICER)
    if not legal:
        raise PermissionDenied
    if body.agency:
        agency = _id_of(Agency, body.agency, pk__in=legal)
        if agency is None:
            raise InvalidInput(_("机关不存在或您不是该机关的法制办。"), code="bad_agency")
    elif len(legal) == 1:
        agency = Agency.objects.get(pk=legal[0])
    else:
        raise InvalidInput(_("请指定机关。"), code="agency_required")
    department = None
    if body.scope == CleanupReview.Scope.DEPARTMENT:
        department = _id_of(Department, body.scope_department, agency=agency)
        if department is None:
            raise InvalidInput(_("请选择本机关的科室。"), code="department_required")
    campaign = cleanup_services.campaign_open(
        actor=request.user,
        agency=agency,
        title=body.title,
        basis=body.basis,
        scope=body.scope,
        scope_department=department,
        scope_topic=body.scope_topic,
    )
    return Status(201, _campaign_out(campaign, request.user))


@router.get("/cleanups/{campaign_id}", response=RecordOut, url_name="cleanups_detail")
def campaign_detail(request, campaign_id: str):
    return _campaign_out(_campaign(request, campaign_id), request.user)


@router.post(
    "/cleanups/{campaign_id}/actions/publish", response=RecordOut, url_name="cleanups_publish"
)
def campaign_publish(request, campaign_id: str, body: PublishIn):
    """Publish the result lists and apply them (every result must be confirmed)."""
    campaign = _campaign(request, campaign_id, write=True)
    with transaction.atomic():
        if body.expected_state is not None:
            current = CleanupReview.objects.select_for_update().get(pk=campaign.pk)
            if current.state != body.expected_state:
                raise Conflict(_("清理已被他人处理，请刷新后重试。"), code="state_changed")
        done = cleanup_services.campaign_publish(
            actor=request.user, campaign=campaign, result_note=body.result_note
        )
    return _campaign_out(done, request.user)


@router.get("/cleanups/{campaign_id}/items", response=ItemPage, url_name="cleanups_items")
def campaign_items(request, campaign_id: str, filters: Query[PageQuery]):
    campaign = _campaign(request, campaign_id)
    page = paginate(
        selectors.campaign_items(campaign),
        cursor=filters.cursor or None,
        limit=_limit(filters.limit),
    )
    return {"items": [_item_out(i) for i in page["items"]], "next_cursor": page["next_cursor"]}


@router.post(
    "/cleanups/{campaign_id}/items/{item_id}/actions/propose",
    response=ItemOut,
    url_name="cleanups_item_propose",
)
def item_propose(request, campaign_id: str, item_id: str, body: ItemProposeIn):
    """The department's proposal for one document of the cleanup, with its reason."""
    campaign = _campaign(request, campaign_id, write=True)
    item = _item(campaign, item_id)
    cleanup_services.cleanup_propose(
        actor=request.user, item=item, proposal=body.proposal, reason=body.reason
    )
    return _item_out(_item(campaign, item_id))


@router.post(
    "/cleanups/{campaign_id}/items/{item_id}/actions/confirm",
    response=ItemOut,
    url_name="cleanups_item_confirm",
)
def item_confirm(request, campaign_id: str, item_id: str, body: ItemConfirmIn):
    """The legal office's result for one document (a note when it departs from the proposal)."""
    campaign = _campaign(request, campaign_id, write=True)
    item = _item(campaign, item_id)
    cleanup_services.cleanup_confirm(
        actor=request.user, item=item, result=body.result, note=body.note
    )
    return _item_out(_item(campaign, item_id))


# --- Links ------------------------------------------------------------------------------------


def _document(request, record_id: str, *, write: bool = False):
    _may_work_with_documents(request.user)
    return access(request.user, documents_for(request.user), record_id, write=write)


@router.get("/documents/{record_id}/family", response=FamilyOut, url_name="documents_family")
def document_family(request, record_id: str):
    """Linked documents both ways, and the revision line, drafts included (staff view)."""
    found = selectors.family(_document(request, record_id), public=False)
    return {
        "relatives": [
            _relative_out(r.document, r.kind, r.direction, r.label) for r in found.relatives
        ],
        "lineage": [_relative_out(document) for document in found.lineage],
    }


@router.post("/documents/{record_id}/links", response={201: LinkOut}, url_name="documents_link_add")
def link_add(request, record_id: str, body: LinkIn):
    """The document (not yet issued) revises, repeals or rests on an issued document."""
    source = _document(request, record_id, write=True)
    target = _id_of(type(source), body.target, agency_id=source.agency_id)
    if target is None:
        raise InvalidInput(_("只能关联本机关已公布的文件。"), code="target_not_issued")
    link = link_services.link_add(actor=request.user, source=source, target=target, kind=body.kind)
    return Status(
        201,
        {
            "id": str(link.pk),
            "source": str(link.source_id),
            "target": str(link.target_id),
            "kind": link.kind,
            "kind_label": str(link.get_kind_display()),
        },
    )


@router.delete(
    "/documents/{record_id}/links/{link_id}",
    response={204: None},
    url_name="documents_link_remove",
)
def link_remove(request, record_id: str, link_id: str):
    source = _document(request, record_id, write=True)
    link = _id_of(DocumentLink, link_id, source=source)
    if link is None:
        raise Http404
    link_services.link_remove(actor=request.user, link=link)
    return Status(204, None)


# --- Public: published cleanup results ---------------------------------------------------------

public_router = Router(auth=None, tags=["public: rules"])


def _counts(campaign) -> dict[str, int]:
    return {
        result.value: getattr(campaign, f"{result.value}_count")
        for result in selectors.RESULT_ORDER
    }


@public_router.get("/", response=PublicCampaignPage, url_name="public_cleanups_list")
def public_cleanup_list(request, filters: Query[PublicPageQuery]):
    """Cleanups whose results are published, newest first, with the size of each list."""
    page = paginate(
        selectors.published_campaigns(), cursor=filters.cursor or None, limit=_limit(filters.limit)
    )
    return {
        "items": [
            {
                "id": str(campaign.pk),
                "title": campaign.title,
                "agency": campaign.agency.name,
                "published_on": campaign.published_on,
                "counts": _counts(campaign),
            }
            for campaign in page["items"]
        ],
        "next_cursor": page["next_cursor"],
    }


@public_router.get("/{campaign_id}", response=PublicCampaignOut, url_name="public_cleanups_detail")
def public_cleanup_detail(request, campaign_id: str):
    """The result lists 保留 / 修改 / 废止 / 宣布失效 with document numbers and titles."""
    campaign = selectors.public_campaign(campaign_id) if campaign_id.isdigit() else None
    if campaign is None:
        raise Http404
    groups = selectors.result_groups(selectors.public_result_items(campaign))
    return {
        "id": str(campaign.pk),
        "title": campaign.title,
        "agency": campaign.agency.name,
        "basis": campaign.basis,
        "published_on": campaign.published_on,
        "result_note": campaign.result_note,
        "results": [
            {
                "result": group["result"].value,
                "label": str(group["label"]),
                "documents": [
                    {
                        "document": str(item.document_id),
                        "title": item.document.title,
                        "doc_number": item.document.doc_number.text
                        if item.document.doc_number_id
                        else None,
                        "note": item.result_note,
                    }
                    for item in group["items"]
                ],
            }
            for group in groups
        ],
    }
