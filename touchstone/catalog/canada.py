"""The Government of Canada service inventory (si_2024.csv) read into the catalog.

Codes and their meanings come from the inventory's data dictionary (service_data_dict.json). The file reports
one row per service and fiscal year; a service reported for two years becomes one service with two years of
channel volumes.

Channel volumes, and why: the inventory counts applications by channel, plus phone enquiries and website
visits. Each A-11 channel takes exactly these columns, so our channel totals equal the file's sums:

    phone              num_phone_enquiries + num_applications_by_phone
    website            num_applications_online
    in_person          num_applications_in_person
    postal_mail        num_applications_by_mail
    email              num_applications_by_email
    fax                num_applications_by_fax
    other_non_digital  num_applications_by_other

num_website_visits is not a channel volume: a visit is not a transaction, many visits end in an online
application already counted under `website`, and the file itself leaves visits out of num_applications_total.
Adding them would double count, so they are summed in the import's summary and not stored.
"""

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.text import slugify

from touchstone.catalog.channels import Channel
from touchstone.catalog.models import (
    ChannelVolume,
    Segment,
    Service,
    ServiceChannel,
    ServiceSegment,
)
from touchstone.core import audit
from touchstone.core.importers import CanadaAgenciesImporter
from touchstone.core.importing import ImportContext, read_csv_records
from touchstone.core.models import Agency

SOURCE = "canada-si"
Availability = ChannelVolume.Availability

CHANNEL_COLUMNS: dict[str, tuple[str, ...]] = {
    Channel.PHONE: ("num_phone_enquiries", "num_applications_by_phone"),
    Channel.WEBSITE: ("num_applications_online",),
    Channel.IN_PERSON: ("num_applications_in_person",),
    Channel.POSTAL_MAIL: ("num_applications_by_mail",),
    Channel.EMAIL: ("num_applications_by_email",),
    Channel.FAX: ("num_applications_by_fax",),
    Channel.OTHER_NON_DIGITAL: ("num_applications_by_other",),
}
VOLUME_COLUMNS = [column for columns in CHANNEL_COLUMNS.values() for column in columns]
WEBSITE_VISITS_COLUMN = "num_website_visits"

# Canada's online interaction points; the key in Service.online_stages drops the "os_" prefix.
ONLINE_STAGE_COLUMNS = [
    "os_account_registration",
    "os_authentication",
    "os_application",
    "os_decision",
    "os_issuance",
    "os_issue_resolution_feedback",
]
ONLINE_STAGE_VALUES = ("Y", "N", "NA")

# service_type: a service may carry several; the first in this order that it carries decides its kind.
SERVICE_TYPE_KINDS: list[tuple[str, str]] = [
    ("GNC", Service.Kind.BENEFITS),  # Grants and Contributions
    ("REG_VOL", Service.Kind.REGULATORY),  # High Volume Regulatory Transactions
    ("APIR", Service.Kind.REGULATORY),  # Agreements, Permissions, Inspections, Rulings
    ("LRP", Service.Kind.REGULATORY),  # Legislation, Regulation, Policy
    ("PPI", Service.Kind.COMPLIANCE),  # Penalties, Protection, Intervention
    ("CER", Service.Kind.RECREATION),  # Care, Education, Recreation
    ("INFO", Service.Kind.INFORMATIONAL),  # Information
    # RES (Resources) covers tax credits, learning and research alike: it stays "other".
]

# client_target_groups -> (segment name as the dictionary gives it, our segment kind)
TARGET_GROUPS: dict[str, tuple[str, str]] = {
    "PERSON": ("Persons", Segment.Kind.INDIVIDUALS),
    "ECONOM": ("Economic Segments (Businesses)", Segment.Kind.BUSINESSES),
    "NGO": ("Non Profit Institutions and Organizations", Segment.Kind.ORGANIZATIONS),
    "PTC": ("Provinces, Territories or Communities", Segment.Kind.GOVERNMENTS),
    "FOR": ("Foreign Entities", Segment.Kind.ORGANIZATIONS),
    "INTERN_GOV": ("Internal to Government", Segment.Kind.INTERNAL),
}

FEES = {"Y": "A fee applies", "N": "No fee"}
LANGUAGES = "English, French"  # federal services in Canada are offered in both official languages

REQUIRED_COLUMNS = [
    "fiscal_yr",
    "service_id",
    "service_name_en",
    "service_description_en",
    "service_type",
    "client_target_groups",
    "service_fee",
    "service_uri_en",
    "owner_org",
    "owner_org_title",
    WEBSITE_VISITS_COLUMN,
    *ONLINE_STAGE_COLUMNS,
    *VOLUME_COLUMNS,
]

