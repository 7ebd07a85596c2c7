"""Public pages of the catalog capability (namespace portal_catalog)."""

from django.urls import path  # noqa: F401

app_name = "portal_catalog"

urlpatterns: list = []
