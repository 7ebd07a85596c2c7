"""XLSForm in and out: a form from ODK, Ona or KoboToolbox read through pyxform (the reference implementation, so
whatever syntax it accepts is accepted here) and mapped to a survey; and a survey written back as an XLSForm that
reads in again to the same survey.

Mapping: top-level groups become pages (nested groups join their page); `relevant` becomes conditional display
where it names one earlier answer; constraints, cascading `choice_filter`s and defaults are kept and run by the
public form where `instrument` can evaluate them; calculations are kept for the round trip but not run. Every
label language becomes a language of the survey. What a web survey cannot hold (locations, media, repeats,
device identifiers, choices from a separate file) is refused row by row with its type named.
"""

import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from touchstone.core import audit
from touchstone.core.importing import ImportContext
from touchstone.surveys import languages, services
from touchstone.surveys.models import Page, Question, Survey, SurveyTranslation

XLSFORM_MAX_ROWS = 5_000
XLSFORM_MAX_COLUMNS = 200
# An .xlsx is a zip: its parts are refused before decompression when they declare more than this in all, or
# shrink by more than this ratio (a sheet of real text compresses about 5 to 20 times).
XLSFORM_MAX_UNCOMPRESSED = 50 * 1024 * 1024
XLSFORM_MAX_RATIO = 200
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # an .xls (Excel 97-2003) file

SIMPLE_TYPES = {
    "text": Question.Kind.SHORT_TEXT,
    "integer": Question.Kind.NUMBER,
    "decimal": Question.Kind.NUMBER,
    "date": Question.Kind.DATE,
    "note": Question.Kind.DISPLAY,
    "calculate": Question.Kind.HIDDEN,
    "hidden": Question.Kind.HIDDEN,
}
# Filled in by the collecting device, not asked: a web survey has its own submission time instead.
TIMESTAMP_TYPES = {"start", "end", "today", "audit"}
RANGES = {
    (0, 10): Question.Kind.SCALE_0_10,
    (1, 10): Question.Kind.SCALE_1_10,
    (1, 5): Question.Kind.LIKERT_5,
    (1, 7): Question.Kind.LIKERT_7,
}
KEY_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,59}$")
REFERENCE = r"\$\{([A-Za-z_][A-Za-z0-9_.-]*)\}"
VALUE = r"""(?:'([^']*)'|"([^"]*)"|(-?\d+(?:\.\d+)?))"""
EQUALS_CLAUSE = re.compile(rf"^\s*{REFERENCE}\s*=\s*{VALUE}\s*$")
SELECTED_CLAUSE = re.compile(rf"^\s*selected\(\s*{REFERENCE}\s*,\s*{VALUE}\s*\)\s*$")
CHOICE_FILTER = re.compile(
    rf"^\s*(?:([A-Za-z_][\w-]*)\s*=\s*{REFERENCE}|{REFERENCE}\s*=\s*([A-Za-z_][\w-]*))\s*$"
)
LENGTH_CONSTRAINT = re.compile(r"^\s*string-length\(\s*\.\s*\)\s*(<=|<)\s*(\d+)\s*$")
LIKERT_VALUES = {points: [str(n) for n in range(1, points + 1)] for points in (5, 7)}
STATIC_DEFAULT = re.compile(r"^[^$()]*$")
YES = {"yes", "true", "true()", "1", "y"}
# Columns that take a language after "::" (and which some forms write with a single colon).
TRANSLATED_COLUMNS = (
    "label",
    "hint",
    "guidance_hint",
    "constraint_message",
    "required_message",
    "form_title",
)
SINGLE_COLON = re.compile(rf"^({'|'.join(TRANSLATED_COLUMNS)})\s*:\s*([^:].*)$", re.IGNORECASE)
CHOICE_OWN_KEYS = {"name", "label", "image", "audio", "video", "media"}
PYXFORM_ROW = re.compile(r"\[row : (\d+)\]")


