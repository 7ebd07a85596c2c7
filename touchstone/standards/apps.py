from django.apps import AppConfig


class StandardsConfig(AppConfig):
    name = "touchstone.standards"
    label = "standards"
    verbose_name = "Service standards"
