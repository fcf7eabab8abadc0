"""The Memo collection on the generic workflow routes, served only in tests."""

from ninja import Router

from fazhi.accounts.models import User
from fazhi.api.workflow_routes import register_workflow_routes
from fazhi.core.errors import InvalidInput
from fazhi.core.tenancy import scope
from fazhi.testing.workflow_app.models import Memo

router = Router(tags=["workflow demo"])


def _resolve(record, user, data):
    if "to_user" in data:
        found = User.objects.filter(pk=data["to_user"], home_agency_id=record.agency_id).first()
        if found is None:
            raise InvalidInput("转办对象不存在。", code="transfer_target_invalid")
        data["to_user"] = found
    return data


register_workflow_routes(
    router,
    collection="memos",
    queryset=lambda user: scope(user, Memo.objects.all()),
    fields=lambda memo: {"title": memo.title},
    resolve_data=_resolve,
)
