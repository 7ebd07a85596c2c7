"""Workspace pages of survey analysis, under /manage/<agency_slug>/analysis/ (namespace manage:analysis)."""

from django.urls import path

from touchstone.analysis import views

app_name = "analysis"

urlpatterns = [
    path("", views.analysis_home, name="home"),
    path("<int:survey_id>/", views.survey_analysis, name="survey"),
    path("services/<int:service_id>/", views.service_analysis, name="service"),
    path("<int:survey_id>/drivers/", views.survey_drivers, name="drivers"),
    path("<int:survey_id>/themes/", views.survey_themes, name="themes"),
    path("<int:survey_id>/weighting/", views.weighting, name="weighting"),
    path("<int:survey_id>/refresh/", views.refresh, name="refresh"),
]
