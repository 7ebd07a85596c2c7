"""Every read of employee voice, always through the agency. Results leave here already suppressed: no caller ever
holds a count for a group below the agency's minimum, or a comment a reviewer has not approved."""

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from touchstone.catalog.models import JourneyStage, Service
from touchstone.complaints.models import Topic
from touchstone.core.models import Agency, User
from touchstone.standards.models import PeriodResult, ServiceStandard
from touchstone.stats.compare import compare_proportions
from touchstone.stats.themes import find_themes
from touchstone.surveys import collection, instrument
from touchstone.surveys.models import Question, Survey
from touchstone.voice.models import (
    DEFAULT_MINIMUM_GROUP,
    BoardItem,
    EligibilityToken,
    EmployeeAnswer,
    EmployeeComment,
    EmployeeSurveySetup,
    Support,
    VoiceSettings,
)
from touchstone.voice.suppression import suppress, suppress_groups

BREAKDOWN_KINDS = {Question.Kind.SINGLE, Question.Kind.DROPDOWN, Question.Kind.YES_NO}
NO_ANSWER = "__none__"


def minimum_group(agency: Agency) -> int:
    settings = VoiceSettings.objects.filter(agency=agency).first()
    return settings.minimum_group if settings else DEFAULT_MINIMUM_GROUP


# --- surveys ----------------------------------------------------------------------------------------------------


def employee_surveys(agency: Agency) -> QuerySet[Survey]:
    return (
        Survey.objects.filter(agency=agency, audience=Survey.Audience.EMPLOYEES)
        .select_related("current_version")
        .order_by("-created_at")
    )


def employee_survey_of(agency: Agency, survey_id: int) -> Survey:
    survey = employee_surveys(agency).select_related("agency").filter(pk=survey_id).first()
    if survey is None:
        raise Http404("No such employee survey in this agency.")
    return survey


def breakdown_keys(survey: Survey) -> list[str]:
    setup = EmployeeSurveySetup.objects.filter(survey=survey).first()
    return list(setup.breakdown_keys) if setup else []


def breakdown_candidates(survey: Survey) -> list[Question]:
    return list(survey.questions.filter(kind__in=BREAKDOWN_KINDS).order_by("page__position", "position"))


@dataclass
class LinkCounts:
    sent: int
    used: int
    addresses_kept: int


def link_counts(survey: Survey) -> LinkCounts:
    counts = EligibilityToken.objects.filter(survey=survey).aggregate(
        sent=Count("pk"), used=Count("pk", filter=Q(used=True)), kept=Count("pk", filter=~Q(email=""))
    )
    return LinkCounts(counts["sent"], counts["used"], counts["kept"])


def pending_comments(survey: Survey) -> QuerySet[EmployeeComment]:
    # Random ids: the queue's order says nothing about when a comment came in.
    return EmployeeComment.objects.filter(survey=survey, status=EmployeeComment.Status.PENDING).order_by("id")


def comment_of(survey: Survey, comment_id: Any) -> EmployeeComment:
    comment = (
        EmployeeComment.objects.select_related("survey__agency").filter(survey=survey, pk=comment_id).first()
    )
    if comment is None:
        raise Http404("No such comment in this survey.")
    return comment


def stable_order(texts: list[str]) -> list[str]:
    """Sorted by a hash of the words: the same every time, and unrelated to when they were written."""
    return sorted(texts, key=lambda text: hashlib.sha256(text.encode()).hexdigest())


def approved_comments(survey: Survey) -> dict[str, list[str]]:
    """Approved, redacted comments by question key, in a stable order that is not the order of arrival."""
    grouped: dict[str, list[str]] = {}
    for key, text in EmployeeComment.objects.filter(
        survey=survey, status=EmployeeComment.Status.APPROVED
    ).values_list("question_key", "redacted"):
        grouped.setdefault(key, []).append(text)
    return {key: stable_order(texts) for key, texts in sorted(grouped.items())}


