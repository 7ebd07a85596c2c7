"""Public pages of complaints: file one, see where it stands, answer the follow-up, read the statistics.

A tracking number appears only after the case is committed (post, commit, redirect, show).
"""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from touchstone.complaints import selectors, services
from touchstone.complaints.forms import (
    ArticleFeedbackForm,
    CustomerReplyForm,
    DisputeForm,
    FollowUpForm,
    PublicComplaintForm,
    StatusCheckForm,
)
from touchstone.complaints.models import Case
from touchstone.core.models import Agency
from touchstone.core.ratelimit import over_limit
from touchstone.core.selectors import cached_public_agency, public_agency

# The thank-you page learns the number from a signed cookie, not the session: filing a complaint writes nothing but
# the case, and nobody can make the page show a number they were not given.
RECEIVED_COOKIE = "complaint_received"
RECEIVED_SALT = "touchstone.portal.complaint-received"
RECEIVED_FOR_SECONDS = 60 * 60
STATUS_KEY = "complaint_case"


def start(request: HttpRequest, agency_slug: str) -> HttpResponse:
    agency = public_agency(agency_slug)
    return render(
        request,
        "portal/complaints/start.html",
        {"agency": agency, "services": selectors.public_services_of(agency)},
    )


def _answers_context(request: HttpRequest, agency: Agency) -> dict[str, Any]:
    """The topics public answers are filed under, the one chosen (?topic=) and its answers, in the reader's language."""
    # Named and sorted in the reader's language: "Parent — Child", each part in Spanish on Spanish pages when given.
    topics = sorted(selectors.public_article_topics(agency), key=lambda topic: topic.display_label.casefold())
    chosen = next((topic for topic in topics if str(topic.pk) == request.GET.get("topic", "")), None)
    language = get_language() or "en"
    answers = (
        [
            (article, article.in_language(language)[0])
            for article in selectors.public_articles(agency, chosen.pk)
        ]
        if chosen
        else []
    )
    return {"answer_topics": topics, "chosen_topic": chosen, "answers": answers}


def answers(request: HttpRequest, agency_slug: str) -> HttpResponse:
    """The public answers (knowledge base), by topic."""
    agency = public_agency(agency_slug)
    context = _answers_context(request, agency)
    if context["chosen_topic"] is None:
        language = get_language() or "en"
        context["answers"] = [
            (article, article.in_language(language)[0]) for article in selectors.public_articles(agency)
        ]
    return render(request, "portal/complaints/answers.html", {"agency": agency, **context})


def answer(request: HttpRequest, agency_slug: str, article_id: int) -> HttpResponse:
    """One public answer, and "did this answer your question?" (counted, nothing else kept)."""
    agency = public_agency(agency_slug)
    article = selectors.public_article(agency, article_id)
    form = ArticleFeedbackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.article_helped(article=article, helped=form.cleaned_data["helped"])
        if form.cleaned_data["helped"]:
            messages.success(request, _("Thank you. We are glad it answered your question."))
            return redirect("portal_complaints:answer", agency_slug=agency.slug, article_id=article.pk)
        messages.info(request, _("Thank you. Tell us what went wrong, and we will look into it."))
        return redirect("portal_complaints:new", agency_slug=agency.slug)
    title, body = article.in_language(get_language() or "en")
    return render(
        request,
        "portal/complaints/answer.html",
        {"agency": agency, "article": article, "title": title, "body": body},
    )