def unsafe_workbook(path: Path) -> str:
    """Why a workbook is refused unopened (a zip bomb, or not a zip at all); "" when it may be opened."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        return _("The file is not an .xlsx or .xls workbook: %(error)s") % {"error": str(error)[:200]}
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


# --- reading the workbook ----------------------------------------------------------------------------------------


def _header(title: Any) -> str:
    text = re.sub(r"\s+", " ", str(title).strip()) if title is not None else ""
    single = SINGLE_COLON.match(text)
    return f"{single.group(1)}::{single.group(2).strip()}" if single else text


def _sheet_dicts(rows: list[tuple[Any, ...]]) -> tuple[list[dict[str, str]], list[str]]:
    """Rows as pyxform reads them: {header: text} per row, empty rows kept so row numbers stay right."""
    from pyxform.xls2json_backends import xlsx_value_to_str

    headers = [_header(cell) for cell in (rows[0] if rows else ())]
    out: list[dict[str, str]] = []
    for row in rows[1:]:
        record = {}
        for title, cell in zip(headers, row, strict=False):
            if title and cell is not None and str(cell).strip() != "":
                record[title] = xlsx_value_to_str(cell.strip() if isinstance(cell, str) else cell)
        out.append(record)
    while out and not out[-1]:
        out.pop()
    return out, [title for title in headers if title]


def read_xlsx(path: Path, context: ImportContext) -> dict[str, list[tuple[Any, ...]]] | None:
    """Every sheet's rows, the declared size ignored in favour of the rows really there; formulas refused."""
    import openpyxl
    from openpyxl.utils import get_column_letter

    refused = unsafe_workbook(path)
    if refused:
        context.problem(None, "", refused)
        return None
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(path.read_bytes()), read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        context.problem(
            None, "", _("The file is not an .xlsx workbook: %(error)s") % {"error": str(error)[:200]}
        )
        return None
    sheets: dict[str, list[tuple[Any, ...]]] = {}
    try:
        for worksheet in workbook.worksheets:
            name = worksheet.title.strip().lower()
            worksheet.reset_dimensions()  # a sheet claiming A1:XFD1048576 is read for the rows it holds
            rows: list[tuple[Any, ...]] = []
            for number, cells in enumerate(
                worksheet.iter_rows(max_row=XLSFORM_MAX_ROWS + 1, max_col=XLSFORM_MAX_COLUMNS), start=1
            ):
                if number > XLSFORM_MAX_ROWS:
                    if all(getattr(cell, "value", None) is None for cell in cells):
                        break
                    context.problem(
                        number,
                        "",
                        _("The %(sheet)s sheet has more than %(limit)s rows; a survey form needs far fewer.")
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
            sheets[name] = rows
    finally:
        workbook.close()
    return None if context.problems else sheets


def read_xls(path: Path, context: ImportContext) -> dict[str, list[tuple[Any, ...]]] | None:
    """An Excel 97-2003 workbook through xlrd (at most 65,536 rows a sheet by its own format)."""
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=path.read_bytes())
    except Exception as error:  # xlrd raises many kinds for a damaged file
        context.problem(
            None, "", _("The file is not an .xls workbook: %(error)s") % {"error": str(error)[:200]}
        )
        return None
    sheets: dict[str, list[tuple[Any, ...]]] = {}
    for sheet in book.sheets():
        if sheet.nrows > XLSFORM_MAX_ROWS:
            context.problem(
                sheet.nrows,
                "",
                _("The %(sheet)s sheet has more than %(limit)s rows; a survey form needs far fewer.")
                % {"sheet": sheet.name, "limit": XLSFORM_MAX_ROWS},
            )
            return None
        rows = []
        for number in range(sheet.nrows):
            row = []
            for cell in sheet.row(number)[:XLSFORM_MAX_COLUMNS]:
                value = cell.value
                if cell.ctype == xlrd.XL_CELL_NUMBER and float(value).is_integer():
                    value = int(value)
                elif cell.ctype == xlrd.XL_CELL_BOOLEAN:
                    value = bool(value)
                elif cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                    value = None
                row.append(value)
            rows.append(tuple(row))
        sheets[sheet.name.strip().lower()] = rows
    return sheets


def form_json(path: Path, context: ImportContext) -> tuple[dict[str, Any], list[dict[str, str]]] | None:
    """pyxform's JSON form of the workbook, and the survey sheet's rows (for row numbers); None when refused."""
    from pyxform import constants
    from pyxform.errors import PyXFormError
    from pyxform.xls2json import workbook_to_json
    from pyxform.xls2json_backends import DefinitionData

    is_xls = path.read_bytes()[:4] == OLE_MAGIC
    sheets = read_xls(path, context) if is_xls else read_xlsx(path, context)
    if sheets is None:
        return None
    if len(sheets) == 1 and "survey" not in sheets:
        sheets = {"survey": next(iter(sheets.values()))}
    data: dict[str, Any] = {"sheet_names": list(sheets)}
    for name, rows in sheets.items():
        if name in constants.SUPPORTED_SHEET_NAMES:
            records, headers = _sheet_dicts(rows)
            data[name] = records
            data[f"{name}_header"] = [dict.fromkeys(headers)] if headers else []
    if "survey" not in data:
        context.problem(None, "", _("The workbook has no sheet named “survey”."))
        return None
    # Headers as pyxform matches them, without regard to case: for row numbers and this product's own checks.
    survey_rows = [{key.lower(): value for key, value in record.items()} for record in data["survey"]]
    for number, record in enumerate(survey_rows, start=2):
        kind = " ".join(record.get("type", "").replace("_", " ").lower().split())
        why = refusal(kind)
        if why:
            context.problem(
                number,
                _("type (survey sheet)"),
                _("“%(type)s” cannot be kept in a web survey: %(why)s")
                % {"type": record["type"][:60], "why": why},
            )
    try:
        form = workbook_to_json(
            DefinitionData(**data), form_name="data", default_language="default", warnings=[]
        )
    except PyXFormError as error:
        message = str(error)
        row = PYXFORM_ROW.search(message)
        context.problem(int(row.group(1)) if row else None, "", message[:500])
        return None
    except Exception as error:  # noqa: BLE001 - pyxform fails some malformed forms with other exceptions
        context.problem(
            None, "", _("pyxform could not read this form: %(error)s") % {"error": str(error)[:300]}
        )
        return None
    if context.problems:
        return None
    # pyxform adds "other" to a list used with or_other, for every question of that list: only the sheet's count.
    choice_rows = [{key.lower(): value for key, value in row.items()} for row in data.get("choices") or []]
    form["_listed"] = {
        (str(row.get("list_name") or row.get("list name") or ""), str(row.get("name", "")))
        for row in choice_rows
    }
    return form, survey_rows


