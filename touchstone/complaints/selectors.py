"""Every read of complaints, always scoped to an agency (or, for the public, to a tracking number and email)."""

import datetime as dt
import statistics
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_noop

from touchstone.catalog.models import Service
from touchstone.complaints import triage
from touchstone.complaints.models import (
    Article,
    CannedReply,
    Case,
    CaseAttachment,
    ComplaintSettings,
    EmailIntake,
    OfficeCalendar,
    RoutingRule,
    SatisfactionFollowUp,
    ServiceLevelPolicy,
    Topic,
    TriageModel,
)
from touchstone.core.fiscal import months_between
from touchstone.core.models import Agency, Office, Role, User


def cases_of(agency: Agency) -> QuerySet[Case]:
    return Case.objects.filter(agency=agency).select_related(
        "service",
        "topic",
        "topic__parent",
        "office",
        "office__complaint_calendar",
        "handler",
        "policy",
        "agency",
        "likely_duplicate_of",
    )


def case_of(agency: Agency, case_id: int) -> Case:
    case = cases_of(agency).filter(pk=case_id).first()
    if case is None:
        raise Http404("No such case in this agency.")
    return case


def case_by_tracking_number(agency: Agency, tracking_number: str) -> Case:
    case = cases_of(agency).filter(tracking_number=tracking_number.strip().upper()).first()
    if case is None:
        raise Http404("No such case in this agency.")
    return case


def worklist(
    agency: Agency,
    *,
    state: str = "",
    office_id: int | None = None,
    handler: User | None = None,
    queue: str = "",
) -> QuerySet[Case]:
    """Open cases, the one nearest its breach first; paused cases (no running clock) after the rest."""
    cases = cases_of(agency).filter(state__in=Case.OPEN_STATES)
    if state:
        cases = cases.filter(state=state)
    if office_id:
        cases = cases.filter(office_id=office_id)
    if handler is not None:
        cases = cases.filter(handler=handler)
    if queue:
        cases = cases.filter(queue=queue)
    return cases.order_by(F("next_breach_at").asc(nulls_last=True), "received_at", "pk")


def search_cases(agency: Agency, query: str, *, personal_details: bool) -> QuerySet[Case]:
    """Cases of any status whose tracking number contains the query, or (for those who may see personal details)
    whose customer's name or email does; case-insensitive, the most recent first."""
    query = query.strip()
    matches = Q(tracking_number__icontains=query)
    if personal_details:
        matches |= Q(contact_name__icontains=query) | Q(contact_email__icontains=query)
    return cases_of(agency).filter(matches).order_by("-received_at", "-pk")


def case_with_tracking_number(agency: Agency, tracking_number: str) -> Case | None:
    """The agency's case with exactly this tracking number (any case), or None."""
    return cases_of(agency).filter(tracking_number__iexact=tracking_number.strip()).first()


def closed_cases_of(agency: Agency) -> QuerySet[Case]:
    return cases_of(agency).filter(state=Case.State.CLOSED).order_by("-closed_at")


def case_for_customer(tracking_number: str, email: str) -> Case | None:
    """The case only when the number and the email given at intake both match; otherwise None, the same way."""
    number, address = tracking_number.strip().upper(), email.strip().lower()
    if not number or not address:
        return None
    return (
        Case.objects.select_related("agency", "service")
        .filter(tracking_number=number, contact_email=address, anonymised_at__isnull=True)
        .first()
    )


def case_for_receipt(tracking_number: str) -> Case | None:
    """What the thank-you page shows of a case just filed: its number, whether it has an email, its agency's name."""
    return (
        Case.objects.select_related("agency")
        .only("tracking_number", "contact_email", "agency__name")
        .filter(tracking_number=tracking_number)
        .first()
    )


def case_for_session(case_id: int | None) -> Case | None:
    if not case_id:
        return None
    return (
        Case.objects.select_related("agency", "service")
        .filter(pk=case_id, anonymised_at__isnull=True)
        .first()
    )


