"""Public pages reached from an email invitation (namespace portal_invitations)."""

from django.urls import path  # noqa: F401

app_name = "portal_invitations"

urlpatterns: list = []
