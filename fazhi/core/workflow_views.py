"""The staff side of core.workflow: one POST endpoint for every record's action buttons.

A domain app registers its workflow model with the selector that decides what a user may see
and the URL of a record's page; the record page includes `includes/workflow_panel.html`, which
shows the available actions as buttons (with a reason box where one is required) and the
timeline. The same services run as for the API.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from fazhi.core import workflow
from fazhi.core.errors import DomainError
from fazhi.core.tenancy import access


@dataclass(frozen=True)
class WorkflowPage:
    queryset: Callable[[object], QuerySet]
    detail_url: Callable[[object], str]


_PAGES: dict[str, WorkflowPage] = {}


def register_workflow_page(model, *, queryset, detail_url) -> None:
    _PAGES[model._meta.label_lower] = WorkflowPage(queryset=queryset, detail_url=detail_url)


def panel_context(record, user) -> dict:
    """Context for includes/workflow_panel.html."""
    return {
        "workflow_record": record,
        "workflow_label": record._meta.label_lower,
        "workflow_state": getattr(record, workflow.workflow_of(record).state_field),
        "workflow_actions": workflow.available_actions(record, user),
        "workflow_timeline": workflow.timeline(record),
    }


@require_POST
def perform_action(request: HttpRequest, label: str, record_id: str, action: str) -> HttpResponse:
    if not request.user.is_authenticated:
        raise Http404
    page = _PAGES.get(label)
    if page is None:
        raise Http404
    record = access(request.user, page.queryset(request.user), record_id, write=True)
    try:
        workflow.perform(
            record,
            action,
            actor=request.user,
            comment=request.POST.get("comment", "")[:2000],
            expected_state=request.POST.get("expected_state") or None,
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
        response = redirect(page.detail_url(record))
        # Not a success: the page shows why; htmx callers can read the status.
        response.status_code = 303
        return response
    messages.success(request, "操作已完成。")
    return redirect(page.detail_url(record))
