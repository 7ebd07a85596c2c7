"""A member of the public answers a survey on its hosted page: validated on the server, stored once, in English
or Spanish, without JavaScript; the Paperwork Reduction Act details shown together."""

import datetime as dt
import re

import pytest
from django.test import Client, override_settings

from touchstone.conftest import Personas
from touchstone.surveys import services
from touchstone.surveys.models import Response, Survey
from touchstone.surveys.tests.factories import published_survey


def form_url(survey: Survey, language: str = "") -> str:
    return f"{language}/s/{survey.short_code}/"


def test_the_form_shows_the_omb_number_and_expiration_together_and_the_burden(personas: Personas) -> None:
    survey = published_survey(personas.agency_a, omb_expiration_date=dt.date(2027, 1, 31))
    html = Client().get(form_url(survey)).content.decode()
    assert "OMB Control No. 1090-0011 · Expires Jan. 31, 2027" in html
    assert "Paperwork Reduction Act" in html and "2 minutes" in html
    # The date reads as words of the page's language, as in every sentence of the product.
    spanish = Client().get(form_url(survey, "/es")).content.decode()
    assert "N.º de control de la OMB 1090-0011 · Vence el 31 de enero de 2027" in spanish


def test_a_complete_answer_is_stored_and_thanked(personas: Personas) -> None:
    survey = published_survey(personas.agency_a)
    response = Client().post(
        form_url(survey) + "?channel=phone",
        {
            "page": "0",
            "satisfaction": "4",
            "ease": "5",
            "comment_service": "Quick and kind.",
            "link_channel": "phone",
        },
    )
    # The thanks come in the answer to the submission itself: no second request.
    assert response.status_code == 200 and "Your answers were received." in response.content.decode()
    stored = Response.objects.get(survey=survey)
    assert stored.answers == {"satisfaction": 4, "ease": 5, "comment_service": "Quick and kind."}
    assert (stored.channel, stored.version, stored.status) == ("phone", survey.current_version, "complete")


