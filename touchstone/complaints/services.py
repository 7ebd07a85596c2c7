"""Every write to complaints: atomic, audited (never with narratives or contact details), tasks after commit."""

import datetime as dt
import logging
import secrets
from collections.abc import Iterable
from decimal import Decimal
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max, Q
from django.utils import timezone

from touchstone.complaints import triage
from touchstone.complaints.config import intake_config
from touchstone.complaints.models import (
    Case,
    CaseAttachment,
    CaseEvent,
    CaseMessage,
    CaseNote,
    ClockWarning,
    ComplaintSettings,
    OfficeCalendar,
    RoutingRule,
    SatisfactionFollowUp,
    ServiceLevelPolicy,
    Topic,
    TriageModel,
    TriageSuggestion,
    new_tracking_number,
)
from touchstone.core import audit
from touchstone.core.models import Agency, Membership, Office, Role, User
from touchstone.surveys.models import Response, Survey

logger = logging.getLogger(__name__)

INTAKE_FIELDS = [
    "service",
    "channel",
    "topic",
    "narrative",
    "remedy_wanted",
    "contact_name",
    "contact_preference",
    "contact_email",
    "contact_phone",
    "state_code",
    "postal_code",
    "consent_to_publish",
    "language",
]
# What the audit log may say about a case: the fact that free text or contact details changed, never the values.
PRIVATE_FIELDS = {
    "narrative",
    "remedy_wanted",
    "contact_name",
    "contact_email",
    "contact_phone",
    "postal_code",
}


def _changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    changes = audit.describe_changes(before, after)
    return {key: ("changed" if key in PRIVATE_FIELDS else value) for key, value in changes.items()}


def _update(case: Case, *, actor: User | None, action: str, actor_label: str = "", **values: Any) -> Case:
    """Set fields, move the clock, save, keep the state history, and write one audit entry."""
    before = audit.snapshot(case, sorted(values))
    old_state = case.state
    for name, value in values.items():
        setattr(case, name, value)
    case.refresh_clock()
    case.save()
    if case.state != old_state:
        CaseEvent.objects.create(case=case, state=case.state)
    audit.record(
        actor=actor,
        actor_label=actor_label,
        action=action,
        target=case,
        agency=case.agency,
        changes=_changes(before, audit.snapshot(case, sorted(values))),
    )
    return case


# --- intake -----------------------------------------------------------------------------------------------------


def policy_for(
    agency: Agency, service_id: int | None, channel: str, severity: str
) -> ServiceLevelPolicy | None:
    """The most specific of the agency's policies that applies (service, then severity, then channel)."""
    candidates = [
        policy
        for policy in intake_config(agency).policies
        if policy.applies_to(service_id, channel, severity)
    ]
    return max(candidates, key=lambda policy: (policy.specificity, -policy.pk), default=None)


def route(case: Case) -> RoutingRule | None:
    text = case.text_for_matching()
    for rule in intake_config(case.agency).rules:
        if rule.matches(service_id=case.service_id, topic_id=case.topic_id, state=case.state_code, text=text):
            return rule
    return None


def choose_handler(case: Case) -> User | None:
    """A handler in the case's office (or any handler of the agency), by the agency's assignment rule."""
    strategy = intake_config(case.agency).settings.assignment
    if strategy == ComplaintSettings.Assignment.MANUAL:
        return None
    handlers = User.objects.filter(
        memberships__agency=case.agency, memberships__role=Role.HANDLER, is_active=True
    )
    if case.office_id and handlers.filter(memberships__office_id=case.office_id).exists():
        handlers = handlers.filter(memberships__office_id=case.office_id)
    mine = Q(complaint_cases__agency=case.agency)
    if strategy == ComplaintSettings.Assignment.LEAST_LOADED:
        return (
            handlers.annotate(
                open_cases=Count(
                    "complaint_cases", filter=mine & Q(complaint_cases__state__in=Case.OPEN_STATES)
                )
            )
            .order_by("open_cases", "pk")
            .first()
        )
    # Round-robin: whoever was given a case longest ago (or never) goes next.
    return (
        handlers.annotate(last_given=Max("complaint_cases__created_at", filter=mine))
        .order_by(F("last_given").asc(nulls_first=True), "pk")
        .first()
    )


