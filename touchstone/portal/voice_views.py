"""The employee's one-use survey link: /e/<token>/. No sign-in, no JavaScript needed, English or Spanish.

Nothing about the visit is kept: the link is looked up by its hash, used up in the same transaction that stores the
answers, and the answers carry no trace of the link, the person, their browser or the time beyond the month.
"""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language

from touchstone.surveys import collection
from touchstone.voice import services
from touchstone.voice.models import EligibilityToken, hash_link_token


def _private(response: HttpResponse) -> HttpResponse:
    # The link is the key: keep it out of caches, and send only our origin (never the path) as Referer.
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "strict-origin"
    return response


def answer(request: HttpRequest, token: str) -> HttpResponse:
    link = (
        EligibilityToken.objects.select_related("survey", "survey__current_version", "survey__agency")
        .filter(token_hash=hash_link_token(token))
        .first()
    )
    if link is None:
        raise Http404("No such link.")
    survey = link.survey
    language = get_language() or "en"
    base = {"survey": survey, "title": survey.localized("title", language), "agency": survey.agency}
    if link.used:
        return _private(render(request, "portal/voice/used.html", base))
    if not survey.is_anonymous or not survey.collecting():
        return _private(render(request, "portal/voice/closed.html", base))
    questions = services.employee_questions(survey)
    errors: dict[str, str] = {}
    submitted: dict[str, Any] = {}
    if request.method == "POST":
        submitted = {
            q["key"]: request.POST.getlist(q["key"])
            if q["kind"] == "multiple"
            else request.POST.get(q["key"])
            for q in questions
        }
        try:
            services.submit_answers(token=token, raw=submitted)
        except services.AnswersRefused as refused:
            errors = refused.errors
        except services.LinkRefused as refused:
            template = "portal/voice/used.html" if refused.reason == "used" else "portal/voice/closed.html"
            return _private(render(request, template, base))
        else:
            return _private(redirect(reverse("portal_voice:thanks")))
    shown = collection.questions_to_show(questions, language, errors, submitted)
    return _private(
        render(
            request,
            "portal/voice/form.html",
            {
                **base,
                "questions": shown,
                "errors": [(q["key"], q["error"]) for q in shown if q["error"]],
                "intro": survey.localized("introduction", language),
            },
            status=400 if errors else 200,
        )
    )


def thanks(request: HttpRequest) -> HttpResponse:
    return _private(render(request, "portal/voice/thanks.html", {}))
