"""The response inbox, included in touchstone/surveys/urls.py (namespace manage:surveys)."""

from django.urls import path

from touchstone.surveys import inbox_views

urlpatterns = [
    path("<int:survey_id>/responses/", inbox_views.response_inbox, name="inbox"),
    path("<int:survey_id>/responses/export/", inbox_views.response_export, name="inbox-export"),
    path("<int:survey_id>/responses/bulk/", inbox_views.response_bulk, name="inbox-bulk"),
    path("<int:survey_id>/responses/<int:response_id>/", inbox_views.response_detail, name="inbox-response"),
    path("<int:survey_id>/responses/<int:response_id>/mark/", inbox_views.response_mark, name="inbox-mark"),
]
