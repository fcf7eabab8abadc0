"""Reads of spot checks (案卷评查), scoped to what the user may see, with their joins.

Lists fetch their rows and counts in a fixed number of queries whatever the number of plans or
files (the list pages test it). Results per unit read the scores kept on `SampledFile`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Avg, Count, Q, QuerySet

from fazhi.core.tenancy import scope
from fazhi.oversight.models import (
    Checklist,
    Rating,
    ReviewerPoolMember,
    SampledFile,
    SamplingPlan,
)
from fazhi.oversight.populations import population, populations

PUBLISHED = (SamplingPlan.State.DRAWN, SamplingPlan.State.COMPLETED)


def population_label(key: str) -> str:
    found = population(key)
    return str(found.label) if found else key


def population_choices() -> list[tuple[str, str]]:
    return [(p.key, str(p.label)) for p in populations()]


def plans_for(user) -> QuerySet[SamplingPlan]:
    """Plans of the agencies the user may read, with their file counts."""
    return (
        scope(user, SamplingPlan.objects.all())
        .select_related("agency", "checklist", "drawn_by", "created_by")
        .annotate(
            file_count=Count("files", distinct=True),
            reviewed_count=Count(
                "files", filter=Q(files__state=SampledFile.State.REVIEWED), distinct=True
            ),
            fail_count=Count("files", filter=Q(files__rating=Rating.FAIL), distinct=True),
        )
    )


def plan_files(plan: SamplingPlan) -> QuerySet[SampledFile]:
    return (
        SampledFile.objects.filter(plan=plan)
        .select_related("department", "reviewer", "finding")
        .order_by("draw_order")
    )


def checklists_for(user) -> QuerySet[Checklist]:
    return (
        scope(user, Checklist.objects.all())
        .select_related("agency")
        .annotate(
            item_count=Count("items", distinct=True),
            plan_count=Count("plans", distinct=True),
        )
        .order_by("agency__name", "-active", "population", "name")
    )


def pool_for(user) -> QuerySet[ReviewerPoolMember]:
    return (
        scope(user, ReviewerPoolMember.objects.all())
        .select_related("agency", "user", "department")
        .order_by("agency__name", "-active", "department__sort_order", "user__display_name")
    )


def workload(agency_ids) -> dict[tuple[int, int], dict[str, int]]:
    """{(agency_id, user_id): {"pending": n, "reviewed": n}} over every plan, in one query."""
    rows = (
        SampledFile.objects.filter(plan__agency_id__in=list(agency_ids))
        .values("plan__agency_id", "reviewer_id")
        .annotate(
            pending=Count("pk", filter=Q(state=SampledFile.State.PENDING)),
            reviewed=Count("pk", filter=Q(state=SampledFile.State.REVIEWED)),
        )
        .order_by()
    )
    return {
        (row["plan__agency_id"], row["reviewer_id"]): {
            "pending": row["pending"],
            "reviewed": row["reviewed"],
        }
        for row in rows
    }


def files_for(user) -> QuerySet[SampledFile]:
    """Every file of the agencies the user may read (the role check is the caller's)."""
    return scope(
        user,
        SampledFile.objects.select_related(
            "plan__agency", "plan__checklist", "department", "reviewer", "finding"
        ),
        field="plan__agency",
    )


def my_files(user) -> QuerySet[SampledFile]:
    """The files drawn (or handed) to the user, pending first, oldest draw first."""
    return (
        SampledFile.objects.filter(reviewer=user)
        .exclude(plan__state=SamplingPlan.State.DRAFT)
        .select_related("plan__agency", "department")
        .order_by("state", "plan__drawn_at", "draw_order")
    )


@dataclass
class UnitResult:
    department_id: int
    name: str
    files: int = 0
    reviewed: int = 0
    excellent: int = 0
    passed: int = 0
    failed: int = 0
    vetoed: int = 0
    average: Decimal | None = None
    plans: set = field(default_factory=set)

    @property
    def pass_rate(self) -> Decimal | None:
        if not self.reviewed:
            return None
        return (Decimal(100) * (self.excellent + self.passed) / self.reviewed).quantize(
            Decimal("0.1")
        )


def results_by_unit(files: QuerySet[SampledFile]) -> list[UnitResult]:
    """Per unit that handled the files: counts by rating and the average score (of the files
    reviewed), in one query."""
    rows = (
        files.order_by()
        .values("department_id", "department__name", "department__sort_order")
        .annotate(
            files=Count("pk"),
            reviewed=Count("pk", filter=Q(state=SampledFile.State.REVIEWED)),
            excellent=Count("pk", filter=Q(rating=Rating.EXCELLENT)),
            passed=Count("pk", filter=Q(rating=Rating.PASS)),
            failed=Count("pk", filter=Q(rating=Rating.FAIL)),
            vetoed=Count("pk", filter=Q(vetoed=True)),
            average=Avg("score", filter=Q(state=SampledFile.State.REVIEWED)),
        )
        .order_by("department__sort_order", "department__name")
    )
    return [
        UnitResult(
            department_id=row["department_id"],
            name=row["department__name"],
            files=row["files"],
            reviewed=row["reviewed"],
            excellent=row["excellent"],
            passed=row["passed"],
            failed=row["failed"],
            vetoed=row["vetoed"],
            average=(
                Decimal(str(row["average"])).quantize(Decimal("0.1"))
                if row["average"] is not None
                else None
            ),
        )
        for row in rows
    ]


def public_plans() -> QuerySet[SamplingPlan]:
    """Published plans (drawn or completed) of every agency, newest draw first."""
    return (
        SamplingPlan.objects.filter(state__in=PUBLISHED)
        .select_related("agency", "checklist")
        .annotate(file_count=Count("files"))
        .order_by("-drawn_at", "-pk")
    )


def public_files(plan: SamplingPlan) -> QuerySet[SampledFile]:
    return (
        SampledFile.objects.filter(plan=plan)
        .select_related("department")
        .only(
            "pk",
            "plan_id",
            "case_ref",
            "case_label",
            "department__name",
            "draw_order",
            "state",
        )
        .order_by("draw_order")
    )
