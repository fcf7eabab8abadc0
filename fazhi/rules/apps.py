from django.apps import AppConfig


class RulesConfig(AppConfig):
    name = "fazhi.rules"
    label = "normative"
    verbose_name = "行政规范性文件"

    def ready(self) -> None:
        # 示民规〔2026〕3号: the agency's 机关代字 + 规; the prefix is editable per series.
        from fazhi.core.notify.deadlines import DeadlineSource, register_deadline_source
        from fazhi.core.numbering import SeriesKind, register_series
        from fazhi.rules import drafting, permissions  # noqa: F401 - registers the rules

        drafting.ready()  # adviser access, draft and opinion file uses, 会签/adviser 待办
        from fazhi.rules.services import open_filings

        register_deadline_source(DeadlineSource("normative.filing", open_filings))
        # After issuance: evaluation before expiry and cleanup proposals (sweep, clocks, 待办).
        from fazhi.core.notify.sweeps import register_sweep
        from fazhi.rules.aftercare_selectors import aftercare_tasks
        from fazhi.rules.services.cleanup import open_cleanup_proposals
        from fazhi.rules.services.evaluation import evaluation_sweep, open_evaluations
        from fazhi.workspace.tasks import provider

        register_sweep("normative.evaluations", evaluation_sweep)
        register_deadline_source(DeadlineSource("normative.evaluations", open_evaluations))
        register_deadline_source(DeadlineSource("normative.cleanup", open_cleanup_proposals))
        provider(aftercare_tasks)
        from django.utils.translation import gettext_lazy as _

        from fazhi.workspace.navigation import NavItem, register

        register(NavItem("rules", _("规范性文件"), "rules:list", "normative.view_list", order=100))
        register_series(
            SeriesKind("rules", "行政规范性文件", lambda agency: f"{agency.short_name}规")
        )
        # Spot checks of case files (案卷评查): issued documents are a population.
        from fazhi.oversight.populations import Population, register_population
        from fazhi.rules.selectors import case_files

        register_population(Population("normative.documents", "规范性文件", case_files))
