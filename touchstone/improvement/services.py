"""Every write of improvement: the monthly figures behind the service page, actions, follow-up rules and items,
followers, alerts and their digest."""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, ExpressionWrapper, F, Q, Sum
from django.db.models import DurationField as DurationOutput
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from touchstone.catalog.models import Service
from touchstone.core import audit, staff_mail
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

A11_KEYS = {measure for measure, _label in A11_MEASURES}
SCORE_KINDS = {"likert5", "stars"}
CONSENT_YES = {"yes", True, "true", "1"}
LOOKBACK = dt.timedelta(days=7)  # answers older than this are too stale to open a follow-up
DUE_SOON = dt.timedelta(hours=24)


# --- monthly figures -----------------------------------------------------------------------------------------------


def _survey_months(service: Service) -> list[ServiceMonth]:
    """Per month and A-11 measure: answers, and answers of 4 or 5 (one grouped query per survey)."""
    from touchstone.surveys.models import Response, Survey

    tally: dict[tuple[dt.date, str], list[int]] = defaultdict(lambda: [0, 0])
    surveys = (
        Survey.objects.filter(agency_id=service.agency_id, audience=Survey.Audience.CUSTOMERS)
        .filter(Q(service=service) | Q(responses__service=service))
        .distinct()
        .select_related("current_version")
    )
    for survey in surveys:
        questions = survey.current_version.questions() if survey.current_version else []
        keys = {
            q["measures"]: q["key"]
            for q in questions
            if q.get("measures") in A11_KEYS and q["kind"] in SCORE_KINDS
        }
        if not keys:
            continue
        aggregates: dict[str, Any] = {}
        for measure, key in keys.items():
            aggregates[f"n_{measure}"] = Count("pk", filter=Q(answers__has_key=key))
            aggregates[f"a_{measure}"] = Count("pk", filter=Q(**{f"answers__{key}__gte": 4}))
        rows = (
            Response.objects.filter(survey=survey, status=Response.Status.COMPLETE, is_spam=False)
            .filter(Q(service=service) | Q(service__isnull=True, survey__service=service))
            .annotate(month=TruncMonth("submitted_at"))
            .values("month")
            .annotate(**aggregates)
        )
        for row in rows:
            month = row["month"].date() if hasattr(row["month"], "date") else row["month"]
            for measure in keys:
                counts = tally[(month, measure)]
                counts[0] += row[f"n_{measure}"]  # type: ignore[literal-required]
                counts[1] += row[f"a_{measure}"]  # type: ignore[literal-required]
    return [
        ServiceMonth(
            agency_id=service.agency_id,
            service=service,
            month=month,
            source=ServiceMonth.Source.SURVEY,
            key=measure,
            count=n,
            hits=agree,
        )
        for (month, measure), (n, agree) in tally.items()
        if n
    ]


def _complaint_months(service: Service) -> list[ServiceMonth]:
    """Per month (all topics, key "", and each topic): cases received, those closed, and their days to close."""
    from touchstone.complaints.models import Case

    to_close = ExpressionWrapper(F("closed_at") - F("received_at"), output_field=DurationOutput())
    rows = (
        Case.objects.filter(service=service, merged_into__isnull=True)
        .annotate(month=TruncMonth("received_at"))
        .values("month", "topic__name")
        .annotate(
            n=Count("pk"),
            closed=Count("pk", filter=Q(closed_at__isnull=False)),
            time=Sum(to_close, filter=Q(closed_at__isnull=False)),
        )
    )
    tally: dict[tuple[dt.date, str], list[float]] = defaultdict(lambda: [0, 0, 0.0])
    for row in rows:
        month = row["month"].date() if hasattr(row["month"], "date") else row["month"]
        days = row["time"].total_seconds() / 86400 if row["time"] else 0.0
        for key in ("", row["topic__name"]):
            if key is None:
                continue
            counts = tally[(month, key[:200])]
            counts[0] += row["n"]
            counts[1] += row["closed"]
            counts[2] += days
    return [
        ServiceMonth(
            agency_id=service.agency_id,
            service=service,
            month=month,
            source=ServiceMonth.Source.COMPLAINTS,
            key=key,
            count=int(n),
            hits=int(closed),
            days=days,
        )
        for (month, key), (n, closed, days) in tally.items()
    ]


@transaction.atomic
def refresh_service_months(service: Service) -> int:
    """Recount a service's monthly survey shares and complaints (figures derived from records, so not audited)."""
    rows = _survey_months(service) + _complaint_months(service)
    ServiceMonth.objects.filter(service=service).delete()
    ServiceMonth.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def refresh_every_service(agency: Agency | None = None) -> int:
    services = Service.objects.all() if agency is None else Service.objects.filter(agency=agency)
    return sum(refresh_service_months(service) for service in services)


