"""Import kinds `xlsform` (an ODK/KoboToolbox XLSForm into a new draft survey) and `survey-responses` (a CSV of
responses collected elsewhere into existing surveys). Both are all-or-nothing: every bad row is reported with
its line (or sheet row) and column, and nothing is written while there is one.

`survey-responses` columns:
- `survey` (required): the survey's short code, the code in its hosted link /s/<code>/ and in the `survey`
  column of the `survey-responses` export;
- one column per question key of the survey's current version; a multiple-choice answer lists its values
  separated by `;` and an "other" text goes in `<key>__other`;
- optional: `submitted_at` (2026-01-31 or 2026-01-31T14:05, the agency's time zone when none is given; default
  now), `channel` (one of the A-11 channels), `location`, `language` (en or es), and the design columns
  `weight`, `stratum`, `cluster`, `population_size`.
Every answer is checked by the same rules as the web form and the API (`instrument.check_answers`).
"""

import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from touchstone.catalog.channels import Channel
from touchstone.core import audit
from touchstone.core.importing import (
    ImportContext,
    Importer,
    count_csv_records,
    read_csv_records,
    register_importer,
)
from touchstone.surveys import instrument, services
from touchstone.surveys.models import Page, Question, Response, Survey

BATCH = 1000
DESIGN_COLUMNS = ["weight", "stratum", "cluster", "population_size"]
OPTIONAL_COLUMNS = ["submitted_at", "channel", "location", "language", *DESIGN_COLUMNS]
MULTIPLE_SEPARATOR = ";"


@register_importer
class SurveyResponsesImporter(Importer):
    kind = "survey-responses"
    label = "Survey responses collected elsewhere (CSV)"
    help_text = (
        "One row per response: survey (the survey's short code from its link), one column per question key, "
        "and optionally submitted_at, channel, location, language and the design columns weight, stratum, "
        "cluster and population_size. Several answers to one question are separated by ';'."
    )

    def count_rows(self, path: Path) -> int | None:
        return count_csv_records(path)

    def load(self, path: Path, context: ImportContext) -> dict[str, Any]:
        assert context.agency is not None
        surveys: dict[str, Survey | None] = {}
        pending: list[Response] = []
        imported: dict[int, int] = {}
        rows = 0
        now = timezone.now()
        for line, record in read_csv_records(path, context, ["survey"], total=self.count_rows(path)):
            rows += 1
            if context.too_many_problems:
                break
            code = record["survey"].strip()
            if code not in surveys:
                surveys[code] = (
                    Survey.objects.select_related("current_version", "agency")
                    .filter(agency=context.agency, short_code=code)
                    .first()
                )
            survey = surveys[code]
            if survey is None:
                context.problem(
                    line,
                    "survey",
                    _("No survey of this agency has the short code “%(code)s”.") % {"code": code},
                )
                continue
            if survey.current_version is None:
                context.problem(
                    line,
                    "survey",
                    _("The survey “%(title)s” has no published version to answer.") % {"title": survey.title},
                )
                continue
            response = self._response(line, record, survey, context, now)
            if response is None or context.problems:
                continue
            pending.append(response)
            imported[survey.pk] = imported.get(survey.pk, 0) + 1
            if len(pending) >= BATCH:
                Response.objects.bulk_create(pending)
                pending = []
        if context.problems:
            return {"rows": rows}
        Response.objects.bulk_create(pending)
        for survey in (s for s in surveys.values() if s is not None and s.pk in imported):
            audit.record(
                actor=context.actor,
                actor_label=context.actor_label,
                action="imported responses",
                target=survey,
                agency=survey.agency,
                changes={"responses": [None, imported[survey.pk]]},
            )
        return {"rows": rows, "responses": sum(imported.values()), "surveys": len(imported)}

    def _response(
        self, line: int, record: dict[str, str], survey: Survey, context: ImportContext, now: dt.datetime
    ) -> Response | None:
        version = survey.current_version
        assert version is not None
        questions = version.questions()
        kinds = {question["key"]: question["kind"] for question in questions}
        raw: dict[str, Any] = {}
        for column, value in record.items():
            if column == "survey" or column in OPTIONAL_COLUMNS or not value.strip():
                continue
            if kinds.get(column) == Question.Kind.MULTIPLE:
                raw[column] = [item.strip() for item in value.split(MULTIPLE_SEPARATOR) if item.strip()]
            else:
                raw[column] = value
        checked = instrument.check_answers(questions, raw, strict_keys=True)
        for key, message in checked.errors.items():
            context.problem(line, key, message)
        fields: dict[str, Any] = {}
        ok = not checked.errors
        submitted = record.get("submitted_at", "").strip()
        if submitted:
            try:
                fields["submitted_at"] = _moment(submitted)
            except ValueError:
                ok = False
                context.problem(
                    line,
                    "submitted_at",
                    _("Write the time as 2026-01-31 or 2026-01-31T14:05, not “%(value)s”.")
                    % {"value": submitted[:40]},
                )
            else:
                if fields["submitted_at"] > now:
                    ok = False
                    context.problem(line, "submitted_at", _("This time is in the future."))
        channel = record.get("channel", "").strip()
        if channel and channel not in Channel.values:
            ok = False
            context.problem(
                line,
                "channel",
                _("“%(value)s” is not a channel; use one of: %(known)s.")
                % {"value": channel[:40], "known": ", ".join(Channel.values)},
            )
        language = record.get("language", "").strip() or "en"
        if language not in {"en", "es"}:
            ok = False
            context.problem(line, "language", _("Write en or es."))
        for column in ("weight", "population_size"):
            text = record.get(column, "").strip()
            if not text:
                continue
            try:
                number = float(text.replace(",", ""))
            except ValueError:
                number = -1.0
            if not number > 0 or number != number or number == float("inf"):
                ok = False
                context.problem(line, column, _("Write a positive number, like 1.5."))
            else:
                fields[column] = number
        for column, limit in (("stratum", 60), ("cluster", 60), ("location", 100)):
            text = record.get(column, "").strip()
            if len(text) > limit:
                ok = False
                context.problem(line, column, _("Shorten this to %(limit)s characters.") % {"limit": limit})
            fields[column] = text
        if not ok:
            return None
        return Response(
            survey=survey,
            version=version,
            answers=checked.answers,
            source=Response.Source.IMPORT,
            status=Response.Status.COMPLETE,
            language=language,
            channel=channel,
            **fields,
        )


