"""One door for data coming in, and one for data going out.

Each capability registers its import kinds (`@register_importer`) and export kinds (`@register_exporter`).
`manage.py import`, the workspace's upload page and the API all call `run_import`, so a file is checked the
same way whichever door it comes through. Every import is all-or-nothing: the importer reports every bad
row it finds (up to a limit), and if there is any, nothing is written.
"""

import codecs
import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, ClassVar, Protocol

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from touchstone.core import numbers
from touchstone.core.models import Agency, User

MAX_PROBLEMS = 200
ProgressCallback = Callable[[int, int | None], None]


@dataclass(frozen=True)
class RowProblem:
    line: int | None
    column: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else "file"
        column = f", column {self.column}" if self.column else ""
        return f"{where}{column}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "column": self.column, "message": self.message}


class ImportFailed(Exception):
    """The file was not loaded; `problems` says where and what to change."""

    def __init__(self, problems: list[RowProblem], rows_checked: int = 0) -> None:
        self.problems = problems
        self.rows_checked = rows_checked
        super().__init__("; ".join(str(problem) for problem in problems[:5]))


@dataclass
class ImportContext:
    agency: Agency | None
    actor: User | None
    actor_label: str = ""
    progress: ProgressCallback = lambda done, total: None  # noqa: E731
    problems: list[RowProblem] = field(default_factory=list)
    # Undo for what lives outside the database (files an importer wrote): run when the load is not kept.
    undo: list[Callable[[], None]] = field(default_factory=list)

    def problem(self, line: int | None, column: str, message: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(RowProblem(line, column, message))
        elif len(self.problems) == MAX_PROBLEMS:
            self.problems.append(
                RowProblem(None, "", f"More than {MAX_PROBLEMS} problems; fix these and try again.")
            )

    @property
    def too_many_problems(self) -> bool:
        return len(self.problems) > MAX_PROBLEMS


class Importer:
    kind: ClassVar[str]
    label: ClassVar[str]
    help_text: ClassVar[str] = ""
    # False for the installation-wide kinds (they create and rename agencies): only installation staff run them.
    needs_agency: ClassVar[bool] = True
    suffixes: ClassVar[tuple[str, ...]] = (".csv",)

    def count_rows(self, path: Path) -> int | None:
        """How many records the file holds, for the progress bar; None when unknown."""
        return None

    def load(self, path: Path, context: ImportContext) -> dict[str, Any]:
        """Check and write every row; call context.problem for each bad one; return a summary."""
        raise NotImplementedError


class Exporter:
    kind: ClassVar[str]
    label: ClassVar[str]
    needs_agency: ClassVar[bool] = True
    content_type: ClassVar[str] = "text/csv"
    suffix: ClassVar[str] = ".csv"

    def write(self, stream: IO[str], agency: Agency | None) -> None:
        raise NotImplementedError


IMPORTERS: dict[str, type[Importer]] = {}
EXPORTERS: dict[str, type[Exporter]] = {}


def register_importer(cls: type[Importer]) -> type[Importer]:
    IMPORTERS[cls.kind] = cls
    return cls


def register_exporter(cls: type[Exporter]) -> type[Exporter]:
    EXPORTERS[cls.kind] = cls
    return cls


def is_installation_staff(user: User | None) -> bool:
    """Installation staff (Django superusers) are the only people who may run imports that write across agencies.

    An agency's admins and analysts, the overseer and every agency's API token are not: they would write records
    of agencies they do not belong to.
    """
    return bool(user is not None and user.is_active and user.is_superuser)


def importers_offered_to(user: User | None) -> dict[str, type[Importer]]:
    """The import kinds this person may run: their agency's kinds, and the installation-wide ones for staff."""
    staff = is_installation_staff(user)
    return {kind: cls for kind, cls in IMPORTERS.items() if cls.needs_agency or staff}


def upload_too_large(size: int | None) -> str:
    """Why a file sent through the upload page or the API is refused for its size; "" when it is not."""
    from django.conf import settings

    limit = settings.IMPORT_MAX_BYTES
    if size is None or size <= limit:
        return ""
    return _(
        "The file is %(size)s MB; files sent here may be at most %(limit)s MB. Split it into smaller files "
        "(by month, for example), or ask your administrator to load it on the server with manage.py import."
    ) % {"size": numbers.decimal(size / 1048576), "limit": numbers.decimal(limit / 1048576)}


def importer_for(kind: str) -> Importer:
    if kind not in IMPORTERS:
        known = ", ".join(sorted(IMPORTERS)) or "none"
        raise KeyError(f"There is no import kind {kind!r}; the kinds are: {known}.")
    return IMPORTERS[kind]()


def exporter_for(kind: str) -> Exporter:
    if kind not in EXPORTERS:
        known = ", ".join(sorted(EXPORTERS)) or "none"
        raise KeyError(f"There is no export kind {kind!r}; the kinds are: {known}.")
    return EXPORTERS[kind]()


@dataclass(frozen=True)
class ImportOutcome:
    summary: dict[str, Any]
    dry_run: bool


class _DryRunRollback(Exception):
    pass


def run_import(
    kind: str,
    path: Path,
    *,
    agency: Agency | None,
    actor: User | None = None,
    dry_run: bool = False,
    progress: ProgressCallback | None = None,
    actor_label: str = "",
) -> ImportOutcome:
    """Load one file all-or-nothing; raise ImportFailed with every problem found, having written nothing."""
    importer = importer_for(kind)
    if importer.needs_agency and agency is None:
        raise ImportFailed(
            [RowProblem(None, "", f"The {kind} import needs an agency; name one with --agency.")]
        )
    if not path.exists():
        raise ImportFailed([RowProblem(None, "", f"The file {path} does not exist.")])
    context = ImportContext(
        agency=agency, actor=actor, actor_label=actor_label, progress=progress or (lambda d, t: None)
    )
    summary: dict[str, Any] = {}
    try:
        with transaction.atomic():
            summary = importer.load(path, context)
            if context.problems:
                raise ImportFailed(context.problems, rows_checked=int(summary.get("rows", 0)))
            if dry_run:
                raise _DryRunRollback
    except BaseException as error:
        for undo in reversed(context.undo):
            undo()
        if not isinstance(error, _DryRunRollback):
            raise
    return ImportOutcome(summary=summary, dry_run=dry_run)


def text_encoding(path: Path) -> str:
    """The file's encoding from its byte-order mark: UTF-8 (with or without one) or UTF-16 with one.

    Without a mark the file must be UTF-8: Latin-1 and Windows-1252 cannot be told apart from each other (every byte
    is valid in both), so such a file is refused with the line to fix rather than guessed at.
    """
    with path.open("rb") as handle:
        head = handle.read(4)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return "utf-8"


def starts_with_nul(path: Path, encoding: str) -> bool:
    """True for a UTF-8 file whose first line holds a NUL: most likely UTF-16 saved without its byte-order mark."""
    if encoding == "utf-16":
        return False
    with path.open("rb") as handle:
        return b"\x00" in handle.readline(4096)


def undecodable_line(path: Path, encoding: str) -> tuple[int, int]:
    """(line number, first bad byte) of the first line that is not text in `encoding`; (0, 0) if none is."""
    decoder = codecs.getincrementaldecoder(encoding)()
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                decoder.decode(raw)
            except UnicodeDecodeError as error:
                return number, raw[error.start] if error.start < len(raw) else 0
    return 0, 0


def report_undecodable(path: Path, encoding: str, context: "ImportContext") -> None:
    line, byte = undecodable_line(path, encoding)
    context.problem(
        line or None,
        "",
        _(
            "This line is not UTF-8 text (it has the byte 0x%(byte)02X, as files saved as Latin-1 or Windows-1252 "
            "do). Save the file as “CSV UTF-8” (or UTF-16 with a byte-order mark) and upload it again."
        )
        % {"byte": byte},
    )


NUL_MESSAGE = gettext_noop(
    "This line holds a NUL character, which no text may hold; a file saved as UTF-16 without a byte-order "
    "mark looks like this. Save the file as “CSV UTF-8” and upload it again."
)


def read_csv_records(
    path: Path, context: ImportContext, required: list[str], total: int | None = None, delimiter: str = ","
) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number where the record starts, row) from a CSV, streaming; report missing columns at once.

    Quoted fields may span lines, so the line number is tracked from the reader, not by counting records.
    A line that is not text, holds a NUL, or opens a quote that never closes is reported by its number.
    """
    encoding = text_encoding(path)
    if starts_with_nul(path, encoding):
        context.problem(1, "", _(NUL_MESSAGE))
        return
    with path.open(newline="", encoding=encoding) as handle:
        reader = csv.reader(handle, delimiter=delimiter)
        start_line = 1
        try:
            try:
                header = next(reader)
            except StopIteration:
                context.problem(1, "", _("The file is empty; it needs a header row."))
                return
            if any("\x00" in name for name in header):
                context.problem(1, "", _(NUL_MESSAGE))
                return
            header = [name.strip() for name in header]
            missing = [name for name in required if name not in header]
            if missing:
                context.problem(1, ", ".join(missing), _("These columns are missing from the header row."))
                return
            start_line = reader.line_num + 1
            done = 0
            for values in reader:
                line = start_line
                start_line = reader.line_num + 1
                if not any(value.strip() for value in values):
                    continue
                if len(values) != len(header):
                    context.problem(
                        line, "", f"This row has {len(values)} values; the header has {len(header)}."
                    )
                    continue
                if any("\x00" in value for value in values):
                    context.problem(line, "", _(NUL_MESSAGE))
                    continue
                done += 1
                if done % 500 == 0:
                    context.progress(done, total)
                yield line, dict(zip(header, values, strict=True))
            context.progress(done, total)
        except UnicodeDecodeError:
            report_undecodable(path, encoding, context)
        except csv.Error as error:
            context.problem(
                start_line,
                "",
                _(
                    "This record cannot be read (%(error)s): a quote opened here may never close, or the file "
                    "was cut short. Check the quotes from this line on."
                )
                % {"error": str(error)[:200]},
            )


def count_csv_records(path: Path) -> int:
    """Records in a CSV, for the progress bar; 0 when the file cannot be read (its reading reports why)."""
    try:
        with path.open(newline="", encoding=text_encoding(path)) as handle:
            return max(0, sum(1 for _ in csv.reader(handle)) - 1)
    except (UnicodeDecodeError, csv.Error):
        return 0


# A cell a spreadsheet would run as a formula (OWASP "CSV injection"): =HYPERLINK(...), +cmd, -2+3, @SUM, a tab or a
# carriage return first. Such text is written with a single quote before it, so it shows as typed and never runs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def spreadsheet_safe(value: Any) -> Any:
    """The value as a CSV cell that no spreadsheet runs: numbers (and text that is only a number) stay as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


class Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


class SafeCsvWriter:
    """csv.writer for every export: each text cell goes through `spreadsheet_safe`."""

    def __init__(self, stream: Writable) -> None:
        self._writer = csv.writer(stream)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([spreadsheet_safe(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def write_csv(stream: IO[str], header: list[str], rows: Iterator[list[Any]] | list[list[Any]]) -> None:
    writer = SafeCsvWriter(stream)
    writer.writerow(header)
    writer.writerows(rows)


def write_json(stream: IO[str], payload: Any) -> None:
    json.dump(payload, stream, ensure_ascii=False, indent=2, default=str)


def export_to_string(kind: str, agency: Agency | None) -> str:
    buffer = io.StringIO()
    exporter_for(kind).write(buffer, agency)
    return buffer.getvalue()
