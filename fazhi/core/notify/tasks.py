"""Celery tasks of the notification mechanism. Thin: the work is in `delivery` and `sweeps`."""

from __future__ import annotations

from fazhi.celery import app
from fazhi.core.notify.delivery import deliver_now


@app.task(bind=True, name="fazhi.notify.deliver", acks_late=True, max_retries=None)
def deliver(self, delivery_id: int) -> str:
    """Attempt one delivery; on a worker, a failed attempt comes back after a back-off delay.

    The delivery row, not Celery, counts the attempts (`max_retries=None`): the count survives
    a lost task and the requeue sweep. Run eagerly (the one-machine default) there is no worker
    to come back later, and retrying at once would hold up the request that sent the notice,
    so the delivery stays pending and the periodic requeue sweep makes the next attempt.
    """
    outcome = deliver_now(delivery_id)
    if outcome.retry_in is not None and not self.request.is_eager:
        raise self.retry(countdown=outcome.retry_in)
    return outcome.status


@app.task(name="fazhi.notify.sweep", acks_late=True)
def sweep() -> dict:
    """Run every periodic job (the beat schedule calls this every 30 minutes)."""
    from fazhi.core.notify.sweeps import run_sweeps

    return run_sweeps().counts
