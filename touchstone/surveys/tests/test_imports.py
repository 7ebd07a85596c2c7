"""An XLSForm from ODK or KoboToolbox becomes a draft survey, and responses collected elsewhere load into a
survey, all-or-nothing, each bad value reported by line (or sheet row) and column."""

import csv
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from touchstone.conftest import Personas
from touchstone.core.importing import ImportFailed, run_import
from touchstone.surveys.models import Question, Response, Survey
from touchstone.surveys.tests.factories import published_survey

SURVEY_HEADER = ["type", "name", "label", "label::Spanish (es)", "hint", "required", "relevant", "constraint"]
CHOICES_HEADER = ["list_name", "name", "label", "label::Spanish (es)"]
CHOICES = [
    ["visit", "online", "Online", "En línea"],
    ["visit", "office", "At an office", "En una oficina"],
    ["helped", "yes", "Yes", "Sí"],
    ["helped", "no", "No", "No"],
]


def workbook(
    tmp_path: Path, rows: list[list[Any]], choices: list[list[Any]] = CHOICES, title: str = ""
) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "survey"
    sheet.append(SURVEY_HEADER)
    for row in rows:
        sheet.append(row)
    choice_sheet = book.create_sheet("choices")
    choice_sheet.append(CHOICES_HEADER)
    for row in choices:
        choice_sheet.append(row)
    if title:
        settings = book.create_sheet("settings")
        settings.append(["form_title", "form_title::Spanish (es)", "form_id"])
        settings.append([title, "Encuesta de visita", "visit"])
    path = tmp_path / "form.xlsx"
    book.save(path)
    return path


GOOD_FORM = [
    ["start", "start", "", "", "", "", "", ""],
    ["note", "welcome", "Thank you for visiting.", "Gracias por su visita.", "", "", "", ""],
    ["select_one visit", "how", "How did you visit?", "¿Cómo nos visitó?", "", "yes", "", ""],
    [
        "select_multiple helped or_other",
        "what",
        "What helped?",
        "¿Qué ayudó?",
        "",
        "",
        "${how} = 'office'",
        "",
    ],
    ["begin_group", "about", "About you", "Sobre usted", "", "", "", ""],
    ["integer", "age", "Your age", "Su edad", "In years", "no", "", ". >= 0"],
    ["text", "comment", "Anything else?", "¿Algo más?", "", "", "", "string-length(.) <= 500"],
    ["date", "visited_on", "When?", "¿Cuándo?", "", "", "", ""],
    ["hidden", "score", "", "", "", "", "", ""],
    ["end_group", "", "", "", "", "", "", ""],
]


def test_an_xlsform_becomes_a_draft_survey_with_the_right_questions(
    personas: Personas, tmp_path: Path
) -> None:
    path = workbook(tmp_path, GOOD_FORM, title="Visit survey")
    outcome = run_import("xlsform", path, agency=personas.agency_a, actor=personas.analyst_a)
    survey = Survey.objects.get(pk=outcome.summary["survey"])
    assert survey.agency == personas.agency_a and survey.status == Survey.Status.DRAFT
    assert survey.title == "Visit survey" and survey.title_es == "Encuesta de visita"
    assert survey.created_by == personas.analyst_a
    questions = {q.key: q for q in Question.objects.filter(survey=survey).select_related("page")}
    assert {key: q.kind for key, q in questions.items()} == {
        "welcome": "display",
        "how": "single",
        "what": "multiple",
        "age": "number",
        "comment": "short_text",
        "visited_on": "date",
        "score": "hidden",
    }
    how, what = questions["how"], questions["what"]
    assert how.required and how.text_es == "¿Cómo nos visitó?"
    assert how.choices == [
        {"value": "online", "label": "Online", "label_es": "En línea"},
        {"value": "office", "label": "At an office", "label_es": "En una oficina"},
    ]
    assert what.allow_other and what.show_if == {"question": "how", "values": ["office"]}
    assert questions["age"].help_text == "In years" and questions["comment"].max_length == 500
    assert questions["age"].page.position == 2 and questions["age"].page.title == "About you"
    assert questions["age"].xlsform["constraint"] == ". >= 0"
    # Every condition and constraint of this form runs; the summary says what was left out.
    assert outcome.summary["notice"] == "Filled in by the collecting device, so not kept: start."


def test_an_unsupported_xlsform_row_is_reported_by_sheet_row_and_column(
    personas: Personas, tmp_path: Path
) -> None:
    rows = [
        ["select_one visit", "how", "How did you visit?", "", "", "", "", ""],
        ["geopoint", "where", "Where are you?", "", "", "", "", ""],
        ["select_one colours", "colour", "Favorite colour?", "", "", "", "", ""],
        ["text", "why", "Why?", "", "", "", "${how} > 3 and ${how} < 5", ""],
    ]
    with pytest.raises(ImportFailed) as failure:
        run_import("xlsform", workbook(tmp_path, rows), agency=personas.agency_a)
    problems = [(p.line, p.column) for p in failure.value.problems]
    # The type a web survey cannot hold is named on its row; then pyxform's own first refusal, with its row.
    assert problems == [(3, "type (survey sheet)"), (4, "")]
    assert "geopoint" in failure.value.problems[0].message
    assert "colours" in failure.value.problems[1].message
    assert not Survey.objects.exists()


