"""Workspace pages of the standards capability, under /manage/<agency_slug>/standards/ (namespace manage:standards)."""

from django.urls import path

from touchstone.standards import views

app_name = "standards"

urlpatterns = [
    path("", views.standard_list, name="list"),
    path("new/", views.standard_new, name="new"),
    path("alerts/", views.alert_list, name="alerts"),
    path("discrepancies/", views.discrepancy_list, name="discrepancies"),
    path("<int:standard_id>/", views.standard_detail, name="detail"),
    path("<int:standard_id>/edit/", views.standard_edit, name="edit"),
]
