from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "touchstone.portal"
    label = "portal"
    verbose_name = "Public portal"
