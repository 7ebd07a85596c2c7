"""The surveys API: list surveys and their schemas, POST responses with an API key (idempotent), read responses."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Header, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate
from pydantic import Field

from touchstone.api import auth
from touchstone.api.pagination import Pagination
from touchstone.catalog.channels import Channel
from touchstone.surveys import collection, selectors, services
from touchstone.surveys.models import Response, Survey

router = Router(tags=["Surveys"])


class SurveyOut(Schema):
    id: int
    title: str
    short_code: str
    status: str
    audience: str
    service_id: int | None
    omb_control_number: str
    omb_expiration_date: dt.date | None
    version: int | None
    instrument: dict[str, Any] | None = Field(None, description="Pages and questions of the live version")

    @staticmethod
    def resolve_version(obj: Survey) -> int | None:
        return obj.current_version.number if obj.current_version else None

    @staticmethod
    def resolve_instrument(obj: Survey) -> dict[str, Any] | None:
        return obj.current_version.schema if obj.current_version else None


class AnswersIn(Schema):
    answers: dict[str, Any] = Field(..., description="Question key -> answer; lists for several choices")
    language: str = Field("en", pattern="^(en|es)$")
    channel: Channel | None = None
    service: str | None = Field(None, description="Slug of one of the agency's services")
    location: str | None = Field(None, max_length=100)


class ResponseIn(AnswersIn):
    submitted_at: dt.datetime | None = Field(None, description="When the answer was given, if queued offline")


class QueuedResponseIn(AnswersIn):
    idempotency_key: str = Field(
        ..., min_length=8, max_length=100, description="Made on the device when the person answered (a UUID)"
    )
    answered_at: dt.datetime = Field(..., description="When the person answered, on the device's clock")


class BatchIn(Schema):
    responses: list[QueuedResponseIn] = Field(..., min_length=1, max_length=500)


class FieldError(Schema):
    field: str
    message: str


class ResponseOut(Schema):
    id: int
    survey_id: int
    version: int
    status: str
    source: str
    answers: dict[str, Any]
    language: str
    channel: str
    service_id: int | None
    location: str
    submitted_at: dt.datetime
    is_spam: bool

    @staticmethod
    def resolve_version(obj: Response) -> int:
        return obj.version.number


class BatchResultOut(Schema):
    idempotency_key: str
    status: int = Field(
        ..., description="201 stored now, 200 stored before under this key, 422 refused (nothing stored)"
    )
    response: ResponseOut | None
    errors: list[FieldError]


class BatchOut(Schema):
    results: list[BatchResultOut]


def _survey(request: HttpRequest, survey_id: int) -> Survey:
    return selectors.survey_of(auth.token_of(request).agency, survey_id)


@router.get("/surveys", response=list[SurveyOut], auth=auth.read)
@paginate(Pagination)
def list_surveys(request: HttpRequest) -> Any:
    return selectors.surveys_of(auth.token_of(request).agency)


@router.get("/surveys/{survey_id}", response=SurveyOut, auth=auth.read)
def read_survey(request: HttpRequest, survey_id: int) -> Survey:
    return _survey(request, survey_id)


@router.post(
    "/surveys/{survey_id}/responses", response={201: ResponseOut, 200: ResponseOut}, auth=auth.submit
)
def submit_response(
    request: HttpRequest,
    survey_id: int,
    payload: ResponseIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> tuple[int, Response]:
    """Store one response. Send an `Idempotency-Key` header (e.g. a UUID made on the device): a retry after a lost
    connection returns the stored response with 200 instead of creating a second one."""
    survey = selectors.survey_for_submission(auth.token_of(request).agency, survey_id)
    if survey.is_anonymous:
        raise HttpError(403, "Anonymous employee surveys take answers only through their one-use links.")
    if idempotency_key is not None and not 8 <= len(idempotency_key) <= 100:
        raise HttpError(400, "Idempotency-Key must be 8 to 100 characters.")
    context = _link_context(survey, payload)
    if payload.submitted_at is not None:
        context["submitted_at"] = payload.submitted_at
    try:
        response, created = services.record_response(
            survey=survey,
            raw=payload.answers,
            source=Response.Source.API,
            language=payload.language,
            context=context,
            idempotency_key=idempotency_key,
            strict_keys=True,
        )
    except services.ResponseRefused as refused:
        errors = _field_errors(refused.errors)
        raise HttpError(422, "; ".join(f"{e['field']}: {e['message']}" for e in errors)) from refused
    except services.IdempotencyConflict as conflict:
        raise HttpError(422, str(conflict)) from conflict
    return (201 if created else 200), response


@router.post("/surveys/{survey_id}/responses/batch", response=BatchOut, auth=auth.submit)
def submit_batch(request: HttpRequest, survey_id: int, payload: BatchIn) -> dict[str, Any]:
    """Responses a device queued while offline, each with its own `idempotency_key` and the time it was answered
    (`answered_at`, kept as the response's time). Each response is stored whole or not at all, apart from the
    others: `results` gives, in order, 201 (stored now), 200 (stored before under this key: a resent batch stores
    nothing twice) or 422 with the errors (nothing stored for it; a key reused with different answers is named)."""
    survey = selectors.survey_for_submission(auth.token_of(request).agency, survey_id)
    if survey.is_anonymous:
        raise HttpError(403, "Anonymous employee surveys take answers only through their one-use links.")
    items = [
        {
            "idempotency_key": queued.idempotency_key,
            "answers": queued.answers,
            "language": queued.language,
            "answered_at": queued.answered_at,
            "context": _link_context(survey, queued),
        }
        for queued in payload.responses
    ]
    outcomes = services.record_batch(survey=survey, items=items)
    return {
        "results": [
            {
                "idempotency_key": outcome.key,
                "status": outcome.status,
                "response": outcome.response,
                "errors": _field_errors(outcome.errors),
            }
            for outcome in outcomes
        ]
    }


def _link_context(survey: Survey, payload: AnswersIn) -> dict[str, Any]:
    return collection.link_context(
        survey,
        {
            "service": payload.service or "",
            "channel": payload.channel or "",
            "location": payload.location or "",
        },
    )


def _field_errors(errors: dict[str, str]) -> list[dict[str, str]]:
    named = {"__all__": "survey", "idempotency_key": "idempotency_key", "answered_at": "answered_at"}
    return [
        {"field": named.get(key, f"answers.{key}"), "message": message} for key, message in errors.items()
    ]


@router.get("/surveys/{survey_id}/responses", response=list[ResponseOut], auth=auth.read)
@paginate(Pagination)
def list_responses(
    request: HttpRequest,
    survey_id: int,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    include_spam: bool = False,
) -> Any:
    """Complete responses, oldest first, optionally between two moments (ISO 8601)."""
    survey = _survey(request, survey_id)
    if survey.is_anonymous:
        raise HttpError(403, "Answers to anonymous employee surveys are shown only in aggregate.")
    responses = (
        selectors.responses_of(survey).filter(status=Response.Status.COMPLETE).order_by("submitted_at", "pk")
    )
    if since:
        responses = responses.filter(submitted_at__gte=since)
    if until:
        responses = responses.filter(submitted_at__lt=until)
    return responses if include_spam else responses.filter(is_spam=False)


@router.get("/surveys/{survey_id}/responses/{response_id}", response=ResponseOut, auth=auth.read)
def read_response(request: HttpRequest, survey_id: int, response_id: int) -> Response:
    survey = _survey(request, survey_id)
    if survey.is_anonymous:
        raise HttpError(403, "Answers to anonymous employee surveys are shown only in aggregate.")
    return selectors.response_of(survey, response_id)
