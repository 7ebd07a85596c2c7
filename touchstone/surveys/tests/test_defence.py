"""Spam and abuse defence that does not turn people away: an office behind one address and a lobby kiosk collect all
day, while a scripted flood is refused or kept as spam, out of the counts."""

import datetime as dt
import random
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from touchstone.conftest import Personas
from touchstone.surveys import selectors
from touchstone.surveys.models import KioskDevice, KnownNetwork, Response, Survey
from touchstone.surveys.tests.factories import published_survey

HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


def form_url(survey: Survey) -> str:
    return f"/s/{survey.short_code}/"


def answer(client: Client, survey: Survey, answers: dict[str, str]) -> Any:
    """What a person does: open the form, then send it with what it carries (its stamp and CSRF token)."""
    page = client.get(form_url(survey))
    carried = dict(HIDDEN.findall(page.content.decode()))
    return client.post(form_url(survey), {**carried, **answers})


def person(number: int) -> dict[str, str]:
    """One of many people: mostly satisfied, each answering the survey's questions in their own way."""
    rng = random.Random(number)
    answers = {key: str(rng.choice([2, 3, 4, 4, 5, 5])) for key in ("satisfaction", "ease", "efficiency")}
    if rng.random() < 0.25:
        answers["comment_service"] = rng.choice(["Quick.", "Kind staff.", "Too long a wait.", "Fine."])
    return answers


@contextmanager
def clock_from(start: dt.datetime, step: dt.timedelta) -> Iterator[None]:
    """The limiters' clock moves on by `step` at each reading, as a day goes by."""
    moments = (start + step * n for n in range(100_000))
    with mock.patch("touchstone.core.ratelimit.timezone.now", side_effect=lambda: next(moments)):
        yield


@override_settings(SURVEY_SUBMISSIONS_PER_MINUTE=20)
def test_an_office_behind_one_address_collects_200_answers_over_a_day(personas: Personas) -> None:
    survey = published_survey(personas.agency_a)
    office = Client(REMOTE_ADDR="203.0.113.7")
    # 200 people in eight hours: the limiter's clock moves about a minute per answer (it is read twice per answer).
    with clock_from(timezone.now(), dt.timedelta(seconds=72)):
        codes = [answer(office, survey, person(n)).status_code for n in range(200)]
    assert codes == [200] * 200
    assert Response.objects.filter(survey=survey, is_spam=False).count() == 200
    assert selectors.complete_count(survey) == 200


@pytest.mark.usefixtures("within_one_minute")
@override_settings(SURVEY_SUBMISSIONS_PER_MINUTE=20)
def test_a_known_network_may_send_far_more_in_a_minute_than_an_unknown_address(personas: Personas) -> None:
    survey = published_survey(personas.agency_a)
    KnownNetwork.objects.create(agency=personas.agency_a, network="203.0.113.0/24", label="Call centre")
    call_centre, stranger = Client(REMOTE_ADDR="203.0.113.40"), Client(REMOTE_ADDR="198.51.100.9")
    codes = [answer(call_centre, survey, person(n)).status_code for n in range(200)]
    assert codes == [200] * 200
    assert Response.objects.filter(survey=survey, is_spam=False).count() == 200
    stranger_codes = [answer(stranger, survey, person(n)).status_code for n in range(21)]
    assert stranger_codes == [200] * 20 + [429]


