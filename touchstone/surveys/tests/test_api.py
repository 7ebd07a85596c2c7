"""Responses through the API: an app posts with an API key and an idempotency key; analysts read by date range."""

from typing import Any

from django.test import Client

from touchstone.conftest import Personas
from touchstone.core import services as core_services
from touchstone.surveys.models import Response
from touchstone.surveys.tests.factories import published_survey


def token(personas: Personas, scopes: tuple[str, ...], agency: str = "a") -> dict[str, str]:
    owner, target = (
        (personas.admin_a, personas.agency_a) if agency == "a" else (personas.admin_b, personas.agency_b)
    )
    _t, secret = core_services.create_api_token(actor=owner, agency=target, name="app", scopes=list(scopes))
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def submit(survey_id: int, body: dict[str, Any], headers: dict[str, str], key: str | None = None) -> Any:
    extra = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return Client().post(
        f"/api/v1/surveys/{survey_id}/responses", body, content_type="application/json", **headers, **extra
    )


def test_a_retry_with_the_same_idempotency_key_never_creates_a_duplicate(personas: Personas) -> None:
    survey = published_survey(personas.agency_a)
    headers = token(personas, ("submit",))
    body = {"answers": {"satisfaction": 5, "ease": 4}, "channel": "mobile_app"}
    first = submit(survey.pk, body, headers, key="device-42-answer-7")
    again = submit(survey.pk, body, headers, key="device-42-answer-7")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert Response.objects.count() == 1
    assert Response.objects.get().source == "api"


def test_an_answer_that_does_not_fit_names_the_question(personas: Personas) -> None:
    survey = published_survey(personas.agency_a)
    response = submit(
        survey.pk, {"answers": {"satisfaction": 9, "colour": "blue"}}, token(personas, ("submit",))
    )
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert "answers.satisfaction" in detail and "from 1 to 5" in detail
    assert "“colour” is not a question of this survey" in detail
    assert not Response.objects.exists()


def test_a_read_only_token_cannot_submit_and_another_agency_gets_404(personas: Personas) -> None:
    survey = published_survey(personas.agency_a)
    assert submit(survey.pk, {"answers": {"satisfaction": 5}}, token(personas, ("read",))).status_code == 403
    assert (
        submit(survey.pk, {"answers": {"satisfaction": 5}}, token(personas, ("submit",), "b")).status_code
        == 404
    )
    assert Client().get(f"/api/v1/surveys/{survey.pk}", **token(personas, ("read",), "b")).status_code == 404


def test_responses_are_listed_by_date_range_without_spam(personas: Personas) -> None:
    survey = published_survey(personas.agency_a)
    submit_headers = token(personas, ("submit",))
    for day, score in (("2026-01-05T10:00:00Z", 3), ("2026-02-05T10:00:00Z", 4), ("2026-03-05T10:00:00Z", 5)):
        submit(survey.pk, {"answers": {"satisfaction": score}, "submitted_at": day}, submit_headers)
    Response.objects.filter(answers__satisfaction=5).update(is_spam=True)
    body = (
        Client()
        .get(
            f"/api/v1/surveys/{survey.pk}/responses?since=2026-02-01T00:00:00Z", **token(personas, ("read",))
        )
        .json()
    )
    assert [item["answers"]["satisfaction"] for item in body["items"]] == [4]


def test_the_survey_schema_is_published_through_the_api(personas: Personas) -> None:
    survey = published_survey(personas.agency_a, blueprint="nps")
    body = Client().get(f"/api/v1/surveys/{survey.pk}", **token(personas, ("read",))).json()
    assert body["version"] == 1
    assert [q["key"] for q in body["instrument"]["pages"][0]["questions"]] == ["recommend", "recommend_why"]
