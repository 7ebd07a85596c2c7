"""Ordinary bad input gets a clear 4xx naming what to change, never a server error; a database that is away
answers 503 with Retry-After and keeps nothing half-done; the API's errors are always JSON."""

from typing import Any
from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError
from django.test import Client

from touchstone.api.tests.test_api import bearer
from touchstone.conftest import Personas
from touchstone.core.models import Office
from touchstone.surveys.models import Response
from touchstone.surveys.tests.factories import published_survey


def unraised() -> Client:
    """A client that gets the server's answer to an error, as a browser would, instead of the exception."""
    return Client(raise_request_exception=False)


def test_a_nul_in_the_anonymous_survey_form_is_a_400_naming_the_field_and_nothing_is_stored(
    personas: Personas,
) -> None:
    survey = published_survey(personas.agency_a)
    response = unraised().post(
        f"/s/{survey.short_code}/",
        {"page": "0", "satisfaction": "4", "ease": "5", "comment_service": "Quick\x00 and kind."},
    )
    assert response.status_code == 400
    assert "comment_service" in response.content.decode() and "NUL" in response.content.decode()
    assert not Response.objects.filter(survey=survey).exists()


def test_a_nul_in_a_workspace_form_is_a_400_naming_the_field(personas: Personas) -> None:
    client = personas.client(personas.admin_a)
    client.raise_request_exception = False
    response = client.post(f"/manage/{personas.agency_a.slug}/offices/new/", {"name": "North\x00 office"})
    assert response.status_code == 400 and "name" in response.content.decode()


def test_a_nul_in_a_query_parameter_is_a_400(personas: Personas) -> None:
    response = unraised().get("/services/", {"q": "pass\x00port"})
    assert response.status_code == 400 and "q:" in response.content.decode()


