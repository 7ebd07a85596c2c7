"""Delete transaction files no load needs any more: retired ones after an hour, and those of loads that rolled back.

`make run` runs it hourly through `run_schedule`; in production, from cron or systemd with the other jobs.
"""

from typing import Any

from django.core.management.base import BaseCommand

from touchstone.standards.store import sweep


class Command(BaseCommand):
    help = "Delete retired and orphaned files of the transaction store."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{sweep()} file(s) deleted.")
