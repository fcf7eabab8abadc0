from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CalendarConfig(AppConfig):
    name = "fazhi.core.calendar"
    label = "calendar"
    verbose_name = _("工作日历")

    def ready(self) -> None:
        from fazhi.core.calendar import permissions  # noqa: F401 - registers the rules
        from fazhi.workspace.navigation import NavItem, register

        register(
            NavItem("calendar", _("工作日历"), "calendar:year", "calendar.manage_calendar", 930)
        )
