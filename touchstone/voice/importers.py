"""The employee roster, imported from HR: `manage.py import employee-roster FILE --agency ABBR`, the workspace's
upload page, or `POST /api/v1/imports/employee-roster`.

One row per employee: an `email` column and any others (office, grade, supervisory...) as the attributes results
may be broken down by, as OPM's FEVS takes demographics from HR records so employees need not give them. The file
replaces the agency's roster whole, all-or-nothing.
"""

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from touchstone.core.importing import (
    ImportContext,
    Importer,
    count_csv_records,
    read_csv_records,
    register_importer,
)
from touchstone.voice import services

MAX_ATTRIBUTE_LENGTH = 100


@register_importer
class EmployeeRosterImporter(Importer):
    kind = "employee-roster"
    label = "Employee roster from HR (CSV)"
    help_text = (
        "One row per employee: an email column, and any other columns (office, grade, supervisory...) as the "
        "attributes employee survey results may be broken down by. Replaces the agency's roster."
    )

    def count_rows(self, path: Path) -> int | None:
        return count_csv_records(path)

    def load(self, path: Path, context: ImportContext) -> dict[str, Any]:
        assert context.agency is not None
        entries: dict[str, dict[str, str]] = {}
        first_line: dict[str, int] = {}
        rows = 0
        for line, row in read_csv_records(path, context, ["email"], self.count_rows(path)):
            rows += 1
            email = row.get("email", "").strip().lower()
            try:
                validate_email(email)
            except ValidationError:
                context.problem(line, "email", f"“{email[:80]}” is not an email address.")
                continue
            if email in entries:
                context.problem(
                    line, "email", f"{email} is also on line {first_line[email]}; list each person once."
                )
                continue
            attributes = {}
            for column, value in row.items():
                name = column.strip().lower().replace(" ", "_")
                if name == "email" or not name:
                    continue
                if len(value.strip()) > MAX_ATTRIBUTE_LENGTH:
                    context.problem(line, column, f"Keep values under {MAX_ATTRIBUTE_LENGTH} characters.")
                    continue
                if value.strip():
                    attributes[name] = value.strip()
            entries[email] = attributes
            first_line[email] = line
        if context.problems:
            return {"rows": rows}
        replaced = services.replace_roster(actor=context.actor, agency=context.agency, entries=entries)
        return {"rows": rows, "employees": len(entries), "replaced": replaced}
