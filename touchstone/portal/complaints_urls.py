"""Public pages of the complaints capability (namespace portal_complaints)."""

from django.urls import path

from touchstone.portal import complaints_views as views

app_name = "portal_complaints"

urlpatterns = [
    path("agencies/<slug:agency_slug>/complaints/", views.start, name="start"),
    path("agencies/<slug:agency_slug>/complaints/new/", views.new, name="new"),
    path(
        "agencies/<slug:agency_slug>/complaints/new/<slug:service_slug>/", views.new, name="new-for-service"
    ),
    path("agencies/<slug:agency_slug>/complaints/statistics/", views.statistics, name="statistics"),
    path("agencies/<slug:agency_slug>/complaints/answers/", views.answers, name="answers"),
    path("agencies/<slug:agency_slug>/complaints/answers/<int:article_id>/", views.answer, name="answer"),
    path("complaints/received/", views.received, name="received"),
    path("complaints/status/", views.status, name="status"),
    path("complaints/status/reply/", views.reply, name="reply"),
    path("complaints/status/dispute/", views.dispute, name="dispute"),
    path("complaints/status/leave/", views.leave, name="leave"),
    path("complaints/follow-up/<str:token>/", views.follow_up, name="follow-up"),
]
