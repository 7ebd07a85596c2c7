"""Public pages of the complaints capability (namespace portal_complaints)."""

from django.urls import path  # noqa: F401

app_name = "portal_complaints"

urlpatterns: list = []
