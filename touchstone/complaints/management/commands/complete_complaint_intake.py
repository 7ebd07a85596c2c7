"""Complete the intake of complaints still waiting to be routed: the safety net under the task queued with each case.

Each new case carries its completion task (routing, clocks, handler, audit entry, acknowledgement email). A case
whose task never ran, because the worker stopped or the queue was elsewhere and lost it, is completed here. Running
it twice, or beside the worker, completes each case once.
"""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from touchstone.complaints.services import complete_pending_intake


class Command(BaseCommand):
    help = "Route and start the clocks of complaints whose intake is still pending."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--minutes",
            type=float,
            default=2,
            help="only cases pending at least this long, so queued tasks get their turn first (default 2)",
        )
        parser.add_argument(
            "--most", type=int, default=1000, help="at most this many cases a run (default 1000)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        completed = complete_pending_intake(
            older_than=dt.timedelta(minutes=options["minutes"]), most=options["most"]
        )
        self.stdout.write(f"{completed} complaint(s) routed.")
