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

        WORKSPACE_SECTIONS.append(Section(_("Surveys"), "manage:surveys:list", order=20))
        DEMO_STEPS.append(("surveys", load_surveys_demo))
