"""Example comments in the survey report (EO 12862 §2, "what customers said"): only a comment a person read and
cleared is quoted, as they cleared it; nothing identifying gets through; the words never reach the audit log."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from touchstone.analysis.tests.helpers import add_responses
from touchstone.conftest import Personas
from touchstone.core.models import AuditEntry
from touchstone.reports import services
from touchstone.reports.models import QuotedComment, SurveyReport
from touchstone.surveys.tests.factories import published_survey

COMMENTS = [
    "The wait on hold was too long",
    "Long wait on the phone line",
    "Website form kept crashing",
    "The website timed out on the form",
]


def commented_report(personas: Personas) -> SurveyReport:
    survey = published_survey(personas.agency_a, minimum_to_show=10, title="How did we do?")
    add_responses(
        survey,
        80,
        start=timezone.make_aware(dt.datetime(2026, 1, 15, 9)),
        answers=lambda rng, i: {"satisfaction": 4, "comment_service": COMMENTS[i % 4] + f" {i}"},
    )
    return services.start_report(actor=None, agency=personas.agency_a, period="FY2026 Q2")


def comments_url(report: SurveyReport) -> str:
    return reverse("manage:reports:report-comments", args=[report.agency.slug, report.pk])


def report_url(report: SurveyReport) -> str:
    return reverse("manage:reports:report", args=[report.agency.slug, report.pk])


def test_a_cleared_comment_is_quoted_as_cleared_and_one_left_out_is_never_shown(personas: Personas) -> None:
    report = commented_report(personas)
    analyst = personas.client(personas.analyst_a)
    page = analyst.get(comments_url(report)).content.decode()
    assert "Comments to read" in page
    candidates = services.figures.comment_candidates(report.agency, report.period, set())
    first, second = candidates[0], candidates[1]
    assert first["text"] not in analyst.get(report_url(report)).content.decode()  # nothing quoted unread

    analyst.post(
        comments_url(report),
        {
            "fingerprint": first["fingerprint"],
            "decision": "quote",
            "text": "The wait on hold was long",
            "checked": "yes",
        },
    )
    analyst.post(comments_url(report), {"fingerprint": second["fingerprint"], "decision": "leave"})

    shown = analyst.get(report_url(report)).content.decode()
    assert "In customers' own words" in shown and "“The wait on hold was long”" in shown
    assert second["text"] not in shown
    remaining = analyst.get(comments_url(report)).content.decode()
    assert (
        first["fingerprint"] not in remaining and second["fingerprint"] not in remaining
    )  # not offered again


def test_a_comment_is_not_quoted_without_the_reviewers_check_or_with_a_number_or_address_in_it(
    personas: Personas,
) -> None:
    report = commented_report(personas)
    analyst = personas.client(personas.analyst_a)
    first = services.figures.comment_candidates(report.agency, report.period, set())[0]
    for text, checked, problem in [
        ("Long wait", "", "Confirm that you read the comment"),
        ("Call me at 410 555 0199", "yes", "remove the email address or long number"),
        ("Write to jo@example.com", "yes", "remove the email address or long number"),
        ("x" * 601, "yes", "quote at most 600 characters"),
    ]:
        page = analyst.post(
            comments_url(report),
            {"fingerprint": first["fingerprint"], "decision": "quote", "text": text, "checked": checked},
            follow=True,
        ).content.decode()
        assert problem in page
    assert not QuotedComment.objects.exists()


def test_the_issued_report_keeps_its_quotes_in_both_languages_and_the_log_keeps_no_words(
    personas: Personas,
) -> None:
    report = commented_report(personas)
    first = services.figures.comment_candidates(report.agency, report.period, set())[0]
    services.decide_comment(
        actor=personas.admin_a,
        report=report,
        fingerprint=first["fingerprint"],
        quote=True,
        text="The website kept crashing",
        text_es="El sitio web se caía una y otra vez",
        checked=True,
    )
    for state in ("in_review", "approved", "published"):
        report = services.move_document(actor=personas.admin_a, document=report, to=state)  # type: ignore[assignment]
    assert (
        report.snapshot is not None
        and report.snapshot["surveys"][0]["quotes"][0]["text"] == "The website kept crashing"
    )
    public = f"/agencies/{personas.agency_a.slug}/survey-report/"
    from django.test import Client

    assert "“The website kept crashing”" in Client().get(public).content.decode()
    assert "“El sitio web se caía una y otra vez”" in Client().get("/es" + public).content.decode()
    logged = " ".join(str(entry.changes) for entry in AuditEntry.objects.filter(agency=personas.agency_a))
    assert "crashing" not in logged and "caía" not in logged


def test_a_viewer_cannot_clear_comments_and_another_agency_gets_404(personas: Personas) -> None:
    report = commented_report(personas)
    assert personas.client(personas.viewer_a).get(comments_url(report)).status_code == 403
    assert personas.client(personas.analyst_b).get(comments_url(report)).status_code == 404
