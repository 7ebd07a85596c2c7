"""The benchmark's server side for survey_submission.py: the project's settings and URLs as they are, plus two
baseline views served by the same gunicorn, so the three are measured the same way in one run.

    DJANGO_SETTINGS_MODULE=survey_submission_site (with benchmarks/ on the path); never part of the project.
"""

from typing import Any

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from touchstone.settings import *  # noqa: F403

ROOT_URLCONF = "survey_submission_site"
# Pages name their static files; production finds them in the manifest collectstatic writes, not built for this run.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405


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
