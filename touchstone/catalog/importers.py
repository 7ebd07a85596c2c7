"""Import and export kinds of the catalog.

- `canada-services`: the Government of Canada service inventory (si_2024.csv); see `catalog/canada.py`.
- `touchpoints-services`: GSA Touchpoints' service fields, one service a row.
- `catalog`: our own plain CSV of services, or the JSON that the `catalog-json` export writes.
- exports `catalog` (CSV) and `catalog-json` (services, segments, providers, channels, volumes), which the
  `catalog` import reads back.

Rows of a file become services through `catalog.services`, so each imported service has its audit entry;
the Canada file is loaded in bulk instead (1,752 rows), with one audit entry per department.
"""

import datetime as dt
import json
import re
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from touchstone.catalog import canada
from touchstone.catalog import services as catalog_services
from touchstone.catalog.channels import Channel
from touchstone.catalog.models import (
    ChannelVolume,
    JourneyStage,
    Provider,
    Segment,
    Service,
    ServiceChannel,
    ServiceSegment,
)
from touchstone.core.importers import CANADA_INVENTORY_SOURCE
from touchstone.core.importing import (
    Exporter,
    ImportContext,
    Importer,
    count_csv_records,
    read_csv_records,
    register_exporter,
    register_importer,
    write_csv,
    write_json,
)
from touchstone.core.models import Agency, Office

CATALOG_COLUMNS = [
    "name",
    "description",
    "kind",
    "eligibility",
    "fees",
    "is_high_impact",
    "status",
    "estimated_annual_volume",
    "website",
    "channels",
]
TOUCHPOINTS_COLUMNS = [
    "name",
    "description",
    "hisp",
    "channels",
    "kind",
    "estimated_annual_volume_of_customers",
    "url",
]
JSON_FORMAT = "touchstone-catalog"
JSON_VERSION = 1

# Touchpoints' service kind is free text ("Benefits", "Compliance", "Informational", ...): a word stem found
# in it decides our kind; text that names none of them is "other".
TOUCHPOINTS_KIND_STEMS: list[tuple[str, str]] = [
    ("benefit", Service.Kind.BENEFITS),
    ("grant", Service.Kind.BENEFITS),
    ("loan", Service.Kind.BENEFITS),
    ("complian", Service.Kind.COMPLIANCE),
    ("enforce", Service.Kind.COMPLIANCE),
    ("regulat", Service.Kind.REGULATORY),
    ("permit", Service.Kind.REGULATORY),
    ("licens", Service.Kind.REGULATORY),
    ("recreat", Service.Kind.RECREATION),
    ("administ", Service.Kind.ADMINISTRATIVE),
    ("inform", Service.Kind.INFORMATIONAL),
    ("data", Service.Kind.DATA),
]

_TRUE = {"true", "yes", "y", "1", "t"}
_FALSE = {"false", "no", "n", "0", "f", ""}
_URL = URLValidator(schemes=["http", "https"])
_LIST_SEPARATOR = re.compile(r"[|,]")


# --- checking values of a row --------------------------------------------------------------------------------


def parse_channels(text: str, line: int | None, column: str, context: ImportContext) -> list[str] | None:
    """'phone|website' or 'phone, website' -> codes; an unknown code is reported with the valid ones."""
    codes = [code.strip().lower() for code in _LIST_SEPARATOR.split(text) if code.strip()]
    unknown = [code for code in codes if code not in Channel.values]
    if unknown:
        context.problem(
            line,
            column,
            f"{', '.join(f'“{code}”' for code in unknown)} "
            f"{'is not a channel' if len(unknown) == 1 else 'are not channels'}; "
            f"the channels are: {', '.join(Channel.values)}.",
        )
        return None
    return list(dict.fromkeys(codes))


def parse_flag(text: str, line: int | None, column: str, context: ImportContext) -> bool | None:
    value = text.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    context.problem(line, column, f"“{text}” is not true or false.")
    return None


def parse_whole_number(
    text: str, line: int | None, column: str, context: ImportContext
) -> tuple[bool, int | None]:
    """(ok, number): empty is (True, None); '12,000' is 12000; anything else is reported."""
    value = text.strip().replace(",", "").replace("_", "")
    if not value:
        return True, None
    if value.isascii() and value.isdigit():
        return True, int(value)
    context.problem(line, column, f"“{text}” is not a whole number; leave it empty if unknown.")
    return False, None


