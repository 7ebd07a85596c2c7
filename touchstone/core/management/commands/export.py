"""manage.py export KIND [--agency ABBR] [--output FILE]: the mirror of `import`."""

import io
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from touchstone.core.importing import EXPORTERS, exporter_for
from touchstone.core.models import Agency


class Command(BaseCommand):
    help = "Write data of the given kind as CSV or JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", help="what to export: " + ", ".join(sorted(EXPORTERS)))
        parser.add_argument("--agency", help="abbreviation of the agency")
        parser.add_argument("--output", type=Path, help="file to write (default: standard output)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            exporter = exporter_for(options["kind"])
        except KeyError as unknown:
            raise CommandError(unknown.args[0]) from unknown
        agency = None
        if options["agency"]:
            agency = Agency.objects.filter(abbreviation__iexact=options["agency"]).first()
            if agency is None:
                raise CommandError(f"No agency has the abbreviation {options['agency']!r}.")
        if exporter.needs_agency and agency is None:
            raise CommandError(f"The {exporter.kind} export needs --agency.")
        if options["output"]:
            with options["output"].open("w", newline="", encoding="utf-8") as handle:
                exporter.write(handle, agency)
        else:
            buffer = io.StringIO()
            exporter.write(buffer, agency)
            self.stdout.write(buffer.getvalue(), ending="")
