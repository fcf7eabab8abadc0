"""The permission matrix: every role against every page and action.

`Expect` states who may do what; a refused POST must leave the database as it was, which is
checked by fingerprinting the tables the action would touch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.apps import apps
from django.db import models


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    url: Callable[[dict], str]
    allowed: frozenset[str]
    data: Callable[[dict], dict] = field(default=lambda ctx: {})
    # Status for an allowed role; refused roles get `denied_status`.
    ok_status: Iterable[int] = (200,)
    denied_status: int = 403


def fingerprint(model_labels: Iterable[str]) -> dict[str, list[tuple]]:
    """Every row of the given models, as comparable tuples."""
    result = {}
    for label in model_labels:
        model: type[models.Model] = apps.get_model(label)
        names = [f.attname for f in model._meta.concrete_fields]
        result[label] = sorted(
            tuple(str(v) for v in row) for row in model.objects.values_list(*names)
        )
    return result
