"""AES-256-GCM encryption and the keyed lookup hash of protected numbers.

Stored form (text, so it survives every database and `dumpdata`):

    "v1:" + base64( key_id[4] + nonce[12] + ciphertext_and_tag )

- `v1` names this format; a later format gets a new prefix and this module keeps reading v1.
- `key_id` tells which configured key encrypted the value, so keys can rotate: encryption always
  uses `FAZHI_IDENTITY_KEY`, decryption also accepts every key in `FAZHI_IDENTITY_OLD_KEYS`.
- The associated data binds the ciphertext to its kind: a phone ciphertext copied into an ID
  column does not decrypt.

From the configured master key, HKDF-SHA256 derives three independent keys (different `info`):
the AES key, the HMAC key of the lookup hash and the key id. The lookup hash is
HMAC-SHA256(hash key, hash domain + ":" + normalised value): equal numbers give equal hashes,
and without the key the hash cannot be brute-forced over the small space of ID numbers.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from fazhi.core.errors import DomainError
from fazhi.core.identity import conf
from fazhi.core.identity.kinds import spec

PREFIX = "v1:"
_VERSION = b"v1"
_KEY_ID_BYTES = 4
_NONCE_BYTES = 12
_TAG_BYTES = 16
_SALT = b"fazhi.core.identity"


class IdentityUnreadable(DomainError):
    """A stored value does not decrypt with any configured key (wrong key or altered data)."""

    code = "identity_unreadable"
    status = 500
    default_message = _("号码无法解密，请联系系统管理员检查密钥配置。")


@dataclass(frozen=True)
class _Key:
    key_id: bytes
    aead: AESGCM
    hash_key: bytes


def _derive(master: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=_SALT, info=info).derive(master)


def _make_key(master: bytes) -> _Key:
    return _Key(
        key_id=_derive(master, b"fazhi identity v1 key id")[:_KEY_ID_BYTES],
        aead=AESGCM(_derive(master, b"fazhi identity v1 aes-256-gcm")),
        hash_key=_derive(master, b"fazhi identity v1 lookup hmac-sha256"),
    )


@lru_cache(maxsize=8)
def _keyring(current: str | None, old: tuple[str, ...]) -> tuple[_Key, tuple[_Key, ...]]:
    # Keyed by the configured strings, so override_settings and a changed key take effect.
    if current is None:
        raise ImproperlyConfigured(
            "FAZHI_IDENTITY_KEY is not set: identity and phone numbers cannot be encrypted. "
            "Generate one with `openssl rand -base64 32`."
        )
    key = _make_key(conf.decode_key(current, name="FAZHI_IDENTITY_KEY"))
    retired = tuple(
        _make_key(conf.decode_key(text, name=f"FAZHI_IDENTITY_OLD_KEYS[{index}]"))
        for index, text in enumerate(old)
    )
    return key, tuple(item for item in retired if item.key_id != key.key_id)


def keyring() -> tuple[_Key, tuple[_Key, ...]]:
    """The current key and the retired ones; raises ImproperlyConfigured when unusable."""
    return _keyring(conf.identity_key(), conf.identity_old_keys())


def _aad(kind: str) -> bytes:
    return _VERSION + b"|" + str(kind).encode()


def encrypt(kind: str, plaintext: str) -> str:
    """Encrypt a normalised value with the current key."""
    key, _old = keyring()
    nonce = os.urandom(_NONCE_BYTES)
    sealed = key.aead.encrypt(nonce, plaintext.encode(), _aad(kind))
    return PREFIX + base64.b64encode(key.key_id + nonce + sealed).decode("ascii")


def is_ciphertext(value: object) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def decrypt(kind: str, token: str) -> str:
    """Decrypt a stored value with whichever configured key made it; `IdentityUnreadable` else."""
    if not is_ciphertext(token):
        raise IdentityUnreadable()
    try:
        raw = base64.b64decode(token[len(PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        raise IdentityUnreadable() from None
    if len(raw) < _KEY_ID_BYTES + _NONCE_BYTES + _TAG_BYTES:
        raise IdentityUnreadable()
    key_id = raw[:_KEY_ID_BYTES]
    nonce = raw[_KEY_ID_BYTES : _KEY_ID_BYTES + _NONCE_BYTES]
    sealed = raw[_KEY_ID_BYTES + _NONCE_BYTES :]
    current, old = keyring()
    for key in (current, *old):
        if key.key_id != key_id:
            continue
        try:
            return key.aead.decrypt(nonce, sealed, _aad(kind)).decode()
        except (InvalidTag, UnicodeDecodeError):
            continue
    raise IdentityUnreadable()


def needs_reencryption(token: str) -> bool:
    """True when a stored value was made with a retired key (for a rotation job)."""
    current, _old = keyring()
    try:
        raw = base64.b64decode(token[len(PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        return False
    return raw[:_KEY_ID_BYTES] != current.key_id


def _hash(key: _Key, kind: str, value: object) -> str:
    rules = spec(kind)
    message = f"{rules.hash_domain}:{rules.normalise(value)}".encode()
    return hmac.new(key.hash_key, message, hashlib.sha256).hexdigest()


def lookup_hash(kind: str, value: object) -> str:
    """The keyed hash of a value under the current key (what is stored beside the ciphertext)."""
    current, _old = keyring()
    return _hash(current, kind, value)


def lookup_hashes(kind: str, value: object) -> list[str]:
    """The hashes under the current and every retired key, for lookups during a key rotation."""
    current, old = keyring()
    return [_hash(key, kind, value) for key in (current, *old)]
