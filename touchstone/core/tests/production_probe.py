"""The real application behind gunicorn, with two probes the production-shape test stops the processes during:
`/probe/slow` answers after PAUSE seconds, and `/probe/enqueue` queues a task that takes as long."""

import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from django.db import close_old_connections
from django.tasks import task

from touchstone.wsgi import application as touchstone_application

PAUSE = 4.0


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    path = environ.get("PATH_INFO", "")
    if path not in ("/probe/slow", "/probe/enqueue"):
        return touchstone_application(environ, start_response)
    marker = parse_qs(environ.get("QUERY_STRING", ""))["marker"][0]
    if path == "/probe/slow":
        Path(f"{marker}.started").touch()
        time.sleep(PAUSE)
    else:
        close_old_connections()
        pause_then_mark.enqueue(marker)
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"finished"]


@task()
def pause_then_mark(marker: str) -> None:
    Path(f"{marker}.started").touch()
    time.sleep(PAUSE)
    Path(marker).write_text("finished")
