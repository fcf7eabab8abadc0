"""SMS adapters (design principle 6: every outside integration is an adapter with a local fake).

A gateway sends one text to one mainland mobile number and returns the gateway's message id,
or raises when the message was not accepted (the delivery task then retries). The site chooses
the class with `FAZHI_SMS_GATEWAY`; a production adapter for the agency's SMS platform
implements the same `send(phone, text) -> str`.
"""

from __future__ import annotations

import logging
import threading
import uuid
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from fazhi.core.errors import InvalidInput
from fazhi.core.identity.masking import mask_phone
from fazhi.core.identity.validators import validate_mobile
from fazhi.core.notify import conf

logger = logging.getLogger("fazhi.sms")


def is_valid_phone(phone: str) -> bool:
    """A mainland mobile number by the platform's one rule (core.identity)."""
    try:
        validate_mobile(phone or "")
    except InvalidInput:
        return False
    return True


@runtime_checkable
class SmsGateway(Protocol):
    def send(self, phone: str, text: str) -> str:
        """Send `text` to `phone`; return the gateway's message id; raise if not accepted."""
        ...


class ConsoleSmsGateway:
    """Development adapter: writes the message to the `fazhi.sms` log instead of sending it."""

    def send(self, phone: str, text: str) -> str:
        message_id = f"console-{uuid.uuid4().hex}"
        logger.info("SMS %s to %s: %s", message_id, mask_phone(phone), text)
        return message_id


@dataclass(frozen=True)
class SentSms:
    phone: str
    text: str
    message_id: str


class RecordingSmsGateway:
    """Test adapter: keeps every message in `sent`, so tests can read exactly what went out."""

    def __init__(self) -> None:
        self.sent: list[SentSms] = []
        self._lock = threading.Lock()

    def send(self, phone: str, text: str) -> str:
        with self._lock:
            message_id = f"recorded-{len(self.sent) + 1}"
            self.sent.append(SentSms(phone, text, message_id))
        return message_id

    def clear(self) -> None:
        with self._lock:
            self.sent.clear()


_instances: dict[str, SmsGateway] = {}
_instances_lock = threading.Lock()


def gateway() -> SmsGateway:
    """The configured gateway, one instance per class path for the life of the process."""
    path = conf.sms_gateway_path()
    with _instances_lock:
        instance = _instances.get(path)
        if instance is None:
            try:
                instance = import_string(path)()
            except ImportError as exc:
                raise ImproperlyConfigured(f"FAZHI_SMS_GATEWAY: cannot import {path!r}") from exc
            if not isinstance(instance, SmsGateway):
                raise ImproperlyConfigured(f"FAZHI_SMS_GATEWAY: {path!r} has no send(phone, text)")
            _instances[path] = instance
    return instance
