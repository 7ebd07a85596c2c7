"""A respondent who leaves a required question unanswered is told which one, quoted as the form shows it: in the
language of the form, and punctuated once."""

from django.test import Client

from touchstone.conftest import Personas
from touchstone.surveys import instrument
from touchstone.surveys.demo_languages import load_language_demo
from touchstone.surveys.models import Response
from touchstone.surveys.tests.factories import published_survey


def test_the_spanish_form_quotes_the_unanswered_question_in_spanish(personas: Personas) -> None:
    survey = published_survey(personas.agency_a)
    response = Client().post(f"/es/s/{survey.short_code}/", {"page": "0", "ease": "4"})
    html = response.content.decode()
    assert response.status_code == 400
    message = "Responda esta pregunta: “Estoy satisfecho con el servicio que recibí.”"
    # Once in the error summary, once under the question.
    assert html.count(message + "<") == 2
    assert "recibí.”." not in html and "I am satisfied" not in html
    assert not Response.objects.exists()


def test_the_english_form_quotes_the_question_without_a_second_full_stop(personas: Personas) -> None:
    survey = published_survey(personas.agency_a)
    html = Client().post(f"/s/{survey.short_code}/", {"page": "0", "ease": "4"}).content.decode()
    assert html.count("Answer this question: “I am satisfied with the service I received.”<") == 2
    assert "received.”." not in html


def test_a_form_in_a_translated_language_quotes_the_question_in_that_language(personas: Personas) -> None:
    survey = load_language_demo(personas.agency_a)
    html = (
        Client().post(f"/s/{survey.short_code}/", {"page": "0", "lang": "ar", "ease": "4"}).content.decode()
    )
    assert "Answer this question: “أنا راضٍ عن الخدمة التي تلقيتها.”<" in html
    assert "I am satisfied" not in html


def test_a_question_that_does_not_end_its_sentence_gets_the_full_stop_after_the_quote() -> None:
    question = {"key": "name", "kind": "short_text", "text": "Your name", "required": True}
    for text, message in [
        ("Your name", "Answer this question: “Your name”."),
        ("How was your visit?", "Answer this question: “How was your visit?”"),
    ]:
        checked = instrument.check_answers([{**question, "text": text}], {})
        assert checked.errors == {"name": message}
