"""CFPB files in, all-or-nothing with every bad line named; the agency's cases out without private narratives."""

import csv
import io
from pathlib import Path

import pytest
from django.core.management import call_command

from touchstone.complaints.importers import CFPB_COLUMNS
from touchstone.complaints.models import Case, Topic
from touchstone.complaints.tests.factories import file_case
from touchstone.conftest import Personas
from touchstone.core.importing import ImportFailed, export_to_string, run_import


def cfpb_row(**values: str) -> list[str]:
    row = {
        "Date received": "2024-03-05",
        "Product": "Debt collection",
        "Sub-product": "",
        "Issue": "Attempts to collect debt not owed",
        "Sub-issue": "",
        "Consumer complaint narrative": "",
        "Company public response": "",
        "Company": "Agency of Alpha",
        "State": "MD",
        "ZIP code": "21201",
        "Tags": "",
        "Consumer consent provided?": "",
        "Submitted via": "Web",
        "Date sent to company": "2024-03-06",
        "Company response to consumer": "Closed with explanation",
        "Timely response?": "Yes",
        "Consumer disputed?": "No",
        "Complaint ID": "8400001",
    } | values
    return [row[column] for column in CFPB_COLUMNS]


def write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(CFPB_COLUMNS)
        writer.writerows(rows)
    return path


def test_a_cfpb_file_with_bad_rows_reports_each_line_and_column_and_writes_nothing(
    personas: Personas, tmp_path: Path
) -> None:
    path = write(
        tmp_path / "cfpb.csv",
        [
            cfpb_row(),
            cfpb_row(**{"Date received": "March 5th", "Complaint ID": "8400002"}),
            cfpb_row(**{"Company response to consumer": "Ignored", "Complaint ID": "8400003"}),
            cfpb_row(**{"Complaint ID": "8400001"}),
        ],
    )
    with pytest.raises(ImportFailed) as failure:
        run_import("cfpb", path, agency=personas.agency_a)
    where = [(problem.line, problem.column) for problem in failure.value.problems]
    assert where == [(3, "Date received"), (4, "Company response to consumer"), (5, "Complaint ID")]
    assert Case.objects.count() == 0 and Topic.objects.count() == 0


def test_a_good_cfpb_file_becomes_cases_with_topics_and_outcomes_whatever_the_date_form(
    personas: Personas, tmp_path: Path
) -> None:
    path = write(
        tmp_path / "cfpb.csv",
        [
            cfpb_row(),
            cfpb_row(
                **{
                    "Date received": "03/07/24",
                    "Complaint ID": "8400002",
                    "Company response to consumer": "Closed with monetary relief",
                }
            ),
            cfpb_row(
                **{
                    "Date received": "2024/3/9",
                    "Complaint ID": "8400003",
                    "Company response to consumer": "In progress",
                    "Consumer complaint narrative": "They call me daily.",
                    "Consumer consent provided?": "Consent provided",
                }
            ),
        ],
    )
    call_command("import", "cfpb", str(path), agency="AAA", stdout=io.StringIO())
    cases = {case.external_id: case for case in Case.objects.all()}
    assert [cases[i].received_at.date().isoformat() for i in ["8400001", "8400002", "8400003"]] == [
        "2024-03-05",
        "2024-03-07",
        "2024-03-09",
    ]
    assert cases["8400002"].outcome == Case.Outcome.MONETARY and cases["8400002"].state == Case.State.CLOSED
    assert cases["8400003"].state == Case.State.IN_PROGRESS
    assert str(cases["8400001"].topic) == "Debt collection — Attempts to collect debt not owed"
    exported = export_to_string("complaints", personas.agency_a)
    assert "They call me daily." in exported, "consented narratives may go out"


def test_the_export_leaves_out_narratives_without_consent(personas: Personas) -> None:
    file_case(personas, "A private story about my health.")
    exported = export_to_string("complaints", personas.agency_a)
    assert "Tracking number" in exported.splitlines()[0]
    assert "private story" not in exported and "pat@example.com" not in exported