_COUNT = re.compile(r"\d+", re.ASCII)
_FISCAL_YEAR = re.compile(r"(\d{4})-(\d{4})", re.ASCII)
_URL = URLValidator(schemes=["http", "https"])
_NAME_LIMIT = Service._meta.get_field("name").max_length or 300
_WEBSITE_LIMIT = Service._meta.get_field("website").max_length or 500


def parse_count(value: str) -> tuple[str, int | None] | None:
    """'1,234' -> reported 1234; 'ND' -> no data; 'NA' -> not applicable; anything else -> None."""
    text = value.strip().upper()
    if text == "ND":
        return Availability.NO_DATA, None
    if text == "NA":
        return Availability.NOT_APPLICABLE, None
    digits = text.replace(",", "").replace(" ", "")
    if _COUNT.fullmatch(digits):
        return Availability.REPORTED, int(digits)
    return None


def combine_counts(parts: list[tuple[str, int | None]]) -> tuple[str, int | None]:
    """Several columns into one channel: the sum of those reported; else no data if any had none; else NA."""
    reported = [volume for availability, volume in parts if availability == Availability.REPORTED]
    if reported:
        return Availability.REPORTED, sum(volume or 0 for volume in reported)
    if any(availability == Availability.NO_DATA for availability, _ in parts):
        return Availability.NO_DATA, None
    return Availability.NOT_APPLICABLE, None


def fiscal_year_start(value: str) -> dt.date | None:
    """'2023-2024' -> 2023-04-01: Canada's fiscal year runs April 1 to March 31."""
    match = _FISCAL_YEAR.fullmatch(value.strip())
    if match is None or int(match[2]) != int(match[1]) + 1:
        return None
    return dt.date(int(match[1]), 4, 1)


def service_kind(service_type: str) -> str:
    codes = {code.strip().upper() for code in service_type.split(",")}
    for code, kind in SERVICE_TYPE_KINDS:
        if code in codes:
            return kind
    return Service.Kind.OTHER


def first_web_address(text: str) -> str:
    """The first usable address in service_uri_en, which sometimes holds several, or a page title."""
    for candidate in re.split(r"\s+|<>|;", text):
        address = candidate.strip().rstrip(",")
        if address.lower().startswith("www."):
            address = f"https://{address}"
        if not address or len(address) > _WEBSITE_LIMIT:
            continue
        try:
            _URL(address)
        except ValidationError:
            continue
        return address
    return ""


def unique_slug(name: str, taken: set[str]) -> str:
    """A slug from the name, made unique among `taken` with -2, -3, ...; adds it to `taken`."""
    base = slugify(name)[:80].strip("-") or "service"
    slug, number = base, 1
    while slug in taken:
        number += 1
        suffix = f"-{number}"
        slug = f"{base[: 80 - len(suffix)].rstrip('-')}{suffix}"
    taken.add(slug)
    return slug


@dataclass
class InventoryRow:
    line: int
    department: str
    service_id: str
    year_start: dt.date
    name: str
    description: str
    kind: str
    fees: str
    website: str
    online_stages: dict[str, str]
    groups: list[str]
    volumes: dict[str, tuple[str, int | None]]
    website_visits: int


@dataclass
class InventoryService:
    """One service of the file: the fields of its latest year, and the volumes of every year."""

    department: str
    service_id: str
    latest: InventoryRow
    years: dict[dt.date, InventoryRow] = field(default_factory=dict)


