"""An instrument as respondents see it: the frozen schema of a version, which questions show, where a page leads,
and the server's check of every answer. Pure functions over the schema dict, so the web form, the API and the
importers judge answers the same way."""

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.utils.text import Truncator
from django.utils.translation import gettext as _

from touchstone.surveys.models import Page, Question, Survey

SCALES: dict[str, tuple[int, int]] = {
    Question.Kind.LIKERT_5: (1, 5),
    Question.Kind.LIKERT_7: (1, 7),
    Question.Kind.SCALE_0_10: (0, 10),
    Question.Kind.SCALE_1_10: (1, 10),
    Question.Kind.STARS: (1, 5),
}
CHOICE_KINDS = {Question.Kind.SINGLE, Question.Kind.DROPDOWN, Question.Kind.MULTIPLE}
NO_ANSWER_KINDS = {Question.Kind.DISPLAY}
TEXT_LIMIT = 5000
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE_PATTERN = re.compile(r"^[0-9+()\-.\s]{7,25}$")
OTHER = "other"
QUOTED_LIMIT = 80  # characters of a question's text quoted in an error
SENTENCE_ENDS = (".", "?", "!", "…")


def build_schema(survey: Survey) -> dict[str, Any]:
    """Freeze pages and questions, with every translation of their texts, into the dict a version keeps."""
    from touchstone.surveys import languages

    translations = languages.schema_texts(survey)
    pages = []
    for page in Page.objects.filter(survey=survey).prefetch_related("questions").order_by("position", "pk"):
        pages.append(
            {
                "position": page.position,
                "title": page.title,
                "title_es": page.title_es,
                "branching": page.branching,
                "texts": _texts(translations, f"page:{page.pk}:", ["title"]),
                "questions": [
                    _question_dict(q, translations)
                    for q in sorted(page.questions.all(), key=lambda q: (q.position, q.pk))
                ],
            }
        )
    return {
        "pages": pages,
        "default_language": survey.default_language,
        "languages": languages.languages_of(survey),
    }


def _texts(
    translations: dict[str, dict[str, str]], prefix: str, fields: list[str]
) -> dict[str, dict[str, str]]:
    """{language: {field: text}} of one item, only where a translation has the text."""
    out: dict[str, dict[str, str]] = {}
    for language, texts in translations.items():
        found = {field: texts[prefix + field] for field in fields if texts.get(prefix + field)}
        if found:
            out[language] = found
    return out


def _question_dict(
    question: Question, translations: dict[str, dict[str, str]] | None = None
) -> dict[str, Any]:
    translations = translations or {}
    prefix = f"question:{question.pk}:"
    choices = []
    for choice in question.choices:
        labels = {
            language: {"label": texts[f"{prefix}choice:{choice['value']}"]}
            for language, texts in translations.items()
            if texts.get(f"{prefix}choice:{choice['value']}")
        }
        choices.append({**choice, "texts": labels} if labels else choice)
    return {
        "key": question.key,
        "kind": question.kind,
        "text": question.text,
        "text_es": question.text_es,
        "help_text": question.help_text,
        "help_text_es": question.help_text_es,
        "required": question.required,
        "max_length": question.max_length,
        "choices": choices,
        "allow_other": question.allow_other,
        "show_if": question.show_if,
        "measures": question.measures,
        "dimension": question.dimension,
        "texts": _texts(translations, prefix, ["text", "help_text"]),
        "xlsform": question.xlsform,
    }


def is_shown(question: dict[str, Any], answers: dict[str, Any]) -> bool:
    """A question with a condition shows only when the earlier answer is one of the listed values."""
    condition = question.get("show_if") or {}
    if not condition.get("question"):
        return True
    answer = answers.get(condition["question"])
    wanted = {str(value) for value in condition.get("values", [])}
    if isinstance(answer, list):
        return bool(wanted & {str(item) for item in answer})
    return answer is not None and str(answer) in wanted