# --- mapping the JSON form to a survey --------------------------------------------------------------------------


@dataclass
class Mapped:
    default_language: str = "en"
    language_names: dict[str, str] = field(default_factory=dict)  # code: the form's own name for it
    pages: list[dict[str, Any]] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    not_run: dict[str, list[str]] = field(default_factory=dict)


class Mapper:
    def __init__(self, form: dict[str, Any], rows: list[dict[str, str]], context: ImportContext) -> None:
        self.form, self.rows, self.context = form, rows, context
        self.cursor = 0
        self.keys: dict[str, str] = {}  # the form's name: our key (they differ for dotted or repeated names)
        self.names = {str(row.get("name", "")).strip() for row in rows}
        self.out = Mapped()
        self._languages()

    # Languages ---------------------------------------------------------------------------------------------

    def _languages(self) -> None:
        names: list[str] = []

        def collect(value: Any) -> None:
            if isinstance(value, dict):
                names.extend(name for name in value if name not in names)

        def walk(element: dict[str, Any]) -> None:
            for key in ("label", "hint"):
                collect(element.get(key))
            choices = element.get("choices") or []
            for choice in choices if isinstance(choices, list) else []:
                collect(choice.get("label"))
            for child in element.get("children") or []:
                walk(child)

        walk(self.form)
        setting = str(self.form.get("default_language") or "default")
        if "default" in names or not names:
            base_name = "default"
        elif setting in names:
            base_name = setting
        else:
            base_name = next((n for n in names if languages.code_for(n) == "en"), names[0])
        base_code = languages.code_for(base_name) or languages.code_for(setting) or "en"
        self.codes: dict[str, str] = {base_name: base_code}
        self.out.default_language = base_code
        self.out.language_names[base_code] = base_name
        for name in names:
            if name in self.codes:
                continue
            code = languages.code_for(name)
            if not code:
                self.context.problem(
                    1,
                    _("label::%(name)s (survey sheet)") % {"name": name},
                    _(
                        "“%(name)s” is not a language this product knows; name it with its code, as "
                        "label::French (fr). Known codes: %(codes)s."
                    )
                    % {"name": name[:40], "codes": ", ".join(languages.LANGUAGES)},
                )
                continue
            if code in self.out.language_names:
                self.out.notices.append(
                    _("The columns for “%(name)s” repeat %(code)s and were left out.")
                    % {"name": name, "code": code}
                )
                continue
            self.codes[name] = code
            self.out.language_names[code] = name

    def texts(self, value: Any) -> dict[str, str]:
        """{language code: text} of a label or hint, whether the form gives one text or one per language."""
        if value is None or value == "":
            return {}
        if not isinstance(value, dict):
            return {self.out.default_language: str(value)}
        return {self.codes[name]: str(text) for name, text in value.items() if name in self.codes and text}

    # Rows ----------------------------------------------------------------------------------------------------

    def row_of(self, name: str) -> int | None:
        """The sheet row of the next element named `name` (pyxform keeps the sheet's order)."""
        for index in range(self.cursor, len(self.rows)):
            if self.rows[index].get("name", "").strip() == name:
                self.cursor = index + 1
                return index + 2
        return None

    def raw_type(self, row: int | None, fallback: str) -> str:
        return self.rows[row - 2].get("type", fallback) if row else fallback

    def refuse(self, row: int | None, kind: str, why: str) -> None:
        self.context.problem(
            row,
            _("type (survey sheet)"),
            _("“%(type)s” cannot be kept in a web survey: %(why)s") % {"type": kind[:60], "why": why},
        )

    # The walk ------------------------------------------------------------------------------------------------

    def map(self) -> Mapped:
        loose: list[dict[str, Any]] = []  # questions outside any group share a page until the next group

        def flush() -> None:
            if loose:
                page: dict[str, Any] = {"texts": {}, "xlsform": {}, "questions": []}
                self._children({"children": loose}, page, [], None)
                self.out.pages.append(page)
                loose.clear()

        for element in self.form.get("children") or []:
            if element.get("type") == "group" and element.get("name") == "meta":
                continue  # pyxform's own instanceID: an import keeps it as the response's identity instead
            if element.get("type") == "group":
                flush()
                page = self._page(element)
                self._children(element, page, [element["name"]], self._condition(element))
                self.out.pages.append(page)
            else:
                loose.append(element)
        flush()
        self.out.pages = [page for page in self.out.pages if page["questions"]]
        return self.out

    def _page(self, group: dict[str, Any]) -> dict[str, Any]:
        self.row_of(group["name"])
        kept = {"name": group["name"]}
        relevant = (group.get("bind") or {}).get("relevant")
        if relevant:
            kept["relevant"] = relevant
        if (group.get("control") or {}).get("appearance"):
            kept["appearance"] = group["control"]["appearance"]
        return {"texts": self.texts(group.get("label")), "xlsform": kept, "questions": []}

    def _condition(self, group: dict[str, Any]) -> str:
        return str((group.get("bind") or {}).get("relevant") or "")

    def _children(
        self, parent: dict[str, Any], page: dict[str, Any], path: list[str], relevant: str | None
    ) -> None:
        children = parent.get("children") or []
        skip: set[str] = set()
        for index, element in enumerate(children):
            kind, name = str(element.get("type", "")), str(element.get("name", ""))
            if name in skip:
                continue
            if kind == "group":
                self.row_of(name)
                inner = self._condition(element)
                self._children(
                    element, page, [*path, name], " and ".join(c for c in (relevant, inner) if c) or None
                )
                continue
            row = self.row_of(name)
            if kind == "repeat":
                self.refuse(
                    row, self.raw_type(row, "begin repeat"), _("a repeat asks its questions many times.")
                )
                continue
            if kind in TIMESTAMP_TYPES:
                self.out.not_run.setdefault(_("Filled in by the collecting device, so not kept"), []).append(
                    name
                )
                continue
            following = children[index + 1] if index + 1 < len(children) else {}
            other = following.get("name") == f"{name}_other" and "'other'" in str(
                (following.get("bind") or {}).get("relevant", "")
            )
            if other:
                skip.add(f"{name}_other")
            question = self._question(element, row, other)
            if question is None:
                continue
            self._logic(question, element, relevant, row)
            key = self._key(name, path)
            self.keys[name] = key
            question["key"] = key
            question["xlsform"]["name"] = name
            if path:
                question["xlsform"]["path"] = "/".join([*path, name])
            page["questions"].append(question)

    def _key(self, name: str, path: list[str]) -> str:
        taken = set(self.keys.values())
        if KEY_PATTERN.match(name) and name not in taken:
            return name
        plain = re.sub(r"[^A-Za-z0-9_-]+", "_", name).strip("_")
        if KEY_PATTERN.match(plain) and plain not in taken and plain not in self.names:
            return plain
        base = re.sub(r"[^A-Za-z0-9_-]+", "_", "_".join([*path, name]))[:55].strip("_") or "question"
        if not re.match(r"^[A-Za-z_]", base):
            base = f"q_{base}"[:55]
        key, number = base, 2
        while key in taken:
            key, number = f"{base}_{number}", number + 1
        return key

    def _question(self, element: dict[str, Any], row: int | None, other: bool) -> dict[str, Any] | None:
        kind = str(element.get("type", ""))
        name = str(element.get("name", ""))
        raw = self.raw_type(row, kind)
        appearance = str((element.get("control") or {}).get("appearance", "")).lower()
        question: dict[str, Any] = {
            "choices": [],
            "allow_other": other,
            "max_length": None,
            "show_if": {},
            "xlsform": {},
        }
        if kind in {"select one", "select all that apply"}:
            if element.get("itemset", "").endswith(
                (".csv", ".xml", ".geojson")
            ) or "from file" in raw.replace("_", " "):
                self.refuse(
                    row,
                    raw,
                    _(
                        "its choices are in a separate file (%(file)s) that was not uploaded; put them on the choices sheet."
                    )
                    % {"file": element.get("itemset", "")},
                )
                return None
            list_name = str(element.get("list_name") or element.get("itemset") or name)
            question["choices"] = self._choices(element.get("choices") or [], other, list_name)
            question["xlsform"]["list_name"] = list_name
            values = [choice["value"] for choice in question["choices"]]
            if kind == "select all that apply":
                question["kind"] = Question.Kind.MULTIPLE
            elif "likert" in appearance and values in (LIKERT_VALUES[5], LIKERT_VALUES[7]):
                question["kind"] = Question.Kind.LIKERT_5 if len(values) == 5 else Question.Kind.LIKERT_7
            else:
                question["kind"] = Question.Kind.DROPDOWN if "minimal" in appearance else Question.Kind.SINGLE
        elif kind == "range":
            parameters = element.get("parameters") or {}
            try:
                bounds = (int(float(parameters.get("start", 1))), int(float(parameters.get("end", 10))))
            except (TypeError, ValueError):
                bounds = (-1, -1)
            if bounds not in RANGES:
                self.context.problem(
                    row,
                    _("parameters (survey sheet)"),
                    _("A range can be 0 to 10, 1 to 10, 1 to 5 or 1 to 7."),
                )
                return None
            question["kind"] = RANGES[bounds]
            question["xlsform"]["parameters"] = " ".join(f"{k}={v}" for k, v in parameters.items())
        elif kind in SIMPLE_TYPES:
            question["kind"] = SIMPLE_TYPES[kind]
            if kind == "text" and "multiline" in appearance:
                question["kind"] = Question.Kind.LONG_TEXT
            if kind in {"integer", "decimal"}:
                question["xlsform"]["type"] = kind
        else:
            self.refuse(row, raw, refusal(kind) or _("the product has no question of this type."))
            return None
        texts = self.texts(element.get("label"))
        base = self.out.default_language
        if not texts.get(base) and question["kind"] not in {Question.Kind.HIDDEN}:
            if texts:
                texts[base] = next(iter(texts.values()))
            else:
                self.context.problem(row, _("label (survey sheet)"), _("Give this question a label."))
                return None
        hints = self.texts(element.get("hint"))
        bind = element.get("bind") or {}
        question.update(
            text=texts.pop(base, "") or name,
            help_text=hints.pop(base, "")[:300],
            required=str(bind.get("required", "")).lower() in YES
            and question["kind"] not in {Question.Kind.DISPLAY, Question.Kind.HIDDEN},
            translations={"text": texts, "help_text": hints},
        )
        if appearance:
            question["xlsform"]["appearance"] = appearance
        return question

    def _choices(self, choices: list[dict[str, Any]], other: bool, list_name: str) -> list[dict[str, Any]]:
        out = []
        base = self.out.default_language
        for choice in choices:
            value = str(choice.get("name", ""))
            if value == "other" and (other or (list_name, value) not in self.form.get("_listed", set())):
                continue  # or_other: the product's own "Other" box
            texts = self.texts(choice.get("label"))
            item: dict[str, Any] = {"value": value, "label": texts.pop(base, "") or value}
            filters = {
                k: str(v)
                for k, v in choice.items()
                if k not in CHOICE_OWN_KEYS and not k.startswith(("label", "media"))
            }
            if filters:
                item["filters"] = filters
            if texts:
                item["translations"] = texts
            out.append(item)
        return out

    def _logic(
        self, question: dict[str, Any], element: dict[str, Any], group_relevant: str | None, row: int | None
    ) -> None:
        bind = element.get("bind") or {}
        kept = question["xlsform"]
        name = str(element.get("name", ""))
        relevant = str(bind.get("relevant") or "")
        for source, target in (("constraint", "constraint"), ("calculate", "calculation")):
            if bind.get(source):
                kept[target] = str(bind[source])
        for source, target in (
            ("jr:constraintMsg", "constraint_message"),
            ("jr:requiredMsg", "required_message"),
        ):
            messages = self.texts(bind.get(source))
            if messages:
                kept[target] = messages.pop(self.out.default_language, "") or next(iter(messages.values()))
                if messages:
                    kept[f"{target}_translations"] = messages
        if relevant:
            kept["relevant"] = relevant
        if element.get("choice_filter"):
            kept["choice_filter"] = element["choice_filter"]
        if element.get("default") not in (None, ""):
            kept["default"] = str(element["default"])
        condition = relevant or group_relevant or ""
        if relevant and group_relevant:
            condition = ""  # two conditions at once: kept, not run
            self.out.not_run.setdefault(
                _("Shown always, its condition and its group's kept but not run"), []
            ).append(name)
        if condition:
            show_if = show_if_of(condition, self.keys)
            if show_if is None:
                if relevant:
                    self.out.not_run.setdefault(_("Shown always, its condition kept but not run"), []).append(
                        name
                    )
                else:
                    self.out.not_run.setdefault(
                        _("Shown always, its group's condition kept but not run"), []
                    ).append(name)
            else:
                question["show_if"] = show_if
        constraint = kept.get("constraint")
        length = LENGTH_CONSTRAINT.match(constraint or "")
        if length and question["kind"] in {Question.Kind.SHORT_TEXT, Question.Kind.LONG_TEXT}:
            question["max_length"] = max(int(length.group(2)) - (1 if length.group(1) == "<" else 0), 1)
        if constraint and not constraint_runs(constraint, question["kind"]):
            self.out.not_run.setdefault(_("Constraint kept but not checked"), []).append(name)
        if kept.get("calculation"):
            self.out.not_run.setdefault(_("Calculation kept but not run"), []).append(name)
        if kept.get("choice_filter"):
            cascade = cascade_of(kept["choice_filter"], self.keys)
            if cascade is None:
                self.out.not_run.setdefault(
                    _("Choice filter kept but not run, every choice shown"), []
                ).append(name)
            else:
                question["xlsform"]["cascade"] = cascade
        if "default" in kept and not STATIC_DEFAULT.match(kept["default"]):
            self.out.not_run.setdefault(_("Default kept but not filled in"), []).append(name)


