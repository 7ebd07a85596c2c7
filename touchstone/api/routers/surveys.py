"""The surveys API: list surveys and their schemas, POST responses with an API key (idempotent), read responses."""

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from ninja import Header, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate
from pydantic import BaseModel, Field
from pydantic import ValidationError as PydanticValidationError

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


class AnswersIn(BaseModel):
    """A plain pydantic model, not django-ninja's Schema: a request body is a JSON document, never a Django object,
    so the Schema's wrapping validator (which reads each field through a Python getter, for ORM objects) is not
    needed, and pydantic checks the whole body in its compiled core."""

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
) -> HttpResponse:
    """Store one response. Send an `Idempotency-Key` header (e.g. a UUID made on the device): a retry after a lost
    connection returns the stored response with 200 instead of creating a second one."""
    return _store_response(request, survey_id, payload, idempotency_key)


def _store_response(
    request: HttpRequest, survey_id: int, payload: ResponseIn, idempotency_key: str | None
) -> HttpResponse:
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
    # What ResponseOut gives, rendered without pydantic reading the model through its resolvers;
    # test_api_submission_cost pins the two as equal.
    return _api().create_response(request, response_out(response), status=201 if created else 200)


def _api() -> Any:
    """The API's own renderer and error handlers (imported here: that module imports this one)."""
    from touchstone.api.api import api

    return api


@csrf_exempt
def submit_response_direct(request: HttpRequest, survey_id: int) -> HttpResponse:
    """POST /api/v1/surveys/{id}/responses, the product's hottest write, without django-ninja's per-request
    machinery (parameter models, the response model read through its resolvers), which, measured in one process
    (benchmarks/profile_survey_api.py), cost more CPU than the answers' check and the insert together.

    It does what `submit_response` does, with the same token check, the same pydantic model for the body and the
    same error handlers; anything it would not answer with a stored response (no or a bad token, a body that does
    not validate, another method) goes to django-ninja's own view, so every refusal is the documented one.
    touchstone/urls.py routes the path here, ahead of the API's table."""
    if request.method == "POST":
        try:
            # The bearer token read as django-ninja's HttpBearer reads it, from META: building `request.headers`
            # (every header of the request) cost more than the token check itself.
            scheme, _, secret = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
            # None without a live token; 403 for a token lacking the scope
            token = auth.submit.authenticate(request, secret) if scheme.lower() == "bearer" else None
            payload = _parsed(request) if token is not None else None
            if payload is not None:
                request.auth = token  # type: ignore[attr-defined]  # as django-ninja sets it
                key = request.META.get("HTTP_IDEMPOTENCY_KEY")
                return _store_response(request, survey_id, payload, key)
        except Exception as error:  # noqa: BLE001 - rendered by the API's handlers, as django-ninja does
            return _api().on_exception(request, error)  # type: ignore[no-any-return]
    return _ninja_view()(request, survey_id=survey_id)


def _parsed(request: HttpRequest) -> ResponseIn | None:
    """The body as django-ninja reads it (the model of the JSON document), parsed and checked in one pass by
    pydantic's own JSON reader; None when it does not validate, and django-ninja's view then gives the refusal."""
    try:
        return ResponseIn.model_validate_json(request.body)
    except (ValueError, RecursionError, PydanticValidationError):
        return None


@functools.cache
def _ninja_view() -> Callable[..., HttpResponse]:
    patterns, _app, _namespace = _api().urls
    for pattern in patterns:
        if str(pattern.pattern) == "surveys/<survey_id>/responses":
            return pattern.callback  # type: ignore[no-any-return]
    raise LookupError("django-ninja has no view for surveys/<survey_id>/responses")


def response_out(response: Response) -> dict[str, Any]:
    """A stored response as ResponseOut renders it, field for field."""
    return {
        "id": response.pk,
        "survey_id": response.survey_id,
        "version": response.version.number,
        "status": response.status,
        "source": response.source,
        "answers": response.answers,
        "language": response.language,
        "channel": response.channel,
        "service_id": response.service_id,
        "location": response.location,
        "submitted_at": response.submitted_at,
        "is_spam": response.is_spam,
    }


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
