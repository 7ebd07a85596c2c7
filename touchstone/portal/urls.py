from django.urls import path

from touchstone.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("agencies/<slug:agency_slug>/", views.agency, name="agency"),
]
