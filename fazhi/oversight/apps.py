from django.apps import AppConfig


class OversightConfig(AppConfig):
    name = "fazhi.oversight"
    label = "oversight"
    verbose_name = "监督"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from fazhi.oversight import conf, permissions  # noqa: F401 - settings and rules
        from fazhi.workspace.navigation import NavItem, register

        register(
            NavItem("oversight", _("监督"), "oversight:home", "oversight.view_area", order=120)
        )
        # Each area registers its sweeps, deadline sources, file uses, series and 待办.
        from fazhi.oversight import wiring

        wiring.ready()
