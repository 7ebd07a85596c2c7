from django.apps import AppConfig


class AnalysisConfig(AppConfig):
    name = "touchstone.analysis"
    label = "analysis"
    verbose_name = "Survey analysis"

    def ready(self) -> None:
        from django.db.models.signals import post_save
        from django.utils.translation import gettext_lazy as _

        from touchstone.analysis.demo import analyse_demo_surveys
        from touchstone.analysis.signals import response_saved
        from touchstone.core.demo import DEMO_STEPS
        from touchstone.core.navigation import WORKSPACE_SECTIONS, Section
        from touchstone.surveys.models import Response

        WORKSPACE_SECTIONS.append(Section(_("Survey analysis"), "manage:analysis:home", order=21))
        DEMO_STEPS.append(("survey analysis", analyse_demo_surveys))
        post_save.connect(response_saved, sender=Response, dispatch_uid="analysis-refresh-on-response")
