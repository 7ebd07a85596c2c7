"""Public pages of the standards capability (namespace portal_standards)."""

from django.urls import path  # noqa: F401

app_name = "portal_standards"

urlpatterns: list = []
