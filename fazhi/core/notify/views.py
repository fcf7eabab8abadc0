"""The inbox pages: the list, mark one read (htmx swaps the row), mark all read."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fazhi.core.decorators import staff_permission_required
from fazhi.core.notify.selectors import inbox_for
from fazhi.core.notify.services import notification_mark_all_read, notification_mark_read

PAGE_SIZE = 20


def _page(request: HttpRequest):
    return Paginator(inbox_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))


@staff_permission_required("workspace.view")
def inbox(request: HttpRequest) -> HttpResponse:
    return render(request, "notify/inbox.html", {"page": _page(request)})


@require_POST
@staff_permission_required("workspace.view")
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = notification_mark_read(actor=request.user, notification_id=pk)
    if request.POST.get("open") and notification.url:
        # The url was checked to be an internal path when the notice was created.
        return redirect(notification.url)
    if request.htmx:
        return render(request, "notify/_mark_read.html", {"n": notification})
    return redirect("notify:inbox")


@require_POST
@staff_permission_required("workspace.view")
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = notification_mark_all_read(actor=request.user)
    if request.htmx:
        return render(request, "notify/_inbox_list.html", {"page": _page(request), "oob": True})
    if count:
        messages.success(request, _("已将 %(n)d 条消息标为已读。") % {"n": count})
    return redirect("notify:inbox")
