from django.apps import AppConfig


class ServicesConfig(AppConfig):
    name = "fazhi.services"
    label = "services"
    verbose_name = "政务服务"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from fazhi.services import conf, permissions  # noqa: F401 - settings, rules predicates
        from fazhi.services.permissions import (  # noqa: F401 - rules predicates per area
            appointments,
            cases,
            centers,
            ratings,
        )
        from fazhi.services.services import guides
        from fazhi.workspace.navigation import NavItem, register

        register(
            NavItem("services", _("政务服务"), "services:home", "services.view_area", order=115)
        )
        guides.ready()
        # Ratings: appeal evidence file use, the bad-review sweep, 待办, the evaluation indicator.
        from fazhi.services.services import ratings as rating_services

        rating_services.ready()
