"""The public page of a service tells the published part of the story in plain language: our promise, how we did,
what you told us, what we changed and whether it worked; an action not marked public stays off it."""

import datetime as dt

from django.test import Client

from touchstone.conftest import Personas
from touchstone.improvement import services
from touchstone.improvement.tests.factories import service_of
from touchstone.improvement.tests.test_actions import action_data, monthly_ease


def published_service(personas: Personas):  # type: ignore[no-untyped-def]
    service = service_of(personas.agency_a)
    service.status = "published"
    service.save(update_fields=["status"])
    return service


def test_the_public_page_says_what_we_changed_and_that_it_worked(personas: Personas) -> None:
    service = published_service(personas)
    months = monthly_ease(service, 20, 0.12)
    done = months[19] - dt.timedelta(days=1)
    data = action_data(
        personas, status="done", done_on=done, starts_on=done - dt.timedelta(days=9), due_on=done
    )
    services.save_action(
        actor=None,
        agency=personas.agency_a,
        service=service,
        data={**data, "published": True, "title_es": "Cartas en lenguaje claro"},
    )
    services.save_action(
        actor=None, agency=personas.agency_a, service=service, data={**data, "title": "Internal reshuffle"}
    )
    url = f"/agencies/{personas.agency_a.slug}/services/{service.slug}/"
    english = Client().get(url).content.decode()
    assert "What we changed, and whether it worked" in english
    assert "Plain-language letters" in english and "It worked" in english
    assert "Internal reshuffle" not in english
    assert "What you told us" in english  # ease, 400 answers a month
    spanish = Client().get(f"/es{url}").content.decode()
    assert "Cartas en lenguaje claro" in spanish


def test_a_service_with_nothing_published_shows_no_empty_story(personas: Personas) -> None:
    service = published_service(personas)
    page = Client().get(f"/agencies/{personas.agency_a.slug}/services/{service.slug}/").content.decode()
    assert "How we are doing" not in page
