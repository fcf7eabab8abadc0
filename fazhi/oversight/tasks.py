"""待办 of the findings loop.

Department staff (clerks, head, liaison) see their department's rectifications awaiting
measures or evidence (整改中, including those sent back); the legal office sees those awaiting
verification and the 约谈 whose note is still to be recorded. Two queries at most, whatever
the rows; the page shows at most `LIMIT` of each (the worklist shows the rest).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from fazhi.core.roles import Role
from fazhi.core.tenancy import agencies_with_role, writable_agency_ids
from fazhi.oversight.models import Escalation, Rectification
from fazhi.oversight.permissions.base import department_ids

LIMIT = 50
State = Rectification.State


def _url(finding_id: int) -> str:
    from django.urls import reverse

    return reverse("oversight:finding_detail", args=[finding_id])


def finding_tasks(user):
    from fazhi.workspace.tasks import Task

    module = _("问题整改")
    writable = writable_agency_ids(user)
    units = department_ids(user)
    if units:
        rows = (
            Rectification.objects.filter(
                agency_id__in=writable,
                department_id__in=units,
                state__in=[State.AWAITING_MEASURES, State.RECTIFYING],
            )
            .order_by("due_on", "pk")
            .values_list("finding_id", "finding__title", "state", "due_on", "rejection_count")[
                :LIMIT
            ]
        )
        for finding_id, title, state, due_on, rejected in rows:
            if state == State.AWAITING_MEASURES:
                text = _("制定整改措施：%(title)s") % {"title": title}
            elif rejected:
                text = _("整改被驳回，请补充后重新提交：%(title)s") % {"title": title}
            else:
                text = _("完成整改并提交佐证材料：%(title)s") % {"title": title}
            yield Task(text, _url(finding_id), module, due_on)
    office = [a for a in agencies_with_role(user, Role.LEGAL_OFFICER) if a in writable]
    if office:
        rows = (
            Rectification.objects.filter(agency_id__in=office, state=State.SUBMITTED)
            .order_by("due_on", "pk")
            .values_list("finding_id", "finding__title", "due_on")[:LIMIT]
        )
        for finding_id, title, due_on in rows:
            yield Task(
                _("核验整改：%(title)s") % {"title": title}, _url(finding_id), module, due_on
            )
        interviews = (
            Escalation.objects.filter(
                rectification__agency_id__in=office, step=Escalation.Step.INTERVIEW, note=""
            )
            .order_by("taken_on", "pk")
            .values_list("rectification__finding_id", "rectification__finding__title", "taken_on")[
                :LIMIT
            ]
        )
        for finding_id, title, taken_on in interviews:
            yield Task(
                _("记录约谈情况：%(title)s") % {"title": title}, _url(finding_id), module, taken_on
            )
