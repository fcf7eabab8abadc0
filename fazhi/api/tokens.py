"""Creating, checking and revoking API tokens; each creation and revocation is an event."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from fazhi.api.models import ApiToken
from fazhi.core import audit

TOKEN_PREFIX = "fz"  # noqa: S105 - a label, not a secret
# last_used_at is refreshed at most this often, so a busy integration does not write per call.
USE_RESOLUTION = timedelta(minutes=1)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_create(*, user, name: str = "", actor_name: str = "") -> tuple[ApiToken, str]:
    prefix = secrets.token_hex(4)
    token = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    with transaction.atomic():
        record = ApiToken.objects.create(
            user=user, name=name, prefix=prefix, key_hash=_digest(token)
        )
        audit.record(
            "api.token_create",
            actor=user,
            agency=user.home_agency,
            target=record,
            actor_name=actor_name,
            data={"prefix": prefix, "name": name},
        )
    return record, token


def token_revoke(*, record: ApiToken, actor_name: str = "") -> None:
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().get(pk=record.pk)
        if locked.revoked_at is None:
            locked.revoked_at = timezone.now()
            locked.save(update_fields=["revoked_at"])
            audit.record(
                "api.token_revoke",
                agency=locked.user.home_agency,
                target=locked,
                actor_name=actor_name,
                data={"prefix": locked.prefix},
            )


def user_for_token(token: str):
    """The active user behind a valid, unrevoked token, or None."""
    if not token.startswith(TOKEN_PREFIX + "_"):
        return None
    record = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_digest(token), revoked_at__isnull=True)
        .first()
    )
    if record is None or not record.user.is_active:
        return None
    now = timezone.now()
    if record.last_used_at is None or now - record.last_used_at > USE_RESOLUTION:
        ApiToken.objects.filter(pk=record.pk).update(last_used_at=now)
    return record.user