@dataclass
class Share:
    label: str
    count: int | None
    share: float | None


@dataclass
class QuestionResult:
    key: str
    text: str
    n: int | None
    favorable: float | None = None
    shares: list[Share] = field(default_factory=list)


@dataclass
class BreakdownRow:
    label: str
    respondents: int | None
    favorable: list[float | None]


@dataclass
class Breakdown:
    key: str
    text: str
    columns: list[str]
    rows: list[BreakdownRow]
    hidden_groups: int


@dataclass
class SurveyResults:
    minimum: int
    respondents: int | None
    questions: list[QuestionResult]
    breakdowns: list[Breakdown]
    comments: dict[str, list[str]]
    comment_labels: dict[str, str]

    @property
    def shown(self) -> bool:
        return self.respondents is not None

    @property
    def comment_groups(self) -> list[tuple[str, list[str]]]:
        return [(self.comment_labels.get(key, key), texts) for key, texts in self.comments.items()]


def _favorable(kind: str, value: Any) -> bool:
    low, high = instrument.SCALES[kind]
    # The top two points of the scale: 4-5 of 5, 6-7 of 7, 9-10 of 0-10.
    return isinstance(value, int) and value >= high - 1


def survey_results(survey: Survey, language: str = "en") -> SurveyResults:
    """Everything staff, exports and the API may see of an employee survey, with suppression applied."""
    minimum = minimum_group(survey.agency)
    rows = list(EmployeeAnswer.objects.filter(survey=survey).values_list("answers", flat=True))
    total = len(rows)
    version = survey.current_version
    questions = [q for q in (version.questions() if version else []) if q["kind"] != Question.Kind.DISPLAY]
    labels = {q["key"]: instrument.label(q, language) for q in questions}
    if total < minimum:
        return SurveyResults(minimum, None, [], [], {}, labels)
    scales = [q for q in questions if q["kind"] in instrument.SCALES]
    choices = [q for q in questions if q["kind"] in BREAKDOWN_KINDS]
    results = []
    for question in scales:
        values = [row.get(question["key"]) for row in rows if isinstance(row.get(question["key"]), int)]
        n = len(values)
        if n < minimum:
            results.append(QuestionResult(question["key"], labels[question["key"]], None))
            continue
        counts = Counter(values)
        options = collection.choices_for(question, language)
        results.append(
            QuestionResult(
                question["key"],
                labels[question["key"]],
                n,
                favorable=sum(1 for v in values if _favorable(question["kind"], v)) / n,
                shares=[Share(text, counts[int(value)], counts[int(value)] / n) for value, text in options],
            )
        )
    for question in choices:
        results.append(_choice_result(question, rows, labels[question["key"]], minimum, language))
    breakdowns = [
        _breakdown(question, rows, labels, scales, minimum, language)
        for key in breakdown_keys(survey)
        for question in choices
        if question["key"] == key
    ]
    return SurveyResults(minimum, total, results, breakdowns, approved_comments(survey), labels)


def _groups(question: dict[str, Any], rows: list[dict[str, Any]], language: str) -> list[tuple[str, str]]:
    """(value, label) of every group of a breakdown question, its choices first, then "No answer"."""
    options = collection.choices_for(question, language)
    known = {value for value, _label in options}
    extra = sorted({str(row[question["key"]]) for row in rows if question["key"] in row} - known)
    return [*options, *[(value, value) for value in extra], (NO_ANSWER, _("No answer"))]


def _group_of(row: dict[str, Any], key: str) -> str:
    return str(row[key]) if row.get(key) not in (None, "", []) else NO_ANSWER


