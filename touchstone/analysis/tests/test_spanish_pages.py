"""The analysis pages in Spanish: categories, intervals, counts and weighting errors in the reader's language,
whichever language the cached analysis was computed in."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone, translation

from touchstone.analysis import selectors, services
from touchstone.analysis.models import WeightingScheme
from touchstone.analysis.tests.helpers import add_responses
from touchstone.catalog.models import ChannelVolume, Service
from touchstone.conftest import Personas
from touchstone.core import numbers
from touchstone.surveys.models import Survey
from touchstone.surveys.tests.factories import published_survey


def page(personas: Personas, name: str, survey: Survey, language: str, **post: str) -> str:
    with translation.override(language):
        path = reverse(f"manage:analysis:{name}", args=[survey.agency.slug, survey.pk])
    client = personas.client(personas.analyst_a)
    response = client.post(path, post) if post else client.get(path)
    assert response.status_code == 200, response.content.decode()
    return response.content.decode()


def phone_and_web_survey(personas: Personas) -> Survey:
    """Phone callers disagree, web users agree: the two channels differ beyond chance."""
    survey = published_survey(personas.agency_a, minimum_to_show=10)
    add_responses(
        survey,
        80,
        channel=lambda rng, i: "phone" if i % 2 else "website",
        answers=lambda rng, i: {"satisfaction": 1 if i % 2 else 5},
    )
    return survey


def test_channels_of_an_analysis_computed_in_english_read_in_spanish_on_the_spanish_page(
    personas: Personas,
) -> None:
    survey = phone_and_web_survey(personas)
    with translation.override("en"):
        services.refresh_analysis(survey)
    spanish = page(personas, "survey", survey, "es")
    assert "Sitio web" in spanish and "Teléfono" in spanish
    assert "Sitio web menos Teléfono" in spanish
    assert "Website" not in spanish and "Phone" not in spanish
    english = page(personas, "survey", survey, "en")
    assert "Website minus Phone" in english and "Sitio web" not in english


def test_an_analysis_computed_in_spanish_reads_in_english_on_the_english_page(personas: Personas) -> None:
    survey = phone_and_web_survey(personas)
    with translation.override("es"):
        services.refresh_analysis(survey)
    assert "Website" in page(personas, "survey", survey, "en")
    assert "Sitio web" in page(personas, "survey", survey, "es")


def test_the_cached_analysis_keeps_channel_codes_not_names(personas: Personas) -> None:
    survey = phone_and_web_survey(personas)
    with translation.override("es"):
        result = services.refresh_analysis(survey)
    channel = next(b for b in result.data["breakdowns"] if b["variable"] == "channel")
    assert {g["code"] for g in channel["groups"]} == {"phone", "website"}
    assert all("label" not in g for g in channel["groups"])
    assert (channel["comparisons"][0]["a"], channel["comparisons"][0]["b"]) == ("phone", "website")


def test_an_analysis_cached_with_english_names_still_reads_in_spanish(personas: Personas) -> None:
    survey = phone_and_web_survey(personas)
    result = services.refresh_analysis(survey)
    channel = next(b for b in result.data["breakdowns"] if b["variable"] == "channel")
    names = {"phone": "Phone", "website": "Website"}
    for group in channel["groups"]:  # as analyses were cached before the names were left to the pages
        group["label"] = names[group["code"]]
    for comparison in channel["comparisons"]:
        comparison["a"], comparison["b"] = names[comparison["a"]], names[comparison["b"]]
    result.save()
    assert "Sitio web menos Teléfono" in page(personas, "survey", survey, "es")


def test_respondents_languages_are_named_in_the_readers_language(personas: Personas) -> None:
    survey = published_survey(personas.agency_a, minimum_to_show=10)
    add_responses(
        survey,
        60,
        language="en",
        answers=lambda rng, i: {"satisfaction": 5 if i % 3 else 2},
    )
    survey.responses.filter(pk__in=survey.responses.values("pk")[:20]).update(language="es")
    spanish = page(personas, "survey", survey, "es")
    assert '<th scope="row">Inglés</th>' in spanish and '<th scope="row">Español</th>' in spanish
    english = page(personas, "survey", survey, "en")
    assert '<th scope="row">English</th>' in english and '<th scope="row">Spanish</th>' in english


def test_the_change_between_quarters_reads_its_interval_in_spanish(personas: Personas) -> None:
    survey = published_survey(personas.agency_a, minimum_to_show=10)
    first = timezone.make_aware(dt.datetime(2026, 1, 15, 10, 0))
    add_responses(survey, 40, start=first, answers=lambda rng, i: {"satisfaction": 5 if i % 2 else 2})
    add_responses(survey, 40, start=first + dt.timedelta(days=90), seed=6)
    [change] = selectors.analysis_of(survey).data["trend"]["changes"]
    ends = {}
    for language in ("es", "en"):
        with translation.override(language):
            ends[language] = (numbers.percent(change["ci_low"], 1), numbers.percent(change["ci_high"], 1))
    spanish = page(personas, "survey", survey, "es")
    assert "(de {} a {})".format(*ends["es"]) in spanish
    assert "% to " not in spanish
    assert "({} to {})".format(*ends["en"]) in page(personas, "survey", survey, "en")


def test_the_net_promoter_score_reads_its_interval_in_spanish(personas: Personas) -> None:
    survey = published_survey(personas.agency_a, blueprint="nps", minimum_to_show=10)
    add_responses(survey, 40, answers=lambda rng, i: {"recommend": (10, 9, 7, 3)[i % 4]})
    nps = selectors.analysis_of(survey).data["nps"]
    with translation.override("es"):
        low, high = (f"{value:.1f}".replace(".", ",") for value in (nps["ci_low"], nps["ci_high"]))
    assert f"(de {low} a {high})" in page(personas, "survey", survey, "es")
    assert f"({nps['ci_low']:.1f} to {nps['ci_high']:.1f})" in page(personas, "survey", survey, "en")


def catalogued_survey(personas: Personas) -> Survey:
    service = Service.objects.create(agency=personas.agency_a, name="Replace a card", slug="replace-card")
    for channel, volume in (("website", 4936257), ("in_person", 1714521), ("postal_mail", 210979)):
        ChannelVolume.objects.create(
            service=service, channel=channel, period_start=dt.date(2026, 1, 1), volume=volume
        )
    survey = published_survey(personas.agency_a, service=service, minimum_to_show=10)
    add_responses(survey, 30, channel=lambda rng, i: "in_person" if i % 3 == 0 else "website")
    return survey


def test_the_weighting_page_names_channels_in_spanish_and_groups_the_catalogs_volumes(
    personas: Personas,
) -> None:
    survey = catalogued_survey(personas)
    spanish = page(personas, "weighting", survey, "es")
    with translation.override("es"):
        website, in_person = numbers.count(4936257), numbers.count(1714521)
    assert f"Sitio web {website}, En persona {in_person}." in spanish
    assert "Se excluyen los canales sin personas encuestadas: Correo postal." in spanish
    assert '<th scope="row">En persona</th><td><code>in_person</code></td><td>10</td>' in spanish
    assert "Canal, que en los márgenes se escribe <code>channel</code>" in spanish
    english = page(personas, "weighting", survey, "en")
    assert "Website 4,936,257, In person 1,714,521." in english
    assert "Channel, written <code>channel</code> in the margins" in english


def test_the_weighting_preview_names_the_margins_categories_in_spanish(personas: Personas) -> None:
    survey = catalogued_survey(personas)
    spanish = page(
        personas,
        "weighting",
        survey,
        "es",
        method="rake",
        margins="",
        catalog_channels="on",
        action="preview",
    )
    with translation.override("es"):
        website = numbers.count(4936257)
    assert '<th scope="row">Sitio web</th>' in spanish and '<th scope="row">En persona</th>' in spanish
    assert f"<td>{website}</td><td>{website}</td>" in spanish  # population and weighted respondents
    assert "<code>website</code></th>" not in spanish


def test_margins_that_do_not_fit_are_explained_in_spanish(personas: Personas) -> None:
    survey = catalogued_survey(personas)
    spanish = page(personas, "weighting", survey, "es", method="rake", margins="channel=website:5000")
    assert (
        "La categoría “in_person” de canal tiene personas encuestadas pero ningún total de población"
        in spanish
    )
    assert "no population total" not in spanish


def test_a_saved_weighting_that_no_longer_fits_is_explained_in_the_readers_language(
    personas: Personas,
) -> None:
    survey = catalogued_survey(personas)
    WeightingScheme.objects.create(survey=survey, margins={"channel": {"website": 2, "in_person": 1}})
    add_responses(survey, 5, seed=9, channel="phone")
    with translation.override("en"):
        services.refresh_analysis(survey)
    spanish = page(personas, "survey", survey, "es")
    assert (
        "La categoría “phone” de canal tiene personas encuestadas pero ningún total de población" in spanish
    )
    english = page(personas, "survey", survey, "en")
    assert "The channel category “phone” has respondents but no population total" in english


def test_the_api_names_groups_and_tells_a_weighting_error_as_text(personas: Personas) -> None:
    from django.test import Client

    from touchstone.core import services as core_services

    survey = catalogued_survey(personas)
    WeightingScheme.objects.create(survey=survey, margins={"channel": {"website": 2, "in_person": 1}})
    add_responses(survey, 5, seed=9, channel="phone")
    _token, secret = core_services.create_api_token(
        actor=personas.admin_a, agency=personas.agency_a, name="bi", scopes=["read"]
    )
    data = Client().get(f"/api/v1/surveys/{survey.pk}/analysis", HTTP_AUTHORIZATION=f"Bearer {secret}").json()
    channel = next(b for b in data["breakdowns"] if b["variable"] == "channel")
    assert {(g["code"], g["label"]) for g in channel["groups"]} >= {
        ("phone", "Phone"),
        ("website", "Website"),
    }
    assert data["weighting_error"].startswith("The channel category “phone” has respondents")
