"""Workspace pages of reports and plans, under /manage/<agency_slug>/reports/ (namespace manage:reports)."""

from django.urls import path

from touchstone.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.home, name="home"),
    path("survey-reports/new/", views.report_new, name="report-new"),
    path("survey-reports/<int:report_id>/", views.report_detail, name="report"),
    path("survey-reports/<int:report_id>/edit/", views.report_edit, name="report-edit"),
    path("survey-reports/<int:report_id>/move/", views.report_move, name="report-move"),
    path("survey-reports/<int:report_id>/pdf/", views.report_pdf, name="report-pdf"),
    path("survey-reports/<int:report_id>/comments/", views.report_comments, name="report-comments"),
    path(
        "survey-reports/<int:report_id>/comments/<int:quote_id>/withdraw/",
        views.report_quote_withdraw,
        name="report-quote-withdraw",
    ),
    path("plans/new/", views.plan_new, name="plan-new"),
    path("plans/<int:plan_id>/", views.plan_detail, name="plan"),
    path("plans/<int:plan_id>/sections/<slug:section>/", views.plan_section, name="plan-section"),
    path("plans/<int:plan_id>/move/", views.plan_move, name="plan-move"),
    path("plans/<int:plan_id>/pdf/", views.plan_pdf, name="plan-pdf"),
    path("a11/", views.collections, name="collections"),
    path("a11/new/", views.collection_new, name="collection-new"),
    path("a11/<int:collection_id>/", views.collection_detail, name="collection"),
    path("a11/<int:collection_id>/edit/", views.collection_edit, name="collection-edit"),
    path("a11/<int:collection_id>/fill/", views.collection_fill, name="collection-fill"),
    path("a11/<int:collection_id>/upload/", views.collection_upload, name="collection-upload"),
    path("a11/<int:collection_id>/move/", views.collection_move, name="collection-move"),
    path("a11/<int:collection_id>/responses.csv", views.collection_export, name="collection-export"),
    path("a11/<int:collection_id>/question-counts.csv", views.collection_counts, name="collection-counts"),
    path("action-plans/new/", views.action_plan_new, name="action-plan-new"),
    path("action-plans/<int:action_plan_id>/", views.action_plan_detail, name="action-plan"),
    path(
        "action-plans/<int:action_plan_id>/capacity/", views.action_plan_capacity, name="action-plan-capacity"
    ),
    path("action-plans/<int:action_plan_id>/goals/new/", views.goal_new, name="goal-new"),
    path("action-plans/<int:action_plan_id>/move/", views.action_plan_move, name="action-plan-move"),
    path("deliveries/", views.deliveries, name="deliveries"),
    path("deliveries/<int:delivery_id>/remove/", views.delivery_remove, name="delivery-remove"),
]
