"""待办 of disclosure requests: the legal office's open requests that are due soon or overdue."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fazhi.core.calendar import add_workdays
from fazhi.core.roles import Role
from fazhi.core.tenancy import agencies_with_role
from fazhi.disclosure.models import DisclosureRequest

# A reply due within this many working days appears as a task (the worklist's yellow).
DUE_SOON_WORKDAYS = 3
# The page lists at most this many; the worklist shows the rest.
LIMIT = 50


def request_tasks(user):
    """Open requests in the user's legal-office agencies due within 3 working days or overdue,
    earliest first, in one query (the roles are memoised on the user)."""
    from fazhi.workspace.tasks import Task

    agencies = agencies_with_role(user, Role.LEGAL_OFFICER)
    if not agencies:
        return
    horizon = add_workdays(timezone.localdate(), DUE_SOON_WORKDAYS)
    due = (
        DisclosureRequest.objects.filter(
            agency_id__in=agencies,
            state__in=DisclosureRequest.OPEN_STATES,
            due_on__lte=horizon,
        )
        .order_by("due_on", "pk")
        .values_list("pk", "tracking_number", "due_on", "state")[:LIMIT]
    )
    states = dict(DisclosureRequest.State.choices)
    module = _("政府信息公开")
    for pk, number, due_on, state in due:
        yield Task(
            _("答复申请 %(number)s（%(state)s）") % {"number": number, "state": states[state]},
            reverse("disclosure:request", args=[pk]),
            module,
            due_on,
        )
