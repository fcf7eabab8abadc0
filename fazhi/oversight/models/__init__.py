"""The oversight app's records, one module per area (see each module's docstring)."""

from fazhi.oversight.models.committees import (
    CommitteeCheckResult,
    CommitteeDisclosureItem,
    CommitteeItemOverride,
    CommitteePosting,
    Frequency,
)
from fazhi.oversight.models.evaluation import (
    Evaluation,
    EvaluationIndicator,
    EvaluationScheme,
    EvaluationScore,
    UnitKind,
)
from fazhi.oversight.models.findings import (
    AccountabilityRecord,
    Circular,
    Escalation,
    Finding,
    Rectification,
    Severity,
    Source,
)
from fazhi.oversight.models.spotchecks import (
    Checklist,
    ChecklistItem,
    Rating,
    ReviewerPoolMember,
    ReviewScore,
    SampledFile,
    SamplingPlan,
)
from fazhi.oversight.models.visits import (
    Inspection,
    InspectionContract,
    Mode,
    Supervisor,
    Visit,
    VisitChecklistItem,
    VisitPlan,
    VisitScore,
)

__all__ = [
    "AccountabilityRecord",
    "Checklist",
    "ChecklistItem",
    "Circular",
    "CommitteeCheckResult",
    "CommitteeDisclosureItem",
    "CommitteeItemOverride",
    "CommitteePosting",
    "Escalation",
    "Evaluation",
    "EvaluationIndicator",
    "EvaluationScheme",
    "EvaluationScore",
    "Finding",
    "Frequency",
    "Inspection",
    "InspectionContract",
    "Mode",
    "Rating",
    "Rectification",
    "ReviewScore",
    "ReviewerPoolMember",
    "SampledFile",
    "SamplingPlan",
    "Severity",
    "Source",
    "Supervisor",
    "UnitKind",
    "Visit",
    "VisitChecklistItem",
    "VisitPlan",
    "VisitScore",
]
