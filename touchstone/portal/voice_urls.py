"""Pages reached from an employee's one-use survey link (namespace portal_voice)."""

from django.urls import path  # noqa: F401

app_name = "portal_voice"

urlpatterns: list = []
