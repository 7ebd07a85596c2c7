from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "touchstone.core"
    label = "core"
    verbose_name = "Agencies and people"

    def ready(self) -> None:
        # Importers and exporters register their kinds when their modules load.
        import datetime as dt

        from touchstone.core import importers  # noqa: F401
        from touchstone.core.schedule import every
        from touchstone.core.tasks import fail_stuck_imports

        every(dt.timedelta(minutes=10), "fail_stuck_imports", fail_stuck_imports)
