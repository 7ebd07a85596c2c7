"""Warn supervisors (agency admins) by email about complaints near or past a service-level deadline.

Run it every few minutes from cron or a scheduler; each warning goes once.
"""

from typing import Any

from django.core.management.base import BaseCommand

from touchstone.complaints.services import check_clocks


class Command(BaseCommand):
    help = "Email agency admins about complaints near or past their service-level deadlines."

    def handle(self, *args: Any, **options: Any) -> None:
        warnings = check_clocks()
        self.stdout.write(f"{len(warnings)} warning(s) sent.")
