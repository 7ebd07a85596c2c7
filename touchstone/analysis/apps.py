from django.apps import AppConfig


class AnalysisConfig(AppConfig):
    name = "touchstone.analysis"
    label = "analysis"
    verbose_name = "Survey analysis"
