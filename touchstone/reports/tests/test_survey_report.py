"""The customer survey report (EO 12862 §2): live figures until it is issued, then frozen; narrative by staff;
the approval path; another agency never sees it."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from touchstone.analysis.models import AnalysisResult
from touchstone.analysis.tests.helpers import add_responses
from touchstone.conftest import Personas
from touchstone.reports import figures, services
from touchstone.reports.models import DocumentState, SurveyReport
from touchstone.reports.tests.helpers import surveyed


def issue(report: SurveyReport, admin: object) -> SurveyReport:
    for state in ("in_review", "approved", "published"):
        report = services.move_document(actor=admin, document=report, to=state)  # type: ignore[arg-type,assignment]
    return report


def test_a_period_is_a_fiscal_year_or_quarter_and_anything_else_is_refused(personas: Personas) -> None:
    assert figures.parse_period("fy2026 q1") == (2026, 1)
    assert figures.parse_period("FY2026") == (2026, None)
    assert figures.previous_period("FY2026 Q1") == "FY2025 Q4"
    assert figures.previous_period("FY2026") == "FY2025"
    with pytest.raises(ValidationError) as error:
        services.start_report(actor=None, agency=personas.agency_a, period="last spring")
    assert "FY2026 Q1" in str(error.value)


def test_the_report_shows_scores_with_intervals_for_the_quarter(personas: Personas) -> None:
    surveyed(personas.agency_a, 40, 30)
    report = services.start_report(actor=None, agency=personas.agency_a, period="FY2026 Q2")
    page = personas.client(personas.viewer_a).get(
        reverse("manage:reports:report", args=[personas.agency_a.slug, report.pk])
    )
    text = page.content.decode()
    assert page.status_code == 200
    assert "75.0%" in text  # 30 of 40 satisfied
    assert "59.8%" in text and "85.8%" in text  # the Wilson interval of 30/40


def test_a_year_report_counts_every_quarter_of_the_year(personas: Personas) -> None:
    survey = surveyed(personas.agency_a, 20, 20, day=dt.date(2025, 11, 1))  # FY2026 Q1
    add_responses(
        survey, 20, answers=lambda rng, i: {"satisfaction": 1, "ease": 1}
    )  # January 2026: FY2026 Q2
    year = figures.report_figures(personas.agency_a, "FY2026")
    (entry,) = year["surveys"]
    assert entry["counts"]["analysed"] == 40
    satisfaction = next(row for row in entry["a11"] if row["measure"] == "satisfaction")
    assert satisfaction["value"] == pytest.approx(0.5)


def test_a_year_analysis_is_kept_and_recomputed_only_when_its_responses_change(
    personas: Personas, django_assert_max_num_queries: object
) -> None:
    survey = surveyed(personas.agency_a, 20, 20, day=dt.date(2025, 11, 1))
    first = figures.survey_analysis(survey, "FY2026")
    assert first["counts"]["analysed"] == 20
    assert AnalysisResult.objects.filter(survey=survey, period="FY2026").count() == 1
    with django_assert_max_num_queries(6):  # type: ignore[operator]  # the freshness check and the cached row
        again = figures.survey_analysis(survey, "FY2026")
    assert again == first
    add_responses(survey, 20, answers=lambda rng, i: {"satisfaction": 1, "ease": 1})  # January 2026
    assert figures.survey_analysis(survey, "FY2026")["counts"]["analysed"] == 40
    assert AnalysisResult.objects.filter(survey=survey, period="FY2026").count() == 1


def test_a_year_analysis_leaves_out_responses_marked_spam_in_the_inbox(personas: Personas) -> None:
    survey = surveyed(personas.agency_a, 20, 20, day=dt.date(2025, 11, 1))
    assert figures.survey_analysis(survey, "FY2026")["counts"]["analysed"] == 20
    spam = list(survey.responses.order_by("pk").values_list("pk", flat=True)[:5])
    marked = personas.client(personas.analyst_a).post(
        reverse("manage:surveys:inbox-bulk", args=[personas.agency_a.slug, survey.pk]),
        {"action": "spam", "response": spam},
    )
    assert marked.status_code == 302
    survey.refresh_from_db()
    assert figures.survey_analysis(survey, "FY2026")["counts"]["analysed"] == 15


def test_responses_stored_with_an_earlier_answer_time_reach_the_year_once_the_refresh_counts_them(
    personas: Personas,
) -> None:
    survey = surveyed(personas.agency_a, 20, 20, day=dt.date(2025, 11, 1))  # FY2026 Q1
    add_responses(survey, 20)  # January 2026: FY2026 Q2, the year's newest
    assert figures.survey_analysis(survey, "FY2026")["counts"]["analysed"] == 40
    # An offline batch or an upload: answered in December, stored now, older than the year's newest response.
    add_responses(survey, 10, seed=3, start=timezone.make_aware(dt.datetime(2025, 12, 2, 9, 0)))
    from touchstone.analysis.tasks import refresh_survey_analysis

    refresh_survey_analysis.call(survey.pk)  # what the response signal queues as they arrive
    assert figures.survey_analysis(survey, "FY2026")["counts"]["analysed"] == 50


def test_a_change_since_the_quarter_before_is_tested_for_significance(personas: Personas) -> None:
    survey = surveyed(personas.agency_a, 100, 50, day=dt.date(2025, 11, 1))  # FY2026 Q1: 50%
    add_responses(
        survey, 100, answers=lambda rng, i: {"satisfaction": 5 if i < 90 else 1, "ease": 3}
    )  # Q2: 90%
    data = figures.report_figures(personas.agency_a, "FY2026 Q2")
    change = next(c for c in data["surveys"][0]["changes"] if c["measure"] == "satisfaction")
    assert change["difference"] == pytest.approx(0.4)
    assert change["significant"] is True


def test_figures_are_live_until_the_report_is_issued_then_frozen(personas: Personas) -> None:
    survey = surveyed(personas.agency_a, 40, 30)
    report = services.start_report(actor=personas.analyst_a, agency=personas.agency_a, period="FY2026 Q2")
    assert report.snapshot is None
    report = issue(report, personas.admin_a)
    assert report.state == DocumentState.PUBLISHED
    assert report.snapshot["surveys"][0]["counts"]["analysed"] == 40
    add_responses(survey, 40, seed=9, answers=lambda rng, i: {"satisfaction": 1, "ease": 1})
    from touchstone.analysis import services as analysis_services

    analysis_services.refresh_analysis(survey, "FY2026 Q2")
    page = personas.client(personas.viewer_a).get(
        reverse("manage:reports:report", args=[personas.agency_a.slug, report.pk])
    )
    assert "75.0%" in page.content.decode()  # still the issued figure, not 37.5%


def test_staff_write_the_narrative_only_while_it_is_a_draft(personas: Personas) -> None:
    report = services.start_report(actor=None, agency=personas.agency_a, period="FY2026 Q2")
    client = personas.client(personas.analyst_a)
    edit = reverse("manage:reports:report-edit", args=[personas.agency_a.slug, report.pk])
    client.post(edit, {"summary": "Most customers were satisfied.", "actions": "We will shorten the wait."})
    report.refresh_from_db()
    assert report.summary == "Most customers were satisfied."
    services.move_document(actor=personas.analyst_a, document=report, to="in_review")
    client.post(edit, {"summary": "Changed in review."})
    report.refresh_from_db()
    assert report.summary == "Most customers were satisfied."


def test_an_analyst_sends_for_review_but_only_the_admin_approves(personas: Personas) -> None:
    report = services.start_report(actor=None, agency=personas.agency_a, period="FY2026 Q2")
    move = reverse("manage:reports:report-move", args=[personas.agency_a.slug, report.pk])
    analyst = personas.client(personas.analyst_a)
    assert analyst.post(move, {"to": "in_review"}).status_code == 302
    assert analyst.post(move, {"to": "approved"}).status_code == 403
    assert personas.client(personas.admin_a).post(move, {"to": "approved"}).status_code == 302
    report.refresh_from_db()
    assert report.state == "approved" and report.approved_by == personas.admin_a


def test_publishing_a_new_report_for_the_period_supersedes_the_old_one_and_keeps_it(
    personas: Personas,
) -> None:
    first = issue(
        services.start_report(actor=None, agency=personas.agency_a, period="FY2026"), personas.admin_a
    )
    second = issue(
        services.start_report(actor=None, agency=personas.agency_a, period="FY2026"), personas.admin_a
    )
    first.refresh_from_db()
    assert first.state == DocumentState.SUPERSEDED and first.published_at is not None
    assert second.state == DocumentState.PUBLISHED


def test_staff_of_another_agency_get_404(personas: Personas) -> None:
    report = services.start_report(actor=None, agency=personas.agency_a, period="FY2026 Q2")
    client = personas.client(personas.admin_b)
    for name in ("report", "report-edit", "report-pdf"):
        assert (
            client.get(
                reverse(f"manage:reports:{name}", args=[personas.agency_a.slug, report.pk])
            ).status_code
            == 404
        )
        assert (
            client.get(
                reverse(f"manage:reports:{name}", args=[personas.agency_b.slug, report.pk])
            ).status_code
            == 404
        )


def test_the_issued_report_is_public_in_english_and_in_spanish_with_the_agencys_spanish_text(
    personas: Personas,
) -> None:
    surveyed(personas.agency_a, 40, 30)
    report = services.start_report(actor=None, agency=personas.agency_a, period="FY2026 Q2")
    services.write_report(
        actor=personas.analyst_a,
        report=report,
        data={"summary": "Most were satisfied.", "summary_es": "La mayoría quedó satisfecha."},
    )
    slug = personas.agency_a.slug
    assert personas.client(None).get(f"/agencies/{slug}/survey-report/").status_code == 404  # not issued yet
    issue(report, personas.admin_a)
    english = personas.client(None).get(f"/agencies/{slug}/survey-report/").content.decode()
    assert "Most were satisfied." in english and "What customers said" in english
    spanish = personas.client(None).get(f"/es/agencies/{slug}/survey-report/").content.decode()
    assert "La mayoría quedó satisfecha." in spanish and "Lo que dijeron los clientes" in spanish


def test_the_public_report_says_in_words_of_its_language_when_it_was_issued(personas: Personas) -> None:
    surveyed(personas.agency_a, 40, 30)
    report = issue(
        services.start_report(actor=None, agency=personas.agency_a, period="FY2026 Q2"), personas.admin_a
    )
    day = timezone.make_aware(dt.datetime(2026, 11, 30, 9, 56))
    SurveyReport.objects.filter(pk=report.pk).update(published_at=day)
    path = f"/agencies/{personas.agency_a.slug}/survey-report/"
    assert "Issued Nov. 30, 2026;" in personas.client(None).get(path).content.decode()
    spanish = personas.client(None).get(f"/es{path}").content.decode()
    assert "Emitido el 30 de noviembre de 2026;" in spanish and "2026-11-30" not in spanish
