"""A database restart under load answers 503 with Retry-After and loses nothing: the project served by gunicorn
(two workers with threads, connections kept between requests as in production) takes survey answers and
complaints through the API from several clients while every connection to its database is ended, again and again,
as a PostgreSQL restart ends them. No answer is a server error; every acknowledged submission is stored exactly
once, and so is every one a client sent again after a 503, as a well-behaved client honouring Retry-After does."""

import http.client
import json
import os
import socket
import subprocess
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from touchstone.api.tests.test_api import bearer
from touchstone.complaints.models import Case
from touchstone.complaints.selectors import settings_of
from touchstone.conftest import Personas
from touchstone.surveys.models import Response
from touchstone.surveys.tests.factories import published_survey

ROOT = Path(__file__).resolve().parents[3]
LOAD_SECONDS = 4.0
CLIENTS = 6
RESTARTS = 8
RETRIES_AFTER_503 = 3
DATABASE_CACHE = "django.core.cache.backends.db.DatabaseCache"
SURVEY_ANSWERS = {"satisfaction": 4, "ease": 5, "comment_service": "Quick and kind."}
COMPLAINT = {
    "narrative": "I applied online in March and have heard nothing. The phone line hangs up after an hour.",
    "channel": "website",
    "remedy_wanted": "A decision on my application.",
    "contact_preference": "email",
    "contact_email": "customer@example.com",
}


@dataclass
class Sent:
    """What the clients saw: every status and every 503's Retry-After, and the keys each kind acknowledged."""

    statuses: Counter[int] = field(default_factory=Counter)
    retry_afters: list[str] = field(default_factory=list)
    acknowledged: dict[str, list[str]] = field(default_factory=lambda: {"survey": [], "complaint": []})
    dropped: list[str] = field(default_factory=list)  # requests that got no answer at all
    retried: list[str] = field(default_factory=list)  # keys sent again after a 503
    unanswered: dict[str, list[str]] = field(default_factory=lambda: {"survey": [], "complaint": []})
    lock: threading.Lock = field(default_factory=threading.Lock)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_gunicorn(port: int, log: IO[bytes]) -> subprocess.Popen[bytes]:
    """The project as production serves it (DEBUG off, connections kept), on the test database."""
    database = connection.settings_dict
    address = f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}"
    env = {
        **os.environ,
        "DATABASE_URL": f"{address}/{database['NAME']}",
        "SECRET_KEY": "restart-test-" + uuid.uuid4().hex,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DEBUG": "false",
        "TOUCHSTONE_TESTING": "false",
        "SECURE_SSL_REDIRECT": "false",  # TLS ends at the proxy in production; here it is plain loopback
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        # One address sends everything here; the limits would be measured, not the restart.
        "SURVEY_SUBMISSIONS_PER_MINUTE": "100000000",
        "COMPLAINT_FILINGS_PER_MINUTE": "100000000",
        "COMPLAINT_API_FILINGS_PER_MINUTE": "100000000",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "LOG_LEVEL": "ERROR",  # a server error names its kind and place in the log
        "PYTHONWARNINGS": "ignore",
        "DJANGO_SETTINGS_MODULE": "touchstone.settings",
    }
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = str(database["PASSWORD"])
    server = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "touchstone.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--worker-class",
            "gthread",
            "--threads",
            "4",
            "--keep-alive",
            "30",
            "--log-level",
            "critical",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            probe = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            probe.request("GET", "/api/v1/openapi.json")
            probe.getresponse().read()
            return server
        except OSError:
            if server.poll() is not None:
                break
            time.sleep(0.2)
    server.terminate()
    server.wait(10)
    raise AssertionError("gunicorn did not start within 30 s")


def restart_database(stop: threading.Event, ended: list[int]) -> None:
    """End every connection to the test database but this one, as a restart does, a few times during the load."""
    import psycopg

    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as own:
        for _round in range(RESTARTS):
            if stop.wait(LOAD_SECONDS / (RESTARTS + 1)):
                return
            rows = own.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            ).fetchall()
            ended.append(sum(1 for (done,) in rows if done))


