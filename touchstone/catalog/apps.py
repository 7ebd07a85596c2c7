from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "touchstone.catalog"
    label = "catalog"
    verbose_name = "Service catalog"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from touchstone.catalog import importers  # noqa: F401  (registers import and export kinds)
        from touchstone.catalog.demo import load_catalog_demo
        from touchstone.core.demo import DEMO_STEPS
        from touchstone.core.navigation import WORKSPACE_SECTIONS, Section

        WORKSPACE_SECTIONS.append(Section(_("Services"), "manage:catalog:services", order=10))
        WORKSPACE_SECTIONS.append(Section(_("Customers"), "manage:catalog:segments", order=11))
        DEMO_STEPS.append(("catalog", load_catalog_demo))
