from django.urls import include, path

from touchstone.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("agencies/<slug:agency_slug>/", views.agency, name="agency"),
    # Each capability's public pages: portal/<app>_urls.py, namespace portal_<app>.
    path("", include("touchstone.portal.catalog_urls")),
    path("", include("touchstone.portal.standards_urls")),
    path("", include("touchstone.portal.complaints_urls")),
]
