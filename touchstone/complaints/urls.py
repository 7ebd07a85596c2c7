"""Workspace pages of the complaints capability, under /manage/<agency_slug>/complaints/ (namespace manage:complaints)."""

from django.urls import path  # noqa: F401

app_name = "complaints"

urlpatterns: list = []
