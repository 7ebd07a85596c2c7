"""Workspace pages of improvement, under /manage/<agency_slug>/improvement/ (namespace manage:improvement)."""

from django.urls import path

from touchstone.improvement import views

app_name = "improvement"

urlpatterns = [
    path("", views.home, name="home"),
    path("services/<int:service_id>/", views.service_page, name="service"),
    path("services/<int:service_id>/follow/", views.follow, name="follow"),
    path("services/<int:service_id>/actions/new/", views.action_new, name="action-new"),
    path("actions/<int:action_id>/", views.action_detail, name="action"),
    path("actions/<int:action_id>/edit/", views.action_edit, name="action-edit"),
    path("follow-ups/", views.follow_ups, name="follow-ups"),
    path("follow-ups/<int:follow_up_id>/", views.follow_up_detail, name="follow-up"),
    path("follow-up-rules/", views.rules, name="rules"),
    path("follow-up-rules/new/", views.rule_new, name="rule-new"),
    path("follow-up-rules/<int:follow_up_rule_id>/", views.rule_edit, name="rule-edit"),
    path("alerts/", views.alerts, name="alerts"),
]