def test_a_missing_required_answer_is_named_and_nothing_is_stored(personas: Personas) -> None:
    survey = published_survey(personas.agency_a)
    response = Client().post(form_url(survey), {"page": "0", "ease": "9"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Answer this question: “I am satisfied with the service I received.”" in html
    assert "choose a number from 1 to 5" in html
    assert 'href="#q-satisfaction"' in html
    assert not Response.objects.exists()


def test_the_spanish_form_asks_in_spanish_and_records_the_language(personas: Personas) -> None:
    survey = published_survey(personas.agency_a)
    html = Client().get(form_url(survey, "/es")).content.decode()
    assert "Estoy satisfecho con el servicio que recibí." in html
    assert "Totalmente de acuerdo" in html
    Client().post(form_url(survey, "/es"), {"page": "0", "satisfaction": "5"})
    assert Response.objects.get().language == "es"


def test_a_v2_survey_keeps_only_the_list_that_matches_the_trust_answer(personas: Personas) -> None:
    survey = published_survey(personas.agency_a, blueprint="a11-v2")
    # Without JavaScript both lists show; a respondent may tick both. Only "what went well" counts for a 5.
    Client().post(
        form_url(survey),
        {"page": "0", "question_1": "5", "positive": ["ease", "efficiency"], "negative": ["ease"]},
    )
    assert Response.objects.get().answers == {"question_1": 5, "positive": ["ease", "efficiency"]}


def test_an_unknown_choice_is_refused_naming_the_question(personas: Personas) -> None:
    survey = published_survey(personas.agency_a, blueprint="a11-v2")
    html = (
        Client()
        .post(form_url(survey), {"page": "0", "question_1": "2", "negative": ["teleport"]})
        .content.decode()
    )
    assert "What didn&#x27;t go so well?" in html or "What didn't go so well?" in html
    assert "“teleport” is not one of the choices" in html


def test_the_honeypot_catches_a_bot_which_sees_the_same_thanks(personas: Personas) -> None:
    survey = published_survey(personas.agency_a)
    response = Client().post(
        form_url(survey), {"page": "0", "satisfaction": "5", "website_url": "http://spam"}
    )
    assert response.status_code == 200 and "Your answers were received." in response.content.decode()
    assert Response.objects.get().is_spam


@override_settings(SURVEY_SUBMISSIONS_PER_MINUTE=2)
def test_too_many_submissions_from_one_address_are_slowed(personas: Personas) -> None:
    from django.core.cache import cache

    cache.clear()
    survey = published_survey(personas.agency_a)
    client = Client()
    codes = [client.post(form_url(survey), {"page": "0", "satisfaction": "5"}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert Response.objects.count() == 2


@pytest.mark.usefixtures("within_one_minute")
@override_settings(SURVEY_SUBMISSIONS_PER_MINUTE=2)
def test_a_bot_filling_the_honeypot_is_rate_limited_before_it_can_fill_the_spam_table(
    personas: Personas,
) -> None:
    from django.core.cache import cache

    cache.clear()
    survey = published_survey(personas.agency_a)
    client = Client()
    bot = {"page": "0", "satisfaction": "5", "website_url": "http://spam"}
    codes = [client.post(form_url(survey), bot).status_code for _ in range(5)]
    assert codes == [200, 200, 429, 429, 429]
    assert Response.objects.filter(is_spam=True).count() == 2


def test_an_expired_clearance_stops_collecting_politely(personas: Personas) -> None:
    survey = published_survey(personas.agency_a)
    Survey.objects.filter(pk=survey.pk).update(omb_expiration_date=dt.date.today() - dt.timedelta(days=1))
    html = Client().get(form_url(survey)).content.decode()
    assert "closed for now while its approval to collect information is renewed" in html
    Client().post(form_url(survey), {"page": "0", "satisfaction": "5"})
    assert not Response.objects.exists()


def test_a_draft_survey_is_not_public(personas: Personas) -> None:
    survey = services.create_survey(
        actor=None, agency=personas.agency_a, data={"title": "Draft"}, blueprint="nps"
    )
    assert Client().get(form_url(survey)).status_code == 404


def test_a_link_carries_service_channel_and_location_and_only_the_agencys_own_service(
    personas: Personas,
) -> None:
    from touchstone.catalog.tests.factories import published_service

    mine = published_service(personas.agency_a, "Cards")
    theirs = published_service(personas.agency_b, "Beta cards")
    survey = published_survey(personas.agency_a)
    Client().post(
        form_url(survey),
        {
            "page": "0",
            "satisfaction": "3",
            "link_service": mine.slug,
            "link_channel": "in_person",
            "link_location": "Denver",
        },
    )
    Client().post(form_url(survey), {"page": "0", "satisfaction": "3", "link_service": theirs.slug})
    first, second = Response.objects.order_by("pk")
    assert (first.service, first.channel, first.location) == (mine, "in_person", "Denver")
    assert second.service is None


def test_a_multi_page_survey_saves_the_first_page_and_finishes_on_the_second(personas: Personas) -> None:
    survey = published_survey(personas.agency_a, blueprint="servqual")
    client = Client()
    first = client.post(form_url(survey), {"page": "0", "expect_reliability": "7"})
    assert first.status_code == 302 and "page=1&resume=" in first["Location"]
    partial = Response.objects.get()
    assert partial.status == "partial" and partial.answers == {"expect_reliability": 7}
    resume = first["Location"].split("resume=")[1]
    page_two = client.get(first["Location"]).content.decode()
    assert "This agency did" in page_two
    client.post(form_url(survey), {"page": "1", "resume": resume, "got_reliability": "5"})
    partial.refresh_from_db()
    assert partial.status == "complete"
    assert partial.answers == {"expect_reliability": 7, "got_reliability": 5}


def test_the_short_link_and_qr_code_lead_to_the_form(personas: Personas) -> None:
    survey = published_survey(personas.agency_a)
    assert (
        Client().get(f"/s/{survey.short_code}?channel=phone")["Location"]
        == f"/s/{survey.short_code}/?channel=phone"
    )
    qr = Client().get(f"/s/{survey.short_code}/qr.svg")
    assert qr["Content-Type"] == "image/svg+xml" and b"<svg" in qr.content


def test_the_embedded_form_may_be_framed_only_by_the_agencys_sites(personas: Personas) -> None:
    survey = published_survey(personas.agency_a, allowed_origins="https://www.alpha.gov")
    response = Client().get(f"/s/{survey.short_code}/embed/")
    assert "frame-ancestors 'self' https://www.alpha.gov" in response["Content-Security-Policy"]
    assert "X-Frame-Options" not in response
    assert "usa-banner" not in response.content.decode()
    refused = Client().post(
        f"/s/{survey.short_code}/embed/",
        {"page": "0", "satisfaction": "4"},
        HTTP_ORIGIN="https://evil.example",
    )
    assert refused.status_code == 403
    accepted = Client().post(
        f"/s/{survey.short_code}/embed/",
        {"page": "0", "satisfaction": "4"},
        HTTP_ORIGIN="https://www.alpha.gov",
    )
    assert accepted.status_code == 200
    assert Response.objects.get().source == "embed"


@pytest.mark.parametrize("blueprint", ["a11-v1", "a11-v2", "acsi", "nps", "servqual"])
def test_every_template_publishes_and_renders_in_both_languages(personas: Personas, blueprint: str) -> None:
    survey = published_survey(personas.agency_a, blueprint=blueprint)
    for language in ("", "/es"):
        assert Client().get(form_url(survey, language)).status_code == 200


def test_an_employee_survey_cannot_be_answered_on_the_public_form(personas: Personas) -> None:
    survey = published_survey(personas.agency_a, blueprint="employee-voice")
    assert Client().get(form_url(survey)).status_code == 404
    assert Client().post(form_url(survey), {"page": "0", "engaged": "4", "heard": "4"}).status_code == 404
    with pytest.raises(services.ResponseRefused):
        services.record_response(survey=survey, raw={"engaged": 4, "heard": 4})
    assert not Response.objects.exists()


def test_an_analyst_sets_page_branching_and_the_form_follows_it(personas: Personas) -> None:
    from django.urls import reverse

    survey = services.create_survey(
        actor=None,
        agency=personas.agency_a,
        blueprint="servqual",
        data={
            "title": "Branching",
            "omb_control_number": "1090-0011",
            "omb_expiration_date": dt.date.today() + dt.timedelta(days=90),
        },
    )
    services.add_page(actor=None, survey=survey)  # page 3, empty but for one question
    third = survey.pages.get(position=3)
    services.save_question(
        actor=None, survey=survey, data={"page": third, "kind": "long_text", "text": "Why?", "key": "why"}
    )
    first = survey.pages.get(position=1)
    client = personas.client(personas.analyst_a)
    url = reverse("manage:surveys:page-edit", args=[personas.agency_a.slug, survey.pk, first.pk])
    refused = client.post(url, {"branching": "expect_reliability = 1, 2 -> 9"})
    assert "page 9 is not a later page" in refused.content.decode()
    client.post(url, {"title": "What you expect", "branching": "expect_reliability = 1, 2 -> 3"})
    first.refresh_from_db()
    assert first.branching == [{"question": "expect_reliability", "values": [1, 2], "go_to": 3}]
    services.change_status(actor=None, survey=survey, status=Survey.Status.PUBLISHED)
    skipped = Client().post(form_url(survey), {"page": "0", "expect_reliability": "1"})
    assert "page=2&" in skipped["Location"]  # index 2 is the third page: the second was skipped
    followed = Client().post(form_url(survey), {"page": "0", "expect_reliability": "6"})
    assert "page=1&" in followed["Location"]


def test_a_rejected_ten_megabyte_answer_is_not_sent_back_into_the_page(personas: Personas) -> None:
    survey = published_survey(personas.agency_a)
    huge = "x" * (10 * 1024 * 1024)
    response = Client().post(form_url(survey), {"page": "0", "satisfaction": "4", "comment_service": huge})
    html = response.content.decode()
    assert response.status_code == 400
    assert "shorten the answer to 2000 characters" in html
    assert len(html) < 100_000
    assert not Response.objects.exists()


def test_a_browser_resending_a_submission_whose_answer_was_lost_stores_it_once(personas: Personas) -> None:
    survey = published_survey(personas.agency_a)
    html = Client().get(form_url(survey)).content.decode()
    stamp = re.search(r'name="form_stamp" value="([^"]+)"', html)
    assert stamp is not None
    answer = {"page": "0", "satisfaction": "4", "form_stamp": stamp.group(1)}
    first, again = Client().post(form_url(survey), answer), Client().post(form_url(survey), answer)
    assert first.status_code == again.status_code == 200
    assert 'id="survey-thanks"' in again.content.decode()
    assert Response.objects.filter(survey=survey).count() == 1


def test_each_showing_of_the_form_carries_its_own_stamp_and_is_never_kept_by_a_shared_cache(
    personas: Personas,
) -> None:
    survey = published_survey(personas.agency_a)
    shown = [Client().get(form_url(survey)) for _ in range(2)]
    stamps = {
        re.search(r'name="form_stamp" value="([^"]+)"', page.content.decode()).group(1) for page in shown
    }
    assert len(stamps) == 2
    assert all("private, no-store" in page["Cache-Control"] for page in shown)
    Client().post(form_url(survey), {"page": "0", "satisfaction": "4", "form_stamp": "not-a-stamp"})
    Client().post(form_url(survey), {"page": "0", "satisfaction": "5", "form_stamp": "not-a-stamp"})
    assert Response.objects.filter(survey=survey).count() == 2
