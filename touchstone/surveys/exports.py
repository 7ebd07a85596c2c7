"""Export kinds of survey responses: `survey-responses` (CSV), `survey-responses-json` and `a11-v2-upload`.

The inbox downloads them for one survey with its current filters (a fiscal quarter, dates, channel...); the
`export` command and the imports page write every customer survey of the agency, with a `survey` column (the
survey's short code, the same one the `survey-responses` import reads). Spam is never exported from the command
line. Employee surveys are anonymous: their individual responses are not exported at all.

The A-11 upload is the quarterly file of OMB Circular A-11 §280 for A-11 v2 surveys, one row per respondent,
with exactly Touchpoints' headers: 0/1 for each option, `null` where the option was not offered (the list the
respondent's trust answer did not reveal, or an option the version did not have).
"""

import json
from collections.abc import Iterable, Iterator
from typing import IO, Any

from django.db.models import QuerySet
from django.utils import timezone

from touchstone.core.fiscal import fiscal_quarter
from touchstone.core.importing import Exporter, SafeCsvWriter, register_exporter
from touchstone.core.models import Agency
from touchstone.surveys import instrument
from touchstone.surveys.models import Question, Response, Survey, SurveyVersion

CHUNK = 2000
METADATA_COLUMNS = [
    "response_id",
    "survey",
    "version",
    "submitted_at",
    "fiscal_quarter",
    "status",
    "source",
    "language",
    "service",
    "channel",
    "office",
    "location",
    "weight",
    "stratum",
    "cluster",
    "population_size",
    "is_spam",
    "is_flagged",
    "is_archived",
    "tags",
]
A11_OPTIONS = ["effectiveness", "ease", "efficiency", "transparency", "humanity", "employee", "other"]
A11_UPLOAD_HEADERS = [
    "external_id",
    "question_1",
    *[f"positive_{option}" for option in A11_OPTIONS],
    *[f"negative_{option}" for option in A11_OPTIONS],
    "question_4",
]
NULL = "null"


def question_columns(versions: Iterable[SurveyVersion]) -> list[str]:
    """One column per question key (and its "other" text), newest version's order first, older keys after."""
    columns: list[str] = []
    for version in sorted(versions, key=lambda v: (v.survey_id, -v.number)):
        for question in version.questions():
            if question["kind"] == Question.Kind.DISPLAY:
                continue
            keys = [question["key"]] + ([f"{question['key']}__other"] if question.get("allow_other") else [])
            columns.extend(key for key in keys if key not in columns)
    return columns


def _versions_of(responses: QuerySet[Response]) -> list[SurveyVersion]:
    return list(SurveyVersion.objects.filter(pk__in=responses.order_by().values("version_id").distinct()))


def _rows(responses: QuerySet[Response]) -> Iterator[Response]:
    return (
        responses.select_related(None)
        .select_related("survey", "service", "office")
        .defer("survey__introduction", "survey__introduction_es", "survey__allowed_origins")
        .order_by("submitted_at", "pk")
        .iterator(chunk_size=CHUNK)
    )


def metadata(response: Response, version_numbers: dict[int, int]) -> dict[str, Any]:
    submitted = timezone.localtime(response.submitted_at)
    return {
        "response_id": response.pk,
        "survey": response.survey.short_code,
        "version": version_numbers.get(response.version_id),
        "submitted_at": submitted.isoformat(timespec="seconds"),
        "fiscal_quarter": fiscal_quarter(submitted.date()).label,
        "status": response.status,
        "source": response.source,
        "language": response.language,
        "service": response.service.slug if response.service else "",
        "channel": response.channel,
        "office": response.office.name if response.office else "",
        "location": response.location,
        "weight": response.weight,
        "stratum": response.stratum,
        "cluster": response.cluster,
        "population_size": response.population_size,
        "is_spam": response.is_spam,
        "is_flagged": response.is_flagged,
        "is_archived": response.is_archived,
        "tags": list(response.tags or []),
    }


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    return value


def agency_responses(agency: Agency) -> QuerySet[Response]:
    """What the command line exports for an agency: its customer surveys' responses, spam left out."""
    return Response.objects.filter(survey__agency=agency, is_spam=False).exclude(
        survey__audience=Survey.Audience.EMPLOYEES
    )


