from django.apps import AppConfig


class WorkflowAppConfig(AppConfig):
    """Installed by the test settings only: a small record that exercises core.workflow."""

    name = "fazhi.testing.workflow_app"
    label = "workflow_demo"

    def ready(self) -> None:
        from fazhi.core.tenancy import scope
        from fazhi.core.workflow_views import register_workflow_page
        from fazhi.testing.workflow_app import permissions  # noqa: F401
        from fazhi.testing.workflow_app.models import Memo

        register_workflow_page(
            Memo,
            queryset=lambda user: scope(user, Memo.objects.all()),
            detail_url=lambda memo: f"/staff/memos/{memo.pk}/",
        )