def refusal(kind: str) -> str:
    """Why a question type (spaces for underscores, lower case) cannot be kept; "" when it can."""
    first = kind.split(" ")[0] if kind else ""
    if first in {"geopoint", "geotrace", "geoshape", "start-geopoint", "background-geopoint"}:
        return _("a location needs the device's position.")
    if first in {"image", "photo", "file", "background-audio"}:
        return _("a web survey takes no photos or files.")
    if first in {"audio", "video"}:
        return _("a web survey takes no recordings.")
    if first in {"barcode"}:
        return _("a web survey has no camera scanner.")
    if first in {"deviceid", "imei", "subscriberid", "simserial", "phonenumber"}:
        return _("it records the respondent's device, which a public survey must not.")
    if kind.startswith(("begin repeat", "begin loop")):
        return _("a repeat asks its questions many times.")
    if kind.startswith(("select one from file", "select multiple from file", "select one external")):
        return _("its choices come from outside the choices sheet; put them on the choices sheet.")
    if first == "osm":
        return _("a map question needs the OpenStreetMap app.")
    return ""


def show_if_of(condition: str, keys: dict[str, str]) -> dict[str, Any] | None:
    """A `relevant` our conditional display can keep: one earlier question equal to (or, for a multiple choice,
    having selected) any of a few values, joined by "or". None when it says something more."""
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
    if question not in keys:
        return None
    return {"question": keys[question], "values": values}


