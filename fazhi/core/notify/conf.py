"""Site settings of the notification mechanism, read at call time so tests may override them.

Each value is a `FAZHI_*` Django setting with the default given here; none is a legal number,
so none is a per-agency setting except the reminder lead time (see `deadlines.reminder_workdays`).
"""

from __future__ import annotations

from django.conf import settings


def sms_gateway_path() -> str:
    """Dotted path of the SMS adapter class; the console adapter logs instead of sending."""
    return getattr(settings, "FAZHI_SMS_GATEWAY", "fazhi.core.notify.sms.ConsoleSmsGateway")


def max_attempts() -> int:
    """Sending attempts per delivery before it is given up as failed."""
    return int(getattr(settings, "FAZHI_NOTIFY_MAX_ATTEMPTS", 5))


def retry_base_seconds() -> int:
    """First retry delay; each later attempt waits twice as long, capped at 30 minutes."""
    return int(getattr(settings, "FAZHI_NOTIFY_RETRY_SECONDS", 60))


def requeue_after_minutes() -> int:
    """A delivery still pending this long after its last attempt is queued again by the sweep.

    Longer than the longest retry delay, so the sweep does not race a retry already queued.
    """
    return int(getattr(settings, "FAZHI_NOTIFY_REQUEUE_MINUTES", 45))


def reminder_workdays() -> int:
    """Site default for the reminder lead time; an agency's own setting overrides it."""
    return int(getattr(settings, "FAZHI_REMINDER_WORKDAYS", 3))


def deadline_channels() -> tuple[str, ...]:
    """Channels of deadline reminders and escalations."""
    return tuple(getattr(settings, "FAZHI_DEADLINE_CHANNELS", ("inbox", "email")))


def site_url() -> str:
    """Scheme and host put before internal paths in e-mails ("" leaves the path alone)."""
    return str(getattr(settings, "FAZHI_SITE_URL", "")).rstrip("/")