def _choice_result(
    question: dict[str, Any], rows: list[dict[str, Any]], text: str, minimum: int, language: str
) -> QuestionResult:
    groups = _groups(question, rows, language)
    counts = Counter(_group_of(row, question["key"]) for row in rows)
    sizes = [counts[value] for value, _label in groups]
    hidden = suppress_groups(sizes, minimum)
    total = len(rows)
    shares = [
        Share(label, None if hide else size, None if hide else size / total)
        for (value, label), size, hide in zip(groups, sizes, hidden, strict=True)
        if size > 0
    ]
    return QuestionResult(question["key"], text, total, shares=shares)


def _breakdown(
    question: dict[str, Any],
    rows: list[dict[str, Any]],
    labels: dict[str, str],
    scales: list[dict[str, Any]],
    minimum: int,
    language: str,
) -> Breakdown:
    """One group per row: its size and the favorable share of each scale question; hidden cells are None."""
    groups = [(value, label) for value, label in _groups(question, rows, language)]
    members: dict[str, list[dict[str, Any]]] = {value: [] for value, _label in groups}
    for row in rows:
        members.setdefault(_group_of(row, question["key"]), []).append(row)
    groups = [(value, label) for value, label in groups if members.get(value)]
    counts, favorable = [], []
    for value, _label in groups:
        people = members[value]
        line, shares = [len(people)], []
        for scale in scales:
            answered = [p[scale["key"]] for p in people if isinstance(p.get(scale["key"]), int)]
            line.append(len(answered))
            shares.append(
                sum(1 for v in answered if _favorable(scale["kind"], v)) / len(answered) if answered else None
            )
        counts.append(line)
        favorable.append(shares)
    hidden = suppress(counts, minimum, columns_add_up=True, whole_rows=True)
    table = [
        BreakdownRow(
            label,
            None if flags[0] else line[0],
            [None if hide else share for share, hide in zip(shares, flags[1:], strict=True)],
        )
        for (_value, label), line, shares, flags in zip(groups, counts, favorable, hidden, strict=True)
    ]
    return Breakdown(
        question["key"],
        labels[question["key"]],
        [labels[s["key"]] for s in scales],
        table,
        hidden_groups=sum(1 for flags in hidden if flags[0]),
    )


# --- the board --------------------------------------------------------------------------------------------------


def board_items(agency: Agency, *, viewer: User | None = None, **filters: Any) -> QuerySet[BoardItem]:
    """Items still on the board (not merged away), with how many support each, most supported first."""
    items = (
        BoardItem.objects.filter(agency=agency, merged_into__isnull=True)
        .filter(**{key: value for key, value in filters.items() if value})
        .select_related("service", "journey_stage", "author", "standard", "topic")
        .annotate(support_count=Count("supports"))
        .order_by("-support_count", "summary", "id")
    )
    if viewer is not None:
        items = items.annotate(
            supported=Exists(Support.objects.filter(item=OuterRef("pk"), supporter=viewer))
        )
    return items


def board_item_of(agency: Agency, item_id: Any, viewer: User | None = None) -> BoardItem:
    item = (
        BoardItem.objects.filter(agency=agency, pk=item_id)
        .select_related("service", "journey_stage", "author", "standard", "topic", "merged_into")
        .annotate(support_count=Count("supports"))
        .first()
    )
    if item is None:
        raise Http404("No such item on this agency's board.")
    item.supported = viewer is not None and Support.objects.filter(item=item, supporter=viewer).exists()  # type: ignore[attr-defined]
    return item


def services_of(agency: Agency) -> QuerySet[Service]:
    return Service.objects.filter(agency=agency).order_by("name")


def stages_of(agency: Agency) -> QuerySet[JourneyStage]:
    return (
        JourneyStage.objects.filter(service__agency=agency)
        .select_related("service")
        .order_by("service__name", "position")
    )


def standards_of(agency: Agency) -> QuerySet[ServiceStandard]:
    return ServiceStandard.objects.filter(agency=agency, valid_until__isnull=True).select_related("service")


def topics_of(agency: Agency) -> QuerySet[Topic]:
    return Topic.objects.filter(agency=agency).select_related("parent")


