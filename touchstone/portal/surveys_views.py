"""The public survey form: hosted page, embeddable form, short link and QR code. Works without JavaScript."""

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

from touchstone.portal import visitor_pages
from touchstone.surveys import collection, defence, instrument, languages, selectors, services
from touchstone.surveys.models import KioskDevice, Response, Survey
from touchstone.surveys.selectors import public_survey


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


def kiosk_entry(request: HttpRequest, code: str, token: str) -> HttpResponse:
    """/s/<code>/k/<token>/: opened once on a kiosk device, it remembers the device (a cookie holding the token)
    and opens the form; from then on the device has its own limit instead of its address's."""
    survey = public_survey(code)
    selectors.kiosk_by_token(survey, token)  # 404 for a wrong or switched-off token
    response = redirect(reverse("portal_surveys:form", args=[survey.short_code]))
    response.set_cookie(
        defence.KIOSK_COOKIE,
        token,
        max_age=365 * 24 * 3600,
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE,
        samesite="Lax",
    )
    response["Cache-Control"] = "no-store"
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


def _form(
    request: HttpRequest,
    code: str,
    *,
    embedded: bool,
    survey: Survey | None = None,
    trusted: bool = False,
) -> HttpResponse:
    """The hosted or embedded form, one page at a time; the last page stores the answers and shows the thanks in
    the same response. `trusted`: reached through a one-use invitation link, so its answers are not spam-scored."""
    survey = survey or public_survey(code)
    if survey.is_anonymous:
        # Employees answer through their one-use link (/e/<token>/), which keeps the answer apart from them.
        raise Http404("Employee surveys are answered through one-use links.")
    requested = str(request.POST.get("lang") or request.GET.get("lang") or "")
    language = languages.respondent_language(survey, requested, get_language() or "en")
    kiosk = defence.kiosk_for(request, survey)
    base = {
        "survey": survey,
        "embedded": embedded,
        "language": language,
        "title": survey.localized("title", language),
        "kiosk": kiosk,
        "survey_language": language,
        "direction": languages.direction(language),
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
    stamp = str(params.get(defence.STAMP_FIELD, "")) if request.method == "POST" else ""
    if request.method == "POST":
        # The rate limit first: a bot filling the honeypot is still counted, so it cannot fill the spam table.
        if defence.rate_limited(request, survey, kiosk):
            return _no_store(
                render(request, "portal/surveys/closed.html", {**base, "reason": "rate"}, status=429), kiosk
            )
        if request.POST.get(defence.HONEYPOT_FIELD):
            # Bots get the same answer as people; the submission is kept marked as spam for the inbox.
            collection.keep_honeypot_hit(survey, source, language, kiosk)
            return _thanks(request, base)
        questions = collection.page_questions(survey, index)
        multiple = {q["key"] for q in questions if q["kind"] == "multiple"}
        raw = {
            key: request.POST.getlist(key) if key in multiple else request.POST.get(key)
            for key in request.POST
        }
        link = collection.link_from(request.POST, version.questions(), survey, prefix="link_")
        raw.update(link.hidden)
        checked = instrument.check_answers(questions, raw, earlier, language=language)
        errors, submitted = checked.errors, {**raw}
        if not errors:
            context = {**collection.link_context(survey, link.context), "link_fields": link.fields}
            if kiosk is not None:
                context["kiosk"] = kiosk
            following = instrument.next_page_index(version.schema, index, {**earlier, **checked.answers})
            if following is not None:
                token = collection.save_partial(survey, token, checked.answers, language, context, source)
                query = f"?page={following}&resume={token}"
                name = "portal_surveys:embed" if embedded else "portal_surveys:form"
                return redirect(reverse(name, args=[survey.short_code]) + query)
            signed = defence.read_stamp(stamp)
            answers = {**earlier, **checked.answers}
            verdict = (
                defence.Verdict()
                if trusted
                else defence.judge(request, survey, answers, stamp=signed, kiosk=kiosk)
            )
            if partial is not None:
                collection.complete_partial(partial, checked.answers, verdict)
            else:
                try:
                    # The page checked is the whole survey here (one page, nothing earlier): not checked twice.
                    services.record_response(
                        survey=survey,
                        raw=raw,
                        checked=checked,
                        source=source,
                        language=language,
                        context={**context, **verdict.fields(), "referrer_page": _referrer(request)},
                        # A refresh or a second click sends the same form again: stored once.
                        idempotency_key=f"form-{signed[1]}" if signed else None,
                    )
                except services.ResponseRefused as refused:
                    errors = refused.errors
                except services.IdempotencyConflict:
                    pass  # the same form sent again with changed answers: its first answers were received
            if not errors:
                return _thanks(request, base)
    link_values = collection.link_from(params, version.questions(), survey, prefix="link_", or_plain=True)
    values = {**earlier, **submitted, **({} if request.method == "POST" else link_values.prefilled)}
    resume = token if partial or index else ""
    carried = link_values.carried()
    context = {
        **base,
        "page_index": index,
        "page_count": len(pages),
        "resume": resume,
        "page_title": languages.translated(pages[index], "title", language),
        "interface_language": get_language() or "en",
        "language_links": languages.picker(survey, language, request.GET.dict()),
        "link_values": carried,
        "honeypot": defence.HONEYPOT_FIELD,
        "stamp_field": defence.STAMP_FIELD,
        "intro": survey.localized("introduction", language) if index == 0 else "",
    }
    stamp = stamp or defence.new_stamp()
    if errors or values or resume:
        shown = collection.questions_to_show(
            collection.page_questions(survey, index), language, errors, values
        )
        context["questions"] = shown
        context["errors"] = [(q["key"], q["label"], q["error"]) for q in shown if q["error"]]
        response = render(
            request, "portal/surveys/form.html", {**context, "stamp": stamp}, status=400 if errors else 200
        )
    else:
        # A fresh page is the same for everyone who follows this link: drawn once (visitor_pages).
        key = (
            "survey-form",
            survey.pk,
            survey.updated_at,
            version.pk,
            index,
            language,
            embedded,
            kiosk is not None,
        )
        # The questions are drawn only when the page is (a template calls a callable it is given).
        context["questions"] = lambda: collection.questions_to_show(
            collection.page_questions(survey, index), language, {}, {}
        )
        response = visitor_pages.render_for_visitor(
            request,
            "portal/surveys/form.html",
            context,
            # The language picker's links repeat the link's own query: pages differ by it.
            key=(*key, tuple(sorted(carried.items())), tuple(sorted(request.GET.items()))),
            per_request={"stamp": stamp},
        )
    return _no_store(response, kiosk)


def _no_store(response: HttpResponse, kiosk: KioskDevice | None) -> HttpResponse:
    """Every form page carries its own stamp, which keys its submission: a shared cache handing one page to many
    people would make their answers one. On a kiosk, the next person must not see the last one's page either."""
    response["Cache-Control"] = "no-store" if kiosk is not None else "private, no-store"
    return response


def _thanks(request: HttpRequest, base: dict[str, Any]) -> HttpResponse:
    """The thank-you page, in the response to the submission itself (no second request); a kiosk offers the form
    afresh for the next person."""
    survey: Survey = base["survey"]
    name = "portal_surveys:embed" if base["embedded"] else "portal_surveys:form"
    response = visitor_pages.render_for_visitor(
        request,
        "portal/surveys/thanks.html",
        {
            **base,
            "message": survey.localized("thank_you", base["language"]),
            "next_person_url": reverse(name, args=[survey.short_code]),
        },
        key=(
            "survey-thanks",
            survey.pk,
            survey.updated_at,
            base["language"],
            base["embedded"],
            base["kiosk"] is not None,
        ),
    )
    return _no_store(response, base["kiosk"])


def _referrer(request: HttpRequest) -> str:
    """Only the path of the page the form was on, never the query string or another site's address."""
    from urllib.parse import urlparse

    referrer = urlparse(request.headers.get("Referer", ""))
    return referrer.path[:200] if referrer.netloc == request.get_host() else ""


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