def parse_web_address(text: str, line: int | None, column: str, context: ImportContext) -> str | None:
    value = text.strip()
    if not value:
        return ""
    try:
        _URL(value)
    except ValidationError:
        context.problem(line, column, f"“{value}” is not a web address; start it with https://.")
        return None
    return value


def parse_choice(
    text: str,
    choices: list[tuple[str, Any]],
    default: str,
    line: int | None,
    column: str,
    context: ImportContext,
) -> str | None:
    """A code or its English label, in any case; empty is the default."""
    value = text.strip().lower()
    if not value:
        return default
    for code, label in choices:
        if value in (code.lower(), str(label).lower()):
            return code
    context.problem(line, column, f"“{text}” is not one of: {', '.join(code for code, _label in choices)}.")
    return None


def touchpoints_kind(text: str) -> str:
    for part in re.split(r"[|,;/]", text.lower()):
        for stem, kind in TOUCHPOINTS_KIND_STEMS:
            if stem in part:
                return kind
    return Service.Kind.OTHER


def report_invalid(
    error: ValidationError, line: int | None, columns: dict[str, str], context: ImportContext, where: str = ""
) -> None:
    """A model's validation messages as problems, each under the file's name for the field."""
    for field_name, messages in error.message_dict.items():
        column = columns.get(field_name, "" if field_name == "__all__" else field_name)
        for message in messages:
            context.problem(line, f"{where}{column}", message)


# --- writing services row by row, through the catalog's services --------------------------------------------


class ServiceWriter:
    """Creates or updates an agency's services by name (or slug) and keeps their channels as the file says."""

    def __init__(self, agency: Agency, context: ImportContext) -> None:
        self.agency = agency
        self.context = context
        self.by_name: dict[str, Service] = {}
        self.by_slug: dict[str, Service] = {}
        for service in Service.objects.filter(agency=agency).order_by("-pk"):
            self.by_name[service.name.lower()] = service
            self.by_slug[service.slug] = service
        self.taken = set(self.by_slug)
        self.created = 0
        self.updated = 0
        self.unchanged = 0

    def save(
        self,
        data: dict[str, Any],
        *,
        line: int | None,
        columns: dict[str, str],
        slug_from: str = "",
        match_slug: str = "",
        where: str = "",
    ) -> Service | None:
        service = self.by_slug.get(match_slug) if match_slug else self.by_name.get(data["name"].lower())
        if service is not None and not _differs(service, data):
            self.unchanged += 1
            return service
        data = dict(data)
        if service is None:
            data["slug"] = match_slug or canada.unique_slug(slug_from or data["name"], self.taken)
            self.taken.add(data["slug"])
        try:
            saved = catalog_services.save_service(
                actor=self.context.actor,
                agency=self.agency,
                data=data,
                service=service,
                actor_label=self.context.actor_label,
            )
        except ValidationError as error:
            report_invalid(error, line, columns, self.context, where)
            return None
        if service is None:
            self.created += 1
        else:
            self.updated += 1
        self.by_name[saved.name.lower()] = saved
        self.by_slug[saved.slug] = saved
        return saved

    def keep_channels(self, service: Service, rows: dict[str, dict[str, Any]]) -> None:
        """The service is offered through exactly these channels: add the new, update details, drop the rest."""
        existing = {row.channel: row for row in ServiceChannel.objects.filter(service=service)}
        for channel, details in rows.items():
            row = existing.pop(channel, None)
            if row is None or any(getattr(row, key) != value for key, value in details.items()):
                catalog_services.save_service_channel(
                    actor=self.context.actor,
                    service=service,
                    data={"channel": channel, **details},
                    row=row,
                    actor_label=self.context.actor_label,
                )
        for row in existing.values():
            catalog_services.remove_service_channel(actor=self.context.actor, row=row)


def check_unique_names(name: str, line: int, seen: dict[str, int], context: ImportContext) -> bool:
    key = name.lower()
    if key in seen:
        context.problem(line, "name", f"“{name}” is already on line {seen[key]}; a name appears once.")
        return False
    seen[key] = line
    return True


