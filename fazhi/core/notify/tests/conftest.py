"""Fixtures of the notification tests: eager Celery, the recording SMS gateway, clean registries."""

from __future__ import annotations

import pytest

from fazhi.core.notify import deadlines, sms, sweeps


@pytest.fixture(autouse=True)
def eager_celery():
    """Tasks run in the test's process, and their errors reach the test."""
    from fazhi.celery import app

    keys = ("task_always_eager", "task_eager_propagates")
    saved = {key: app.conf[key] for key in keys}
    app.conf.update(task_always_eager=True, task_eager_propagates=True)
    yield app
    app.conf.update(saved)


@pytest.fixture
def sms_outbox(settings):
    """The recording gateway, empty, as the configured SMS adapter."""
    settings.FAZHI_SMS_GATEWAY = "fazhi.core.notify.sms.RecordingSmsGateway"
    outbox = sms.gateway()
    outbox.clear()
    yield outbox
    outbox.clear()


@pytest.fixture
def use_gateway(settings):
    """Configure a gateway class by path with a fresh instance; returns that instance."""
    used: list[str] = []

    def configure(path: str):
        settings.FAZHI_SMS_GATEWAY = path
        sms._instances.pop(path, None)
        used.append(path)
        return sms.gateway()

    yield configure
    for path in used:
        sms._instances.pop(path, None)


CORE_JOBS = ("deadlines", "deliveries")


@pytest.fixture
def registries():
    """Let a test register sweep jobs and deadline sources, and restore the real ones after."""
    jobs, sources = dict(sweeps._JOBS), dict(deadlines._SOURCES)
    deadlines._SOURCES.clear()
    # Only the core jobs: the domain apps' own sweeps are tested in their apps.
    for name in list(sweeps._JOBS):
        if name not in CORE_JOBS:
            del sweeps._JOBS[name]
    yield
    sweeps._JOBS.clear()
    sweeps._JOBS.update(jobs)
    deadlines._SOURCES.clear()
    deadlines._SOURCES.update(sources)
