import datetime as dt

from django.apps import AppConfig


class ImprovementConfig(AppConfig):
    name = "touchstone.improvement"
    label = "improvement"
    verbose_name = "Improvement"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from touchstone.core.demo import DEMO_STEPS
        from touchstone.core.navigation import WORKSPACE_SECTIONS, Section
        from touchstone.core.schedule import every
        from touchstone.improvement import tasks
        from touchstone.improvement.demo import load_improvement_demo

        WORKSPACE_SECTIONS.append(Section(_("Improvement"), "manage:improvement:home", order=47))
        DEMO_STEPS.append(("improvement", load_improvement_demo))
        every(dt.timedelta(hours=1), "refresh_service_months", lambda: tasks.refresh_service_months.enqueue())
        every(
            dt.timedelta(minutes=15), "follow_ups_and_alerts", lambda: tasks.follow_ups_and_alerts.enqueue()
        )
        every(dt.timedelta(days=1), "alert_digests", lambda: tasks.alert_digests.enqueue())