def _save_attachments(case: Case, uploads: Iterable[tuple[UploadedFile, str]]) -> None:
    for upload, content_type in uploads:
        attachment = CaseAttachment(
            case=case,
            original_name=(upload.name or "file")[:255],
            content_type=content_type,
            size=upload.size or 0,
        )
        attachment.file.save("upload", upload, save=False)
        attachment.save()


def _create_with_tracking_number(case: Case) -> None:
    """Save a new case under a fresh tracking number, drawing again in the rare event of a collision."""
    for _attempt in range(5):
        case.tracking_number = new_tracking_number(case.agency, timezone.localdate().year)
        try:
            with transaction.atomic():
                case.save()
            return
        except IntegrityError:
            if (
                case.idempotency_key
                and Case.objects.filter(agency=case.agency, idempotency_key=case.idempotency_key).exists()
            ):
                raise
            continue
    raise RuntimeError("Could not draw a free tracking number.")


@transaction.atomic
def file_complaint(
    *,
    agency: Agency,
    data: dict[str, Any],
    actor: User | None = None,
    actor_label: str = "",
    attachments: Iterable[tuple[UploadedFile, str]] = (),
    idempotency_key: str = "",
    received_at: dt.datetime | None = None,
    acknowledge: bool = True,
) -> Case:
    """Record a complaint from any channel, route it, start its clocks and acknowledge it.

    The acknowledgement email is sent only after the transaction commits, so a number given out is never lost.
    """
    # A repeated idempotency key fails at the unique constraint (IntegrityError): the caller returns the first case.
    now = received_at or timezone.now()
    case = Case(agency=agency, received_at=now, idempotency_key=idempotency_key[:100])
    for name in INTAKE_FIELDS:
        if name in data:
            setattr(case, name, data[name])
    case.contact_email = (case.contact_email or "").strip().lower()
    rule = route(case)
    if rule is not None:
        case.office, case.queue = rule.office, rule.queue
    elif case.service is not None and case.service.owner_office_id:
        case.office = case.service.owner_office
    case.policy = policy_for(agency, case.service_id, case.channel, case.severity)
    case.handler = choose_handler(case)
    if acknowledge:
        case.state, case.acknowledged_at = Case.State.ACKNOWLEDGED, now
    case.refresh_clock()
    # Related records were found within the agency above, and the database enforces uniqueness (the tracking
    # number draw and the idempotency key both rely on it), so validation skips those lookups: intake is hot.
    exclude = ["tracking_number", "agency", "service", "office", "handler", "policy", "topic", "queue"]
    case.full_clean(
        exclude=exclude if case.narrative else [*exclude, "narrative"],
        validate_unique=False,
        validate_constraints=False,
    )
    _create_with_tracking_number(case)
    events = [CaseEvent(case=case, state=Case.State.RECEIVED, at=now)]
    if acknowledge:
        events.append(CaseEvent(case=case, state=Case.State.ACKNOWLEDGED, at=now))
    CaseEvent.objects.bulk_create(events)
    _save_attachments(case, attachments)
    audit.record(
        actor=actor,
        actor_label=actor_label or ("public" if actor is None else ""),
        action="received complaint",
        target=case,
        agency=agency,
        changes={
            "channel": [None, case.channel],
            "service": [None, case.service_id],
            "office": [None, case.office_id],
            "handler": [None, case.handler_id],
            "narrative": "changed",
        },
    )
    suggest_triage(case)
    if case.contact_email:
        from touchstone.complaints.tasks import send_acknowledgement

        transaction.on_commit(lambda: send_acknowledgement.enqueue(case.pk))
    return case


# --- case work --------------------------------------------------------------------------------------------------


@transaction.atomic
def acknowledge_case(*, actor: User, case: Case) -> Case:
    now = timezone.now()
    return _update(
        case, actor=actor, action="acknowledged", state=Case.State.ACKNOWLEDGED, acknowledged_at=now
    )


@transaction.atomic
def assess_case(*, actor: User, case: Case, severity: str, urgency: str, topic: Topic | None) -> Case:
    policy = policy_for(case.agency, case.service_id, case.channel, severity)
    state = case.state
    if state in {Case.State.RECEIVED, Case.State.ACKNOWLEDGED}:
        state = Case.State.ASSESSED
    return _update(
        case,
        actor=actor,
        action="assessed",
        severity=severity,
        urgency=urgency,
        topic=topic,
        policy=policy,
        state=state,
        assessed_at=case.assessed_at or timezone.now(),
        acknowledged_at=case.acknowledged_at or timezone.now(),
    )


