from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "fazhi.core.notify"
    label = "notify"
    verbose_name = _("消息通知")

    def ready(self) -> None:
        from fazhi.core.notify.deadlines import deadline_sweep
        from fazhi.core.notify.delivery import requeue_stale_deliveries
        from fazhi.core.notify.sweeps import register_sweep
        from fazhi.workspace.navigation import NavItem, register

        register(NavItem("notifications", _("消息"), "notify:inbox", "workspace.view", order=10))
        register_sweep("deadlines", deadline_sweep)
        register_sweep("deliveries", requeue_stale_deliveries)
