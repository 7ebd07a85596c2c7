"""Workspace pages of the complaints capability, under /manage/<agency_slug>/complaints/ (namespace manage:complaints)."""

from django.urls import path

from touchstone.complaints import views

app_name = "complaints"

urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("closed/", views.closed_cases, name="closed"),
    path("new/", views.case_new, name="case-new"),
    path("cases/<int:case_id>/", views.case_detail, name="case"),
    path("cases/<int:case_id>/assess/", views.case_assess, name="case-assess"),
    path("cases/<int:case_id>/assign/", views.case_assign, name="case-assign"),
    path("cases/<int:case_id>/note/", views.case_note, name="case-note"),
    path("cases/<int:case_id>/message/", views.case_message, name="case-message"),
    path("cases/<int:case_id>/start/", views.case_start, name="case-start"),
    path("cases/<int:case_id>/wait/", views.case_wait, name="case-wait"),
    path("cases/<int:case_id>/resume/", views.case_resume, name="case-resume"),
    path("cases/<int:case_id>/close/", views.case_close, name="case-close"),
    path("cases/<int:case_id>/reopen/", views.case_reopen, name="case-reopen"),
    path("cases/<int:case_id>/triage/", views.case_triage, name="case-triage"),
    path("cases/<int:case_id>/merge/", views.case_merge, name="case-merge"),
    path("cases/<int:case_id>/split/", views.case_split, name="case-split"),
    path("cases/<int:case_id>/duplicate/", views.case_duplicate, name="case-duplicate"),
    path("bulk/", views.worklist_bulk, name="bulk"),
    path(
        "cases/<int:case_id>/attachments/<int:attachment_id>/",
        views.case_attachment,
        name="case-attachment",
    ),
    path("insight/", views.insight, name="insight"),
    path("setup/", views.setup, name="setup"),
    path("setup/settings/", views.settings_edit, name="settings"),
    path("setup/policies/new/", views.policy_new, name="policy-new"),
    path("setup/policies/<int:policy_id>/", views.policy_edit, name="policy-edit"),
    path("setup/rules/new/", views.rule_new, name="rule-new"),
    path("setup/rules/<int:rule_id>/", views.rule_edit, name="rule-edit"),
    path("setup/calendars/<int:office_id>/", views.calendar_edit, name="calendar"),
    path("setup/triage/", views.triage_train, name="triage-train"),
    path("setup/replies/new/", views.canned_new, name="canned-new"),
    path("setup/replies/<int:reply_id>/", views.canned_edit, name="canned-edit"),
    path("setup/email/", views.email_settings, name="email-settings"),
    path("setup/topics/", views.topics, name="topics"),
    path("setup/topics/<int:topic_id>/", views.topic_edit, name="topic-edit"),
    path("setup/answers/new/", views.article_new, name="article-new"),
    path("setup/answers/<int:article_id>/", views.article_edit, name="article-edit"),
]