@transaction.atomic
def assign_case(
    *, actor: User, case: Case, office: Office | None, handler: User | None, queue: str, auto: bool = False
) -> Case:
    if auto and handler is None:
        case.office = office
        handler = choose_handler(case)
    return _update(
        case, actor=actor, action="assigned", office=office, handler=handler, queue=queue or "general"
    )


@transaction.atomic
def add_note(*, actor: User, case: Case, body: str) -> CaseNote:
    note = CaseNote.objects.create(case=case, author=actor, body=body)
    audit.record(
        actor=actor, action="added note", target=case, agency=case.agency, changes={"body": "changed"}
    )
    return note


def _notify_customer(case: Case, kind: str, token: str = "") -> None:
    if case.contact_email and case.contact_preference != Case.ContactPreference.NONE:
        from touchstone.complaints.tasks import notify_customer

        transaction.on_commit(lambda: notify_customer.enqueue(case.pk, kind, token))


@transaction.atomic
def send_message(*, actor: User, case: Case, body: str, is_response: bool = False) -> CaseMessage:
    """A message the customer sees. The first one starts no clock but stops the first-response clock."""
    now = timezone.now()
    message = CaseMessage.objects.create(
        case=case, direction=CaseMessage.Direction.TO_CUSTOMER, author=actor, body=body, created_at=now
    )
    state = case.state
    if is_response:
        state = Case.State.RESPONDED
    elif state in {Case.State.RECEIVED, Case.State.ACKNOWLEDGED, Case.State.ASSESSED}:
        state = Case.State.IN_PROGRESS
    _update(
        case,
        actor=actor,
        action="responded" if is_response else "updated customer",
        state=state,
        first_responded_at=case.first_responded_at or now,
        last_update_at=now,
    )
    _notify_customer(case, "message")
    return message


@transaction.atomic
def start_work(*, actor: User, case: Case) -> Case:
    return _update(case, actor=actor, action="started work", state=Case.State.IN_PROGRESS)


@transaction.atomic
def wait_on_customer(*, actor: User, case: Case, question: str) -> Case:
    """Ask the customer for something; the clocks stop until they answer or a handler resumes the case."""
    now = timezone.now()
    CaseMessage.objects.create(
        case=case, direction=CaseMessage.Direction.TO_CUSTOMER, author=actor, body=question, created_at=now
    )
    _update(
        case,
        actor=actor,
        action="waiting on customer",
        state=Case.State.WAITING,
        waiting_since=now,
        first_responded_at=case.first_responded_at or now,
        last_update_at=now,
    )
    _notify_customer(case, "message")
    return case


def _resume(case: Case, *, actor: User | None, actor_label: str = "", now: dt.datetime | None = None) -> Case:
    now = now or timezone.now()
    paused = case.paused_seconds
    if case.waiting_since is not None:
        paused += case.calendar().seconds_between(case.waiting_since, now)
    return _update(
        case,
        actor=actor,
        actor_label=actor_label,
        action="resumed",
        state=Case.State.IN_PROGRESS,
        waiting_since=None,
        paused_seconds=paused,
    )


@transaction.atomic
def resume_case(*, actor: User, case: Case) -> Case:
    return _resume(case, actor=actor)


@transaction.atomic
def customer_replies(*, case: Case, body: str) -> CaseMessage:
    """The customer answers through the status page; a paused case starts again."""
    message = CaseMessage.objects.create(case=case, direction=CaseMessage.Direction.FROM_CUSTOMER, body=body)
    if case.state == Case.State.WAITING:
        _resume(case, actor=None, actor_label="customer")
    else:
        audit.record(
            actor=None,
            actor_label="customer",
            action="customer replied",
            target=case,
            agency=case.agency,
            changes={"body": "changed"},
        )
    return message


