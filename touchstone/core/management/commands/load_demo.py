"""manage.py load_demo [--canada]: the demo agency, and optionally Canada's departments as agencies."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse

from touchstone.core.demo import DEMO_PASSWORD, load_demo
from touchstone.core.importers import CANADA_INVENTORY_SOURCE
from touchstone.core.importing import ImportFailed, run_import


class Command(BaseCommand):
    help = "Load the demo agencies, offices and one person per role (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--canada",
            action="store_true",
            help="also load the Government of Canada's departments from ../shared/data",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        people = load_demo()
        self.stdout.write(self.style.SUCCESS("Demo loaded."))
        if options["canada"]:
            path = settings.SHARED_DIR / "data" / "canada-service-standards" / "si_2024.csv"
            if not path.exists():
                raise CommandError(
                    f"{path} is not here. It is {CANADA_INVENTORY_SOURCE}; put shared/ beside the project."
                )
            try:
                outcome = run_import("canada-agencies", path, agency=None, actor_label="load_demo")
            except ImportFailed as failure:
                for problem in failure.problems:
                    self.stderr.write(f"si_2024.csv: {problem}")
                raise CommandError("Canada's departments were not loaded.") from failure
            self.stdout.write(
                f"Canada: {outcome.summary['departments']} departments "
                f"({outcome.summary['agencies_created']} new)."
            )
        sign_in = settings.SITE_URL.rstrip("/") + reverse("sign-in")
        self.stdout.write(f"Sign in at {sign_in} with password {DEMO_PASSWORD!r} as:")
        for person in people:
            where = (
                "every agency's published figures" if person.overseer else f"{person.role} at {person.agency}"
            )
            self.stdout.write(f"  {person.username:<16} {where}")
