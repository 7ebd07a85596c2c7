"""Workspace pages of the catalog, under /manage/<agency_slug>/catalog/ (namespace manage:catalog)."""

from django.urls import path

from touchstone.catalog import views

app_name = "catalog"

urlpatterns = [
    path("services/", views.service_list, name="services"),
    path("services/new/", views.service_new, name="service-new"),
    path("services/<int:service_id>/", views.service_detail, name="service"),
    path("services/<int:service_id>/edit/", views.service_edit, name="service-edit"),
    path("services/<int:service_id>/status/", views.service_status, name="service-status"),
    path("services/<int:service_id>/channels/new/", views.channel_new, name="channel-new"),
    path("services/<int:service_id>/channels/<int:channel_id>/", views.channel_edit, name="channel-edit"),
    path(
        "services/<int:service_id>/channels/<int:channel_id>/remove/",
        views.channel_remove,
        name="channel-remove",
    ),
    path("services/<int:service_id>/stages/new/", views.stage_new, name="stage-new"),
    path("services/<int:service_id>/stages/<int:stage_id>/", views.stage_edit, name="stage-edit"),
    path("services/<int:service_id>/stages/<int:stage_id>/remove/", views.stage_remove, name="stage-remove"),
    path("services/<int:service_id>/segments/new/", views.segment_link_new, name="segment-link-new"),
    path(
        "services/<int:service_id>/segments/<int:link_id>/", views.segment_link_edit, name="segment-link-edit"
    ),
    path(
        "services/<int:service_id>/segments/<int:link_id>/remove/",
        views.segment_link_remove,
        name="segment-link-remove",
    ),
    path("services/<int:service_id>/volumes/new/", views.volume_new, name="volume-new"),
    path("segments/", views.segment_list, name="segments"),
    path("segments/new/", views.segment_new, name="segment-new"),
    path("segments/<int:segment_id>/", views.segment_edit, name="segment-edit"),
    path("who-should-be-served/", views.gaps, name="gaps"),
    path("providers/", views.provider_list, name="providers"),
    path("providers/new/", views.provider_new, name="provider-new"),
    path("providers/<int:provider_id>/", views.provider_edit, name="provider-edit"),
]
