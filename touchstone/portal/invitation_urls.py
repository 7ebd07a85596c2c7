"""Public pages reached from an email invitation (namespace portal_invitations)."""

from django.urls import path

from touchstone.portal import invitation_views

app_name = "portal_invitations"

urlpatterns = [
    path("s/<slug:code>/i/<slug:token>/", invitation_views.invitation_entry, name="entry"),
    path("s/<slug:code>/i/<slug:token>/unsubscribe/", invitation_views.unsubscribe, name="unsubscribe"),
]
