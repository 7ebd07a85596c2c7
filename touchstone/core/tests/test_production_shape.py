"""Production's shape, started by `make serve-production` as docs/deploy.md says: several gunicorn workers and
task workers on one database, static files from WhiteNoise, probes, JSON logs, and a SIGTERM that lets the request
and the task in flight finish."""

import contextlib
import json
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings

from touchstone.conftest import new_database

BASE_DIR = Path(settings.BASE_DIR)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def production_environment(folder: Path, port: int, database_url: str) -> dict[str, str]:
    unset = {
        "DEBUG",
        "TOUCHSTONE_TESTING",
        "SECRET_KEY",
        "DATABASE_URL",
        "TASKS_BACKEND",
        "CACHE_URL",
        "REDIS_URL",
    }
    env = {key: value for key, value in os.environ.items() if key not in unset}
    env.update(
        SECRET_KEY="production-shape-test-" + "k" * 40,
        ALLOWED_HOSTS="127.0.0.1",
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        SECURE_SSL_REDIRECT="false",
        DATABASE_URL=database_url,
        STATIC_ROOT=str(folder / "static"),
        TRANSACTION_STORE=str(folder / "transactions"),
        MEDIA_ROOT=str(folder / "media"),
        BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="2",
        TASK_WORKERS="2",
        WSGI_APP="touchstone.core.tests.production_probe:application",
        STATIC_COMPRESS="false",  # gzip and brotli copies of every file would take minutes on a busy machine
    )
    return env


def get(url: str, host: str | None = None, timeout: float = 30) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Host": host} if host else {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310  (loopback only)
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def wait_for(condition: object, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if condition():  # type: ignore[operator]
                return
        except OSError:
            pass
        time.sleep(0.25)
    raise AssertionError(f"waited {seconds} s for {what}")


def group_commands(group: int) -> list[str]:
    """The command lines of every process in a process group (from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == group:
                found.append((stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode())
        except (OSError, IndexError, ValueError):
            continue
    return found


@dataclass
class Installation:
    url: str
    folder: Path
    make: subprocess.Popen[bytes]
    log: Path


@pytest.fixture(scope="module")
def production(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installation]:
    """`make serve-production` on its own database (PostgreSQL when the tests run on it) and loopback port."""
    folder = tmp_path_factory.mktemp("production")
    port = free_port()
    log = folder / "serve.log"
    with new_database(folder, "production") as database_url, log.open("wb") as output:
        make = subprocess.Popen(
            ["make", "--no-print-directory", "serve-production"],
            cwd=BASE_DIR,
            env=production_environment(folder, port, database_url),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        installation = Installation(f"http://127.0.0.1:{port}", folder, make, log)
        try:

            def ready() -> bool:
                if make.poll() is not None:
                    raise AssertionError(f"make serve-production stopped:\n{log.read_text()[-3000:]}")
                return get(installation.url + "/readyz", timeout=5)[0] == 200

            wait_for(ready, 240, "/readyz to answer 200")
            yield installation
        finally:
            if make.poll() is None or group_commands(make.pid):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(make.pid, signal.SIGKILL)
                make.wait()


def test_every_part_answers_ready(production: Installation) -> None:
    status, body = get(production.url + "/readyz")
    assert status == 200
    assert json.loads(body) == {
        "status": "ready",
        "checks": {"database": "ok", "cache": "ok", "transaction_store": "ok"},
    }


def test_the_liveness_probe_answers_whatever_host_a_balancer_names(production: Installation) -> None:
    status, body = get(production.url + "/healthz", host="10.1.2.3")
    assert (status, json.loads(body)) == (200, {"status": "alive"})
    assert get(production.url + "/", host="10.1.2.3")[0] == 400


def test_static_files_are_served_by_whitenoise(production: Installation) -> None:
    status, body = get(production.url + "/static/touchstone/css/site.css")
    assert status == 200
    assert body == (BASE_DIR / "static" / "touchstone" / "css" / "site.css").read_bytes()


def test_several_web_and_task_workers_run(production: Installation) -> None:
    programs = [
        c for c in group_commands(production.make.pid) if not c.startswith(("/bin/bash", "/bin/sh", "make"))
    ]
    assert sum("gunicorn" in c for c in programs) == 3  # the arbiter and two workers
    assert sum("db_worker" in c for c in programs) == 2
    assert sum("run_schedule" in c for c in programs) == 1


def test_logs_are_json_lines_without_request_query_strings(production: Installation) -> None:
    get(production.url + "/sign-in/?next=/manage/&resume=secret-resume-code")
    time.sleep(0.5)
    lines = [line for line in production.log.read_text().splitlines() if line.startswith("{")]
    records = [json.loads(line) for line in lines]
    assert any(r["logger"] == "gunicorn.access" and "/sign-in/" in r["message"] for r in records)
    assert "secret-resume-code" not in production.log.read_text()


def test_sigterm_lets_the_request_and_the_task_in_flight_finish(production: Installation) -> None:
    task_marker = production.folder / "task-done"
    request_marker = production.folder / "request"
    assert get(f"{production.url}/probe/enqueue?marker={task_marker}")[0] == 200
    wait_for(lambda: Path(f"{task_marker}.started").exists(), 60, "a task worker to start the task")
    answers: list[tuple[int, bytes]] = []
    request = threading.Thread(
        target=lambda: answers.append(get(f"{production.url}/probe/slow?marker={request_marker}"))
    )
    request.start()
    wait_for(lambda: Path(f"{request_marker}.started").exists(), 30, "gunicorn to start the slow request")

    production.make.send_signal(signal.SIGTERM)  # as a service manager stops it; make passes it on and exits
    request.join(60)
    production.make.wait(60)
    wait_for(lambda: group_commands(production.make.pid) == [], 60, "every process to exit")
    assert answers == [(200, b"finished")]
    assert task_marker.read_text() == "finished"
