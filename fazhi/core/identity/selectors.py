"""Finding rows by a full protected number (e.g. an ID card read at the counter)."""

from __future__ import annotations

from django.db.models import QuerySet

from fazhi.core.identity import crypto
from fazhi.core.identity.fields import EncryptedIdentifierField, lookup_hash_field_for
from fazhi.core.identity.kinds import spec


def filter_by_identifier(queryset: QuerySet, field: str, value: object) -> QuerySet:
    """Rows of `queryset` whose encrypted `field` holds the number `value`.

    Matches on the lookup-hash column under the current and every retired key, so rows written
    before a key rotation are still found. `value` is normalised like a stored number
    (full-width, lower-case x, +86) but not validated: an invalid number simply finds nothing.
    The caller's queryset carries the agency scope; this adds only the number condition.
    """
    model = queryset.model
    source = model._meta.get_field(field)
    hash_field = lookup_hash_field_for(model, field)
    if not isinstance(source, EncryptedIdentifierField) or hash_field is None:
        raise TypeError(
            f"{model.__name__}.{field} is not an EncryptedIdentifierField with a LookupHashField."
        )
    if not spec(source.kind).normalise(value):
        return queryset.none()
    return queryset.filter(**{f"{hash_field.name}__in": crypto.lookup_hashes(source.kind, value)})
