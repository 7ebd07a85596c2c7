"""Taking answers from the public: the page being shown, the link's hidden fields, spam controls, partial saves.

Nothing is kept about the respondent beyond what the survey asks, except a coarse page or location of where they
came from: no IP address, no user agent. The rate limit counts a salted hash of the address in the cache only.
"""

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from touchstone.catalog.channels import Channel
from touchstone.catalog.models import Service
from touchstone.core.models import Office
from touchstone.surveys import instrument
from touchstone.surveys.languages import translated
from touchstone.surveys.models import KioskDevice, Response, Survey

if TYPE_CHECKING:
    from touchstone.surveys.defence import Verdict

LINK_FIELDS = ("service", "channel", "location", "office")
LINK_VALUE_LIMIT = 200
LINK_NAMES_LIMIT = 20


@dataclass
class LinkValues:
    """What a survey link carries, sorted by where it goes: the response's service, channel, office and location
    (`context`); hidden questions' answers (`hidden`); prefilled answers the person sees and may change
    (`prefilled`); and the survey's other allowed parameters, kept with the response as hidden fields (`fields`)."""

    context: dict[str, str] = field(default_factory=dict)
    hidden: dict[str, str] = field(default_factory=dict)
    prefilled: dict[str, str] = field(default_factory=dict)
    fields: dict[str, str] = field(default_factory=dict)

    def carried(self) -> dict[str, str]:
        """The values the form carries on to its submission in hidden inputs (prefilled answers are its fields)."""
        return {key: value for key, value in {**self.context, **self.hidden, **self.fields}.items() if value}


def link_from(
    params: Mapping[str, Any],
    questions: list[dict[str, Any]],
    survey: Survey,
    *,
    prefix: str,
    or_plain: bool = False,
) -> LinkValues:
    """Read a link's values: `<prefix><name>` as the form carries them, and with `or_plain` the bare query
    parameter as the link was written. Service, channel, location, office and hidden questions always come from the
    link; other names only when the survey's allow-list (`prefill_parameters`) has them."""

    def value(name: str) -> str:
        found = params.get(f"{prefix}{name}")
        if found is None and or_plain:
            found = params.get(name)
        return str(found or "").strip()[:LINK_VALUE_LIMIT]

    kinds = {q["key"]: q["kind"] for q in questions}
    link = LinkValues(
        context={name: value(name) for name in LINK_FIELDS},
        hidden={key: value(key) for key, kind in kinds.items() if kind == "hidden" and value(key)},
    )
    for name in survey.prefill_names()[:LINK_NAMES_LIMIT]:
        if name in LINK_FIELDS or kinds.get(name) == "hidden" or not value(name):
            continue
        if name in kinds:
            if kinds[name] != "display":
                link.prefilled[name] = value(name)
        else:
            link.fields[name] = value(name)
    return link


def keep_honeypot_hit(survey: Survey, source: str, language: str, kiosk: KioskDevice | None) -> None:
    """A bot's submission, kept without its answers and marked as spam so the inbox can show it was caught."""
    version = survey.current_version
    if version is not None:
        Response.objects.create(
            survey=survey,
            version=version,
            answers={},
            is_spam=True,
            spam_score=100,
            spam_reasons=["honeypot"],
            source=source,
            language=language,
            kiosk=kiosk,
        )


CHANNELS = frozenset(Channel.values)  # Channel.values builds a new list on each read


def link_context(survey: Survey, params: dict[str, Any]) -> dict[str, Any]:
    """The service, channel, office and location carried by the link, checked against the agency's own records."""
    context: dict[str, Any] = {}
    service_slug = str(params.get("service", "")).strip()
    if service_slug:
        context["service"] = Service.objects.filter(agency_id=survey.agency_id, slug=service_slug).first()
    elif survey.service_id:
        context["service"] = survey.service
    channel = str(params.get("channel", "")).strip() or survey.default_channel
    if channel in CHANNELS:
        context["channel"] = channel
    office_id = str(params.get("office", "")).strip()
    if office_id.isdigit():
        context["office"] = Office.objects.filter(agency_id=survey.agency_id, pk=int(office_id)).first()
    location = str(params.get("location", "")).strip()[:100]
    if location:
        context["location"] = location
    return {key: value for key, value in context.items() if value is not None}


@dataclass
class PartialState:
    response: Response | None
    token: str