def new(request: HttpRequest, agency_slug: str, service_slug: str = "") -> HttpResponse:
    agency = cached_public_agency(agency_slug)
    service = selectors.public_service_of(agency, service_slug) if service_slug else None
    form = PublicComplaintForm(
        request.POST or None,
        request.FILES or None,
        agency=agency,
        initial={"service": service} if service else None,
    )
    if request.method == "POST" and over_limit(
        request, "complaint-filing", settings.COMPLAINT_FILINGS_PER_MINUTE
    ):
        # Counted before the honeypot, like surveys: a script cannot file, or pretend to file, without limit.
        form.add_error(
            None, _("Too many complaints from here in the last minute. Please wait a minute and try again.")
        )
        response = render(
            request,
            "portal/complaints/form.html",
            {"agency": agency, "service": service, "form": form},
            status=429,
        )
        response["Retry-After"] = "60"
        return response
    if request.method == "POST" and form.is_valid():
        thanks = redirect("portal_complaints:received")
        if form.cleaned_data.get("website"):
            # Filled by software, not a person: say thank you and keep nothing.
            thanks.delete_cookie(RECEIVED_COOKIE)
            return thanks
        data = form.intake_data() | {"channel": "website", "language": (get_language() or "en")[:8]}
        case = services.file_complaint(agency=agency, data=data, attachments=form.checked_attachments)
        # file_complaint has committed by now: only now may the person see the number.
        thanks.set_signed_cookie(
            RECEIVED_COOKIE,
            case.tracking_number,
            salt=RECEIVED_SALT,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
        return thanks
    return render(
        request,
        "portal/complaints/form.html",
        {"agency": agency, "service": service, "form": form, **_answers_context(request, agency)},
    )


def received(request: HttpRequest) -> HttpResponse:
    number = request.get_signed_cookie(
        RECEIVED_COOKIE, default=None, salt=RECEIVED_SALT, max_age=RECEIVED_FOR_SECONDS
    )
    case = selectors.case_for_receipt(number) if number else None
    return render(request, "portal/complaints/received.html", {"case": case})


def status(request: HttpRequest) -> HttpResponse:
    case = selectors.case_for_session(request.session.get(STATUS_KEY))
    if case is not None and request.method == "GET":
        return render(
            request,
            "portal/complaints/status.html",
            {
                "case": case,
                "events": case.events.all(),
                "case_messages": case.messages.all(),
                "reply_form": CustomerReplyForm(),
                "dispute_form": DisputeForm() if case.can_be_disputed else None,
            },
        )
    form = StatusCheckForm(request.POST or None)
    if request.method == "POST" and over_limit(
        request, "complaint-status", settings.COMPLAINT_STATUS_CHECKS_PER_MINUTE
    ):
        # Guessing tracking numbers and emails is slowed to a few tries a minute per address.
        form.add_error(None, _("Too many tries in the last minute. Please wait a minute and try again."))
        return render(request, "portal/complaints/check.html", {"form": form}, status=429)
    if request.method == "POST" and form.is_valid():
        found = selectors.case_for_customer(form.cleaned_data["tracking_number"], form.cleaned_data["email"])
        if found is not None:
            request.session.cycle_key()
            request.session[STATUS_KEY] = found.pk
            return redirect("portal_complaints:status")
        # The same answer for an unknown number and a wrong email: nobody learns which numbers exist.
        form.add_error(
            None,
            _("We could not find a complaint with that tracking number and email. Check both and try again."),
        )
    return render(request, "portal/complaints/check.html", {"form": form})


def _status_case(request: HttpRequest) -> Case:
    case = selectors.case_for_session(request.session.get(STATUS_KEY))
    if case is None:
        raise Http404("Check your complaint first.")
    return case


def reply(request: HttpRequest) -> HttpResponse:
    case = _status_case(request)
    form = CustomerReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.customer_replies(case=case, body=form.cleaned_data["body"])
        messages.success(request, _("Thank you. We have your reply."))
        return redirect("portal_complaints:status")
    return render(
        request, "portal/complaints/customer_form.html", {"form": form, "title": _("Reply"), "case": case}
    )


def dispute(request: HttpRequest) -> HttpResponse:
    case = _status_case(request)
    if not case.can_be_disputed:
        messages.error(request, _("This complaint can no longer be disputed here."))
        return redirect("portal_complaints:status")
    form = DisputeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.dispute_case(case=case, reason=form.cleaned_data["reason"])
        messages.success(request, _("Your complaint is open again. We will review our response."))
        return redirect("portal_complaints:status")
    return render(
        request,
        "portal/complaints/customer_form.html",
        {"form": form, "title": _("Dispute our response"), "case": case},
    )


def leave(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        request.session.pop(STATUS_KEY, None)
    return redirect("portal_complaints:status")


def follow_up(request: HttpRequest, token: str) -> HttpResponse:
    found = selectors.follow_up_for_token(token)
    if found is None:
        raise Http404("No such follow-up.")
    if found.answered_at is not None:
        return render(request, "portal/complaints/follow_up_done.html", {"follow_up": found})
    form = FollowUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.answer_follow_up(
            follow_up=found,
            resolved=form.cleaned_data["resolved"],
            satisfaction=form.cleaned_data["satisfaction"],
        )
        return render(request, "portal/complaints/follow_up_done.html", {"follow_up": found})
    return render(request, "portal/complaints/follow_up.html", {"form": form, "follow_up": found})


def statistics(request: HttpRequest, agency_slug: str) -> HttpResponse:
    agency = public_agency(agency_slug)
    return render(
        request,
        "portal/complaints/statistics.html",
        {"agency": agency, "stats": selectors.public_statistics(agency)},
    )
