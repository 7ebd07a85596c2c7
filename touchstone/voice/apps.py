from django.apps import AppConfig


class VoiceConfig(AppConfig):
    name = "touchstone.voice"
    label = "voice"
    verbose_name = "Employee voice"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from touchstone.core.demo import DEMO_STEPS
        from touchstone.core.navigation import WORKSPACE_SECTIONS, Section
        from touchstone.voice.demo import load_voice_demo

        WORKSPACE_SECTIONS.append(Section(_("Employee voice"), "manage:voice:home", order=50))
        from touchstone.surveys.signals import survey_closed
        from touchstone.voice.services import after_close

        # One-use link addresses are kept only until the survey closes, however it is closed; closing releases
        # whatever has not been released, if enough people answered.
        survey_closed.connect(
            lambda sender, survey, actor, **kw: after_close(actor=actor, survey=survey),
            dispatch_uid="voice-forget-addresses",
            weak=False,
        )
        DEMO_STEPS.append(("employee voice", load_voice_demo))
        import datetime as dt

        from touchstone.core.schedule import every
        from touchstone.voice import services

        # Pooled answers are written in shuffled batches; releases follow each survey's rules.
        every(dt.timedelta(minutes=15), "write_employee_answer_pools", services.write_every_pool)
        every(dt.timedelta(hours=1), "release_employee_results", services.release_due_results)
        from touchstone.voice import importers  # noqa: F401  (registers the roster import)
