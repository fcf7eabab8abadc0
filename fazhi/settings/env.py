"""All configuration read from the environment, in one place.

Every module of the settings package reads its configuration through these helpers, so that
`FAZHI_*` variables mean the same under dev, test and production.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
# Data that lives beside the code checkout (SQLite file, uploads, collected static files).
# The default is ./var of the working directory, never inside an installed package.
VAR_DIR = Path(os.environ.get("FAZHI_VAR_DIR") or Path.cwd() / "var").resolve()


def get(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def require(name: str) -> str:
    """Return the variable or refuse to start: used by production settings."""
    value = get(name)
    if value is None:
        raise ImproperlyConfigured(
            f"Fazhi refuses to start: environment variable {name} is not set."
        )
    return value


def flag(name: str, default: bool = False) -> bool:
    value = get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def integer(name: str, default: int) -> int:
    value = get(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}.") from exc


def listing(name: str, default: list[str] | None = None) -> list[str]:
    value = get(name)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


def database(url: str) -> dict:
    config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # Writers wait instead of failing at once when gunicorn workers overlap.
        config["CONN_MAX_AGE"] = 0
        config.setdefault("OPTIONS", {})["timeout"] = 20
        config["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    return config


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"
