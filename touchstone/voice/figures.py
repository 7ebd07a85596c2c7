"""The figures of one release, computed once from the answers it covers and stored; then shown in any language.

`compute_figures` takes the survey's questions and the answers of the release's new respondents and returns plain
JSON: counts noised (if the survey chose differential privacy) and then suppressed, keyed by question keys and
option values so the same stored figures serve English and Spanish. Every group a breakdown could have is listed,
empty or not, so a hidden cell never tells whether anyone is in it.
"""

from collections import Counter
from collections.abc import Sequence
from typing import Any

from touchstone.surveys import collection, instrument
from touchstone.surveys.models import Question
from touchstone.voice.privacy import Noise
from touchstone.voice.suppression import suppress_cells

BREAKDOWN_KINDS = {Question.Kind.SINGLE, Question.Kind.DROPDOWN, Question.Kind.YES_NO}
NO_ANSWER = "__none__"


def is_favorable(kind: str, value: Any) -> bool:
    """The top two points of the scale: 4-5 of 5, 6-7 of 7, 9-10 of 0-10."""
    _low, high = instrument.SCALES[kind]
    return isinstance(value, int) and value >= high - 1


def scale_questions(questions: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    return [q for q in questions if q["kind"] in instrument.SCALES]


def choice_questions(questions: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    return [q for q in questions if q["kind"] in BREAKDOWN_KINDS]


def group_values(
    question: dict[str, Any] | None, known: Sequence[str], rows: Sequence[dict[str, Any]]
) -> list[str]:
    """Every group of a breakdown: the question's choices (or the roster's values), any other value, no answer."""
    options = [value for value, _label in collection.choices_for(question, "en")] if question else list(known)
    key = question["key"] if question else None
    extra = sorted(
        {str(row[key]) for row in rows if key and row.get(key) not in (None, "", [])} - set(options)
    )
    return [*options, *extra, NO_ANSWER]


def group_of(row: dict[str, Any], key: str) -> str:
    return str(row[key]) if row.get(key) not in (None, "", []) else NO_ANSWER


def _noised(counts: list[int], noise: Noise | None) -> list[int]:
    return noise.apply(counts) if noise else counts


def _interval(count: int, total: int, noise: Noise | None) -> list[float] | None:
    """The range of a share that the noise alone could have moved it across (95%)."""
    if noise is None or total <= 0:
        return None
    margin = noise.margin
    return [max(0.0, (count - margin) / total), min(1.0, (count + margin) / total)]


def _scale_figures(
    question: dict[str, Any], rows: Sequence[dict[str, Any]], minimum: int, noise: Noise | None
) -> dict[str, Any]:
    values = [str(v) for v, _label in collection.choices_for(question, "en")]
    tally = Counter(str(row[question["key"]]) for row in rows if isinstance(row.get(question["key"]), int))
    counts = _noised([tally[v] for v in values], noise)
    n = sum(counts)
    figures: dict[str, Any] = {"key": question["key"], "kind": "scale", "n": None, "favorable": None}
    figures.update({"favorable_interval": None, "options": []})
    if n < minimum:
        return figures
    favorable = [i for i, v in enumerate(values) if is_favorable(question["kind"], int(v))]
    unfavorable = [i for i in range(len(values)) if i not in favorable]
    fav_count = sum(counts[i] for i in favorable)
    # The favourable share is shown only if both it and its complement rest on enough people.
    share_hidden = fav_count < minimum or n - fav_count < minimum
    hidden = suppress_cells(
        counts,
        minimum,
        lines=[list(range(len(values)))] + ([] if share_hidden else [favorable, unfavorable]),
    )
    figures["n"] = n
    if not share_hidden:
        figures["favorable"] = fav_count / n
        figures["favorable_interval"] = _interval(fav_count, n, noise)
    figures["options"] = [
        {"value": v, "count": None if hide else c, "share": None if hide else c / n}
        for v, c, hide in zip(values, counts, hidden, strict=True)
    ]
    return figures


def _choice_figures(
    question: dict[str, Any], rows: Sequence[dict[str, Any]], minimum: int, noise: Noise | None
) -> dict[str, Any]:
    values = group_values(question, [], rows)
    tally = Counter(group_of(row, question["key"]) for row in rows)
    counts = _noised([tally[v] for v in values], noise)
    n = sum(counts)
    hidden = suppress_cells(counts, minimum, lines=[list(range(len(values)))])
    return {
        "key": question["key"],
        "kind": "choice",
        "n": n if n >= minimum else None,
        "favorable": None,
        "favorable_interval": None,
        "options": [
            {"value": v, "count": None if hide else c, "share": None if hide or not n else c / n}
            for v, c, hide in zip(values, counts, hidden, strict=True)
        ],
    }


def _breakdown_figures(
    key: str,
    question: dict[str, Any] | None,
    known: Sequence[str],
    rows: Sequence[dict[str, Any]],
    scales: Sequence[dict[str, Any]],
    minimum: int,
    noise: Noise | None,
) -> dict[str, Any]:
    """Group sizes and each group's favourable share of each scale question, as one table of cells:
    per group, its size, then a favourable and an unfavourable count per question."""
    groups = group_values(question, known, rows)
    members: dict[str, list[dict[str, Any]]] = {value: [] for value in groups}
    for row in rows:
        members.setdefault(group_of(row, key), []).append(row)
    sizes = _noised([len(members[group]) for group in groups], noise)
    per_scale: list[tuple[list[int], list[int]]] = []
    for scale in scales:
        fav, unfav = [], []
        for group in groups:
            answered = [p[scale["key"]] for p in members[group] if isinstance(p.get(scale["key"]), int)]
            yes = sum(1 for v in answered if is_favorable(scale["kind"], v))
            fav.append(yes)
            unfav.append(len(answered) - yes)
        noised = _noised(fav + unfav, noise)
        per_scale.append((noised[: len(groups)], noised[len(groups) :]))
    # Flatten: sizes first, then for each scale the favourable counts, then the unfavourable ones.
    cells = list(sizes)
    size_at = list(range(len(groups)))
    fav_at: list[list[int]] = []
    unfav_at: list[list[int]] = []
    for fav, unfav in per_scale:
        fav_at.append(list(range(len(cells), len(cells) + len(groups))))
        cells += fav
        unfav_at.append(list(range(len(cells), len(cells) + len(groups))))
        cells += unfav
    lines = [size_at, *fav_at, *unfav_at]
    follows: list[tuple[list[int], list[int]]] = []
    for g in range(len(groups)):
        row_cells = [cells_of[g] for pair in zip(fav_at, unfav_at, strict=True) for cells_of in pair]
        follows.append(([size_at[g]], row_cells))
        for f, u in zip(fav_at, unfav_at, strict=True):
            follows.append(([f[g], u[g]], [f[g], u[g]]))
    hidden = suppress_cells(cells, minimum, lines=lines, follows=follows)
    table = []
    for g, value in enumerate(groups):
        favorable: list[float | None] = []
        for f, u in zip(fav_at, unfav_at, strict=True):
            given = cells[f[g]] + cells[u[g]]
            favorable.append(None if hidden[f[g]] or not given else cells[f[g]] / given)
        table.append(
            {"value": value, "respondents": None if hidden[size_at[g]] else sizes[g], "favorable": favorable}
        )
    return {
        "key": key,
        "columns": [s["key"] for s in scales],
        "rows": table,
        "hidden_groups": sum(1 for g in range(len(groups)) if hidden[size_at[g]]),
    }


def compute_figures(
    questions: Sequence[dict[str, Any]],
    breakdown_keys: Sequence[str],
    rows: Sequence[dict[str, Any]],
    minimum: int,
    *,
    noise: Noise | None = None,
    roster_values: dict[str, list[str]] | None = None,
) -> dict[str, Any]:
    """Suppressed (and optionally noised) figures of the answers `rows`; nothing below `minimum` survives."""
    roster_values = roster_values or {}
    scales = scale_questions(questions)
    choices = choice_questions(questions)
    by_key = {q["key"]: q for q in choices}
    respondents = _noised([len(rows)], noise)[0]
    breakdowns = [
        _breakdown_figures(key, by_key.get(key), roster_values.get(key, []), rows, scales, minimum, noise)
        for key in breakdown_keys
        if key in by_key or key in roster_values
    ]
    return {
        "respondents": respondents if respondents >= minimum else None,
        "minimum": minimum,
        "noise": {"epsilon": noise.epsilon, "margin": noise.margin} if noise else None,
        "questions": [_scale_figures(q, rows, minimum, noise) for q in scales]
        + [_choice_figures(q, rows, minimum, noise) for q in choices],
        "breakdowns": breakdowns,
    }
