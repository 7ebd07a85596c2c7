"""Request and response guards that every page and the API share.

Requests answered plainly before they can become server errors:

- Text that holds a NUL character (no database column can store one) is refused with 400, naming the field.
- A database that is down or restarting answers 503 with Retry-After, as JSON on the API and a page elsewhere:
  every write is atomic, so nothing half-done is kept and the client may simply send the request again.

Responses that hold an agency's or a person's private records are never kept by a browser or a proxy cache.
"""

import json
import re
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.cache import add_never_cache_headers
from django.utils.http import http_date
from django.utils.translation import gettext as _

DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30
PROBLEM = "application/problem+json"


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def problem_response(status: int, title: str, detail: str, **extra: Any) -> JsonResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return JsonResponse(body, status=status, content_type=PROBLEM, json_dumps_params={"ensure_ascii": False})


def database_unavailable(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After, rendered without touching the database (no context processors, no session)."""
    detail = _("The database is not answering; nothing was saved. Send the request again in a minute.")
    response: HttpResponse
    if is_api(request):
        response = problem_response(503, _("Service unavailable"), detail)
    else:
        response = HttpResponse(loader.get_template("503.html").render({"detail": detail}), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _nul_in_json(value: Any, where: str = "") -> str | None:
    """The dotted name of the first value (or key) in a JSON document that holds a NUL; None when none does."""
    if isinstance(value, str):
        return (where or "body") if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            name = f"{where}.{key}" if where else str(key)
            if "\x00" in str(key):
                return name.replace("\x00", "")
            found = _nul_in_json(item, name)
            if found:
                return found
    if isinstance(value, list):
        for number, item in enumerate(value):
            found = _nul_in_json(item, f"{where}.{number}" if where else str(number))
            if found:
                return found
    return None


def field_with_nul(request: HttpRequest) -> str | None:
    """Which field of the request holds a NUL character: its name, "path", "body", or None."""
    if "\x00" in request.path:
        return "path"
    for name, values in request.GET.lists():
        if "\x00" in name or any("\x00" in value for value in values):
            return name.replace("\x00", "")
    if request.method not in ("POST", "PUT", "PATCH"):
        return None
    content_type = request.content_type or ""
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        if request.path.startswith("/inbound-email/"):
            _body = (
                request.body
            )  # mail providers' forms are parsed again from the raw body (anymail, SendGrid)
        for name, values in request.POST.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                return name.replace("\x00", "")
        for name, uploads in request.FILES.lists():
            if any("\x00" in (getattr(upload, "name", "") or "") for upload in uploads):
                return name
    elif content_type.endswith("json"):
        body = request.body
        if b"\x00" in body:
            return "body"
        if b"\\u0000" in body:
            try:
                return _nul_in_json(json.loads(body))
            except (ValueError, RecursionError):
                return None  # the API tells the client the body is not JSON
    return None


class RequestSafetyMiddleware:
    """Refuses text with NUL characters, and answers 503 when the database is away (see the module's words)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            field = field_with_nul(request)
        except RequestDataTooBig:
            return self.too_large(request)
        except SuspiciousOperation:
            if not is_api(request):
                raise  # Django's own 400 page
            return problem_response(400, _("Bad request"), _("The request cannot be used as sent."))
        if field is not None:
            return self.refuse_nul(request, field)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DATABASE_ERRORS):
            return database_unavailable(request)
        return None

    @staticmethod
    def too_large(request: HttpRequest) -> HttpResponse:
        message = _(
            "The request is larger than this server takes (at most %(limit)s MB); send less at once."
        ) % {"limit": f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1048576:g}"}
        if is_api(request):
            return problem_response(413, _("Too large"), message)
        return render(request, "400.html", {"message": message}, status=413)

    @staticmethod
    def refuse_nul(request: HttpRequest, field: str) -> HttpResponse:
        message = _("%(field)s: the text holds a NUL character (\\0), which no text may hold; remove it.") % {
            "field": field
        }
        if is_api(request):
            return problem_response(
                400,
                _("The request has invalid fields"),
                message,
                errors=[{"field": field, "message": message}],
            )
        return render(request, "400.html", {"message": message}, status=400)


# The workspace, the API, and the public pages that show one person's case or let them set a password.
PRIVATE_PATHS = re.compile(
    r"^/(?:api/v1/|(?:[a-z]{2}/)?(?:manage|sign-in|password-reset|complaints/status|complaints/follow-up)/)"
)


class NoStoreForPrivatePages:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if PRIVATE_PATHS.match(request.path):
            never_stored(response)
        return response


NEVER_STORED = "max-age=0, no-cache, no-store, must-revalidate, private"
_expires: tuple[int, str] = (0, "")  # (second, its HTTP date): one formatting a second, not one a response


def never_stored(response: HttpResponse) -> None:
    """What Django's add_never_cache_headers gives (Expires: now; Cache-Control: NEVER_STORED), set directly when
    the view set neither header, as nearly every response here: Django's parses and rebuilds Cache-Control twice
    and formats the date each time, the largest cost on the API's submission path outside the view."""
    global _expires
    if "Cache-Control" in response.headers or "Expires" in response.headers:
        add_never_cache_headers(response)  # merge with what the view asked for, as Django does
        return
    now = int(time.time())
    second, date = _expires
    if second != now:
        date = http_date(now)
        _expires = (now, date)  # one tuple assigned at once: another thread reads the old pair or the new one
    response.headers["Expires"] = date
    response.headers["Cache-Control"] = NEVER_STORED
