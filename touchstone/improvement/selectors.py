"""Every read of improvement, scoped to an agency: the service page (one fixed set of queries whatever the number
of responses, cases and periods), actions with their measured effect, follow-ups, followers and alerts."""

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from touchstone.catalog.models import Service
from touchstone.core.fiscal import month_start
from touchstone.core.models import Agency, User
from touchstone.improvement.models import (
    A11_MEASURES,
    Alert,
    FollowUp,
    FollowUpRule,
    ImprovementAction,
    ServiceFollower,
    ServiceMonth,
)
from touchstone.standards import measurement
from touchstone.standards.models import BurnRateAlert, PeriodResult, ServiceStandard
from touchstone.stats.proportions import Proportion, wilson_interval
from touchstone.stats.segmented import Effect, segmented_effect

MONTHS_SHOWN = 36
RECENT = 3  # months pooled for "lately", compared with the three before
MIN_MONTHLY = 10  # answers a month needs before its share is drawn
MEASURE_LABELS = dict(A11_MEASURES)
BOARD_ROLES = frozenset({"admin", "analyst", "frontline"})  # who may read the ideas board's items themselves


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def months_ending(last: dt.date, count: int = MONTHS_SHOWN) -> list[dt.date]:
    first = _add_months(last.replace(day=1), -(count - 1))
    return [_add_months(first, i) for i in range(count)]


# --- scoping -------------------------------------------------------------------------------------------------------


def services_of(agency: Agency) -> QuerySet[Service]:
    return Service.objects.filter(agency=agency).order_by("name")


def service_of(agency: Agency, service_id: int) -> Service:
    service = services_of(agency).filter(pk=service_id).first()
    if service is None:
        raise Http404("No such service in this agency.")
    return service


def actions_of(agency: Agency) -> QuerySet[ImprovementAction]:
    return ImprovementAction.objects.filter(agency=agency).select_related(
        "service", "owner", "standard", "board_item", "topic", "goal", "measure_standard"
    )


def action_of(agency: Agency, action_id: int) -> ImprovementAction:
    action = actions_of(agency).filter(pk=action_id).first()
    if action is None:
        raise Http404("No such action in this agency.")
    return action


def follow_ups_of(agency: Agency) -> QuerySet[FollowUp]:
    return FollowUp.objects.filter(agency=agency).select_related("service", "owner", "response__survey")


def follow_up_of(agency: Agency, follow_up_id: int) -> FollowUp:
    found = follow_ups_of(agency).filter(pk=follow_up_id).first()
    if found is None:
        raise Http404("No such follow-up in this agency.")
    return found


def rules_of(agency: Agency) -> QuerySet[FollowUpRule]:
    return FollowUpRule.objects.filter(agency=agency).select_related("service", "owner")


def rule_of(agency: Agency, rule_id: int) -> FollowUpRule:
    rule = rules_of(agency).filter(pk=rule_id).first()
    if rule is None:
        raise Http404("No such rule in this agency.")
    return rule


def alerts_for(agency: Agency, user: User) -> QuerySet[Alert]:
    return Alert.objects.filter(agency=agency, user=user).select_related("service")


def followed_services(agency: Agency, user: User) -> QuerySet[Service]:
    return Service.objects.filter(
        agency=agency, pk__in=ServiceFollower.objects.filter(user=user).values("service_id")
    ).order_by("name")


# --- the pieces of the service page --------------------------------------------------------------------------------


@dataclass
class StandardRow:
    summary: Any  # standards.selectors.StandardSummary
    chart: measurement.ControlChart
    gap: Any = None  # benchmarks.selectors.Comparison

    @property
    def recent_signals(self) -> list[measurement.ChartRow]:
        return [row for row in self.chart.rows[-RECENT:] if row.signals]


@dataclass
class SurveyScore:
    measure: str
    label: str
    monthly: list[tuple[int, int]]  # (answers, agreeing) per month shown
    latest: Proportion | None
    previous: Proportion | None
    falling: bool
    rising: bool
    gap: Any = None

    def share(self, index: int) -> float | None:
        n, agree = self.monthly[index]
        return agree / n if n >= MIN_MONTHLY else None


@dataclass
class TopicRow:
    name: str
    recent: int
    prior: int

    @property
    def rising(self) -> bool:
        return self.recent > self.prior and self.recent >= 3