# --- canada-services ------------------------------------------------------------------------------------------


@register_importer
class CanadaServicesImporter(Importer):
    kind = "canada-services"
    label = "Government of Canada service inventory (services, target groups, channel volumes)"
    help_text = (
        "si_2024.csv from Canada's open data: each row becomes a published service of its department "
        "(created as an agency when new), with client target groups as segments and yearly volumes by channel."
    )
    needs_agency = False

    def count_rows(self, path: Path) -> int | None:
        return count_csv_records(path)

    def load(self, path: Path, context: ImportContext) -> dict[str, Any]:
        summary = canada.load_inventory(path, context, self.count_rows(path))
        summary["source"] = CANADA_INVENTORY_SOURCE
        return summary


# --- touchpoints-services -------------------------------------------------------------------------------------


# Touchpoints keeps a service's yearly customers as one of its form's bands. A band is held as its midpoint (the
# usual reading of a range); the open top band as its floor; "unknown" as no estimate.
TOUCHPOINTS_VOLUME_BANDS: dict[str, int | None] = {
    "lessthan1000": 500,
    "1000-49000": 25_000,
    "1000-49999": 25_000,
    "50000-999999": 525_000,
    "1000000-4999999": 3_000_000,
    "5000000-9999999": 7_500_000,
    "morethan10million": 10_000_000,
    "morethan10000000": 10_000_000,
    "unknown": None,
}
_DASHES = re.compile(r"[\u2010-\u2015\u2212]")


def parse_volume_band(
    text: str, line: int | None, column: str, context: ImportContext
) -> tuple[bool, int | None]:
    """A whole number, or one of Touchpoints' bands ("Less than 1,000", "1,000 – 49,000", "Unknown")."""
    key = _DASHES.sub("-", text.lower()).replace(",", "").replace(" ", "")
    if key in TOUCHPOINTS_VOLUME_BANDS:
        return True, TOUCHPOINTS_VOLUME_BANDS[key]
    value = key.replace("_", "")
    if not value or (value.isascii() and value.isdigit()):
        return parse_whole_number(text, line, column, context)
    context.problem(
        line,
        column,
        f"“{text}” is neither a whole number nor one of Touchpoints' bands: Less than 1000, 1,000 – 49,000, "
        "50,000 – 999,999, 1,000,000 – 4,999,999, 5,000,000 – 9,999,999, More than 10 million, Unknown.",
    )
    return False, None


def touchpoints_list(text: str) -> str:
    """A list as Touchpoints writes one (["phone", "website"], {phone,website}, phone, website) as a|b."""
    return "|".join(part.strip().strip("\"'") for part in re.split(r"[|,]", text.strip().strip("[]{}")))


