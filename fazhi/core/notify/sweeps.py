"""Periodic jobs ("sweeps"): a registry, and `run_sweeps()` behind `fazhi sweep` and Celery beat.

A job is `func(now) -> int`, the number of notices (or deliveries) it produced. Jobs only remind,
escalate and retry (design principle 4): they must be safe to run twice and in parallel, which
each job achieves with deduplication keys rather than with a lock around the whole run.
One job failing does not stop the others; the run is recorded as one "sweep.run" audit event.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from fazhi.core import audit

logger = logging.getLogger("fazhi.notify")

SweepJob = Callable[[datetime], int]

_JOBS: dict[str, SweepJob] = {}


class PartialSweepFailure(Exception):
    """Raised by a job that finished its work but had parts fail (already logged).

    Carries the count of what did succeed, so the run records both.
    """

    def __init__(self, count: int, failures: list[str]):
        self.count = count
        self.failures = failures
        super().__init__(f"{len(failures)} part(s) failed")


@dataclass
class SweepReport:
    at: datetime
    counts: dict[str, int] = field(default_factory=dict)
    # Job name → short descriptions of what failed.
    failures: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.failures

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def register_sweep(name: str, func: SweepJob) -> SweepJob:
    """Add a periodic job (from an AppConfig.ready()); registering a name again replaces it."""
    _JOBS[name] = func
    return func


def registered_sweeps() -> dict[str, SweepJob]:
    return dict(_JOBS)


def run_sweeps(*, now: datetime | None = None, only: list[str] | None = None) -> SweepReport:
    """Run every registered job (or those named in `only`) and record the run.

    Must be called outside a transaction: each job commits its own notices as it goes, so an
    interrupted run keeps what it did and the next run completes the rest.
    """
    now = now or timezone.now()
    report = SweepReport(at=now)
    for name, func in _JOBS.items():
        if only is not None and name not in only:
            continue
        try:
            report.counts[name] = int(func(now))
        except PartialSweepFailure as exc:
            report.counts[name] = exc.count
            report.failures[name] = exc.failures
        except Exception as exc:  # one broken job must not stop the others
            logger.exception("Sweep job %s failed", name)
            report.counts[name] = 0
            report.failures[name] = [describe(exc)]
    with transaction.atomic():
        audit.record(
            "sweep.run",
            actor_name="fazhi sweep",
            data={
                "at": now.isoformat(),
                "counts": report.counts,
                "failures": report.failures,
            },
        )
    return report


def describe(exc: BaseException) -> str:
    """A short line for the audit record: the type and the first 200 characters."""
    return f"{exc.__class__.__name__}: {exc}"[:200]