def follow_up_for_token(token: str) -> SatisfactionFollowUp | None:
    return (
        SatisfactionFollowUp.objects.select_related("case", "case__agency")
        .filter(token_hash=SatisfactionFollowUp.hash_token(token))
        .first()
    )


def attachment_of(case: Case, attachment_id: int) -> CaseAttachment:
    attachment = CaseAttachment.objects.filter(case=case, pk=attachment_id).first()
    if attachment is None:
        raise Http404("No such attachment on this case.")
    return attachment


def topics_of(agency: Agency) -> QuerySet[Topic]:
    return Topic.objects.filter(agency=agency).select_related("parent").order_by("parent__name", "name")


def topic_of(agency: Agency, topic_id: int) -> Topic:
    topic = topics_of(agency).filter(pk=topic_id).first()
    if topic is None:
        raise Http404("No such topic in this agency.")
    return topic


def handlers_of(agency: Agency) -> QuerySet[User]:
    return User.objects.filter(
        memberships__agency=agency, memberships__role__in=[Role.HANDLER, Role.ADMIN]
    ).order_by("last_name", "username")


def policies_of(agency: Agency) -> QuerySet[ServiceLevelPolicy]:
    return ServiceLevelPolicy.objects.filter(agency=agency).select_related("service").order_by("name")


def policy_of(agency: Agency, policy_id: int) -> ServiceLevelPolicy:
    policy = policies_of(agency).filter(pk=policy_id).first()
    if policy is None:
        raise Http404("No such policy in this agency.")
    return policy


def rules_of(agency: Agency) -> QuerySet[RoutingRule]:
    return RoutingRule.objects.filter(agency=agency).select_related("service", "topic", "office")


def rule_of(agency: Agency, rule_id: int) -> RoutingRule:
    rule = rules_of(agency).filter(pk=rule_id).first()
    if rule is None:
        raise Http404("No such rule in this agency.")
    return rule


def calendars_of(agency: Agency) -> list[tuple[Office, OfficeCalendar | None]]:
    offices = Office.objects.filter(agency=agency).select_related("complaint_calendar").order_by("name")
    return [(office, getattr(office, "complaint_calendar", None)) for office in offices]


def settings_of(agency: Agency) -> ComplaintSettings:
    return ComplaintSettings.of(agency)


def public_services_of(agency: Agency) -> QuerySet[Service]:
    return Service.objects.filter(agency=agency).exclude(status=Service.Status.RETIRED).order_by("name")


def public_service_of(agency: Agency, slug: str) -> Service:
    service = public_services_of(agency).filter(slug=slug).first()
    if service is None:
        raise Http404("No such service.")
    return service


def triage_model_of(agency: Agency) -> TriageModel | None:
    return TriageModel.objects.filter(agency=agency).defer("blob").first()


def duplicates_of(case: Case, days: int = 90, limit: int = 3) -> list[tuple[Case, float]]:
    """Other recent cases of the agency that read most like this one (TF-IDF cosine)."""
    since = case.received_at - dt.timedelta(days=days)
    candidates = list(
        Case.objects.filter(agency=case.agency, received_at__gte=since, anonymised_at__isnull=True)
        .exclude(pk=case.pk)
        .only("tracking_number", "narrative", "state", "received_at")
        .order_by("-received_at")[:500]
    )
    found = triage.similar(case.narrative, [other.narrative for other in candidates], limit=limit)
    return [(candidates[index], score) for index, score in found]


# --- insight ----------------------------------------------------------------------------------------------------


@dataclass
class ClockResult:
    clock: str
    label: str
    met: int = 0
    missed: int = 0
    median_hours: float | None = None

    @property
    def decided(self) -> int:
        return self.met + self.missed

    @property
    def share_met(self) -> float | None:
        return self.met / self.decided if self.decided else None


