"""XLSForms as ODK, Ona and KoboToolbox write them import through pyxform with their meaning kept (every label
language, groups, relevance, constraints, cascading choices, defaults, calculations), or are refused row by row;
and a survey exported as an XLSForm imports back to the same survey."""

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.urls import reverse

from touchstone.conftest import Personas
from touchstone.core.importing import ImportFailed, run_import
from touchstone.surveys import instrument, languages, services, xlsform
from touchstone.surveys.models import Survey, SurveyTranslation

Rows = list[list[Any]]


def write_xlsx(path: Path, sheets: dict[str, Rows]) -> Path:
    book = openpyxl.Workbook()
    for index, (name, rows) in enumerate(sheets.items()):
        sheet = book.active if index == 0 else book.create_sheet(name)
        assert sheet is not None
        sheet.title = name
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def write_xls(path: Path, sheets: dict[str, Rows]) -> Path:
    import xlwt

    book = xlwt.Workbook()
    for name, rows in sheets.items():
        sheet = book.add_sheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                sheet.write(r, c, value)
    book.save(str(path))
    return path


# A Kobo-style form: "list name" with a space, single-colon language headers, "select one from LIST", a dotted
# name, the same name in two groups, a cascade, a default, a constraint with its message, a calculation.
KOBO_FORM: dict[str, Rows] = {
    "survey": [
        [
            "type",
            "name",
            "label:English (en)",
            "label:Arabic (ar)",
            "label:Español (es)",
            "hint:English (en)",
            "required",
            "relevant",
            "constraint",
            "constraint_message:English (en)",
            "calculation",
            "choice_filter",
            "default",
            "appearance",
        ],
        ["start", "start", "", "", "", "", "", "", "", "", "", "", "", ""],
        ["begin group", "visit", "Your visit", "زيارتك", "Su visita", "", "", "", "", "", "", "", "", ""],
        [
            "select one from states",
            "state",
            "Which state?",
            "أي ولاية؟",
            "¿Qué estado?",
            "",
            "yes",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
        ],
        [
            "select one cities",
            "city",
            "Which city?",
            "أي مدينة؟",
            "¿Qué ciudad?",
            "",
            "",
            "",
            "",
            "",
            "",
            "state=${state}",
            "",
            "minimal",
        ],
        [
            "integer",
            "age",
            "Your age",
            "عمرك",
            "Su edad",
            "In years",
            "",
            "",
            ". >= 18 and . <= 120",
            "Between 18 and 120",
            "",
            "",
            "30",
            "",
        ],
        [
            "text",
            "age.note",
            "Anything about your age?",
            "",
            "",
            "",
            "",
            "${state} = 'ca'",
            "",
            "",
            "",
            "",
            "",
            "",
        ],
        ["text", "comment", "Anything else?", "", "", "", "", "", "", "", "", "", "", "multiline"],
        ["end group", "", "", "", "", "", "", "", "", "", "", "", "", ""],
        ["begin group", "again", "Once more", "مرة أخرى", "", "", "", "", "", "", "", "", "", ""],
        [
            "select all that apply from states or_other",
            "lived",
            "States you lived in",
            "الولايات",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
        ],
        ["text", "comment", "Anything else, again?", "", "", "", "", "", "", "", "", "", "", ""],
        ["calculate", "summary", "", "", "", "", "", "", "", "", "concat(${city}, '-', ${age})", "", "", ""],
        ["end group", "", "", "", "", "", "", "", "", "", "", "", "", ""],
    ],
    "choices": [
        ["list name", "name", "label:English (en)", "label:Arabic (ar)", "label:Español (es)", "state"],
        ["states", "ca", "California", "كاليفورنيا", "California", ""],
        ["states", "ny", "New York", "نيويورك", "Nueva York", ""],
        ["cities", "la", "Los Angeles", "لوس أنجلوس", "Los Ángeles", "ca"],
        ["cities", "sf", "San Francisco", "سان فرانسيسكو", "San Francisco", "ca"],
        ["cities", "nyc", "New York City", "مدينة نيويورك", "Nueva York", "ny"],
    ],
    "settings": [
        ["form_title", "form_id", "version", "default_language"],
        ["Visit", "visit_form", "7", "English (en)"],
    ],
}


def imported(personas: Personas, path: Path) -> tuple[Survey, dict[str, Any]]:
    outcome = run_import("xlsform", path, agency=personas.agency_a, actor=personas.analyst_a)
    return Survey.objects.get(pk=outcome.summary["survey"]), outcome.summary


