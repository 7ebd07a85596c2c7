"""Workspace pages of survey analysis, under /manage/<agency_slug>/analysis/ (namespace manage:analysis)."""

from django.urls import path  # noqa: F401

app_name = "analysis"

urlpatterns: list = []
