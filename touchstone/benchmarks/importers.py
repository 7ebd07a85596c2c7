"""Licensed benchmark data from CSV: `manage.py import benchmarks FILE --agency ABBR`, the workspace's upload page,
or `POST /api/v1/imports/benchmarks`. All-or-nothing; every bad row is reported by line and column.

Columns: organisation, publication, source_year, url, licence, label, measure, scale, value, standard_error,
sample_size, population, sector, service_kind, standard_type, channel, year. The first ten and `year` are needed.
"""

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from touchstone.benchmarks import services
from touchstone.benchmarks.models import Measure, Origin, Scale, Sector
from touchstone.core.importing import (
    ImportContext,
    Importer,
    count_csv_records,
    read_csv_records,
    register_importer,
)

REQUIRED = [
    "organisation",
    "publication",
    "source_year",
    "licence",
    "label",
    "measure",
    "scale",
    "value",
    "population",
    "sector",
    "year",
]
CHOICES = {"measure": Measure, "scale": Scale, "sector": Sector}


@register_importer
class BenchmarksImporter(Importer):
    kind = "benchmarks"
    label = "Benchmarks, licensed or the agency's own (CSV)"
    help_text = (
        "One row per benchmark: organisation, publication, source_year, url, licence, label, measure, scale, value, "
        "standard_error, sample_size, population, sector, service_kind, standard_type, channel, year."
    )

    def count_rows(self, path: Path) -> int | None:
        return count_csv_records(path)

    def load(self, path: Path, context: ImportContext) -> dict[str, Any]:
        assert context.agency is not None
        rows: list[dict[str, Any]] = []
        for line, row in read_csv_records(path, context, REQUIRED, self.count_rows(path)):
            data = self._check(line, {k.strip(): (v or "").strip() for k, v in row.items() if k}, context)
            if data is not None:
                rows.append(data)
        if context.problems:
            return {"rows": len(rows)}
        for data in rows:
            services.save_benchmark(
                actor=context.actor, agency=context.agency, data=data, origin=Origin.LICENSED
            )
        return {"rows": len(rows), "benchmarks": len(rows)}

    def _check(self, line: int, row: dict[str, str], context: ImportContext) -> dict[str, Any] | None:
        before = len(context.problems)
        data: dict[str, Any] = {name: row.get(name, "") for name in row}
        for name in REQUIRED:
            if not row.get(name):
                context.problem(line, name, f"{name} is empty; every benchmark names it.")
        for name, choices in CHOICES.items():
            if row.get(name) and row[name] not in choices.values:
                context.problem(line, name, f"“{row[name][:40]}” is not one of: {', '.join(choices.values)}.")
        for name, kind in [
            ("value", float),
            ("standard_error", float),
            ("sample_size", int),
            ("year", int),
            ("source_year", int),
        ]:
            if row.get(name):
                try:
                    data[name] = kind(row[name])
                except ValueError:
                    context.problem(line, name, f"“{row[name][:40]}” is not a number.")
            else:
                data[name] = None
        if isinstance(data.get("standard_error"), float) and data["standard_error"] < 0:
            context.problem(line, "standard_error", "A standard error cannot be negative.")
        if (
            row.get("scale") == Scale.SHARE
            and isinstance(data.get("value"), float)
            and not 0 <= data["value"] <= 1
        ):
            context.problem(line, "value", "A share is between 0 and 1; write 0.82, not 82.")
        if row.get("url"):
            try:
                URLValidator()(row["url"])
            except ValidationError:
                context.problem(line, "url", "Write the full web address, starting with https://.")
        return data if len(context.problems) == before else None