def _moment(text: str) -> dt.datetime:
    """A date or a date and time; naive times are the site's time zone, a date alone is its noon."""
    if len(text) == 10:
        moment = dt.datetime.combine(dt.date.fromisoformat(text), dt.time(12))
    else:
        moment = dt.datetime.fromisoformat(text.replace(" ", "T", 1))
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


# --- XLSForm -------------------------------------------------------------------------------------------------

SIMPLE_TYPES = {
    "text": Question.Kind.SHORT_TEXT,
    "integer": Question.Kind.NUMBER,
    "decimal": Question.Kind.NUMBER,
    "date": Question.Kind.DATE,
    "note": Question.Kind.DISPLAY,
    "calculate": Question.Kind.HIDDEN,
    "hidden": Question.Kind.HIDDEN,
}
# Filled in by the data collection app, not asked: nothing to carry over.
METADATA_TYPES = {
    "start",
    "end",
    "today",
    "deviceid",
    "subscriberid",
    "simserial",
    "phonenumber",
    "username",
    "email",
    "audit",
    "start-geopoint",
}
RANGES = {
    (0, 10): Question.Kind.SCALE_0_10,
    (1, 10): Question.Kind.SCALE_1_10,
    (1, 5): Question.Kind.LIKERT_5,
    (1, 7): Question.Kind.LIKERT_7,
}
KEY_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,59}$")
REFERENCE = r"\$\{([A-Za-z_][A-Za-z0-9_-]*)\}"
VALUE = r"""(?:'([^']*)'|"([^"]*)"|(-?\d+(?:\.\d+)?))"""
EQUALS_CLAUSE = re.compile(rf"^\s*{REFERENCE}\s*=\s*{VALUE}\s*$")
SELECTED_CLAUSE = re.compile(rf"^\s*selected\(\s*{REFERENCE}\s*,\s*{VALUE}\s*\)\s*$")
LENGTH_CONSTRAINT = re.compile(r"^\s*string-length\(\s*\.\s*\)\s*(<=|<)\s*(\d+)\s*$")
YES = {"yes", "true", "true()", "1", "y"}


