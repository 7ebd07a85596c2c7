from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    name = "touchstone.complaints"
    label = "complaints"
    verbose_name = "Complaints"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from touchstone.complaints import importers  # noqa: F401  (registers import and export kinds)
        from touchstone.complaints.demo import load_complaints_demo
        from touchstone.core.demo import DEMO_STEPS
        from touchstone.core.navigation import WORKSPACE_SECTIONS, Section

        WORKSPACE_SECTIONS.append(Section(_("Complaints"), "manage:complaints:worklist"))
        WORKSPACE_SECTIONS.append(Section(_("Complaint insight"), "manage:complaints:insight"))
        WORKSPACE_SECTIONS.append(Section(_("Complaint setup"), "manage:complaints:setup"))
        DEMO_STEPS.append(("complaints", load_complaints_demo))
