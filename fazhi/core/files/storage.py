"""Content-addressed storage on Django's storage API: one copy of each content, named by hash.

The name is made by the server from the SHA-256 alone (`sha256/ab/cd/<sha256>`, no extension),
so nothing the uploader sends reaches a path. Any Django storage works: the file system in the
embedded default, S3-compatible object storage in production (`FAZHI_FILES_STORAGE`).
"""

from __future__ import annotations

import re
from typing import BinaryIO

from django.core.files import File
from django.core.files.storage import Storage, storages

from fazhi.core.files import conf

_SHA256 = re.compile(r"[0-9a-f]{64}")


def get_storage() -> Storage:
    return storages[conf.storage_alias()]


def content_name(sha256: str) -> str:
    """The storage name of a content; refuses anything but a lower-case hex SHA-256."""
    if not _SHA256.fullmatch(sha256):
        raise ValueError("not a SHA-256 hex digest")
    return f"sha256/{sha256[:2]}/{sha256[2:4]}/{sha256}"


def content_put(sha256: str, fileobj: BinaryIO, *, size: int) -> bool:
    """Store the content unless an intact copy is there already; True when it was written.

    Caller has verified that `fileobj` hashes to `sha256` and holds `size` bytes.
    """
    storage = get_storage()
    name = content_name(sha256)
    if storage.exists(name):
        if storage.size(name) == size:
            return False
        # A copy cut short (a crash mid-write) must not be shared by every later upload.
        storage.delete(name)
    fileobj.seek(0)
    saved = storage.save(name, File(fileobj, name=sha256))
    if saved != name:
        # Another upload of the same bytes won the race; its copy is identical, keep only one.
        storage.delete(saved)
    return True


def content_open(sha256: str):
    """The stored content opened for reading (the caller closes it)."""
    return get_storage().open(content_name(sha256), "rb")
