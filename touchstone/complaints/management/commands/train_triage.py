"""Train an agency's triage classifier on its settled complaints and print how well it did on a held-out part."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404

from touchstone.complaints import services
from touchstone.core.selectors import agencies_by_abbreviation


class Command(BaseCommand):
    help = "Train the complaint triage classifier of one agency; print accuracy and macro-F1 per target."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agency", required=True, help="The agency's abbreviation, e.g. BA.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            agency = agencies_by_abbreviation(options["agency"])
        except Http404 as error:
            raise CommandError(str(error)) from error
        try:
            model = services.train_triage(agency=agency)
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Trained on {model.training_cases} complaints of {agency.abbreviation}.")
        self.stdout.write(f"{'target':<10} {'accuracy':>9} {'macro-F1':>9} {'held out':>9}")
        for target, values in model.metrics.items():
            self.stdout.write(
                f"{target:<10} {values['accuracy']:>9.3f} {values['macro_f1']:>9.3f} {values['held_out']:>9}"
            )
