"""A survey in any language: the owner adds one and fills its texts, seeing how complete each language is; the
public form offers its languages, falls back to the survey's own for a text not translated, and marks the
language and direction of what it shows."""

from typing import Any

from django.test import Client
from django.urls import reverse

from touchstone.conftest import Personas
from touchstone.surveys import languages, services
from touchstone.surveys.demo_languages import load_language_demo
from touchstone.surveys.models import Response, SurveyTranslation
from touchstone.surveys.tests.factories import published_survey


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_analyst_adds_french_and_sees_what_is_still_missing(personas: Personas) -> None:
    survey = published_survey(personas.agency_a)
    client = signed_in(personas.analyst_a)
    url = reverse("manage:surveys:languages", args=[personas.agency_a.slug, survey.pk])
    response = client.post(url, {"language": "fr"})
    translation_url = reverse("manage:surveys:translation", args=[personas.agency_a.slug, survey.pk, "fr"])
    assert response.status_code == 302 and response["Location"] == translation_url
    form = client.get(translation_url)
    assert form.status_code == 200
    assert 'lang="fr"' in form.content.decode() and "0 of" in form.content.decode()
    question = survey.questions.get(key="satisfaction")
    field = next(
        name for name, text_id in form.context["form"].ids.items() if text_id.endswith(f"{question.pk}:text")
    )
    saved = client.post(translation_url, {field: "Je suis satisfait du service reçu."})
    assert saved.status_code == 302
    assert SurveyTranslation.objects.get(survey=survey, language="fr").texts == {
        f"question:{question.pk}:text": "Je suis satisfait du service reçu."
    }
    [spanish, french] = languages.completeness(survey)
    assert spanish.language == "es" and [text.id for text in spanish.missing] == ["survey:title"]
    assert (
        french.translated == 1 and french.total == spanish.total and len(french.missing) == french.total - 1
    )
    page = client.get(url).content.decode()
    assert "1 of" in page and "Survey title" in page  # the first text still in English is named


def test_the_spanish_texts_are_the_columns_spanish_always_lived_in(personas: Personas) -> None:
    survey = published_survey(personas.agency_a)
    question = survey.questions.get(key="satisfaction")
    texts = languages.translation_of(survey, "es")
    assert texts[f"question:{question.pk}:text"] == "Estoy satisfecho con el servicio que recibí."
    services.save_translation(
        actor=personas.analyst_a,
        survey=survey,
        language="es",
        texts={**texts, f"question:{question.pk}:text": "Nuevo"},
    )
    question.refresh_from_db()
    assert question.text_es == "Nuevo"
    assert not SurveyTranslation.objects.filter(survey=survey).exists()


def test_a_viewer_cannot_open_the_language_pages(personas: Personas) -> None:
    survey = published_survey(personas.agency_a)
    url = reverse("manage:surveys:languages", args=[personas.agency_a.slug, survey.pk])
    assert signed_in(personas.viewer_a).get(url).status_code == 403


def test_the_public_form_offers_each_language_and_keeps_the_chosen_one(personas: Personas) -> None:
    survey = load_language_demo(personas.agency_a)
    form_url = reverse("portal_surveys:form", args=[survey.short_code])
    english = Client().get(form_url).content.decode()
    assert 'hreflang="ar"' in english and 'lang="en" dir="ltr"' in english
    arabic = Client().get(form_url + "?lang=ar&channel=phone").content.decode()
    assert 'class="survey-content" lang="ar" dir="rtl"' in arabic
    assert "أخبرنا عن زيارتك" in arabic and "أوافق بشدة" in arabic
    assert "?channel=phone&amp;lang=es" in arabic  # the picker keeps the link's other parameters
    # A text not translated shows in the survey's own language: the comment questions' hints are English only.
    posted = Client().post(form_url, {"lang": "ar", "satisfaction": "5"})
    assert posted.status_code == 200  # the thanks comes in the submission's own response
    assert Response.objects.get(survey=survey).language == "ar"
    assert "شكرًا لك" in posted.content.decode()
    thanks = reverse("portal_surveys:thanks", args=[survey.short_code]) + "?lang=ar"
    assert "شكرًا لك" in Client().get(thanks).content.decode()  # the old address still speaks the language


def test_a_language_the_survey_does_not_offer_falls_back_to_its_own(personas: Personas) -> None:
    survey = load_language_demo(personas.agency_a)
    page = (
        Client().get(reverse("portal_surveys:form", args=[survey.short_code]) + "?lang=fr").content.decode()
    )
    assert 'class="survey-content" lang="en" dir="ltr"' in page
