"""Public pages reached from an email invitation: the survey through its one-time link, and the unsubscribe.

The form itself is the hosted one (`surveys_views._form`); this view only opens it for the invitation's token and,
once the answers are stored, marks the invitation complete or partial with its response.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import transaction
from django.db.models.signals import post_save
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.csrf import csrf_exempt

from touchstone.portal.surveys_views import _form
from touchstone.surveys import invitations
from touchstone.surveys.models import Invitation, Response, Survey
from touchstone.surveys.selectors import public_survey

_saved: ContextVar[list[Response] | None] = ContextVar("invitation_saved_responses", default=None)


def _note_saved(sender: Any, instance: Response, **kwargs: Any) -> None:
    bucket = _saved.get()
    if bucket is not None:
        bucket.append(instance)


post_save.connect(_note_saved, sender=Response, dispatch_uid="portal.invitation_views.note_saved")


@contextmanager
def _responses_saved() -> Iterator[list[Response]]:
    """The responses this thread stores while inside the block: the form's own write, whichever path it took."""
    bucket: list[Response] = []
    reset = _saved.set(bucket)
    try:
        yield bucket
    finally:
        _saved.reset(reset)


def _page(request: HttpRequest, template: str, survey: Survey, **context: Any) -> HttpResponse:
    language = get_language() or "en"
    return render(
        request,
        f"portal/surveys/{template}.html",
        {"survey": survey, "title": survey.localized("title", language), "embedded": False, **context},
    )


def invitation_entry(request: HttpRequest, code: str, token: str) -> HttpResponse:
    """/s/<code>/i/<token>/: the survey for one invitee. A token answers once."""
    survey = public_survey(code)
    invitation = invitations.invitation_by_token(survey, token)
    if invitations.answered(invitation):
        return _page(request, "invitation_answered", survey)
    if request.method != "POST":
        return _stay_on_invitation(_form(request, code, embedded=False, survey=survey), survey, token)
    with transaction.atomic():
        # Two submissions racing on one token: the second waits here, then finds it answered.
        invitation = Invitation.objects.select_for_update().select_related("survey").get(pk=invitation.pk)
        if invitations.answered(invitation):
            return _page(request, "invitation_answered", survey)
        with _responses_saved() as saved:
            result = _form(request, code, embedded=False, survey=survey, trusted=True)
        answers = [response for response in saved if not response.is_spam]
        if answers:
            invitations.record_answer(invitation, answers[-1])
    return _stay_on_invitation(result, survey, token)


def _stay_on_invitation(result: HttpResponse, survey: Survey, token: str) -> HttpResponse:
    """The form sends a respondent on to its next page at the hosted address; keep them on the invitation's."""
    hosted = reverse("portal_surveys:form", args=[survey.short_code])
    location = result.get("Location", "") if result.status_code == 302 else ""
    if location.startswith(hosted + "?"):
        entry = reverse("portal_invitations:entry", args=[survey.short_code, token])
        result["Location"] = entry + location[len(hosted) :]
    return result


@csrf_exempt  # mail programs' one-click unsubscribe posts without our cookie; the token is the credential
def unsubscribe(request: HttpRequest, code: str, token: str) -> HttpResponse:
    """/s/<code>/i/<token>/unsubscribe/: no more email about this survey, without signing in."""
    survey = public_survey(code, any_status=True)
    invitation = invitations.invitation_by_token(survey, token)
    if request.method == "POST":
        invitations.unsubscribe(invitation)
    return _page(
        request,
        "invitation_unsubscribe",
        survey,
        unsubscribed=invitation.unsubscribed_at is not None,
        survey_url=reverse("portal_invitations:entry", args=[survey.short_code, token]),
        answered=invitations.answered(invitation),
    )