def load_partial(survey: Survey, token: str) -> Response | None:
    if not token:
        return None
    return Response.objects.filter(
        survey=survey, status=Response.Status.PARTIAL, resume_token_hash=Response.hash_token(token)
    ).first()


def save_partial(
    survey: Survey, token: str, answers: dict[str, Any], language: str, context: dict[str, Any], source: str
) -> str:
    """Keep the answers of the pages done so far, so a respondent can go on later; returns the resume token."""
    existing = load_partial(survey, token)
    if existing is not None:
        existing.answers = {**existing.answers, **answers}
        existing.save(update_fields=["answers"])
        return token
    token = secrets.token_urlsafe(18)
    assert survey.current_version is not None
    Response.objects.create(
        survey=survey,
        version=survey.current_version,
        status=Response.Status.PARTIAL,
        answers=answers,
        language=language,
        source=source,
        resume_token_hash=Response.hash_token(token),
        **context,
    )
    return token


def complete_partial(partial: Response, answers: dict[str, Any], verdict: "Verdict") -> Response:
    partial.answers = {**partial.answers, **answers}
    partial.status = Response.Status.COMPLETE
    partial.resume_token_hash = ""
    partial.submitted_at = timezone.now()
    for name, value in verdict.fields().items():
        setattr(partial, name, value)
    partial.save(
        update_fields=[
            "answers",
            "status",
            "resume_token_hash",
            "submitted_at",
            "is_spam",
            "spam_score",
            "spam_reasons",
        ]
    )
    return partial


def page_questions(survey: Survey, index: int) -> list[dict[str, Any]]:
    assert survey.current_version is not None
    return survey.current_version.schema["pages"][index]["questions"]


def choices_for(
    question: dict[str, Any], language: str, answers: dict[str, Any] | None = None
) -> list[tuple[str, str]]:
    """(value, label) to show for a question: its own choices (those that go with the earlier answer, for a
    cascading one), or the scale's points."""
    kind = question["kind"]
    if question.get("choices"):
        choices = instrument.cascade_choices(question, answers or {})
        if choices is None:
            choices = question["choices"]
        options = [(str(c["value"]), translated(c, "label", language)) for c in choices]
        if question.get("allow_other"):
            options.append((instrument.OTHER, "Otro" if language == "es" else "Other"))
        return options
    if kind in instrument.SCALES:
        low, high = instrument.SCALES[kind]
        return [(str(n), str(n)) for n in range(low, high + 1)]
    if kind == "thumbs":
        return [("up", "👍 Sí" if language == "es" else "👍 Yes"), ("down", "👎 No")]
    if kind == "yes_no":
        return [("yes", "Sí" if language == "es" else "Yes"), ("no", "No")]
    return []


OTHER_LIMIT = 500  # the "Other" box's maxlength in question.html


def put_back(question: dict[str, Any], value: Any, limit: int | None = None) -> Any:
    """The answer to show again after an error, never longer than the question takes: a rejected 10 MB answer
    is not sent back to the browser (the error says how long it was)."""
    limit = limit or question.get("max_length") or instrument.TEXT_LIMIT
    if isinstance(value, str):
        return value[:limit]
    if isinstance(value, list):
        return [item[:limit] if isinstance(item, str) else item for item in value[:100]]
    return value


def _default(question: dict[str, Any]) -> Any:
    """An imported XLSForm's plain default (not a calculation such as today()), as the answer first shown."""
    default = str((question.get("xlsform") or {}).get("default", ""))
    if not default or "$" in default or "(" in default:
        return None
    return default.split() if question["kind"] == "multiple" else default


def questions_to_show(
    questions: list[dict[str, Any]],
    language: str,
    errors: dict[str, str],
    values: dict[str, Any],
) -> list[dict[str, Any]]:
    """The page's questions as the form template draws them (`portal/surveys/question.html`): label and hint in
    the respondent's language, choices, the error to show and the answer to put back. Hidden fields are left out."""
    return [
        {
            **q,
            "label": instrument.label(q, language),
            "hint": translated(q, "help_text", language),
            "options": choices_for(q, language, values),
            "error": errors.get(q["key"]),
            "value": put_back(q, values[q["key"]] if q["key"] in values else _default(q)),
            "other_value": put_back(q, values.get(f"{q['key']}__other", ""), OTHER_LIMIT),
        }
        for q in questions
        if q["kind"] != "hidden"
    ]
