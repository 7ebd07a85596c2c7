"""The analysis pages: figures with intervals, suppression below the minimum, drivers, themes, weighting, cache."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from touchstone.analysis import selectors, services, signals
from touchstone.analysis.models import AnalysisResult, WeightingScheme
from touchstone.analysis.tests.helpers import add_responses
from touchstone.conftest import Personas
from touchstone.core.models import AuditEntry
from touchstone.surveys.models import Response
from touchstone.surveys.tests.factories import published_survey

SUPPRESSED = "Too few answers to show"


def url(name: str, survey: object, **query: str) -> str:
    path = reverse(f"manage:analysis:{name}", args=[survey.agency.slug, survey.pk])  # type: ignore[attr-defined]
    return path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_a_figure_below_the_minimum_is_marked_and_not_shown(personas: Personas) -> None:
    survey = published_survey(personas.agency_a, minimum_to_show=30)
    add_responses(survey, 12, answers=lambda rng, i: {"satisfaction": 5 if i < 7 else 1})
    page = personas.client(personas.viewer_a).get(url("survey", survey))
    assert page.status_code == 200
    text = page.content.decode()
    assert SUPPRESSED in text
    assert "58.3%" not in text  # 7 of 12 agree: a shown share would read 58.3%


def test_a_figure_above_the_minimum_is_shown_with_its_interval(personas: Personas) -> None:
    survey = published_survey(personas.agency_a, minimum_to_show=30)
    add_responses(survey, 40, answers=lambda rng, i: {"satisfaction": 5 if i < 30 else 2})
    page = personas.client(personas.viewer_a).get(url("survey", survey))
    text = page.content.decode()
    assert "75.0%" in text  # 30 of 40 agree
    assert "(59.8%–85.8%)" in text  # the Wilson interval of 30/40


def test_a_channel_below_the_minimum_is_suppressed_beside_one_above_it(personas: Personas) -> None:
    survey = published_survey(personas.agency_a, minimum_to_show=30)
    add_responses(survey, 60, channel=lambda rng, i: "phone" if i < 10 else "website")
    result = selectors.analysis_of(survey)
    channel = next(b for b in result.data["breakdowns"] if b["variable"] == "channel")
    groups = {g["code"]: g for g in channel["groups"]}
    assert groups["phone"] == {"code": "phone", "suppressed": True}
    assert groups["website"]["n"] == 50 and groups["website"]["value"] is not None


def test_staff_of_another_agency_get_404_on_every_analysis_page(personas: Personas) -> None:
    survey = published_survey(personas.agency_a)
    other = personas.client(personas.analyst_b)
    for name in ("survey", "drivers", "themes", "weighting"):
        assert other.get(url(name, survey)).status_code == 404
        slug_b = reverse(f"manage:analysis:{name}", args=[personas.agency_b.slug, survey.pk])
        assert other.get(slug_b).status_code == 404
    assert other.post(url("refresh", survey)).status_code == 404


@pytest.mark.parametrize("role", ["viewer_a", "frontline_a", "handler_a"])
def test_a_viewer_front_line_employee_or_handler_cannot_recompute_the_analysis(
    personas: Personas, role: str, django_capture_on_commit_callbacks: object
) -> None:
    survey = published_survey(personas.agency_a)
    add_responses(survey, 12)
    before = selectors.analysis_of(survey).computed_at
    client = personas.client(getattr(personas, role))
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        assert client.post(url("refresh", survey)).status_code == 403
    assert selectors.analysis_of(survey).computed_at == before
    assert "Refresh now" not in client.get(url("survey", survey)).content.decode()


@pytest.mark.parametrize("role", ["analyst_a", "admin_a"])
def test_an_analyst_or_admin_can_recompute_the_analysis(personas: Personas, role: str) -> None:
    survey = published_survey(personas.agency_a)
    client = personas.client(getattr(personas, role))
    assert "Refresh now" in client.get(url("survey", survey)).content.decode()
    assert client.post(url("refresh", survey)).status_code == 302


def test_driver_ranking_recovers_the_planted_driver(personas: Personas) -> None:
    survey = published_survey(personas.agency_a)
    add_responses(survey, 400)
    result = selectors.analysis_of(survey)
    drivers = result.data["drivers"]["drivers"]
    assert drivers[0]["measure"] == "ease"
    assert drivers[0]["share"] > 0.5
    page = personas.client(personas.viewer_a).get(url("drivers", survey))
    text = page.content.decode()
    assert page.status_code == 200 and "<svg" in text and "Concentrate here" in text


def test_the_themes_view_groups_comments_and_shows_examples_to_members(personas: Personas) -> None:
    survey = published_survey(personas.agency_a, minimum_to_show=10)
    comments = [
        "The wait on hold was too long",
        "Long wait on the phone line",
        "Website form kept crashing",
        "The website timed out on the form",
    ]
    add_responses(
        survey, 80, answers=lambda rng, i: {"satisfaction": 4, "comment_service": comments[i % 4] + f" {i}"}
    )
    page = personas.client(personas.viewer_a).get(url("themes", survey))
    text = page.content.decode()
    assert page.status_code == 200
    assert "80 comments" in text
    assert "wait" in text and "website" in text


def test_the_page_shows_trends_by_quarter_with_control_limits(personas: Personas) -> None:
    survey = published_survey(personas.agency_a, minimum_to_show=5)
    add_responses(survey, 40, start=timezone.make_aware(dt.datetime(2025, 11, 1)))
    add_responses(survey, 40, start=timezone.make_aware(dt.datetime(2026, 2, 1)), seed=9)
    page = personas.client(personas.viewer_a).get(url("survey", survey))
    text = page.content.decode()
    assert "FY2026 Q1" in text and "FY2026 Q2" in text and "Upper control limit" in text
    quarter = personas.client(personas.viewer_a).get(url("survey", survey, period="FY2026 Q2"))
    assert quarter.status_code == 200
    assert AnalysisResult.objects.get(survey=survey, period="FY2026 Q2").response_count == 40


def weighted_survey(personas: Personas) -> object:
    survey = published_survey(personas.agency_a)
    # Phone callers (a quarter of respondents) are far less satisfied than web users.
    add_responses(
        survey,
        400,
        channel=lambda rng, i: "phone" if i % 4 == 0 else "website",
        answers=lambda rng, i: {
            "satisfaction": (5 if i % 16 == 0 else 2) if i % 4 == 0 else (3 if i % 8 == 1 else 5)
        },
    )
    return survey


def test_weighting_to_margins_reproduces_them_and_changes_the_estimate(personas: Personas) -> None:
    survey = weighted_survey(personas)
    client = personas.client(personas.analyst_a)
    before = selectors.analysis_of(survey).data["a11"][0]
    assert before["value"] == pytest.approx(0.6875)  # a quarter of phone callers agree, five in six web users
    preview = client.post(
        url("weighting", survey),
        {"method": "rake", "margins": "channel=phone:5000,website:5000", "action": "preview"},
    )
    assert preview.status_code == 200
    assert "Effective sample size" in preview.content.decode()
    saved = client.post(
        url("weighting", survey),
        {"method": "rake", "margins": "channel=phone:5000,website:5000", "action": "save"},
    )
    assert saved.status_code == 302
    scheme = WeightingScheme.objects.get(survey=survey)
    assert scheme.margins == {"channel": {"phone": 5000.0, "website": 5000.0}}
    assert AuditEntry.objects.filter(action="analysis.weighting_saved").exists()
    result = selectors.analysis_of(survey)
    assert result.weighting_version == scheme.version
    margins = {row["category"]: row for row in result.data["weighting"]["margins"]["channel"]}
    assert margins["phone"]["achieved"] == pytest.approx(5000)
    assert margins["website"]["achieved"] == pytest.approx(5000)
    after = result.data["a11"][0]
    assert after["value"] == pytest.approx(0.5 * 0.25 + 0.5 * 5 / 6)  # phone and web weighted half and half
    assert after["se"] is not None and after["ci_high"] - after["ci_low"] > 0
    page = client.get(url("survey", survey)).content.decode()
    assert "Weights applied: raked to the population&#x27;s margins by channel" in page and "54.2%" in page


def test_margins_that_do_not_fit_the_respondents_are_explained_on_the_form(personas: Personas) -> None:
    survey = weighted_survey(personas)
    response = personas.client(personas.analyst_a).post(
        url("weighting", survey), {"method": "rake", "margins": "channel=website:5000", "action": "save"}
    )
    assert response.status_code == 200
    assert "phone" in response.content.decode() and "no population total" in response.content.decode()
    assert not WeightingScheme.objects.filter(survey=survey).exists()


def test_a_viewer_can_preview_but_not_save_a_weighting(personas: Personas) -> None:
    survey = weighted_survey(personas)
    data = {"method": "rake", "margins": "channel=phone:1,website:1"}
    client = personas.client(personas.viewer_a)
    assert client.post(url("weighting", survey), {**data, "action": "preview"}).status_code == 200
    assert client.post(url("weighting", survey), {**data, "action": "save"}).status_code == 403


def test_the_catalog_channel_volumes_can_be_the_margin(personas: Personas) -> None:
    from touchstone.catalog.models import ChannelVolume, Service

    service = Service.objects.create(agency=personas.agency_a, name="Replace a card", slug="replace-card")
    for channel, volume in (("phone", 3000), ("website", 1000), ("postal_mail", 50)):
        ChannelVolume.objects.create(
            service=service, channel=channel, period_start=dt.date(2026, 1, 1), volume=volume
        )
    survey = published_survey(personas.agency_a, service=service)
    add_responses(
        survey,
        400,
        channel=lambda rng, i: "phone" if i % 4 == 0 else "website",
        answers=lambda rng, i: {"satisfaction": 2 if i % 4 == 0 else 5},
    )
    response = personas.client(personas.analyst_a).post(
        url("weighting", survey),
        {"method": "rake", "margins": "", "catalog_channels": "on", "action": "preview"},
    )
    text = response.content.decode()
    assert response.status_code == 200, text
    assert "left out: Postal mail." in text  # no respondents
    assert "25.0%" in text  # three quarters phone (0% agree), a quarter web


def test_the_cache_is_read_until_refreshed(personas: Personas) -> None:
    survey = published_survey(personas.agency_a, minimum_to_show=5)
    add_responses(survey, 20)
    first = selectors.analysis_of(survey)
    add_responses(survey, 10, seed=7)
    assert selectors.analysis_of(survey).response_count == 20
    out = StringIO()
    call_command("refresh_survey_analysis", str(survey.pk), stdout=out)
    refreshed = selectors.analysis_of(survey)
    assert refreshed.pk == first.pk and refreshed.response_count == 30
    assert "1 period(s) refreshed" in out.getvalue()


def test_a_response_arriving_queues_a_refresh_only_when_the_cache_is_over_a_minute_old(
    personas: Personas, django_capture_on_commit_callbacks: object
) -> None:
    survey = published_survey(personas.agency_a, minimum_to_show=5)
    add_responses(survey, 10)
    result = services.refresh_analysis(survey)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:  # type: ignore[operator]
        Response.objects.create(survey=survey, version=survey.current_version, answers={"satisfaction": 4})
    assert callbacks == []
    AnalysisResult.objects.filter(pk=result.pk).update(computed_at=timezone.now() - dt.timedelta(minutes=2))
    signals._last_checked.clear()  # this process looked less than a minute ago; pretend the minute passed
    with django_capture_on_commit_callbacks(execute=True) as callbacks:  # type: ignore[operator]
        Response.objects.create(survey=survey, version=survey.current_version, answers={"satisfaction": 4})
    assert len(callbacks) == 1
    assert AnalysisResult.objects.get(pk=result.pk).response_count == 12


def test_a_submission_within_a_minute_of_the_last_check_costs_no_analysis_query(
    personas: Personas, django_assert_num_queries: object
) -> None:
    survey = published_survey(personas.agency_a)
    Response.objects.create(survey=survey, version=survey.current_version, answers={"satisfaction": 4})
    with django_assert_num_queries(1):  # type: ignore[operator]
        Response.objects.create(survey=survey, version=survey.current_version, answers={"satisfaction": 5})


def test_the_page_says_as_of_when_the_figures_were_computed(personas: Personas) -> None:
    survey = published_survey(personas.agency_a)
    add_responses(survey, 5)
    text = personas.client(personas.viewer_a).get(url("survey", survey)).content.decode()
    assert "As of " in text
    computed = timezone.make_aware(dt.datetime(2026, 11, 30, 9, 56))
    AnalysisResult.objects.filter(survey=survey).update(computed_at=computed)
    assert "As of Nov. 30, 2026, 9:56 a.m., from 5 complete responses." in (
        personas.client(personas.viewer_a).get(url("survey", survey)).content.decode()
    )
    # In words of the page's language, as dates read in every sentence of the product.
    spanish = personas.client(personas.viewer_a).get("/es" + url("survey", survey)).content.decode()
    assert "Al 30 de noviembre de 2026 a las 09:56, a partir de 5 respuestas completas." in spanish


def test_the_analysis_menu_lists_the_agencys_surveys(personas: Personas) -> None:
    survey = published_survey(personas.agency_a, title="Passport renewal survey")
    page = personas.client(personas.viewer_a).get(
        reverse("manage:analysis:home", args=[personas.agency_a.slug])
    )
    text = page.content.decode()
    assert page.status_code == 200 and "Passport renewal survey" in text and url("survey", survey) in text


def test_response_rates_come_from_invitation_dispositions(personas: Personas) -> None:
    from touchstone.surveys.models import Invitation

    survey = published_survey(personas.agency_a)
    plan = {
        "complete": 4,
        "partial": 2,
        "refusal": 1,
        "non_contact": 1,
        "other": 1,
        "undeliverable": 1,
        "unknown": 1,
        "not_eligible": 1,
    }
    number = 0
    for disposition, count in plan.items():
        for _ in range(count):
            number += 1
            Invitation.objects.create(survey=survey, token_hash=f"t{number}", disposition=disposition)
    rates = selectors.analysis_of(survey).data["response_rates"]["rates"]
    assert rates["rr1"] == pytest.approx(4 / 11)
    assert rates["coop1"] == pytest.approx(0.5)


def test_the_survey_analysis_api_reads_the_cache(personas: Personas) -> None:
    from touchstone.core import services as core_services

    survey = published_survey(personas.agency_a)
    add_responses(survey, 40)
    _token, secret = core_services.create_api_token(
        actor=personas.admin_a, agency=personas.agency_a, name="bi", scopes=["read"]
    )
    response = Client().get(f"/api/v1/surveys/{survey.pk}/analysis", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200
    assert response.json()["counts"]["analysed"] == 40
    _token_b, secret_b = core_services.create_api_token(
        actor=personas.admin_b, agency=personas.agency_b, name="bi", scopes=["read"]
    )
    other = Client().get(f"/api/v1/surveys/{survey.pk}/analysis", HTTP_AUTHORIZATION=f"Bearer {secret_b}")
    assert other.status_code == 404


def test_the_warm_analysis_page_reads_the_cache_in_a_few_queries(
    personas: Personas, django_assert_max_num_queries: object
) -> None:
    survey = published_survey(personas.agency_a)
    add_responses(survey, 200)
    client = personas.client(personas.viewer_a)
    assert client.get(url("survey", survey)).status_code == 200
    add_responses(survey, 200, seed=8)  # more responses must not mean more queries
    with django_assert_max_num_queries(12):  # type: ignore[operator]
        assert client.get(url("survey", survey)).status_code == 200


def test_the_page_says_in_spanish_that_no_weights_apply(personas: Personas) -> None:
    survey = published_survey(personas.agency_a, minimum_to_show=5)
    add_responses(survey, 40)
    html = personas.client(personas.viewer_a).get("/es" + url("survey", survey)).content.decode()
    assert "Ponderación aplicada: ninguna" in html
