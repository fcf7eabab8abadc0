"""The oversight app's permissions (`rules` predicates), one module per area."""

import rules

from fazhi.oversight.permissions import committees, evaluation, findings, spotchecks, visits

# The navigation entry: any of the areas.
rules.add_perm(
    "oversight.view_area",
    findings.works_with_findings
    | spotchecks.works_with_spot_checks
    | visits.works_with_visits
    | visits.works_with_inspections
    | committees.works_with_committees
    | evaluation.works_with_evaluations,
)
