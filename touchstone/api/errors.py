"""Problem-style JSON errors (RFC 9457): every error has a title, a status and a detail a person can act on."""

import logging
import traceback
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as ModelValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from touchstone.core.middleware import DATABASE_ERRORS, database_unavailable

logger = logging.getLogger(__name__)

PROBLEM = "application/problem+json"


def problem(
    api: NinjaAPI, request: HttpRequest, status: int, title: str, detail: str, **extra: Any
) -> HttpResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    response = api.create_response(request, body, status=status)
    response["Content-Type"] = PROBLEM
    return response


def field_name(location: list[Any] | tuple[Any, ...]) -> str:
    """('body', 'payload', 'state') -> 'state': the name the client sent, without ninja's wrapping."""
    parts = [str(part) for part in location]
    if len(parts) > 2 and parts[0] == "body":
        return ".".join(parts[2:])
    return ".".join(parts[1:]) or (parts[0] if parts else "")


def install(api: NinjaAPI) -> None:
    @api.exception_handler(ValidationError)
    def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = [
            {"field": field_name(error.get("loc", [])), "message": error.get("msg", "")}
            for error in exc.errors
        ]
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        return problem(api, request, 422, "The request has invalid fields", detail, errors=errors)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = problem(
            api,
            request,
            401,
            "Not signed in",
            "Send an API token as 'Authorization: Bearer <token>'; an agency admin issues tokens.",
        )
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return problem(api, request, 404, "Not found", str(exc) or "Nothing here for your agency.")

    @api.exception_handler(Exception)
    def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
        if isinstance(exc, DATABASE_ERRORS):
            return database_unavailable(request)
        if isinstance(exc, PermissionDenied):
            return problem(api, request, 403, "Not allowed", str(exc) or "Your token may not do this.")
        if isinstance(exc, RequestDataTooBig):
            return problem(api, request, 413, "Too large", str(exc))
        if isinstance(exc, SuspiciousOperation):
            return problem(api, request, 400, "Bad request", "The request cannot be used as sent.")
        if isinstance(exc, ModelValidationError):
            errors = [
                {"field": name, "message": " ".join(messages)}
                for name, messages in (
                    exc.message_dict.items() if hasattr(exc, "error_dict") else [("", exc.messages)]
                )
            ]
            detail = "; ".join(
                f"{e['field']}: {e['message']}" if e["field"] else e["message"] for e in errors
            )
            return problem(api, request, 422, "The request has invalid fields", detail, errors=errors)
        # The message may quote what was sent; the log keeps the error's kind and where it was raised.
        where = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
        logger.error(
            "API %s %s failed: %s at %s:%s",
            request.method,
            getattr(request.resolver_match, "route", "?"),  # the pattern: a path may hold a tracking number
            type(exc).__name__,
            where.filename if where else "?",
            where.lineno if where else "?",
        )
        return problem(
            api,
            request,
            500,
            "Server error",
            "Something went wrong on our side; nothing you sent caused it, and nothing was saved. Try again later.",
        )

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        titles = {400: "Bad request", 403: "Not allowed", 404: "Not found", 409: "Conflict", 413: "Too large"}
        return problem(api, request, exc.status_code, titles.get(exc.status_code, "Error"), str(exc))