@register_importer
class TouchpointsServicesImporter(Importer):
    kind = "touchpoints-services"
    label = "Touchpoints services (CSV)"
    help_text = (
        "GSA Touchpoints' services, as its services export writes them or as a sheet of its fields: name, and "
        "any of description, service_slug or service_abbreviation, hisp, channels or channel_list, kind, "
        "estimated_annual_volume_of_customers (a number or one of its bands, held as the band's midpoint), url "
        "or homepage_url, id. Other columns are left aside; a service's channels change only when the file has "
        "a channels column. New services start as drafts."
    )

    COLUMNS = {
        "is_high_impact": "hisp",
        "estimated_annual_volume": "estimated_annual_volume_of_customers",
        "website": "url",
        "slug": "service_slug",
    }

    def count_rows(self, path: Path) -> int | None:
        return count_csv_records(path)

    def load(self, path: Path, context: ImportContext) -> dict[str, Any]:
        assert context.agency is not None
        writer = ServiceWriter(context.agency, context)
        seen: dict[str, int] = {}
        rows = 0
        banded = 0
        for line, row in read_csv_records(path, context, ["name"], self.count_rows(path)):
            rows += 1
            before = len(context.problems)
            name = " ".join(row["name"].split())
            if not name:
                context.problem(line, "name", "The service name is empty.")
            elif not check_unique_names(name, line, seen, context):
                continue
            is_high_impact = parse_flag(row.get("hisp", ""), line, "hisp", context)
            channel_column = next((c for c in ("channels", "channel_list") if c in row), None)
            channels = (
                parse_channels(touchpoints_list(row[channel_column]), line, channel_column, context)
                if channel_column
                else []
            )
            volume_text = row.get("estimated_annual_volume_of_customers", "")
            _, volume = parse_volume_band(volume_text, line, "estimated_annual_volume_of_customers", context)
            url_column = "url" if row.get("url", "").strip() else "homepage_url"
            address = row.get(url_column, "").strip()
            if address and "://" not in address and "." in address and " " not in address:
                address = f"https://{address}"  # Touchpoints keeps addresses as typed, often without a scheme
            website = parse_web_address(address, line, url_column, context)
            if len(context.problems) > before or channels is None:
                continue
            banded += bool(volume_text.strip()) and not volume_text.replace(",", "").strip().isdigit()
            data = {
                "name": name,
                "description": row.get("description", "").strip() or name,
                "kind": touchpoints_kind(row.get("kind", "")),
                "is_high_impact": is_high_impact,
                "estimated_annual_volume": volume,
                "website": website,
            }
            if row.get("id", "").strip():
                data["external_id"] = f"touchpoints:{row['id'].strip()}"[:60]
            slug_from = row.get("service_slug", "").strip() or row.get("service_abbreviation", "").strip()
            service = writer.save(data, line=line, columns=self.COLUMNS, slug_from=slug_from)
            if service is not None and channel_column:
                existing = set(
                    ServiceChannel.objects.filter(service=service).values_list("channel", flat=True)
                )
                if existing != set(channels):
                    writer.keep_channels(service, {channel: {} for channel in channels})
        return {
            "rows": rows,
            "services_created": writer.created,
            "services_updated": writer.updated,
            "services_unchanged": writer.unchanged,
            "volumes_from_bands": banded,
        }


# --- catalog: our own CSV and JSON ---------------------------------------------------------------------------


@register_importer
class CatalogImporter(Importer):
    kind = "catalog"
    label = "Service catalog (CSV, or the JSON of the catalog-json export)"
    help_text = (
        "CSV columns: " + ", ".join(CATALOG_COLUMNS) + " (channels separated by |). "
        "A .json file from the catalog-json export also brings segments, providers, channels and volumes."
    )
    suffixes = (".csv", ".json")

    def count_rows(self, path: Path) -> int | None:
        return None if is_json(path) else count_csv_records(path)

    def load(self, path: Path, context: ImportContext) -> dict[str, Any]:
        assert context.agency is not None
        if is_json(path):
            return CatalogJsonLoader(context.agency, context).load(path)
        return self.load_csv(path, context.agency, context)

    def load_csv(self, path: Path, agency: Agency, context: ImportContext) -> dict[str, Any]:
        writer = ServiceWriter(agency, context)
        seen: dict[str, int] = {}
        rows = 0
        for line, row in read_csv_records(path, context, CATALOG_COLUMNS, self.count_rows(path)):
            rows += 1
            before = len(context.problems)
            name = " ".join(row["name"].split())
            if not name:
                context.problem(line, "name", "The service name is empty.")
            elif not check_unique_names(name, line, seen, context):
                continue
            if not row["description"].strip():
                context.problem(line, "description", "The description is empty; say what the service is.")
            kind = parse_choice(row["kind"], Service.Kind.choices, Service.Kind.OTHER, line, "kind", context)
            status = parse_choice(
                row["status"], Service.Status.choices, Service.Status.DRAFT, line, "status", context
            )
            is_high_impact = parse_flag(row["is_high_impact"], line, "is_high_impact", context)
            _, volume = parse_whole_number(
                row["estimated_annual_volume"], line, "estimated_annual_volume", context
            )
            website = parse_web_address(row["website"], line, "website", context)
            channels = parse_channels(row["channels"], line, "channels", context)
            if status == Service.Status.PUBLISHED and channels == []:
                context.problem(
                    line,
                    "channels",
                    "A published service needs at least one channel: the public page lists the ways to get it.",
                )
            if len(context.problems) > before or channels is None:
                continue
            data = {
                "name": name,
                "description": row["description"].strip(),
                "kind": kind,
                "eligibility": row["eligibility"].strip(),
                "fees": row["fees"].strip(),
                "is_high_impact": is_high_impact,
                "status": status,
                "estimated_annual_volume": volume,
                "website": website,
            }
            service = writer.save(data, line=line, columns={})
            if service is not None:
                existing = set(
                    ServiceChannel.objects.filter(service=service).values_list("channel", flat=True)
                )
                if existing != set(channels):
                    writer.keep_channels(service, {channel: {} for channel in channels})
        return {
            "rows": rows,
            "services_created": writer.created,
            "services_updated": writer.updated,
            "services_unchanged": writer.unchanged,
        }


