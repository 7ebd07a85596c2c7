"""Remove narratives and contact details from closed complaints older than each agency's retention period."""

from typing import Any

from django.core.management.base import BaseCommand

from touchstone.complaints.services import anonymise_expired


class Command(BaseCommand):
    help = "Anonymise closed complaints past their agency's retention period."

    def handle(self, *args: Any, **options: Any) -> None:
        count = anonymise_expired()
        self.stdout.write(f"{count} closed complaint(s) anonymised.")
