from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    name = "fazhi.workspace"
    label = "workspace"
    verbose_name = "工作台"

    def ready(self) -> None:
        from fazhi.workspace import permissions, tasks  # noqa: F401
