"""Workspace pages of surveys, under /manage/<agency_slug>/surveys/ (namespace manage:surveys)."""

from django.urls import include, path

from touchstone.surveys import defence_views, views

app_name = "surveys"

urlpatterns = [
    path("", views.survey_list, name="list"),
    path("new/", views.survey_new, name="new"),
    path("<int:survey_id>/", views.survey_detail, name="survey"),
    path("<int:survey_id>/settings/", views.survey_edit, name="edit"),
    path("<int:survey_id>/status/", views.survey_status, name="status"),
    path("<int:survey_id>/questions/new/", views.question_new, name="question-new"),
    path("<int:survey_id>/questions/<int:question_id>/", views.question_edit, name="question-edit"),
    path(
        "<int:survey_id>/questions/<int:question_id>/delete/", views.question_delete, name="question-delete"
    ),
    path("<int:survey_id>/pages/new/", views.page_add, name="page-new"),
    path("<int:survey_id>/languages/", views.survey_languages, name="languages"),
    path("<int:survey_id>/xlsform/", views.survey_xlsform, name="xlsform"),
    path("<int:survey_id>/languages/<str:language>/", views.survey_translation, name="translation"),
    path("<int:survey_id>/pages/<int:page_id>/", views.page_edit, name="page-edit"),
    path("known-networks/", defence_views.known_networks, name="known-networks"),
    path(
        "known-networks/<int:network_id>/remove/",
        defence_views.known_network_remove,
        name="known-network-remove",
    ),
    path("<int:survey_id>/kiosks/", defence_views.kiosks, name="kiosks"),
    path("<int:survey_id>/kiosks/<int:kiosk_id>/revoke/", defence_views.kiosk_revoke, name="kiosk-revoke"),
    path("", include("touchstone.surveys.inbox_urls")),
    path("", include("touchstone.surveys.invitation_urls")),
]
