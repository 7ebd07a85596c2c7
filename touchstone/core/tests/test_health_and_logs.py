"""Probes answer before anything else, and JSON log lines keep nothing personal."""

import json
import logging

import pytest
from django.test import Client

from touchstone.core import health
from touchstone.core.logs import JsonFormatter
from touchstone.core.redaction import RedactSecrets

NARRATIVE = "My landlord Jane Doe at 12 Elm Street kept my deposit"


def test_liveness_answers_without_the_database() -> None:
    response = Client().get("/healthz")  # no django_db mark: touching the database would raise
    assert response.status_code == 200
    assert response.json() == {"status": "alive"}
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_readiness_checks_the_database_the_cache_and_the_transaction_store() -> None:
    response = Client().get("/readyz/")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "cache": "ok", "transaction_store": "ok"}


@pytest.mark.django_db
def test_readiness_names_the_failing_part_without_its_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse() -> None:
        raise ConnectionRefusedError("secret-host.internal:5432 refused")

    monkeypatch.setitem(health.CHECKS, "cache", refuse)
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "not ready",
        "checks": {"database": "ok", "cache": "failing: ConnectionRefusedError", "transaction_store": "ok"},
    }
    assert b"secret-host" not in response.content


def test_probes_answer_whatever_host_a_load_balancer_names() -> None:
    assert Client(HTTP_HOST="10.9.8.7").get("/healthz").status_code == 200
    assert Client(HTTP_HOST="10.9.8.7").get("/").status_code == 400


def format_line(record: logging.LogRecord) -> str:
    RedactSecrets().filter(record)
    return JsonFormatter().format(record)


def record(message: str, *args: object, **extra: object) -> logging.LogRecord:
    made = logging.LogRecord("touchstone.complaints", logging.ERROR, __file__, 1, message, args, None)
    made.__dict__.update(extra)
    return made


def test_a_log_record_is_one_json_line_with_its_level_logger_and_message() -> None:
    line = format_line(record("Routing failed for case %s\non two lines", "CMP-2026-000123"))
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "ERROR"
    assert entry["logger"] == "touchstone.complaints"
    assert entry["message"] == "Routing failed for case CMP-2026-000123\non two lines"


def test_a_narrative_carried_by_a_record_is_not_written() -> None:
    line = format_line(record("Case filed", narrative=NARRATIVE, request=object(), status_code=500))
    assert NARRATIVE not in line
    assert json.loads(line)["status_code"] == 500


def test_an_exception_is_written_as_its_type_and_stack_never_its_message() -> None:
    try:
        raise ValueError(f"DETAIL: Key (narrative)=({NARRATIVE}) already exists.")
    except ValueError:
        import sys

        failing = record("Intake failed")
        failing.exc_info = sys.exc_info()
    entry = json.loads(format_line(failing))
    assert entry["exception"] == "ValueError"
    assert any("raise ValueError" in frame for frame in entry["stack"])
    assert NARRATIVE not in json.dumps(entry)


def test_access_links_and_addresses_are_withheld_from_json_lines() -> None:
    line = format_line(record("Sent %s to %s", "/password-reset/MQ/abc-123/", "jane.doe@example.com"))
    assert "abc-123" not in line
    assert "jane.doe@example.com" not in line
