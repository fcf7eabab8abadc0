from django.apps import AppConfig


class WorkflowAppConfig(AppConfig):
    """Installed by the test settings only: a small record that exercises core.workflow."""

    name = "fazhi.testing.workflow_app"
    label = "workflow_demo"

    def ready(self) -> None:
        from fazhi.testing.workflow_app import permissions  # noqa: F401