def test_a_kobo_form_keeps_its_groups_languages_cascade_default_and_constraint(
    personas: Personas, tmp_path: Path
) -> None:
    survey, summary = imported(personas, write_xlsx(tmp_path / "kobo.xlsx", KOBO_FORM))
    assert survey.title == "Visit" and survey.default_language == "en"
    assert languages.languages_of(survey) == ["en", "es", "ar"]
    questions = {q.key: q for q in survey.questions.select_related("page")}
    assert list(questions) == [
        "state",
        "city",
        "age",
        "age_note",
        "comment",
        "lived",
        "again_comment",
        "summary",
    ]
    # A dotted name and a name used in two groups get keys of their own; the form's names are kept for export.
    assert questions["age_note"].xlsform["name"] == "age.note"
    assert questions["again_comment"].xlsform == {"name": "comment", "path": "again/comment"}
    assert questions["comment"].kind == "long_text"
    assert questions["lived"].kind == "multiple" and questions["lived"].allow_other
    assert [c["value"] for c in questions["lived"].choices] == ["ca", "ny"]
    assert questions["city"].kind == "dropdown"
    assert questions["city"].xlsform["cascade"] == {"column": "state", "question": "state"}
    assert questions["age_note"].show_if == {"question": "state", "values": ["ca"]}
    assert questions["state"].text_es == "¿Qué estado?"
    arabic = SurveyTranslation.objects.get(survey=survey, language="ar").texts
    assert arabic[f"question:{questions['state'].pk}:text"] == "أي ولاية؟"
    assert arabic[f"question:{questions['city'].pk}:choice:la"] == "لوس أنجلوس"
    assert [page.title for page in survey.pages.all()] == ["Your visit", "Once more"]
    assert summary["languages"] == "en, ar, es"
    assert summary["notice"] == (
        "Filled in by the collecting device, so not kept: start. Calculation kept but not run: summary."
    )


def test_the_public_form_runs_the_kept_constraint_cascade_and_default(
    personas: Personas, tmp_path: Path
) -> None:
    survey, _summary = imported(personas, write_xlsx(tmp_path / "kobo.xlsx", KOBO_FORM))
    survey.omb_control_number, survey.omb_expiration_date = "1090-0011", dt.date(2099, 1, 1)
    survey.save()
    services.change_status(actor=personas.analyst_a, survey=survey, status="published")
    survey.refresh_from_db()
    assert survey.current_version is not None
    questions = {q["key"]: q for q in survey.current_version.questions()}
    too_young = instrument.check_answers(list(questions.values()), {"state": "ca", "age": "12"})
    assert too_young.errors == {"age": "“Your age”: Between 18 and 120"}
    wrong_city = instrument.check_answers(list(questions.values()), {"state": "ca", "city": "nyc"})
    assert "city" in wrong_city.errors
    assert instrument.check_answers(list(questions.values()), {"state": "ca", "city": "sf"}).errors == {}
    from touchstone.surveys import collection

    shown = {
        q["key"]: q for q in collection.questions_to_show(list(questions.values()), "ar", {}, {"state": "ny"})
    }
    assert shown["city"]["options"] == [("nyc", "مدينة نيويورك")]
    assert shown["age"]["value"] == "30" and shown["age"]["label"] == "عمرك"


def test_an_xls_workbook_imports_like_an_xlsx(personas: Personas, tmp_path: Path) -> None:
    survey, _summary = imported(personas, write_xls(tmp_path / "kobo.xls", KOBO_FORM))
    assert survey.questions.count() == 8 and languages.languages_of(survey) == ["en", "es", "ar"]


def test_what_a_web_survey_cannot_hold_is_refused_row_by_row_in_one_message(
    personas: Personas, tmp_path: Path
) -> None:
    form = {
        "survey": [
            ["type", "name", "label"],
            ["text", "name", "Your name"],
            ["geopoint", "where", "Where are you?"],
            ["image", "photo", "A photo"],
            ["imei", "imei", ""],
            ["audio", "voice", "Say it"],
            ["begin_repeat", "children", "Each child"],
            ["text", "child", "Name"],
            ["end_repeat", "", ""],
            ["select_one_from_file towns.csv", "town", "Town"],
        ]
    }
    with pytest.raises(ImportFailed) as failure:
        run_import("xlsform", write_xlsx(tmp_path / "form.xlsx", form), agency=personas.agency_a)
    problems = failure.value.problems
    assert [(p.line, p.column) for p in problems] == [(n, "type (survey sheet)") for n in (3, 4, 5, 6, 7, 10)]
    for problem, kind in zip(
        problems, ["geopoint", "image", "imei", "audio", "begin_repeat", "towns.csv"], strict=True
    ):
        assert kind in problem.message
    assert not Survey.objects.exists()


