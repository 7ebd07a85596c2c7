"""manage.py load_canada_benchmarks [PATH]: the Government of Canada peer set from ss_2024.csv (idempotent)."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from touchstone.benchmarks import library, services
from touchstone.benchmarks.demo import CANADA_FILE


class Command(BaseCommand):
    help = (
        "Load Canada's service standards results as a peer set of benchmarks, by standard type and channel."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", help="ss_2024.csv (default: ../shared/data/...)")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"]) if options["path"] else settings.SHARED_DIR.joinpath(*CANADA_FILE)
        if not path.exists():
            raise CommandError(
                f"{path} is not here. It is {library.CANADA_SOURCE['publication']}, "
                f"{library.CANADA_SOURCE['url']}; put shared/ beside the project or name the file."
            )
        made = services.load_canada_peer_set(path)
        self.stdout.write(
            self.style.SUCCESS(f"Canada peer set: {made} benchmarks by standard type and channel.")
        )