@dataclass
class Insight:
    since: dt.date
    total: int
    open: int
    months: list[tuple[dt.date, int]]
    clocks: list[ClockResult]
    outcomes: list[tuple[str, int]]
    channels: list[tuple[str, int]]
    services: list[tuple[str, int, float | None]]
    topics: list[tuple[str, int, int, int]]  # name, total, last 3 months, 3 months before
    follow_ups_sent: int = 0
    follow_ups_answered: int = 0
    resolved_share: float | None = None
    mean_satisfaction: float | None = None
    monthly_max: int = field(default=1)


CLOCK_LABELS = {
    "acknowledge": gettext_noop("Acknowledged in time"),
    "first_response": gettext_noop("First response in time"),
    "resolve": gettext_noop("Resolved in time"),
}


def _hours(start: dt.datetime, end: dt.datetime | None) -> float | None:
    return (end - start).total_seconds() / 3600 if end else None


def insight(agency: Agency, months: int = 12, now: dt.datetime | None = None) -> Insight:
    """Volumes, timeliness against policy, outcomes, satisfaction, topics and their trend over the last months."""
    from django.utils.translation import gettext as _

    now = now or timezone.now()
    today = timezone.localdate(now)
    since = (today.replace(day=1) - dt.timedelta(days=31 * (months - 1))).replace(day=1)
    cases = list(cases_of(agency).filter(received_at__date__gte=since).select_related("follow_up"))
    by_month = Counter(case.received_at.date().replace(day=1) for case in cases)
    month_list = [(month, by_month.get(month, 0)) for month in months_between(since, today)]
    clocks = []
    first_response_met: dict[int, bool | None] = {}
    for clock, done_field in [
        ("acknowledge", "acknowledged_at"),
        ("first_response", "first_responded_at"),
        ("resolve", "closed_at"),
    ]:
        result = ClockResult(clock, _(CLOCK_LABELS[clock]))
        durations = []
        for case in cases:
            hours = _hours(case.received_at, getattr(case, done_field))
            if hours is not None:
                durations.append(hours)
            verdict = case.met(clock)
            if clock == "first_response":
                first_response_met[case.pk] = verdict
            if verdict is True:
                result.met += 1
            elif verdict is False:
                result.missed += 1
        result.median_hours = round(statistics.median(durations), 1) if durations else None
        clocks.append(result)
    outcome_labels = dict(Case.Outcome.choices)
    outcomes = Counter(case.outcome for case in cases if case.outcome)
    channel_labels = dict(Case._meta.get_field("channel").choices or [])
    channels = Counter(case.channel for case in cases)
    per_service: dict[str, list[bool]] = {}
    service_counts = Counter(
        case.service.display_name if case.service else _("No service named") for case in cases
    )
    for case in cases:
        name = case.service.display_name if case.service else _("No service named")
        verdict = first_response_met[case.pk]
        if verdict is not None:
            per_service.setdefault(name, []).append(verdict)
    recent_start = (today.replace(day=1) - dt.timedelta(days=62)).replace(day=1)
    prior_start = (recent_start - dt.timedelta(days=88)).replace(day=1)
    topic_total: Counter[str] = Counter()
    topic_recent: Counter[str] = Counter()
    topic_prior: Counter[str] = Counter()
    for case in cases:
        if case.topic is None:
            continue
        name = str(case.topic)
        topic_total[name] += 1
        day = case.received_at.date()
        if day >= recent_start:
            topic_recent[name] += 1
        elif day >= prior_start:
            topic_prior[name] += 1
    follow_ups = [case.follow_up for case in cases if hasattr(case, "follow_up")]
    answered = [f for f in follow_ups if f.answered_at]
    return Insight(
        since=since,
        total=len(cases),
        open=sum(1 for case in cases if case.is_open),
        months=month_list,
        clocks=clocks,
        outcomes=[(str(outcome_labels.get(key, key)), count) for key, count in outcomes.most_common()],
        channels=[(str(channel_labels.get(key, key)), count) for key, count in channels.most_common()],
        services=[
            (
                name,
                count,
                sum(per_service[name]) / len(per_service[name]) if per_service.get(name) else None,
            )
            for name, count in service_counts.most_common()
        ],
        topics=[
            (name, count, topic_recent.get(name, 0), topic_prior.get(name, 0))
            for name, count in topic_total.most_common(10)
        ],
        follow_ups_sent=len(follow_ups),
        follow_ups_answered=len(answered),
        resolved_share=sum(1 for f in answered if f.resolved) / len(answered) if answered else None,
        mean_satisfaction=round(statistics.mean(f.satisfaction for f in answered if f.satisfaction), 2)
        if any(f.satisfaction for f in answered)
        else None,
        monthly_max=max([count for _month, count in month_list] or [1]) or 1,
    )


