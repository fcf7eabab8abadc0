from django.apps import AppConfig


class FilesConfig(AppConfig):
    name = "fazhi.core.files"
    label = "files"
