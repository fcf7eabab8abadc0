"""Running calls at the same moment, for the PostgreSQL concurrency tests."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

from django.db import connections


def run_together(calls: Sequence[Callable[[], object]]) -> tuple[list, list]:
    """Start every call in its own thread behind one barrier, so they hit the database at once;
    returns (results, errors) for the test to assert. Each thread closes its connections."""
    barrier = threading.Barrier(len(calls))
    results, errors = [], []
    lock = threading.Lock()

    def run(call):
        try:
            barrier.wait()
            value = call()
            with lock:
                results.append(value)
        except Exception as exc:  # collected and asserted by the test
            with lock:
                errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors
