"""Demo data: what the departments did with the findings the other areas opened (visits,
inspections, spot checks, the committee check), so the demo year looks like a year of work and
not a pile of untouched findings.

Each such finding is taken through the same steps a department takes (`findings.walk`, through
the services with their `on=` dates, the ladder on the days the sweep would have climbed it).
The story of a finding is chosen by its id, so a second run takes the same path and, being
idempotent step by step, changes nothing: most were fixed on time, some late after the
督办单, some are still being fixed, the newest wait for measures.
"""

from __future__ import annotations

from django.utils import timezone

from fazhi.core.calendar import add_workdays
from fazhi.core.roles import Role
from fazhi.oversight.demo.findings import _user, walk
from fazhi.oversight.models import Rectification
from fazhi.oversight.services import findings as services

# One story in five of each: fixed on time (three), fixed late, still being fixed.
STORIES = ("on_time", "on_time", "on_time", "late", "fixing")


def steps_of(story: str, days: int, ladder: dict[str, int]) -> list[tuple[int, str]]:
    """(working days after the handing over, step) for a deadline of `days` working days."""
    if story == "on_time":
        return [(3, "measures"), (days - 2, "submit"), (days, "verify")]
    if story == "late":
        # After the 督办单, before the 约谈: submitted and verified late.
        late = days + ladder["interview"] - 2
        return [(5, "measures"), (late, "submit"), (late + 1, "verify")]
    return [(4, "measures")]


def build(agency) -> int:
    """Walk the other areas' findings; returns how many changed state in this run."""
    officer = _user(agency, Role.LEGAL_OFFICER)
    if officer is None:
        return 0
    today = timezone.localdate()
    ladder = services.ladder_settings(agency)
    changed = 0
    pending = (
        Rectification.objects.filter(agency=agency)
        .exclude(finding__source_ref__startswith="demo.findings:")
        .select_related("finding", "department")
        .order_by("pk")
    )
    for rect in pending:
        days = services.rectify_workdays(agency, rect.finding.severity)
        # The handing over: the deadline is the n-th working day after it (finding_open).
        start = add_workdays(rect.due_on, -days)
        steps = steps_of(STORIES[rect.pk % len(STORIES)], days, ladder)
        before = rect.state
        walk(agency, rect, start, steps, today, officer, ladder, key=f"aftercare-{rect.pk}")
        rect.refresh_from_db()
        changed += rect.state != before
    return changed
