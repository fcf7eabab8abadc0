from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "fazhi.core.identity"
    label = "identity"