def read_row(line: int, row: dict[str, str], context: ImportContext) -> InventoryRow | None:
    """Check one record; report each bad value by its column; None when the row cannot be loaded."""
    before = len(context.problems)
    department = row["owner_org"].strip()
    service_id = row["service_id"].strip()
    if not service_id:
        context.problem(line, "service_id", "The service ID is empty; give the service_id, like SRV00123.")
    elif len(service_id) > 60:
        context.problem(line, "service_id", "The service ID is longer than 60 characters.")
    year_start = fiscal_year_start(row["fiscal_yr"])
    if year_start is None:
        context.problem(
            line, "fiscal_yr", f"“{row['fiscal_yr']}” is not a fiscal year; write it like 2023-2024."
        )
    name = " ".join(row["service_name_en"].split())
    if not name:
        context.problem(line, "service_name_en", "The service name is empty.")
    elif len(name) > _NAME_LIMIT:
        context.problem(line, "service_name_en", f"The name is longer than {_NAME_LIMIT} characters.")
    description = row["service_description_en"].strip()
    if not description:
        context.problem(line, "service_description_en", "The description is empty.")
    fee = row["service_fee"].strip().upper()
    if fee and fee not in FEES:
        context.problem(line, "service_fee", f"“{row['service_fee']}” is not Y or N.")
    stages: dict[str, str] = {}
    for column in ONLINE_STAGE_COLUMNS:
        value = row[column].strip().upper()
        if value not in ONLINE_STAGE_VALUES:
            context.problem(line, column, f"“{row[column]}” is not one of Y, N or NA.")
        stages[column.removeprefix("os_")] = value
    groups = [code.strip().upper() for code in row["client_target_groups"].split(",") if code.strip()]
    for code in groups:
        if code not in TARGET_GROUPS:
            context.problem(
                line,
                "client_target_groups",
                f"“{code}” is not a client target group; the groups are {', '.join(TARGET_GROUPS)}.",
            )
    counts: dict[str, tuple[str, int | None]] = {}
    for column in [*VOLUME_COLUMNS, WEBSITE_VISITS_COLUMN]:
        count = parse_count(row[column])
        if count is None:
            context.problem(
                line,
                column,
                f"“{row[column]}” is not a count; give a whole number, ND (no data) or NA (not applicable).",
            )
        else:
            counts[column] = count
    if len(context.problems) > before or not department or year_start is None:
        return None
    return InventoryRow(
        line=line,
        department=department,
        service_id=service_id,
        year_start=year_start,
        name=name,
        description=description,
        kind=service_kind(row["service_type"]),
        fees=FEES.get(fee, ""),
        website=first_web_address(row["service_uri_en"]),
        online_stages=stages,
        groups=groups,
        volumes={
            channel: combine_counts([counts[column] for column in columns])
            for channel, columns in CHANNEL_COLUMNS.items()
        },
        website_visits=counts[WEBSITE_VISITS_COLUMN][1] or 0,
    )


def read_inventory(
    path: Path, context: ImportContext, total: int | None
) -> tuple[int, list[InventoryService]]:
    """Every row of the file, grouped by department and service ID; a repeated service and year is a problem."""
    rows = 0
    services: dict[tuple[str, str], InventoryService] = {}
    for line, record in read_csv_records(path, context, REQUIRED_COLUMNS, total):
        rows += 1
        row = read_row(line, record, context)
        if row is None:
            continue
        key = (row.department, row.service_id)
        service = services.setdefault(key, InventoryService(row.department, row.service_id, row))
        if row.year_start in service.years:
            context.problem(
                line,
                "service_id",
                f"Service {row.service_id} of {row.department} is already reported for this fiscal year "
                f"on line {service.years[row.year_start].line}.",
            )
            continue
        service.years[row.year_start] = row
        if row.year_start >= service.latest.year_start:
            service.latest = row
    return rows, list(services.values())


def load_inventory(path: Path, context: ImportContext, total: int | None) -> dict[str, Any]:
    """Departments as agencies (the canada-agencies import), then services, segments, channels and volumes."""
    departments = CanadaAgenciesImporter().load(path, context)
    rows, inventory = read_inventory(path, context, total)
    summary: dict[str, Any] = {
        "rows": rows,
        "departments": departments.get("departments", 0),
        "agencies_created": departments.get("agencies_created", 0),
    }
    if context.problems:
        return summary
    agencies = {
        agency.external_code: agency
        for agency in Agency.objects.filter(external_code__in={item.department for item in inventory})
    }
    services = _write_services(inventory, agencies, summary)
    _link_segments(inventory, agencies, services)
    volumes = _write_volumes(inventory, services)
    _offer_channels(inventory, services)
    for agency in agencies.values():
        audit.record(
            actor=context.actor,
            actor_label=context.actor_label,
            action="imported services",
            target=agency,
            agency=agency,
            changes={
                "source": [None, "canada-services"],
                "services": [None, sum(1 for item in inventory if item.department == agency.external_code)],
            },
        )
    summary.update(
        {
            "channel_volumes": volumes,
            "website_visits_not_stored": sum(
                row.website_visits for item in inventory for row in item.years.values()
            ),
        }
    )
    return summary


