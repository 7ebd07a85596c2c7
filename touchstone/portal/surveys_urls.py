"""Public survey pages (namespace portal_surveys)."""

from django.urls import path

from touchstone.portal import surveys_views

app_name = "portal_surveys"

urlpatterns = [
    path("s/<slug:code>", surveys_views.short_link, name="short"),
    path("s/<slug:code>/", surveys_views.survey_form, name="form"),
    path("s/<slug:code>/thanks/", surveys_views.thanks, name="thanks"),
    path("s/<slug:code>/embed/", surveys_views.survey_embed, name="embed"),
    path("s/<slug:code>/embed/thanks/", surveys_views.embed_thanks, name="embed-thanks"),
    path("s/<slug:code>/k/<str:token>/", surveys_views.kiosk_entry, name="kiosk"),
    path("s/<slug:code>/qr.svg", surveys_views.qr_code, name="qr"),
]
