"""The response inbox: every member reads; tagging, flagging, spam and archive need `edit_surveys`.

Everything works without JavaScript: filters are a GET form, actions are POST forms, bulk actions take the
checked boxes. Responses to an anonymous employee survey are never listed one by one, only counted.
"""

import io

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from touchstone.core.access import AgencyRequest, member_view
from touchstone.core.pages import render_workspace
from touchstone.surveys import exports, inbox, selectors
from touchstone.surveys.expiry import expiry_notice_days
from touchstone.surveys.models import Survey

EDIT = "edit_surveys"
SPAM_REASONS = {
    "honeypot": gettext_lazy("filled in the field hidden from people"),
    "too_fast": gettext_lazy("sent sooner than a person reads the form"),
    "no_form": gettext_lazy("sent without opening the form"),
    "repeated": gettext_lazy("the same answers again and again from one place"),
    "links": gettext_lazy("web addresses in the answers"),
    "burst": gettext_lazy("over the survey’s limit of answers a minute"),
}


def _inbox_url(survey: Survey) -> str:
    return reverse("manage:surveys:inbox", args=[survey.agency.slug, survey.pk])


def _back(request: AgencyRequest, survey: Survey) -> str:
    """Where to return after an action: the inbox page (with its filters) the person came from."""
    target = request.POST.get("next", "")
    if (
        target
        and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
        and target.startswith(_inbox_url(survey))
    ):
        return target
    return _inbox_url(survey)


@member_view()
def response_inbox(request: AgencyRequest, survey_id: int) -> HttpResponse:
    survey = selectors.survey_of(request.agency, survey_id)
    context = {
        "survey": survey,
        "can_edit": request.membership.can(EDIT),
        "days_to_expiry": expiry_notice_days(survey),
    }
    if survey.is_anonymous:
        count = selectors.responses_of(survey).filter(is_spam=False, status="complete").count()
        return render_workspace(request, "manage/surveys/inbox_anonymous.html", {**context, "count": count})
    form = inbox.InboxFilterForm(request.GET or None, survey=survey)
    filters = form.filters()
    responses = inbox.inbox_responses(survey, filters).defer("version__schema", "answers")
    page = Paginator(responses, inbox.PAGE_SIZE).get_page(request.GET.get("page"))
    return render_workspace(
        request,
        "manage/surveys/inbox.html",
        {
            **context,
            "form": form,
            "page": page,
            "responses": page.object_list,
            "actions": inbox.ACTION_CHOICES,
            "is_a11_v2": exports.is_a11_v2(survey),
        },
    )


@member_view()
def response_export(request: AgencyRequest, survey_id: int) -> HttpResponse:
    """The inbox's responses with its current filters, as CSV, JSON or the A-11 quarterly upload."""
    survey = selectors.survey_of(request.agency, survey_id)
    if survey.is_anonymous:
        raise Http404("The individual responses of an anonymous survey are not exported.")
    export_format = request.GET.get("format", "csv")
    if export_format not in exports.INBOX_EXPORTS:
        raise Http404("No such export format.")
    filters = inbox.InboxFilterForm(request.GET, survey=survey).filters()
    exporter = exports.INBOX_EXPORTS[export_format]()
    buffer = io.StringIO()
    exporter.write_responses(buffer, inbox.inbox_responses(survey, filters))  # type: ignore[attr-defined]
    period = filters.quarter.label.replace(" ", "-") if filters.quarter else timezone.localdate().isoformat()
    name = f"{survey.short_code}-{exporter.kind}-{period}{exporter.suffix}"
    response = HttpResponse(buffer.getvalue(), content_type=f"{exporter.content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@member_view(EDIT)
@require_POST
def response_bulk(request: AgencyRequest, survey_id: int) -> HttpResponse:
    """Apply one action to every checked response of the page."""
    survey = selectors.survey_of(request.agency, survey_id)
    if survey.is_anonymous:
        raise Http404("The responses of an anonymous survey are not handled one by one.")
    ids = [int(value) for value in request.POST.getlist("response") if value.isdigit()]
    _act(request, survey, ids, request.POST.get("action", ""), request.POST.get("tag", ""))
    return redirect(_back(request, survey))


@member_view()
def response_detail(request: AgencyRequest, survey_id: int, response_id: int) -> HttpResponse:
    survey = selectors.survey_of(request.agency, survey_id)
    if survey.is_anonymous:
        raise Http404("The responses of an anonymous survey are not shown one by one.")
    response = selectors.response_of(survey, response_id)
    return render_workspace(
        request,
        "manage/surveys/inbox_response.html",
        {
            "survey": survey,
            "response": response,
            "answers": inbox.answer_rows(response, request.LANGUAGE_CODE),
            "spam_reasons": [str(SPAM_REASONS.get(reason, reason)) for reason in response.spam_reasons],
            "can_edit": request.membership.can(EDIT),
            "days_to_expiry": expiry_notice_days(survey),
            "back": _back_from_query(request, survey),
        },
    )


def _back_from_query(request: AgencyRequest, survey: Survey) -> str:
    target = request.GET.get("next", "")
    if target.startswith(_inbox_url(survey)) and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}
    ):
        return target
    return _inbox_url(survey)


@member_view(EDIT)
@require_POST
def response_mark(request: AgencyRequest, survey_id: int, response_id: int) -> HttpResponse:
    """One response: flag, spam, archive, tag, or undo any of them."""
    survey = selectors.survey_of(request.agency, survey_id)
    if survey.is_anonymous:
        raise Http404("The responses of an anonymous survey are not handled one by one.")
    response = selectors.response_of(survey, response_id)
    _act(request, survey, [response.pk], request.POST.get("action", ""), request.POST.get("tag", ""))
    return redirect(
        reverse("manage:surveys:inbox-response", args=[survey.agency.slug, survey.pk, response.pk])
    )


def _act(request: AgencyRequest, survey: Survey, ids: list[int], action: str, tag: str) -> None:
    try:
        count = inbox.act_on_responses(
            actor=request.user, survey=survey, response_ids=ids, action=action, tag=tag
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return
    label = dict(inbox.ACTION_CHOICES).get(action, action)
    messages.success(
        request,
        ngettext(
            "%(action)s: %(count)s response changed.",
            "%(action)s: %(count)s responses changed.",
            count,
        )
        % {"action": label, "count": count},
    )
    if count == 0:
        messages.info(request, _("Nothing needed changing."))