def next_page_index(schema: dict[str, Any], index: int, answers: dict[str, Any]) -> int | None:
    """The page after page `index` given the answers so far (branching rules first), or None at the end."""
    pages = schema["pages"]
    for rule in pages[index].get("branching") or []:
        answer = answers.get(rule.get("question"))
        values = {str(value) for value in rule.get("values", [])}
        hit = bool(values & {str(a) for a in answer}) if isinstance(answer, list) else str(answer) in values
        if answer is not None and hit:
            target = next((i for i, page in enumerate(pages) if page["position"] == rule.get("go_to")), None)
            if target is not None and target > index:
                return target
    return index + 1 if index + 1 < len(pages) else None


def label(question: dict[str, Any], language: str) -> str:
    from touchstone.surveys.languages import translated

    return translated(question, "text", language)


@dataclass
class Checked:
    answers: dict[str, Any]
    errors: dict[str, str]


def check_answers(
    questions: list[dict[str, Any]],
    raw: dict[str, Any],
    earlier: dict[str, Any] | None = None,
    *,
    strict_keys: bool = False,
    language: str = "",
) -> Checked:
    """Check raw answers (strings or lists from a form, or JSON values from the API) against the questions.

    Hidden questions (their condition not met) are skipped and their answers dropped. With `strict_keys`, an
    answer to a question the instrument does not have is an error naming it. Errors quote a question in
    `language`, as the form shows it (the survey's own text when empty or untranslated).
    """
    context = dict(earlier or {})
    answers: dict[str, Any] = {}
    errors: dict[str, str] = {}
    known = {q["key"] for q in questions}
    if strict_keys:
        for key in raw:
            base = key.removesuffix("__other")
            if base not in known:
                errors[key] = _("“%(key)s” is not a question of this survey.") % {"key": key}
    for question in questions:
        key, kind = question["key"], question["kind"]
        if kind in NO_ANSWER_KINDS:
            continue
        if not is_shown(question, {**context, **answers}):
            continue
        value = raw.get(key)
        if isinstance(value, str):
            value = value.strip()
        empty = value in (None, "", []) or (
            isinstance(value, list) and not any(str(v).strip() for v in value)
        )
        if empty:
            if question.get("required") and kind != Question.Kind.HIDDEN:
                errors[key] = _answer_this_question(quoted(question, language))
            continue
        try:
            answers[key] = _convert(question, value, raw.get(f"{key}__other"))
            _check_xlsform_rules(question, answers[key], {**context, **answers})
        except ValueError as problem:
            errors[key] = _("“%(text)s”: %(problem)s") % {
                "text": quoted(question, language),
                "problem": problem,
            }
        if question.get("allow_other") and raw.get(f"{key}__other") and key in answers:
            other = str(raw[f"{key}__other"]).strip()[:500]
            chosen = answers[key] if isinstance(answers[key], list) else [answers[key]]
            if OTHER in chosen and other:
                answers[f"{key}__other"] = other
    return Checked(answers, errors)


def quoted(question: dict[str, Any], language: str) -> str:
    """A question's text in `language` as an error quotes it: no longer than QUOTED_LIMIT characters."""
    return Truncator(label(question, language)).chars(QUOTED_LIMIT)


def _answer_this_question(text: str) -> str:
    # A question that ends its own sentence ("… I received.", "¿…?") takes no second full stop after the quote.
    if text.endswith(SENTENCE_ENDS):
        return _("Answer this question: “%(text)s”") % {"text": text}
    return _("Answer this question: “%(text)s”.") % {"text": text}


