"""One door for data: `manage.py import`, the upload page and the API share the importers; all-or-nothing."""

import csv
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.core.management.base import OutputWrapper
from django.urls import reverse

from touchstone.conftest import Personas, shared_file
from touchstone.core.importers import CANADA_INVENTORY_SOURCE
from touchstone.core.importing import ImportFailed, run_import
from touchstone.core.models import Agency, AuditEntry, ImportRun

HEADER = ["fiscal_yr", "service_id", "service_name_en", "owner_org", "owner_org_title"]


def write_inventory(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def test_the_canada_inventory_loads_its_79_departments_as_agencies(db: object) -> None:
    path = shared_file("canada-service-standards", "si_2024.csv", source=CANADA_INVENTORY_SOURCE)
    outcome = run_import("canada-agencies", path, agency=None)
    assert outcome.summary["rows"] == 1752
    assert outcome.summary["departments"] == 79
    assert Agency.objects.exclude(external_code="").count() == 79
    assert Agency.objects.get(external_code="cbsa-asfc").name == "Canada Border Services Agency"


def test_loading_the_inventory_twice_changes_nothing(db: object, tmp_path: Path) -> None:
    path = write_inventory(
        tmp_path / "si.csv", [["2023-2024", "1", "A", "abc-def", "Alpha Canada | Alpha FR"]]
    )
    run_import("canada-agencies", path, agency=None)
    second = run_import("canada-agencies", path, agency=None)
    assert second.summary["agencies_created"] == 0
    assert Agency.objects.count() == 1


def test_a_bad_row_names_its_line_and_column_and_nothing_is_written(db: object, tmp_path: Path) -> None:
    path = tmp_path / "si.csv"
    path.write_text(
        ",".join(HEADER) + "\n"
        '2023-2024,1,"Multi\nline name",abc-def,Alpha Canada | Alpha\n'  # a record spanning lines 2-3
        "2023-2024,2,B,,Beta Canada\n"  # line 4: no code
        "2023-2024,3,C,ghi-jkl,\n"  # line 5: no title
    )
    with pytest.raises(ImportFailed) as failure:
        run_import("canada-agencies", path, agency=None)
    problems = [(p.line, p.column) for p in failure.value.problems]
    assert problems == [(4, "owner_org"), (5, "owner_org_title")]
    assert Agency.objects.count() == 0


def test_a_file_missing_a_column_says_which(db: object, tmp_path: Path) -> None:
    path = tmp_path / "si.csv"
    path.write_text("fiscal_yr,owner_org\n2024,abc\n")
    with pytest.raises(ImportFailed, match="owner_org_title"):
        run_import("canada-agencies", path, agency=None)


def test_a_dry_run_checks_and_writes_nothing(db: object, tmp_path: Path) -> None:
    path = write_inventory(tmp_path / "si.csv", [["2023-2024", "1", "A", "abc-def", "Alpha Canada"]])
    outcome = run_import("canada-agencies", path, agency=None, dry_run=True)
    assert outcome.summary["departments"] == 1
    assert Agency.objects.count() == 0


def test_the_import_command_reports_each_problem_and_fails(db: object, tmp_path: Path) -> None:
    path = write_inventory(tmp_path / "si.csv", [["2023-2024", "1", "A", "", "Alpha"]])
    errors = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was loaded"):
        call_command("import", "canada-agencies", str(path), stderr=OutputWrapper(errors))
    assert "line 2, column owner_org" in errors.getvalue()


def test_the_import_command_names_the_kinds_when_one_is_unknown(db: object, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="the kinds are: .*canada-agencies"):
        call_command("import", "spreadsheets", str(tmp_path / "x.csv"))


def test_the_export_command_writes_agencies(personas: Personas) -> None:
    out = io.StringIO()
    call_command("export", "agencies", stdout=out)
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0][:2] == ["abbreviation", "name"]
    assert ["AAA", "Agency of Alpha"] in [row[:2] for row in rows]


def test_an_agency_exports_its_own_offices_only(personas: Personas) -> None:
    response = personas.client(personas.admin_a).get(
        reverse("manage:export", args=[personas.agency_a.slug, "offices"])
    )
    body = response.content.decode()
    assert response["Content-Disposition"] == 'attachment; filename="aaa-offices.csv"'
    assert "Alpha Field Office" in body and "Beta Contact Center" not in body


def installation_staff(personas: Personas) -> object:
    """The agency's analyst, made a Django superuser: installation staff who run installation-wide imports."""
    personas.analyst_a.is_superuser = True
    personas.analyst_a.save(update_fields=["is_superuser"])
    return personas.analyst_a


