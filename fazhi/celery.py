"""The Celery app (design: jobs run in-process in the embedded default, on workers with Redis).

Configuration comes from Django settings under the `CELERY_` prefix (fazhi/settings/base.py):
with `FAZHI_REDIS_URL`, a Redis broker and real workers; without it, tasks run eagerly in the
calling process (the one-machine default), so no code path needs a broker that is not there.

Worker: `DJANGO_SETTINGS_MODULE=fazhi.settings.production celery -A fazhi worker`; periodic jobs:
`celery -A fazhi beat` (or `fazhi sweep` from cron, which runs the same jobs).
"""

from __future__ import annotations

from celery import Celery

# DJANGO_SETTINGS_MODULE is deliberately not defaulted here: this module is imported with the
# `fazhi` package, and a worker started without it must fail rather than run on dev settings.
app = Celery("fazhi")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
