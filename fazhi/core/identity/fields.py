"""Model fields for protected numbers: the ciphertext column and its lookup-hash column.

    id_number = EncryptedIdentifierField(_("身份证号码"), kind=Kind.RESIDENT_ID, blank=True)
    id_number_hash = LookupHashField(source="id_number")

- Assigning a plain string validates it (strict, the default: `InvalidInput` for a bad number),
  normalises and encrypts it at once; the attribute then holds a `Protected`, which reads as the
  mask. Rows loaded from the database hold a `Protected` too. The plaintext never sits in the
  instance, so no template, log, serializer or export can print it by accident.
- The hash column is filled from the source on every `save()` (whatever the field order), so
  `filter_by_identifier()` finds a row by its full number. `save(update_fields=[...])` must name
  both columns, and `bulk_update` must be preceded by `refresh_lookup_hashes(obj)`.
- Only `isnull` and an empty-value `exact` lookup are allowed on the encrypted column: each
  encryption differs, so comparing ciphertexts would silently find nothing.
"""

from __future__ import annotations

from django.core import checks
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models.lookups import Exact, IsNull
from django.db.models.query_utils import DeferredAttribute
from django.utils.translation import gettext_lazy as _

from fazhi.core.identity import crypto
from fazhi.core.identity.kinds import Kind
from fazhi.core.identity.protected import Protected
from fazhi.core.identity.validators import canonical


class ProtectedAttribute(DeferredAttribute):
    """Turns whatever is assigned into a `Protected` (or an empty value) immediately."""

    def __set__(self, instance, value):
        instance.__dict__[self.field.attname] = self.field.protect(value)


class EncryptedIdentifierField(models.Field):
    """An AES-256-GCM encrypted number of one `Kind`, stored as text (see crypto.py)."""

    descriptor_class = ProtectedAttribute
    description = _("加密保存的号码")

    def __init__(self, *args, kind: str, strict: bool = True, **kwargs):
        self.kind = str(Kind(kind))
        self.strict = strict
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["kind"] = self.kind
        if not self.strict:
            kwargs["strict"] = False
        return name, path, args, kwargs

    def get_internal_type(self) -> str:
        return "TextField"

    def check(self, **kwargs):
        errors = super().check(**kwargs)
        if self.unique:
            errors.append(
                checks.Error(
                    "An EncryptedIdentifierField cannot be unique: every encryption differs.",
                    hint="Put the unique constraint on its LookupHashField.",
                    obj=self,
                    id="identity.E101",
                )
            )
        return errors

    def protect(self, value):
        """What the attribute holds after `value` is assigned."""
        if value is None:
            return None
        if isinstance(value, Protected):
            if value.kind == self.kind:
                return value
            # A number moved between kinds (a mobile into a phone column) is re-encrypted,
            # since the ciphertext is bound to its kind; it must be valid for the new kind.
            return Protected.from_plaintext(self.kind, value.decrypt(), strict=self.strict)
        if isinstance(value, str) and not canonical(value):
            return None if self.null else ""
        return Protected.from_plaintext(self.kind, value, strict=self.strict)

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return Protected.from_ciphertext(self.kind, value)

    def to_python(self, value):
        # Deserialisation (loaddata) hands over the stored ciphertext; forms hand over text.
        if crypto.is_ciphertext(value) and not isinstance(value, Protected):
            return Protected.from_ciphertext(self.kind, value)
        return value

    def get_prep_value(self, value):
        if value is None or value == "":
            return value
        if isinstance(value, Protected):
            return self.protect(value).ciphertext
        raise TypeError(
            f"{self.model.__name__}.{self.name} is encrypted: a plain value cannot be compared "
            "or written in SQL. Find rows with filter_by_identifier(); assign on an instance."
        )

    def value_to_string(self, obj):
        value = self.value_from_object(obj)
        return value.ciphertext if isinstance(value, Protected) else value

    def get_lookup(self, lookup_name):
        if lookup_name in {Exact.lookup_name, IsNull.lookup_name}:
            return super().get_lookup(lookup_name)
        return None

    def get_transform(self, name):
        return None

    def formfield(self, **kwargs):
        from fazhi.core.identity.forms import FORM_FIELDS, ProtectedTextInput

        # The admin passes its own text widgets; only ours keeps the number out of the page.
        widget = kwargs.get("widget")
        if widget is not None and not (
            isinstance(widget, ProtectedTextInput)
            or (isinstance(widget, type) and issubclass(widget, ProtectedTextInput))
        ):
            kwargs.pop("widget")
        return super().formfield(**{"form_class": FORM_FIELDS[self.kind], **kwargs})


_HASH_DEFAULTS = {"max_length": 64, "editable": False, "db_index": True, "blank": True}


class LookupHashField(models.CharField):
    """HMAC-SHA256 of the normalised number in `source`, hex; empty when the source is empty."""

    description = _("号码检索摘要")

    def __init__(self, *args, source: str, **kwargs):
        self.source = source
        for key, value in _HASH_DEFAULTS.items():
            kwargs.setdefault(key, value)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        for key, value in {**_HASH_DEFAULTS, "default": ""}.items():
            if kwargs.get(key) == value:
                del kwargs[key]
        kwargs["source"] = self.source
        return name, path, args, kwargs

    def check(self, **kwargs):
        errors = super().check(**kwargs)
        try:
            source = self.model._meta.get_field(self.source)
        except FieldDoesNotExist:
            source = None
        if not isinstance(source, EncryptedIdentifierField):
            errors.append(
                checks.Error(
                    f"LookupHashField source {self.source!r} is not an EncryptedIdentifierField "
                    f"of {self.model.__name__}.",
                    obj=self,
                    id="identity.E102",
                )
            )
        return errors

    def source_field(self) -> EncryptedIdentifierField:
        return self.model._meta.get_field(self.source)

    def compute(self, instance) -> str:
        """The hash for the source's current value; keeps the stored one if it cannot tell."""
        source = self.source_field()
        if source.attname not in instance.__dict__:
            # The source was deferred and not loaded: nothing changed it in this instance.
            return getattr(instance, self.attname)
        value = instance.__dict__[source.attname]
        if isinstance(value, Protected):
            return value.lookup_hash if value.readable else getattr(instance, self.attname)
        return ""

    def pre_save(self, model_instance, add):
        value = self.compute(model_instance)
        setattr(model_instance, self.attname, value)
        return value


def refresh_lookup_hashes(instance) -> None:
    """Bring every lookup hash of an instance up to date (before `bulk_update`)."""
    for field in instance._meta.concrete_fields:
        if isinstance(field, LookupHashField):
            setattr(instance, field.attname, field.compute(instance))


def lookup_hash_field_for(model, field_name: str) -> LookupHashField | None:
    """The hash column that indexes the encrypted column `field_name` of `model`, if any."""
    for field in model._meta.concrete_fields:
        if isinstance(field, LookupHashField) and field.source == field_name:
            return field
    return None