def test_a_nul_in_an_api_body_is_a_json_400_naming_the_field(personas: Personas) -> None:
    response = unraised().post(
        "/api/v1/offices", {"name": "North\x00"}, content_type="application/json", **bearer(personas)
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"] == [{"field": "name", "message": mock.ANY}]
    assert not Office.objects.filter(name__startswith="North").exists()


def test_a_nul_in_an_api_path_is_a_json_400(personas: Personas) -> None:
    response = unraised().get("/api/v1/agencies/a%00b", **bearer(personas))
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "path"


@pytest.mark.parametrize("offset", ["18446744073709551616", "9223372036854775808", "-1"])
def test_a_paging_offset_beyond_64_bits_is_a_422(personas: Personas, offset: str) -> None:
    response = unraised().get("/api/v1/offices", {"offset": offset}, **bearer(personas))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "offset"


def test_a_paging_limit_beyond_the_maximum_is_a_422(personas: Personas) -> None:
    response = unraised().get("/api/v1/offices", {"limit": str(2**70)}, **bearer(personas))
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "limit"


@pytest.mark.parametrize(
    ("url", "field"),
    [("/api/v1/offices/{office}", "name"), ("/api/v1/offices/{office}", "city")],
)
def test_a_null_in_a_required_text_field_on_patch_is_a_422_naming_it(
    personas: Personas, url: str, field: str
) -> None:
    response = unraised().patch(
        url.format(office=personas.office_a.pk),
        {field: None},
        content_type="application/json",
        **bearer(personas),
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": field, "message": mock.ANY}]
    assert "null" in response.json()["detail"]
    personas.office_a.refresh_from_db()
    assert personas.office_a.name == "Alpha Field Office"


def test_a_null_in_a_service_patch_is_a_422_but_an_optional_number_may_be_emptied(personas: Personas) -> None:
    from touchstone.catalog.tests.factories import published_service

    item = published_service(personas.agency_a, "Passports", estimated_annual_volume=10)
    client = unraised()
    refused = client.patch(
        f"/api/v1/catalog/services/{item.pk}",
        {"description": None},
        content_type="application/json",
        **bearer(personas),
    )
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "description"
    emptied = client.patch(
        f"/api/v1/catalog/services/{item.pk}",
        {"estimated_annual_volume": None},
        content_type="application/json",
        **bearer(personas),
    )
    assert emptied.status_code == 200 and emptied.json()["estimated_annual_volume"] is None


def test_a_latin_1_upload_to_the_estimate_endpoint_is_a_400_saying_what_to_change(personas: Personas) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = "id,score,comment\n1,4,ok\n2,5,caf\xe9\n".encode("latin-1")
    response = unraised().post(
        "/api/v1/analysis/estimate",
        {"file": SimpleUploadedFile("answers.csv", data, "text/csv"), "mean": "score"},
        **bearer(personas),
    )
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert "UTF-8" in detail and "line 3" in detail and "0xE9" in detail


def test_an_unexpected_api_error_is_a_json_500_without_the_error_text(personas: Personas) -> None:
    with mock.patch("touchstone.core.selectors.offices_of", side_effect=RuntimeError("secret row value")):
        response = unraised().get("/api/v1/offices", **bearer(personas))
    assert response.status_code == 500
    assert response["Content-Type"] == "application/problem+json"
    assert "secret row value" not in response.content.decode()


@pytest.mark.parametrize(
    "error", [OperationalError("server closed the connection"), InterfaceError("closed")]
)
def test_a_database_that_is_away_answers_503_with_retry_after_on_the_api(
    personas: Personas, error: Exception
) -> None:
    with mock.patch("touchstone.core.selectors.offices_of", side_effect=error):
        response = unraised().get("/api/v1/offices", **bearer(personas))
    assert response.status_code == 503 and response["Retry-After"].isdigit()
    assert response["Content-Type"] == "application/problem+json"


def test_a_database_that_is_away_during_a_survey_answer_is_a_503_page_and_keeps_nothing(
    personas: Personas,
) -> None:
    survey = published_survey(personas.agency_a)
    # The database refuses the response's INSERT, the one statement a submission writes.
    with mock.patch(
        "touchstone.surveys.services.insert_response",
        side_effect=OperationalError("the database is shutting down"),
    ):
        response = unraised().post(
            f"/s/{survey.short_code}/",
            {"page": "0", "satisfaction": "4", "ease": "5", "comment_service": "ok"},
        )
    assert response.status_code == 503 and response["Retry-After"].isdigit()
    assert "unavailable" in response.content.decode()
    assert not Response.objects.filter(survey=survey).exists()


def test_a_database_that_is_away_before_any_view_runs_is_a_503_page(personas: Personas) -> None:
    client = personas.client(personas.admin_a)
    client.raise_request_exception = False
    with mock.patch(
        "django.contrib.sessions.backends.db.SessionStore.load", side_effect=OperationalError("gone")
    ):
        response = client.get("/manage/")
    assert response.status_code == 503 and response["Retry-After"].isdigit()


def test_the_nul_refusal_is_in_spanish_on_a_spanish_page(personas: Personas) -> None:
    survey = published_survey(personas.agency_a)
    response = unraised().post(
        f"/es/s/{survey.short_code}/", {"page": "0", "satisfaction": "4", "comment_service": "a\x00b"}
    )
    assert response.status_code == 400
    assert "el texto contiene un carácter NUL" in response.content.decode()


def test_an_api_body_over_the_request_limit_is_a_json_413(personas: Personas, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = unraised().post(
        "/api/v1/offices", {"name": "x" * 4096}, content_type="application/json", **bearer(personas)
    )
    assert response.status_code == 413 and response["Content-Type"] == "application/problem+json"
    assert "at most" in response.json()["detail"]


def test_an_api_query_with_too_many_fields_is_a_json_400(personas: Personas, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    query = "&".join(f"f{number}=1" for number in range(10))
    response = unraised().get(f"/api/v1/offices?{query}", **bearer(personas))
    assert response.status_code == 400 and response["Content-Type"] == "application/problem+json"


@pytest.mark.django_db(transaction=True)
def test_a_database_restart_answers_503_and_the_retry_is_kept_once(personas: Personas) -> None:
    from django.db import close_old_connections, connection

    if connection.vendor != "postgresql":
        pytest.skip("a server connection to end is PostgreSQL's; SQLite has none")
    import psycopg

    headers = bearer(personas)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])  # what a restart does to every connection
    body = {"name": "North office"}
    lost = unraised().post("/api/v1/offices", body, content_type="application/json", **headers)
    assert lost.status_code == 503 and lost["Retry-After"].isdigit()
    close_old_connections()  # what the end of that request does outside the test client: the broken one goes
    kept = unraised().post("/api/v1/offices", body, content_type="application/json", **headers)
    assert kept.status_code == 201
    assert Office.objects.filter(agency=personas.agency_a, name="North office").count() == 1
