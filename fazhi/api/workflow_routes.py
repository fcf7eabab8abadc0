"""The generic API of a workflow collection, reused by every domain app.

`register_workflow_routes(router, ...)` adds
- `GET /<collection>/{id}`: the record with `state`, `due_on`, `overdue`, `available_actions`
  for the caller and its `timeline`;
- `POST /<collection>/{id}/actions/{action}`: run an action through core.workflow.perform.
Missing and forbidden records answer 404; refusals carry the error shape of fazhi.api.api.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from ninja import Router, Schema

from fazhi.core import workflow
from fazhi.core.errors import InvalidInput, NotAllowed
from fazhi.core.tenancy import access


class ActionIn(Schema):
    comment: str = ""
    # The state the caller saw; a different current state answers 409 instead of acting.
    expected_state: str | None = None
    data: dict[str, Any] = {}


class AvailableAction(Schema):
    name: str
    label: str
    kind: str
    comment_required: bool


class TimelineEntry(Schema):
    seq: int
    at: str
    actor: str
    verb: str
    from_state: str
    to_state: str
    comment: str


class RecordOut(Schema):
    id: str
    state: str
    state_label: str
    due_on: date | None = None
    overdue: bool = False
    available_actions: list[AvailableAction]
    timeline: list[TimelineEntry]
    fields: dict[str, Any]


def record_out(record, user, fields: dict[str, Any] | None = None) -> dict:
    spec = workflow.workflow_of(record)
    state = getattr(record, spec.state_field)
    due_on = getattr(record, "due_on", None)
    closed = getattr(record, "is_closed", False)
    return {
        "id": str(record.pk),
        "state": state,
        "state_label": str(
            dict(type(record)._meta.get_field(spec.state_field).flatchoices).get(state, state)
        ),
        "due_on": due_on,
        "overdue": bool(due_on and not closed and due_on < timezone.localdate()),
        "available_actions": workflow.available_actions(record, user),
        "timeline": [
            {
                "seq": e.seq,
                "at": e.at.isoformat(),
                "actor": e.actor_name,
                "verb": e.verb,
                "from_state": e.from_state,
                "to_state": e.to_state,
                "comment": str(e.data.get("comment", "")),
            }
            for e in workflow.timeline(record)
        ],
        "fields": fields or {},
    }


def register_workflow_routes(
    router: Router,
    *,
    collection: str,
    queryset: Callable[[Any], QuerySet],
    fields: Callable[[Any], dict[str, Any]] = lambda record: {},
    resolve_data: Callable[[Any, Any, dict], dict] | None = None,
    read_permission: str | None = None,
) -> None:
    """Add the detail and action endpoints for `collection` to `router`.

    `queryset(user)` is the app's selector of what the user may see; `fields(record)` the
    record's own data; `resolve_data(record, user, data)` turns ids in the body into objects;
    `read_permission` the object permission that opens a record of the user's own agency
    (refused with 403, as on the pages, where the queryset would answer 404).
    """

    def _open(request, record_id: str, *, write: bool = False):
        record = access(request.user, queryset(request.user), record_id, write=write)
        if read_permission and not request.user.has_perm(read_permission, record):
            raise NotAllowed("无权查看此记录。", code="forbidden")
        return record

    @router.get(f"/{collection}/{{record_id}}", response=RecordOut, url_name=f"{collection}_detail")
    def detail(request, record_id: str):
        record = _open(request, record_id)
        return record_out(record, request.user, fields(record))

    @router.post(
        f"/{collection}/{{record_id}}/actions/{{action}}",
        response=RecordOut,
        url_name=f"{collection}_action",
    )
    def act(request, record_id: str, action: str, body: ActionIn):
        record = _open(request, record_id, write=True)
        data = dict(body.data)
        if resolve_data is not None:
            data = resolve_data(record, request.user, data)
        elif data:
            raise InvalidInput("此操作不接受附加数据。", code="unexpected_data")
        done = workflow.perform(
            record,
            action,
            actor=request.user,
            comment=body.comment,
            expected_state=body.expected_state,
            **data,
        )
        return record_out(done, request.user, fields(done))