@dataclass
class ComplaintsSummary:
    monthly: list[int]
    recent: int
    prior: int
    days_to_close: float | None  # on average, over cases closed in the recent months
    open: int
    breached: int
    topics: list[TopicRow]

    @property
    def rising_topics(self) -> list[TopicRow]:
        return [topic for topic in self.topics if topic.rising]


@dataclass
class VoiceSummary:
    barriers: int
    ideas: int
    done: int
    top: list[Any]  # BoardItem annotated with support; summaries only, never the author


@dataclass
class ActionEffect:
    action: ImprovementAction
    measure_label: str
    effect: Effect | None
    labels: list[str] = field(default_factory=list)
    values: list[float | None] = field(default_factory=list)


@dataclass
class FollowUpCounts:
    open: int = 0
    late: int = 0
    closed: int = 0
    closed_in_time: int = 0
    outcomes: list[tuple[str, int]] = field(default_factory=list)


@dataclass
class Signal:
    month: dt.date
    source: str
    text: str


@dataclass
class ServicePage:
    service: Service
    months: list[dt.date]
    standards: list[StandardRow]
    burn_alerts: list[BurnRateAlert]
    scores: list[SurveyScore]
    drivers: list[dict[str, Any]]
    complaints: ComplaintsSummary
    voice: VoiceSummary
    actions: list[ActionEffect]
    follow_ups: FollowUpCounts
    signals: list[Signal]
    following: bool
    channel_mix: Any

    @property
    def labels(self) -> list[str]:
        return [month.strftime("%Y-%m") for month in self.months]

    def standard_share_by_month(self, row: StandardRow) -> list[float | None]:
        by_month = {r.period_start.replace(day=1): r.performance for r in row.summary.recent}
        return [by_month.get(month) for month in self.months]


def _pooled(monthly: list[tuple[int, int]]) -> Proportion | None:
    n = sum(count for count, _agree in monthly)
    agree = sum(hits for _count, hits in monthly)
    return wilson_interval(agree, n) if n else None


def _moved(latest: Proportion | None, previous: Proportion | None) -> int:
    """-1 when the share fell beyond chance (two-proportion z test at 95%), 1 when it rose, else 0."""
    if latest is None or previous is None or latest.value is None or previous.value is None:
        return 0
    se = math.sqrt(
        latest.value * (1 - latest.value) / max(latest.n, 1)
        + previous.value * (1 - previous.value) / max(previous.n, 1)
    )
    if se == 0:
        return 0
    z = (latest.value - previous.value) / se
    return -1 if z < -1.96 else (1 if z > 1.96 else 0)


def _scores(rows: list[ServiceMonth], months: list[dt.date]) -> list[SurveyScore]:
    by_key: dict[str, dict[dt.date, tuple[int, int]]] = defaultdict(dict)
    for row in rows:
        by_key[row.key][row.month] = (row.count, row.hits)
    scores = []
    for measure, label in A11_MEASURES:
        found = by_key.get(measure)
        if not found:
            continue
        monthly = [found.get(month, (0, 0)) for month in months]
        # The month in progress is not judged: "lately" is the last three complete months.
        complete = monthly[:-1]
        latest, previous = _pooled(complete[-RECENT:]), _pooled(complete[-2 * RECENT : -RECENT])
        moved = _moved(latest, previous)
        scores.append(SurveyScore(measure, str(label), monthly, latest, previous, moved < 0, moved > 0))
    return scores


def _complaints(
    service: Service, rows: list[ServiceMonth], months: list[dt.date], now: dt.datetime
) -> ComplaintsSummary:
    from touchstone.complaints.models import Case

    totals = {row.month: row for row in rows if row.key == ""}
    monthly = [totals[month].count if month in totals else 0 for month in months]
    recent_months = set(months[-RECENT:])
    prior_months = set(months[-2 * RECENT : -RECENT])
    closed = sum(totals[m].hits for m in recent_months if m in totals)
    days = sum(totals[m].days for m in recent_months if m in totals)
    topics: dict[str, TopicRow] = {}
    for row in rows:
        if row.key == "":
            continue
        topic = topics.setdefault(row.key, TopicRow(row.key, 0, 0))
        if row.month in recent_months:
            topic.recent += row.count
        elif row.month in prior_months:
            topic.prior += row.count
    live = Case.objects.filter(service=service, state__in=Case.OPEN_STATES).aggregate(
        open=Count("pk"), breached=Count("pk", filter=Q(next_breach_at__lte=now))
    )
    return ComplaintsSummary(
        monthly,
        sum(monthly[-RECENT:]),
        sum(monthly[-2 * RECENT : -RECENT]),
        days / closed if closed else None,
        live["open"],
        live["breached"],
        sorted(topics.values(), key=lambda t: (-(t.recent - t.prior), t.name))[:6],
    )