def test_a_language_without_a_known_code_is_refused_with_the_column_named(
    personas: Personas, tmp_path: Path
) -> None:
    form = {"survey": [["type", "name", "label::English", "label::Klingon"], ["text", "a", "A", "Qa"]]}
    with pytest.raises(ImportFailed) as failure:
        run_import("xlsform", write_xlsx(tmp_path / "form.xlsx", form), agency=personas.agency_a)
    [problem] = failure.value.problems
    assert problem.column == "label::Klingon (survey sheet)" and "(fr)" in problem.message


def comparable(survey: Survey) -> dict[str, Any]:
    """The survey as respondents meet it, with translations keyed by question key instead of database ids."""
    questions = list(survey.questions.select_related("page").order_by("page__position", "position"))
    # Pages and questions are numbered apart (page 1 and question 1 can both exist): keyed by kind and number.
    ids = {("question", str(q.pk)): q.key for q in questions} | {
        ("page", str(p.pk)): f"page{p.position}" for p in survey.pages.all()
    }

    def rekey(text_id: str) -> str:
        parts = text_id.split(":")
        if len(parts) > 1 and (parts[0], parts[1]) in ids:
            parts[1] = ids[(parts[0], parts[1])]
        return ":".join(parts)

    return {
        "title": survey.title,
        "default_language": survey.default_language,
        "pages": [(p.position, p.title, p.xlsform) for p in survey.pages.all()],
        "questions": [
            (
                q.page.position,
                q.key,
                q.kind,
                q.text,
                q.help_text,
                q.required,
                q.choices,
                q.allow_other,
                q.show_if,
                q.max_length,
                q.xlsform,
            )
            for q in questions
        ],
        "languages": {
            code: {rekey(k): v for k, v in languages.translation_of(survey, code).items()}
            for code in languages.languages_of(survey)
        },
    }


def test_an_exported_xlsform_imports_back_to_the_same_survey(personas: Personas, tmp_path: Path) -> None:
    first, _summary = imported(personas, write_xlsx(tmp_path / "kobo.xlsx", KOBO_FORM))
    exported = tmp_path / "exported.xlsx"
    exported.write_bytes(xlsform.export_form(first))
    second, _summary = imported(personas, exported)
    assert comparable(second) == comparable(first)


def test_a_survey_built_here_survives_the_round_trip_too(personas: Personas, tmp_path: Path) -> None:
    survey = services.create_survey(
        actor=personas.analyst_a, agency=personas.agency_a, data={"title": "Built here"}, blueprint="a11-v2"
    )
    services.add_language(actor=personas.analyst_a, survey=survey, language="ar")
    question = survey.questions.first()
    assert question is not None
    services.save_translation(
        actor=personas.analyst_a, survey=survey, language="ar", texts={f"question:{question.pk}:text": "سؤال"}
    )
    exported = tmp_path / "built.xlsx"
    exported.write_bytes(xlsform.export_form(survey))
    again, _summary = imported(personas, exported)
    before, after = comparable(survey), comparable(again)
    assert [q[1:8] for q in after["questions"]] == [q[1:8] for q in before["questions"]]
    assert after["languages"]["ar"] == before["languages"]["ar"]


def test_a_member_downloads_the_survey_as_an_xlsform(personas: Personas, client: Any, tmp_path: Path) -> None:
    survey, _summary = imported(personas, write_xlsx(tmp_path / "kobo.xlsx", KOBO_FORM))
    client.force_login(personas.viewer_a.user if hasattr(personas.viewer_a, "user") else personas.viewer_a)
    response = client.get(reverse("manage:surveys:xlsform", args=[personas.agency_a.slug, survey.pk]))
    assert (
        response.status_code == 200 and response["Content-Disposition"] == 'attachment; filename="visit.xlsx"'
    )
    (tmp_path / "download.xlsx").write_bytes(response.content)
    sheet = openpyxl.load_workbook(tmp_path / "download.xlsx")["survey"]
    header = [cell.value for cell in next(sheet.iter_rows(max_row=1))]
    assert {
        "label::English (en)",
        "label::Arabic (ar)",
        "label::Español (es)",
        "choice_filter",
        "calculation",
    } <= set(header)
