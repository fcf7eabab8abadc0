from django.shortcuts import render

from fazhi.core.decorators import staff_permission_required
from fazhi.core.tenancy import access, scope
from fazhi.core.workflow_views import panel_context
from fazhi.testing.workflow_app.models import Memo


@staff_permission_required("workspace.view")
def memo_detail(request, memo_id):
    memo = access(request.user, scope(request.user, Memo.objects.all()), memo_id)
    return render(
        request,
        "workflow_demo/memo_detail.html",
        {"memo": memo, **panel_context(memo, request.user)},
    )
