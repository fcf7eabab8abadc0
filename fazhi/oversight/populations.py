"""Populations of case files for spot checks, given by the modules that own the cases.

A module registers a `Population` from its AppConfig.ready(); this module never imports their
models. `files(agency, start, end)` returns the case files of the period: each with a reference
stable for ever ("<key>:<id>"), a label, and the unit (department) that handled it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class CaseFile:
    ref: str
    label: str
    department_id: int
    day: date


@dataclass(frozen=True)
class Population:
    key: str
    label: str
    files: Callable[[object, date, date], Sequence[CaseFile]]


_POPULATIONS: dict[str, Population] = {}


def register_population(population: Population) -> Population:
    known = _POPULATIONS.get(population.key)
    if known is not None and known.files is not population.files:
        raise ImproperlyConfigured(f"Population {population.key!r} is registered twice")
    _POPULATIONS[population.key] = population
    return population


def population(key: str) -> Population | None:
    return _POPULATIONS.get(key)


def populations() -> list[Population]:
    return sorted(_POPULATIONS.values(), key=lambda p: p.key)
