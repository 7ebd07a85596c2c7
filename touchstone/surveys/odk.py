"""Import kind `odk-responses`: the CSV export of ODK Central, Ona or KoboToolbox for a form that was imported
as an XLSForm, loaded as responses to that survey.

Columns are matched to questions by the form's own names, through group paths written `group/question` (Ona,
Kobo) or `group-question` (ODK Central), or by the name alone. Their bookkeeping columns (`_id`, `_uuid`,
`_submission_time`, `meta/instanceID`, `KEY`, `SubmissionDate`, ...) are read, not refused: the instance id
becomes the response's identity, so importing the same export again adds nothing, and the submission time its
time. The survey is the one whose questions the columns name (or the one named in a `survey` column by short
code, or by the form id in `_xform_id_string`). Kobo's semicolon-separated files are read as well.
"""

import datetime as dt
import re
from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from touchstone.core import audit
from touchstone.core.importing import (
    ImportContext,
    Importer,
    count_csv_records,
    read_csv_records,
    register_importer,
)
from touchstone.surveys import instrument
from touchstone.surveys.models import Question, Response, Survey

INSTANCE_COLUMNS = ("meta/instanceID", "meta-instanceID", "instanceID", "KEY", "_uuid")
TIME_COLUMNS = ("_submission_time", "SubmissionDate", "end")
# Bookkeeping the collecting servers add: read for identity and time above, otherwise passed over.
SERVER_COLUMNS = {
    "SubmitterID",
    "SubmitterName",
    "AttachmentsPresent",
    "AttachmentsExpected",
    "Status",
    "ReviewState",
    "DeviceID",
    "Edits",
    "FormVersion",
    "formhub/uuid",
    "__version__",
    "survey",
}
DEVICE_NAMES = {
    "start",
    "end",
    "today",
    "deviceid",
    "imei",
    "username",
    "simserial",
    "subscriberid",
    "phonenumber",
    "audit",
}
NOT_ANSWERED = {"", "n/a"}
BATCH = 1000


def _delimiter(path: Path) -> str:
    with path.open("rb") as handle:
        first = handle.readline(65536)
    return ";" if first.count(b";") > first.count(b",") else ","


def _is_bookkeeping(column: str) -> bool:
    last = re.split(r"[/-]", column)[-1]
    return (
        column.startswith("_")
        or column in SERVER_COLUMNS
        or column in INSTANCE_COLUMNS
        or column in TIME_COLUMNS
        or column.startswith(("meta/", "meta-"))
        or last in DEVICE_NAMES
    )


def _columns_of(question: dict[str, Any]) -> list[str]:
    """Every header a server may give this question: its path with / or -, or its name alone."""
    kept = question.get("xlsform") or {}
    name = str(kept.get("name") or question["key"])
    path = str(kept.get("path") or name)
    return list(dict.fromkeys([path, path.replace("/", "-"), name, question["key"]]))


def _header_map(questions: list[dict[str, Any]], header: list[str]) -> tuple[dict[str, str], list[str]]:
    """({column: question key or key__other}, columns left unknown) for one survey's questions."""
    by_column: dict[str, str] = {}
    multiple_prefixes: list[str] = []
    for question in questions:
        for column in _columns_of(question):
            by_column.setdefault(column, question["key"])
            if question.get("allow_other"):
                by_column.setdefault(f"{column}_other", f"{question['key']}__other")
            if question["kind"] == Question.Kind.MULTIPLE:
                multiple_prefixes.append(f"{column}/")
    mapped, unknown = {}, []
    for column in header:
        if column in by_column:
            mapped[column] = by_column[column]
        elif _is_bookkeeping(column) or column.startswith(tuple(multiple_prefixes)):
            continue  # server columns, and select-multiple's one-column-per-choice split (the main column has all)
        else:
            unknown.append(column)
    return mapped, unknown


def _header(path: Path, delimiter: str) -> list[str]:
    import csv

    from touchstone.core.importing import text_encoding

    try:
        with path.open(newline="", encoding=text_encoding(path)) as handle:
            return [name.strip() for name in next(csv.reader(handle, delimiter=delimiter), [])]
    except (UnicodeDecodeError, csv.Error):
        return []  # reading the records reports the line