def _column_kind(header: str) -> tuple[str, str]:
    """('label', 'es') for "label::Spanish (es)"; ('label', '') for "label"; ('label', 'en') for English."""
    name, _sep, language = header.strip().partition("::")
    language = language.strip().lower()
    code = re.search(r"\(([a-z]{2})\)\s*$", language)
    if code:
        language = code.group(1)
    elif language in {"spanish", "español", "espanol"}:
        language = "es"
    elif language == "english":
        language = "en"
    return name.strip().lower(), language


XLSFORM_MAX_ROWS = 5_000
XLSFORM_MAX_COLUMNS = 200
# An .xlsx is a zip: its parts are refused before decompression when they declare more than this in all, or
# shrink by more than this ratio (a sheet of real text compresses about 5 to 20 times).
XLSFORM_MAX_UNCOMPRESSED = 50 * 1024 * 1024
XLSFORM_MAX_RATIO = 200


def _unsafe_workbook(path: Path) -> str:
    """Why a workbook is refused unopened (a zip bomb, or not a zip at all); "" when it may be opened."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        return _("The file is not an .xlsx workbook: %(error)s") % {"error": str(error)[:200]}
    declared = sum(part.file_size for part in parts)
    squeezed = [
        part
        for part in parts
        if part.file_size > 1024 * 1024 and part.file_size > XLSFORM_MAX_RATIO * part.compress_size
    ]
    if declared > XLSFORM_MAX_UNCOMPRESSED or squeezed:
        return _(
            "The workbook unpacks to %(size)s MB, far more than a survey form holds (at most %(limit)s MB, and "
            "no part more than %(ratio)s times its packed size); it was not opened. Save the form again from "
            "your spreadsheet program, with only the survey, choices and settings sheets."
        ) % {
            "size": f"{declared / 1048576:.0f}",
            "limit": XLSFORM_MAX_UNCOMPRESSED // 1048576,
            "ratio": XLSFORM_MAX_RATIO,
        }
    return ""


class Sheet:
    """Rows of one worksheet as dicts, with the header's own spelling kept for problem reports."""

    def __init__(self, name: str, rows: list[tuple[Any, ...]]) -> None:
        self.name = name
        header = [str(cell).strip() if cell is not None else "" for cell in (rows[0] if rows else ())]
        self.columns: dict[tuple[str, str], str] = {}
        for title in header:
            if title:
                self.columns.setdefault(_column_kind(title), title)
        self.header = header
        self.rows = rows[1:]

    def records(self) -> list[tuple[int, dict[str, str]]]:
        """(spreadsheet row number, {header: text}) for every row with something in it."""
        out = []
        for number, row in enumerate(self.rows, start=2):
            values = {
                title: "" if cell is None else str(cell).strip()
                for title, cell in zip(self.header, row, strict=False)
                if title
            }
            if any(values.values()):
                out.append((number, values))
        return out

    def title(self, name: str, language: str = "") -> str:
        """The header as the file spells it, for problem reports; the XLSForm name when it is absent."""
        return self.columns.get((name, language), name)

    def text(self, record: dict[str, str], name: str, language: str = "") -> str:
        header = self.columns.get((name, language))
        return record.get(header, "") if header else ""

    def label(self, record: dict[str, str], name: str = "label") -> tuple[str, str]:
        """(English or default text, Spanish text) of a label or hint."""
        english = self.text(record, name) or self.text(record, name, "en")
        if not english:
            english = next(
                (
                    record.get(title, "")
                    for (column, language), title in self.columns.items()
                    if column == name and language not in {"", "es"} and record.get(title)
                ),
                "",
            )
        return english, self.text(record, name, "es")


def _where(sheet: Sheet, column: str, language: str = "") -> str:
    return _("%(column)s (%(sheet)s sheet)") % {"column": sheet.title(column, language), "sheet": sheet.name}