def is_json(path: Path) -> bool:
    if path.suffix.lower() == ".json":
        return True
    with path.open("rb") as handle:
        return handle.read(64).lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{")


class CatalogJsonLoader:
    """Reads the catalog-json export back: segments, services (with segment links and journey stages),
    providers, channels and volumes. Services are matched by slug, segments and providers by name."""

    SEGMENT_FIELDS = ["name", "kind", "description", "estimated_population", "personas"]
    SERVICE_FIELDS = [
        "name",
        "description",
        "kind",
        "eligibility",
        "fees",
        "is_high_impact",
        "status",
        "estimated_annual_volume",
        "website",
        "how_to_complain",
        "online_stages",
        "external_id",
    ]
    PROVIDER_FIELDS = ["name", "kind", "address", "hours", "contact", "languages", "accessibility"]
    CHANNEL_FIELDS = ["how_to_use", "hours", "languages", "accessibility"]
    LINK_FIELDS = ["is_eligible", "eligible_population", "customers_served"]
    STAGE_FIELDS = ["name", "kind", "position", "barriers"]

    def __init__(self, agency: Agency, context: ImportContext) -> None:
        self.agency = agency
        self.context = context
        self.writer = ServiceWriter(agency, context)

    def problem(self, where: str, message: str) -> None:
        self.context.problem(None, where, message)

    def items(self, payload: dict[str, Any], key: str) -> list[tuple[str, dict[str, Any]]]:
        """The list under `key`, each item with where it is (`services[3]`); wrong shapes are problems."""
        value = payload.get(key, [])
        if not isinstance(value, list):
            self.problem(key, "This should be a list.")
            return []
        found = []
        for index, item in enumerate(value):
            if isinstance(item, dict):
                found.append((f"{key}[{index}]", item))
            else:
                self.problem(f"{key}[{index}]", "This should be an object with named fields.")
        return found

    def pick(self, item: dict[str, Any], fields: list[str], where: str) -> dict[str, Any]:
        data = {name: item[name] for name in fields if name in item}
        for name, value in data.items():
            if value is None:
                continue
            if not isinstance(value, str | int | float | bool | dict):
                self.problem(f"{where}.{name}", "This value should be text, a number, true or false.")
        return data

    def load(self, path: Path) -> dict[str, Any]:
        try:
            payload = json.loads(path.read_text(encoding="utf-8-sig"))
        except UnicodeDecodeError as error:
            self.context.problem(
                None,
                "",
                f"This is not UTF-8 text (byte {error.start}); save the file as UTF-8 JSON and send it again.",
            )
            return {"rows": 0}
        except json.JSONDecodeError as error:
            self.context.problem(error.lineno, "", f"This is not JSON: {error}.")
            return {"rows": 0}
        except RecursionError:
            self.context.problem(None, "", "This JSON nests its values too deeply to be a catalog export.")
            return {"rows": 0}
        if not isinstance(payload, dict) or payload.get("format") != JSON_FORMAT:
            self.problem("format", f'This JSON is not a catalog export; it needs "format": "{JSON_FORMAT}".')
            return {"rows": 0}
        if payload.get("version") != JSON_VERSION:
            self.problem("version", f"This reader takes version {JSON_VERSION} of the catalog export.")
            return {"rows": 0}
        segments = self.load_segments(payload)
        services = self.load_services(payload, segments)
        providers = self.load_providers(payload, services)
        channels = self.load_channels(payload, services)
        volumes = self.load_volumes(payload, services)
        return {
            "rows": len(services),
            "services_created": self.writer.created,
            "services_updated": self.writer.updated,
            "services_unchanged": self.writer.unchanged,
            "segments": len(segments),
            "providers": providers,
            "channels": channels,
            "volumes": volumes,
        }

    def load_segments(self, payload: dict[str, Any]) -> dict[str, Segment]:
        known = {segment.name: segment for segment in Segment.objects.filter(agency=self.agency)}
        loaded: dict[str, Segment] = {}
        parents: list[tuple[str, Segment, str]] = []
        for where, item in self.items(payload, "segments"):
            data = self.pick(item, self.SEGMENT_FIELDS, where)
            name = str(data.get("name") or "")
            segment = known.get(name)
            if segment is not None and not _differs(segment, data):
                saved: Segment | None = segment
            else:
                saved = self.save(
                    catalog_services.save_segment,
                    where,
                    agency=self.agency,
                    data=data,
                    segment=segment,
                )
            if saved is not None:
                loaded[saved.name] = known[saved.name] = saved
                if item.get("parent"):
                    parents.append((where, saved, str(item["parent"])))
        for where, segment, parent_name in parents:
            parent = known.get(parent_name)
            if parent is None:
                self.problem(
                    f"{where}.parent", f"There is no segment “{parent_name}” in this file or agency."
                )
            elif segment.parent_id != parent.pk:
                self.save(
                    catalog_services.save_segment,
                    where,
                    agency=self.agency,
                    data={"parent": parent},
                    segment=segment,
                )
        return known

    def load_services(self, payload: dict[str, Any], segments: dict[str, Segment]) -> dict[str, Service]:
        offices = {office.name: office for office in Office.objects.filter(agency=self.agency)}
        loaded: dict[str, Service] = {}
        for where, item in self.items(payload, "services"):
            slug = str(item.get("slug") or "")
            if not slug:
                self.problem(f"{where}.slug", "Each service needs its slug, as the export writes it.")
                continue
            data = self.pick(item, self.SERVICE_FIELDS, where)
            data["owner_office"] = offices.get(str(item.get("owner_office") or ""))  # another agency's: none
            service = self.writer.save(data, line=None, columns={}, match_slug=slug, where=f"{where}.")
            if service is None:
                continue
            loaded[slug] = service
            self.load_links(service, item, where, segments)
            self.load_stages(service, item, where)
        return loaded

    def load_links(
        self, service: Service, item: dict[str, Any], where: str, segments: dict[str, Segment]
    ) -> None:
        wanted: set[int] = set()
        links = {link.segment_id: link for link in ServiceSegment.objects.filter(service=service)}
        for index, link in enumerate(item.get("segments") or []):
            at = f"{where}.segments[{index}]"
            segment = segments.get(str(link.get("segment") or "")) if isinstance(link, dict) else None
            if segment is None:
                self.problem(f"{at}.segment", "There is no such segment in this file or agency.")
                continue
            wanted.add(segment.pk)
            data = self.pick(link, self.LINK_FIELDS, at)
            current = links.get(segment.pk)
            if current is None or _differs(current, data):
                self.save(catalog_services.link_segment, at, service=service, segment=segment, data=data)
        for segment_id, current in links.items():
            if segment_id not in wanted:
                catalog_services.unlink_segment(actor=self.context.actor, link=current)

    def load_stages(self, service: Service, item: dict[str, Any], where: str) -> None:
        stages = {stage.name: stage for stage in JourneyStage.objects.filter(service=service)}
        for index, stage_item in enumerate(item.get("journey_stages") or []):
            at = f"{where}.journey_stages[{index}]"
            if not isinstance(stage_item, dict):
                self.problem(at, "This should be an object with named fields.")
                continue
            data = self.pick(stage_item, self.STAGE_FIELDS, at)
            stage = stages.pop(str(data.get("name") or ""), None)
            if stage is None or _differs(stage, data):
                self.save(catalog_services.save_journey_stage, at, service=service, data=data, stage=stage)
        for stage in stages.values():
            catalog_services.delete_journey_stage(actor=self.context.actor, stage=stage)

    def load_providers(self, payload: dict[str, Any], services: dict[str, Service]) -> int:
        offices = {office.name: office for office in Office.objects.filter(agency=self.agency)}
        known = {provider.name: provider for provider in Provider.objects.filter(agency=self.agency)}
        count = 0
        for where, item in self.items(payload, "providers"):
            data = self.pick(item, self.PROVIDER_FIELDS, where)
            data["office"] = offices.get(str(item.get("office") or ""))
            chosen = []
            for slug in item.get("services") or []:
                service = services.get(str(slug)) or self.writer.by_slug.get(str(slug))
                if service is None:
                    self.problem(f"{where}.services", f"There is no service with the slug “{slug}”.")
                else:
                    chosen.append(service)
            provider = known.get(str(data.get("name") or ""))
            count += 1
            if (
                provider is not None
                and not _differs(provider, data)
                and {service.pk for service in provider.services.all()} == {service.pk for service in chosen}
            ):
                continue
            self.save(
                catalog_services.save_provider,
                where,
                agency=self.agency,
                data=data,
                provider=provider,
                services=chosen,
            )
        return count

    def load_channels(self, payload: dict[str, Any], services: dict[str, Service]) -> int:
        wanted: dict[str, dict[str, dict[str, Any]]] = {slug: {} for slug in services}
        for where, item in self.items(payload, "channels"):
            slug = str(item.get("service") or "")
            channel = str(item.get("channel") or "")
            if slug not in services:
                self.problem(f"{where}.service", f"There is no service “{slug}” in this file.")
            elif channel not in Channel.values:
                self.problem(
                    f"{where}.channel",
                    f"“{channel}” is not a channel; the channels are: {', '.join(Channel.values)}.",
                )
            else:
                wanted[slug][channel] = self.pick(item, self.CHANNEL_FIELDS, where)
        if self.context.problems:
            return 0
        for slug, rows in wanted.items():
            self.writer.keep_channels(services[slug], rows)
        return sum(len(rows) for rows in wanted.values())

    def load_volumes(self, payload: dict[str, Any], services: dict[str, Service]) -> int:
        stored = {
            (row.service_id, row.channel, row.period, row.period_start): (
                row.volume,
                row.availability,
                row.source,
            )
            for row in ChannelVolume.objects.filter(service__in=list(services.values()))
        }
        batches: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for where, item in self.items(payload, "volumes"):
            row = self.check_volume(where, item, services)
            if row is None:
                continue
            source = str(item.get("source") or "")
            key = (services[item["service"]].pk, row["channel"], row["period"], row["period_start"])
            if stored.get(key) != (row["volume"], row["availability"], source):
                batches.setdefault((str(item["service"]), source), []).append(row)
        if self.context.problems:
            return 0
        for (slug, source), rows in batches.items():
            catalog_services.record_channel_volumes(
                actor=self.context.actor,
                service=services[slug],
                rows=rows,
                source=source,
                actor_label=self.context.actor_label,
            )
        return sum(len(rows) for rows in batches.values())

    def check_volume(
        self, where: str, item: dict[str, Any], services: dict[str, Service]
    ) -> dict[str, Any] | None:
        before = len(self.context.problems)
        if str(item.get("service") or "") not in services:
            self.problem(f"{where}.service", f"There is no service “{item.get('service')}” in this file.")
        if item.get("channel") not in Channel.values:
            self.problem(f"{where}.channel", f"“{item.get('channel')}” is not a channel.")
        if item.get("period") not in ChannelVolume.Period.values:
            self.problem(
                f"{where}.period", f"The period is one of: {', '.join(ChannelVolume.Period.values)}."
            )
        availability = item.get("availability") or ChannelVolume.Availability.REPORTED
        if availability not in ChannelVolume.Availability.values:
            self.problem(
                f"{where}.availability",
                f"The availability is one of: {', '.join(ChannelVolume.Availability.values)}.",
            )
        try:
            period_start = dt.date.fromisoformat(str(item.get("period_start")))
        except ValueError:
            self.problem(f"{where}.period_start", "Give the first day of the period as YYYY-MM-DD.")
            period_start = None
        volume = item.get("volume")
        if availability == ChannelVolume.Availability.REPORTED:
            if not isinstance(volume, int) or isinstance(volume, bool) or volume < 0:
                self.problem(f"{where}.volume", "A reported volume is a whole number, 0 or more.")
        elif volume is not None:
            self.problem(
                f"{where}.volume", "With no data or not applicable, the volume is null, never a number."
            )
        if len(self.context.problems) > before:
            return None
        return {
            "channel": item["channel"],
            "period": item["period"],
            "period_start": period_start,
            "volume": volume,
            "availability": availability,
        }

    def save(self, write: Any, where: str, **arguments: Any) -> Any:
        try:
            return write(actor=self.context.actor, **arguments)
        except ValidationError as error:
            report_invalid(error, None, {}, self.context, f"{where}.")
            return None


def _differs(instance: Any, data: dict[str, Any]) -> bool:
    return any(getattr(instance, name) != value for name, value in data.items())


# --- exports --------------------------------------------------------------------------------------------------


@register_exporter
class CatalogExporter(Exporter):
    kind = "catalog"
    label = "Service catalog (CSV)"

    def write(self, stream: IO[str], agency: Agency | None) -> None:
        services = Service.objects.filter(agency=agency).prefetch_related("channels").order_by("name", "pk")
        write_csv(
            stream,
            CATALOG_COLUMNS,
            [
                [
                    service.name,
                    service.description,
                    service.kind,
                    service.eligibility,
                    service.fees,
                    "yes" if service.is_high_impact else "no",
                    service.status,
                    "" if service.estimated_annual_volume is None else service.estimated_annual_volume,
                    service.website,
                    "|".join(sorted(row.channel for row in service.channels.all())),
                ]
                for service in services
            ],
        )


@register_exporter
class CatalogJsonExporter(Exporter):
    kind = "catalog-json"
    label = "Service catalog with segments, providers, channels and volumes (JSON)"
    content_type = "application/json"
    suffix = ".json"

    def write(self, stream: IO[str], agency: Agency | None) -> None:
        write_json(stream, catalog_payload(agency))


def catalog_payload(agency: Agency | None) -> dict[str, Any]:
    """The agency's whole catalog as plain data, in a stable order so two exports can be compared."""
    services = (
        Service.objects.filter(agency=agency)
        .select_related("owner_office")
        .prefetch_related("journey_stages", "segment_links__segment")
        .order_by("slug")
    )
    segments = Segment.objects.filter(agency=agency).select_related("parent").order_by("name")
    providers = (
        Provider.objects.filter(agency=agency)
        .select_related("office")
        .prefetch_related("services")
        .order_by("name")
    )
    channels = (
        ServiceChannel.objects.filter(service__agency=agency)
        .select_related("service")
        .order_by("service__slug", "channel")
    )
    volumes = (
        ChannelVolume.objects.filter(service__agency=agency)
        .select_related("service")
        .order_by("service__slug", "channel", "period", "period_start")
    )
    return {
        "format": JSON_FORMAT,
        "version": JSON_VERSION,
        "agency": agency.abbreviation if agency else "",
        "segments": [
            {
                **{name: getattr(segment, name) for name in CatalogJsonLoader.SEGMENT_FIELDS},
                "parent": segment.parent.name if segment.parent else "",
            }
            for segment in segments
        ],
        "services": [
            {
                "slug": service.slug,
                **{name: getattr(service, name) for name in CatalogJsonLoader.SERVICE_FIELDS},
                "owner_office": service.owner_office.name if service.owner_office else "",
                "segments": [
                    {
                        "segment": link.segment.name,
                        **{name: getattr(link, name) for name in CatalogJsonLoader.LINK_FIELDS},
                    }
                    for link in sorted(service.segment_links.all(), key=lambda link: link.segment.name)
                ],
                "journey_stages": [
                    {name: getattr(stage, name) for name in CatalogJsonLoader.STAGE_FIELDS}
                    for stage in service.journey_stages.all()
                ],
            }
            for service in services
        ],
        "providers": [
            {
                **{name: getattr(provider, name) for name in CatalogJsonLoader.PROVIDER_FIELDS},
                "office": provider.office.name if provider.office else "",
                "services": sorted(service.slug for service in provider.services.all()),
            }
            for provider in providers
        ],
        "channels": [
            {
                "service": row.service.slug,
                "channel": row.channel,
                **{name: getattr(row, name) for name in CatalogJsonLoader.CHANNEL_FIELDS},
            }
            for row in channels
        ],
        "volumes": [
            {
                "service": row.service.slug,
                "channel": row.channel,
                "period": row.period,
                "period_start": row.period_start.isoformat(),
                "volume": row.volume,
                "availability": row.availability,
                "source": row.source,
            }
            for row in volumes
        ],
    }