def cascade_of(choice_filter: str, keys: dict[str, str]) -> dict[str, str] | None:
    """`state = ${state}` (or the other way round): the choices whose `state` column is the earlier answer."""
    match = CHOICE_FILTER.match(choice_filter)
    if match is None:
        return None
    column, reference = (
        (match.group(1), match.group(2)) if match.group(1) else (match.group(4), match.group(3))
    )
    if reference not in keys:
        return None
    return {"column": column, "question": keys[reference]}


def constraint_runs(constraint: str, kind: str) -> bool:
    from touchstone.surveys.instrument import constraint_clauses

    return constraint_clauses(constraint, kind) is not None


# --- writing the survey -----------------------------------------------------------------------------------------


def import_form(path: Path, context: ImportContext, title_fallback: str) -> dict[str, Any]:
    assert context.agency is not None
    read = form_json(path, context)
    if read is None:
        return {"rows": 0}
    form, rows = read
    mapper = Mapper(form, rows, context)
    mapped = mapper.map()
    if context.problems:
        return {"rows": len(rows)}
    if not any(q["kind"] != Question.Kind.DISPLAY for page in mapped.pages for q in page["questions"]):
        context.problem(None, "", _("The survey sheet has no question this product can ask."))
        return {"rows": len(rows)}
    survey = _create(form, mapper, context, title_fallback)
    notices = [
        _("%(what)s: %(names)s.") % {"what": what, "names": ", ".join(names)}
        for what, names in mapped.not_run.items()
    ]
    summary: dict[str, Any] = {
        "rows": len(rows),
        "survey": survey.pk,
        "questions": sum(len(page["questions"]) for page in mapped.pages),
        "pages": len(mapped.pages),
        "languages": ", ".join(mapped.language_names),
    }
    if notices or mapped.notices:
        summary["notice"] = " ".join([*mapped.notices, *notices])
    return summary


