"""The Celery app: eager without Redis, a Redis broker with it, Django settings win, beat runs
the sweep."""

import os
import subprocess
import sys
import tempfile

import pytest

from fazhi import celery as fazhi_celery
from fazhi.core.notify import tasks
from fazhi.core.notify.sweeps import registered_sweeps


def test_without_redis_tasks_run_in_process():
    assert fazhi_celery.app.conf.task_always_eager is True
    assert fazhi_celery.app.conf.broker_url == "memory://"


def test_with_redis_tasks_go_to_workers():
    code = (
        "import django; django.setup(); from fazhi import celery_app as app; "
        "print(app.conf.broker_url, app.conf.task_always_eager, app.conf.task_acks_late)"
    )
    env = {
        **os.environ,
        "FAZHI_REDIS_URL": "redis://10.0.0.5:6379/1",
        "DJANGO_SETTINGS_MODULE": "fazhi.settings.dev",
        "FAZHI_VAR_DIR": tempfile.mkdtemp(),
    }
    env.pop("FAZHI_TEST_DATABASE_URL", None)
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.stdout.split() == ["redis://10.0.0.5:6379/1", "False", "True"], result.stderr


def test_beat_runs_the_sweep_every_thirty_minutes():
    schedule = fazhi_celery.app.conf.beat_schedule
    assert schedule["fazhi-sweep"] == {"task": "fazhi.notify.sweep", "schedule": 1800}
    assert schedule["fazhi-sweep"]["task"] in fazhi_celery.app.tasks


@pytest.mark.django_db
def test_the_sweep_task_runs_every_job():
    result = tasks.sweep.delay().get()
    assert set(result) == set(registered_sweeps())
    assert {"deadlines", "deliveries"} <= set(result)