@pytest.mark.usefixtures("within_one_minute")
@override_settings(SURVEY_SUBMISSIONS_PER_MINUTE=20)
def test_a_scripted_flood_is_refused_and_what_got_in_is_kept_as_spam(personas: Personas) -> None:
    survey = published_survey(personas.agency_a)
    script = Client(REMOTE_ADDR="192.0.2.66")
    # The same answers, posted straight at the form without opening it, as fast as it can; half fill the honeypot.
    flood = [
        {"page": "0", "satisfaction": "1", "comment_service": "Visit http://cheap.example"}
        | ({"website_url": "http://cheap.example"} if n % 2 else {})
        for n in range(60)
    ]
    codes = [script.post(form_url(survey), body).status_code for body in flood]
    assert codes == [200] * 20 + [429] * 40
    stored = Response.objects.filter(survey=survey)
    assert stored.count() == 20 and not stored.filter(is_spam=False).exists()
    assert all(
        reasons == ["honeypot"]
        for reasons in stored.filter(answers={}).values_list("spam_reasons", flat=True)
    )
    assert all(
        {"no_form", "links"} <= set(reasons)
        for reasons in stored.exclude(answers={}).values_list("spam_reasons", flat=True)
    )
    assert selectors.complete_count(survey) == 0
    # A person at another address is not held back by the flood.
    assert answer(Client(REMOTE_ADDR="198.51.100.20"), survey, person(1)).status_code == 200
    assert Response.objects.filter(survey=survey, is_spam=False).count() == 1


@pytest.mark.usefixtures("within_one_minute")
def test_the_same_answers_again_and_again_from_one_place_become_spam(personas: Personas) -> None:
    survey = published_survey(personas.agency_a)
    script = Client(REMOTE_ADDR="192.0.2.67")
    for _ in range(6):
        answer(script, survey, {"satisfaction": "5"})
    spam = list(Response.objects.filter(survey=survey).order_by("pk").values_list("is_spam", flat=True))
    assert spam == [False, False, False, True, True, True]


@pytest.mark.usefixtures("within_one_minute")
def test_a_burst_over_the_surveys_own_limit_is_kept_as_suspected_spam(personas: Personas) -> None:
    survey = published_survey(personas.agency_a, burst_per_minute=5)
    for number in range(8):
        answer(Client(REMOTE_ADDR=f"198.51.100.{number + 1}"), survey, person(number))
    held = Response.objects.filter(survey=survey, is_spam=True)
    assert held.count() == 3 and all("burst" in r.spam_reasons for r in held)


def issue_kiosk(personas: Personas, survey: Survey, per_minute: int = 30) -> str:
    page = personas.client(personas.analyst_a).post(
        f"/manage/{personas.agency_a.slug}/surveys/{survey.pk}/kiosks/",
        {"name": "Lobby tablet", "per_minute": str(per_minute)},
    )
    assert page.status_code == 200
    found = re.search(r'id="kiosk-link">http://testserver(/s/[^<]+)<', page.content.decode())
    assert found
    return found.group(1)


@override_settings(SURVEY_SUBMISSIONS_PER_MINUTE=2)
def test_a_kiosk_collects_all_day_under_its_own_limit_and_starts_afresh_for_each_person(
    personas: Personas,
) -> None:
    survey = published_survey(personas.agency_a)
    link = issue_kiosk(personas, survey, per_minute=30)
    kiosk = KioskDevice.objects.get(survey=survey)
    assert link.split("/")[-2] not in kiosk.token_hash  # only a hash of the token is kept
    tablet = Client(REMOTE_ADDR="203.0.113.99")
    assert tablet.get(link)["Location"] == form_url(survey)
    with clock_from(timezone.now(), dt.timedelta(seconds=5)):  # 6 answers a minute, far above the address's 2
        replies = [answer(tablet, survey, person(n)) for n in range(60)]
    assert [reply.status_code for reply in replies] == [200] * 60
    thanks = replies[-1]
    assert thanks["Cache-Control"] == "no-store"  # the back button cannot bring the last answers back
    assert f'href="{form_url(survey)}"' in thanks.content.decode()
    fresh = tablet.get(form_url(survey))
    assert fresh["Cache-Control"] == "no-store" and " checked" not in fresh.content.decode()
    assert 'autocomplete="off"' in fresh.content.decode()
    assert Response.objects.filter(survey=survey, kiosk=kiosk, is_spam=False).count() == 60


