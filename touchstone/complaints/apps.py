from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    name = "touchstone.complaints"
    label = "complaints"
    verbose_name = "Complaints"
