"""Writes of the notification mechanism: sending notices and marking them read.

`notify()` runs inside the caller's transaction (a workflow service calls it after changing
its record), so a rolled-back change leaves no notice. E-mail and SMS are queued only after
the outermost commit (design: never queue a task inside an open transaction).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence

from django.core.exceptions import ValidationError
from django.core.validators import validate_email, validate_slug
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fazhi.core.errors import InvalidInput
from fazhi.core.identity.validators import validate_mobile
from fazhi.core.notify import sms
from fazhi.core.notify.models import Delivery, Notification, validate_internal_path
from fazhi.core.notify.selectors import access_notification

logger = logging.getLogger("fazhi.notify")

INBOX = "inbox"
CHANNELS = frozenset({INBOX, Delivery.Channel.EMAIL.value, Delivery.Channel.SMS.value})


def notify(
    *,
    recipients: Iterable,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    target: models.Model | None = None,
    agency=None,
    dedupe_key: str | None = None,
    channels: Sequence[str] = (INBOX,),
    phones: Mapping[int, str] | None = None,
) -> list[Notification]:
    """Send one notice to each recipient; return the notices created by this call.

    - Inactive accounts and repeated recipients are skipped.
    - With `dedupe_key`, a recipient who already has a notice with that key gets nothing
      (enforced by a unique constraint, so two concurrent calls still create one notice).
    - `channels` names where the notice goes: "inbox", "email" (the account's e-mail address),
      "sms" (the number in `phones`, keyed by recipient id: the caller supplies it).
    - Deliveries without an address are recorded as skipped, never silently dropped.

    Raises InvalidInput before writing anything when an argument breaks a rule.
    """
    title = (title or "").strip()
    _validate(kind=kind, title=title, url=url, dedupe_key=dedupe_key, channels=channels)
    outside = [c for c in dict.fromkeys(channels) if c != INBOX]
    phones = dict(phones or {})
    if Delivery.Channel.SMS in outside:
        # One validation rule for the platform (core.identity); numbers go out normalised.
        try:
            phones = {pk: validate_mobile(phone) for pk, phone in phones.items()}
        except InvalidInput as exc:
            raise InvalidInput(_("手机号码格式不正确。"), code="invalid_phone") from exc

    people = _unique_active(recipients)
    with transaction.atomic():
        if dedupe_key is not None:
            done = _already_notified([p.pk for p in people], dedupe_key)
            people = [p for p in people if p.pk not in done]
        rows = [
            Notification(
                agency=agency,
                recipient=person,
                kind=kind,
                title=title,
                body=body,
                url=url,
                target_type=target._meta.label_lower if target is not None else "",
                target_id=str(target.pk) if target is not None else "",
                target_repr=str(target)[:255] if target is not None else "",
                in_inbox=INBOX in channels,
                dedupe_key=dedupe_key,
            )
            for person in people
        ]
        created = _insert_notifications(rows, dedupe_key)
        deliveries = _insert(
            Delivery,
            [
                _delivery(notification, channel, phones)
                for notification in created
                for channel in outside
            ],
        )
        pending = [d.pk for d in deliveries if d.status == Delivery.Status.PENDING]
        if pending:
            # robust: a broker that is down must not turn a committed change into an error;
            # the deliveries stay pending and the sweep queues them again.
            transaction.on_commit(lambda: queue_deliveries(pending), robust=True)
    return created


def queue_deliveries(delivery_ids: Iterable[int]) -> int:
    """Hand deliveries to the task queue. Call only outside a transaction (after commit)."""
    from fazhi.core.notify.tasks import deliver

    queued = 0
    for delivery_id in delivery_ids:
        try:
            deliver.delay(delivery_id)
            queued += 1
        except Exception:  # the broker is unreachable: the requeue sweep will retry
            logger.exception("Could not queue delivery %s", delivery_id)
    return queued


def notification_mark_read(*, actor, notification_id) -> Notification:
    """Mark one of the actor's own notices read (again: no change). Http404 for any other."""
    with transaction.atomic():
        notification = access_notification(actor, notification_id, for_update=True)
        if notification.read_at is None:
            notification.read_at = timezone.now()
            notification.save(update_fields=["read_at"])
    return notification


def notification_mark_all_read(*, actor) -> int:
    """Mark every unread notice of the actor read; returns how many changed.

    One conditional UPDATE: a notice arriving meanwhile is either included or stays unread.
    """
    return Notification.objects.filter(recipient=actor, in_inbox=True, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def _validate(*, kind, title, url, dedupe_key, channels) -> None:
    try:
        validate_slug(kind)
    except ValidationError as exc:
        raise InvalidInput(
            _("通知类型只能包含字母、数字、连字符和下划线。"), code="invalid_kind"
        ) from exc
    if not title or len(title) > 200 or "\n" in title or "\r" in title:
        raise InvalidInput(_("通知标题须为一行，且不超过 200 个字。"), code="invalid_title")
    try:
        validate_internal_path(url)
    except ValidationError as exc:
        raise InvalidInput(_("链接必须是本站内以“/”开头的路径。"), code="invalid_url") from exc
    if dedupe_key is not None and not (0 < len(dedupe_key) <= 200):
        raise InvalidInput(_("去重键须为 1 至 200 个字符。"), code="invalid_dedupe_key")
    if not channels or not set(channels) <= CHANNELS:
        raise InvalidInput(_("未知的通知渠道。"), code="unknown_channel")


def _unique_active(recipients: Iterable) -> list:
    seen: set[int] = set()
    people = []
    for person in recipients:
        if person.pk in seen or not person.is_active:
            continue
        seen.add(person.pk)
        people.append(person)
    return people


def _already_notified(recipient_ids: list[int], dedupe_key: str) -> set[int]:
    return set(
        Notification.objects.filter(
            recipient_id__in=recipient_ids, dedupe_key=dedupe_key
        ).values_list("recipient_id", flat=True)
    )


def _insert_notifications(rows: list[Notification], dedupe_key: str | None) -> list[Notification]:
    if not rows or dedupe_key is None:
        return _insert(Notification, rows)
    try:
        with transaction.atomic():
            return _insert(Notification, rows)
    except IntegrityError:
        pass
    # A concurrent call notified someone between the check and the insert: insert one by one,
    # each in its own savepoint, and leave out whoever the constraint says already has it.
    created = []
    for row in rows:
        row.pk = None
        row._state.adding = True
        try:
            with transaction.atomic():
                row.save(force_insert=True)
        except IntegrityError:
            if not Notification.objects.filter(
                recipient_id=row.recipient_id, dedupe_key=dedupe_key
            ).exists():
                raise
            continue
        created.append(row)
    return created


def _insert(model: type[models.Model], rows: list) -> list:
    """Insert rows and return them with their primary keys."""
    if not rows:
        return []
    if connection.features.can_return_rows_from_bulk_insert:
        return model.objects.bulk_create(rows)
    for row in rows:
        row.save(force_insert=True)
    return rows


def _delivery(notification: Notification, channel: str, phones: Mapping[int, str]) -> Delivery:
    if channel == Delivery.Channel.EMAIL:
        address = (notification.recipient.email or "").strip()
        try:
            validate_email(address)
        except ValidationError:
            address = ""
        masked = _mask_email(address)
        reason = _("未设置有效的电子邮件地址。")
    else:
        address = phones.get(notification.recipient_id, "")
        masked = sms.mask_phone(address) if address else ""
        reason = _("未提供手机号码。")
    if not address:
        return Delivery(
            notification=notification,
            channel=channel,
            status=Delivery.Status.SKIPPED,
            error=str(reason),
        )
    return Delivery(
        notification=notification, channel=channel, address=address, address_masked=masked
    )


def _mask_email(address: str) -> str:
    if "@" not in address:
        return ""
    local, domain = address.rsplit("@", 1)
    return f"{local[:1]}***@{domain}"
