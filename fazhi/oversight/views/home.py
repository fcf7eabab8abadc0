"""The navigation's 监督 entry: the first area of the oversight app the user works in."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.views.decorators.http import require_GET

# In the order of the tabs.
AREAS = (
    ("oversight.view_findings", "oversight:findings"),
    ("oversight.view_spot_checks", "oversight:spot_checks"),
    ("oversight.view_visits", "oversight:visits"),
    ("oversight.view_inspections", "oversight:inspections"),
    ("oversight.view_committees", "oversight:committees"),
    ("oversight.view_evaluations", "oversight:evaluations"),
)


@require_GET
@login_required
def home(request):
    for perm, name in AREAS:
        if request.user.has_perm(perm):
            return redirect(name)
    raise PermissionDenied