@transaction.atomic
def close_case(
    *, actor: User, case: Case, outcome: str, response: str, relief_amount: Decimal | None = None
) -> Case:
    """Close with an outcome and the response the customer receives; ask them how it went."""
    if outcome not in Case.Outcome.values:
        raise ValidationError(
            {"outcome": f"{outcome!r} is not an outcome; choose one of {', '.join(Case.Outcome.values)}."}
        )
    now = timezone.now()
    CaseMessage.objects.create(
        case=case, direction=CaseMessage.Direction.TO_CUSTOMER, author=actor, body=response, created_at=now
    )
    window = ComplaintSettings.of(case.agency).dispute_window_days
    paused = case.paused_seconds
    if case.waiting_since is not None:
        paused += case.calendar().seconds_between(case.waiting_since, now)
    _update(
        case,
        actor=actor,
        action="closed",
        state=Case.State.CLOSED,
        outcome=outcome,
        relief_amount=relief_amount,
        closed_at=now,
        first_responded_at=case.first_responded_at or now,
        last_update_at=now,
        waiting_since=None,
        paused_seconds=paused,
        dispute_until=now + dt.timedelta(days=window),
    )
    token = secrets.token_urlsafe(24)
    SatisfactionFollowUp.objects.update_or_create(
        case=case,
        defaults={
            "token_hash": SatisfactionFollowUp.hash_token(token),
            "resolved": None,
            "satisfaction": None,
            "answered_at": None,
            "sent_at": now,
        },
    )
    _notify_customer(case, "closed", token)
    return case


@transaction.atomic
def reopen_case(*, actor: User | None, case: Case, actor_label: str = "", disputed: bool = False) -> Case:
    now = timezone.now()
    values: dict[str, Any] = {"state": Case.State.REOPENED, "reopened_at": now, "last_update_at": now}
    if disputed:
        values["disputed"] = True
    return _update(case, actor=actor, actor_label=actor_label, action="reopened", **values)


@transaction.atomic
def dispute_case(*, case: Case, reason: str) -> Case:
    """The customer disputes the closing within the agency's window: the case opens again."""
    CaseMessage.objects.create(case=case, direction=CaseMessage.Direction.FROM_CUSTOMER, body=reason)
    return reopen_case(actor=None, actor_label="customer", case=case, disputed=True)


@transaction.atomic
def answer_follow_up(
    *, follow_up: SatisfactionFollowUp, resolved: bool, satisfaction: int
) -> SatisfactionFollowUp:
    follow_up.resolved, follow_up.satisfaction, follow_up.answered_at = resolved, satisfaction, timezone.now()
    follow_up.save()
    audit.record(
        actor=None,
        actor_label="customer",
        action="answered follow-up",
        target=follow_up.case,
        agency=follow_up.case.agency,
        changes={"resolved": [None, resolved], "satisfaction": [None, satisfaction]},
    )
    _record_in_follow_up_survey(follow_up.case, resolved, satisfaction)
    return follow_up


FOLLOW_UP_TEMPLATE = "complaint-follow-up"


def follow_up_survey(agency: Agency) -> Survey:
    """The agency's complaint follow-up survey, made from its template the first time (a draft: an analyst adds
    the OMB clearance and publishes it, after which every answer is also a survey response)."""
    from touchstone.surveys import services as survey_services

    found = Survey.objects.filter(agency=agency, template=FOLLOW_UP_TEMPLATE).order_by("pk").first()
    if found is None:
        found = survey_services.create_survey(
            actor=None,
            actor_label="complaints",
            agency=agency,
            blueprint=FOLLOW_UP_TEMPLATE,
            data={
                "title": "How we handled your complaint",
                "title_es": "Cómo atendimos su queja",
                "transaction_point": Survey.TransactionPoint.POST_SERVICE_JOURNEY,
            },
        )
    return found


def _record_in_follow_up_survey(case: Case, resolved: bool, satisfaction: int) -> None:
    """The same answer as a response of the surveys capability, so handling satisfaction is analysed with the rest."""
    from touchstone.surveys import services as survey_services

    survey = follow_up_survey(case.agency)
    if not survey.collecting():
        return
    try:
        survey_services.record_response(
            survey=survey,
            raw={"resolved": "yes" if resolved else "no", "handling_satisfaction": satisfaction},
            source=Response.Source.EMAIL,
            language=case.language or "en",
            context={"service": case.service, "channel": case.channel},
        )
    except survey_services.ResponseRefused:
        logger.warning("complaint follow-up of case %s did not fit the follow-up survey", case.pk)


# --- settings, policies, rules, calendars -----------------------------------------------------------------------


@transaction.atomic
def save_settings(*, actor: User, agency: Agency, data: dict[str, Any]) -> ComplaintSettings:
    found = ComplaintSettings.of(agency)
    audit.save_with_audit(found, data, actor=actor, agency=agency)
    return found