@register_importer
class OdkResponsesImporter(Importer):
    kind = "odk-responses"
    label = "Responses exported from ODK Central, Ona or KoboToolbox (CSV)"
    help_text = (
        "The CSV export of a form that was imported here as an XLSForm. Columns are matched to questions by the "
        "form's names, with or without their group path; the instance id keeps a second import of the same "
        "export from adding anything."
    )

    def count_rows(self, path: Path) -> int | None:
        return count_csv_records(path)

    def load(self, path: Path, context: ImportContext) -> dict[str, Any]:
        assert context.agency is not None
        delimiter = _delimiter(path)
        header = _header(path, delimiter)
        survey: Survey | None = None
        mapping: dict[str, str] = {}
        pending: list[Response] = []
        seen: set[str] = set()
        existing: set[str] = set()
        rows = skipped = 0
        now = timezone.now()
        for line, record in read_csv_records(
            path, context, [], total=self.count_rows(path), delimiter=delimiter
        ):
            rows += 1
            if context.too_many_problems:
                break
            if rows == 1:
                survey, mapping = self._survey(header, record, context)
                if survey is not None:
                    existing = {
                        key
                        for key in Response.objects.filter(
                            survey=survey, idempotency_key__startswith="odk:"
                        ).values_list("idempotency_key", flat=True)
                        if key
                    }
            if survey is None:
                continue  # the rest is still read, so that a damaged line is reported too
            instance = next((record[c].strip() for c in INSTANCE_COLUMNS if record.get(c, "").strip()), "")
            key = "odk:" + instance.removeprefix("uuid:")[:90] if instance else None
            if key and (key in existing or key in seen):
                skipped += 1
                continue
            response = self._response(line, record, survey, mapping, context, now)
            if response is None or context.problems:
                continue
            response.idempotency_key = key
            if key:
                seen.add(key)
            pending.append(response)
            if len(pending) >= BATCH:
                Response.objects.bulk_create(pending)
                pending = []
        if context.problems or survey is None:
            if survey is None and not context.problems:
                context.problem(None, "", _("The file has no responses."))
            return {"rows": rows}
        Response.objects.bulk_create(pending)
        added = rows - skipped
        audit.record(
            actor=context.actor,
            actor_label=context.actor_label,
            action="imported responses",
            target=survey,
            agency=survey.agency,
            changes={"responses": [None, added], "already there": [None, skipped]},
        )
        return {"rows": rows, "survey": survey.pk, "responses": added, "already_imported": skipped}

    def _survey(
        self, header: list[str], record: dict[str, str], context: ImportContext
    ) -> tuple[Survey | None, dict[str, str]]:
        """The survey the export answers, and its column mapping; reports why when there is none."""
        assert context.agency is not None
        candidates = Survey.objects.filter(
            agency=context.agency, current_version__isnull=False
        ).select_related("current_version", "agency")
        code = record.get("survey", "").strip()
        form_id = record.get("_xform_id_string", "").strip()
        if code:
            candidates = candidates.filter(short_code=code)
        elif form_id:
            candidates = candidates.filter(xlsform_settings__id_string=form_id)
        best: tuple[int, Survey | None, dict[str, str], list[str]] = (0, None, {}, header)
        for survey in candidates:
            assert survey.current_version is not None
            mapping, unknown = _header_map(survey.current_version.questions(), header)
            if not unknown and len(mapping) > best[0]:
                best = (len(mapping), survey, mapping, unknown)
            elif best[1] is None and len(unknown) < len(best[3]):
                best = (0, None, {}, unknown)
        if best[1] is None:
            context.problem(
                1,
                ", ".join(best[3][:10]),
                _(
                    "No published survey of this agency has questions named like these columns. Import the form's "
                    "XLSForm first and publish it, or add a survey column with the survey's short code."
                ),
            )
        return best[1], best[2]

    def _response(
        self,
        line: int,
        record: dict[str, str],
        survey: Survey,
        mapping: dict[str, str],
        context: ImportContext,
        now: dt.datetime,
    ) -> Response | None:
        version = survey.current_version
        assert version is not None
        questions = version.questions()
        kinds = {question["key"]: question["kind"] for question in questions}
        raw: dict[str, Any] = {}
        for column, key in mapping.items():
            value = record.get(column, "").strip()
            if value.lower() in NOT_ANSWERED:
                continue
            raw[key] = value.split() if kinds.get(key) == Question.Kind.MULTIPLE else value
        checked = instrument.check_answers(questions, raw)
        for key, message in checked.errors.items():
            column = next((c for c, k in mapping.items() if k == key), key)
            context.problem(line, column, message)
        submitted_at = now
        for column in TIME_COLUMNS:
            text = record.get(column, "").strip()
            if text:
                try:
                    submitted_at = _moment(text)
                except ValueError:
                    context.problem(
                        line,
                        column,
                        _("Write the time as 2026-01-31T14:05:00, not “%(value)s”.") % {"value": text[:40]},
                    )
                    return None
                break
        if checked.errors:
            return None
        return Response(
            survey=survey,
            version=version,
            answers=checked.answers,
            source=Response.Source.IMPORT,
            status=Response.Status.COMPLETE,
            submitted_at=min(submitted_at, now),
            language=survey.default_language,
        )


def _moment(text: str) -> dt.datetime:
    """The servers write submission times in UTC, with a Z (Central) or without any zone (Ona, Kobo)."""
    moment = dt.datetime.fromisoformat(text.replace(" ", "T", 1))
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=dt.UTC)
    return moment