# --- actions -------------------------------------------------------------------------------------------------------

ACTION_FIELDS = [
    "title",
    "title_es",
    "why",
    "prompted_by",
    "standard",
    "board_item",
    "topic",
    "goal",
    "owner",
    "starts_on",
    "due_on",
    "done_on",
    "status",
    "measure_standard",
    "measure_survey",
    "published",
]


def _check_action(data: dict[str, Any]) -> None:
    errors: dict[str, str] = {}
    if data.get("measure_standard") is None and not data.get("measure_survey"):
        errors["measure_survey"] = _("Choose the measure it should move: a standard or a survey measure.")
    if data.get("measure_standard") is not None and data.get("measure_survey"):
        errors["measure_survey"] = _("Choose one measure: a standard or a survey measure, not both.")
    if data.get("status") == ImprovementAction.Status.DONE and data.get("done_on") is None:
        errors["done_on"] = _("Give the date it was done, so its effect can be measured from then.")
    if data.get("due_on") and data.get("starts_on") and data["due_on"] < data["starts_on"]:
        errors["due_on"] = _("The due date is before the start.")
    prompts = {
        ImprovementAction.Prompt.STANDARD: "standard",
        ImprovementAction.Prompt.COMPLAINTS: "topic",
        ImprovementAction.Prompt.BARRIER: "board_item",
    }
    needed = prompts.get(data.get("prompted_by", ""))
    if needed and data.get(needed) is None:
        errors[needed] = _("Name what prompted it.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def save_action(
    *,
    actor: User | None,
    agency: Agency,
    service: Service,
    data: dict[str, Any],
    action: ImprovementAction | None = None,
) -> ImprovementAction:
    if service.agency_id != agency.pk:
        raise ValidationError("The service is not this agency's.")
    _check_action(data)
    action = action or ImprovementAction(agency=agency, service=service)
    audit.save_with_audit(
        action, {key: data[key] for key in ACTION_FIELDS if key in data}, actor=actor, agency=agency
    )
    return action


# --- follow-ups ----------------------------------------------------------------------------------------------------

RULE_FIELDS = ["service", "score_at_most", "on_negative_comment", "owner", "hours_to_close", "active"]


@transaction.atomic
def save_rule(
    *, actor: User | None, agency: Agency, data: dict[str, Any], rule: FollowUpRule | None = None
) -> FollowUpRule:
    if data.get("score_at_most") is None and not data.get("on_negative_comment"):
        raise ValidationError(
            {"score_at_most": _("Say what opens a follow-up: a low score, a comment, or both.")}
        )
    rule = rule or FollowUpRule(agency=agency)
    audit.save_with_audit(rule, {k: data[k] for k in RULE_FIELDS if k in data}, actor=actor, agency=agency)
    return rule


def consent_key(questions: list[dict[str, Any]]) -> str | None:
    return next((q["key"] for q in questions if q.get("measures") == "contact_consent"), None)


def reason_to_follow_up(rule: FollowUpRule, questions: list[dict[str, Any]], answers: dict[str, Any]) -> str:
    """Why these answers open a follow-up under this rule ("" when they do not, or when consent is missing)."""
    key = consent_key(questions)
    if key is None or answers.get(key) not in CONSENT_YES:
        return ""
    if rule.score_at_most is not None:
        for q in questions:
            value = answers.get(q["key"])
            is_score = (
                q.get("measures") in A11_KEYS and q["kind"] in SCORE_KINDS and isinstance(value, int | float)
            )
            if is_score and value <= rule.score_at_most:  # type: ignore[operator]
                return FollowUp.Reason.LOW_SCORE
    if rule.on_negative_comment:
        for q in questions:
            if q.get("measures") == "went_badly" and str(answers.get(q["key"]) or "").strip():
                return FollowUp.Reason.COMMENT
    return ""


def _clock_add(office: Any, start: dt.datetime, hours: int) -> dt.datetime:
    """The complaints clock: the office's business hours (Eastern office hours without an office)."""
    from touchstone.complaints.models import Case

    # A case holding nothing but the office gives exactly the calendar a complaint there would run on.
    return Case(office=office).calendar().add(start, hours * 3600)


