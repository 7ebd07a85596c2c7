from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "touchstone.core"
    label = "core"
    verbose_name = "Agencies and people"

    def ready(self) -> None:
        import datetime as dt

        # Importers and exporters register their kinds when their modules load.
        from touchstone.core import importers  # noqa: F401
        from touchstone.core.redaction import redact_secrets_in_path_loggers
        from touchstone.core.schedule import every
        from touchstone.core.tasks import fail_stuck_imports

        redact_secrets_in_path_loggers()
        every(dt.timedelta(minutes=10), "fail_stuck_imports", fail_stuck_imports)