@register_exporter
class ResponsesCsvExporter(Exporter):
    kind = "survey-responses"
    label = "Survey responses (CSV, one column per question)"

    def write(self, stream: IO[str], agency: Agency | None) -> None:
        assert agency is not None
        self.write_responses(stream, agency_responses(agency))

    def write_responses(self, stream: IO[str], responses: QuerySet[Response]) -> None:
        versions = _versions_of(responses)
        numbers = {version.pk: version.number for version in versions}
        columns = question_columns(versions)
        writer = SafeCsvWriter(stream)
        writer.writerow(METADATA_COLUMNS + columns)
        for response in _rows(responses):
            row = metadata(response, numbers)
            writer.writerow(
                [_csv_value(row[name]) for name in METADATA_COLUMNS]
                + [_csv_value(response.answers.get(key)) for key in columns]
            )


@register_exporter
class ResponsesJsonExporter(Exporter):
    kind = "survey-responses-json"
    label = "Survey responses (JSON)"
    content_type = "application/json"
    suffix = ".json"

    def write(self, stream: IO[str], agency: Agency | None) -> None:
        assert agency is not None
        self.write_responses(stream, agency_responses(agency))

    def write_responses(self, stream: IO[str], responses: QuerySet[Response]) -> None:
        """A JSON array written record by record, so a large export never sits in memory whole."""
        versions = _versions_of(responses)
        numbers = {version.pk: version.number for version in versions}
        columns = question_columns(versions)
        stream.write("[")
        for index, response in enumerate(_rows(responses)):
            record = metadata(response, numbers)
            record["answers"] = {key: response.answers[key] for key in columns if key in response.answers}
            stream.write(
                ("," if index else "") + "\n  " + json.dumps(record, ensure_ascii=False, default=str)
            )
        stream.write("\n]\n")


def a11_v2_parts(version: SurveyVersion) -> dict[str, dict[str, Any]] | None:
    """The trust item, the two reveal lists and the comment of an A-11 v2 version; None when it is not one."""
    parts: dict[str, dict[str, Any]] = {}
    for question in version.questions():
        role = {
            Question.Measures.TRUST: "trust",
            Question.Measures.WENT_WELL: "positive",
            Question.Measures.WENT_BADLY: "negative",
            Question.Measures.COMMENT: "comment",
        }.get(question.get("measures", ""))
        if role and role not in parts:
            parts[role] = question
    if not {"trust", "positive", "negative"} <= set(parts):
        return None
    return parts


def is_a11_v2(survey: Survey) -> bool:
    version = survey.current_version
    return version is not None and a11_v2_parts(version) is not None


def a11_upload_row(response: Response, parts: dict[str, dict[str, Any]]) -> list[Any]:
    answers = response.answers
    trust = answers.get(parts["trust"]["key"])
    row: list[Any] = [response.pk, NULL if trust is None else trust]
    for side in ("positive", "negative"):
        question = parts[side]
        offered = trust is not None and instrument.is_shown(question, answers)
        options = {str(choice["value"]) for choice in question.get("choices") or []}
        if question.get("allow_other"):
            options.add(instrument.OTHER)
        chosen = {str(item) for item in answers.get(question["key"]) or []}
        for option in A11_OPTIONS:
            if not offered or option not in options:
                row.append(NULL)
            else:
                row.append(1 if option in chosen else 0)
    comment = answers.get(parts["comment"]["key"]) if "comment" in parts else None
    row.append(NULL if comment in (None, "") else comment)
    return row


@register_exporter
class A11UploadExporter(Exporter):
    kind = "a11-v2-upload"
    label = "A-11 quarterly upload (A-11 v2 surveys, Touchpoints format)"

    def write(self, stream: IO[str], agency: Agency | None) -> None:
        assert agency is not None
        self.write_responses(stream, agency_responses(agency))

    def write_responses(self, stream: IO[str], responses: QuerySet[Response]) -> None:
        """Complete responses only; a response to a version that is not A-11 v2 has no row."""
        parts_by_version = {version.pk: a11_v2_parts(version) for version in _versions_of(responses)}
        writer = SafeCsvWriter(stream)
        writer.writerow(A11_UPLOAD_HEADERS)
        complete = responses.filter(status=Response.Status.COMPLETE)
        for response in (
            complete.select_related(None)
            .only("pk", "version_id", "answers")
            .order_by("submitted_at", "pk")
            .iterator(chunk_size=CHUNK)
        ):
            parts = parts_by_version.get(response.version_id)
            if parts is not None:
                writer.writerow(a11_upload_row(response, parts))


INBOX_EXPORTS: dict[str, type[Exporter]] = {
    "csv": ResponsesCsvExporter,
    "json": ResponsesJsonExporter,
    "a11": A11UploadExporter,
}
