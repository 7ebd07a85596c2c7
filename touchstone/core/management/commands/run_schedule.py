"""manage.py run_schedule [--once]: run the registered periodic jobs when they are due."""

import logging
import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from touchstone.core.schedule import JOBS

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Run periodic jobs (escalations, expiry warnings, purges) when due."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="run every job once and stop (for cron)")
        parser.add_argument("--tick", type=int, default=30, help="seconds between checks")

    def handle(self, *args: Any, **options: Any) -> None:
        if not JOBS:
            self.stdout.write("No periodic jobs are registered.")
            return
        self.stdout.write(
            "Periodic jobs: " + ", ".join(f"{j.name} every {j.interval}" for j in JOBS.values())
        )
        # SIGTERM (a deploy, `make serve-production` stopping) lets the job running finish, then stops.
        stopping = threading.Event()
        if not options["once"]:
            for stop_signal in (signal.SIGTERM, signal.SIGINT):
                signal.signal(stop_signal, lambda *_: stopping.set())
        while not stopping.is_set():
            now = timezone.now()
            for job in JOBS.values():
                if stopping.is_set():
                    return
                if options["once"] or job.due(now):
                    try:
                        job.run()
                    except Exception:  # one failing job must not stop the others
                        logger.exception("periodic job %s failed", job.name)
                    job.last_run = now
            if options["once"]:
                return
            stopping.wait(options["tick"])
