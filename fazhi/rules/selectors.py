"""Reads of normative documents, scoped to what the user may see."""

from __future__ import annotations

from django.db.models import QuerySet

from fazhi.core.tenancy import scope
from fazhi.rules.models import NormativeDocument


def documents_for(user) -> QuerySet[NormativeDocument]:
    return scope(user, NormativeDocument.objects.select_related("department", "doc_number"))
