"""Workspace pages of the standards capability, under /manage/<agency_slug>/standards/ (namespace manage:standards)."""

from django.urls import path  # noqa: F401

app_name = "standards"

urlpatterns: list = []
