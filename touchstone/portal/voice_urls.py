"""Pages reached from an employee's one-use survey link (namespace portal_voice)."""

from django.urls import path

from touchstone.portal import voice_views

app_name = "portal_voice"

urlpatterns = [
    path("e/thanks/", voice_views.thanks, name="thanks"),
    path("e/privacy/", voice_views.privacy, name="privacy"),
    path("e/<str:token>/", voice_views.answer, name="answer"),
]
