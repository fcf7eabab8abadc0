"""The portal's pages of spot checks (案卷评查): published plans with everything needed to
re-draw them — the seed, the population (references, labels, units), the method and sizes, the
files drawn, and the procedure in plain Chinese with a short Python snippet.

Published means drawn: the draw is published the moment it is made. Reviewers' names and
scores stay inside (a file's result is a matter for the unit and its rectification); the
public sees what was drawn and that the draw was fair.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from fazhi.oversight import sampling
from fazhi.oversight.models import SamplingPlan
from fazhi.oversight.selectors import spotchecks as selectors


@require_GET
def plan_list(request: HttpRequest) -> HttpResponse:
    plans = list(selectors.public_plans()[:200])
    for plan in plans:
        plan.population_label = selectors.population_label(plan.population)
    return render(request, "oversight/public/plan_list.html", {"plans": plans})


def public_plan(plan_id) -> SamplingPlan:
    plan = (
        SamplingPlan.objects.filter(pk=plan_id, state__in=selectors.PUBLISHED)
        .select_related("agency", "checklist")
        .first()
    )
    if plan is None:
        raise Http404
    return plan


@require_GET
def plan_page(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = public_plan(plan_id)
    files = list(selectors.public_files(plan))
    population = plan.population_snapshot
    units = {}
    for row in population:
        units.setdefault(row["unit"], {"unit": row["unit"], "name": row["unit_name"], "n": 0})
        units[row["unit"]]["n"] += 1
    return render(
        request,
        "oversight/public/plan_detail.html",
        {
            "plan": plan,
            "population_label": selectors.population_label(plan.population),
            "population": population,
            "units": sorted(units.values(), key=lambda u: u["unit"]),
            "files": files,
            "snippet": sampling.PUBLIC_SNIPPET,
            "call": _call(plan),
        },
    )


def _call(plan: SamplingPlan) -> str:
    """The snippet's call for this plan (the population as published, in a list)."""
    if plan.method == SamplingPlan.Method.RATE:
        size = f'"rate", rate="{plan.rate.normalize():f}"'
    else:
        size = f'"count", count={plan.count}'
    return (
        f"files = [...]  # 上表“案卷清单”的（编号, 单位代码）\n"
        f'print(redraw("{plan.seed}", files, {size}, min_per_stratum={plan.min_per_stratum}))'
    )
