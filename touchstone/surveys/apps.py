from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "touchstone.surveys"
    label = "surveys"
    verbose_name = "Surveys"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from touchstone.core.demo import DEMO_STEPS
        from touchstone.core.navigation import WORKSPACE_SECTIONS, Section
        from touchstone.surveys.demo import load_surveys_demo

        position = next((i for i, s in enumerate(WORKSPACE_SECTIONS) if s.url_name == "manage:offices"), 3)
        WORKSPACE_SECTIONS.insert(position, Section(_("Surveys"), "manage:surveys:list"))
        DEMO_STEPS.append(("surveys", load_surveys_demo))
