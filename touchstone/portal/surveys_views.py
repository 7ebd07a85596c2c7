"""The public survey form: hosted page, embeddable form, short link and QR code. Works without JavaScript."""

import re
import uuid
from typing import Any

import segno
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.csp import CSP
from django.utils.translation import get_language
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt

from touchstone.surveys import collection, instrument, languages, services
from touchstone.surveys.models import Response, Survey
from touchstone.surveys.selectors import public_survey

SUBMISSION_KEY = re.compile(r"[0-9a-f]{32}")


def short_link(request: HttpRequest, code: str) -> HttpResponse:
    """/s/<code>: the short address printed on receipts and posters."""
    query = request.META.get("QUERY_STRING", "")
    return redirect(reverse("portal_surveys:form", args=[code]) + (f"?{query}" if query else ""))


def qr_code(request: HttpRequest, code: str) -> HttpResponse:
    survey = public_survey(code)
    url = request.build_absolute_uri(reverse("portal_surveys:short", args=[survey.short_code]))
    response = HttpResponse(
        segno.make(url, error="m").svg_inline(scale=6, title=survey.title), content_type="image/svg+xml"
    )
    response["Cache-Control"] = "public, max-age=86400"
    return response


def survey_form(request: HttpRequest, code: str) -> HttpResponse:
    return _form(request, code, embedded=False)


@csrf_exempt  # a form inside another site's page cannot carry our CSRF cookie; its Origin is checked instead
@xframe_options_exempt
def survey_embed(request: HttpRequest, code: str) -> HttpResponse:
    survey = public_survey(code)
    if request.method == "POST":
        origin = request.headers.get("Origin", "")
        own = request.build_absolute_uri("/").rstrip("/")
        if origin and origin != own and origin not in survey.origins():
            return render(
                request,
                "portal/surveys/closed.html",
                {"survey": survey, "reason": "origin", "embedded": True},
                status=403,
            )
    response = _form(request, code, embedded=True, survey=survey)
    # Only the agency's own sites may frame the form.
    response._csp_config = {**settings.SECURE_CSP, "frame-ancestors": [CSP.SELF, *survey.origins()]}  # type: ignore[attr-defined]
    return response


def _form(request: HttpRequest, code: str, *, embedded: bool, survey: Survey | None = None) -> HttpResponse:
    survey = survey or public_survey(code)
    if survey.is_anonymous:
        # Employees answer through their one-use link (/e/<token>/), which keeps the answer apart from them.
        raise Http404("Employee surveys are answered through one-use links.")
    requested = str(request.POST.get("lang") or request.GET.get("lang") or "")
    language = languages.respondent_language(survey, requested, get_language() or "en")
    base = {
        "survey": survey,
        "embedded": embedded,
        "language": language,
        "title": survey.localized("title", language),
    }
    if not survey.collecting():
        reason = "expired" if survey.pra_expired() else survey.status
        return render(request, "portal/surveys/closed.html", {**base, "reason": reason}, status=200)
    version = survey.current_version
    assert version is not None
    pages = version.schema["pages"]
    params = request.POST if request.method == "POST" else request.GET
    token = str(params.get("resume", ""))
    partial = collection.load_partial(survey, token)
    if partial is not None and not requested:
        language = languages.respondent_language(survey, "", get_language() or "en", partial.language)
        base.update(language=language, title=survey.localized("title", language))
    earlier: dict[str, Any] = partial.answers if partial else {}
    try:
        index = min(max(int(params.get("page", 0)), 0), len(pages) - 1)
    except ValueError:
        index = 0
    if index > 0 and partial is None:
        index = 0  # a later page needs the earlier answers
    errors: dict[str, str] = {}
    submitted: dict[str, Any] = {}
    source = Response.Source.EMBED if embedded else Response.Source.WEB
    if request.method == "POST":
        # The rate limit first: a bot filling the honeypot is still counted, so it cannot fill the spam table.
        if collection.rate_limited(request, survey):
            return render(request, "portal/surveys/closed.html", {**base, "reason": "rate"}, status=429)
        if request.POST.get(collection.HONEYPOT_FIELD):
            return _thanks_redirect(survey, embedded, spam=True, request=request, language=language)
        questions = collection.page_questions(survey, index)
        raw = {
            key: (
                request.POST.getlist(key)
                if any(q["key"] == key and q["kind"] == "multiple" for q in questions)
                else request.POST.get(key)
            )
            for key in request.POST
        }
        link = {key: request.POST.get(f"link_{key}", "") for key in collection.LINK_FIELDS}
        raw.update(
            collection.hidden_values(
                version.questions(),
                {k: request.POST.get(f"link_{k}") for k in [q["key"] for q in version.questions()]},
            )
        )
        checked = instrument.check_answers(questions, raw, earlier)
        errors, submitted = checked.errors, {**raw}
        if not errors:
            context = collection.link_context(survey, link)
            following = instrument.next_page_index(version.schema, index, {**earlier, **checked.answers})
            if following is not None:
                token = collection.save_partial(survey, token, checked.answers, language, context, source)
                query = f"?page={following}&resume={token}"
                name = "portal_surveys:embed" if embedded else "portal_surveys:form"
                return redirect(reverse(name, args=[survey.short_code]) + query)
            if partial is not None:
                collection.complete_partial(partial, checked.answers)
            else:
                try:
                    services.record_response(
                        survey=survey,
                        raw={**earlier, **raw},
                        source=source,
                        language=language,
                        context={**context, "referrer_page": _referrer(request)},
                        idempotency_key=_submission_key(request),
                    )
                except services.ResponseRefused as refused:
                    errors = refused.errors
            if not errors:
                return _thanks_redirect(survey, embedded, request=request, language=language)
    questions = collection.page_questions(survey, index)
    shown = collection.questions_to_show(questions, language, errors, {**earlier, **submitted})
    link_values = {key: params.get(f"link_{key}", params.get(key, "")) for key in collection.LINK_FIELDS}
    link_values.update(
        {
            q["key"]: params.get(f"link_{q['key']}", params.get(q["key"], ""))
            for q in version.questions()
            if q["kind"] == "hidden"
        }
    )
    status = 400 if errors else 200
    page = render(
        request,
        "portal/surveys/form.html",
        {
            **base,
            "questions": shown,
            "errors": [(q["key"], q["label"], q["error"]) for q in shown if q["error"]],
            "page_index": index,
            "page_count": len(pages),
            "resume": token if partial or index else "",
            "page_title": languages.translated(pages[index], "title", language),
            "survey_language": language,
            "direction": languages.direction(language),
            "interface_language": get_language() or "en",
            "language_links": languages.picker(survey, language, request.GET.dict()),
            "link_values": {k: v for k, v in link_values.items() if v},
            "honeypot": collection.HONEYPOT_FIELD,
            "intro": survey.localized("introduction", language) if index == 0 else "",
            "submission_key": _submission_key(request) or uuid.uuid4().hex,
        },
        status=status,
    )
    # The page carries its own submission key: a shared cache handing one key to many people would merge them.
    page["Cache-Control"] = "private, no-store"
    return page


