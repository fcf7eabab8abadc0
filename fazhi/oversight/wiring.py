"""What the oversight app plugs into the Foundation mechanisms, area by area.

Called once from `OversightConfig.ready()`. Each area module keeps its own `ready()`.
"""

from __future__ import annotations


def ready() -> None:
    from fazhi.oversight.services import committees, evaluation, findings, spotchecks, visits

    findings.ready()
    spotchecks.ready()
    visits.ready()
    committees.ready()
    evaluation.ready()
