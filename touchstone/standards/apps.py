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

        position = next(
            (i for i, s in enumerate(WORKSPACE_SECTIONS) if s.url_name == "manage:imports"),
            len(WORKSPACE_SECTIONS),
        )
        WORKSPACE_SECTIONS.insert(position, Section(_("Service standards"), "manage:standards:list"))
        DEMO_STEPS.append(("standards", load_standards_demo))
