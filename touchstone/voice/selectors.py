"""Every read of employee voice, always through the agency. Results leave here already suppressed: no caller ever
holds a count for a group below the agency's minimum, or a comment a reviewer has not approved."""

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
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
from touchstone.voice.figures import BREAKDOWN_KINDS, NO_ANSWER
from touchstone.voice.models import (
    DEFAULT_MINIMUM_GROUP,
    BoardItem,
    EligibilityToken,
    EmployeeComment,
    EmployeeSurveySetup,
    RosterEntry,
    SendRequest,
    Support,
    VoiceRelease,
    VoiceSettings,
)


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
    """What staff may know of the links: how many were sent (their own doing) and how many people the releases
    counted. How many links are used right now is never shown: it moves with each answer."""

    sent: int
    released: int
    addresses_kept: int


def link_counts(survey: Survey) -> LinkCounts:
    counts = EligibilityToken.objects.filter(survey=survey).aggregate(
        sent=Count("pk"), kept=Count("pk", filter=~Q(email=""))
    )
    released = VoiceRelease.objects.filter(survey=survey).aggregate(total=Sum("respondents"))["total"] or 0
    return LinkCounts(counts["sent"], released, counts["kept"])


def pending_comments(survey: Survey) -> QuerySet[EmployeeComment]:
    """Comments waiting for review, only from releases already made; random ids, so the order tells no time."""
    return EmployeeComment.objects.filter(
        survey=survey, status=EmployeeComment.Status.PENDING, release__isnull=False
    ).order_by("id")


def comment_of(survey: Survey, comment_id: Any) -> EmployeeComment:
    comment = (
        EmployeeComment.objects.select_related("survey__agency")
        .filter(survey=survey, pk=comment_id, release__isnull=False)
        .first()
    )
    if comment is None:
        raise Http404("No such comment in this survey.")
    return comment


def stable_order(texts: list[str]) -> list[str]:
    """Sorted by a hash of the words: the same every time, and unrelated to when they were written."""
    return sorted(texts, key=lambda text: hashlib.sha256(text.encode()).hexdigest())


def approved_comments(survey: Survey, release: VoiceRelease | None = None) -> dict[str, list[str]]:
    """Approved, redacted comments by question key (of one release, if given), in an order unrelated to arrival."""
    grouped: dict[str, list[str]] = {}
    comments = EmployeeComment.objects.filter(
        survey=survey, status=EmployeeComment.Status.APPROVED, release__isnull=False
    )
    if release is not None:
        comments = comments.filter(release=release)
    for key, text in comments.values_list("question_key", "redacted"):
        grouped.setdefault(key, []).append(text)
    return {key: stable_order(texts) for key, texts in sorted(grouped.items())}


# Names, ids, emails and phone numbers a reviewer should remove before approving a comment.
IDENTIFYING = re.compile(
    r"(?P<email>[\w.+-]+@[\w-]+(?:\.[\w-]+)+)"
    r"|(?P<phone>(?:\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4})"
    r"|(?P<id>\b(?:[A-Z]{1,4}-?\d{3,}|\d{5,})\b)"
    r"|(?P<name>\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)+\b|(?<=[a-z,] )\b[A-Z][a-z]{2,}\b)"
)


@dataclass
class Passage:
    text: str
    kind: str  # "" for plain text, else email, phone, id or name


def marked_for_redaction(text: str) -> list[Passage]:
    """The comment cut into passages, each identifying one marked with its kind, for the reviewer to remove."""
    passages, at = [], 0
    for match in IDENTIFYING.finditer(text):
        if match.start() > at:
            passages.append(Passage(text[at : match.start()], ""))
        passages.append(Passage(match.group(0), match.lastgroup or ""))
        at = match.end()
    if at < len(text):
        passages.append(Passage(text[at:], ""))
    return passages


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
    favorable_interval: list[float] | None = None


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
class TrendLine:
    key: str
    text: str
    favorable: list[float | None]


@dataclass
class ReleaseSummary:
    number: int
    month: str
    respondents: int | None
    epsilon: float | None


@dataclass
class Privacy:
    budget: float
    per_release: float
    spent: float
    margin: int | None

    @property
    def left(self) -> float:
        return max(0.0, self.budget - self.spent)


@dataclass
class SurveyResults:
    minimum: int
    respondents: int | None
    questions: list[QuestionResult]
    breakdowns: list[Breakdown]
    comments: dict[str, list[str]]
    comment_labels: dict[str, str]
    release: ReleaseSummary | None = None
    releases: list[ReleaseSummary] = field(default_factory=list)
    trend: list[TrendLine] = field(default_factory=list)
    privacy: Privacy | None = None

    @property
    def shown(self) -> bool:
        return self.respondents is not None

    @property
    def comment_groups(self) -> list[tuple[str, list[str]]]:
        return [(self.comment_labels.get(key, key), texts) for key, texts in self.comments.items()]


def releases(survey: Survey) -> list[VoiceRelease]:
    return list(VoiceRelease.objects.filter(survey=survey).order_by("number"))


def release_of(survey: Survey, number: int | None) -> VoiceRelease | None:
    """A release by its number, or the latest; None if there is none yet."""
    made = VoiceRelease.objects.filter(survey=survey)
    if number is not None:
        release = made.filter(number=number).first()
        if release is None:
            raise Http404("No such release of this survey.")
        return release
    return made.order_by("-number").first()


