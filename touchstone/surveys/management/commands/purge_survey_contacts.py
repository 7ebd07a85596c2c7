"""Delete the email addresses surveys no longer need, keeping each invitation's disposition for the rates.

Addresses of surveys closed or archived more than --days days ago go, and those of people who unsubscribed go at
once. Run it daily from cron or a scheduler.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from touchstone.surveys import invitations


class Command(BaseCommand):
    help = (
        "Blank invitation emails of surveys closed or archived over --days days ago, and of the unsubscribed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=invitations.DEFAULT_PURGE_DAYS,
            help="Days after closing before the addresses are deleted (default %(default)s).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["days"] < 0:
            raise CommandError("--days cannot be negative.")
        count = invitations.purge_contacts(days=options["days"])
        self.stdout.write(f"{count} address(es) deleted.")
