"""Mobile and offline apps: an idempotency key stands for one response, so a retry lands once and a key reused for
different answers is refused by name; a queued batch lands once, each response whole or not at all, at the time
it was answered."""

import datetime as dt
from typing import Any

from django.test import Client
from django.utils import timezone

from touchstone.conftest import Personas
from touchstone.surveys.models import Response
from touchstone.surveys.tests.factories import published_survey
from touchstone.surveys.tests.test_api import submit, token


def send_batch(survey_id: int, responses: list[dict[str, Any]], headers: dict[str, str]) -> Any:
    return Client().post(
        f"/api/v1/surveys/{survey_id}/responses/batch",
        {"responses": responses},
        content_type="application/json",
        **headers,
    )


def queued(key: str, answers: dict[str, Any], answered_at: dt.datetime) -> dict[str, Any]:
    return {"idempotency_key": key, "answers": answers, "answered_at": answered_at.isoformat()}


def test_a_key_reused_with_different_answers_gets_422_naming_the_key(personas: Personas) -> None:
    survey = published_survey(personas.agency_a)
    headers = token(personas, ("submit",))
    first = submit(survey.pk, {"answers": {"satisfaction": 5}}, headers, key="tablet-7-answer-1")
    other = submit(survey.pk, {"answers": {"satisfaction": 1}}, headers, key="tablet-7-answer-1")
    assert (first.status_code, other.status_code) == (201, 422)
    assert "tablet-7-answer-1" in other.json()["detail"]
    assert Response.objects.get().answers == {"satisfaction": 5}


def test_the_same_key_with_the_same_answers_returns_the_original_response_once(personas: Personas) -> None:
    survey = published_survey(personas.agency_a)
    headers = token(personas, ("submit",))
    answers = {"answers": {"satisfaction": 4, "comment_service": "Helpful"}}
    replies = [submit(survey.pk, answers, headers, key="tablet-7-answer-2") for _ in range(3)]
    assert [reply.status_code for reply in replies] == [201, 200, 200]
    assert {reply.json()["id"] for reply in replies} == {Response.objects.get().pk}


def test_a_queued_batch_lands_once_at_the_times_it_was_answered(personas: Personas) -> None:
    survey = published_survey(personas.agency_a)
    headers = token(personas, ("submit",))
    monday = timezone.now() - dt.timedelta(days=3)
    batch = [
        queued("phone-1-a", {"satisfaction": 5}, monday),
        queued(
            "phone-1-b", {"satisfaction": 3, "comment_service": "Long wait"}, monday + dt.timedelta(hours=2)
        ),
    ]
    first = send_batch(survey.pk, batch, headers)
    again = send_batch(survey.pk, batch, headers)  # the app lost the answer and sent it all again
    assert first.status_code == again.status_code == 200
    assert [r["status"] for r in first.json()["results"]] == [201, 201]
    assert [r["status"] for r in again.json()["results"]] == [200, 200]
    stored = Response.objects.order_by("submitted_at")
    assert [r.idempotency_key for r in stored] == ["phone-1-a", "phone-1-b"]
    assert [r.submitted_at for r in stored] == [monday, monday + dt.timedelta(hours=2)]
    assert {r.source for r in stored} == {"api"}


def test_a_refused_response_stores_nothing_of_itself_and_does_not_stop_the_others(personas: Personas) -> None:
    survey = published_survey(personas.agency_a)
    headers = token(personas, ("submit",))
    yesterday = timezone.now() - dt.timedelta(days=1)
    send_batch(survey.pk, [queued("phone-2-a", {"satisfaction": 5}, yesterday)], headers)
    results = send_batch(
        survey.pk,
        [
            queued("phone-2-b", {"satisfaction": 4}, yesterday),
            queued("phone-2-c", {"satisfaction": 9, "ease": 4}, yesterday),  # 9 is off the scale
            queued("phone-2-a", {"satisfaction": 1}, yesterday),  # a key already used, other answers
            queued("phone-2-d", {"satisfaction": 4}, timezone.now() + dt.timedelta(days=2)),
        ],
        headers,
    ).json()["results"]
    assert [r["status"] for r in results] == [201, 422, 422, 422]
    assert results[1]["errors"][0]["field"] == "answers.satisfaction"
    assert (
        results[2]["errors"][0]["field"] == "idempotency_key"
        and "phone-2-a" in results[2]["errors"][0]["message"]
    )
    assert results[3]["errors"][0]["field"] == "answered_at"
    # The refused response left no part of itself: ease 4 of phone-2-c is nowhere.
    assert sorted(Response.objects.values_list("idempotency_key", flat=True)) == ["phone-2-a", "phone-2-b"]
    assert Response.objects.get(idempotency_key="phone-2-a").answers == {"satisfaction": 5}


def test_a_batch_needs_a_submit_token_of_the_surveys_agency(personas: Personas) -> None:
    survey = published_survey(personas.agency_a)
    batch = [queued("phone-3-a", {"satisfaction": 5}, timezone.now())]
    assert send_batch(survey.pk, batch, token(personas, ("read",))).status_code == 403
    assert send_batch(survey.pk, batch, token(personas, ("submit",), "b")).status_code == 404
    assert not Response.objects.exists()
