"""Import kinds `xlsform` (an ODK/KoboToolbox XLSForm into a new draft survey) and `survey-responses` (a CSV of
responses collected elsewhere into existing surveys). Both are all-or-nothing: every bad row is reported with
its line (or sheet row) and column, and nothing is written while there is one.

`survey-responses` columns:
- `survey` (required): the survey's short code, the code in its hosted link /s/<code>/ and in the `survey`
  column of the `survey-responses` export;
- one column per question key of the survey's current version; a multiple-choice answer lists its values
  separated by `;` and an "other" text goes in `<key>__other`;
- optional: `submitted_at` (2026-01-31 or 2026-01-31T14:05, the agency's time zone when none is given; default
  now), `channel` (one of the A-11 channels), `location`, `language` (a code such as en, es or ar), and the design columns
  `weight`, `stratum`, `cluster`, `population_size`.
Every answer is checked by the same rules as the web form and the API (`instrument.check_answers`).
"""

import datetime as dt
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
from touchstone.surveys import instrument
from touchstone.surveys.languages import LANGUAGES
from touchstone.surveys.models import Question, Response, Survey

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
        if language not in LANGUAGES:
            ok = False
            context.problem(line, "language", _("Write a language code such as en, es or ar."))
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


@register_importer
class XlsFormImporter(Importer):
    kind = "xlsform"
    label = "XLSForm (ODK, Ona, KoboToolbox) into a new draft survey"
    help_text = (
        "An .xlsx or .xls workbook with a survey sheet and a choices sheet, read as pyxform reads it. Becomes a "
        "new draft survey to review before publishing: groups become pages, every label language a language of "
        "the survey; relevance, constraints, cascading choices and defaults are kept and run where the web form "
        "can, and the summary names what is kept but not run. Locations, media, repeats and device identifiers "
        "are refused, row by row."
    )
    suffixes = (".xlsx", ".xls")

    def load(self, path: Path, context: ImportContext) -> dict[str, Any]:
        from touchstone.surveys import xlsform

        return xlsform.import_form(path, context, _file_title(path))


def _file_title(path: Path) -> str:
    """The workbook's name without the prefix the upload page gives stored files."""
    return re.sub(r"^[0-9a-f]{32}_", "", path.stem).replace("_", " ").strip() or _("Imported survey")
