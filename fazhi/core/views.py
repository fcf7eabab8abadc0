"""The audit administrator's event log page and its CSV export (for off-host archiving)."""

from __future__ import annotations

import csv

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fazhi.core import audit
from fazhi.core.decorators import staff_permission_required
from fazhi.core.forms import StyledForm
from fazhi.core.models import Event
from fazhi.core.selectors import events_for_auditor

PAGE_SIZE = 50
EXPORT_LIMIT = 100_000


class EventFilterForm(StyledForm):
    verb = forms.CharField(label=_("操作"), required=False, max_length=80)
    actor = forms.CharField(label=_("操作人"), required=False, max_length=150)
    result = forms.ChoiceField(
        label=_("结果"), required=False, choices=[("", _("全部")), *Event.Result.choices]
    )
    since = forms.DateField(
        label=_("起始日期"),
        required=False,
        widget=forms.DateInput({"type": "date"}, format="%Y-%m-%d"),
    )
    until = forms.DateField(
        label=_("截止日期"),
        required=False,
        widget=forms.DateInput({"type": "date"}, format="%Y-%m-%d"),
    )


def _filtered(request: HttpRequest):
    form = EventFilterForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return form, events_for_auditor(request.user, **form.cleaned_data)
    return form, events_for_auditor(request.user)


@staff_permission_required("core.view_event")
def audit_list(request: HttpRequest) -> HttpResponse:
    form, qs = _filtered(request)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "core/audit_list.html",
        {"form": form, "page": page, "query": query.urlencode()},
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


class _Echo:
    def write(self, value):
        return value


@staff_permission_required("core.view_event")
def audit_export(request: HttpRequest) -> StreamingHttpResponse:
    _form, qs = _filtered(request)
    audit.record(
        "audit.export", actor=request.user, request=request, data=dict(request.GET.items())
    )
    header = [
        "seq",
        "at",
        "agency",
        "actor",
        "verb",
        "target_type",
        "target_id",
        "target",
        "from_state",
        "to_state",
        "result",
        "ip",
        "data",
        "prev_hash",
        "hash",
    ]

    def rows():
        writer = csv.writer(_Echo())
        yield "\ufeff"  # BOM so that Excel opens the Chinese text correctly
        yield writer.writerow(header)
        for e in qs.order_by("seq")[:EXPORT_LIMIT].iterator(chunk_size=2000):
            yield writer.writerow(
                [
                    e.seq,
                    e.at.isoformat(),
                    e.agency.name if e.agency else "",
                    e.actor_name,
                    e.verb,
                    e.target_type,
                    e.target_id,
                    e.target_repr,
                    e.from_state,
                    e.to_state,
                    e.result,
                    e.ip or "",
                    e.data,
                    e.prev_hash,
                    e.hash,
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="fazhi-audit-{stamp}.csv"'
    return response
