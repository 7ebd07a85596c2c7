"""The benchmark's server side for survey_submission.py: the project's settings and URLs as they are, plus two
baseline views served by the same gunicorn, so the three are measured the same way in one run.

    DJANGO_SETTINGS_MODULE=survey_submission_site (with benchmarks/ on the path); never part of the project.
"""

import os
import time
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from touchstone.settings import *  # noqa: F403

ROOT_URLCONF = "survey_submission_site"
# Pages name their static files; production finds them in the manifest collectstatic writes, not built for this run.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
# With BENCH_SERVER_TIMES naming a file, each request's time inside Django (every middleware and the view, from the
# request parsed to the response made) is appended to it as "<path> <microseconds>", so the benchmark can give
# the server's own p99 apart from the time a request waits for a CPU the machine's other work is using.
SERVER_TIMES = os.environ.get("BENCH_SERVER_TIMES", "")
if SERVER_TIMES:
    MIDDLEWARE = ["survey_submission_site.time_in_server", *MIDDLEWARE]  # noqa: F405


def time_in_server(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    descriptor = os.open(SERVER_TIMES, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)

    def timed(request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = get_response(request)
        elapsed = round((time.perf_counter() - started) * 1_000_000)
        os.write(descriptor, f"{request.path} {elapsed}\n".encode())  # one write: lines never interleave
        return response

    return timed


@csrf_exempt
def do_nothing(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"ok": True})


@csrf_exempt
def bare_insert(request: HttpRequest) -> HttpResponse:
    """The floor cost of any durable write: the same request body stored as one row, nothing checked."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO bench_raw_submission (body) VALUES (%s) RETURNING id", [request.body.decode()]
        )
        row_id = cursor.fetchone()[0]
    return JsonResponse({"id": row_id}, status=201)


def __getattr__(name: str) -> Any:
    """The URLconf half of this module, read only once the apps are loaded (the project's URLs import models)."""
    from touchstone import urls

    if name == "urlpatterns":
        return [path("bench/nothing/", do_nothing), path("bench/insert/", bare_insert), *urls.urlpatterns]
    if name.startswith("handler") and hasattr(urls, name):
        return getattr(urls, name)
    raise AttributeError(name)
