"""Schemathesis over the whole OpenAPI schema, in-process against the Django app with an agency's token: no
operation answers with a server error, a status code its schema does not document, or a body, content type or
header that breaks its schema. Bounded (MAX_EXAMPLES per operation) so that it runs in `make test`.

Runs on whichever database the suite runs on (SQLite and PostgreSQL in `make test`), with valid and invalid requests.
Two of Schemathesis's checks are left out. `positive_data_acceptance` expects every schema-valid body to be accepted,
while the domain refuses some (a repeated office name, a time zone that does not exist) with documented 409 and 422
answers. `negative_data_rejection` counts a query parameter the schema does not name as invalid, while the API, like
most, ignores one; and it strips the token this test must send. Invalid requests are still held to every other check:
no server error, and only documented status codes, content types, bodies and headers.
"""

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections

from touchstone.api.openapi import ERROR_ANSWERS
from touchstone.api.tests.test_api import bearer
from touchstone.catalog.tests.factories import published_service
from touchstone.conftest import Personas

MAX_EXAMPLES = 40


def test_every_operation_documents_its_error_answers(personas: Personas) -> None:
    from django.test import Client

    schema = Client().get("/api/v1/openapi.json").json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            answers = set(operation["responses"])
            assert {"400", "404", "422", "503"} <= answers, f"{method} {path}"
            if operation.get("security"):
                assert {"401", "403"} <= answers, f"{method} {path}"
            assert answers <= {"200", "201", "202", "204", *ERROR_ANSWERS}, f"{method} {path}"


def test_the_api_keeps_to_its_openapi_schema(personas: Personas) -> None:
    import schemathesis

    published_service(personas.agency_a, "Passports")  # something for the lists to hold
    headers = {"Authorization": bearer(personas)["HTTP_AUTHORIZATION"]}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    operations, failures = conformance_failures(schema, headers, MAX_EXAMPLES)
    assert operations >= 30
    assert not failures, "\n\n".join(failures)


def conformance_failures(schema: Any, headers: dict[str, str], max_examples: int) -> tuple[int, list[str]]:
    """Every operation of `schema` (in-process, or a live server's), sent valid and invalid requests: how many
    operations, and each one's failures. Also run against the production shape (core/tests/test_production_shape)."""
    from hypothesis import HealthCheck, Phase, given, settings
    from schemathesis import GenerationMode
    from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        # Valid requests and invalid ones (which must be refused with a documented 4xx).
        @given(
            case=operation.as_strategy(GenerationMode.POSITIVE)
            | operation.as_strategy(GenerationMode.NEGATIVE)
        )
        @settings(
            max_examples=max_examples,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
            phases=[Phase.explicit, Phase.generate],
        )
        def call(case: Any) -> None:
            case.call_and_validate(
                headers=headers, excluded_checks=[positive_data_acceptance, negative_data_rejection]
            )

        try:
            call()
        except (
            Exception
        ) as failure:  # Schemathesis groups every distinct failure of an operation in one error
            failures.append(f"{operation.label}: {str(failure)[:2000]}")
    return operations, failures


@pytest.fixture(autouse=True)
def uploads(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def one_connection() -> Iterator[None]:
    """As Django's test client does: the WSGI handler must not close the connection that holds the test's
    transaction (it closes one not in autocommit at each request's start and end)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
