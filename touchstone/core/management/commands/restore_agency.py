"""manage.py restore_agency FILE: load an agency written by backup_agency into this installation."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from touchstone.core.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = "Restore an agency from a backup_agency file into an installation that does not hold it (all or nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="an archive written by manage.py backup_agency")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = restore_backup(options["file"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Restored {summary.agency}: {sum(summary.rows.values())} rows, counts equal to the backup's; "
            f"{summary.users} people (new ones set a password through 'Forgot your password?'), "
            f"{summary.transaction_files} transaction files, {summary.media_files} attachments."
        )
