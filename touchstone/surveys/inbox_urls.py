"""Workspace pages of surveys (inbox_urls), included in touchstone/surveys/urls.py (namespace manage:surveys)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
