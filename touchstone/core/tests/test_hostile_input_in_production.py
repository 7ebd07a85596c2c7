"""The hostile-input checks of the security issue, run again against the production shape: the project served by
gunicorn with several worker processes and a separate task worker (`manage.py db_worker`), DEBUG off, the
production settings, on the test's PostgreSQL database and an S3-compatible object store (SeaweedFS, started by the
test run: conftest.object_store) holding every process's transactions, attachments and uploaded files. The task
worker keeps its own cache of the transaction store, as a worker on another machine does.

- Schemathesis over the whole API (fewer examples per operation than in-process, test_schema_conformance.py);
- hostile import files through the API, finished by the task worker in its own process (test_import_fuzz.py);
- the authorization matrix, by GET, over real session cookies (test_authorization_matrix.py);
- complaint attachments through the public form, and transactions through the API, found in the bucket afterwards,
  while a refused import leaves nothing there (its uploaded file is deleted once its run ends);
- and the servers' own output at DEBUG, read afterwards: no narrative, answer, email address, object store
  credential or server error in it.

PostgreSQL only (several processes on one SQLite file is not a shape anyone deploys); marked `production_shape`,
so `make test` runs it with the PostgreSQL suite, and `-m "not production_shape"` leaves it out. Alone:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/touchstone TOUCHSTONE_TESTING=true \\
        .venv/bin/pytest -m production_shape touchstone/core/tests/test_hostile_input_in_production.py
"""

import io
import os
import re
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client

from touchstone.api.tests.test_schema_conformance import conformance_failures
from touchstone.catalog.tests.factories import published_service
from touchstone.complaints.models import Case, CaseAttachment
from touchstone.conftest import Personas, object_store_environment, object_store_keys
from touchstone.core import services as core_services
from touchstone.core.importing import IMPORTERS
from touchstone.core.models import Agency, ImportRun, User
from touchstone.core.tests.authorization import workspace_objects, workspace_urls
from touchstone.core.tests.test_authorization_matrix import EVERY, INSTALLATION_PAGES, POLICY
from touchstone.core.tests.test_import_fuzz import csv_cases, document_cases
from touchstone.standards import store
from touchstone.surveys.tests.factories import published_survey

pytestmark = pytest.mark.production_shape
ROOT = Path(__file__).resolve().parents[3]
WORKERS = 3
MAX_EXAMPLES = 8
NARRATIVE = "Narrative-marker: the office lost my file twice"
ANSWER = "Answer-marker: quick and kind at the counter"
CUSTOMER = "shape.test.customer@example.com"
ATTACHMENT = "Attachment-marker: the receipt for my renewal fee"


@dataclass
class Shape:
    url: str
    log: Path

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]

    def get(self, path: str, **headers: str) -> requests.Response:
        return requests.get(self.url + path, headers=headers, allow_redirects=False, timeout=120)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return requests.post(self.url + path, allow_redirects=False, timeout=120, **kwargs)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def production_shape(
    transactional_db: Any, tmp_path: Path, object_store: str, settings: Any
) -> Iterator[Shape]:
    # object_store before settings: the changes made through `settings` are undone first, then the object store's.
    if connection.vendor != "postgresql":
        pytest.skip("the production shape runs on PostgreSQL; set DATABASE_URL=postgres://...")
    # One secret for this process and the servers: the sessions signed in here are valid there.
    settings.SECRET_KEY = secrets.token_urlsafe(50)
    settings.MEDIA_ROOT = tmp_path / "media"
    # Production keeps rate-limit counters in a database table; the test settings' in-memory cache made none.
    from django.core.management.commands.createcachetable import Command as CreateCacheTable

    creator = CreateCacheTable()
    creator.verbosity = 0
    creator.create_table("default", settings.CACHE_TABLE, dry_run=False)
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "DJANGO_SETTINGS_MODULE": "touchstone.core.tests.live_settings",
        "TOUCHSTONE_TESTING": "false",
        "DEBUG": "false",
        "SECRET_KEY": settings.SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",  # TLS ends at the proxy in production; here it is plain loopback
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "TRANSACTION_STORE": str(settings.TRANSACTION_STORE),
        "LOG_LEVEL": "DEBUG",
        "PYTHONWARNINGS": "ignore:No directory at",
        **object_store_environment(),
    }
    log = tmp_path / "servers.log"
    output = log.open("ab")
    servers = [
        subprocess.Popen(  # noqa: S603 - our own servers, fixed arguments
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "touchstone.wsgi:application",
                *("--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS), "--worker-class", "gthread"),
                *("--threads", "2", "--timeout", "120"),
            ],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        ),
        subprocess.Popen(  # noqa: S603
            [sys.executable, "manage.py", "db_worker", "--interval", "0.2"],
            cwd=ROOT,
            # Its own cache of the transaction store: what it reads of the web servers' loads comes from the bucket.
            env={**env, "TRANSACTION_STORE": str(tmp_path / "worker-transactions")},
            stdout=output,
            stderr=subprocess.STDOUT,
        ),
    ]
    shape = Shape(f"http://127.0.0.1:{port}", log)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if shape.get("/sign-in/").status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not answer within 120 s:\n{log.read_text()[-3000:]}")
            time.sleep(0.5)
        yield shape
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        output.close()