@dataclass(frozen=True)
class PublicStatistics:
    received: int
    closed: int
    share_first_response_in_time: float | None
    share_resolved_in_time: float | None
    outcomes: list[tuple[str, int]]
    months: list[tuple[dt.date, int]]


def public_statistics(agency: Agency) -> PublicStatistics:
    """Counts, timeliness and outcomes over the last 12 months; no case, no person, no narrative."""
    found = insight(agency)
    clocks = {result.clock: result for result in found.clocks}
    closed = cases_of(agency).filter(state=Case.State.CLOSED, received_at__date__gte=found.since).count()
    return PublicStatistics(
        received=found.total,
        closed=closed,
        share_first_response_in_time=clocks["first_response"].share_met,
        share_resolved_in_time=clocks["resolve"].share_met,
        outcomes=found.outcomes,
        months=found.months,
    )


def open_counts_by_state(agency: Agency) -> list[tuple[str, int]]:
    labels = dict(Case.State.choices)
    rows = (
        Case.objects.filter(agency=agency, state__in=Case.OPEN_STATES)
        .values("state")
        .annotate(count=Count("pk"))
        .order_by("state")
    )
    return [(str(labels[row["state"]]), row["count"]) for row in rows]


@dataclass(frozen=True)
class ServiceWatch:
    """One service seen from complaints and from its promises: is a rising topic meeting a slipping standard?"""

    service: Service
    recent: int  # complaints in the last three months
    prior: int  # complaints in the three months before
    rising_topic: str
    signals: list[str]

    @property
    def rising(self) -> bool:
        return self.recent > self.prior


def service_watch(agency: Agency, now: dt.datetime | None = None) -> list[ServiceWatch]:
    """Services with complaints in the last six months, rising ones first, each with its standards' signals."""
    from touchstone.catalog.outcomes import service_signals

    today = timezone.localdate(now or timezone.now())
    recent_start = (today.replace(day=1) - dt.timedelta(days=62)).replace(day=1)
    prior_start = (recent_start - dt.timedelta(days=88)).replace(day=1)
    cases = (
        cases_of(agency)
        .filter(received_at__date__gte=prior_start, service__isnull=False)
        .select_related("service", "topic")
    )
    counts: dict[int, list[int]] = {}
    topics: dict[int, Counter[str]] = {}
    services: dict[int, Service] = {}
    for case in cases:
        assert case.service is not None
        services[case.service.pk] = case.service
        is_recent = case.received_at.date() >= recent_start
        counts.setdefault(case.service.pk, [0, 0])[0 if is_recent else 1] += 1
        if case.topic is not None:
            topics.setdefault(case.service.pk, Counter())[str(case.topic)] += 1 if is_recent else -1
    rows = []
    for pk, service in services.items():
        recent, prior = counts[pk]
        growth = topics.get(pk, Counter()).most_common(1)
        rising_topic = growth[0][0] if growth and growth[0][1] > 0 else ""
        rows.append(ServiceWatch(service, recent, prior, rising_topic, service_signals(service)))
    return sorted(rows, key=lambda row: (not row.rising, -(row.recent - row.prior), row.service.name))


@dataclass
class ClockWatch:
    """The agency's open complaints against their clocks, for the workspace home."""

    open: int
    breached: int
    due_soon: int
    nearest: list[Case]


