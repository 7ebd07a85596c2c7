"""Import and export kinds of the catalog: Canada's service inventory, Touchpoints' services, our CSV and JSON."""

import csv
import datetime as dt
import io
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.core.management.base import OutputWrapper

from touchstone.catalog import canada
from touchstone.catalog.importers import catalog_payload
from touchstone.catalog.models import (
    ChannelVolume,
    JourneyStage,
    Provider,
    Segment,
    Service,
    ServiceChannel,
    ServiceSegment,
)
from touchstone.catalog.selectors import channel_totals
from touchstone.conftest import Personas, shared_file
from touchstone.core.importers import CANADA_INVENTORY_SOURCE
from touchstone.core.importing import ImportFailed, export_to_string, run_import
from touchstone.core.models import Agency, AuditEntry

FIRST_DAY_2023_2024 = dt.date(2023, 4, 1)


def inventory_file() -> Path:
    return shared_file("canada-service-standards", "si_2024.csv", source=CANADA_INVENTORY_SOURCE)


def inventory_row(**values: str) -> dict[str, str]:
    """A well-formed inventory row; keyword arguments replace its values."""
    row = {column: "0" for column in canada.REQUIRED_COLUMNS}
    row.update(
        {
            "fiscal_yr": "2023-2024",
            "service_id": "SRV00001",
            "service_name_en": "Passport renewal",
            "service_description_en": "Renew an adult passport.",
            "service_type": "APIR",
            "client_target_groups": "PERSON",
            "service_fee": "Y",
            "service_uri_en": "https://www.canada.ca/en/passport.html",
            "owner_org": "ircc",
            "owner_org_title": "Immigration, Refugees and Citizenship Canada | Immigration Canada",
        }
    )
    row.update({column: "Y" for column in canada.ONLINE_STAGE_COLUMNS})
    row.update(values)
    return row


