"""Deploy check: the encryption keys are configured and usable (`fazhi check --deploy`)."""

from __future__ import annotations

from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from fazhi.core.identity import crypto


def check_identity_keys(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    try:
        crypto.keyring()
    except ImproperlyConfigured as exc:
        return [
            checks.Error(
                str(exc),
                hint="Set FAZHI_IDENTITY_KEY (and FAZHI_IDENTITY_OLD_KEYS while rotating).",
                id="identity.E001",
            )
        ]
    return []
