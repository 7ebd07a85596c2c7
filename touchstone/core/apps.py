from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "touchstone.core"
    label = "core"
    verbose_name = "Agencies and people"

    def ready(self) -> None:
        import datetime as dt

        from django.db.models import fields
        from django.utils.translation import gettext_lazy

        # Importers and exporters register their kinds when their modules load.
        from touchstone.core import importers  # noqa: F401
        from touchstone.core.redaction import redact_secrets_in_path_loggers
        from touchstone.core.schedule import every
        from touchstone.core.tasks import fail_stuck_imports

        redact_secrets_in_path_loggers()
        # Every select's empty choice. Django 6.1's label for it has no Spanish in Django's own catalog, so Spanish
        # pages showed it in English; taken here, as Django's settings note invites, it is translated with ours.
        fields.BLANK_CHOICE_LABEL = gettext_lazy("- Select an option -")
        every(dt.timedelta(minutes=10), "fail_stuck_imports", fail_stuck_imports)