def write_inventory(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=canada.REQUIRED_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


# --- canada-services ------------------------------------------------------------------------------------------


def test_the_canada_inventory_imports_whole_as_services_of_its_79_departments(db: object) -> None:
    outcome = run_import("canada-services", inventory_file(), agency=None)
    assert outcome.summary["rows"] == 1752
    assert outcome.summary["departments"] == 79
    # SRV02975 (RCMP) is reported for 2023-2024 and 2024-2025: one service with two years of volumes.
    assert outcome.summary["services_created"] == 1751
    assert Service.objects.count() == 1751
    assert Agency.objects.exclude(external_code="").count() == 79
    assert Service.objects.filter(status=Service.Status.PUBLISHED).count() == 1751
    assert ChannelVolume.objects.filter(service__external_id="SRV02975").count() == 2 * len(
        canada.CHANNEL_COLUMNS
    )
    assert AuditEntry.objects.filter(action="imported services").count() == 79


def test_channel_totals_on_our_pages_equal_the_sums_of_the_files_columns(db: object) -> None:
    path = inventory_file()
    expected: Counter[str] = Counter()
    visits = 0
    with path.open(newline="", encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            for channel, columns in {
                "phone": ["num_phone_enquiries", "num_applications_by_phone"],
                "website": ["num_applications_online"],
                "in_person": ["num_applications_in_person"],
                "postal_mail": ["num_applications_by_mail"],
                "email": ["num_applications_by_email"],
                "fax": ["num_applications_by_fax"],
                "other_non_digital": ["num_applications_by_other"],
            }.items():
                expected[channel] += sum(int(row[c]) for c in columns if row[c] not in ("ND", "NA"))
            visits += int(row["num_website_visits"]) if row["num_website_visits"] not in ("ND", "NA") else 0
    outcome = run_import("canada-services", path, agency=None)
    assert channel_totals() == dict(expected)
    assert sum(channel_totals().values()) > 0
    # Website visits are not transactions: kept out of the totals, reported in the summary.
    assert outcome.summary["website_visits_not_stored"] == visits
    cra = Agency.objects.get(external_code="cra-arc")
    assert sum(channel_totals(cra).values()) < sum(channel_totals().values())
    # And the same totals on the page an overseer reads.
    from django.test import Client

    from touchstone.core.models import User

    overseer = User.objects.create_user(username="overseer", password="x" * 14, is_overseer=True)
    client = Client()
    client.force_login(overseer)
    html = client.get("/manage/oversight/").content.decode()
    for volume in expected.values():
        assert f"<td>{volume:,}</td>" in html


def test_nd_and_na_are_stored_as_no_data_and_not_applicable_never_zero(db: object, tmp_path: Path) -> None:
    path = write_inventory(
        tmp_path / "si.csv",
        [
            inventory_row(
                num_phone_enquiries="ND",
                num_applications_by_phone="NA",
                num_applications_online="1,200",
                num_applications_in_person="NA",
                num_applications_by_mail="ND",
                num_applications_by_email="0",
                num_applications_by_fax="NA",
                num_applications_by_other="ND",
            )
        ],
    )
    run_import("canada-services", path, agency=None)
    stored = {
        row.channel: (row.availability, row.volume)
        for row in ChannelVolume.objects.filter(period="year", period_start=FIRST_DAY_2023_2024)
    }
    assert stored == {
        "phone": ("no_data", None),  # one column unknown, the other not applicable: unknown, not zero
        "website": ("reported", 1200),
        "in_person": ("not_applicable", None),
        "postal_mail": ("no_data", None),
        "email": ("reported", 0),
        "fax": ("not_applicable", None),
        "other_non_digital": ("no_data", None),
    }
    assert list(ServiceChannel.objects.values_list("channel", flat=True)) == ["website"]
    assert channel_totals() == {"website": 1200, "email": 0}


def test_phone_enquiries_and_phone_applications_add_up_to_the_phone_channel(
    db: object, tmp_path: Path
) -> None:
    path = write_inventory(
        tmp_path / "si.csv", [inventory_row(num_phone_enquiries="300", num_applications_by_phone="ND")]
    )
    run_import("canada-services", path, agency=None)
    phone = ChannelVolume.objects.get(channel="phone")
    assert (phone.availability, phone.volume) == ("reported", 300)


def test_a_service_becomes_a_published_service_with_its_segments_kind_and_online_stages(
    db: object, tmp_path: Path
) -> None:
    path = write_inventory(
        tmp_path / "si.csv",
        [
            inventory_row(
                service_type="INFO,GNC",
                client_target_groups="PERSON,ECONOM,INTERN_GOV",
                os_decision="NA",
                os_issuance="N",
                service_fee="N",
                service_uri_en="Savings and pension plans www.canada.ca/en/savings.html",
            )
        ],
    )
    run_import("canada-services", path, agency=None)
    service = Service.objects.select_related("agency").get()
    assert service.agency.abbreviation == "IRCC"
    assert service.agency.name == "Immigration, Refugees and Citizenship Canada"
    assert (service.external_id, service.slug, service.status) == (
        "SRV00001",
        "passport-renewal",
        "published",
    )
    assert service.kind == Service.Kind.BENEFITS  # grants and contributions decide over information
    assert service.fees == "No fee"
    assert service.website == "https://www.canada.ca/en/savings.html"
    assert service.online_stages == {
        "account_registration": "Y",
        "authentication": "Y",
        "application": "Y",
        "decision": "NA",
        "issuance": "N",
        "issue_resolution_feedback": "Y",
    }
    assert "passport renewal" in service.search_text
    links = ServiceSegment.objects.filter(service=service, is_eligible=True).select_related("segment")
    assert sorted((link.segment.name, link.segment.kind) for link in links) == [
        ("Economic Segments (Businesses)", "businesses"),
        ("Internal to Government", "internal"),
        ("Persons", "individuals"),
    ]


def test_importing_the_inventory_again_updates_and_never_duplicates(db: object, tmp_path: Path) -> None:
    rows = [
        inventory_row(service_id="SRV1", num_applications_online="10"),
        inventory_row(service_id="SRV2", num_applications_online="20"),  # the same name: its own slug
    ]
    run_import("canada-services", write_inventory(tmp_path / "first.csv", rows), agency=None)
    rows[0]["service_name_en"] = "Passport renewal for adults"
    rows[0]["num_applications_online"] = "15"
    second = run_import("canada-services", write_inventory(tmp_path / "second.csv", rows), agency=None)
    assert second.summary["services_created"] == 0
    assert second.summary["services_updated"] == 2
    assert Agency.objects.count() == 1
    assert sorted(Service.objects.values_list("external_id", "slug", "name")) == [
        ("SRV1", "passport-renewal", "Passport renewal for adults"),
        ("SRV2", "passport-renewal-2", "Passport renewal"),
    ]
    assert ChannelVolume.objects.count() == 2 * len(canada.CHANNEL_COLUMNS)
    assert ServiceSegment.objects.count() == 2
    assert Segment.objects.count() == 1
    assert channel_totals()["website"] == 35


def test_a_bad_row_names_its_line_and_column_and_leaves_nothing_written(db: object, tmp_path: Path) -> None:
    path = write_inventory(
        tmp_path / "si.csv",
        [
            inventory_row(service_description_en="Two lines\nof description"),  # lines 2-3
            inventory_row(service_id="SRV2", num_applications_by_mail="12a"),  # line 4
            inventory_row(service_id=""),  # line 5
            inventory_row(service_id="SRV3", fiscal_yr="2023/24"),  # line 6
            inventory_row(service_id="SRV4", client_target_groups="PERSON,ALIENS"),  # line 7
        ],
    )
    with pytest.raises(ImportFailed) as failure:
        run_import("canada-services", path, agency=None)
    problems = [(problem.line, problem.column) for problem in failure.value.problems]
    assert problems == [
        (4, "num_applications_by_mail"),
        (5, "service_id"),
        (6, "fiscal_yr"),
        (7, "client_target_groups"),
    ]
    assert "“12a” is not a count" in str(failure.value.problems[0])
    assert Agency.objects.count() == 0
    assert Service.objects.count() == 0
    assert ChannelVolume.objects.count() == 0


def test_the_same_service_twice_in_one_year_is_a_problem(db: object, tmp_path: Path) -> None:
    path = write_inventory(tmp_path / "si.csv", [inventory_row(), inventory_row()])
    with pytest.raises(ImportFailed, match="line 3, column service_id: .*already reported .* on line 2"):
        run_import("canada-services", path, agency=None)


def test_the_import_command_loads_the_inventory_without_an_agency(db: object, tmp_path: Path) -> None:
    path = write_inventory(tmp_path / "si.csv", [inventory_row()])
    output = io.StringIO()
    call_command("import", "canada-services", str(path), stdout=OutputWrapper(output))
    assert "services_created: 1" in output.getvalue()


# --- touchpoints-services -------------------------------------------------------------------------------------

TOUCHPOINTS_HEADER = [
    "name",
    "description",
    "service_abbreviation",
    "hisp",
    "channels",
    "kind",
    "estimated_annual_volume_of_customers",
    "url",
]


def test_touchpoints_services_load_with_their_channels_kind_and_hisp_flag(
    personas: Personas, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "touchpoints.csv",
        TOUCHPOINTS_HEADER,
        [
            [
                "Apply for disability benefits",
                "Apply online or by phone.",
                "DIB",
                "true",
                "website|phone|in_person",
                "Benefits",
                "1,250,000",
                "https://alpha.example.gov/disability",
            ],
            [
                "Report a safety issue",
                "Tell us about a hazard.",
                "",
                "false",
                "phone, email",
                "Compliance",
                "",
                "",
            ],
        ],
    )
    outcome = run_import("touchpoints-services", path, agency=personas.agency_a)
    assert outcome.summary["services_created"] == 2
    benefits = Service.objects.get(agency=personas.agency_a, slug="dib")
    assert (benefits.kind, benefits.is_high_impact, benefits.estimated_annual_volume) == (
        "benefits",
        True,
        1250000,
    )
    assert benefits.status == Service.Status.DRAFT
    assert sorted(benefits.channels.values_list("channel", flat=True)) == ["in_person", "phone", "website"]
    safety = Service.objects.get(agency=personas.agency_a, name="Report a safety issue")
    assert (safety.kind, safety.is_high_impact, safety.slug) == ("compliance", False, "report-a-safety-issue")
    again = run_import("touchpoints-services", path, agency=personas.agency_a)
    assert again.summary["services_unchanged"] == 2
    assert Service.objects.filter(agency=personas.agency_a).count() == 2


def test_an_unknown_touchpoints_channel_is_named_with_the_valid_ones(
    personas: Personas, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "touchpoints.csv",
        TOUCHPOINTS_HEADER,
        [["Apply", "Apply for it.", "", "false", "website|carrier_pigeon", "Benefits", "", ""]],
    )
    errors = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was loaded"):
        call_command(
            "import", "touchpoints-services", str(path), "--agency", "AAA", stderr=OutputWrapper(errors)
        )
    message = errors.getvalue()
    assert "line 2, column channels: “carrier_pigeon” is not a channel" in message
    assert "the channels are: computer, mobile, email" in message
    assert Service.objects.count() == 0


# The columns of Touchpoints' own services export (Service.to_csv): every attribute of a service, then its
# organization and provider; no channels and no volume in that version.
TOUCHPOINTS_EXPORT_HEADER = [
    "id",
    "name",
    "description",
    "organization_id",
    "notes",
    "created_at",
    "updated_at",
    "hisp",
    "department",
    "bureau",
    "service_abbreviation",
    "service_slug",
    "url",
    "service_provider_id",
    "service_owner_id",
    "justification_text",
    "kind",
    "aasm_state",
    "transactional",
    "organization_name",
    "organization_abbreviation",
    "service_provider_id",
    "service_provider_name",
]


def test_touchpoints_own_services_export_loads_without_channels_or_volume(
    personas: Personas, tmp_path: Path
) -> None:
    row = [
        "41",
        "Renew a passport",
        "",
        "7",
        "",
        "2024-02-01 10:00:00 UTC",
        "2024-03-01 10:00:00 UTC",
        "true",
        "State",
        "Consular Affairs",
        "PPT",
        "renew-passport",
        "travel.example.gov/renew",
        "3",
        "12",
        "Millions renew each year.",
        '["Benefits", "Administrative"]',
        "approved",
        "true",
        "Department of State",
        "DOS",
        "3",
        "Passport Services",
    ]
    path = write_csv(tmp_path / "services.csv", TOUCHPOINTS_EXPORT_HEADER, [row])
    outcome = run_import("touchpoints-services", path, agency=personas.agency_a)
    assert outcome.summary["services_created"] == 1
    service = Service.objects.get(agency=personas.agency_a)
    assert (service.slug, service.kind, service.is_high_impact, service.external_id) == (
        "renew-passport",
        "benefits",
        True,
        "touchpoints:41",
    )
    assert (service.description, service.website) == ("Renew a passport", "https://travel.example.gov/renew")
    assert service.estimated_annual_volume is None and not service.channels.exists()


def test_touchpoints_volume_bands_and_channel_lists_load_as_its_users_keep_them(
    personas: Personas, tmp_path: Path
) -> None:
    header = ["name", "description", "hisp", "channels", "estimated_annual_volume_of_customers"]
    rows = [
        ["File a claim", "Claims.", "t", '["phone", "website"]', "1,000 \u2013 49,000"],
        ["Ask a question", "Questions.", "f", "{email,live_chat}", "Less than 1,000"],
        ["Get a card", "Cards.", "false", "in_person, paper", "More than 10 million"],
        ["Visit a park", "Parks.", "", "", "Unknown"],
    ]
    outcome = run_import(
        "touchpoints-services", write_csv(tmp_path / "s.csv", header, rows), agency=personas.agency_a
    )
    assert outcome.summary["volumes_from_bands"] == 4
    found = {
        s.name: (s.estimated_annual_volume, sorted(s.channels.values_list("channel", flat=True)))
        for s in Service.objects.filter(agency=personas.agency_a)
    }
    assert found == {
        "File a claim": (25_000, ["phone", "website"]),
        "Ask a question": (500, ["email", "live_chat"]),
        "Get a card": (10_000_000, ["in_person", "paper"]),
        "Visit a park": (None, []),
    }


def test_a_volume_that_is_neither_a_number_nor_a_band_names_the_bands(
    personas: Personas, tmp_path: Path
) -> None:
    header = ["name", "estimated_annual_volume_of_customers"]
    path = write_csv(tmp_path / "s.csv", header, [["File a claim", "lots"]])
    with pytest.raises(ImportFailed) as failure:
        run_import("touchpoints-services", path, agency=personas.agency_a)
    problem = failure.value.problems[0]
    assert (problem.line, problem.column) == (2, "estimated_annual_volume_of_customers")
    assert "More than 10 million" in problem.message and not Service.objects.exists()


def test_the_touchpoints_import_needs_an_agency(db: object, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "touchpoints.csv", TOUCHPOINTS_HEADER, [])
    with pytest.raises(ImportFailed, match="needs an agency"):
        run_import("touchpoints-services", path, agency=None)


# --- catalog: CSV and JSON --------------------------------------------------------------------------------------


def make_catalog(agency: Agency) -> None:
    """A small catalog with every kind of record the JSON export carries."""
    parent = Segment.objects.create(
        agency=agency, name="Veterans", kind="individuals", estimated_population=900
    )
    child = Segment.objects.create(agency=agency, name="Disabled veterans", kind="individuals", parent=parent)
    claim = Service(
        agency=agency,
        name="File a disability claim",
        description="Ask for compensation for an injury.",
        kind="benefits",
        eligibility="Veterans with a service-connected injury",
        fees="Free",
        is_high_impact=True,
        status="published",
        estimated_annual_volume=120000,
        website="https://alpha.example.gov/claim",
        online_stages={"application": "Y"},
    )
    claim.save()
    records = Service(
        agency=agency, name="Request records", description="Get a copy of your file.", kind="data"
    )
    records.save()
    ServiceChannel.objects.create(
        service=claim, channel="website", how_to_use="https://alpha.example.gov/claim"
    )
    ServiceChannel.objects.create(service=claim, channel="phone", hours="8 a.m. to 8 p.m.")
    ServiceSegment.objects.create(service=claim, segment=child, eligible_population=500, customers_served=300)
    JourneyStage.objects.create(service=claim, name="Gather evidence", kind="start", barriers="Lost records")
    provider = Provider.objects.create(
        agency=agency, name="Regional office", kind="agency_office", hours="9-5"
    )
    provider.services.set([claim])
    ChannelVolume.objects.create(
        service=claim, channel="website", period="month", period_start=dt.date(2024, 1, 1), volume=4000
    )
    ChannelVolume.objects.create(
        service=claim,
        channel="phone",
        period="month",
        period_start=dt.date(2024, 1, 1),
        volume=None,
        availability="no_data",
        source="manual",
    )


def without_agency(payload: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in payload.items() if key != "agency"}


def test_the_catalog_csv_round_trips_through_export_and_import(personas: Personas, tmp_path: Path) -> None:
    make_catalog(personas.agency_a)
    exported = tmp_path / "catalog.csv"
    call_command("export", "catalog", "--agency", "AAA", "--output", str(exported))
    call_command("import", "catalog", str(exported), "--agency", "BBB", stdout=io.StringIO())
    assert export_to_string("catalog", personas.agency_b) == export_to_string("catalog", personas.agency_a)
    second = run_import("catalog", exported, agency=personas.agency_b)
    assert second.summary["services_unchanged"] == 2
    assert Service.objects.filter(agency=personas.agency_b).count() == 2


def test_the_catalog_json_round_trips_through_export_and_import(personas: Personas, tmp_path: Path) -> None:
    make_catalog(personas.agency_a)
    exported = tmp_path / "catalog.json"
    call_command("export", "catalog-json", "--agency", "AAA", "--output", str(exported))
    payload = json.loads(exported.read_text(encoding="utf-8"))
    assert {"services", "segments", "providers", "channels", "volumes"} <= set(payload)
    call_command("import", "catalog", str(exported), "--agency", "BBB", stdout=io.StringIO())
    assert without_agency(catalog_payload(personas.agency_b)) == without_agency(payload)
    audit_entries = AuditEntry.objects.count()
    run_import("catalog", exported, agency=personas.agency_b)
    assert without_agency(catalog_payload(personas.agency_b)) == without_agency(payload)
    assert AuditEntry.objects.count() == audit_entries  # nothing changed, so nothing is logged
    assert ChannelVolume.objects.get(service__agency=personas.agency_b, channel="phone").volume is None


def test_bad_catalog_rows_name_their_line_and_column(personas: Personas, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "catalog.csv",
        [
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
        ],
        [
            ["Good", "Fine.", "Benefits", "", "", "no", "published", "10", "", "website"],
            ["Kindless", "A.", "wizardry", "", "", "no", "draft", "", "", ""],
            ["No way in", "B.", "data", "", "", "maybe", "published", "lots", "not a url", ""],
            ["Good", "Again.", "data", "", "", "no", "draft", "", "", "fax|smoke_signal"],
        ],
    )
    with pytest.raises(ImportFailed) as failure:
        run_import("catalog", path, agency=personas.agency_a)
    problems = [(problem.line, problem.column) for problem in failure.value.problems]
    assert problems == [
        (3, "kind"),
        (4, "is_high_impact"),
        (4, "estimated_annual_volume"),
        (4, "website"),
        (4, "channels"),
        (5, "name"),
    ]
    assert Service.objects.count() == 0


def test_a_bad_catalog_json_item_is_named_by_where_it_is(personas: Personas, tmp_path: Path) -> None:
    make_catalog(personas.agency_a)
    payload = catalog_payload(personas.agency_a)
    payload["volumes"][0]["volume"] = -5
    payload["channels"][0]["channel"] = "telepathy"
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(payload), encoding="utf-8")
    with pytest.raises(ImportFailed) as failure:
        run_import("catalog", path, agency=personas.agency_b)
    assert [problem.column for problem in failure.value.problems] == [
        "channels[0].channel",
        "volumes[0].volume",
    ]
    assert Service.objects.filter(agency=personas.agency_b).count() == 0
