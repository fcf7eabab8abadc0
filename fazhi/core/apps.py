from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "fazhi.core"
    label = "core"
    verbose_name = "核心"

    def ready(self) -> None:
        from fazhi.core import agency_settings, permissions  # noqa: F401 - registries