@transaction.atomic
def open_follow_ups(agency: Agency, now: dt.datetime | None = None) -> list[FollowUp]:
    """Open a follow-up for each recent answer the agency's rules pick out, from a customer who agreed to be
    contacted; each is routed by its service to that service's rule (or the agency's rule for every service)."""
    from touchstone.surveys.models import Response, Survey

    now = now or timezone.now()
    rules = list(FollowUpRule.objects.filter(agency=agency, active=True).select_related("owner"))
    if not rules:
        return []
    by_service = {rule.service_id: rule for rule in rules}
    opened = []
    surveys = Survey.objects.filter(agency=agency, audience=Survey.Audience.CUSTOMERS).select_related(
        "current_version"
    )
    for survey in surveys:
        questions = survey.current_version.questions() if survey.current_version else []
        key = consent_key(questions)
        if key is None:
            continue
        responses = (
            Response.objects.filter(
                survey=survey,
                version=survey.current_version,
                status=Response.Status.COMPLETE,
                is_spam=False,
                submitted_at__gte=now - LOOKBACK,
                submitted_at__lte=now,
                follow_up__isnull=True,
            )
            .filter(**{f"answers__{key}": "yes"})
            .select_related("office")
        )
        for response in responses:
            service_id = response.service_id or survey.service_id
            if service_id is None:
                continue
            rule = by_service.get(service_id) or by_service.get(None)
            if rule is None:
                continue
            reason = reason_to_follow_up(rule, questions, response.answers)
            if not reason:
                continue
            follow_up = FollowUp.objects.create(
                agency=agency,
                service_id=service_id,
                response=response,
                rule=rule,
                reason=reason,
                owner=rule.owner,
                opened_at=now,
                due_at=_clock_add(response.office, now, rule.hours_to_close),
            )
            audit.record(
                actor=None, action="created", target=follow_up, agency=agency, actor_label="follow-up rules"
            )
            opened.append(follow_up)
    return opened


@transaction.atomic
def assign_follow_up(*, actor: User | None, follow_up: FollowUp, owner: User) -> FollowUp:
    audit.save_with_audit(follow_up, {"owner": owner}, actor=actor, agency=follow_up.agency)
    return follow_up


@transaction.atomic
def close_follow_up(
    *, actor: User | None, follow_up: FollowUp, outcome: str, note: str = "", now: dt.datetime | None = None
) -> FollowUp:
    if follow_up.state == FollowUp.State.CLOSED:
        raise ValidationError(_("This follow-up is already closed."))
    if outcome not in FollowUp.Outcome.values:
        raise ValidationError({"outcome": _("Choose what came of it.")})
    audit.save_with_audit(
        follow_up,
        {
            "state": FollowUp.State.CLOSED,
            "outcome": outcome,
            "note": note,
            "closed_at": now or timezone.now(),
        },
        actor=actor,
        agency=follow_up.agency,
    )
    return follow_up


# --- following and alerts ------------------------------------------------------------------------------------------


@transaction.atomic
def set_following(*, actor: User, agency: Agency, service: Service, follow: bool) -> bool:
    if service.agency_id != agency.pk:
        raise ValidationError("The service is not this agency's.")
    existing = ServiceFollower.objects.filter(service=service, user=actor).first()
    if follow and existing is None:
        follower = ServiceFollower.objects.create(agency=agency, service=service, user=actor)
        audit.record(actor=actor, action="created", target=follower, agency=agency)
    elif not follow and existing is not None:
        audit.record(actor=actor, action="deleted", target=existing, agency=agency)
        existing.delete()
    return follow


def _service_link(service: Service) -> str:
    return reverse("manage:improvement:service", args=[service.agency.slug, service.pk])


def _events(service: Service, now: dt.datetime) -> list[tuple[str, str, Callable[[], str], str]]:
    """(kind, key, text, link) of what a follower of this service should hear about now. Texts carry names and
    figures, never an answer or a complaint; each is written when called, in the language then active, so an
    alert is kept in English and in Spanish."""
    from touchstone.improvement import selectors
    from touchstone.standards.models import BurnRateAlert

    events: list[tuple[str, str, Callable[[], str], str]] = []
    page = selectors.service_page(service.agency, service, user=None, now=now)  # type: ignore[arg-type]
    link = _service_link(service)
    for row in page.standards:
        rows = row.chart.rows
        if rows and rows[-1].signals:
            events.append(
                (
                    Alert.Kind.CONTROL_LIMIT,
                    f"signal:{row.summary.standard.lineage}:{rows[-1].label}",
                    partial(_beyond_limits, row.summary.standard, rows[-1].label),
                    link,
                )
            )
    for alert in BurnRateAlert.objects.filter(
        standard__service=service, raised_at__gte=now - dt.timedelta(days=1)
    ).select_related("standard"):
        events.append(
            (
                Alert.Kind.BURN_RATE,
                f"burn:{alert.pk}",
                partial(_burning_fast, alert.standard),
                reverse("manage:standards:detail", args=[service.agency.slug, alert.standard_id]),
            )
        )
    for follow_up in FollowUp.objects.filter(
        service=service, state=FollowUp.State.OPEN, due_at__gt=now, due_at__lte=now + DUE_SOON
    ):
        events.append(
            (
                Alert.Kind.FOLLOW_UP_DUE,
                f"due:{follow_up.pk}",
                partial(_follow_up_due, follow_up.pk, service),
                reverse("manage:improvement:follow-up", args=[service.agency.slug, follow_up.pk]),
            )
        )
    for found in page.actions:
        verdict = found.effect.verdict if found.effect else ""
        if verdict and verdict != found.action.last_verdict:
            ImprovementAction.objects.filter(pk=found.action.pk).update(last_verdict=verdict)
            events.append(
                (
                    Alert.Kind.ACTION_MEASURE,
                    f"action:{found.action.pk}:{verdict}",
                    partial(_action_measured, found.action.title, verdict),
                    reverse("manage:improvement:action", args=[service.agency.slug, found.action.pk]),
                )
            )
    return events


