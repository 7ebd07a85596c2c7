from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "touchstone.core"
    label = "core"
    verbose_name = "Agencies and people"

    def ready(self) -> None:
        # Importers and exporters register their kinds when their modules load.
        from touchstone.core import importers  # noqa: F401
        from touchstone.core.redaction import redact_secrets_in_path_loggers

        redact_secrets_in_path_loggers()
