from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    name = "fazhi.disclosure"
    label = "disclosure"
    verbose_name = "政府信息公开"

    def ready(self) -> None:
        from fazhi.core.notify.deadlines import DeadlineSource, register_deadline_source
        from fazhi.core.notify.sweeps import register_sweep
        from fazhi.core.numbering import SeriesKind, register_series
        from fazhi.disclosure import permissions  # noqa: F401 - registers the rules
        from fazhi.disclosure.services import SERIES, lapse_sweep, open_requests

        # 示民依申〔2026〕15号: the agency's 机关代字 + 依申; the prefix is editable per series.
        register_series(
            SeriesKind(SERIES, "政府信息公开申请编号", lambda agency: f"{agency.short_name}依申")
        )
        register_sweep("disclosure.lapses", lapse_sweep)
        register_deadline_source(DeadlineSource("disclosure.requests", open_requests))
        # The annual report: OGI Art. 49, last year's report published by 31 January.
        from fazhi.disclosure.services.report import reports_due

        register_deadline_source(DeadlineSource("disclosure.reports", reports_due))
        # 待办: the legal office's requests due within 3 working days or overdue.
        from fazhi.disclosure.tasks import request_tasks
        from fazhi.workspace.tasks import provider

        provider(request_tasks)
        # Proactive disclosure: the 索引号 series, attachments, reminders, rules documents.
        from fazhi.disclosure.services.proactive import ready as proactive_ready

        proactive_ready()
        from django.utils.translation import gettext_lazy as _

        from fazhi.workspace.navigation import NavItem, register

        register(
            NavItem(
                "disclosure",
                _("政府信息公开"),
                "disclosure:home",
                "disclosure.view_area",
                order=110,
            )
        )
        # Spot checks of case files (案卷评查): concluded requests are a population.
        from fazhi.disclosure.selectors import case_files
        from fazhi.oversight.populations import Population, register_population

        register_population(Population("disclosure.requests", "依申请公开办理案卷", case_files))
