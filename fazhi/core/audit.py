"""Writing and verifying the hash-chained event log.

`record()` is the only way an `Event` is written. It must run inside the transaction of the change
it records (services open one), so a rolled-back change leaves no event and vice versa.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

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
) -> Event:
    """Append one event to the chain. Locks the chain head for the length of the transaction."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    with transaction.atomic():
        head, _ = ChainHead.objects.select_for_update().get_or_create(id=1)
        event = Event(
            seq=head.seq + 1,
            agency=agency,
            actor=actor,
            actor_name=actor_name or (actor.get_username() if actor else ""),
            verb=verb,
            target_type=target._meta.label_lower if target is not None else "",
            target_id=str(target.pk) if target is not None else "",
            target_repr=str(target)[:255] if target is not None else "",
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
    prev = GENESIS
    checked = 0
    expected_seq = None
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
    head = ChainHead.objects.filter(id=1).first()
    if head is not None and head.hash != prev:
        return VerifyResult(False, checked, (expected_seq or 1), "head")
    return VerifyResult(True, checked)


def _iter_events(batch_size: int) -> Iterator[Event]:
    last = 0
    while True:
        batch = list(Event.objects.filter(seq__gt=last).order_by("seq")[:batch_size])
        if not batch:
            return
        yield from batch
        last = batch[-1].seq