def _voice(agency: Agency, service: Service) -> VoiceSummary:
    from touchstone.voice.models import BoardItem

    items = BoardItem.objects.filter(agency=agency, service=service, merged_into__isnull=True)
    counts = items.aggregate(
        barriers=Count("pk", filter=Q(kind=BoardItem.Kind.BARRIER)),
        ideas=Count("pk", filter=Q(kind=BoardItem.Kind.IDEA)),
        done=Count("pk", filter=Q(status=BoardItem.Status.DONE)),
    )
    top = list(
        items.exclude(status__in=[BoardItem.Status.DONE, BoardItem.Status.NOT_NOW])
        .annotate(support=Count("supports"))
        .only("id", "kind", "summary", "status", "barrier_kind")
        .order_by("-support", "summary")[:5]
    )
    return VoiceSummary(counts["barriers"], counts["ideas"], counts["done"], top)


def _follow_up_counts(service: Service, now: dt.datetime) -> FollowUpCounts:
    closed = Q(state=FollowUp.State.CLOSED)
    found = FollowUp.objects.filter(service=service).aggregate(
        open=Count("pk", filter=~closed),
        late=Count("pk", filter=~closed & Q(due_at__lt=now)),
        closed=Count("pk", filter=closed),
        in_time=Count("pk", filter=closed & Q(closed_at__lte=F("due_at"))),
        **{f"o_{code}": Count("pk", filter=closed & Q(outcome=code)) for code in FollowUp.Outcome.values},
    )
    return FollowUpCounts(
        found["open"],
        found["late"],
        found["closed"],
        found["in_time"],
        [(str(label), found[f"o_{code}"]) for code, label in FollowUp.Outcome.choices if found[f"o_{code}"]],
    )


def effect_of(
    action: ImprovementAction,
    standards: dict[Any, list[PeriodResult]],
    scores: dict[str, SurveyScore],
    months: list[dt.date],
) -> ActionEffect:
    """The action's measure before and after it was done, tested allowing for the trend before the change."""
    change = action.change_month
    if action.measure_standard is not None:
        label = action.measure_standard.display_statement
        results = standards.get(action.measure_standard.lineage, [])
        labels = [r.label for r in results]
        values = [r.performance for r in results]
        weights = [float(r.total or 1) for r in results]
        starts = [r.period_start for r in results]
    elif action.measure_survey and action.measure_survey in scores:
        score = scores[action.measure_survey]
        label = score.label
        labels = [month.strftime("%Y-%m") for month in months[:-1]]
        values = [score.share(i) for i in range(len(months) - 1)]
        weights = [float(max(n, 1)) for n, _agree in score.monthly[:-1]]
        starts = months[:-1]
    else:
        return ActionEffect(action, str(MEASURE_LABELS.get(action.measure_survey, "")), None)
    if change is None or action.status != ImprovementAction.Status.DONE:
        return ActionEffect(action, str(label), None, labels, values)
    change_at = next((i for i, start in enumerate(starts) if start >= change), len(starts))
    return ActionEffect(
        action, str(label), segmented_effect(values, change_at, weights=weights), labels, values
    )


def _signals(
    page_standards: list[StandardRow],
    scores: list[SurveyScore],
    complaints: ComplaintsSummary,
    months: list[dt.date],
) -> list[Signal]:
    """What moved, on one time axis: control-chart signals, survey shares falling or rising beyond chance,
    complaint topics rising."""
    found = []
    for row in page_standards:
        by_label = {r.label: r for r in row.summary.recent}
        for chart_row in row.chart.rows:
            if chart_row.signals and chart_row.label in by_label:
                found.append(
                    Signal(
                        by_label[chart_row.label].period_start.replace(day=1),
                        _("Standard"),
                        _("%(statement)s: %(signal)s")
                        % {
                            "statement": row.summary.standard.display_statement.rstrip(
                                " ."
                            ),  # the signal follows a colon
                            "signal": measurement.signal_label(chart_row.signals[0]),
                        },
                    )
                )
    last_complete = months[-2]
    for score in scores:
        if score.falling or score.rising:
            found.append(
                Signal(
                    last_complete,
                    _("Survey"),
                    (_("%(measure)s is falling") if score.falling else _("%(measure)s is rising"))
                    % {"measure": score.label},
                )
            )
    for topic in complaints.rising_topics:
        found.append(
            Signal(
                months[-1],
                _("Complaints"),
                _("Complaints about “%(topic)s” rose: %(recent)s in three months, %(prior)s before")
                % {"topic": topic.name, "recent": topic.recent, "prior": topic.prior},
            )
        )
    return sorted(found, key=lambda s: s.month, reverse=True)


