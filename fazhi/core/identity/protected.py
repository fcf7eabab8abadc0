"""`Protected`: a stored number that reads as its masked form wherever it is used as text.

A `Protected` is a `str` whose text is the mask (`310***********123X`), carrying the ciphertext
beside it. Templates, f-strings, logs, JSON, CSV and Excel exports, API schemas and the admin
therefore show the mask without anyone having to remember to call a function; the full number
comes out only through `decrypt()` (machine use: sending an SMS, passing a number to an
integration) or, for a person to read, through the audited service `identity_reveal`.
"""

from __future__ import annotations

import hmac
import logging

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fazhi.core.errors import InvalidInput
from fazhi.core.identity import crypto
from fazhi.core.identity.kinds import Kind, spec

logger = logging.getLogger("fazhi.identity")


class Protected(str):
    kind: str
    ciphertext: str

    def __new__(cls, masked: str, *, kind: str, ciphertext: str, lookup_hash: str | None = None):
        obj = super().__new__(cls, masked)
        obj.kind = str(Kind(kind))
        obj.ciphertext = ciphertext
        obj._lookup_hash = lookup_hash
        obj._readable = True
        return obj

    @classmethod
    def from_plaintext(cls, kind: str, value: object, *, strict: bool = True) -> Protected:
        """Normalise (and, when strict, validate) a number and encrypt it with the current key.

        Raises `InvalidInput` for a value of the wrong shape; never stores a masked value back.
        """
        rules = spec(kind)
        text = rules.validate(value) if strict else rules.normalise(value)
        if not text:
            raise InvalidInput(_("请填写号码。"), code="identity_required")
        if "*" in text:
            raise InvalidInput(
                _("不能保存打码后的号码，请填写完整号码。"), code="identity_masked_value"
            )
        return cls(
            rules.mask(text),
            kind=kind,
            ciphertext=crypto.encrypt(str(Kind(kind)), text),
            lookup_hash=crypto.lookup_hash(kind, text),
        )

    @classmethod
    def from_ciphertext(cls, kind: str, ciphertext: str) -> Protected:
        """Wrap a stored value; decrypts once to compute the mask.

        A value that does not decrypt (altered row, missing old key) still loads, shown as
        "[无法解密]", so one bad row cannot break a whole list; `decrypt()` then raises.
        """
        try:
            masked = spec(kind).mask(crypto.decrypt(str(Kind(kind)), ciphertext))
        except crypto.IdentityUnreadable:
            logger.error("A stored %s value does not decrypt with any configured key.", kind)
            obj = cls(f"[{gettext('无法解密')}]", kind=kind, ciphertext=ciphertext)
            obj._readable = False
            return obj
        return cls(masked, kind=kind, ciphertext=ciphertext)

    @property
    def masked(self) -> str:
        return str.__str__(self)

    @property
    def readable(self) -> bool:
        return self._readable

    def decrypt(self) -> str:
        """The full number, for machine use only; people see it through `identity_reveal`."""
        if not self._readable:
            raise crypto.IdentityUnreadable()
        return crypto.decrypt(self.kind, self.ciphertext)

    @property
    def lookup_hash(self) -> str:
        """The keyed hash under the current key (computed once, decrypting if needed)."""
        if self._lookup_hash is None:
            self._lookup_hash = crypto.lookup_hash(self.kind, self.decrypt())
        return self._lookup_hash

    def matches(self, value: object) -> bool:
        """Whether `value` is the same number (after normalisation), compared in constant time."""
        return hmac.compare_digest(self.lookup_hash, crypto.lookup_hash(self.kind, value))

    # Equal masks do not make equal numbers: two Protected values are equal when they hold the
    # same number of the same kind, and a Protected never equals a plain string.
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Protected) or self.kind != other.kind:
            return False
        if self._readable and other._readable:
            return hmac.compare_digest(self.lookup_hash, other.lookup_hash)
        return self.ciphertext == other.ciphertext

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return hash((self.kind, self.lookup_hash if self._readable else self.ciphertext))

    def __repr__(self) -> str:
        return f"<Protected {self.kind} {self.masked}>"

    def __reduce__(self):
        return (_restore, (self.kind, self.ciphertext))

    def __copy__(self) -> Protected:
        return self

    def __deepcopy__(self, memo) -> Protected:
        return self


def _restore(kind: str, ciphertext: str) -> Protected:
    return Protected.from_ciphertext(kind, ciphertext)


def protect(kind: str, value: object, *, strict: bool = True) -> Protected:
    """Validate (when strict) and encrypt a number outside a model field.

    The result gives `.ciphertext` to store, `.lookup_hash` to store beside it, and reads as the
    mask; `reveal(kind, ciphertext)` is its way back.
    """
    return Protected.from_plaintext(kind, value, strict=strict)


def reveal(kind: str, ciphertext: str) -> str:
    """Decrypt a stored ciphertext (machine use; people see numbers through `identity_reveal`)."""
    return crypto.decrypt(str(Kind(kind)), ciphertext)
