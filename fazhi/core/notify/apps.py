from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "fazhi.core.notify"
    label = "notify"