def clock_watch(
    agency: Agency,
    *,
    handler: User | None = None,
    soon: dt.timedelta = dt.timedelta(hours=48),
    limit: int = 5,
    now: dt.datetime | None = None,
) -> ClockWatch:
    """Counts of open cases breached and due within `soon`, and the few nearest a breach (the handler's own
    when one is given): two queries whatever the number of cases."""
    now = now or timezone.now()
    counts = Case.objects.filter(agency=agency, state__in=Case.OPEN_STATES).aggregate(
        open=Count("pk"),
        breached=Count("pk", filter=Q(next_breach_at__lte=now)),
        due_soon=Count("pk", filter=Q(next_breach_at__gt=now, next_breach_at__lte=now + soon)),
    )
    nearest = list(worklist(agency, handler=handler).filter(next_breach_at__isnull=False)[:limit])
    return ClockWatch(counts["open"], counts["breached"], counts["due_soon"], nearest)


def canned_replies_of(agency: Agency) -> QuerySet[CannedReply]:
    return CannedReply.objects.filter(agency=agency)


def canned_reply_of(agency: Agency, reply_id: int) -> CannedReply:
    reply = canned_replies_of(agency).filter(pk=reply_id).first()
    if reply is None:
        raise Http404("No such canned reply in this agency.")
    return reply


def cases_for_bulk(agency: Agency, case_ids: list[int]) -> list[Case]:
    """The selected cases, locked, all of this agency: one that is not (another agency's, a guessed id) is a 404,
    so a bulk action never half-applies."""
    wanted = set(case_ids)
    found = list(cases_of(agency).filter(pk__in=wanted).select_for_update(of=("self",)).order_by("pk"))
    if len(found) != len(wanted):
        raise Http404("A selected case is not in this agency.")
    return found


def email_intake_of(agency: Agency) -> EmailIntake:
    return EmailIntake.objects.filter(agency=agency).first() or EmailIntake(agency=agency)


# --- knowledge base ---------------------------------------------------------------------------------------------


def articles_of(agency: Agency) -> QuerySet[Article]:
    return Article.objects.filter(agency=agency).prefetch_related("topics")


def article_of(agency: Agency, article_id: int) -> Article:
    found = articles_of(agency).filter(pk=article_id).first()
    if found is None:
        raise Http404("No such article in this agency.")
    return found


def articles_for_case(case: Case, limit: int = 3) -> list[Article]:
    """The agency's articles (public or internal) that read most like the case (TF-IDF cosine, as duplicates)."""
    candidates = list(
        Article.objects.filter(agency_id=case.agency_id).only(
            "title", "body", "title_es", "body_es", "public"
        )
    )
    texts = [f"{a.title} {a.body} {a.title_es} {a.body_es}" for a in candidates]
    found = triage.similar(case.text_for_matching(), texts, threshold=0.1, limit=limit)
    return [candidates[index] for index, _score in found]


def public_article_topics(agency: Agency) -> QuerySet[Topic]:
    """The topics that public answers are filed under: what a person chooses from before filing (with the topic
    each sits under, for its label)."""
    return (
        Topic.objects.filter(agency=agency, articles__public=True)
        .select_related("parent")
        .distinct()
        .order_by("name")
    )


def public_articles(agency: Agency, topic_id: int | None = None) -> QuerySet[Article]:
    """Public answers of the agency, those about a topic (or a product above it) when one is chosen."""
    found = Article.objects.filter(agency=agency, public=True)
    if topic_id is not None:
        found = found.filter(
            Q(topics__pk=topic_id) | Q(topics__parent_id=topic_id) | Q(topics__children__pk=topic_id)
        )
    return found.distinct().order_by("title", "pk")


def public_article(agency: Agency, article_id: int) -> Article:
    found = public_articles(agency).filter(pk=article_id).first()
    if found is None:
        raise Http404("No such answer.")
    return found
