from django.apps import AppConfig


class StandardsConfig(AppConfig):
    name = "touchstone.standards"
    label = "standards"
    verbose_name = "Service standards"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from touchstone.core.demo import DEMO_STEPS
        from touchstone.core.navigation import WORKSPACE_SECTIONS, Section
        from touchstone.standards import importers  # noqa: F401  (registers import and export kinds)
        from touchstone.standards.demo import load_standards_demo

        WORKSPACE_SECTIONS.append(Section(_("Service standards"), "manage:standards:list", order=30))
        DEMO_STEPS.append(("standards", load_standards_demo))
        from touchstone.catalog.outcomes import register, register_signals
        from touchstone.standards.outcomes import standard_signals, standards_by_channel

        register(standards_by_channel)
        register_signals(standard_signals)
        from touchstone.core import oversight
        from touchstone.standards.outcomes import standards_met_by_agency

        oversight.register(standards_met_by_agency)
        import datetime as dt

        from touchstone.core.schedule import every, every_command
        from touchstone.standards.services import judge_completed_periods

        every_command(dt.timedelta(hours=1), "sweep_transaction_store")
        every(dt.timedelta(hours=1), "judge_completed_periods", judge_completed_periods)
