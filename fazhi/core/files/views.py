"""Downloading a stored file: signed in, past every gate, allowed to read it; always a download."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from fazhi.core.files.names import content_disposition
from fazhi.core.files.services import file_download


@require_GET
def download(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    # The password-age and second-factor gates stand in front of /files/ (SecurityGateMiddleware).
    stored, handle = file_download(actor=request.user, file_id=pk, request=request)
    return attachment_response(stored, handle)


def attachment_response(stored, handle) -> FileResponse:
    """The stored file as a download with the canonical type and protective headers."""
    response = FileResponse(handle, content_type=stored.content_type)
    # Always an attachment: the browser saves the file and never renders it in our origin.
    response["Content-Disposition"] = content_disposition(
        stored.original_name, default_stem=f"file-{stored.pk}"
    )
    response["Content-Length"] = str(stored.size)
    response["X-Content-Type-Options"] = "nosniff"
    # Should a browser render it anyway, it gets no script, no plugin and no same-origin access.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