def test_the_import_command_loads_an_xlsform(personas: Personas, tmp_path: Path) -> None:
    call_command("import", "xlsform", str(workbook(tmp_path, GOOD_FORM)), "--agency", "AAA")
    assert Survey.objects.get().questions.count() == 7


# --- survey-responses -----------------------------------------------------------------------------------------


def responses_file(tmp_path: Path, header: list[str], rows: list[list[Any]]) -> Path:
    path = tmp_path / "responses.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_responses_collected_elsewhere_load_with_their_design_columns(
    personas: Personas, tmp_path: Path
) -> None:
    survey = published_survey(personas.agency_a, blueprint="a11-v2")
    header = [
        "survey",
        "question_1",
        "positive",
        "question_4",
        "submitted_at",
        "channel",
        "weight",
        "stratum",
        "cluster",
        "population_size",
    ]
    rows = [
        [
            survey.short_code,
            "5",
            "ease; employee",
            "Quick",
            "2026-01-15",
            "paper",
            "2.5",
            "north",
            "c1",
            "1200",
        ],
        [survey.short_code, "2", "", "", "2026-01-16T09:30", "phone", "", "", "", ""],
    ]
    outcome = run_import("survey-responses", responses_file(tmp_path, header, rows), agency=personas.agency_a)
    assert outcome.summary == {"rows": 2, "responses": 2, "surveys": 1}
    first, second = Response.objects.filter(survey=survey).order_by("submitted_at")
    assert first.answers == {"question_1": 5, "positive": ["ease", "employee"], "question_4": "Quick"}
    assert first.source == Response.Source.IMPORT and first.channel == "paper"
    assert (first.weight, first.stratum, first.cluster, first.population_size) == (2.5, "north", "c1", 1200.0)
    assert first.submitted_at.date().isoformat() == "2026-01-15"
    assert first.version == survey.current_version
    assert second.answers == {"question_1": 2} and second.weight is None


def test_a_bad_response_row_loads_nothing_and_is_reported_by_line_and_column(
    personas: Personas, tmp_path: Path
) -> None:
    survey = published_survey(personas.agency_a, blueprint="a11-v2")
    header = ["survey", "question_1", "positive", "channel", "weight", "colour"]
    rows = [
        [survey.short_code, "5", "ease", "paper", "1", ""],
        [survey.short_code, "9", "", "paper", "1", ""],
        [survey.short_code, "4", "teleport", "carrier pigeon", "-2", "blue"],
        ["nosuchcode", "4", "", "", "", ""],
    ]
    with pytest.raises(ImportFailed) as failure:
        run_import("survey-responses", responses_file(tmp_path, header, rows), agency=personas.agency_a)
    problems = {(p.line, p.column) for p in failure.value.problems}
    assert problems == {
        (3, "question_1"),
        (4, "positive"),
        (4, "colour"),
        (4, "channel"),
        (4, "weight"),
        (5, "survey"),
    }
    assert not Response.objects.exists()


def test_responses_cannot_be_loaded_into_another_agencys_survey(personas: Personas, tmp_path: Path) -> None:
    theirs = published_survey(personas.agency_b)
    path = responses_file(tmp_path, ["survey", "satisfaction"], [[theirs.short_code, "4"]])
    with pytest.raises(CommandError):
        call_command("import", "survey-responses", str(path), "--agency", "AAA")
    assert not Response.objects.exists()


def test_a_required_answer_missing_from_an_imported_row_is_reported(
    personas: Personas, tmp_path: Path
) -> None:
    survey = published_survey(personas.agency_a)
    path = responses_file(tmp_path, ["survey", "satisfaction", "ease"], [[survey.short_code, "", "4"]])
    with pytest.raises(ImportFailed) as failure:
        run_import("survey-responses", path, agency=personas.agency_a)
    assert [(p.line, p.column) for p in failure.value.problems] == [(2, "satisfaction")]


def test_an_analyst_uploads_an_xlsform_on_the_imports_page(
    personas: Personas, tmp_path: Path, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    client = personas.client(personas.analyst_a)
    with django_capture_on_commit_callbacks(execute=True), workbook(tmp_path, GOOD_FORM).open("rb") as upload:
        page = client.post(
            reverse("manage:imports", args=[personas.agency_a.slug]), {"kind": "xlsform", "file": upload}
        )
    assert page.status_code == 302
    survey = Survey.objects.get(agency=personas.agency_a)
    assert survey.title == "form" and survey.questions.count() == 7
