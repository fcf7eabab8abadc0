"""The file store in the API: upload, read the record, download the content.

Mounted by the project as `api.add_router("/files", "fazhi.core.files.api.router")`. The same
services and checks as the workspace: `file_store` for uploads, `file_download` for content.
"""

from __future__ import annotations

from datetime import datetime

from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from fazhi.core.errors import InvalidInput, NotAllowed
from fazhi.core.files.models import StoredFile
from fazhi.core.files.selectors import access_stored_file
from fazhi.core.files.services import file_download, file_store
from fazhi.core.files.views import attachment_response
from fazhi.core.models import Agency
from fazhi.core.tenancy import writable_agency_ids


class StoredFileOut(Schema):
    id: str
    name: str
    size: int
    content_type: str
    extension: str
    purpose: str
    sha256: str
    agency: str
    uploaded_by: str
    uploaded_at: datetime
    scan_status: str
    download_url: str


def _out(stored: StoredFile) -> dict:
    return {
        "id": str(stored.pk),
        "name": stored.original_name,
        "size": stored.size,
        "content_type": stored.content_type,
        "extension": stored.extension,
        "purpose": stored.purpose,
        "sha256": stored.sha256,
        "agency": stored.agency.code,
        "uploaded_by": stored.uploaded_by.get_username(),
        "uploaded_at": stored.uploaded_at,
        "scan_status": stored.scan_status,
        "download_url": reverse("files:download", args=[stored.pk]),
    }


def _agency_for_upload(user, code: str | None) -> Agency:
    """The named agency, or the caller's only writable one; refusals do not reveal codes."""
    writable = writable_agency_ids(user)
    if code:
        agency = Agency.objects.filter(code=code, id__in=writable).first()
        if agency is None:
            raise NotAllowed(_("您无权向该机关上传文件。"), code="not_allowed")
        return agency
    if len(writable) != 1:
        raise InvalidInput(
            _("您在多个机关任职或没有可写的机关，请用 agency 指明机关代码。"),
            code="agency_required",
        )
    return Agency.objects.get(id=next(iter(writable)))


def _file_id(raw: str) -> int:
    """Ids are opaque strings in the API; anything but a number is simply not found.

    ASCII only: "³" passes str.isdigit() yet int() refuses it; 18 digits fit a bigint."""
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
        raise Http404
    return int(raw)


def build_router() -> Router:
    """A new router with the file routes (a router joins one API; tests build their own)."""
    router = Router(tags=["files"])

    @router.post("/", response={201: StoredFileOut}, summary="上传文件")
    def upload(
        request: HttpRequest,
        purpose: Form[str],
        file: File[UploadedFile],
        agency: Form[str | None] = None,
    ):
        target = _agency_for_upload(request.user, agency)
        stored = file_store(
            actor=request.user, agency=target, upload=file, purpose=purpose, request=request
        )
        return Status(201, _out(stored))

    @router.get("/{file_id}", response=StoredFileOut, summary="文件信息")
    def detail(request: HttpRequest, file_id: str):
        return _out(access_stored_file(request.user, _file_id(file_id)))

    @router.get("/{file_id}/content", summary="下载文件")
    def content(request: HttpRequest, file_id: str):
        stored, handle = file_download(
            actor=request.user, file_id=_file_id(file_id), request=request
        )
        return attachment_response(stored, handle)

    return router


router = build_router()