@transaction.atomic
def save_policy(
    *, actor: User, agency: Agency, data: dict[str, Any], policy: ServiceLevelPolicy | None = None
) -> ServiceLevelPolicy:
    policy = policy or ServiceLevelPolicy(agency=agency)
    audit.save_with_audit(policy, data, actor=actor, agency=agency)
    return policy


@transaction.atomic
def save_rule(
    *, actor: User, agency: Agency, data: dict[str, Any], rule: RoutingRule | None = None
) -> RoutingRule:
    rule = rule or RoutingRule(agency=agency)
    audit.save_with_audit(rule, data, actor=actor, agency=agency)
    return rule


@transaction.atomic
def save_calendar(*, actor: User, office: Office, data: dict[str, Any]) -> OfficeCalendar:
    calendar = OfficeCalendar.objects.filter(office=office).first() or OfficeCalendar(office=office)
    audit.save_with_audit(calendar, data, actor=actor, agency=office.agency)
    return calendar


@transaction.atomic
def topic_named(*, agency: Agency, name: str, parent: Topic | None = None) -> Topic:
    topic, _created = Topic.objects.get_or_create(agency=agency, parent=parent, name=name.strip()[:200])
    return topic


# --- clocks and escalation --------------------------------------------------------------------------------------


def supervisors_of(agency: Agency) -> list[str]:
    return list(
        Membership.objects.filter(agency=agency, role=Role.ADMIN)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )


def check_clocks(now: dt.datetime | None = None) -> list[ClockWarning]:
    """Warn each agency's admins about cases near a breach and at a breach; each warning goes once."""
    from touchstone.complaints.notifications import warn_supervisors

    now = now or timezone.now()
    warnings: list[ClockWarning] = []
    settings_by_agency = {found.agency_id: found for found in ComplaintSettings.objects.all()}
    horizon = now + dt.timedelta(hours=max([24, *(s.warn_before_hours for s in settings_by_agency.values())]))
    cases = (
        Case.objects.filter(
            state__in=Case.OPEN_STATES, next_breach_at__isnull=False, next_breach_at__lte=horizon
        )
        .select_related("agency", "policy", "office__complaint_calendar")
        .order_by("agency_id", "next_breach_at")
    )
    for case in cases:
        assert case.next_breach_at is not None
        found = settings_by_agency.get(case.agency_id)
        warn_hours = found.warn_before_hours if found else 24
        if case.next_breach_at <= now:
            kind = ClockWarning.Kind.BREACHED
        elif case.next_breach_at <= now + dt.timedelta(hours=warn_hours):
            kind = ClockWarning.Kind.BEFORE
        else:
            continue
        with transaction.atomic():
            warning, created = ClockWarning.objects.get_or_create(
                case=case, clock=case.next_clock, due=case.next_breach_at, kind=kind
            )
            if created:
                warnings.append(warning)
                transaction.on_commit(partial(warn_supervisors, warning))
    return warnings


# --- triage -----------------------------------------------------------------------------------------------------

_BUNDLES: dict[int, triage.TriageBundle] = {}


def _bundle(model: TriageModel) -> triage.TriageBundle:
    if model.pk not in _BUNDLES:
        _BUNDLES.clear()
        _BUNDLES[model.pk] = triage.TriageBundle.loads(bytes(model.blob))
    return _BUNDLES[model.pk]


def suggest_triage(case: Case) -> TriageSuggestion | None:
    if intake_config(case.agency).triage_model_id is None:
        return None
    model = TriageModel.objects.filter(agency=case.agency).defer("blob").first()
    if model is None:
        return None
    model = TriageModel.objects.get(pk=model.pk) if model.pk not in _BUNDLES else model
    guess = _bundle(model).suggest([triage.features_text(case.narrative, case.service_id, case.channel)])[0]
    topic_id, topic_conf = guess.get("topic", ("", 0.0))
    office_id, office_conf = guess.get("office", ("", 0.0))
    urgency, urgency_conf = guess.get("urgency", ("", 0.0))
    suggestion, _created = TriageSuggestion.objects.update_or_create(
        case=case,
        defaults={
            "model_id": model.pk,
            "topic": Topic.objects.filter(agency=case.agency, pk=int(topic_id)).first()
            if topic_id.isdigit()
            else None,
            "topic_confidence": topic_conf,
            "office": Office.objects.filter(agency=case.agency, pk=int(office_id)).first()
            if office_id.isdigit()
            else None,
            "office_confidence": office_conf,
            "urgency": urgency,
            "urgency_confidence": urgency_conf,
            "review": TriageSuggestion.Review.PENDING,
        },
    )
    return suggestion