def test_an_upload_runs_as_a_task_and_its_page_shows_the_outcome(
    personas: Personas, tmp_path: Path, django_capture_on_commit_callbacks: object
) -> None:
    path = write_inventory(tmp_path / "si.csv", [["2023-2024", "1", "A", "xyz-abc", "Xyz Canada"]])
    client = personas.client(installation_staff(personas))  # type: ignore[arg-type]
    with django_capture_on_commit_callbacks(execute=True), path.open("rb") as upload:  # type: ignore[operator]
        response = client.post(
            reverse("manage:imports", args=[personas.agency_a.slug]),
            {"kind": "canada-agencies", "file": upload},
        )
    run = ImportRun.objects.get()
    assert response["Location"] == reverse("manage:import-run", args=[personas.agency_a.slug, run.pk])
    assert run.status == ImportRun.Status.SUCCEEDED
    page = client.get(response["Location"]).content.decode()
    assert "agencies_created: 1" in page
    status = client.get(response["Location"] + "?format=json").json()
    assert status == {
        "status": "succeeded",
        "status_label": "Loaded",
        "rows_done": 1,
        "rows_total": 1,
        "percent": 100,
        "finished": True,
    }
    assert AuditEntry.objects.filter(action="started import", agency=personas.agency_a).exists()


def test_a_failed_upload_lists_its_problems_on_the_page(
    personas: Personas, tmp_path: Path, django_capture_on_commit_callbacks: object
) -> None:
    path = write_inventory(tmp_path / "si.csv", [["2023-2024", "1", "A", "", "No code"]])
    client = personas.client(installation_staff(personas))  # type: ignore[arg-type]
    with django_capture_on_commit_callbacks(execute=True), path.open("rb") as upload:  # type: ignore[operator]
        response = client.post(
            reverse("manage:imports", args=[personas.agency_a.slug]),
            {"kind": "canada-agencies", "file": upload},
        )
    page = client.get(response["Location"]).content.decode()
    assert "Nothing was loaded" in page
    assert "The department code is empty" in page


def test_an_upload_of_the_wrong_file_type_is_refused_at_the_form(personas: Personas) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = personas.client(personas.admin_a).post(
        reverse("manage:imports", args=[personas.agency_a.slug]),
        {"kind": "touchpoints-services", "file": SimpleUploadedFile("inventory.xlsx", b"PK")},
    )
    assert "This kind of import takes .csv files" in response.content.decode()
    assert not ImportRun.objects.exists()


# --- installation-wide kinds: only installation staff ------------------------------------------------------------

INSTALLATION_WIDE = ["canada-agencies", "canada-services", "canada-standards"]


@pytest.mark.parametrize("role", ["admin_a", "analyst_a"])
def test_an_agencys_admin_and_analyst_are_not_offered_the_installation_wide_kinds(
    personas: Personas, role: str
) -> None:
    page = personas.client(getattr(personas, role)).get(
        reverse("manage:imports", args=[personas.agency_a.slug])
    )
    body = page.content.decode()
    assert "touchpoints-services" in body
    assert not any(kind in body for kind in INSTALLATION_WIDE)


@pytest.mark.parametrize("kind", INSTALLATION_WIDE)
def test_an_agency_admin_cannot_post_an_installation_wide_import_to_rename_another_agency(
    personas: Personas, tmp_path: Path, kind: str, django_capture_on_commit_callbacks: object
) -> None:
    personas.agency_b.external_code = "bbb-ccc"
    personas.agency_b.save()
    path = write_inventory(tmp_path / "si.csv", [["2023-2024", "1", "A", "bbb-ccc", "Renamed by Alpha"]])
    with django_capture_on_commit_callbacks(execute=True), path.open("rb") as upload:
        response = personas.client(personas.admin_a).post(
            reverse("manage:imports", args=[personas.agency_a.slug]), {"kind": kind, "file": upload}
        )
    assert response.status_code == 200  # the form refuses the kind
    assert "Select a valid choice" in response.content.decode()
    personas.agency_b.refresh_from_db()
    assert personas.agency_b.name == "Bureau of Beta"
    assert not ImportRun.objects.exists()
    assert Agency.objects.count() == 2


def test_the_import_service_refuses_an_installation_wide_kind_to_anyone_but_installation_staff(
    personas: Personas,
) -> None:
    from django.core.exceptions import PermissionDenied

    from touchstone.core import services

    for actor in (personas.admin_a, personas.overseer, None):
        with pytest.raises(PermissionDenied, match="Only installation staff"):
            services.start_import(
                actor=actor,
                agency=personas.agency_a,
                kind="canada-agencies",
                upload=io.BytesIO(b"owner_org,owner_org_title\n"),
                original_name="si.csv",
            )
    assert not ImportRun.objects.exists()


def test_installation_staff_are_offered_the_installation_wide_kinds(personas: Personas) -> None:
    client = personas.client(installation_staff(personas))  # type: ignore[arg-type]
    body = client.get(reverse("manage:imports", args=[personas.agency_a.slug])).content.decode()
    assert all(kind in body for kind in INSTALLATION_WIDE)