# --- insight ----------------------------------------------------------------------------------------------------


@dataclass
class ServiceBarriers:
    service: str
    items: int
    supports: int
    top: list[BoardItem]


def barriers_by_service(agency: Agency, per_service: int = 3) -> list[ServiceBarriers]:
    """Each service the board's barriers touch, most supported first, with its top barriers."""
    grouped: dict[str, list[BoardItem]] = {}
    for item in board_items(agency, kind=BoardItem.Kind.BARRIER).exclude(status=BoardItem.Status.DONE):
        grouped.setdefault(item.service.name if item.service else _("No service named"), []).append(item)
    summary = [
        ServiceBarriers(
            name,
            len(items),
            sum(i.support_count for i in items),  # type: ignore[attr-defined]
            items[:per_service],
        )
        for name, items in grouped.items()
    ]
    return sorted(summary, key=lambda s: (-s.supports, -s.items, s.service))


@dataclass
class ThemeSummary:
    label: str
    size: int
    share: float
    examples: list[str]


def themes(agency: Agency, max_themes: int = 6) -> list[ThemeSummary]:
    """Themes across approved survey comments and board items; unapproved words never reach the clustering."""
    texts = list(
        EmployeeComment.objects.filter(
            survey__agency=agency, status=EmployeeComment.Status.APPROVED
        ).values_list("redacted", flat=True)
    )
    texts += [
        f"{summary}. {text}"
        for summary, text in BoardItem.objects.filter(agency=agency, merged_into__isnull=True).values_list(
            "summary", "text"
        )
    ]
    texts = stable_order(texts)
    return [
        ThemeSummary(theme.label, theme.size, theme.share, [texts[i][:300] for i in theme.examples])
        for theme in find_themes(texts, max_themes=max_themes)
    ]


@dataclass
class Movement:
    item: BoardItem
    standard: ServiceStandard
    before: list[PeriodResult]
    after: list[PeriodResult]
    share_before: float | None
    share_after: float | None
    difference: float | None
    p_value: float | None

    @property
    def points(self) -> float | None:
        return None if self.difference is None else self.difference * 100

    @property
    def verdict(self) -> str:
        if not self.after or self.difference is None:
            return _("Not enough periods since it was done")
        if self.p_value is not None and self.p_value < 0.05:
            return _("Improved") if self.difference > 0 else _("Worsened")
        return _("No clear change")


def _pooled(results: list[PeriodResult]) -> tuple[int, int] | None:
    counted = [r for r in results if r.total and r.volume_met is not None]
    if not counted:
        return None
    return sum(int(r.volume_met or 0) for r in counted), sum(int(r.total or 0) for r in counted)


def did_it_move(agency: Agency, periods: int = 3) -> list[Movement]:
    """For done items linked to a standard: the standard's results in the periods before and after."""
    movements = []
    items = BoardItem.objects.filter(
        agency=agency, status=BoardItem.Status.DONE, standard__isnull=False, done_period__isnull=False
    ).select_related("standard__service")
    for item in items:
        standard = item.standard
        assert standard is not None and item.done_period is not None
        results = list(
            PeriodResult.objects.filter(standard__lineage=standard.lineage).order_by("period_start")
        )
        before = [r for r in results if r.period_start < item.done_period][-periods:]
        after = [r for r in results if r.period_start >= item.done_period][:periods]
        pooled_before, pooled_after = _pooled(before), _pooled(after)
        share_before = share_after = difference = p_value = None
        if pooled_before and pooled_after:
            comparison = compare_proportions(
                {"before": pooled_before, "after": pooled_after}, pairs=[("before", "after")], adjust="none"
            )[0]
            share_before, share_after = comparison.value_a, comparison.value_b
            difference, p_value = comparison.difference, comparison.p_value
        movements.append(
            Movement(item, standard, before, after, share_before, share_after, difference, p_value)
        )
    return movements
