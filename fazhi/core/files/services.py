"""Storing and handing out files, each an audit event.

`file_store` refuses before it writes: the declared size is checked before a byte is read, the
bytes are then copied to a temporary file while being hashed and counted (the limit enforced
again on what actually arrives), their type checked against the extension, zip packages checked
for bombs, and the virus scanner asked. Only then does one transaction create the row, write the
event and store the content (once per SHA-256). A refusal leaves no row, no content and no
temporary file.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
from collections.abc import Iterator
from typing import IO

from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _

from fazhi.core import audit
from fazhi.core.errors import InvalidInput, NotAllowed
from fazhi.core.files import detection, scanning, storage
from fazhi.core.files.errors import ScanUnavailable
from fazhi.core.files.models import StoredFile
from fazhi.core.files.names import clean_name, extension_of
from fazhi.core.files.selectors import access_stored_file
from fazhi.core.files.uses import FileUse, get_use
from fazhi.core.models import Agency, Event
from fazhi.core.tenancy import writable_agency_ids

logger = logging.getLogger("fazhi.files")

CHUNK_BYTES = 64 * 1024


def _too_large(use: FileUse) -> InvalidInput:
    return InvalidInput(
        _("文件超过“%(use)s”允许的大小上限 %(max)s，请压缩或拆分后重新上传。")
        % {"use": use.label, "max": use.max_size_text()},
        code="file_too_large",
    )


def _empty() -> InvalidInput:
    return InvalidInput(_("文件是空的（0 字节），请选择正确的文件。"), code="file_empty")


def _chunks(upload) -> Iterator[bytes]:
    if hasattr(upload, "chunks"):  # Django's File and UploadedFile (rewinds itself)
        yield from upload.chunks(CHUNK_BYTES)
        return
    while chunk := upload.read(CHUNK_BYTES):
        yield chunk


def _copy(upload, target: IO[bytes], *, use: FileUse) -> tuple[str, int]:
    """Copy into `target`, hashing; stop as soon as the bytes pass the use's limit."""
    digest = hashlib.sha256()
    size = 0
    for chunk in _chunks(upload):
        if not isinstance(chunk, bytes | bytearray):
            raise InvalidInput(_("上传的内容不是文件。"), code="file_not_binary")
        size += len(chunk)
        if size > use.max_bytes:
            raise _too_large(use)
        digest.update(chunk)
        target.write(chunk)
    target.flush()
    target.seek(0)
    return digest.hexdigest(), size


def file_store(
    *,
    actor,
    agency: Agency,
    upload,
    purpose: str,
    name: str | None = None,
    request: HttpRequest | None = None,
) -> StoredFile:
    """Check and store one upload for `purpose` in `agency`; the new StoredFile.

    `upload` is a Django UploadedFile/File or any binary file-like object; `name` overrides its
    `.name` (an API client may send the name separately). Raises InvalidInput (422) for a bad
    file, NotAllowed (403) when the actor may not write in the agency, ScanUnavailable (503)
    when the configured scanner gives no answer.
    """
    use = get_use(purpose)
    if not getattr(actor, "is_authenticated", False) or agency.pk not in writable_agency_ids(actor):
        raise NotAllowed(_("您无权向该机关上传文件。"), code="not_allowed")
    # Before anything is read: a 2 GB upload is refused on its declared size alone.
    declared = getattr(upload, "size", None)
    if isinstance(declared, int):
        if declared > use.max_bytes:
            raise _too_large(use)
        if declared == 0:
            raise _empty()
    original_name = clean_name(name if name is not None else getattr(upload, "name", ""))
    with tempfile.TemporaryFile(prefix="fazhi-upload-") as temp:
        sha256, size = _copy(upload, temp, use=use)
        if size == 0:
            raise _empty()
        kind = detection.detect(temp, extension=extension_of(original_name))
        if kind.key not in use.allowed_types:
            raise InvalidInput(
                _("“%(use)s”只接受 %(allowed)s 文件，此文件是 %(found)s。")
                % {"use": use.label, "allowed": use.allowed_labels(), "found": kind.label},
                code="file_type_not_allowed",
            )
        scan = scanning.scan(temp)
        if scan.status == scanning.ScanResult.INFECTED:
            _record_infected(actor, agency, sha256, size, purpose, scan, request)
            raise InvalidInput(
                _("文件未通过病毒检查（%(signature)s），已拒绝保存。")
                % {"signature": scan.signature},
                code="file_infected",
            )
        if scan.status == scanning.ScanResult.ERROR:
            raise ScanUnavailable()
        scan_status = (
            StoredFile.ScanStatus.CLEAN
            if scan.status == scanning.ScanResult.CLEAN
            else StoredFile.ScanStatus.SKIPPED
        )
        # No row is locked: rows are never shared, and the content is written idempotently
        # under its hash, so two uploads of the same bytes at once both succeed.
        with transaction.atomic():
            stored = StoredFile.objects.create(
                agency=agency,
                sha256=sha256,
                size=size,
                content_type=kind.content_type,
                extension=kind.extension,
                original_name=original_name,
                purpose=use.purpose,
                uploaded_by=actor,
                scan_status=scan_status,
            )
            audit.record(
                "file.store",
                actor=actor,
                agency=agency,
                target=stored,
                request=request,
                data={
                    "sha256": sha256,
                    "size": size,
                    "type": kind.content_type,
                    "purpose": use.purpose,
                    "name": original_name,
                    "scan": scan_status,
                },
            )
            # Last, so a failure of the row or the event stores nothing; should the commit
            # itself fail, the content left behind is unreferenced and harmless.
            storage.content_put(sha256, temp, size=size)
    return stored


def _record_infected(actor, agency, sha256, size, purpose, scan, request) -> None:
    logger.warning("refused infected upload %s (%s) by %s", sha256, scan.signature, actor.pk)
    audit.record(
        "file.store",
        actor=actor,
        agency=agency,
        result=Event.Result.REFUSED,
        request=request,
        data={
            "sha256": sha256,
            "size": size,
            "purpose": purpose,
            "reason": "infected",
            "signature": scan.signature,
        },
    )


def file_download(*, actor, file_id, request: HttpRequest | None = None):
    """(StoredFile, open content) for a user allowed to read it, with a "file.download" event.

    Missing and forbidden both raise Http404; a refusal of an existing file is itself recorded.
    The caller closes the returned file (FileResponse does).
    """
    try:
        stored = access_stored_file(actor, file_id)
    except Http404:
        _record_refused_download(actor, file_id, request)
        raise
    try:
        handle = storage.content_open(stored.sha256)
    except (FileNotFoundError, OSError) as exc:
        logger.error("content of file %s (%s) is missing from storage", stored.pk, stored.sha256)
        raise Http404 from exc
    try:
        audit.record(
            "file.download",
            actor=actor,
            agency=stored.agency,
            target=stored,
            request=request,
            data={"sha256": stored.sha256, "purpose": stored.purpose},
        )
    except BaseException:
        handle.close()
        raise
    return stored, handle


def _record_refused_download(actor, file_id, request) -> None:
    try:
        stored = StoredFile.objects.select_related("agency").filter(pk=file_id).first()
    except (ValueError, TypeError):
        return
    if stored is None:
        return
    audit.record(
        "file.download",
        actor=actor,
        agency=stored.agency,
        target=stored,
        result=Event.Result.REFUSED,
        request=request,
        data={"sha256": stored.sha256, "purpose": stored.purpose},
    )
