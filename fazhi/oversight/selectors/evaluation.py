"""Reads of the comprehensive evaluation (综合考评), scoped by agency and role.

Department heads see published evaluations only; the legal office, leaders and district
oversight see every evaluation and scheme of the agencies they read. Each list is one query
(plus the ones of `select_related`), whatever the number of rows.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet

from fazhi.core.roles import Role
from fazhi.core.tenancy import agencies_with_role, readable_agency_ids, scope
from fazhi.oversight import indicators as registry
from fazhi.oversight.models import (
    Evaluation,
    EvaluationIndicator,
    EvaluationScheme,
    EvaluationScore,
    UnitKind,
)


def _full_readers(user) -> list[int]:
    """Agencies whose unpublished evaluations and schemes the user reads."""
    readable = readable_agency_ids(user)
    ids = set(agencies_with_role(user, Role.LEGAL_OFFICER, Role.LEADER)) & readable
    if agencies_with_role(user, Role.DISTRICT_OVERSEER):
        ids |= readable
    return sorted(ids)


def evaluations_for(user) -> QuerySet[Evaluation]:
    full = _full_readers(user)
    heads = agencies_with_role(user, Role.DEPARTMENT_HEAD)
    return (
        scope(user, Evaluation.objects.all())
        .filter(Q(agency_id__in=full) | Q(agency_id__in=heads, state=Evaluation.State.PUBLISHED))
        .select_related("agency", "scheme")
    )


def evaluation_list(user, *, state: str = "", unit_kind: str = "") -> QuerySet[Evaluation]:
    rows = evaluations_for(user).annotate(units=Count("scores"))
    if state:
        rows = rows.filter(state=state)
    if unit_kind:
        rows = rows.filter(scheme__unit_kind=unit_kind)
    return rows.order_by("-period_end", "-pk")


def schemes_for(user) -> QuerySet[EvaluationScheme]:
    return (
        EvaluationScheme.objects.filter(agency_id__in=_full_readers(user))
        .select_related("agency", "previous")
        .prefetch_related(
            Prefetch("indicators", queryset=EvaluationIndicator.objects.order_by("order", "pk"))
        )
    )


def scheme_list(user) -> list[EvaluationScheme]:
    return list(schemes_for(user).order_by("agency__name", "name", "-version"))


def active_schemes(agency_ids) -> QuerySet[EvaluationScheme]:
    return EvaluationScheme.objects.filter(
        agency_id__in=list(agency_ids), state=EvaluationScheme.State.ACTIVE
    ).order_by("name")


def scores_of(evaluation: Evaluation) -> list[EvaluationScore]:
    return list(
        EvaluationScore.objects.filter(evaluation=evaluation)
        .select_related("department", "subdistrict")
        .order_by("rank", "department__sort_order", "subdistrict__sort_order", "pk")
    )


def unit_name(score: EvaluationScore) -> str:
    unit = score.department if score.unit_kind == UnitKind.DEPARTMENT else score.subdistrict
    return unit.name if unit is not None else ""


def basis_text(key: str, basis: dict) -> str:
    """ "评查案卷数 2，触及否决项 0，…" with the indicator's labels."""
    indicator = registry.get_indicator(key)
    labels = indicator.basis_labels if indicator is not None else {}
    return "，".join(f"{labels.get(k, k)} {v}" for k, v in (basis or {}).items())


def indicator_rows(evaluation: Evaluation) -> list[EvaluationIndicator]:
    return list(evaluation.scheme.indicators.order_by("order", "pk"))


def ranking(evaluation: Evaluation) -> dict:
    """The ranking with each unit's breakdown, and the data of the two charts."""
    columns = indicator_rows(evaluation)
    rows = []
    for score in scores_of(evaluation):
        parts = {part["key"]: part for part in score.breakdown}
        cells = []
        for column in columns:
            part = parts.get(column.key) or {}
            cells.append(
                {
                    "key": column.key,
                    "label": part.get("label") or column.label,
                    "weight": part.get("weight") or str(column.weight),
                    "effective_weight": part.get("effective_weight"),
                    "value": part.get("value"),
                    "weighted": part.get("weighted"),
                    "basis": part.get("basis") or {},
                    "basis_text": basis_text(column.key, part.get("basis") or {}),
                }
            )
        rows.append({"score": score, "unit": unit_name(score), "cells": cells})
    chart = {
        "units": [row["unit"] for row in rows],
        "totals": [float(row["score"].total) for row in rows],
        "series": [
            {
                "name": column.label,
                "data": [float(Decimal(row["cells"][n]["weighted"] or 0)) for row in rows],
            }
            for n, column in enumerate(columns)
        ],
    }
    return {"columns": columns, "rows": rows, "chart": chart}
