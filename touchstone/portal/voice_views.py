"""The employee's one-use survey link: /e/<token>/, and the page saying what is kept about employees.

No sign-in, no JavaScript needed, English or Spanish. Nothing about the visit is kept: the link is looked up by its
hash; a link that is unknown, used, or whose survey is not collecting gets one and the same neutral page, so
holding a link never tells whether its person answered. The answers are pooled apart from the link's used-mark
(see touchstone.voice.models).
"""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language

from touchstone.surveys import collection
from touchstone.voice import services


def _private(response: HttpResponse) -> HttpResponse:
    # The link is the key: keep it out of caches, and send only our origin (never the path) as Referer.
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "strict-origin"
    return response


def _unavailable(request: HttpRequest) -> HttpResponse:
    """The same page, with the same status, for an unknown link, a used one, and a closed survey."""
    return _private(render(request, "portal/voice/unavailable.html", {}, status=404))


def answer(request: HttpRequest, token: str) -> HttpResponse:
    try:
        link = services.usable_link(token)
    except services.LinkRefused:
        return _unavailable(request)
    survey = link.survey
    language = get_language() or "en"
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
        except services.LinkRefused:
            return _unavailable(request)
        else:
            return _private(redirect(reverse("portal_voice:thanks")))
    shown = collection.questions_to_show(questions, language, errors, submitted)
    return _private(
        render(
            request,
            "portal/voice/form.html",
            {
                "survey": survey,
                "title": survey.localized("title", language),
                "agency": survey.agency,
                "questions": shown,
                "errors": [(q["key"], q["error"]) for q in shown if q["error"]],
                "intro": survey.localized("introduction", language),
            },
            status=400 if errors else 200,
        )
    )


def thanks(request: HttpRequest) -> HttpResponse:
    return _private(render(request, "portal/voice/thanks.html", {}))


def privacy(request: HttpRequest) -> HttpResponse:
    """What is and is not kept about an employee who answers, in plain words."""
    return render(request, "portal/voice/privacy.html", {})
