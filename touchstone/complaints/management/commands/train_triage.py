"""Train an agency's triage on its settled complaints; print cross-validated accuracy and macro-F1 per target and per
class, beside the plain TF-IDF + LinearSVC baseline on the same folds, and which text model was kept."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404

from touchstone.complaints import services
from touchstone.complaints.models import Topic
from touchstone.core.models import Office
from touchstone.core.selectors import agencies_by_abbreviation


def _figure(value: float | None) -> str:
    return f"{value:>9.3f}" if value is not None else f"{'-':>9}"


class Command(BaseCommand):
    help = "Train the complaint triage of one agency; print accuracy and macro-F1 per target and class vs baseline."

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
        folds = model.metrics.get("folds")
        self.stdout.write(
            f"Trained on {model.training_cases} complaints of {agency.abbreviation}; {folds}-fold cross-validation."
        )
        header = f"{'cases':<12} {'target':<9} {'n':>6} {'accuracy':>9} {'macro-F1':>9} {'base acc':>9} {'base F1':>9}"
        self.stdout.write(header)
        for row in model.figures():
            self.stdout.write(
                f"{row['group']:<12} {row['target']:<9} {row['cases']:>6} {row['accuracy']:>9.3f} "
                f"{row['macro_f1']:>9.3f} {_figure(row['baseline_accuracy'])} {_figure(row['baseline_macro_f1'])}"
            )
        names = {
            "product": dict(Topic.objects.filter(agency=agency).values_list("pk", "name")),
            "topic": {
                pk: str(topic) for pk, topic in ((t.pk, t) for t in Topic.objects.filter(agency=agency))
            },
            "office": dict(Office.objects.filter(agency=agency).values_list("pk", "name")),
        }
        self.stdout.write("F1 per class (new / baseline):")
        for row in model.figures():
            for name, value in row["per_class"].items():
                plain = row["baseline_per_class"].get(name)
                self.stdout.write(
                    f"  {row['group']:<12} {row['target']:<9} {value:.3f} / "
                    f"{'-' if plain is None else f'{plain:.3f}'}  "
                    f"{names.get(row['target'], {}).get(int(name) if name.isdigit() else -1, name)}"
                )
        kept = model.metrics.get("kept")
        if kept == "enriched":
            self.stdout.write("Kept the new text model: it beat the baseline's product macro-F1.")
        elif kept == "baseline":
            self.stdout.write("Kept the baseline text model: the new one did not beat it.")