# An alert's words, written when called, in the language then active.


def _beyond_limits(standard: Any, period: str) -> str:
    return _("%(statement)s moved beyond its control limits in %(period)s.") % {
        "statement": standard.display_statement,
        "period": period,
    }


def _burning_fast(standard: Any) -> str:
    return _("%(statement)s is using up its error budget fast.") % {"statement": standard.display_statement}


def _follow_up_due(number: int, service: Service) -> str:
    return _("Follow-up %(number)s on %(service)s is due within a day.") % {
        "number": number,
        "service": service.display_name,
    }


def _action_measured(title: str, verdict: str) -> str:
    return _("The measure of “%(action)s” now reads: %(verdict)s.") % {
        "action": title,
        "verdict": VERDICT_WORDS.get(verdict, verdict),
    }


VERDICT_WORDS = {
    "worked": gettext_lazy("worked"),
    "worse": gettext_lazy("got worse"),
    "no_effect": gettext_lazy("no detectable effect"),
    "too_early": gettext_lazy("too early to tell"),
}


@transaction.atomic
def raise_alerts(now: dt.datetime | None = None) -> int:
    """Tell each follower what moved on the services they follow, once per event."""
    now = now or timezone.now()
    followers: dict[int, list[ServiceFollower]] = defaultdict(list)
    for follower in ServiceFollower.objects.select_related("service__agency"):
        followers[follower.service_id].append(follower)
    created = 0
    for group in followers.values():
        service = group[0].service
        for kind, key, write, link in _events(service, now):
            with translation.override("en"):
                text = write()
            with translation.override("es"):
                text_es = write()
            for follower in group:
                _alert, made = Alert.objects.get_or_create(
                    user_id=follower.user_id,
                    key=key,
                    defaults={
                        "agency_id": service.agency_id,
                        "service": service,
                        "kind": kind,
                        "text": text[:300],
                        "text_es": text_es[:300],
                        "link": link,
                        "created_at": now,
                    },
                )
                created += made
    return created


def send_digests(now: dt.datetime | None = None) -> int:
    """One email per person with alerts not yet emailed: how many, on which services, and a link to sign in.
    No figure, answer or comment travels by email."""
    now = now or timezone.now()
    pending: dict[int, list[Alert]] = defaultdict(list)
    for alert in Alert.objects.filter(emailed_at__isnull=True).select_related("user", "service", "agency"):
        pending[alert.user_id].append(alert)
    sent = 0
    for alerts in pending.values():
        user = alerts[0].user
        if user.email:
            # In the person's language (the one they last signed in with): services by that language's name,
            # and the link to the pages in it.
            with translation.override(staff_mail.language_of(user)):
                names = sorted({alert.service.display_name for alert in alerts})
                link = settings.SITE_URL.rstrip("/") + reverse(
                    "manage:improvement:alerts", args=[alerts[0].agency.slug]
                )
                body = (
                    ngettext(
                        "There is %(count)s new alert on the services you follow: %(services)s.",
                        "There are %(count)s new alerts on the services you follow: %(services)s.",
                        len(alerts),
                    )
                    % {"count": len(alerts), "services": ", ".join(names)}
                    + "\n\n"
                    + _("Sign in to read them: %(link)s") % {"link": link}
                )
                send_mail(_("Touchstone: alerts on the services you follow"), body, None, [user.email])
            sent += 1
        Alert.objects.filter(pk__in=[alert.pk for alert in alerts]).update(emailed_at=now)
    return sent


def run_cycle(now: dt.datetime | None = None) -> None:
    """The scheduled round: open follow-ups for every agency with rules, then raise alerts."""
    now = now or timezone.now()
    for agency in Agency.objects.filter(pk__in=FollowUpRule.objects.filter(active=True).values("agency_id")):
        open_follow_ups(agency, now)
    raise_alerts(now)