def assert_quiet_log(shape: Shape) -> None:
    logged = shape.log.read_text(errors="replace")
    for secret in (NARRATIVE, ANSWER, CUSTOMER, ATTACHMENT):
        assert secret not in logged
    # The object store's client narrates every signed request and its answer at DEBUG: none of it may be written.
    for signed in ("Credential=", "X-Amz-Signature", "X-Amz-Content-Sha256"):
        assert signed not in logged, logged[logged.index(signed) - 500 :][:1000]
    # A refused request is logged with its traceback at DEBUG; a server error would be "Internal Server Error".
    assert "Internal Server Error" not in logged, logged[logged.index("Internal Server Error") :][:3000]


def finished_runs(shape: Shape, headers: dict[str, str], run_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Each import run as it ended, once the task worker process has finished them all (within 240 s)."""
    deadline = time.monotonic() + 240
    ended: dict[int, dict[str, Any]] = {}
    while len(ended) < len(run_ids) and time.monotonic() < deadline:
        time.sleep(1)
        for run_id in set(run_ids) - set(ended):
            run = shape.get(f"/api/v1/imports/runs/{run_id}", **headers).json()
            if run["status"] not in ("queued", "running"):
                ended[run_id] = run
    assert len(ended) == len(run_ids), f"imports the task worker did not finish within 240 s: {run_ids}"
    return ended


def settled(shape: Shape) -> None:
    """Wait until the task worker has ended every import queued so far (schemathesis starts some of its own)."""
    deadline = time.monotonic() + 240
    while ImportRun.objects.filter(finished_at__isnull=True).exists():
        assert time.monotonic() < deadline, f"imports still unfinished after 240 s:\n{shape.tail()}"
        time.sleep(1)


def file_complaint_with(shape: Shape, agency: Agency, name: str, data: bytes) -> requests.Response:
    """The public complaint form, as a browser sends it: its CSRF cookie and token, and one attached file."""
    form = f"/agencies/{agency.slug}/complaints/new/"
    page = shape.get(form)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert page.status_code == 200 and token, page.status_code
    return shape.post(
        form,
        data={
            "csrfmiddlewaretoken": token.group(1),
            "narrative": NARRATIVE,
            "contact_preference": "email",
            "contact_email": CUSTOMER,
        },
        files=[("attachments", (name, data))],
        # The cookie is marked Secure (production sends it only over TLS); this loopback is plain HTTP.
        headers={"Cookie": f"{settings.CSRF_COOKIE_NAME}={page.cookies[settings.CSRF_COOKIE_NAME]}"},
    )


def test_files_from_several_processes_go_to_the_object_store_and_a_refused_one_leaves_nothing(
    personas: Personas, production_shape: Shape
) -> None:
    agency = personas.agency_a
    published_service(agency, "Passports", slug="passports")
    _token, secret = core_services.create_api_token(
        actor=personas.admin_a, agency=agency, name="shape", scopes=["read", "write"]
    )
    headers = {"Authorization": f"Bearer {secret}"}

    # A complaint's attachment, received by one of the gunicorn workers, is kept in the bucket, not on its disk.
    refused = file_complaint_with(production_shape, agency, "receipt.pdf", b"MZ\x90\x00 not a PDF at all")
    assert refused.status_code == 200 and "is not a PDF, PNG, JPEG or plain text file" in refused.text
    assert not Case.objects.exists() and object_store_keys("media") == []
    filed = file_complaint_with(production_shape, agency, "receipt.txt", ATTACHMENT.encode())
    assert filed.status_code == 302, production_shape.tail()
    (attachment,) = CaseAttachment.objects.filter(case__agency=agency)
    assert object_store_keys("media") == [attachment.file.name]
    with attachment.file.open("rb") as kept:
        assert kept.read() == ATTACHMENT.encode()
    assert not (Path(settings.MEDIA_ROOT) / attachment.file.name).exists()

    # Transactions sent to a web process are written to the bucket; the task worker, whose own cache is empty,
    # reads them from there when a file it loads updates one of them.
    sent = production_shape.post(
        "/api/v1/transactions/batch",
        json={
            "transactions": [
                {"external_id": f"t{n}", "service": "passports", "channel": "website", "started_at": started}
                for n, started in ((1, "2025-03-03T09:00:00"), (2, "2025-03-04T09:00:00"))
            ]
        },
        headers=headers,
    )
    assert sent.status_code == 200 and sent.json()["created"] == 2, sent.text
    (written,) = object_store_keys("transactions")
    assert written.startswith(f"{agency.pk}/") and written.endswith(".parquet")
    update = b"external_id,service,channel,started_at,ended_at\nt2,passports,website,2025-03-04 09:00,2025-03-06 09:00\nt3,passports,website,2025-03-05 09:00,\n"
    started = production_shape.post(
        "/api/v1/imports/transactions", files={"file": ("more.csv", update)}, headers=headers
    )
    assert started.status_code == 202, started.text
    (loaded,) = finished_runs(production_shape, headers, [started.json()["id"]]).values()
    assert loaded["status"] == "succeeded", loaded
    assert (loaded["summary"]["created"], loaded["summary"]["updated"]) == (1, 1)
    assert store.transaction_count(agency) == 3

    # Hostile files of every kind the token may send: each is refused, and nothing of it stays in the bucket.
    held = {folder: object_store_keys(folder) for folder in ("transactions", "media")}
    runs = []
    for kind, importer in sorted(IMPORTERS.items()):
        if not importer.needs_agency:
            continue
        cases = list(document_cases(kind)) or list(csv_cases(kind))
        for case in (cases[0], cases[-1]):
            sent = production_shape.post(
                f"/api/v1/imports/{kind}", files={"file": (case.file_name, case.data)}, headers=headers
            )
            assert sent.status_code in (202, 413, 422), (
                f"{kind} {case.name}: {sent.status_code} {sent.text[:300]}"
            )
            if sent.status_code == 202:
                runs.append(sent.json()["id"])
    assert runs
    for run in finished_runs(production_shape, headers, runs).values():
        assert run["status"] == "failed" and run["errors"], run
    assert {folder: object_store_keys(folder) for folder in held} == held
    assert object_store_keys("imports") == []
    assert store.transaction_count(agency) == 3
    assert_quiet_log(production_shape)


def test_the_api_keeps_to_its_schema_across_processes(personas: Personas, production_shape: Shape) -> None:
    import schemathesis

    published_service(personas.agency_a, "Passports")
    _token, secret = core_services.create_api_token(
        actor=personas.admin_a, agency=personas.agency_a, name="shape", scopes=["read", "write", "submit"]
    )
    headers = {"Authorization": f"Bearer {secret}"}

    # What must never reach a log: a complaint's narrative and address, a survey answer.
    filed = production_shape.post(
        "/api/v1/complaints",
        json={"narrative": NARRATIVE, "contact_email": CUSTOMER, "channel": "website"},
        headers={**headers, "Idempotency-Key": "shape-complaint-1"},
    )
    assert filed.status_code == 201, production_shape.tail()
    survey = published_survey(personas.agency_a)
    answered = production_shape.post(
        f"/api/v1/surveys/{survey.pk}/responses",
        json={"answers": {"satisfaction": 4, "comment_service": ANSWER}},
        headers={**headers, "Idempotency-Key": "shape-response-1"},
    )
    assert answered.status_code == 201, production_shape.tail()

    schema = schemathesis.openapi.from_url(f"{production_shape.url}/api/v1/openapi.json")
    operations, failures = conformance_failures(schema, headers, MAX_EXAMPLES)
    assert operations >= 30
    assert not failures, "\n\n".join(failures)
    settled(production_shape)
    assert object_store_keys("imports") == []  # whatever schemathesis sent was deleted once its run ended
    assert_quiet_log(production_shape)


@pytest.fixture
def demo(production_shape: Shape) -> dict[str, Any]:
    """Loaded once the servers run, so its files land in the store they read (settings.MEDIA_ROOT)."""
    call_command("load_demo", stdout=io.StringIO())
    own, other = Agency.objects.get(abbreviation="BA"), Agency.objects.get(abbreviation="LPS")
    return {"own": own, "other": other, "values": workspace_objects(own)}


def session_of(username: str) -> dict[str, str]:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return {"Cookie": f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"}


def test_every_workspace_url_answers_each_role_as_its_policy_says_across_processes(
    production_shape: Shape, demo: dict[str, Any]
) -> None:
    """By GET (a POST from outside carries no CSRF token and is refused before any view): for each URL one role
    allowed, one refused, and staff of another agency, who must get 404."""
    sessions = {role: session_of(role) for role in EVERY}
    stranger = session_of("permits-admin")
    wrong = []
    for url in sorted(workspace_urls(), key=lambda u: u.name):
        if url.name in INSTALLATION_PAGES:
            continue
        path = url.path(demo["values"])
        allowed, post_only = POLICY[url.name]
        refused = sorted(EVERY - allowed)
        checks = [(sorted(allowed)[0], {405} if post_only else {200, 302})] if allowed else []
        checks += [(refused[0], {403, 405} if post_only else {403})] if refused else []
        for role, expected in checks:
            got = production_shape.get(path, **sessions[role]).status_code
            if got not in expected:
                wrong.append(f"{url.name}: {role} got {got}, expected {sorted(expected)}")
        got = production_shape.get(path, **stranger).status_code
        if got not in ({404, 405} if post_only else {404}):
            wrong.append(f"{url.name}: another agency's admin got {got}, expected 404")
    assert wrong == [], "\n".join(wrong)
    assert_quiet_log(production_shape)
