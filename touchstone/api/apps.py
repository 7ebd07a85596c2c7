from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "touchstone.api"
    label = "api"
    verbose_name = "API"
