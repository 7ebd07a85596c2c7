"""Public pages of the standards capability (namespace portal_standards)."""

from django.urls import path

from touchstone.portal import standards_views

app_name = "portal_standards"

urlpatterns = [
    path("standards/", standards_views.government_wide, name="government"),
    path("agencies/<slug:agency_slug>/standards/", standards_views.agency_standards, name="agency"),
]
