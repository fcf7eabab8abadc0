"""Reading stored files: scoped by agency, then narrowed by the use's own check."""

from __future__ import annotations

import logging

from django.db.models import QuerySet
from django.http import Http404

from fazhi.core.errors import InvalidInput
from fazhi.core.files.models import StoredFile
from fazhi.core.files.uses import get_use
from fazhi.core.roles import BUSINESS_ROLES, Role
from fazhi.core.tenancy import access, has_role, roles_by_agency, scope

logger = logging.getLogger("fazhi.files")


def stored_files_for(user, *, purpose: str | None = None) -> QuerySet[StoredFile]:
    """Files of the agencies the user may read, newest first (the use's check not applied)."""
    files = scope(user, StoredFile.objects.select_related("agency", "uploaded_by"))
    if purpose is not None:
        files = files.filter(purpose=purpose)
    return files


def may_read(user, stored: StoredFile) -> bool:
    """Whether a user already inside the file's agency scope may read this file.

    Administrators (三员) hold no business role and read no business records (security.md);
    the use's `can_read` then narrows further. A file whose use is no longer registered is
    refused rather than read without its check.
    """
    held = roles_by_agency(user).get(stored.agency_id, frozenset())
    if not (held & BUSINESS_ROLES) and not has_role(user, Role.DISTRICT_OVERSEER):
        return False
    try:
        use = get_use(stored.purpose)
    except InvalidInput:
        logger.error("file %s has unregistered purpose %r", stored.pk, stored.purpose)
        return False
    return use.can_read is None or bool(use.can_read(user, stored))


def access_stored_file(user, file_id) -> StoredFile:
    """The file if `user` may read it; Http404 for missing and forbidden alike."""
    stored = access(user, StoredFile.objects.select_related("agency", "uploaded_by"), file_id)
    if not may_read(user, stored):
        raise Http404
    return stored
