"""The normative-document collection under /api/rules/ (design "API conventions")."""

from ninja import Router

from fazhi.api.workflow_routes import register_workflow_routes
from fazhi.rules.selectors import documents_for

router = Router(tags=["rules"])


def _fields(document) -> dict:
    return {
        "title": document.title,
        "kind": document.kind,
        "department": document.department.name,
        "doc_number": document.doc_number.text if document.doc_number_id else None,
        "published_on": document.published_on.isoformat() if document.published_on else None,
        "valid_until": document.valid_until.isoformat() if document.valid_until else None,
    }


register_workflow_routes(
    router,
    collection="documents",
    queryset=documents_for,
    fields=_fields,
    read_permission="normative.open_document",
)

# Modules that add their routes to `router` (staff actions); `public.public_router` is mounted
# at /api/public/rules/ by fazhi.api.api.
from fazhi.rules.api import aftercare, documents, drafting, public  # noqa: E402, F401
