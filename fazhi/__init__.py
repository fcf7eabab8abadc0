"""Fazhi (法治): law-based administration for Chinese government agencies."""

__version__ = "0.1.0"

from .celery import app as celery_app  # loaded with Django so tasks register

__all__ = ("celery_app",)