def _write_services(
    inventory: list[InventoryService], agencies: dict[str, Agency], summary: dict[str, Any]
) -> dict[tuple[str, str], Service]:
    """Create new services and update those already imported (matched by agency and service ID)."""
    agency_ids = [agency.pk for agency in agencies.values()]
    code_of = {agency.pk: code for code, agency in agencies.items()}
    existing = {
        (code_of[service.agency_id], service.external_id): service
        for service in Service.objects.filter(agency_id__in=agency_ids).exclude(external_id="")
    }
    taken: dict[int, set[str]] = defaultdict(set)
    for agency_id, slug in Service.objects.filter(agency_id__in=agency_ids).values_list("agency_id", "slug"):
        taken[agency_id].add(slug)
    now = timezone.now()
    created: list[Service] = []
    updated: list[Service] = []
    for item in inventory:
        row = item.latest
        service = existing.get((item.department, item.service_id))
        if service is None:
            agency = agencies[item.department]
            service = Service(agency=agency, external_id=item.service_id, status=Service.Status.PUBLISHED)
            service.slug = unique_slug(row.name, taken[agency.pk])
            created.append(service)
        else:
            updated.append(service)
        service.name = row.name
        service.description = row.description
        service.kind = row.kind
        service.fees = row.fees
        service.website = row.website
        service.online_stages = row.online_stages
        service.status = Service.Status.PUBLISHED
        service.search_text = f"{service.name} {service.description}".lower()  # bulk writes skip save()
        service.updated_at = now
        existing[(item.department, item.service_id)] = service
    Service.objects.bulk_create(created, batch_size=500)
    fields = ["name", "description", "kind", "fees", "website", "online_stages", "status", "search_text"]
    Service.objects.bulk_update(updated, [*fields, "updated_at"], batch_size=500)
    summary.update({"services_created": len(created), "services_updated": len(updated)})
    return existing


def _link_segments(
    inventory: list[InventoryService], agencies: dict[str, Agency], services: dict[tuple[str, str], Service]
) -> None:
    """Each client target group becomes a segment of the agency, linked to its services as eligible."""
    wanted = {(item.department, code) for item in inventory for code in item.latest.groups}
    names = {code: name for code, (name, _kind) in TARGET_GROUPS.items()}
    segments = {
        (segment.agency_id, segment.name): segment
        for segment in Segment.objects.filter(
            agency__in=list(agencies.values()), name__in=list(names.values())
        )
    }
    missing = []
    for department, code in sorted(wanted):
        agency = agencies[department]
        if (agency.pk, names[code]) not in segments:
            segment = Segment(
                agency=agency,
                name=names[code],
                kind=TARGET_GROUPS[code][1],
                description="A client target group of the Government of Canada service inventory.",
            )
            segments[(agency.pk, segment.name)] = segment
            missing.append(segment)
    Segment.objects.bulk_create(missing)
    links = []
    for item in inventory:
        service = services[(item.department, item.service_id)]
        for code in item.latest.groups:
            segment = segments[(service.agency_id, names[code])]
            links.append(ServiceSegment(service=service, segment=segment, is_eligible=True))
    ServiceSegment.objects.bulk_create(links, ignore_conflicts=True, batch_size=500)


def _write_volumes(inventory: list[InventoryService], services: dict[tuple[str, str], Service]) -> int:
    """One yearly volume per service and channel: earlier imports of the same years are replaced."""
    volumes = []
    for item in inventory:
        service = services[(item.department, item.service_id)]
        for year_start, row in item.years.items():
            for channel, (availability, volume) in row.volumes.items():
                volumes.append(
                    ChannelVolume(
                        service=service,
                        channel=channel,
                        period=ChannelVolume.Period.YEAR,
                        period_start=year_start,
                        volume=volume,
                        availability=availability,
                        source=SOURCE,
                    )
                )
    service_ids = [service.pk for service in services.values()]
    starts = {year for item in inventory for year in item.years}
    ChannelVolume.objects.filter(
        service_id__in=service_ids,
        period=ChannelVolume.Period.YEAR,
        period_start__in=starts,
        channel__in=list(CHANNEL_COLUMNS),
    ).delete()
    ChannelVolume.objects.bulk_create(volumes, batch_size=1000)
    return len(volumes)


def _offer_channels(inventory: list[InventoryService], services: dict[tuple[str, str], Service]) -> None:
    """A channel that handled any volume is one the service is offered through; a service with none but a web
    page is offered on its website, so its public page always says how to get it."""
    rows: list[ServiceChannel] = []
    for item in inventory:
        service = services[(item.department, item.service_id)]
        used = {
            channel
            for row in item.years.values()
            for channel, (availability, volume) in row.volumes.items()
            if availability == Availability.REPORTED and volume
        }
        rows.extend(
            ServiceChannel(service=service, channel=channel, languages=LANGUAGES) for channel in sorted(used)
        )
        if not used and service.website:
            rows.append(
                ServiceChannel(
                    service=service, channel="website", how_to_use=service.website, languages=LANGUAGES
                )
            )
    ServiceChannel.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
