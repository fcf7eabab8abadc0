"""Fazhi (法治): law-based administration for Chinese government agencies."""

__version__ = "0.1.0"

from .celery import app as celery_app  # noqa: E402 - loads the Celery app with Django

__all__ = ("celery_app",)
