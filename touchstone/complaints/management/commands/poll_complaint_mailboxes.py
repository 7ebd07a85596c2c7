"""Read every agency's complaint mailbox (IMAP) once: run by the schedule every minute, or by hand."""

from typing import Any

from django.core.management.base import BaseCommand

from touchstone.complaints.imap import poll_all


class Command(BaseCommand):
    help = "Poll each agency's IMAP complaint mailbox once and file what arrived."

    def handle(self, *args: Any, **options: Any) -> None:
        for agency_id, result in poll_all().items():
            done = (
                ", ".join(f"{count} {what}" for what, count in sorted(result.done.items())) or "nothing new"
            )
            self.stdout.write(
                f"agency {agency_id}: {done}; {result.unreadable} unreadable, {result.failed} to retry"
            )