def _summary(release: VoiceRelease) -> ReleaseSummary:
    return ReleaseSummary(
        release.number, f"{release.released_on:%Y-%m}", release.figures.get("respondents"), release.epsilon
    )


def privacy_of(survey: Survey) -> Privacy | None:
    setup = EmployeeSurveySetup.objects.filter(survey=survey).first()
    if setup is None or not setup.privacy_budget or not setup.epsilon_per_release:
        return None
    spent = VoiceRelease.objects.filter(survey=survey).aggregate(total=Sum("epsilon"))["total"] or 0.0
    latest = VoiceRelease.objects.filter(survey=survey).order_by("-number").first()
    margin = (latest.figures.get("noise") or {}).get("margin") if latest else None
    return Privacy(setup.privacy_budget, setup.epsilon_per_release, float(spent), margin)


def survey_questions(survey: Survey) -> list[dict[str, Any]]:
    version = survey.current_version
    return [q for q in (version.questions() if version else []) if q["kind"] != Question.Kind.DISPLAY]


def survey_results(survey: Survey, language: str = "en", number: int | None = None) -> SurveyResults:
    """What staff, exports and the API may see of an employee survey: one release's stored figures, already
    suppressed, with its approved comments and the trend across releases. Nothing here reads a live answer."""
    questions = survey_questions(survey)
    labels = {q["key"]: instrument.label(q, language) for q in questions}
    by_key = {q["key"]: q for q in questions}
    made = releases(survey)
    release = release_of(survey, number)
    privacy = privacy_of(survey)
    if release is None:
        return SurveyResults(minimum_group(survey.agency), None, [], [], {}, labels, privacy=privacy)
    figures = release.figures
    results = [_question_result(q, by_key.get(q["key"]), labels, language) for q in figures["questions"]]
    breakdowns = [_breakdown_result(b, by_key.get(b["key"]), labels, language) for b in figures["breakdowns"]]
    scale_keys = [q["key"] for q in figures["questions"] if q["kind"] == "scale"]
    trend = []
    for key in scale_keys:
        points = []
        for made_release in made:
            found = [q for q in made_release.figures["questions"] if q["key"] == key]
            points.append(found[0]["favorable"] if found else None)
        trend.append(TrendLine(key, labels.get(key, key), points))
    return SurveyResults(
        figures["minimum"],
        figures["respondents"],
        results,
        breakdowns,
        approved_comments(survey, release),
        labels,
        release=_summary(release),
        releases=[_summary(r) for r in made],
        trend=trend,
        privacy=privacy,
    )


def _option_labels(question: dict[str, Any] | None, language: str) -> dict[str, str]:
    labels = dict(collection.choices_for(question, language)) if question else {}
    labels[NO_ANSWER] = _("No answer")
    return labels


def _question_result(
    figures: dict[str, Any], question: dict[str, Any] | None, labels: dict[str, str], language: str
) -> QuestionResult:
    names = _option_labels(question, language)
    return QuestionResult(
        figures["key"],
        labels.get(figures["key"], figures["key"]),
        figures["n"],
        favorable=figures["favorable"],
        shares=[Share(names.get(o["value"], o["value"]), o["count"], o["share"]) for o in figures["options"]],
        favorable_interval=figures.get("favorable_interval"),
    )


def _breakdown_result(
    figures: dict[str, Any], question: dict[str, Any] | None, labels: dict[str, str], language: str
) -> Breakdown:
    names = _option_labels(question, language)
    return Breakdown(
        figures["key"],
        labels.get(figures["key"], figures["key"].replace("_", " ").capitalize()),
        [labels.get(key, key) for key in figures["columns"]],
        [
            BreakdownRow(names.get(row["value"], row["value"]), row["respondents"], row["favorable"])
            for row in figures["rows"]
        ],
        figures["hidden_groups"],
    )


def roster_values(agency: Agency, keys: list[str]) -> dict[str, list[str]]:
    """Every value the roster holds for each attribute, so a breakdown lists groups whether or not anyone answered."""
    values: dict[str, set[str]] = {key: set() for key in keys}
    for attributes in RosterEntry.objects.filter(agency=agency).values_list("attributes", flat=True):
        for key in keys:
            if attributes.get(key) not in (None, ""):
                values[key].add(str(attributes[key]))
    return {key: sorted(found) for key, found in values.items() if found}


def roster_attribute_names(agency: Agency) -> list[str]:
    names: set[str] = set()
    for attributes in RosterEntry.objects.filter(agency=agency).values_list("attributes", flat=True)[:2000]:
        names.update(attributes)
    return sorted(names)


def pending_send_requests(survey: Survey) -> QuerySet[SendRequest]:
    return SendRequest.objects.filter(survey=survey, status=SendRequest.Status.PENDING).select_related(
        "requested_by"
    )


def send_request_of(survey: Survey, send_request_id: int) -> SendRequest:
    found = SendRequest.objects.filter(survey=survey, pk=send_request_id).first()
    if found is None:
        raise Http404("No such send request for this survey.")
    return found


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
        grouped.setdefault(item.service.display_name if item.service else _("No service named"), []).append(
            item
        )
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
