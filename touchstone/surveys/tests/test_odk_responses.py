"""The CSV exports of ODK Central, Ona and KoboToolbox load as responses to the survey their XLSForm became:
group paths, bookkeeping columns and instance ids read, not refused; a second import of the same export adds
nothing; a file in another encoding is refused with its line named."""

import datetime as dt
from pathlib import Path

import pytest

from touchstone.conftest import Personas
from touchstone.core.importing import ImportFailed, run_import
from touchstone.surveys import services
from touchstone.surveys.models import Response, Survey
from touchstone.surveys.tests.test_xlsform import KOBO_FORM, write_xlsx

ONA = (
    "start,end,visit/state,visit/city,visit/age,visit/age.note,visit/comment,again/lived,again/lived/ca,"
    "again/lived/ny,again/lived_other,again/comment,again/summary,meta/instanceID,_id,_uuid,_submission_time,"
    "_tags,_notes,_version,_duration,_submitted_by,_xform_id_string\n"
    "2026-03-01T10:00:00,2026-03-01T10:05:00,ca,la,34,Fine,,ca other,True,False,Oregon,,la-34,"
    "uuid:0b1e7c4e-0001,101,0b1e7c4e-0001,2026-03-01T10:05:00,,,7,300,,visit_form\n"
    "2026-03-02T10:00:00,2026-03-02T10:05:00,ny,nyc,51,n/a,Long wait,ny,False,True,n/a,,nyc-51,"
    "uuid:0b1e7c4e-0002,102,0b1e7c4e-0002,2026-03-02T10:05:00,,,7,300,,visit_form\n"
)
KOBO = (
    "\ufeffstart;end;state;city;age;age.note;comment;lived;lived/ca;lived/ny;lived_other;summary;__version__;"
    "meta/instanceID;_id;_uuid;_submission_time;_validation_status;_notes;_status;_submitted_by;_tags;_index\n"
    "2026-03-01T10:00:00;2026-03-01T10:05:00;ca;sf;29;;;ca;1;0;;sf-29;vXy;uuid:kobo-1;1;kobo-1;"
    "2026-03-01T10:05:00;;;submitted_via_web;;;1\n"
)
CENTRAL = (
    "SubmissionDate,start,end,visit-state,visit-city,visit-age,visit-age.note,visit-comment,again-lived,"
    "again-lived_other,again-comment,again-summary,meta-instanceID,KEY,SubmitterID,SubmitterName,"
    "AttachmentsPresent,AttachmentsExpected,Status,ReviewState,DeviceID,Edits,FormVersion\n"
    "2026-03-03T09:00:00.000Z,2026-03-03T08:55:00.000Z,2026-03-03T09:00:00.000Z,ny,nyc,44,,,ny ca,,,nyc-44,"
    "uuid:central-1,uuid:central-1,5,collector,0,0,,approved,,0,7\n"
)


@pytest.fixture
def survey(personas: Personas, tmp_path: Path) -> Survey:
    outcome = run_import("xlsform", write_xlsx(tmp_path / "kobo.xlsx", KOBO_FORM), agency=personas.agency_a)
    survey = Survey.objects.get(pk=outcome.summary["survey"])
    survey.omb_control_number, survey.omb_expiration_date = "1090-0011", dt.date(2099, 1, 1)
    survey.save()
    services.change_status(actor=personas.analyst_a, survey=survey, status="published")
    return survey


def load(personas: Personas, tmp_path: Path, text: str, encoding: str = "utf-8") -> dict:
    path = tmp_path / "export.csv"
    path.write_bytes(text.encode(encoding))
    return run_import("odk-responses", path, agency=personas.agency_a).summary


def test_an_ona_export_loads_through_its_group_paths_and_keeps_instance_ids(
    personas: Personas, tmp_path: Path, survey: Survey
) -> None:
    summary = load(personas, tmp_path, ONA)
    assert summary == {"rows": 2, "survey": survey.pk, "responses": 2, "already_imported": 0}
    first, second = Response.objects.filter(survey=survey).order_by("submitted_at")
    assert first.answers == {
        "state": "ca",
        "city": "la",
        "age": 34,
        "age_note": "Fine",
        "lived": ["ca", "other"],
        "lived__other": "Oregon",
        "summary": "la-34",
    }
    assert first.idempotency_key == "odk:0b1e7c4e-0001" and first.source == Response.Source.IMPORT
    assert first.submitted_at == dt.datetime(2026, 3, 1, 10, 5, tzinfo=dt.UTC)  # the servers write UTC
    assert "age_note" not in second.answers  # "n/a": the question was not shown


def test_importing_the_same_export_again_adds_nothing(
    personas: Personas, tmp_path: Path, survey: Survey
) -> None:
    load(personas, tmp_path, ONA)
    assert load(personas, tmp_path, ONA)["already_imported"] == 2
    assert Response.objects.filter(survey=survey).count() == 2


def test_a_kobo_export_with_semicolons_and_a_byte_order_mark_loads(
    personas: Personas, tmp_path: Path, survey: Survey
) -> None:
    assert load(personas, tmp_path, KOBO)["responses"] == 1
    assert Response.objects.get(survey=survey).answers["city"] == "sf"


def test_an_odk_central_export_with_hyphenated_paths_loads(
    personas: Personas, tmp_path: Path, survey: Survey
) -> None:
    assert load(personas, tmp_path, CENTRAL)["responses"] == 1
    response = Response.objects.get(survey=survey)
    assert response.answers["lived"] == ["ny", "ca"] and response.idempotency_key == "odk:central-1"


def test_a_utf16_export_loads_and_a_latin1_one_is_refused_with_its_line(
    personas: Personas, tmp_path: Path, survey: Survey
) -> None:
    assert load(personas, tmp_path, KOBO.lstrip("\ufeff"), "utf-16")["responses"] == 1
    latin = CENTRAL.replace("collector", "Jos\u00e9")
    with pytest.raises(ImportFailed) as failure:
        load(personas, tmp_path, latin.replace("central-1", "central-2"), "latin-1")
    [problem] = failure.value.problems
    assert problem.line == 2 and "UTF-8" in problem.message


def test_an_answer_outside_the_form_is_reported_by_line_and_column(
    personas: Personas, tmp_path: Path, survey: Survey
) -> None:
    with pytest.raises(ImportFailed) as failure:
        load(personas, tmp_path, ONA.replace(",34,", ",12,"))
    [problem] = failure.value.problems
    assert (problem.line, problem.column) == (2, "visit/age") and "Between 18 and 120" in problem.message
    assert not Response.objects.exists()


def test_columns_that_name_no_survey_are_refused_by_name(
    personas: Personas, tmp_path: Path, survey: Survey
) -> None:
    with pytest.raises(ImportFailed) as failure:
        load(personas, tmp_path, ONA.replace("visit/city", "visit/town"))
    [problem] = failure.value.problems
    assert problem.line == 1 and problem.column == "visit/town"
