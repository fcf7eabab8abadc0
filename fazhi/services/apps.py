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
        from fazhi.services.services import appointments as appointment_services
        from fazhi.services.services import cases as case_services
        from fazhi.services.services import guides
        from fazhi.services.services import ratings as rating_services
        from fazhi.workspace.navigation import NavItem, register

        register(
            NavItem("services", _("政务服务"), "services:home", "services.view_area", order=115)
        )
        # Each area's registrations: file uses, number series, sweeps, 待办 providers, the
        # evaluation indicator.
        guides.ready()
        case_services.ready()
        appointment_services.ready()
        rating_services.ready()
