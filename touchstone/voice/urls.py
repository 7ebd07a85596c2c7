"""Workspace pages of employee voice, under /manage/<agency_slug>/voice/ (namespace manage:voice)."""

from django.urls import path

from touchstone.voice import views

app_name = "voice"

urlpatterns = [
    path("", views.home, name="home"),
    path("settings/", views.voice_settings, name="settings"),
    path("surveys/new/", views.survey_new, name="survey-new"),
    path("surveys/<int:employee_survey_id>/", views.survey_detail, name="survey"),
    path("surveys/<int:employee_survey_id>/publish/", views.survey_publish, name="survey-publish"),
    path("surveys/<int:employee_survey_id>/close/", views.survey_close, name="survey-close"),
    path("surveys/<int:employee_survey_id>/links/", views.survey_links, name="survey-links"),
    path(
        "surveys/<int:employee_survey_id>/sends/<int:send_request_id>/",
        views.send_decision,
        name="send-decision",
    ),
    path("surveys/<int:employee_survey_id>/releases/", views.survey_releases, name="survey-releases"),
    path("surveys/<int:employee_survey_id>/release/", views.survey_release, name="survey-release"),
    path("surveys/<int:employee_survey_id>/breakdowns/", views.survey_breakdowns, name="survey-breakdowns"),
    path("surveys/<int:employee_survey_id>/results.csv", views.survey_export, name="survey-export"),
    path("surveys/<int:employee_survey_id>/review/", views.review_queue, name="review"),
    path(
        "surveys/<int:employee_survey_id>/review/<uuid:comment_id>/",
        views.review_comment,
        name="review-comment",
    ),
    path("board/", views.board, name="board"),
    path("board/new/", views.item_new, name="item-new"),
    path("board/<uuid:board_item_id>/", views.item_detail, name="item"),
    path("board/<uuid:board_item_id>/support/", views.item_support, name="item-support"),
    path("board/<uuid:board_item_id>/triage/", views.item_triage, name="item-triage"),
    path("board/<uuid:board_item_id>/merge/", views.item_merge, name="item-merge"),
    path("insight/", views.insight, name="insight"),
]
