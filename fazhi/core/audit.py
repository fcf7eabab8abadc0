"""Writing and verifying the hash-chained event log.

`record()` is the only way an `Event` is written. It must run inside the transaction of the change
it records (services open one), so a rolled-back change leaves no event and vice versa.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fazhi.core.errors import InvalidInput
from fazhi.core.http import client_ip
from fazhi.core.models import ChainHead, Event

GENESIS = "0" * 64


def _canonical(event: Event) -> str:
    body = {
        "seq": event.seq,
        "agency": event.agency_id,
        "actor": event.actor_id,
        "actor_name": event.actor_name,
        "verb": event.verb,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "target_repr": event.target_repr,
        "from_state": event.from_state,
        "to_state": event.to_state,
        "result": event.result,
        "ip": event.ip,
        "data": event.data,
        "at": event.at.astimezone(UTC).isoformat(timespec="microseconds"),
    }
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def compute_hash(prev_hash: str, event: Event) -> str:
    return hashlib.sha256((prev_hash + _canonical(event)).encode()).hexdigest()


def record(
    verb: str,
    *,
    actor=None,
    agency=None,
    target: models.Model | None = None,
    from_state: str = "",
    to_state: str = "",
    result: str = Event.Result.OK,
    request: HttpRequest | None = None,
    ip: str | None = None,
    data: dict[str, Any] | None = None,
    actor_name: str = "",
    target_ref: tuple[str, str, str] | None = None,
) -> Event:
    """Append one event to the chain. Locks the chain head for the length of the transaction.

    `target` is the record acted on; `target_ref` (type label, id, text) names one that is not
    at hand as an instance (e.g. the record a countersign opinion is about).
    """
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    if target_ref is not None:
        target_type, target_id, target_repr = target_ref
    elif target is not None:
        target_type, target_id, target_repr = target._meta.label_lower, str(target.pk), str(target)
    else:
        target_type = target_id = target_repr = ""
    with transaction.atomic():
        head, _ = ChainHead.objects.select_for_update().get_or_create(id=1)
        event = Event(
            seq=head.seq + 1,
            agency=agency,
            actor=actor,
            actor_name=actor_name or (actor.get_username() if actor else ""),
            verb=verb,
            target_type=target_type,
            target_id=target_id,
            target_repr=target_repr[:255],
            from_state=from_state,
            to_state=to_state,
            result=result,
            ip=ip or (client_ip(request) if request is not None else None),
            data=data or {},
            # Microsecond precision is what both SQLite and PostgreSQL keep, so the hash
            # computed now is the hash recomputed from the stored row.
            at=timezone.now(),
            prev_hash=head.hash,
        )
        event.hash = compute_hash(head.hash, event)
        event.save()
        ChainHead.objects.filter(id=1).update(seq=event.seq, hash=event.hash)
    return event


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str = ""


def verify_chain(batch_size: int = 2000) -> VerifyResult:
    """Recompute every link in order; name the first event whose hash does not hold."""
    head = ChainHead.objects.filter(id=1).first()
    prev = head.anchor_hash if head else GENESIS
    checked = 0
    expected_seq = head.anchor_seq + 1 if head else None
    for event in _iter_events(batch_size):
        if expected_seq is not None and event.seq != expected_seq:
            return VerifyResult(False, checked, expected_seq, "missing")
        if event.prev_hash != prev:
            return VerifyResult(False, checked, event.seq, "prev_hash")
        if compute_hash(prev, event) != event.hash:
            return VerifyResult(False, checked, event.seq, "hash")
        prev = event.hash
        checked += 1
        expected_seq = event.seq + 1
    if head is not None and head.hash != prev:
        return VerifyResult(False, checked, (expected_seq or 1), "head")
    return VerifyResult(True, checked)


def prune(*, retention_days: int, now=None, actor_name: str = "fazhi audit prune") -> int:
    """Delete events older than the retention period, keeping the chain verifiable.

    The oldest events form a prefix of the chain (seq and time both grow), so the retained
    events still link to each other; the anchor records where the retained chain begins. The
    prune itself is appended as an event. Refuses a retention below the legal minimum.
    """
    minimum = settings.FAZHI_AUDIT_RETENTION_MIN_DAYS
    if retention_days < minimum:
        raise InvalidInput(
            _("审计日志至少保存 %(n)d 天（《网络安全法》第二十一条）。") % {"n": minimum},
            code="retention_too_short",
        )
    cutoff = (now or timezone.now()) - timedelta(days=retention_days)
    with transaction.atomic():
        # Hold the chain head so no event is appended while the prefix is cut.
        ChainHead.objects.select_for_update().get_or_create(id=1)
        last_old = Event.objects.filter(at__lt=cutoff).order_by("-seq").first()
        if last_old is None:
            return 0
        doomed = Event.objects.filter(seq__lte=last_old.seq)
        count = doomed.count()
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # The trigger lets a DELETE through only inside this transaction's prune.
                cursor.execute("SET LOCAL fazhi.audit_prune = 'on'")
        # QuerySet.delete() is refused on events; the raw delete is this function's privilege.
        doomed._raw_delete(doomed.db)
        ChainHead.objects.filter(id=1).update(anchor_seq=last_old.seq, anchor_hash=last_old.hash)
        record(
            "audit.prune",
            actor_name=actor_name,
            data={
                "deleted": count,
                "through_seq": last_old.seq,
                "anchor_hash": last_old.hash,
                "retention_days": retention_days,
            },
        )
    return count


def _iter_events(batch_size: int) -> Iterator[Event]:
    last = 0
    while True:
        batch = list(Event.objects.filter(seq__gt=last).order_by("seq")[:batch_size])
        if not batch:
            return
        yield from batch
        last = batch[-1].seq
