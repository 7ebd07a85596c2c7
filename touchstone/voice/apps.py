from django.apps import AppConfig


class VoiceConfig(AppConfig):
    name = "touchstone.voice"
    label = "voice"
    verbose_name = "Employee voice"
