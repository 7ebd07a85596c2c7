"""Scaled out, the task queue lives in Redis (RQ): a task enqueued by one process is run by an RQ worker, and a
worker stopped with SIGTERM finishes the task it holds. Redis database 7 at 127.0.0.1:6379, emptied for the test."""

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
REDIS_URL = os.environ.get("TOUCHSTONE_TEST_REDIS_URL", "redis://127.0.0.1:6379/7")
ENQUEUE = (
    "import sys, django; django.setup(); "
    "from touchstone.core.tests.production_probe import pause_then_mark; pause_then_mark.enqueue(sys.argv[1])"
)


@pytest.fixture
def rq_environment(tmp_path: Path) -> Iterator[dict[str, str]]:
    pytest.importorskip("django_tasks_rq", reason="the RQ extra is not installed: pip install -e '.[rq]'")
    import redis

    connection = redis.Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except redis.RedisError:
        pytest.skip(f"Redis is not answering at {REDIS_URL}")
    connection.flushdb()
    env = {k: v for k, v in os.environ.items() if k not in {"TOUCHSTONE_TESTING", "DATABASE_URL"}}
    env.update(
        DEBUG="true",
        TOUCHSTONE_ENV_FILE="",
        SECRET_KEY="rq-test-" + "q" * 40,
        DATABASE_URL=f"sqlite:///{tmp_path / 'rq.sqlite3'}",
        TASKS_BACKEND="django_tasks_rq.RQBackend",
        TASKS_REDIS_URL=REDIS_URL,
        DJANGO_SETTINGS_MODULE="touchstone.settings",
    )
    yield env
    connection.flushdb()


def wait_for(path: Path, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert time.monotonic() < deadline, f"waited {seconds} s for {path.name}"
        time.sleep(0.2)


def test_an_rq_worker_stopped_with_sigterm_finishes_the_task_it_holds(
    rq_environment: dict[str, str], tmp_path: Path
) -> None:
    marker = tmp_path / "task-done"
    enqueued = subprocess.run(
        [sys.executable, "-c", ENQUEUE, str(marker)],
        cwd=BASE_DIR,
        env=rq_environment,
        capture_output=True,
        text=True,
    )
    assert enqueued.returncode == 0, enqueued.stderr
    with (tmp_path / "worker.log").open("wb") as log:
        worker = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "rqworker",
                "default",
                "--with-scheduler",
                "--job-class",
                "django_tasks_rq.Job",
            ],
            cwd=BASE_DIR,
            env=rq_environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its scheduler and work horse are children: stopped with it below
        )
    try:
        wait_for(Path(f"{marker}.started"), 60)
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(60) == 0
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(worker.pid, signal.SIGKILL)
    assert marker.read_text() == "finished", (tmp_path / "worker.log").read_text()[-2000:]
