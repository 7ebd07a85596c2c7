import datetime as dt

from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    name = "touchstone.complaints"
    label = "complaints"
    verbose_name = "Complaints"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save
        from django.utils.translation import gettext_lazy as _

        from touchstone.complaints import importers  # noqa: F401  (registers import and export kinds)
        from touchstone.complaints.config import WATCHED, forget
        from touchstone.complaints.demo import load_complaints_demo
        from touchstone.core.demo import DEMO_STEPS
        from touchstone.core.navigation import WORKSPACE_SECTIONS, Section
        from touchstone.core.schedule import every_command

        for model in WATCHED:  # intake's memo of the configuration is forgotten the moment any of it changes
            post_save.connect(forget, sender=model, dispatch_uid=f"complaint-config-{model.__name__}")
            post_delete.connect(
                forget, sender=model, dispatch_uid=f"complaint-config-delete-{model.__name__}"
            )

        WORKSPACE_SECTIONS.append(Section(_("Complaints"), "manage:complaints:worklist", order=40))
        WORKSPACE_SECTIONS.append(Section(_("Complaint insight"), "manage:complaints:insight", order=41))
        WORKSPACE_SECTIONS.append(Section(_("Complaint setup"), "manage:complaints:setup", order=42))
        DEMO_STEPS.append(("complaints", load_complaints_demo))
        # Escalate before and at a breach every five minutes; anonymise past the retention period daily.
        every_command(dt.timedelta(minutes=5), "check_complaint_clocks")
        # Route any new case whose queued completion never ran (a stopped worker); each case is routed once.
        every_command(dt.timedelta(minutes=5), "complete_complaint_intake")
        every_command(dt.timedelta(days=1), "anonymise_complaints")
        # Each agency's complaint mailbox, read every minute (see imap.py: marked read only once filed).
        every_command(dt.timedelta(minutes=1), "poll_complaint_mailboxes")
        from touchstone.catalog.outcomes import register
        from touchstone.complaints.outcomes import complaints_by_channel

        register(complaints_by_channel)
        from touchstone.complaints.outcomes import complaint_clocks_by_agency, complaints_by_agency
        from touchstone.core import oversight

        oversight.register(complaints_by_agency)
        oversight.register(complaint_clocks_by_agency)