def drive(port: int, number: int, kind: str, path: str, body: bytes, secret: str, sent: Sent) -> None:
    """One client sending submissions, each under its own Idempotency-Key, for LOAD_SECONDS; a 503 is sent again
    with the same key after its Retry-After (capped short here) at most RETRIES_AFTER_503 times."""
    client = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    stop = time.monotonic() + LOAD_SECONDS
    while time.monotonic() < stop:
        key = f"restart-{kind}-{number}-{uuid.uuid4().hex}"
        headers = {
            "Authorization": f"Bearer {secret}",
            "Content-Type": "application/json",
            "Idempotency-Key": key,
            "Connection": "keep-alive",
        }
        for attempt in range(1 + RETRIES_AFTER_503):
            try:
                client.request("POST", path, body=body, headers=headers)
                answer = client.getresponse()
                answer.read()
            except OSError as error:  # a connection dropped without an answer is a failure too
                with sent.lock:
                    sent.dropped.append(f"{type(error).__name__}: {error}")
                return
            with sent.lock:
                sent.statuses[answer.status] += 1
                if answer.status == 503:
                    sent.retry_afters.append(answer.headers.get("Retry-After", ""))
            if answer.status != 503:
                break
            if attempt == 0:
                with sent.lock:
                    sent.retried.append(key)
            time.sleep(0.05)  # Retry-After says 30 s; a test cannot wait that long
        with sent.lock:
            if 200 <= answer.status < 300:
                sent.acknowledged[kind].append(key)
            else:
                sent.unanswered[kind].append(key)
    client.close()


@pytest.mark.django_db(transaction=True)
def test_a_database_restart_under_load_answers_503_and_loses_nothing(
    personas: Personas, tmp_path: Path
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("ending the database's connections under load needs PostgreSQL (make test-postgres)")

    # The server keeps rate-limit counters in the database cache, as production without Redis does; the test settings
    # use memory, so the migration that makes its table made none here.
    with override_settings(CACHES={"default": {"BACKEND": DATABASE_CACHE, "LOCATION": settings.CACHE_TABLE}}):
        call_command("createcachetable", verbosity=0)
    survey = published_survey(personas.agency_a)
    settings_of(personas.agency_a)  # a configured complaint desk
    secret = bearer(personas, scopes=("submit",))["HTTP_AUTHORIZATION"].removeprefix("Bearer ")
    connection.close()  # the server's connections are the ones a restart ends; the test's own is made anew after

    port = free_port()
    log_path = tmp_path / "gunicorn.log"
    log = log_path.open("wb")
    server = start_gunicorn(port, log)
    sent = Sent()
    ended: list[int] = []
    stop = threading.Event()
    try:
        survey_body = json.dumps({"answers": SURVEY_ANSWERS, "channel": "mobile_app"}).encode()
        complaint_body = json.dumps(COMPLAINT).encode()
        clients = [
            threading.Thread(
                target=drive,
                args=(
                    port,
                    number,
                    "survey",
                    f"/api/v1/surveys/{survey.pk}/responses",
                    survey_body,
                    secret,
                    sent,
                )
                if number % 2 == 0
                else (port, number, "complaint", "/api/v1/complaints", complaint_body, secret, sent),
            )
            for number in range(CLIENTS)
        ]
        restarter = threading.Thread(target=restart_database, args=(stop, ended))
        for thread in [*clients, restarter]:
            thread.start()
        for thread in clients:
            thread.join(60)
        stop.set()
        restarter.join(10)
    finally:
        server.terminate()
        server.wait(10)
        log.close()
    connection.close()  # the test's connection was ended with the rest

    assert sum(ended) > 0, "no connection was ended: the restart did not happen"
    assert not sent.dropped, sent.dropped
    errors = [line for line in log_path.read_text().splitlines() if "Service Unavailable" not in line]
    assert set(sent.statuses) <= {200, 201, 503}, (
        f"answers other than 2xx and 503: {sent.statuses}; {errors[:6]}"
    )
    assert sent.statuses[201] > 0 and sent.statuses[503] > 0, (
        sent.statuses
    )  # the restart was felt mid-request
    assert all(value.isdigit() for value in sent.retry_afters), sent.retry_afters
    assert not sent.unanswered["survey"] and not sent.unanswered["complaint"], "a 503 outlasted its retries"

    stored_responses = Counter(
        Response.objects.filter(survey=survey).values_list("idempotency_key", flat=True)
    )
    assert stored_responses == Counter(sent.acknowledged["survey"])  # each acknowledged answer once, no other
    stored_cases = Counter(
        Case.objects.filter(agency=personas.agency_a).values_list("idempotency_key", flat=True)
    )
    assert stored_cases == Counter(sent.acknowledged["complaint"])
    stored = stored_responses + stored_cases
    assert sent.retried and all(stored[key] == 1 for key in sent.retried)  # sent again after a 503: kept once