@transaction.atomic
def review_suggestion(
    *, actor: User, case: Case, topic: Topic | None, office: Office | None, urgency: str
) -> TriageSuggestion:
    """The handler's verdict on a suggestion: what they keep becomes the case's, and the next training's label."""
    suggestion = TriageSuggestion.objects.select_for_update().get(case=case)
    accepted = (
        suggestion.topic_id == (topic.pk if topic else None)
        and suggestion.office_id == (office.pk if office else None)
        and suggestion.urgency == urgency
    )
    suggestion.review = TriageSuggestion.Review.ACCEPTED if accepted else TriageSuggestion.Review.CORRECTED
    suggestion.reviewed_at = timezone.now()
    suggestion.save()
    office_changed = office is not None and office.pk != case.office_id
    _update(
        case,
        actor=actor,
        action="accepted triage" if accepted else "corrected triage",
        topic=topic,
        office=office or case.office,
        urgency=urgency,
    )
    if office_changed and ComplaintSettings.of(case.agency).assignment != ComplaintSettings.Assignment.MANUAL:
        handler = choose_handler(case)
        if handler is not None:
            _update(case, actor=actor, action="assigned", handler=handler)
    return suggestion


def training_cases(agency: Agency) -> list[Case]:
    """Closed cases and cases whose suggestion a handler reviewed: their labels are a person's judgement."""
    return list(
        Case.objects.filter(agency=agency, anonymised_at__isnull=True)
        .filter(Q(state=Case.State.CLOSED) | Q(suggestion__review__in=["accepted", "corrected"]))
        .only("narrative", "service_id", "channel", "topic_id", "office_id", "urgency")
    )


@transaction.atomic
def train_triage(*, agency: Agency, actor: User | None = None) -> TriageModel:
    cases = training_cases(agency)
    texts = [triage.features_text(case.narrative, case.service_id, case.channel) for case in cases]
    labels: dict[str, list[str | None]] = {
        "topic": [str(case.topic_id) if case.topic_id else None for case in cases],
        "office": [str(case.office_id) if case.office_id else None for case in cases],
        "urgency": [case.urgency or None for case in cases],
    }
    result = triage.train(texts, labels)
    model = TriageModel.objects.create(
        agency=agency, training_cases=len(cases), metrics=result.metrics, blob=result.bundle.dumps()
    )
    TriageModel.objects.filter(agency=agency).exclude(pk=model.pk).delete()
    audit.record(
        actor=actor,
        action="trained triage",
        target=model,
        agency=agency,
        changes={target: [None, values["accuracy"]] for target, values in result.metrics.items()},
    )
    return model


# --- personal data ----------------------------------------------------------------------------------------------

REMOVED = "[removed after the retention period]"


@transaction.atomic
def anonymise_case(case: Case, *, actor: User | None = None, actor_label: str = "retention") -> Case:
    case.messages.update(body=REMOVED)
    case.notes.update(body=REMOVED)
    for attachment in case.attachments.all():
        attachment.file.delete(save=False)
        attachment.delete()
    return _update(
        case,
        actor=actor,
        actor_label=actor_label,
        action="anonymised",
        narrative=REMOVED,
        remedy_wanted="",
        contact_name="",
        contact_email="",
        contact_phone="",
        postal_code="",
        anonymised_at=timezone.now(),
    )


def anonymise_expired(now: dt.datetime | None = None) -> int:
    """Remove personal details from closed cases older than their agency's retention period."""
    now = now or timezone.now()
    count = 0
    for agency in Agency.objects.filter(complaint_cases__state=Case.State.CLOSED).distinct():
        days = ComplaintSettings.of(agency).retention_days
        expired = Case.objects.filter(
            agency=agency,
            state=Case.State.CLOSED,
            anonymised_at__isnull=True,
            closed_at__lt=now - dt.timedelta(days=days),
        ).select_related("agency", "policy", "office__complaint_calendar")
        for case in expired:
            anonymise_case(case)
            count += 1
    return count
