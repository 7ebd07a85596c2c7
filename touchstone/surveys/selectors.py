"""Every read of surveys. Staff reads take the agency; the public reads a survey only by its short code."""

from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404

from touchstone.core.models import Agency
from touchstone.core.ttl import TimedMemo
from touchstone.surveys.models import Invitation, KioskDevice, KnownNetwork, Page, Question, Response, Survey

PUBLIC_STATUSES = {Survey.Status.PUBLISHED, Survey.Status.PAUSED, Survey.Status.CLOSED}


# The survey behind a public link with its live version (the compiled pages and questions), read on every request
# of a submission: kept per process for a few seconds, forgotten at once in this process when a survey or version
# is saved (signals.py), so a pause or close reaches every worker within this many seconds.
PUBLIC_MEMO = TimedMemo(seconds=5)


def public_survey(code: str, any_status: bool = False) -> Survey:
    """A survey the public may see (its form, or a polite notice that it is not collecting)."""
    survey: Survey | None = PUBLIC_MEMO.get(
        code,
        lambda: (
            Survey.objects.select_related("agency", "current_version", "service")
            .filter(short_code=code)
            .first()
        ),
    )
    if survey is None or (not any_status and survey.status not in PUBLIC_STATUSES):
        raise Http404("No such survey.")
    return survey


def _employee_answer_count() -> Subquery:
    """Employee voice keeps an employee survey's answers apart (anonymous), not as responses, and shows them only in
    releases: count the respondents its releases cover (a live count would move with each answer and tell who)."""
    releases = Survey._meta.get_field("voice_releases").related_model
    return Subquery(
        releases._default_manager.filter(survey=OuterRef("pk"))  # type: ignore[union-attr]
        .order_by()
        .values("survey")
        .annotate(n=Sum("respondents"))
        .values("n"),
        output_field=IntegerField(),
    )


def surveys_of(agency: Agency) -> QuerySet[Survey]:
    return (
        Survey.objects.filter(agency=agency)
        .select_related("service", "current_version")
        .annotate(
            response_count=Count(
                "responses", filter=Q(responses__status="complete", responses__is_spam=False)
            ),
            complete_count=F("response_count") + Coalesce(_employee_answer_count(), 0),
        )
        .order_by("-created_at")
    )


def complete_count(survey: Survey) -> int:
    """Complete answers to the survey: responses, or for an employee survey the respondents its releases cover."""
    if survey.audience == Survey.Audience.EMPLOYEES:
        return int(survey.voice_releases.aggregate(n=Sum("respondents"))["n"] or 0)  # type: ignore[attr-defined]
    return responses_of(survey).filter(status="complete", is_spam=False).count()


def survey_of(agency: Agency, survey_id: int) -> Survey:
    survey = (
        Survey.objects.select_related("service", "current_version", "agency")
        .filter(agency=agency, pk=survey_id)
        .first()
    )
    if survey is None:
        raise Http404("No such survey in this agency.")
    return survey


# The survey being answered, for the API's submission path; a pause or close reaches every worker within this
# many seconds (at once in the worker that made it).
SUBMISSION_MEMO = TimedMemo(seconds=5)


def survey_for_submission(agency: Agency, survey_id: int) -> Survey:
    return SUBMISSION_MEMO.get((agency.pk, survey_id), lambda: survey_of(agency, survey_id))  # type: ignore[no-any-return]


def question_of(survey: Survey, question_id: int) -> Question:
    question = Question.objects.filter(survey=survey, pk=question_id).select_related("page").first()
    if question is None:
        raise Http404("No such question in this survey.")
    return question


def page_of(survey: Survey, page_id: int) -> Page:
    page = Page.objects.filter(survey=survey, pk=page_id).select_related("survey").first()
    if page is None:
        raise Http404("No such page in this survey.")
    return page


def pages_of(survey: Survey) -> QuerySet[Page]:
    return Page.objects.filter(survey=survey).prefetch_related("questions").order_by("position", "pk")


def responses_of(survey: Survey) -> QuerySet[Response]:
    return Response.objects.filter(survey=survey).select_related("service", "office", "version")


def response_of(survey: Survey, response_id: int) -> Response:
    response = responses_of(survey).filter(pk=response_id).first()
    if response is None:
        raise Http404("No such response in this survey.")
    return response


def invitations_of(survey: Survey) -> QuerySet[Invitation]:
    return Invitation.objects.filter(survey=survey)


def surveys_expiring(agency: Agency | None = None) -> QuerySet[Survey]:
    surveys = Survey.objects.filter(status=Survey.Status.PUBLISHED, omb_expiration_date__isnull=False)
    return surveys.filter(agency=agency) if agency is not None else surveys


def kiosks_of(survey: Survey) -> QuerySet[KioskDevice]:
    return KioskDevice.objects.filter(survey=survey).annotate(answers=Count("responses"))


def kiosk_of(survey: Survey, kiosk_id: int) -> KioskDevice:
    kiosk = KioskDevice.objects.filter(survey=survey, pk=kiosk_id).first()
    if kiosk is None:
        raise Http404("No such kiosk for this survey.")
    return kiosk


def kiosk_by_token(survey: Survey, token: str) -> KioskDevice:
    kiosk = KioskDevice.objects.filter(
        survey=survey, token_hash=KioskDevice.hash_token(token), revoked_at__isnull=True
    ).first()
    if kiosk is None:
        raise Http404("No such kiosk, or it was switched off.")
    return kiosk


def known_networks_of(agency: Agency) -> QuerySet[KnownNetwork]:
    return KnownNetwork.objects.filter(agency=agency)


def known_network_of(agency: Agency, network_id: int) -> KnownNetwork:
    network = KnownNetwork.objects.filter(agency=agency, pk=network_id).first()
    if network is None:
        raise Http404("No such known network in this agency.")
    return network
