from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "fazhi.accounts"
    label = "accounts"
    verbose_name = "账号与安全"

    def ready(self) -> None:
        from fazhi.accounts import permissions, signals  # noqa: F401 - registers rules, receivers
