"""Single-machine settings used by `make run`: SQLite in var/, in-process jobs, no TLS.

The secret key is generated once into var/secret_key, so no secret ever lives in code.
"""

from __future__ import annotations

import base64
import secrets

from . import env
from .base import *  # noqa: F403
from .base import VAR_DIR


def _secret_key() -> str:
    configured = env.get("FAZHI_SECRET_KEY")
    if configured:
        return configured
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


def _identity_key() -> str:
    """Like the secret key: generated once into var/, never in code."""
    configured = env.get("FAZHI_IDENTITY_KEY")
    if configured:
        return configured
    path = VAR_DIR / "identity_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(base64.b64encode(secrets.token_bytes(32)).decode())
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
FAZHI_IDENTITY_KEY = _identity_key()
ALLOWED_HOSTS = env.listing("FAZHI_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
FAZHI_DEMO_SKIP_OTP = env.flag("FAZHI_DEMO_SKIP_OTP", True)
