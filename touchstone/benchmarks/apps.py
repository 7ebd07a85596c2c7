from django.apps import AppConfig


class BenchmarksConfig(AppConfig):
    name = "touchstone.benchmarks"
    label = "benchmarks"
    verbose_name = "Benchmarks"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from touchstone.benchmarks import importers  # noqa: F401  (registers the benchmarks import)
        from touchstone.benchmarks.demo import load_benchmarks_demo
        from touchstone.core.demo import DEMO_STEPS
        from touchstone.core.navigation import WORKSPACE_SECTIONS, Section

        WORKSPACE_SECTIONS.append(Section(_("Benchmarks"), "manage:benchmarks:home", order=45))
        DEMO_STEPS.append(("benchmarks", load_benchmarks_demo))

        import datetime as dt

        from touchstone.benchmarks.services import refresh_agency_summaries
        from touchstone.core.schedule import every

        # Complaint clocks and standards results move without a survey refresh: keep the overseer's rows current.
        every(dt.timedelta(hours=1), "refresh_agency_summaries", refresh_agency_summaries)