def _create(form: dict[str, Any], mapper: Mapper, context: ImportContext, title_fallback: str) -> Survey:
    assert context.agency is not None
    mapped = mapper.out
    base = mapped.default_language
    settings = {
        key: form[key]
        for key in ("id_string", "version", "instance_name", "style", "public_key", "submission_url")
        if form.get(key)
    }
    settings["language_names"] = mapped.language_names
    settings["default_language"] = mapped.language_names.get(base, "default")
    titles = mapper.texts(form.get("title"))
    title = titles.pop(base, "")
    if not title or title == "data":
        title = title_fallback
    survey = services.create_survey(
        actor=context.actor,
        agency=context.agency,
        data={"title": title[:200]},
        actor_label=context.actor_label,
    )
    survey.default_language = base
    survey.xlsform_settings = settings
    survey.save(update_fields=["default_language", "xlsform_settings"])
    first_page = survey.pages.get()
    translations: dict[str, dict[str, str]] = {}

    def translate(prefix: str, texts: dict[str, str]) -> None:
        for code, text in texts.items():
            translations.setdefault(code, {})[prefix] = text

    translate("survey:title", titles)

    created: list[tuple[Question, dict[str, Any]]] = []
    for position, page_data in enumerate(mapped.pages, start=1):
        page_title = page_data["texts"].get(base, "")[:200]
        if position == 1:
            page = first_page
            page.title, page.xlsform = page_title, page_data["xlsform"]
            page.save(update_fields=["title", "xlsform"])
        else:
            page = Page.objects.create(
                survey=survey, position=position, title=page_title, xlsform=page_data["xlsform"]
            )
        translate(f"page:{page.pk}:title", {k: v for k, v in page_data["texts"].items() if k != base})
        for number, item in enumerate(page_data["questions"], start=1):
            data = {k: v for k, v in item.items() if k != "translations"}
            data["choices"] = [{k: v for k, v in c.items() if k != "translations"} for c in item["choices"]]
            created.append((Question(survey=survey, page=page, position=number, **data), item))
    Question.objects.bulk_create([question for question, _item in created])
    for question, item in created:
        translate(f"question:{question.pk}:text", item["translations"]["text"])
        translate(f"question:{question.pk}:help_text", item["translations"]["help_text"])
        for choice in item["choices"]:
            translate(f"question:{question.pk}:choice:{choice['value']}", choice.get("translations", {}))
    for code, texts in translations.items():
        if code == languages.SPANISH:
            languages.write_spanish(survey, texts)
    SurveyTranslation.objects.bulk_create(
        SurveyTranslation(survey=survey, language=code, texts=texts)
        for code, texts in translations.items()
        if code != languages.SPANISH
    )
    for code in mapped.language_names:
        if code not in translations and code != base and code != languages.SPANISH:
            SurveyTranslation.objects.create(survey=survey, language=code, texts={})
    audit.record(
        actor=context.actor,
        actor_label=context.actor_label,
        action="imported XLSForm",
        target=survey,
        agency=context.agency,
        changes={"questions": [None, len(created)], "languages": [None, ", ".join(mapped.language_names)]},
    )
    return survey


