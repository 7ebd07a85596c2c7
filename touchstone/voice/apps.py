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
        from touchstone.voice.services import forget_addresses

        # One-use link addresses are kept only until the survey closes, however it is closed.
        survey_closed.connect(
            lambda sender, survey, actor, **kw: forget_addresses(actor=actor, survey=survey),
            dispatch_uid="voice-forget-addresses",
            weak=False,
        )
        DEMO_STEPS.append(("employee voice", load_voice_demo))
