"""Workspace pages of the catalog capability, under /manage/<agency_slug>/catalog/ (namespace manage:catalog)."""

from django.urls import path  # noqa: F401

app_name = "catalog"

urlpatterns: list = []
