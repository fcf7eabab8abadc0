"""The navigation's 政府信息公开 entry: the first area of the three the user works in."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.views.decorators.http import require_GET

# In the order of the tabs: requests (法制办, leaders), catalogue (also departments), reports.
AREAS = (
    ("disclosure.view_list", "disclosure:requests"),
    ("disclosure.view_catalogue", "disclosure:records"),
    ("disclosure.view_reports", "disclosure:reports"),
)


@require_GET
@login_required
def home(request):
    for perm, name in AREAS:
        if request.user.has_perm(perm):
            return redirect(name)
    raise PermissionDenied
