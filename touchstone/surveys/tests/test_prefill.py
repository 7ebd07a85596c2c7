"""Prefill from the link: a survey names the query parameters it takes; a question of that name is filled in and
stays editable, any other allowed name is kept with the response as a hidden field; names not allowed are dropped."""

import re

from django.test import Client

from touchstone.conftest import Personas
from touchstone.surveys.models import Response
from touchstone.surveys.tests.factories import published_survey

HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


def test_allowed_parameters_prefill_an_editable_answer_and_ride_along_as_hidden_fields(
    personas: Personas,
) -> None:
    survey = published_survey(personas.agency_a, prefill_parameters="transaction_id\nsatisfaction\nvisit_ref")
    url = f"/s/{survey.short_code}/"
    page = Client().get(url + "?transaction_id=T-2026-0042&satisfaction=4&channel=phone&secret=leak").content
    html = page.decode()
    carried = dict(HIDDEN.findall(html))
    assert carried["link_transaction_id"] == "T-2026-0042" and carried["link_channel"] == "phone"
    assert "link_secret" not in carried and "leak" not in carried.values()
    assert re.search(r'name="satisfaction" value="4" checked', html)  # prefilled, still a question to change
    Client().post(url, {**carried, "satisfaction": "2", "link_secret": "leak"})
    stored = Response.objects.get(survey=survey)
    assert stored.answers == {"satisfaction": 2}
    assert stored.link_fields == {"transaction_id": "T-2026-0042"}
    assert stored.channel == "phone"


def test_without_an_allow_list_a_link_prefills_nothing(personas: Personas) -> None:
    survey = published_survey(personas.agency_a)
    html = Client().get(f"/s/{survey.short_code}/?transaction_id=T-1&satisfaction=4").content.decode()
    assert "link_transaction_id" not in dict(HIDDEN.findall(html)) and " checked" not in html


def test_a_hidden_question_takes_its_value_from_the_link_and_a_long_value_is_cut(personas: Personas) -> None:
    survey = published_survey(personas.agency_a, prefill_parameters="transaction_id")
    html = Client().get(f"/s/{survey.short_code}/?transaction_id=" + "x" * 500).content.decode()
    assert dict(HIDDEN.findall(html))["link_transaction_id"] == "x" * 200


def test_the_settings_name_a_parameter_that_a_link_cannot_carry(personas: Personas) -> None:
    survey = published_survey(personas.agency_a)
    page = personas.client(personas.analyst_a).get(
        f"/manage/{personas.agency_a.slug}/surveys/{survey.pk}/settings/"
    )
    assert 'name="prefill_parameters"' in page.content.decode()
    from django.core.exceptions import ValidationError

    from touchstone.surveys import services

    try:
        services.update_survey(
            actor=personas.analyst_a, survey=survey, data={"prefill_parameters": "Transaction ID"}
        )
    except ValidationError as error:
        assert "“Transaction ID” is not a link parameter name" in str(error)
    else:
        raise AssertionError("a bad parameter name was accepted")
