"""manage.py backup_agency AGENCY FILE: one agency's rows, people, transaction files and attachments in one file."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q

from touchstone.core.backup import write_backup
from touchstone.core.models import Agency


class Command(BaseCommand):
    help = "Write one agency's data (database rows, transaction files, attachments) to a file restore_agency reads."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("agency", help="the agency's abbreviation or web address name")
        parser.add_argument(
            "file", type=Path, help="the archive to write (a .tar.gz; it holds personal data)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["agency"]
        agency = Agency.objects.filter(Q(abbreviation__iexact=name) | Q(slug=name)).first()
        if agency is None:
            raise CommandError(f"No agency has the abbreviation or web address name {name!r}.")
        destination: Path = options["file"]
        if destination.exists():
            raise CommandError(f"{destination} exists; name a new file, so no backup is overwritten.")
        summary = write_backup(agency, destination)
        self.stdout.write(
            f"Wrote {destination}: {sum(summary.rows.values())} rows of {agency.name}, {summary.users} people, "
            f"{summary.transaction_files} transaction files, {summary.media_files} attachments."
        )
