"""Import and export kinds of the foundation: agencies from the Government of Canada service inventory."""

from pathlib import Path
from typing import IO, Any

from touchstone.core import audit
from touchstone.core.importing import (
    Exporter,
    ImportContext,
    Importer,
    count_csv_records,
    read_csv_records,
    register_exporter,
    register_importer,
    write_csv,
)
from touchstone.core.models import Agency, Office

CANADA_INVENTORY_SOURCE = (
    "Government of Canada, Service inventory (si_2024.csv), open.canada.ca, Open Government Licence - Canada"
)


def canada_abbreviation(owner_org: str) -> str:
    """'cbsa-asfc' -> 'CBSA'; the English half of the bilingual code is what readers know."""
    return owner_org.split("-")[0].upper()


def create_canada_department(
    code: str, title: str, taken: set[str], context: ImportContext, source: str
) -> Agency:
    """A Government of Canada department (owner_org) as an agency, audited; `taken` holds abbreviations in use."""
    abbreviation = canada_abbreviation(code)
    if abbreviation in taken:
        abbreviation = code.upper()
    taken.add(abbreviation)
    agency = Agency.objects.create(
        name=title.split("|")[0].strip() or code,
        abbreviation=abbreviation[:40],
        external_code=code,
        website="https://www.canada.ca/",
    )
    audit.record(
        actor=context.actor,
        actor_label=context.actor_label,
        action="imported",
        target=agency,
        agency=agency,
        changes={"source": [None, source]},
    )
    return agency


@register_importer
class CanadaAgenciesImporter(Importer):
    kind = "canada-agencies"
    label = "Government of Canada departments (service inventory)"
    help_text = "si_2024.csv from Canada's open data: each department (owner_org) becomes an agency."
    needs_agency = False

    def count_rows(self, path: Path) -> int | None:
        return count_csv_records(path)

    def load(self, path: Path, context: ImportContext) -> dict[str, Any]:
        total = self.count_rows(path)
        seen: dict[str, str] = {}
        rows = 0
        for line, row in read_csv_records(path, context, ["owner_org", "owner_org_title"], total):
            rows += 1
            code = row["owner_org"].strip()
            title = row["owner_org_title"].strip()
            if not code:
                context.problem(line, "owner_org", "The department code is empty; give the owner_org code.")
                continue
            if not title:
                context.problem(line, "owner_org_title", "The department name is empty.")
                continue
            seen.setdefault(code, title)
        created = 0
        taken = set(Agency.objects.values_list("abbreviation", flat=True))
        for code, title in seen.items():
            name = title.split("|")[0].strip()
            agency = Agency.objects.filter(external_code=code).first()
            if agency is None:
                create_canada_department(code, title, taken, context, "canada-agencies")
                created += 1
            elif agency.name != name:
                agency.name = name
                agency.save(update_fields=["name"])
        return {
            "rows": rows,
            "departments": len(seen),
            "agencies_created": created,
            "agencies_updated": len(seen) - created,
            "source": CANADA_INVENTORY_SOURCE,
        }


@register_exporter
class AgenciesExporter(Exporter):
    kind = "agencies"
    label = "Agencies (CSV)"
    needs_agency = False

    def write(self, stream: IO[str], agency: Agency | None) -> None:
        rows = Agency.objects.select_related("parent").order_by("name")
        write_csv(
            stream,
            ["abbreviation", "name", "parent", "independent", "website", "external_code"],
            [
                [
                    a.abbreviation,
                    a.name,
                    a.parent.abbreviation if a.parent else "",
                    "yes" if a.is_independent else "no",
                    a.website,
                    a.external_code,
                ]
                for a in rows
            ],
        )


@register_exporter
class OfficesExporter(Exporter):
    kind = "offices"
    label = "Offices (CSV)"

    def write(self, stream: IO[str], agency: Agency | None) -> None:
        columns = [
            "name",
            "kind",
            "street_address",
            "city",
            "state",
            "postal_code",
            "phone",
            "hours",
            "time_zone",
        ]
        offices = Office.objects.filter(agency=agency).order_by("name").values_list(*columns)
        write_csv(stream, columns, [list(row) for row in offices])