def _gaps(agency: Agency, service: Service, standards: list[StandardRow], scores: list[SurveyScore]) -> None:
    """The gap to the best comparable benchmark the agency chose, where there is one (2 queries)."""
    from touchstone.benchmarks import selectors as benchmarks
    from touchstone.benchmarks.models import Measure

    chosen, by_service = benchmarks.chosen_for(agency)
    candidates = list(by_service.get(None, [])) + list(by_service.get(service.pk, []))
    if not chosen or not candidates:
        return
    for row in standards:
        latest = row.summary.latest
        if latest is None or latest.performance is None:
            continue
        figure = benchmarks.Figure(
            key=f"standard-{row.summary.standard.pk}",
            label=row.summary.standard.display_statement,
            origin="standard",
            measure=Measure.STANDARD_MET,
            value=latest.performance,
            se=math.sqrt(latest.performance * (1 - latest.performance) / latest.total)
            if latest.total
            else None,
            n=latest.total,
            service=service,
            standard_type=row.summary.standard.standard_type,
            channel=row.summary.standard.channel,
        )
        comparison = benchmarks.compare(figure, candidates)
        row.gap = comparison if comparison.best is not None else None
    survey_measures = {"satisfaction": Measure.SATISFACTION_TOP2, "trust": Measure.TRUST}
    for score in scores:
        measure = survey_measures.get(score.measure)
        if measure is None or score.latest is None or score.latest.value is None:
            continue
        value = score.latest.value
        figure = benchmarks.Figure(
            key=f"survey-{score.measure}",
            label=score.label,
            origin="survey",
            measure=measure,
            value=value,
            se=math.sqrt(value * (1 - value) / score.latest.n),
            n=score.latest.n,
            service=service,
        )
        comparison = benchmarks.compare(figure, candidates)
        score.gap = comparison if comparison.best is not None else None


def _drivers(service: Service) -> list[dict[str, Any]]:
    """What drives satisfaction with this service, from the latest analysis of its busiest survey (read, never
    recomputed here)."""
    from touchstone.analysis.models import AnalysisResult

    found = (
        AnalysisResult.objects.filter(survey__service=service, period="all")
        .order_by("-response_count", "-computed_at")
        .values("survey_id", "data__drivers")
        .first()
    )
    if not found or not isinstance(found["data__drivers"], dict):
        return []
    rows = found["data__drivers"].get("drivers") or []
    return [
        {
            **row,
            "label": str(MEASURE_LABELS.get(row.get("measure", ""), row.get("measure", ""))),
            "survey_id": found["survey_id"],
        }
        for row in rows
    ]


def service_page(agency: Agency, service: Service, user: User, now: dt.datetime | None = None) -> ServicePage:
    """Everything the service page shows, in a fixed number of queries."""
    from touchstone.catalog.selectors import channel_mix
    from touchstone.standards.selectors import summaries

    now = now or timezone.now()
    months = months_ending(month_start(timezone.localdate(now)))
    standards = list(
        ServiceStandard.objects.filter(agency=agency, service=service, valid_until__isnull=True)
        .select_related("service", "owner")
        .order_by("statement")
    )
    rows = []
    for summary in summaries(standards, recent=MONTHS_SHOWN):
        usable = [
            r for r in summary.recent if r.volume_met is not None and r.total and r.volume_met <= r.total
        ]
        chart = measurement.control_chart(
            [r.label for r in usable],
            [int(r.volume_met or 0) for r in usable],
            [int(r.total or 0) for r in usable],
            summary.standard.target,
        )
        rows.append(StandardRow(summary, chart))
    burn = list(
        BurnRateAlert.objects.filter(standard__in=standards, raised_at__gte=now - dt.timedelta(days=30))
        .select_related("standard")
        .order_by("-raised_at")[:5]
    )
    monthly = list(ServiceMonth.objects.filter(service=service, month__gte=months[0]))
    scores = _scores([r for r in monthly if r.source == ServiceMonth.Source.SURVEY], months)
    complaints = _complaints(
        service, [r for r in monthly if r.source == ServiceMonth.Source.COMPLAINTS], months, now
    )
    _gaps(agency, service, rows, scores)
    by_lineage = {row.summary.standard.lineage: list(row.summary.recent) for row in rows}
    by_measure = {score.measure: score for score in scores}
    actions = [
        effect_of(action, by_lineage, by_measure, months)
        for action in actions_of(agency)
        .filter(service=service)
        .exclude(status=ImprovementAction.Status.DROPPED)
    ]
    return ServicePage(
        service=service,
        months=months,
        standards=rows,
        burn_alerts=burn,
        scores=scores,
        drivers=_drivers(service),
        complaints=complaints,
        voice=_voice(agency, service),
        actions=actions,
        follow_ups=_follow_up_counts(service, now),
        signals=_signals(rows, scores, complaints, months),
        following=ServiceFollower.objects.filter(service=service, user=user).exists(),
        channel_mix=channel_mix(service),
    )


