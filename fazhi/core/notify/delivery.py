"""Sending one delivery, at most once, however often its task runs.

The task may run twice (a retry, a redelivery after a worker died, the requeue sweep): each run
locks the delivery row and sends only while it is pending, and the row records the outcome in
the same transaction. A send that raised leaves the delivery pending with its error and attempt
count, and the task retries later; after the last attempt the delivery is marked failed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import make_msgid
from urllib.parse import urlsplit

from django.core import mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fazhi.core.notify import conf, sms
from fazhi.core.notify.models import Delivery, Notification

logger = logging.getLogger("fazhi.notify")

SMS_MAX_CHARS = 300
MAX_RETRY_DELAY_SECONDS = 30 * 60


@dataclass(frozen=True)
class Outcome:
    status: str
    # Seconds to wait before the next attempt, when one is due.
    retry_in: int | None = None


def deliver_now(delivery_id: int) -> Outcome:
    """Attempt one delivery. The caller must not hold a transaction (this opens its own)."""
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related("notification__recipient")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None:
            # Deleted with its notification (the recipient's account was removed).
            return Outcome("missing")
        if delivery.status != Delivery.Status.PENDING:
            return Outcome(delivery.status)
        now = timezone.now()
        delivery.attempts += 1
        delivery.updated_at = now
        if not delivery.notification.recipient.is_active:
            _finish(delivery, Delivery.Status.SKIPPED, error=_("接收人账号已停用。"))
            return Outcome(delivery.status)
        try:
            message_id = _send(delivery)
        except Exception as exc:  # any refusal of a mail server or gateway is retried
            logger.warning(
                "Delivery %s (%s) attempt %s failed: %s",
                delivery.pk,
                delivery.channel,
                delivery.attempts,
                exc.__class__.__name__,
            )
            error = f"{exc.__class__.__name__}: {exc}"[:1000]
            if delivery.attempts >= conf.max_attempts():
                _finish(delivery, Delivery.Status.FAILED, error=error)
                logger.error(
                    "Delivery %s given up after %s attempts", delivery.pk, delivery.attempts
                )
                return Outcome(delivery.status)
            delivery.error = error
            delivery.save(update_fields=["attempts", "updated_at", "error"])
            return Outcome(delivery.status, retry_in=retry_delay(delivery.attempts))
        delivery.sent_at = now
        delivery.message_id = (message_id or "")[:200]
        _finish(delivery, Delivery.Status.SENT, error="")
        return Outcome(delivery.status)


def retry_delay(attempts: int) -> int:
    """Exponential back-off: base, 2×base, 4×base … capped at 30 minutes."""
    return min(conf.retry_base_seconds() * 2 ** max(attempts - 1, 0), MAX_RETRY_DELAY_SECONDS)


def requeue_stale_deliveries(now: datetime) -> int:
    """Queue again deliveries left pending (queue lost, process killed before the commit hook).

    Registered as a periodic sweep. A delivery already queued is harmless to queue again: the
    task sends only while the row is pending.
    """
    from fazhi.core.notify.services import queue_deliveries

    cutoff = now - timedelta(minutes=conf.requeue_after_minutes())
    ids = list(
        Delivery.objects.filter(status=Delivery.Status.PENDING, updated_at__lt=cutoff)
        .order_by("id")
        .values_list("id", flat=True)
    )
    return queue_deliveries(ids)


def _finish(delivery: Delivery, status: str, *, error: str) -> None:
    delivery.status = status
    delivery.error = error
    # The full address was needed only to send; the masked one stays for the record.
    delivery.address = ""
    delivery.save(
        update_fields=[
            "status",
            "attempts",
            "updated_at",
            "sent_at",
            "message_id",
            "error",
            "address",
        ]
    )


def _send(delivery: Delivery) -> str:
    notification = delivery.notification
    if delivery.channel == Delivery.Channel.EMAIL:
        # Our own Message-ID: it is the id we record, and Django's default would look up the
        # host's DNS name.
        message_id = make_msgid(domain=urlsplit(conf.site_url()).hostname or "fazhi.localhost")
        message = mail.EmailMessage(
            subject=notification.title,
            body=_email_body(notification),
            to=[delivery.address],
            headers={"Message-ID": message_id, "X-Fazhi-Notification": str(notification.pk)},
        )
        message.send(fail_silently=False)
        return message_id
    if delivery.channel == Delivery.Channel.SMS:
        return sms.gateway().send(delivery.address, _sms_text(notification))
    raise ValueError(f"unknown channel {delivery.channel!r}")


def _email_body(notification: Notification) -> str:
    parts = [notification.body.strip()] if notification.body.strip() else []
    if notification.url:
        parts.append(_("查看详情：%(url)s") % {"url": conf.site_url() + notification.url})
    parts.append(_("此邮件由法治工作平台自动发送，请勿直接回复。"))
    return "\n\n".join(parts)


def _sms_text(notification: Notification) -> str:
    body = notification.body.strip()
    text = f"{notification.title}：{body}" if body else notification.title
    return text[:SMS_MAX_CHARS]
