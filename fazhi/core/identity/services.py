"""Revealing a full number to a person: an explicit action with a reason, on the record."""

from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from fazhi.core import audit
from fazhi.core.errors import InvalidInput, NotAllowed
from fazhi.core.identity import conf
from fazhi.core.identity.fields import EncryptedIdentifierField
from fazhi.core.identity.kinds import spec
from fazhi.core.identity.protected import Protected

REVEAL_VERB = "identity.reveal"


def identity_reveal(
    *,
    actor,
    obj: models.Model,
    field: str,
    reason: str,
    request: HttpRequest | None = None,
) -> str:
    """Return the full number in `obj.<field>` and record who saw it, when and why.

    Preconditions: the caller fetched `obj` through its app's `access_*` selector, so `actor`
    may read it; this service enforces the reason and writes the event "identity.reveal"
    (target, field, kind, reason and the masked form, never the number). Nothing is written
    when the reason is missing or the number cannot be decrypted.
    """
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise NotAllowed()
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("查看完整号码必须填写理由。"), code="reason_required")
    limit = conf.reveal_reason_max_length()
    if len(reason) > limit:
        raise InvalidInput(
            _("查看理由不能超过 %(limit)d 个字。") % {"limit": limit},
            code="reason_too_long",
            limit=limit,
        )
    try:
        model_field = obj._meta.get_field(field)
    except FieldDoesNotExist:
        model_field = None
    if not isinstance(model_field, EncryptedIdentifierField):
        raise InvalidInput(_("该字段不是可查看的号码。"), code="identity_field_unknown")
    value = getattr(obj, model_field.attname)
    if not isinstance(value, Protected):
        raise InvalidInput(_("该记录没有登记此号码。"), code="identity_empty")
    plaintext = value.decrypt()
    # The reason goes into the audit log in full; a reason that repeats the number would put
    # the number there too.
    compact = "".join(spec(value.kind).normalise(reason).split()).replace("-", "")
    if plaintext in compact:
        raise InvalidInput(_("查看理由中不能包含号码本身。"), code="reason_contains_value")
    with transaction.atomic():
        audit.record(
            REVEAL_VERB,
            actor=actor,
            agency=_agency_of(obj),
            target=obj,
            request=request,
            data={
                "field": field,
                "kind": value.kind,
                "reason": reason,
                "masked": value.masked,
            },
        )
    return plaintext


def _agency_of(obj: models.Model):
    from fazhi.core.models import Agency

    if isinstance(obj, Agency):
        return obj
    try:
        obj._meta.get_field("agency")
    except FieldDoesNotExist:
        return None
    return obj.agency
