from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "touchstone.reports"
    label = "reports"
    verbose_name = "Reports and plans"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from touchstone.core.demo import DEMO_STEPS
        from touchstone.core.navigation import WORKSPACE_SECTIONS, Section
        from touchstone.reports.demo import load_reports_demo

        WORKSPACE_SECTIONS.append(Section(_("Reports and plans"), "manage:reports:home", order=60))
        DEMO_STEPS.append(("reports", load_reports_demo))
        import datetime as dt

        from touchstone.core.schedule import every
        from touchstone.reports.services import send_due_deliveries, send_due_reminders

        every(dt.timedelta(hours=6), "a11_due_reminders", send_due_reminders)
        every(dt.timedelta(hours=1), "report_deliveries", send_due_deliveries)
