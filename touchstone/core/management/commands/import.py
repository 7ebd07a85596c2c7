"""manage.py import KIND FILE [--agency ABBR] [--dry-run]: the command-line door for every importer."""

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from touchstone.core.importing import IMPORTERS, ImportFailed, importer_for, run_import
from touchstone.core.models import Agency


class Command(BaseCommand):
    help = "Load a file of the given kind, all-or-nothing. Kinds: see --help."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", help="what the file holds: " + ", ".join(sorted(IMPORTERS)))
        parser.add_argument("file", type=Path)
        parser.add_argument("--agency", help="abbreviation of the agency the data belongs to")
        parser.add_argument("--dry-run", action="store_true", help="check every row, write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            importer = importer_for(options["kind"])
        except KeyError as unknown:
            raise CommandError(unknown.args[0]) from unknown
        agency = None
        if options["agency"]:
            agency = Agency.objects.filter(abbreviation__iexact=options["agency"]).first()
            if agency is None:
                raise CommandError(f"No agency has the abbreviation {options['agency']!r}.")
        path: Path = options["file"]
        show_bar = sys.stderr.isatty()

        def progress(done: int, total: int | None) -> None:
            if not show_bar:
                return
            if total:
                filled = int(30 * done / total)
                sys.stderr.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {done:,}/{total:,} rows")
            else:
                sys.stderr.write(f"\r{done:,} rows")
            sys.stderr.flush()

        try:
            outcome = run_import(
                importer.kind,
                path,
                agency=agency,
                dry_run=options["dry_run"],
                progress=progress,
                actor_label="manage.py import",
            )
        except ImportFailed as failure:
            if show_bar:
                sys.stderr.write("\n")
            for problem in failure.problems:
                self.stderr.write(f"{path.name}: {problem}")
            raise CommandError(
                f"Nothing was loaded: {len(failure.problems)} problem(s) in {path.name}."
            ) from failure
        if show_bar:
            sys.stderr.write("\n")
        verb = "Checked (dry run, nothing written)" if outcome.dry_run else "Loaded"
        details = ", ".join(f"{key}: {value}" for key, value in outcome.summary.items())
        self.stdout.write(self.style.SUCCESS(f"{verb} {path.name}. {details}"))