@pytest.mark.usefixtures("within_one_minute")
def test_a_kiosk_is_held_to_its_own_limit_and_stops_when_switched_off(personas: Personas) -> None:
    survey = published_survey(personas.agency_a)
    link = issue_kiosk(personas, survey, per_minute=3)
    tablet = Client(REMOTE_ADDR="203.0.113.98")
    tablet.get(link)
    codes = [answer(tablet, survey, person(n)).status_code for n in range(4)]
    assert codes == [200, 200, 200, 429]
    kiosk = KioskDevice.objects.get(survey=survey)
    revoke = personas.client(personas.analyst_a).post(
        f"/manage/{personas.agency_a.slug}/surveys/{survey.pk}/kiosks/{kiosk.pk}/revoke/"
    )
    assert revoke.status_code == 302
    assert Client().get(link).status_code == 404
    later = answer(tablet, survey, person(9))  # now an ordinary visitor at its address
    assert later.status_code == 200 and later["Cache-Control"] == "private, no-store"  # no kiosk's page
    assert "next person" not in later.content.decode()


def test_a_viewer_sees_the_kiosks_but_cannot_set_one_up(personas: Personas) -> None:
    survey = published_survey(personas.agency_a)
    viewer = personas.client(personas.viewer_a)
    url = f"/manage/{personas.agency_a.slug}/surveys/{survey.pk}/kiosks/"
    assert "Set up a kiosk" not in viewer.get(url).content.decode()
    viewer.post(url, {"name": "Sneaky", "per_minute": "30"})
    assert not KioskDevice.objects.exists()


def test_only_an_agency_admin_adds_a_known_network_and_a_bad_one_is_named(personas: Personas) -> None:
    url = f"/manage/{personas.agency_a.slug}/surveys/known-networks/"
    analyst = personas.client(personas.analyst_a)
    analyst.post(url, {"network": "203.0.113.0/24", "label": "Office", "per_minute": "600"})
    assert not KnownNetwork.objects.exists()
    admin = personas.client(personas.admin_a)
    bad = admin.post(url, {"network": "the office", "label": "Office", "per_minute": "600"})
    assert bad.status_code == 400 and "203.0.113.7" in bad.content.decode()
    too_wide = admin.post(url, {"network": "10.0.0.0/8", "label": "Everyone", "per_minute": "600"})
    assert too_wide.status_code == 400 and "/16 or narrower" in too_wide.content.decode()
    added = admin.post(url, {"network": "203.0.113.9/24", "label": "Office", "per_minute": "600"})
    assert added.status_code == 302
    assert KnownNetwork.objects.get().network == "203.0.113.0/24"


@pytest.mark.usefixtures("within_one_minute")
def test_caught_spam_shows_why_and_stays_out_of_exports_until_someone_says_otherwise(
    personas: Personas,
) -> None:
    survey = published_survey(personas.agency_a)
    Client().post(
        form_url(survey), {"page": "0", "satisfaction": "1", "comment_service": "www.cheap.example"}
    )
    caught = Response.objects.get(survey=survey)
    assert caught.is_spam and caught.spam_score == 50 and caught.spam_reasons == ["no_form", "links"]
    analyst = personas.client(personas.analyst_a)
    base = f"/manage/{personas.agency_a.slug}/surveys/{survey.pk}/responses/"
    page = analyst.get(f"{base}{caught.pk}/").content.decode()
    assert "50 / 100" in page and "sent without opening the form" in page
    assert "www.cheap.example" not in analyst.get(f"{base}export/?format=csv").content.decode()
    assert "www.cheap.example" in analyst.get(f"{base}export/?format=csv&state=spam").content.decode()
    analyst.post(f"{base}{caught.pk}/mark/", {"action": "not_spam"})
    assert "www.cheap.example" in analyst.get(f"{base}export/?format=csv").content.decode()
    assert selectors.complete_count(survey) == 1
