"""Public pages of reports and plans (namespace portal_reports): the current plan and survey report, HTML and PDF."""

from django.urls import path

from touchstone.portal import reports_views

app_name = "portal_reports"

urlpatterns = [
    path("agencies/<slug:agency_slug>/customer-service-plan/", reports_views.plan, name="plan"),
    path("agencies/<slug:agency_slug>/customer-service-plan.pdf", reports_views.plan_pdf, name="plan-pdf"),
    path("agencies/<slug:agency_slug>/survey-report/", reports_views.report, name="report"),
    path("agencies/<slug:agency_slug>/survey-report.pdf", reports_views.report_pdf, name="report-pdf"),
]
