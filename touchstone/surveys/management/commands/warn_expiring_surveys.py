"""manage.py warn_expiring_surveys [--today YYYY-MM-DD]: email staff 30 and 7 days before a PRA clearance ends.

Run it daily (cron or the task scheduler); a warning already sent is not sent again.
"""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from touchstone.surveys.expiry import warn_expiring_surveys


class Command(BaseCommand):
    help = "Warn staff by email 30 and 7 days before a survey's OMB clearance expires (each warning once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", help="pretend today is this date (YYYY-MM-DD), for a catch-up run")

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options["today"]:
            try:
                today = dt.date.fromisoformat(options["today"])
            except ValueError as error:
                raise CommandError(f"--today {options['today']!r} is not a date like 2026-03-31.") from error
        sent = warn_expiring_surveys(today)
        for warning in sent:
            self.stdout.write(
                f"Survey {warning.survey_id}: {warning.threshold}-day warning sent to {warning.recipients} people."
            )
        self.stdout.write(self.style.SUCCESS(f"{len(sent)} warning(s) sent."))
