"""Public API of the oversight app: published sampling plans and their draws, at
/api/public/oversight/ (no login).

- `GET /plans`: published (drawn) plans, newest draw first, cursor-paginated;
- `GET /plans/{id}`: one plan with its seed, method and sizes, the population as drawn from
  (reference, label, unit) and the files drawn in draw order — everything needed to re-draw it
  (the procedure is in `fazhi.oversight.sampling`'s docstring and on the portal page).

A plan still in draft answers 404 like one that does not exist. Reviewers and scores are not
published.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django.http import Http404
from ninja import Query, Router, Schema

from fazhi.api.pagination import paginate
from fazhi.oversight import sampling
from fazhi.oversight.selectors import spotchecks as selectors

public_router = Router(auth=None, tags=["公开"])
_ID = re.compile(r"[0-9]{1,12}")


class PopulationRowOut(Schema):
    ref: str
    label: str
    unit: int
    unit_name: str


class DrawnOut(Schema):
    order: int
    ref: str
    label: str
    unit: int
    unit_name: str


class PublicPlanOut(Schema):
    id: str
    agency: str
    title: str
    population: str
    population_label: str
    period_start: dt.date
    period_end: dt.date
    method: str
    rate: Decimal | None
    count: int | None
    min_per_stratum: int
    seed: str
    population_size: int | None
    population_digest: str
    drawn_at: dt.datetime | None
    state: str


class PublicPlanDetailOut(PublicPlanOut):
    population_files: list[PopulationRowOut]
    drawn: list[DrawnOut]
    procedure: str


class PublicPlanPage(Schema):
    items: list[PublicPlanOut]
    next_cursor: str | None


class PlanListQuery(Schema):
    cursor: str = ""
    limit: int = 50


def _out(plan) -> dict:
    return {
        "id": str(plan.pk),
        "agency": plan.agency.name,
        "title": plan.title,
        "population": plan.population,
        "population_label": selectors.population_label(plan.population),
        "period_start": plan.period_start,
        "period_end": plan.period_end,
        "method": plan.method,
        "rate": plan.rate,
        "count": plan.count,
        "min_per_stratum": plan.min_per_stratum,
        "seed": plan.seed,
        "population_size": plan.population_size,
        "population_digest": plan.population_digest,
        "drawn_at": plan.drawn_at,
        "state": plan.state,
    }


@public_router.get("/plans", response=PublicPlanPage, url_name="public_oversight_plans")
def plan_list(request, filters: Query[PlanListQuery]):
    page = paginate(selectors.public_plans(), cursor=filters.cursor or None, limit=filters.limit)
    return {"items": [_out(p) for p in page["items"]], "next_cursor": page["next_cursor"]}


@public_router.get(
    "/plans/{plan_id}", response=PublicPlanDetailOut, url_name="public_oversight_plan"
)
def plan_detail(request, plan_id: str):
    if not _ID.fullmatch(plan_id or ""):
        raise Http404
    plan = selectors.public_plans().filter(pk=int(plan_id)).first()
    if plan is None:
        raise Http404
    return {
        **_out(plan),
        "population_files": [
            {"ref": r["ref"], "label": r["label"], "unit": r["unit"], "unit_name": r["unit_name"]}
            for r in plan.population_snapshot
        ],
        "drawn": [
            {
                "order": f.draw_order,
                "ref": f.case_ref,
                "label": f.case_label,
                "unit": f.department_id,
                "unit_name": f.department.name,
            }
            for f in selectors.public_files(plan)
        ],
        "procedure": sampling.__doc__ or "",
    }