def _submission_key(request: HttpRequest) -> str | None:
    """The key the form was shown with: a browser's retry of a submission whose answer was lost (a dropped
    connection, a restarted server) sends it again and is answered with the stored response, not stored twice."""
    key = str(request.POST.get("submission", ""))
    return key if SUBMISSION_KEY.fullmatch(key) else None


def _referrer(request: HttpRequest) -> str:
    """Only the path of the page the form was on, never the query string or another site's address."""
    from urllib.parse import urlparse

    referrer = urlparse(request.headers.get("Referer", ""))
    return referrer.path[:200] if referrer.netloc == request.get_host() else ""


def _thanks_redirect(
    survey: Survey, embedded: bool, *, request: HttpRequest, language: str, spam: bool = False
) -> HttpResponse:
    if spam:
        # Bots get the same answer as people, and their submission is kept marked as spam for the inbox.
        version = survey.current_version
        if version is not None:
            Response.objects.create(
                survey=survey,
                version=version,
                answers={},
                is_spam=True,
                source=Response.Source.EMBED if embedded else Response.Source.WEB,
                language=language,
            )
    name = "portal_surveys:embed-thanks" if embedded else "portal_surveys:thanks"
    # The thank-you page speaks the language the answers were given in, when it is not the site's.
    query = f"?lang={language}" if language != (get_language() or "en") else ""
    return redirect(reverse(name, args=[survey.short_code]) + query)


def thanks(request: HttpRequest, code: str) -> HttpResponse:
    survey = public_survey(code, any_status=True)
    language = languages.respondent_language(survey, request.GET.get("lang", ""), get_language() or "en")
    return render(
        request,
        "portal/surveys/thanks.html",
        {
            "survey": survey,
            "title": survey.localized("title", language),
            "message": survey.localized("thank_you", language),
            "survey_language": language,
            "direction": languages.direction(language),
            "embedded": False,
        },
    )


@xframe_options_exempt
def embed_thanks(request: HttpRequest, code: str) -> HttpResponse:
    survey = public_survey(code, any_status=True)
    language = languages.respondent_language(survey, request.GET.get("lang", ""), get_language() or "en")
    response = render(
        request,
        "portal/surveys/thanks.html",
        {
            "survey": survey,
            "title": survey.localized("title", language),
            "message": survey.localized("thank_you", language),
            "survey_language": language,
            "direction": languages.direction(language),
            "embedded": True,
        },
    )
    response._csp_config = {**settings.SECURE_CSP, "frame-ancestors": [CSP.SELF, *survey.origins()]}  # type: ignore[attr-defined]
    return response
