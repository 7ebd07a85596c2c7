"""Public pages of the catalog (namespace portal_catalog)."""

from django.urls import path

from touchstone.portal import catalog_views

app_name = "portal_catalog"

urlpatterns = [
    path("services/", catalog_views.directory, name="directory"),
    path("agencies/<slug:agency_slug>/services/", catalog_views.directory, name="agency-directory"),
    path("agencies/<slug:agency_slug>/services/<slug:service_slug>/", catalog_views.service, name="service"),
]