@register_importer
class XlsFormImporter(Importer):
    kind = "xlsform"
    label = "XLSForm (ODK, KoboToolbox) into a new draft survey"
    help_text = (
        "An .xlsx workbook with a survey sheet (type, name, label, hint, required, relevant, constraint, and "
        "label::Spanish (es) for Spanish) and a choices sheet (list_name, name, label). Becomes a new draft "
        "survey to review before publishing. Groups become pages; repeats, media and location questions are "
        "not supported."
    )
    suffixes = (".xlsx",)

    def load(self, path: Path, context: ImportContext) -> dict[str, Any]:
        assert context.agency is not None
        sheets = self._read(path, context)
        if sheets is None:
            return {"rows": 0}
        survey_sheet = sheets.get("survey")
        if survey_sheet is None:
            context.problem(None, "", _("The workbook has no sheet named “survey”."))
            return {"rows": 0}
        choices = self._choices(sheets.get("choices"), context)
        for needed in ("type", "name"):
            if (needed, "") not in survey_sheet.columns:
                context.problem(
                    1, _where(survey_sheet, needed), _("This column is missing from the header row.")
                )
        if context.problems:
            return {"rows": 0}
        pages, not_kept = self._questions(survey_sheet, choices, context)
        records = survey_sheet.records()
        if context.problems:
            return {"rows": len(records)}
        if not any(
            question["kind"] != Question.Kind.DISPLAY for page in pages for question in page["questions"]
        ):
            context.problem(None, "", _("The survey sheet has no question this product can ask."))
            return {"rows": len(records)}
        survey = self._create(path, sheets.get("settings"), pages, context)
        return {
            "rows": len(records),
            "survey": survey.pk,
            "questions": sum(len(page["questions"]) for page in pages),
            "pages": len(pages),
            "constraints_not_kept": not_kept,
        }

    def _read(self, path: Path, context: ImportContext) -> dict[str, Sheet] | None:
        import openpyxl
        from openpyxl.utils import get_column_letter

        refused = _unsafe_workbook(path)
        if refused:
            context.problem(None, "", refused)
            return None
        try:
            # A file object, not the path: openpyxl would refuse an upload stored without its .xlsx suffix.
            # Formulas are read as written (not their cached results) so that a formula is reported as one.
            workbook = openpyxl.load_workbook(io.BytesIO(path.read_bytes()), read_only=True, data_only=False)
        except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
            context.problem(
                None, "", _("The file is not an .xlsx workbook: %(error)s") % {"error": str(error)[:200]}
            )
            return None
        sheets: dict[str, Sheet] = {}
        try:
            for worksheet in workbook.worksheets:
                name = worksheet.title.strip().lower()
                # The declared size (A1:XFD1048576 at worst) is ignored: only the rows the sheet really holds are
                # read, at most XLSFORM_MAX_ROWS of them and XLSFORM_MAX_COLUMNS wide.
                worksheet.reset_dimensions()
                rows: list[tuple[Any, ...]] = []
                for number, cells in enumerate(
                    worksheet.iter_rows(max_row=XLSFORM_MAX_ROWS + 1, max_col=XLSFORM_MAX_COLUMNS), start=1
                ):
                    if number > XLSFORM_MAX_ROWS:
                        if all(getattr(cell, "value", None) is None for cell in cells):
                            break  # openpyxl pads up to the cap with empty rows: the sheet's real rows ended
                        context.problem(
                            number,
                            "",
                            _(
                                "The %(sheet)s sheet has more than %(limit)s rows; a survey form needs far fewer."
                            )
                            % {"sheet": name, "limit": XLSFORM_MAX_ROWS},
                        )
                        return None
                    values = []
                    for position, cell in enumerate(cells, start=1):
                        if getattr(cell, "data_type", None) == "f":
                            context.problem(
                                number,
                                _("%(column)s (%(sheet)s sheet)")
                                % {"column": get_column_letter(position), "sheet": name},
                                _(
                                    "This cell holds a formula (%(formula)s); a form needs the text itself. "
                                    "Type the text in, or paste the values only."
                                )
                                % {"formula": str(cell.value)[:60]},
                            )
                        values.append(getattr(cell, "value", None))
                    rows.append(tuple(values))
                sheets[name] = Sheet(name, rows)
        finally:
            workbook.close()
        return None if context.problems else sheets

    def _choices(self, sheet: Sheet | None, context: ImportContext) -> dict[str, list[dict[str, str]]]:
        lists: dict[str, list[dict[str, str]]] = {}
        if sheet is None:
            return lists
        for needed in ("list_name", "name"):
            if (needed, "") not in sheet.columns:
                context.problem(1, _where(sheet, needed), _("This column is missing from the header row."))
                return lists
        for row, record in sheet.records():
            list_name, name = sheet.text(record, "list_name"), sheet.text(record, "name")
            label, label_es = sheet.label(record)
            if not list_name:
                context.problem(row, _where(sheet, "list_name"), _("Name the list this choice belongs to."))
                continue
            if not name:
                context.problem(row, _where(sheet, "name"), _("Give the choice a name (its stored value)."))
                continue
            if any(choice["value"] == name for choice in lists.get(list_name, [])):
                context.problem(
                    row,
                    _where(sheet, "name"),
                    _("The list %(list)s already has a choice named %(name)s.")
                    % {"list": list_name, "name": name},
                )
                continue
            lists.setdefault(list_name, []).append(
                {"value": name, "label": label or name, "label_es": label_es}
            )
        return lists

    def _questions(
        self, sheet: Sheet, lists: dict[str, list[dict[str, str]]], context: ImportContext
    ) -> tuple[list[dict[str, Any]], list[str]]:
        pages: list[dict[str, Any]] = [{"title": "", "title_es": "", "questions": []}]
        keys: set[str] = set()
        not_kept: list[str] = []
        for row, record in sheet.records():
            type_text = " ".join(sheet.text(record, "type").replace("_", " ").split()).lower()
            name = sheet.text(record, "name")
            if type_text in {"begin group", "end group"}:
                if type_text == "begin group" and pages[-1]["questions"]:
                    pages.append({"title": "", "title_es": "", "questions": []})
                if type_text == "begin group":
                    pages[-1]["title"], pages[-1]["title_es"] = sheet.label(record)
                continue
            if type_text.replace(" ", "-") in METADATA_TYPES or type_text in METADATA_TYPES:
                continue
            question = self._question(row, record, type_text, sheet, lists, context)
            if question is None:
                continue
            if not KEY_PATTERN.match(name):
                context.problem(
                    row,
                    _where(sheet, "name"),
                    _(
                        "“%(name)s” cannot be a question name: use letters, digits and _, at most 60, starting with a letter."
                    )
                    % {"name": name[:60]},
                )
                continue
            if name in keys:
                context.problem(
                    row,
                    _where(sheet, "name"),
                    _("Another question is already named %(name)s.") % {"name": name},
                )
                continue
            question["key"] = name
            condition = sheet.text(record, "relevant")
            if condition:
                show_if = _show_if(condition, keys)
                if show_if is None:
                    context.problem(
                        row,
                        _where(sheet, "relevant"),
                        _(
                            "This condition cannot be kept: write it as ${question} = 'value' or "
                            "selected(${question}, 'value'), joined by “or”, about one earlier question."
                        ),
                    )
                    continue
                question["show_if"] = show_if
            constraint = sheet.text(record, "constraint")
            if constraint:
                length = LENGTH_CONSTRAINT.match(constraint)
                if length and question["kind"] in {Question.Kind.SHORT_TEXT, Question.Kind.LONG_TEXT}:
                    limit = int(length.group(2)) - (1 if length.group(1) == "<" else 0)
                    question["max_length"] = max(limit, 1)
                else:
                    not_kept.append(name)
            keys.add(name)
            pages[-1]["questions"].append(question)
        return [page for page in pages if page["questions"]], not_kept

    def _question(
        self,
        row: int,
        record: dict[str, str],
        type_text: str,
        sheet: Sheet,
        lists: dict[str, list[dict[str, str]]],
        context: ImportContext,
    ) -> dict[str, Any] | None:
        appearance = sheet.text(record, "appearance").lower()
        question: dict[str, Any] = {"choices": [], "allow_other": False, "max_length": None, "show_if": {}}
        if type_text.split()[:2] in (["select", "one"], ["select", "multiple"]):
            multiple = type_text.startswith("select multiple")
            # The list name keeps the cell's own spelling: "select_one list_name [or_other]".
            original = sheet.text(record, "type").split()
            parts = original[1:] if original[0].lower() in {"select_one", "select_multiple"} else original[2:]
            list_name = parts[0] if parts else ""
            if list_name not in lists:
                context.problem(
                    row,
                    _where(sheet, "type"),
                    _("There is no list named “%(list)s” on the choices sheet.") % {"list": list_name},
                )
                return None
            question["choices"] = lists[list_name]
            question["allow_other"] = len(parts) >= 2 and parts[1].lower() == "or_other"
            if multiple:
                question["kind"] = Question.Kind.MULTIPLE
            else:
                question["kind"] = Question.Kind.DROPDOWN if "minimal" in appearance else Question.Kind.SINGLE
        elif type_text == "range":
            parameters = dict(
                part.split("=", 1) for part in sheet.text(record, "parameters").split() if "=" in part
            )
            try:
                bounds = (int(parameters.get("start", "1")), int(parameters.get("end", "10")))
            except ValueError:
                bounds = (-1, -1)
            if bounds not in RANGES:
                context.problem(
                    row,
                    _where(sheet, "parameters"),
                    _("A range can be 0 to 10, 1 to 10, 1 to 5 or 1 to 7."),
                )
                return None
            question["kind"] = RANGES[bounds]
        elif type_text in SIMPLE_TYPES:
            question["kind"] = SIMPLE_TYPES[type_text]
            if type_text == "text" and "multiline" in appearance:
                question["kind"] = Question.Kind.LONG_TEXT
        else:
            context.problem(
                row,
                _where(sheet, "type"),
                _(
                    "The question type “%(type)s” is not supported; supported types are select_one, select_multiple, "
                    "text, integer, decimal, date, range, note, calculate and hidden."
                )
                % {"type": sheet.text(record, "type")[:60]},
            )
            return None
        text, text_es = sheet.label(record)
        hint, hint_es = sheet.label(record, "hint")
        if not text and question["kind"] not in {Question.Kind.HIDDEN}:
            context.problem(row, _where(sheet, "label"), _("Give this question a label."))
            return None
        question.update(
            text=text or sheet.text(record, "name"),
            text_es=text_es,
            help_text=hint[:300],
            help_text_es=hint_es[:300],
            required=sheet.text(record, "required").lower() in YES
            and question["kind"] not in {Question.Kind.DISPLAY, Question.Kind.HIDDEN},
        )
        return question

    def _create(
        self, path: Path, settings_sheet: Sheet | None, pages: list[dict[str, Any]], context: ImportContext
    ) -> Survey:
        assert context.agency is not None
        title, title_es = "", ""
        if settings_sheet is not None and settings_sheet.records():
            first = settings_sheet.records()[0][1]
            title, title_es = settings_sheet.label(first, "form_title")
        survey = services.create_survey(
            actor=context.actor,
            agency=context.agency,
            data={"title": (title or _file_title(path))[:200], "title_es": title_es[:200]},
            actor_label=context.actor_label,
        )
        first_page = survey.pages.get()
        questions = []
        for position, page_data in enumerate(pages, start=1):
            if position == 1:
                page = first_page
                page.title, page.title_es = page_data["title"][:200], page_data["title_es"][:200]
                page.save(update_fields=["title", "title_es"])
            else:
                page = Page.objects.create(
                    survey=survey,
                    position=position,
                    title=page_data["title"][:200],
                    title_es=page_data["title_es"][:200],
                )
            for number, item in enumerate(page_data["questions"], start=1):
                questions.append(Question(survey=survey, page=page, position=number, **item))
        Question.objects.bulk_create(questions)
        audit.record(
            actor=context.actor,
            actor_label=context.actor_label,
            action="imported XLSForm",
            target=survey,
            agency=context.agency,
            changes={"questions": [None, len(questions)]},
        )
        return survey


def _file_title(path: Path) -> str:
    """The workbook's name without the prefix the upload page gives stored files."""
    return re.sub(r"^[0-9a-f]{32}_", "", path.stem).replace("_", " ").strip() or _("Imported survey")


def _show_if(condition: str, earlier: set[str]) -> dict[str, Any] | None:
    """An XLSForm `relevant` our conditional display can keep: one earlier question equal to (or, for a
    multiple choice, having selected) any of a few values. None when it says something more."""
    question = ""
    values: list[str] = []
    for clause in re.split(r"\s+or\s+", condition.strip()):
        match = EQUALS_CLAUSE.match(clause) or SELECTED_CLAUSE.match(clause)
        if match is None:
            return None
        key = match.group(1)
        value = next(group for group in match.groups()[1:] if group is not None)
        if question and key != question:
            return None
        question = key
        values.append(value)
    if question not in earlier:
        return None
    return {"question": question, "values": values}
