from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FilesConfig(AppConfig):
    name = "fazhi.core.files"
    label = "files"
    verbose_name = _("文件存储")

    def ready(self) -> None:
        from fazhi.core.files.uses import register_core_uses

        register_core_uses()
