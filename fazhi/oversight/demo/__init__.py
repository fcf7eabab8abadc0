"""Demo data of the oversight app: a year of checks, visits, findings in every state and a
published evaluation, built area by area through the services (each area's `build` is
idempotent and dates nothing after the day it runs).

The order matters: findings of the legal office first, then the spot checks (over the rules
and disclosure demos' records), the visits and inspections, the committee disclosure check,
then what the departments did with the findings those opened (`aftercare`), and last the
evaluation, which reads what the others produced.
"""

from __future__ import annotations

from importlib import import_module

AREAS = ("findings", "spotchecks", "visits", "committees", "aftercare", "evaluation")


def build_oversight_demo(agency) -> dict[str, int]:
    """Build every area's demo; returns the number of records each area created."""
    created = {}
    for area in AREAS:
        module = import_module(f"fazhi.oversight.demo.{area}")
        result = module.build(agency)
        # An area returns the number created or the records themselves.
        created[area] = result if isinstance(result, int) else len(result or ())
    return created
