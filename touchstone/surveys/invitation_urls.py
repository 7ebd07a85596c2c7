"""Workspace pages of surveys (invitation_urls), included in touchstone/surveys/urls.py (namespace manage:surveys)."""

from django.urls import path

from touchstone.surveys import invitation_views as views

urlpatterns = [
    path("<int:survey_id>/invitations/", views.invitation_list, name="invitations"),
    path("<int:survey_id>/invitations/contacts/", views.contacts_upload, name="invitations-upload"),
    path("<int:survey_id>/invitations/send/", views.invitations_send, name="invitations-send"),
    path("<int:survey_id>/invitations/remind/", views.reminders_send, name="invitations-remind"),
    path(
        "<int:survey_id>/invitations/dispositions/",
        views.dispositions_by_email,
        name="invitations-dispositions",
    ),
    path(
        "<int:survey_id>/invitations/<int:invitation_id>/disposition/",
        views.invitation_disposition,
        name="invitation-disposition",
    ),
]
