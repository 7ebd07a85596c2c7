"""Workspace pages of employee voice, under /manage/<agency_slug>/voice/ (namespace manage:voice)."""

from django.urls import path  # noqa: F401

app_name = "voice"

urlpatterns: list = []