def action_effect(agency: Agency, action: ImprovementAction, now: dt.datetime | None = None) -> ActionEffect:
    """One action's effect, for its own page."""
    from touchstone.standards.selectors import summaries

    months = months_ending(month_start(timezone.localdate(now or timezone.now())))
    by_lineage: dict[Any, list[PeriodResult]] = {}
    if action.measure_standard is not None:
        for summary in summaries([action.measure_standard], recent=MONTHS_SHOWN):
            by_lineage[summary.standard.lineage] = list(summary.recent)
    monthly = list(
        ServiceMonth.objects.filter(
            service=action.service, source=ServiceMonth.Source.SURVEY, month__gte=months[0]
        )
    )
    scores = {score.measure: score for score in _scores(monthly, months)}
    return effect_of(action, by_lineage, scores, months)


# --- the public page -----------------------------------------------------------------------------------------------


PUBLIC_MINIMUM = 30  # answers pooled before a survey share is told to the public


@dataclass
class PublicStory:
    """The published part of the service page: our promise, how we did, what you told us, what we changed."""

    promises: list[Any]  # standards.selectors.StandardSummary
    scores: list[SurveyScore]
    changes: list[ActionEffect]

    @property
    def is_empty(self) -> bool:
        return not (self.promises or self.scores or self.changes)


def public_story(service: Service) -> PublicStory:
    from touchstone.standards.selectors import summaries

    standards = list(
        ServiceStandard.objects.filter(service=service, valid_until__isnull=True).order_by("statement")
    )
    promises = [s for s in summaries(standards, recent=2)] if standards else []
    scores = [
        score
        for score in public_scores(service)
        if score.measure in {"satisfaction", "ease", "trust"}
        and score.latest
        and score.latest.n >= PUBLIC_MINIMUM
    ]
    return PublicStory(promises, scores, published_actions(service))


def published_actions(service: Service) -> list[ActionEffect]:
    """Done actions the agency chose to tell the public about, each with its measured effect."""
    actions = list(
        ImprovementAction.objects.filter(
            service=service, published=True, status=ImprovementAction.Status.DONE
        ).select_related("measure_standard", "service")
    )
    if not actions:
        return []
    return [action_effect(service.agency, action) for action in actions]


def public_scores(service: Service) -> list[SurveyScore]:
    """The service's survey shares over the last three complete months, for its public page."""
    months = months_ending(month_start(timezone.localdate()))
    monthly = ServiceMonth.objects.filter(
        service=service, source=ServiceMonth.Source.SURVEY, month__gte=months[-2 * RECENT - 1]
    )
    return [score for score in _scores(list(monthly), months) if score.latest is not None]


# --- follow-ups and alerts -----------------------------------------------------------------------------------------


def open_follow_ups(agency: Agency, *, owner: User | None = None) -> QuerySet[FollowUp]:
    found = follow_ups_of(agency).filter(state=FollowUp.State.OPEN)
    return found.filter(owner=owner) if owner is not None else found


def contact_answers(follow_up: FollowUp) -> list[tuple[str, str]]:
    """The customer's answers the owner needs to follow up: the question and the answer, as they gave them."""
    response = follow_up.response
    questions = response.version.questions()
    out = []
    for question in questions:
        value = response.answers.get(question["key"])
        if value in (None, "", []):
            continue
        out.append(
            (
                question.get("text", question["key"]),
                ", ".join(map(str, value)) if isinstance(value, list) else str(value),
            )
        )
    return out