# --- writing an XLSForm -----------------------------------------------------------------------------------------

SCALE_RANGES: dict[str, tuple[int, int]] = {str(kind): bounds for bounds, kind in RANGES.items()} | {
    str(Question.Kind.STARS): (1, 5)
}
LOGIC_COLUMNS = [
    "required",
    "relevant",
    "constraint",
    "constraint_message",
    "calculation",
    "choice_filter",
    "default",
]


def export_form(survey: Survey) -> bytes:
    """The survey as an XLSForm workbook (survey, choices and settings sheets) that imports back to the same
    survey: every language as `label::Name (code)` columns, pages as groups, and the kept XLSForm logic."""
    import openpyxl

    base = survey.default_language
    settings = dict(survey.xlsform_settings or {})
    names: dict[str, str] = dict(settings.get("language_names") or {})
    codes = languages.languages_of(survey)
    for code in codes:
        names.setdefault(code, f"{languages.LANGUAGES.get(code, (code, code))[1]} ({code})")
    texts = {code: languages.translation_of(survey, code) for code in codes if code != base}

    def column(name: str, code: str) -> str:
        return name if names[code] == "default" else f"{name}::{names[code]}"

    def labelled(row: dict[str, str], name: str, own: str, text_id: str) -> None:
        if own:
            row[column(name, base)] = own
        for code in codes[1:]:
            if texts[code].get(text_id):
                row[column(name, code)] = texts[code][text_id]

    questions = list(Question.objects.filter(survey=survey).select_related("page"))
    names_by_key = {q.key: q.xlsform.get("name") or q.key for q in questions}
    pages = list(survey.pages.order_by("position", "pk"))
    grouped = bool(survey.xlsform_settings) is False and len(pages) > 1
    survey_rows: list[dict[str, str]] = []
    choice_rows: list[dict[str, str]] = []
    lists: dict[str, list[dict[str, Any]]] = {}
    for page in pages:
        group = page.xlsform.get("name") or (f"page_{page.position}" if grouped or page.title else "")
        if group:
            row = {"type": "begin_group", "name": group}
            labelled(row, "label", page.title, f"page:{page.pk}:title")
            for key in ("relevant", "appearance"):
                if page.xlsform.get(key):
                    row[key] = page.xlsform[key]
            survey_rows.append(row)
        open_inner: list[str] = []
        for question in sorted(
            (q for q in questions if q.page_id == page.pk), key=lambda q: (q.position, q.pk)
        ):
            path = (
                str(question.xlsform.get("path", "")).split("/")[1:-1] if question.xlsform.get("path") else []
            )
            while open_inner and open_inner != path[: len(open_inner)]:
                survey_rows.append({"type": "end_group", "name": open_inner.pop()})
            for inner in path[len(open_inner) :]:
                survey_rows.append({"type": "begin_group", "name": inner})
                open_inner.append(inner)
            survey_rows.append(_question_row(question, column, base, names_by_key, lists, labelled))
        while open_inner:
            survey_rows.append({"type": "end_group", "name": open_inner.pop()})
        if group:
            survey_rows.append({"type": "end_group", "name": group})
    for list_name, choices in lists.items():
        for choice in choices:
            row = {"list_name": list_name, "name": str(choice["value"])}
            labelled(
                row,
                "label",
                str(choice.get("label", "")),
                f"question:{choice['_question']}:choice:{choice['value']}",
            )
            row.update({key: str(value) for key, value in (choice.get("filters") or {}).items()})
            choice_rows.append(row)
    settings_row = {
        "form_title": survey.title,
        "form_id": settings.get("id_string") or f"touchstone_{survey.short_code}",
        **{key: str(settings[key]) for key in ("version", "instance_name", "style") if settings.get(key)},
    }
    if names[base] != "default":
        settings_row["default_language"] = names[base]
    book = openpyxl.Workbook()
    for index, (title, rows) in enumerate(
        (("survey", survey_rows), ("choices", choice_rows), ("settings", [settings_row]))
    ):
        sheet = book.active if index == 0 else book.create_sheet(title)
        assert sheet is not None
        sheet.title = title
        headers = list(dict.fromkeys(key for row in rows for key in row))
        if title == "choices" and not headers:
            headers = ["list_name", "name", "label"]
        sheet.append(headers)
        for row in rows:
            sheet.append([row.get(header, "") for header in headers])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _question_row(
    question: Question,
    column: Any,
    base: str,
    names_by_key: dict[str, str],
    lists: dict[str, list[dict[str, Any]]],
    labelled: Any,
) -> dict[str, str]:
    kept = dict(question.xlsform)
    name = kept.get("name") or question.key
    kind = question.kind
    row: dict[str, str] = {"type": "", "name": name}
    appearance = str(kept.get("appearance", ""))
    if kind in {
        Question.Kind.SINGLE,
        Question.Kind.DROPDOWN,
        Question.Kind.MULTIPLE,
        Question.Kind.YES_NO,
        Question.Kind.THUMBS,
    }:
        choices = question.choices or (
            [{"value": "yes", "label": "Yes"}, {"value": "no", "label": "No"}]
            if kind == Question.Kind.YES_NO
            else [{"value": "up", "label": "Thumbs up"}, {"value": "down", "label": "Thumbs down"}]
            if kind == Question.Kind.THUMBS
            else []
        )
        list_name = str(kept.get("list_name") or question.key)
        own = [{**choice, "_question": question.pk} for choice in choices]
        bare = [{k: v for k, v in c.items() if k != "_question"} for c in own]
        number = 2
        base_name = list_name
        while (
            list_name in lists
            and [{k: v for k, v in c.items() if k != "_question"} for c in lists[list_name]] != bare
        ):
            list_name, number = f"{base_name}_{number}", number + 1
        lists.setdefault(list_name, own)
        verb = "select_multiple" if kind == Question.Kind.MULTIPLE else "select_one"
        row["type"] = f"{verb} {list_name}" + (" or_other" if question.allow_other else "")
        if kind == Question.Kind.DROPDOWN and "minimal" not in appearance:
            appearance = " ".join(filter(None, [appearance, "minimal"]))
    elif kind in {Question.Kind.LIKERT_5, Question.Kind.LIKERT_7} and question.choices:
        # Agreement points with their words: a Likert list, as Kobo draws one.
        list_name = str(kept.get("list_name") or question.key)
        lists.setdefault(list_name, [{**choice, "_question": question.pk} for choice in question.choices])
        row["type"] = f"select_one {list_name}"
        if "likert" not in appearance:
            appearance = " ".join(filter(None, [appearance, "likert"]))
    elif kind in SCALE_RANGES:
        low, high = SCALE_RANGES[kind]
        row["type"] = "range"
        row["parameters"] = str(kept.get("parameters") or f"start={low} end={high} step=1")
    elif kind == Question.Kind.NUMBER:
        row["type"] = str(kept.get("type") or "decimal")
    elif kind == Question.Kind.DATE:
        row["type"] = "date"
    elif kind == Question.Kind.DISPLAY:
        row["type"] = "note"
    elif kind == Question.Kind.HIDDEN:
        row["type"] = "calculate" if kept.get("calculation") else "hidden"
    else:  # short and long text, email, phone
        row["type"] = "text"
        if kind == Question.Kind.LONG_TEXT and "multiline" not in appearance:
            appearance = " ".join(filter(None, [appearance, "multiline"]))
    if kind != Question.Kind.HIDDEN or question.text != name:
        labelled(row, "label", question.text, f"question:{question.pk}:text")
    labelled(row, "hint", question.help_text, f"question:{question.pk}:help_text")
    if question.required:
        row["required"] = "yes"
    relevant = kept.get("relevant") or _relevant_of(question.show_if, names_by_key)
    if relevant:
        row["relevant"] = relevant
    constraint = kept.get("constraint") or (
        f"string-length(.) <= {question.max_length}" if question.max_length else ""
    )
    if constraint:
        row["constraint"] = constraint
    for key in ("constraint_message", "required_message"):
        if kept.get(key):
            row[column(key, base)] = str(kept[key])
        for code, text in (kept.get(f"{key}_translations") or {}).items():
            row[column(key, code)] = text
    for key in ("calculation", "choice_filter", "default"):
        if kept.get(key):
            row[key] = str(kept[key])
    if appearance:
        row["appearance"] = appearance
    return row


def _relevant_of(show_if: dict[str, Any], names_by_key: dict[str, str]) -> str:
    if not show_if.get("question"):
        return ""
    name = names_by_key.get(show_if["question"], show_if["question"])
    return " or ".join(f"${{{name}}} = '{value}'" for value in show_if.get("values", []))
