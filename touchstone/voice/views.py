"""Workspace pages of employee voice: employee surveys, the review queue, the board and insight for managers."""

from collections.abc import Callable
from functools import wraps
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from touchstone.core.access import AgencyRequest, member_view
from touchstone.core.importing import SafeCsvWriter
from touchstone.core.pages import form_page, render_workspace
from touchstone.surveys import services as survey_services
from touchstone.surveys.models import Survey
from touchstone.voice import forms, selectors, services
from touchstone.voice.models import BoardItem, EmployeeSurveySetup

# Admins and analysts manage employee voice; both hold "edit_surveys".
MANAGE = "edit_surveys"
POST = "post_ideas"


def _manages(request: AgencyRequest) -> bool:
    return request.membership.can(MANAGE)


def board_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Front-line staff (post_ideas) and the managers who answer them."""

    @member_view()
    @wraps(view)
    def wrapped(request: AgencyRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not (request.membership.can(POST) or _manages(request)):
            raise PermissionDenied("Your role cannot post ideas.")
        return view(request, *args, **kwargs)

    return wrapped


def _survey_url(survey: Survey) -> str:
    return reverse("manage:voice:survey", args=[survey.agency.slug, survey.pk])


def _item_url(item: BoardItem) -> str:
    return reverse("manage:voice:item", args=[item.agency.slug, item.pk])


@member_view()
def home(request: AgencyRequest) -> HttpResponse:
    manages = _manages(request)
    return render_workspace(
        request,
        "manage/voice/home.html",
        {
            "manages": manages,
            "can_post": manages or request.membership.can(POST),
            "surveys": selectors.employee_surveys(request.agency) if manages else [],
            "minimum": selectors.minimum_group(request.agency),
            "can_configure": request.membership.can("manage_agency"),
        },
    )


@member_view("manage_agency")
def voice_settings(request: AgencyRequest) -> HttpResponse:
    agency = request.agency
    current = selectors.minimum_group(agency)
    return form_page(
        request,
        forms.SettingsForm(request.POST or None, initial={"minimum_group": current}),
        lambda data: services.save_settings(
            actor=request.user, agency=agency, minimum_group=data["minimum_group"]
        ),
        title=_("Employee voice settings"),
        success=_("Settings saved."),
        then=reverse("manage:voice:home", args=[agency.slug]),
    )


# --- employee surveys -------------------------------------------------------------------------------------------


@member_view(MANAGE)
def survey_new(request: AgencyRequest) -> HttpResponse:
    agency = request.agency
    return form_page(
        request,
        forms.NewEmployeeSurveyForm(request.POST or None),
        lambda data: services.create_employee_survey(actor=request.user, agency=agency, **data),
        title=_("New employee survey"),
        success=_(
            "Employee survey created as a draft. Review its questions, publish it, then send the links."
        ),
        then=_survey_url,
    )


def _release_number(request: AgencyRequest) -> int | None:
    """The release asked for (?release=N), or None for the latest; anything else is not found."""
    raw = request.GET.get("release", "")
    if not raw:
        return None
    if not raw.isdigit():
        raise Http404("No such release.")
    return int(raw)


@member_view(MANAGE)
def survey_detail(request: AgencyRequest, employee_survey_id: int) -> HttpResponse:
    survey = selectors.employee_survey_of(request.agency, employee_survey_id)
    return render_workspace(
        request,
        "manage/voice/survey.html",
        {
            "survey": survey,
            "results": selectors.survey_results(survey, get_language() or "en", _release_number(request)),
            "links": selectors.link_counts(survey),
            "pending": selectors.pending_comments(survey).count(),
            "send_requests": selectors.pending_send_requests(survey),
            "problems": survey_services.publish_problems(survey),
            "statuses": Survey.Status,
        },
    )


@member_view(MANAGE)
@require_POST
def survey_publish(request: AgencyRequest, employee_survey_id: int) -> HttpResponse:
    survey = selectors.employee_survey_of(request.agency, employee_survey_id)
    try:
        survey_services.change_status(actor=request.user, survey=survey, status=Survey.Status.PUBLISHED)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Published. Send the one-use links to start collecting."))
    return redirect(_survey_url(survey))


@member_view(MANAGE)
@require_POST
def survey_close(request: AgencyRequest, employee_survey_id: int) -> HttpResponse:
    survey = selectors.employee_survey_of(request.agency, employee_survey_id)
    services.close_survey(actor=request.user, survey=survey)
    messages.success(
        request,
        _(
            "Closed. The addresses the links were sent to have been deleted, and the answers since the last "
            "release were released if there were enough of them."
        ),
    )
    return redirect(_survey_url(survey))


@member_view(MANAGE)
@require_POST
def send_decision(request: AgencyRequest, employee_survey_id: int, send_request_id: int) -> HttpResponse:
    """A second admin approves or refuses a send that needs one."""
    survey = selectors.employee_survey_of(request.agency, employee_survey_id)
    send_request = selectors.send_request_of(survey, send_request_id)
    approve = request.POST.get("decision") == "approve"
    try:
        services.decide_send(actor=request.user, request=send_request, approve=approve)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Approved: the links were sent.") if approve else _("Refused."))
    return redirect(_survey_url(survey))


@member_view(MANAGE)
def survey_releases(request: AgencyRequest, employee_survey_id: int) -> HttpResponse:
    """The release schedule and the differential privacy budget, and a button to release now."""
    survey = selectors.employee_survey_of(request.agency, employee_survey_id)
    setup = EmployeeSurveySetup.objects.get_or_create(survey=survey)[0]
    return form_page(
        request,
        forms.ReleaseRulesForm(request.POST or None, instance=setup),
        lambda data: services.save_release_rules(actor=request.user, survey=survey, **data),
        title=_("Releases and privacy"),
        success=_("Release rules saved."),
        then=_survey_url(survey),
        template="manage/voice/releases.html",
        context={
            "survey": survey,
            "releases": selectors.releases(survey),
            "privacy": selectors.privacy_of(survey),
            "minimum": selectors.minimum_group(request.agency),
        },
    )


@member_view(MANAGE)
@require_POST
def survey_release(request: AgencyRequest, employee_survey_id: int) -> HttpResponse:
    survey = selectors.employee_survey_of(request.agency, employee_survey_id)
    try:
        release = services.release_results(actor=request.user, survey=survey)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Release %(number)s made.") % {"number": release.number})
    return redirect(_survey_url(survey))


@member_view(MANAGE)
def survey_links(request: AgencyRequest, employee_survey_id: int) -> HttpResponse:
    survey = selectors.employee_survey_of(request.agency, employee_survey_id)

    def send(data: dict[str, Any]) -> services.SendOutcome:
        return services.send_links(actor=request.user, survey=survey, emails=data["emails"])

    def told(outcome: services.SendOutcome) -> str:
        if outcome.request is not None:
            return _(
                "This send goes to fewer people than the minimum or to addresses outside the roster, so a second "
                "agency admin must approve it. It waits on the survey's page."
            )
        assert outcome.sent is not None
        return _("%(created)s links sent; %(skipped)s addresses already had one.") % {
            "created": outcome.sent.created,
            "skipped": outcome.sent.already_invited,
        }

    return form_page(
        request,
        forms.LinksForm(request.POST or None, request.FILES or None, agency=request.agency),
        send,
        title=_("Send one-use links"),
        success=told,
        then=_survey_url(survey),
        template="manage/voice/links.html",
        context={"survey": survey},
    )


@member_view(MANAGE)
def survey_breakdowns(request: AgencyRequest, employee_survey_id: int) -> HttpResponse:
    survey = selectors.employee_survey_of(request.agency, employee_survey_id)
    return form_page(
        request,
        forms.BreakdownForm(
            request.POST or None, survey=survey, initial={"keys": selectors.breakdown_keys(survey)}
        ),
        lambda data: services.set_breakdowns(actor=request.user, survey=survey, keys=data["keys"]),
        title=_("Break results down by"),
        success=_("Breakdowns saved."),
        then=_survey_url(survey),
    )


@member_view(MANAGE)
def survey_export(request: AgencyRequest, employee_survey_id: int) -> HttpResponse:
    """The results as CSV: the same suppressed figures the page shows, never an answer."""
    survey = selectors.employee_survey_of(request.agency, employee_survey_id)
    results = selectors.survey_results(survey, get_language() or "en", _release_number(request))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="employee-survey-{survey.pk}-results.csv"'
    writer = SafeCsvWriter(response)
    hidden = _("hidden")
    writer.writerow(["table", "group", "measure", "respondents", "value"])
    if not results.shown:
        writer.writerow(["overall", "", "respondents", hidden, ""])
        return response
    assert results.release is not None
    writer.writerow(["release", results.release.month, "number", "", results.release.number])
    writer.writerow(["overall", "", "respondents", results.respondents, ""])
    for question in results.questions:
        if question.favorable is not None or question.n is None:
            writer.writerow(
                [
                    "overall",
                    "",
                    question.key,
                    question.n if question.n is not None else hidden,
                    _format(question.favorable),
                ]
            )
        for share in question.shares:
            writer.writerow(
                [
                    question.key,
                    share.label,
                    "share",
                    share.count if share.count is not None else hidden,
                    _format(share.share),
                ]
            )
    for breakdown in results.breakdowns:
        for row in breakdown.rows:
            respondents = row.respondents if row.respondents is not None else hidden
            writer.writerow([breakdown.key, row.label, "respondents", respondents, ""])
            for column, value in zip(breakdown.columns, row.favorable, strict=True):
                writer.writerow([breakdown.key, row.label, f"favorable: {column}", "", _format(value)])
    for key, texts in results.comments.items():
        for text in texts:
            writer.writerow(["comments", key, "comment", "", text])
    return response


def _format(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"


@member_view(MANAGE)
def review_queue(request: AgencyRequest, employee_survey_id: int) -> HttpResponse:
    survey = selectors.employee_survey_of(request.agency, employee_survey_id)
    return render_workspace(
        request,
        "manage/voice/review_queue.html",
        {
            "survey": survey,
            "comments": [
                (comment, selectors.marked_for_redaction(comment.original[:300]))
                for comment in selectors.pending_comments(survey)[:50]
            ],
            "pending": selectors.pending_comments(survey).count(),
        },
    )


@member_view(MANAGE)
def review_comment(request: AgencyRequest, employee_survey_id: int, comment_id: UUID) -> HttpResponse:
    survey = selectors.employee_survey_of(request.agency, employee_survey_id)
    comment = selectors.comment_of(survey, comment_id)
    form = forms.ReviewForm.for_comment(comment, request.POST or None)
    if comment.status != comment.Status.PENDING:
        messages.info(request, _("This comment has already been reviewed."))
        return redirect(reverse("manage:voice:review", args=[request.agency.slug, survey.pk]))
    if request.method == "POST" and form.is_valid():
        approve = request.POST.get("decision") == "approve"
        try:
            services.review_comment(
                actor=request.user, comment=comment, redacted=form.cleaned_data["redacted"], approve=approve
            )
        except ValidationError as error:
            form.add_error("redacted", error.messages)
        else:
            messages.success(request, _("Approved.") if approve else _("Withheld."))
            return redirect(reverse("manage:voice:review", args=[request.agency.slug, survey.pk]))
    return render_workspace(
        request,
        "manage/voice/review_comment.html",
        {
            "survey": survey,
            "comment": comment,
            "passages": selectors.marked_for_redaction(comment.original),
            "form": form,
        },
    )


# --- the board --------------------------------------------------------------------------------------------------


@board_view
def board(request: AgencyRequest) -> HttpResponse:
    filters = forms.BoardFilterForm(request.GET or None, agency=request.agency)
    items = selectors.board_items(request.agency, viewer=request.user, **filters.filters())
    return render_workspace(
        request,
        "manage/voice/board.html",
        {"items": items, "filters": filters, "manages": _manages(request)},
    )


@board_view
def item_new(request: AgencyRequest) -> HttpResponse:
    agency = request.agency

    def post(data: dict[str, Any]) -> BoardItem:
        anonymous = data.pop("anonymous", False)
        return services.post_item(actor=request.user, agency=agency, data=data, anonymous=anonymous)

    return form_page(
        request,
        forms.BoardItemForm(request.POST or None, agency=agency),
        post,
        title=_("Post a barrier or an idea"),
        success=_("Posted. Managers will reply on the board."),
        then=_item_url,
    )


@board_view
def item_detail(request: AgencyRequest, board_item_id: UUID) -> HttpResponse:
    item = selectors.board_item_of(request.agency, board_item_id, viewer=request.user)
    manages = _manages(request)
    context: dict[str, Any] = {"item": item, "manages": manages}
    if manages:
        context["triage"] = forms.TriageForm(instance=item, agency=request.agency)
        context["merge"] = forms.MergeForm(item=item)
    return render_workspace(request, "manage/voice/item.html", context)


@board_view
@require_POST
def item_support(request: AgencyRequest, board_item_id: UUID) -> HttpResponse:
    item = selectors.board_item_of(request.agency, board_item_id)
    try:
        supports = services.toggle_support(actor=request.user, item=item)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Thank you for your support.") if supports else _("Support taken back."))
    board_url = reverse("manage:voice:board", args=[request.agency.slug])
    return redirect(board_url if request.POST.get("next") == board_url else _item_url(item))


@member_view(MANAGE)
def item_triage(request: AgencyRequest, board_item_id: UUID) -> HttpResponse:
    item = selectors.board_item_of(request.agency, board_item_id)
    return form_page(
        request,
        forms.TriageForm(request.POST or None, instance=item, agency=request.agency),
        lambda data: services.triage_item(actor=request.user, item=item, data=data),
        title=_("Reply and triage"),
        success=_("Saved. Staff see the new status and reply on the board."),
        then=_item_url,
    )


@member_view(MANAGE)
def item_merge(request: AgencyRequest, board_item_id: UUID) -> HttpResponse:
    item = selectors.board_item_of(request.agency, board_item_id)

    def merge(data: dict[str, Any]) -> BoardItem:
        kept = selectors.board_item_of(request.agency, data["keep"])
        return services.merge_items(actor=request.user, duplicate=item, kept=kept)

    return form_page(
        request,
        forms.MergeForm(request.POST or None, item=item),
        merge,
        title=_("Merge a duplicate"),
        success=_("Merged; its supports moved to the item kept."),
        then=_item_url,
    )


# --- insight ----------------------------------------------------------------------------------------------------


@member_view(MANAGE)
def insight(request: AgencyRequest) -> HttpResponse:
    agency = request.agency
    return render_workspace(
        request,
        "manage/voice/insight.html",
        {
            "top_barriers": selectors.board_items(agency, kind=BoardItem.Kind.BARRIER).exclude(
                status=BoardItem.Status.DONE
            )[:10],
            "by_service": selectors.barriers_by_service(agency),
            "themes": selectors.themes(agency),
            "movements": selectors.did_it_move(agency),
        },
    )
