"""Recompute the cached analysis of surveys (all of an agency's, or the ones named), e.g. from cron."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from touchstone.analysis import services
from touchstone.surveys.models import Survey


class Command(BaseCommand):
    help = (
        "Refresh the cached analysis of surveys: every cached period under each survey's current weighting."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "survey_ids", nargs="*", type=int, help="Survey ids (default: every published survey)."
        )
        parser.add_argument("--agency", help="Only this agency's surveys (its slug).")

    def handle(self, *args: Any, **options: Any) -> None:
        surveys = Survey.objects.filter(current_version__isnull=False).select_related(
            "agency", "current_version"
        )
        if options["survey_ids"]:
            surveys = surveys.filter(pk__in=options["survey_ids"])
            missing = set(options["survey_ids"]) - set(surveys.values_list("pk", flat=True))
            if missing:
                raise CommandError(f"No published survey with id {', '.join(map(str, sorted(missing)))}.")
        if options["agency"]:
            surveys = surveys.filter(agency__slug=options["agency"])
        for survey in surveys:
            results = services.refresh_cached_periods(survey)
            seconds = sum(r.seconds for r in results)
            self.stdout.write(
                f"Survey {survey.pk}: {len(results)} period(s) refreshed from "
                f"{results[0].response_count if results else 0} responses in {seconds:.2f} s."
            )
