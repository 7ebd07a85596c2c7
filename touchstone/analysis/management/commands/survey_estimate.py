"""Design-based estimates from a CSV, so an analyst can check Touchstone against R or their own tools.

    manage.py survey_estimate apiclus1.csv --ids dnum --weights pw --fpc fpc --mean api00 --total enroll \
        --proportion sch.wide --rake 'stype=E:4421,H:755,M:1018' --json
"""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from touchstone.analysis.estimates import estimate_table
from touchstone.stats.estimate_cli import EstimateInputError, add_estimate_arguments, run_estimate


class Command(BaseCommand):
    help = "Estimate means, totals and proportions with standard errors and intervals from a survey CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        add_estimate_arguments(parser)
        parser.add_argument("--json", action="store_true", help="Print the result as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        as_json = options.pop("json", False)
        wanted = {key: options[key] for key in _ESTIMATE_OPTIONS if key in options}
        try:
            result = run_estimate(wanted)
        except EstimateInputError as error:
            raise CommandError(str(error)) from error
        if as_json:
            self.stdout.write(json.dumps(result, indent=2))
        else:
            self.stdout.write(estimate_table(result))


_ESTIMATE_OPTIONS = (
    "csv",
    "ids",
    "strata",
    "weights",
    "fpc",
    "mean",
    "total",
    "proportion",
    "rake",
    "poststratify",
    "replicates",
    "bootstrap_replicates",
    "seed",
    "level",
    "interval",
    "lonely_psu",
    "nest",
)
