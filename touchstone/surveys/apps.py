import datetime as dt

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
        from touchstone.core.schedule import every_command
        from touchstone.surveys import exports, importers, odk  # noqa: F401  (they register their kinds)

        # PRA expiry warnings (30 and 7 days), reminders, and forgetting contacts no longer needed: daily.
        every_command(dt.timedelta(days=1), "warn_expiring_surveys")
        every_command(dt.timedelta(days=1), "send_survey_reminders")
        every_command(dt.timedelta(days=1), "purge_survey_contacts")
        from touchstone.catalog.outcomes import register
        from touchstone.surveys.outcomes import satisfaction_by_channel

        register(satisfaction_by_channel)
        from touchstone.core import oversight
        from touchstone.surveys.outcomes import satisfaction_by_agency

        oversight.register(satisfaction_by_agency)
        from django.db.models.signals import post_delete, post_save

        from touchstone.surveys.models import Survey, SurveyVersion
        from touchstone.surveys.signals import forget_public_surveys

        for model in (Survey, SurveyVersion):
            post_save.connect(forget_public_surveys, sender=model, dispatch_uid=f"forget-{model.__name__}")
            post_delete.connect(
                forget_public_surveys, sender=model, dispatch_uid=f"forget-{model.__name__}-d"
            )