def _convert(question: dict[str, Any], value: Any, other: Any) -> Any:
    kind = question["kind"]
    if kind in SCALES:
        low, high = SCALES[kind]
        number = _integer(value)
        if not low <= number <= high:
            raise ValueError(_("choose a number from %(low)s to %(high)s") % {"low": low, "high": high})
        return number
    if kind == Question.Kind.THUMBS:
        if str(value).lower() in {"up", "1", "true", "yes"}:
            return 1
        if str(value).lower() in {"down", "0", "false", "no"}:
            return 0
        raise ValueError(_("choose thumbs up or thumbs down"))
    if kind == Question.Kind.YES_NO:
        if str(value).lower() in {"yes", "true", "1", "sí", "si"}:
            return "yes"
        if str(value).lower() in {"no", "false", "0"}:
            return "no"
        raise ValueError(_("choose yes or no"))
    if kind in CHOICE_KINDS:
        allowed = {str(choice["value"]) for choice in question.get("choices", [])}
        if question.get("allow_other"):
            allowed.add(OTHER)
        values = value if isinstance(value, list) else [value]
        values = [str(item) for item in values if str(item).strip()]
        unknown = [item for item in values if item not in allowed]
        if unknown:
            raise ValueError(_("“%(value)s” is not one of the choices") % {"value": unknown[0]})
        if kind != Question.Kind.MULTIPLE:
            if len(values) != 1:
                raise ValueError(_("choose one"))
            return values[0]
        return sorted(set(values), key=values.index)
    if kind == Question.Kind.NUMBER:
        try:
            amount = float(str(value).replace(",", ""))
        except ValueError:
            raise ValueError(_("write a number, like 12 or 3.5")) from None
        return int(amount) if amount.is_integer() else amount
    if kind == Question.Kind.DATE:
        try:
            return dt.date.fromisoformat(str(value)).isoformat()
        except ValueError:
            raise ValueError(_("write a date as YYYY-MM-DD, like 2026-03-31")) from None
    if kind == Question.Kind.EMAIL:
        if not EMAIL_PATTERN.match(str(value)):
            raise ValueError(_("write an email address like name@example.com"))
        return str(value)[:254]
    if kind == Question.Kind.PHONE:
        if not PHONE_PATTERN.match(str(value)):
            raise ValueError(_("write a phone number like 202-555-0100"))
        return str(value)
    text = str(value)
    limit = question.get("max_length") or (
        200 if kind in {Question.Kind.SHORT_TEXT, Question.Kind.HIDDEN} else TEXT_LIMIT
    )
    if len(text) > limit:
        raise ValueError(
            _("shorten the answer to %(limit)s characters (it has %(length)s)")
            % {"limit": limit, "length": len(text)}
        )
    return text


# An imported XLSForm's constraint, where it is one or more of `. >= 0`, `string-length(.) <= 80` joined by
# "and": evaluated here by comparison, never by running the expression.
CONSTRAINT_CLAUSE = re.compile(
    r"^\s*(\.|string-length\(\s*\.\s*\))\s*(<=|>=|!=|<|>|=)\s*(-?\d+(?:\.\d+)?)\s*$"
)
COMPARE = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
}


def constraint_clauses(constraint: str, kind: str) -> list[tuple[bool, str, float]] | None:
    """[(measures length, operator, number)] of a constraint this module can check; None for any other."""
    clauses = []
    for part in re.split(r"\s+and\s+", constraint.strip()):
        match = CONSTRAINT_CLAUSE.match(part)
        if match is None:
            return None
        length = match.group(1) != "."
        if not length and kind != Question.Kind.NUMBER and kind not in SCALES:
            return None
        clauses.append((length, match.group(2), float(match.group(3))))
    return clauses or None


def cascade_choices(question: dict[str, Any], answers: dict[str, Any]) -> list[dict[str, Any]] | None:
    """A cascading question's choices given the earlier answer it follows; None when that is not answered yet."""
    cascade = (question.get("xlsform") or {}).get("cascade")
    if not cascade or answers.get(cascade["question"]) in (None, "", []):
        return None
    parent = str(answers[cascade["question"]])
    return [
        choice
        for choice in question.get("choices", [])
        if str((choice.get("filters") or {}).get(cascade["column"], "")) == parent
    ]


def _check_xlsform_rules(question: dict[str, Any], value: Any, answers: dict[str, Any]) -> None:
    rules = question.get("xlsform") or {}
    if not rules:
        return
    clauses = (
        constraint_clauses(rules.get("constraint", ""), question["kind"]) if rules.get("constraint") else None
    )
    for length, operator, number in clauses or []:
        measured = len(str(value)) if length else float(value)
        if not COMPARE[operator](measured, number):
            raise ValueError(
                rules.get("constraint_message") or _("this answer is outside what the question allows")
            )
    allowed = cascade_choices(question, answers)
    if allowed is not None:
        chosen = value if isinstance(value, list) else [value]
        names = {str(choice["value"]) for choice in allowed} | {OTHER}
        if any(str(item) not in names for item in chosen):
            raise ValueError(_("this choice does not go with the earlier answer"))


def _integer(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError(_("choose a number"))
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(_("choose a number")) from None
    if not number.is_integer():
        raise ValueError(_("choose a whole number"))
    return int(number)
