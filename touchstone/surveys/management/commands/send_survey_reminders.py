"""Remind, once, those invited to a survey who have not answered after some days.

Run it daily from cron or a scheduler; a reminder goes to each invitation at most once.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from touchstone.surveys import invitations


class Command(BaseCommand):
    help = "Email one reminder to survey invitees who have not answered after --days days (default 7)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=invitations.DEFAULT_REMINDER_DAYS,
            help="Days after the invitation before the reminder (default %(default)s).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        count = invitations.send_reminders(actor=None, days=options["days"])
        self.stdout.write(f"{count} reminder(s) queued.")
