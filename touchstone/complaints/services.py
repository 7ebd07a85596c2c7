"""Every write to complaints: atomic, audited (never with narratives or contact details), tasks after commit.

Intake keeps one promise on the request path and defers the rest. The promise: a tracking number is shown only for
a case already committed. So `file_complaint` inserts the case with its number and received time, marked
`intake_pending`, as one autocommitted statement (with its attachments, one transaction), and returns. Everything
else (routing, clock policy, handler, the clocks' first deadlines, history, audit entry, triage suggestion,
acknowledgement email) is `complete_intake`, run after the commit.

Why a pending mark and batches rather than one task per complaint: enqueueing a task on the database queue is
itself an insert, and on a two-core machine it, with the transaction around the pair, cost the public API about a
third of its throughput (0.33 of a bare insert against 0.47 for the insert alone, in one benchmark run). Instead,
each web process queues one `complete_pending_complaints` task a second at most, deferred by that second, so it
completes every case that process committed meanwhile (`_wake_batch`); routing, by then, is a second or two behind
the number. A queue that cannot defer gets a task per case, and tests (tasks run at once) complete each case
before `file_complaint` returns. The periodic `complete_complaint_intake` job completes any case whose task never
ran (a stopped worker, a queue outage), and a staff action on a pending case completes it first. Completion is
idempotent: one conditional UPDATE takes the pending mark, so a second run, or two at once, finds nothing to do.
Until then the case is in the worklist, unassigned and marked as being routed; its clocks start from the time it
was received, whenever completion runs.

Assignment reads `HandlerLoad` rows (open cases per handler, when each was last given one), kept in step in the
same transaction as every change of a case's handler or state, and locked while a handler is chosen.
"""

import datetime as dt
import logging
import secrets
import threading
import time
from collections.abc import Iterable
from decimal import Decimal
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from touchstone.complaints import triage
from touchstone.complaints.config import intake_config
from touchstone.complaints.models import (
    Article,
    CannedReply,
    Case,
    CaseAttachment,
    CaseEvent,
    CaseMessage,
    CaseNote,
    CaseTag,
    ClockWarning,
    ComplaintSettings,
    EmailIntake,
    HandlerLoad,
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


def _hold(case: Case) -> tuple[int | None, bool]:
    """Lock the case's row, before any handler's load as `complete_intake` does, and return its stored handler and
    whether it is open. A case still being routed is completed first (here, or by the task that has it, whose
    commit the lock waits for), and this copy refreshed: staff act on the routed case."""
    if case.intake_pending:
        complete_intake(case.pk)
        case.refresh_from_db()
    handler_id, state = (
        Case.objects.select_for_update().filter(pk=case.pk).values_list("handler_id", "state").get()
    )
    return handler_id, state in Case.OPEN_STATES


def _update(case: Case, *, actor: User | None, action: str, actor_label: str = "", **values: Any) -> Case:
    """Set fields, move the clock, save, keep the state history and the handlers' loads, and write one audit entry."""
    # The loads move from the handler and state the database holds, not from what this copy remembers.
    held = _hold(case) if case.intake_pending or "handler" in values or "state" in values else None
    before = audit.snapshot(case, sorted(values))
    old_state = case.state
    for name, value in values.items():
        setattr(case, name, value)
    case.refresh_clock()
    case.save()
    if held is not None:
        _keep_loads_in_step(case, handler_before=held[0], open_before=held[1])
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
    """A handler in the case's office (or any handler of the agency), by the agency's assignment rule.

    Reads the stored loads, never the case history, so the cost stays flat as cases pile up. The candidates' loads
    stay locked until the transaction ends: two intakes completing at once wait in turn, so neither picks a load or
    a turn the other has just taken. The caller saves the case through `_keep_loads_in_step`.
    """
    strategy = intake_config(case.agency).settings.assignment
    if strategy == ComplaintSettings.Assignment.MANUAL:
        return None
    members = Membership.objects.filter(agency_id=case.agency_id, role=Role.HANDLER, user__is_active=True)
    offices = dict(members.values_list("user_id", "office_id"))
    candidates = {user for user, office in offices.items() if case.office_id and office == case.office_id}
    candidates = candidates or set(offices)
    if not candidates:
        return None
    # The current handler's load is locked too, so a reassignment takes its locks in the same order as everyone.
    loads = [
        load
        for load in _locked_loads(
            case.agency_id, candidates | ({case.handler_id} if case.handler_id else set())
        )
        if load.handler_id in candidates
    ]
    if strategy == ComplaintSettings.Assignment.LEAST_LOADED:
        chosen = min(loads, key=lambda load: (load.open_cases, load.handler_id))
    else:
        # Round-robin: whoever was given a case longest ago (or never) goes next.
        chosen = min(
            loads,
            key=lambda load: (
                load.last_given_at is not None,
                load.last_given_at or case.received_at,
                load.handler_id,
            ),
        )
    return chosen.handler


def _locked_loads(agency_id: int, handler_ids: set[int]) -> list[HandlerLoad]:
    """These handlers' loads, made at zero where missing, locked in the order of their ids (one order everywhere,
    so two transactions never wait on each other in a circle)."""
    query = (
        HandlerLoad.objects.select_for_update(of=("self",))
        .select_related("handler")
        .filter(agency_id=agency_id, handler_id__in=handler_ids)
        .order_by("handler_id")
    )
    loads = list(query)
    if len(loads) < len(handler_ids):
        missing = handler_ids - {load.handler_id for load in loads}
        HandlerLoad.objects.bulk_create(
            [HandlerLoad(agency_id=agency_id, handler_id=handler_id) for handler_id in missing],
            ignore_conflicts=True,
        )
        loads = list(query.all())
    return loads


def _keep_loads_in_step(case: Case, *, handler_before: int | None, open_before: bool) -> None:
    """Move the stored loads with one change of a case's handler or state: the open-case counts of the handlers
    it leaves and joins, and the round-robin turn of a handler newly given it. Rows are updated in the order of
    their ids, as `_locked_loads` locks them."""
    change: dict[int, int] = {}
    if handler_before is not None and open_before:
        change[handler_before] = change.get(handler_before, 0) - 1
    if case.handler_id is not None and case.is_open:
        change[case.handler_id] = change.get(case.handler_id, 0) + 1
    given = case.handler_id if case.handler_id is not None and case.handler_id != handler_before else None
    for handler_id in sorted(set(change) | ({given} if given is not None else set())):
        values: dict[str, Any] = {}
        if change.get(handler_id):
            values["open_cases"] = F("open_cases") + change[handler_id]
        if handler_id == given:
            values["last_given_at"] = timezone.now()
        if not values:
            continue
        rows = HandlerLoad.objects.filter(agency_id=case.agency_id, handler_id=handler_id)
        if not rows.update(**values):
            HandlerLoad.objects.bulk_create(
                [HandlerLoad(agency_id=case.agency_id, handler_id=handler_id)], ignore_conflicts=True
            )
            rows.update(**values)


def recount_handler_loads(agency: Agency) -> None:
    """Set every load of the agency from its cases (after cases were made in bulk, as the demo does)."""
    held = (
        Case.objects.filter(agency=agency, handler__isnull=False)
        .values("handler_id")
        .annotate(
            open_cases=Count("pk", filter=Q(state__in=Case.OPEN_STATES)), last_given_at=Max("created_at")
        )
    )
    HandlerLoad.objects.filter(agency=agency).delete()
    HandlerLoad.objects.bulk_create([HandlerLoad(agency=agency, **row) for row in held])


def save_attachments(case: Case, uploads: Iterable[tuple[UploadedFile, str]]) -> None:
    """Store checked uploads (see attachments.check_attachment) on the case."""
    for upload, content_type in uploads:
        attachment = CaseAttachment(
            case=case,
            original_name=(upload.name or "file")[:255],
            content_type=content_type,
            size=upload.size or 0,
        )
        attachment.file.save("upload", upload, save=False)
        attachment.save()


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
    complete_now: bool = False,
    flag_duplicates: bool = True,
) -> Case:
    """Store a complaint from any channel under a fresh tracking number and return it, committed: a number given
    out is never lost. Routing, policy, handler, clocks, history, audit entry, triage suggestion and the
    acknowledgement email follow in `complete_intake`, after the commit (see the module's docstring); staff taking
    a complaint by phone or mail pass `complete_now` to see it routed at once.

    A repeated idempotency key fails at the unique constraint (IntegrityError): the caller returns the first case.
    """
    case = Case(
        agency=agency,
        received_at=received_at or timezone.now(),
        idempotency_key=idempotency_key[:100],
        intake_pending=True,
        filed_by=(actor_label or ("public" if actor is None else actor.get_username()))[:150],
    )
    for name in INTAKE_FIELDS:
        if name in data:
            setattr(case, name, data[name])
    case.contact_email = (case.contact_email or "").strip().lower()
    if acknowledge:
        case.state, case.acknowledged_at = Case.State.ACKNOWLEDGED, case.received_at
    # Related records were found within the agency by the caller, and the database enforces uniqueness (the
    # tracking number and the idempotency key both rely on it), so validation skips those lookups: intake is hot.
    exclude = ["tracking_number", "agency", "service", "office", "handler", "policy", "topic", "queue"]
    case.full_clean(
        exclude=exclude if case.narrative else [*exclude, "narrative"],
        validate_unique=False,
        validate_constraints=False,
    )
    uploads = list(attachments)
    if complete_now:
        with transaction.atomic():
            _store(case, uploads)
            return complete_intake(case.pk, actor=actor, flag_duplicates=flag_duplicates) or case
    _store(case, uploads)
    if _queue_completion(case.pk):
        case.refresh_from_db()  # the task backend completed it at once (tests do): hand back the routed case
    return case


def _store(case: Case, uploads: list[tuple[UploadedFile, str]]) -> None:
    """Insert the case under a fresh tracking number, with its attachments; committed when this returns, unless a
    caller's transaction is open.

    Numbers are drawn at random (hard to guess); a repeat, about one draw in ten thousand in a busy agency's year,
    fails the unique constraint and is drawn again. Without attachments the insert is one statement in autocommit:
    no transaction to open, and a repeat fails only that statement, so no savepoint either.
    """
    for _attempt in range(5):
        case.tracking_number = new_tracking_number(case.agency, timezone.localdate().year)
        try:
            if not uploads and not transaction.get_connection().in_atomic_block:
                case.save(force_insert=True)
                return
            with transaction.atomic():
                case.save(force_insert=True)
                save_attachments(case, uploads)
            return
        except IntegrityError:
            if (
                case.idempotency_key
                and Case.objects.filter(agency=case.agency, idempotency_key=case.idempotency_key).exists()
            ):
                raise
            continue
    raise RuntimeError("Could not draw a free tracking number.")


def _queue_completion(case_id: int) -> bool:
    """See that `complete_intake` runs for a case just stored; True when it already ran (tests run tasks at once).

    A queue that can defer (the database queue) gets one batch task per web process per second at most (see
    `_wake_batch`); any other queue gets a task for this case after the commit.
    """
    from django.tasks import TaskResultStatus
    from django.tasks.backends.immediate import ImmediateBackend

    from touchstone.complaints.tasks import complete_case_intake

    backend = complete_case_intake.get_backend()
    if isinstance(backend, ImmediateBackend):
        return complete_case_intake.enqueue(case_id).status == TaskResultStatus.SUCCESSFUL
    if backend.supports_defer:
        transaction.on_commit(_wake_batch)
    else:
        transaction.on_commit(lambda: complete_case_intake.enqueue(case_id))
    return False


# How long a batch task queued by one web process waits, and so how many of that process's cases it serves.
BATCH_EVERY = dt.timedelta(seconds=1)
# The worker's clock may run a little ahead of this one; the batch waits this much longer to be sure.
CLOCK_MARGIN = dt.timedelta(milliseconds=500)
_batch = {"next": 0.0}
_batch_lock = threading.Lock()


def _wake_batch() -> None:
    """Queue `complete_pending_complaints` to run a second from now, unless this process queued one within the last
    second: that one runs after every case this process commits before then, so it completes them all. At most one
    task insert a second per process, instead of one per complaint."""
    now = time.monotonic()
    with _batch_lock:
        if now < _batch["next"]:
            return
        _batch["next"] = now + BATCH_EVERY.total_seconds()
    from touchstone.complaints.tasks import complete_pending_complaints

    try:
        complete_pending_complaints.using(run_after=timezone.now() + BATCH_EVERY + CLOCK_MARGIN).enqueue()
    except Exception:  # the case is committed and its number due to the person; the periodic job completes it
        logger.exception("could not queue the completion of new complaints")
        _batch["next"] = 0.0


@transaction.atomic
def complete_intake(
    case_id: int, *, actor: User | None = None, email: bool = True, flag_duplicates: bool = True
) -> Case | None:
    """Finish the intake of a case filed with `intake_pending`: route it, choose its policy and handler, start its
    clocks from the time it was received, record its history and an audit entry, suggest a triage, flag a likely
    duplicate of an open case of the same customer and (unless the
    caller sends many at once) acknowledge it by email. Returns the case, or None when its intake was already
    complete.

    Safe to run twice, or twice at once: the first run takes the pending mark in one UPDATE (which holds the row
    until it commits); any other run finds the mark gone and does nothing. Office, policy and handler are filled
    only where staff have not set them already.
    """
    if not Case.objects.filter(pk=case_id, intake_pending=True).update(intake_pending=False):
        return None
    case = Case.objects.select_related("agency", "service", "office__complaint_calendar").get(pk=case_id)
    if case.office_id is None:
        rule = route(case)
        if rule is not None:
            case.office, case.queue = rule.office, rule.queue
        elif case.service is not None and case.service.owner_office_id:
            case.office = case.service.owner_office
    if case.policy_id is None:
        case.policy = policy_for(case.agency, case.service_id, case.channel, case.severity)
    handler_before = case.handler_id
    if handler_before is None and case.is_open:
        case.handler = choose_handler(case)
    case.refresh_clock()
    case.save(
        update_fields=["office", "queue", "policy", "handler", "next_breach_at", "next_clock", "updated_at"]
    )
    _keep_loads_in_step(case, handler_before=handler_before, open_before=case.is_open)
    events = [CaseEvent(case=case, state=Case.State.RECEIVED, at=case.received_at)]
    if case.acknowledged_at is not None:
        events.append(CaseEvent(case=case, state=Case.State.ACKNOWLEDGED, at=case.acknowledged_at))
    CaseEvent.objects.bulk_create(events)
    audit.record(
        actor=actor,
        actor_label=case.filed_by,
        action="received complaint",
        target=case,
        agency=case.agency,
        changes={
            "channel": [None, case.channel],
            "service": [None, case.service_id],
            "office": [None, case.office_id],
            "handler": [None, case.handler_id],
            "narrative": "changed",
        },
    )
    suggest_triage(case)
    if flag_duplicates:
        flag_likely_duplicate(case)
    if case.contact_email and email:
        from touchstone.complaints.tasks import send_acknowledgements

        transaction.on_commit(lambda: send_acknowledgements.enqueue([case.pk]))
    return case


def complete_pending_intake(*, older_than: dt.timedelta | None = None, most: int = 1000) -> int:
    """Complete the intake of pending cases, oldest first, each in its own transaction (one case that fails stays
    pending for the next run and holds up no other), and queue their acknowledgements as one task; only cases
    pending longer than `older_than` when given. Returns how many this run completed."""
    from touchstone.complaints.tasks import send_acknowledgements

    pending = Case.objects.filter(intake_pending=True)
    if older_than is not None:
        pending = pending.filter(created_at__lte=timezone.now() - older_than)
    completed: list[Case] = []
    for case_id in list(pending.order_by("created_at", "pk").values_list("pk", flat=True)[:most]):
        try:
            case = complete_intake(case_id, email=False)
        except Exception:
            logger.exception("could not complete the intake of complaint case %s", case_id)
            continue
        if case is not None:
            completed.append(case)
    to_acknowledge = [case.pk for case in completed if case.contact_email]
    if to_acknowledge:
        transaction.on_commit(lambda: send_acknowledgements.enqueue(to_acknowledge))
    return len(completed)


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
        _hold(case)  # the case's row before the loads choose_handler locks, in the order everyone takes them
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


def _tell_customer(case: Case, message: CaseMessage) -> None:
    """A customer who wrote in by email gets the message itself, threaded; others a notice to read it online."""
    if (
        case.channel == "email"
        and case.contact_email
        and case.contact_preference != Case.ContactPreference.NONE
    ):
        from touchstone.complaints.tasks import email_case_message

        transaction.on_commit(lambda: email_case_message.enqueue(message.pk))
    else:
        _notify_customer(case, "message")


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
    _tell_customer(case, message)
    return message


@transaction.atomic
def start_work(*, actor: User, case: Case) -> Case:
    return _update(case, actor=actor, action="started work", state=Case.State.IN_PROGRESS)


@transaction.atomic
def wait_on_customer(*, actor: User, case: Case, question: str) -> Case:
    """Ask the customer for something; the clocks stop until they answer or a handler resumes the case."""
    now = timezone.now()
    question_message = CaseMessage.objects.create(
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
    _tell_customer(case, question_message)
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


@transaction.atomic
def save_topic(*, actor: User, agency: Agency, topic: Topic, data: dict[str, Any]) -> Topic:
    """Rename a topic of the agency, in English and Spanish (the Spanish is what Spanish public pages show)."""
    if topic.agency_id != agency.pk:
        raise ValueError("The topic is another agency's.")
    audit.save_with_audit(topic, data, actor=actor, agency=agency)
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


# --- help desk: canned replies and merging duplicates -----------------------------------------------------------


@transaction.atomic
def save_canned_reply(
    *, actor: User, agency: Agency, data: dict[str, Any], reply: CannedReply | None = None
) -> CannedReply:
    reply = reply or CannedReply(agency=agency)
    audit.save_with_audit(reply, data, actor=actor, agency=agency)
    return reply


class CannotMerge(ValueError):
    pass


@transaction.atomic
def merge_case(*, actor: User, case: Case, into: Case) -> Case:
    """Fold a duplicate into the case that goes on: its messages, notes and attachments move there, and the duplicate
    closes pointing at it. The surviving case keeps its own clocks; both histories record the merge.

    Only the same customer's cases merge (or a duplicate with no contact address): a merge must never show one
    person's messages to another.
    """
    if case.agency_id != into.agency_id or case.pk == into.pk:
        raise CannotMerge(_("Choose another case of this agency."))
    if not into.is_open:
        raise CannotMerge(
            _("Case %(number)s is closed; merge into an open case.") % {"number": into.tracking_number}
        )
    if case.contact_email and into.contact_email and case.contact_email.lower() != into.contact_email.lower():
        raise CannotMerge(
            _("Case %(number)s is another customer's; only the same customer's cases merge.")
            % {"number": into.tracking_number}
        )
    CaseMessage.objects.filter(case=case).update(case=into)
    CaseNote.objects.filter(case=case).update(case=into)
    CaseAttachment.objects.filter(case=case).update(case=into)
    CaseNote.objects.create(
        case=into,
        author=actor,
        body=f"Merged {case.tracking_number} into this case (received {case.received_at:%Y-%m-%d}).",
    )
    now = timezone.now()
    _update(
        case,
        actor=actor,
        action="merged into another case",
        state=Case.State.CLOSED,
        outcome=Case.Outcome.CLOSED,
        closed_at=now,
        merged_into=into,
        likely_duplicate_of=None,  # merged: the question the flag asked is answered
    )
    _update(into, actor=actor, action="merged a duplicate in", last_update_at=into.last_update_at)
    return into


@transaction.atomic
def split_case(*, actor: User, case: Case, narrative: str) -> Case:
    """One message, two problems: the second becomes its own case, linked to the first, for the same customer.

    Its clocks run from when the customer wrote (the original received time), under the policy and routing of a
    new complaint; the original keeps its own. Both histories and the audit log record the split.
    """
    if not case.is_open:
        raise ValidationError(_("This case is closed; reopen it before splitting it."))
    part = file_complaint(
        agency=case.agency,
        data={
            "narrative": narrative,
            "service": case.service,
            "channel": case.channel,
            "contact_name": case.contact_name,
            "contact_preference": case.contact_preference,
            "contact_email": case.contact_email,
            "contact_phone": case.contact_phone,
            "state_code": case.state_code,
            "postal_code": case.postal_code,
            "language": case.language,
        },
        actor=actor,
        received_at=case.received_at,
        acknowledge=case.acknowledged_at is not None,
        complete_now=True,
        flag_duplicates=False,  # the part repeats its original's customer and words by design
    )
    Case.objects.filter(pk=part.pk).update(split_from=case)
    part.split_from = case
    CaseNote.objects.create(
        case=case, author=actor, body=f"Split {part.tracking_number} off this case: a second problem."
    )
    CaseNote.objects.create(case=part, author=actor, body=f"Split off {case.tracking_number}.")
    audit.record(
        actor=actor,
        action="split a case off",
        target=case,
        agency=case.agency,
        changes={"split_part": [None, part.tracking_number]},
    )
    audit.record(
        actor=actor,
        action="split from a case",
        target=part,
        agency=case.agency,
        changes={"split_from": [None, case.tracking_number]},
    )
    return part


# --- likely duplicates, flagged at intake ------------------------------------------------------------------------

# How alike two narratives must read (TF-IDF cosine over letter runs) for the second to be flagged.
DUPLICATE_SIMILARITY = 0.3


def likely_duplicate_of(case: Case) -> Case | None:
    """The open case of the same agency and the same customer (email address or phone), received within the
    agency's window before this one, whose narrative reads most like this one's; None below the similarity."""
    window = intake_config(case.agency).settings.duplicate_window_days
    if not window or not case.narrative.strip():
        return None
    same_customer = Q()
    if case.contact_email:
        same_customer |= Q(contact_email=case.contact_email.lower())
    if case.contact_phone.strip():
        same_customer |= Q(contact_phone=case.contact_phone.strip())
    if not same_customer:
        return None
    candidates = list(
        Case.objects.filter(
            same_customer,
            agency_id=case.agency_id,
            state__in=Case.OPEN_STATES,
            received_at__gte=case.received_at - dt.timedelta(days=window),
            received_at__lte=case.received_at,
        )
        .exclude(pk=case.pk)
        .exclude(narrative="")
        .only("pk", "tracking_number", "narrative", "agency_id")
        .order_by("-received_at")[:50]
    )
    found = triage.similar(
        case.narrative,
        [other.narrative for other in candidates],
        threshold=DUPLICATE_SIMILARITY,
        limit=1,
        by_characters=True,
    )
    return candidates[found[0][0]] if found else None


def flag_likely_duplicate(case: Case) -> Case | None:
    """Flag a new case as the likely duplicate of an open one, for a handler to merge or dismiss; never merged
    here. Returns the case it likely repeats."""
    original = likely_duplicate_of(case)
    if original is None:
        return None
    Case.objects.filter(pk=case.pk).update(likely_duplicate_of=original)
    case.likely_duplicate_of = original
    audit.record(
        actor=None,
        actor_label="intake",
        action="flagged as a likely duplicate",
        target=case,
        agency=case.agency,
        changes={"likely_duplicate_of": [None, original.tracking_number]},
    )
    logger.info("case %s flagged as a likely duplicate of case %s", case.pk, original.pk)
    return original


@transaction.atomic
def merge_likely_duplicate(*, actor: User, case: Case) -> Case:
    """The handler agrees: the flagged case merges into the case it repeats (see `merge_case`)."""
    if case.likely_duplicate_of is None:
        raise CannotMerge(_("This case is not flagged as a likely duplicate."))
    into = Case.objects.select_for_update().get(pk=case.likely_duplicate_of.pk)
    return merge_case(actor=actor, case=case, into=into)


@transaction.atomic
def dismiss_likely_duplicate(*, actor: User, case: Case) -> Case:
    """The handler judges the case its own: the flag goes, and the history says who dismissed it."""
    if case.likely_duplicate_of is None:
        raise CannotMerge(_("This case is not flagged as a likely duplicate."))
    return _update(case, actor=actor, action="not a duplicate", likely_duplicate_of=None)


# --- bulk actions on the worklist -------------------------------------------------------------------------------

BULK_STATES = (Case.State.ACKNOWLEDGED, Case.State.IN_PROGRESS)


class BulkRefused(ValueError):
    """One selected case cannot take the action; nothing was changed. The text names the case."""


@transaction.atomic
def bulk_assign(*, actor: User, cases: list[Case], handler: User) -> int:
    for case in cases:
        if not case.is_open:
            raise BulkRefused(
                _("%(number)s is closed; nothing was changed.") % {"number": case.tracking_number}
            )
        _update(case, actor=actor, action="assigned", handler=handler)
    return len(cases)


@transaction.atomic
def bulk_set_state(*, actor: User, cases: list[Case], state: str) -> int:
    if state not in BULK_STATES:
        raise BulkRefused(_("Choose a status from the list."))
    for case in cases:
        if not case.is_open or case.state == Case.State.WAITING:
            raise BulkRefused(
                _("%(number)s is %(state)s; nothing was changed.")
                % {"number": case.tracking_number, "state": case.get_state_display()}
            )
        if state == Case.State.ACKNOWLEDGED:
            if case.state in {Case.State.RECEIVED, Case.State.ACKNOWLEDGED}:
                acknowledge_case(actor=actor, case=case)
            elif case.acknowledged_at is None:
                _update(case, actor=actor, action="acknowledged", acknowledged_at=timezone.now())
        else:
            start_work(actor=actor, case=case)
    return len(cases)


@transaction.atomic
def bulk_close(*, actor: User, cases: list[Case], outcome: str, response: str) -> int:
    """Close every selected case as `close_case` closes one (clock stopped, history, the customer told and asked
    how it went), with the same outcome and response; a case already closed stops them all."""
    if outcome == Case.Outcome.MONETARY:
        raise BulkRefused(_("Close cases with monetary relief one at a time: each has its own amount."))
    for case in cases:
        if not case.is_open:
            raise BulkRefused(
                _("%(number)s is closed; nothing was changed.") % {"number": case.tracking_number}
            )
        close_case(actor=actor, case=case, outcome=outcome, response=response)
    return len(cases)


@transaction.atomic
def bulk_tag(*, actor: User, agency: Agency, cases: list[Case], name: str) -> CaseTag:
    tag, _created = CaseTag.objects.get_or_create(agency=agency, name=name.strip()[:60])
    for case in cases:
        case.tags.add(tag)
        audit.record(
            actor=actor, action="tagged", target=case, agency=agency, changes={"tag": [None, tag.name]}
        )
    return tag


@transaction.atomic
def bulk_merge(*, actor: User, cases: list[Case]) -> Case:
    """Merge the selected cases into the one received first; any case that cannot merge stops them all."""
    if len(cases) < 2:
        raise BulkRefused(_("Select at least two cases to merge."))
    first, *others = sorted(cases, key=lambda case: (case.received_at, case.pk))
    for case in others:
        try:
            merge_case(actor=actor, case=case, into=first)
        except CannotMerge as error:
            raise BulkRefused(
                _("%(number)s: %(reason)s Nothing was merged.")
                % {"number": case.tracking_number, "reason": str(error)}
            ) from error
    return first


# --- email in: mailbox settings, bounces ------------------------------------------------------------------------


@transaction.atomic
def save_email_intake(*, actor: User, agency: Agency, data: dict[str, Any]) -> EmailIntake:
    found = EmailIntake.objects.filter(agency=agency).first() or EmailIntake(agency=agency)
    audit.save_with_audit(found, data, actor=actor, agency=agency)
    return found


@transaction.atomic
def mark_bounced(*, message: CaseMessage, status: str) -> CaseMessage:
    """The email that carried this message came back undelivered: the handler sees it on the case."""
    CaseMessage.objects.filter(pk=message.pk).update(bounced_at=timezone.now(), bounce_status=status)
    message.refresh_from_db()
    audit.record(
        actor=None,
        actor_label="email",
        action="email bounced",
        target=message.case,
        agency=message.case.agency,
        changes={"message": [None, message.pk], "status": [None, status]},
    )
    return message


# --- knowledge base ---------------------------------------------------------------------------------------------


@transaction.atomic
def save_article(
    *, actor: User, agency: Agency, data: dict[str, Any], article: Article | None = None
) -> Article:
    values = dict(data)
    topics = values.pop("topics", None)
    article = article or Article(agency=agency)
    audit.save_with_audit(article, values, actor=actor, agency=agency)
    if topics is not None:
        article.topics.set([topic for topic in topics if topic.agency_id == agency.pk])
    return article


def article_helped(*, article: Article, helped: bool) -> None:
    """A reader's answer to "did this answer your question?": counted, nothing else kept."""
    field = "helped" if helped else "did_not_help"
    Article.objects.filter(pk=article.pk).update(**{field: F(field) + 1})


# --- triage -----------------------------------------------------------------------------------------------------

# Loaded bundles by (model, when trained): a reused primary key never serves another model's bundle.
_BUNDLES: dict[tuple[int, Any], triage.TriageBundle] = {}


def _bundle(model: TriageModel) -> triage.TriageBundle:
    key = (model.pk, model.trained_at)
    if key not in _BUNDLES:
        if "blob" in model.get_deferred_fields():
            model = TriageModel.objects.get(pk=model.pk)
        _BUNDLES.clear()
        _BUNDLES[key] = triage.TriageBundle.loads(bytes(model.blob))
    return _BUNDLES[key]


def suggest_triage(case: Case) -> TriageSuggestion | None:
    if intake_config(case.agency).triage_model_id is None:
        return None
    model = TriageModel.objects.filter(agency=case.agency).defer("blob").first()
    if model is None:
        return None
    guess = _bundle(model).suggest([triage_example(case)])[0]
    floor = ComplaintSettings.of(case.agency).triage_min_confidence

    def sure(target: str) -> tuple[str, float]:
        """The guess when at least as confident as the agency asks, else abstain ("") and leave it to a person."""
        label, confidence = guess.get(target, ("", 0.0))
        return (label if confidence >= floor else ""), confidence

    # Down the topic tree as far as it is sure: the issue, else its product, else nothing.
    topic_id, topic_conf = sure("topic")
    if not topic_id:
        topic_id, topic_conf = sure("product")
    office_id, office_conf = sure("office")
    urgency, urgency_conf = sure("urgency")
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
        .select_related("topic")
        .only("narrative", "service_id", "channel", "state_code", "topic__parent_id", "office_id", "urgency")
    )


def triage_example(case: Case) -> triage.Example:
    """What triage reads of a case: the narrative, and the structured fields known at intake."""
    return triage.Example(
        narrative=case.narrative,
        fields={
            "service": str(case.service_id or ""),
            "channel": case.channel or "",
            "state": case.state_code or "",
        },
    )


@transaction.atomic
def train_triage(*, agency: Agency, actor: User | None = None, folds: int = triage.FOLDS) -> TriageModel:
    """Cross-validate the new model beside the plain baseline on the same folds, keep the better text model, and
    store it with its figures (per target and per class)."""
    cases = training_cases(agency)
    labels: dict[str, list[str | None]] = {
        "product": [str(case.topic.parent_id or case.topic_id) if case.topic else None for case in cases],
        "topic": [str(case.topic_id) if case.topic_id else None for case in cases],
        "office": [str(case.office_id) if case.office_id else None for case in cases],
        "urgency": [case.urgency or None for case in cases],
    }
    result = triage.train([triage_example(case) for case in cases], labels, folds=folds)
    model = TriageModel.objects.create(
        agency=agency, training_cases=len(cases), metrics=result.metrics, blob=result.bundle.dumps()
    )
    TriageModel.objects.filter(agency=agency).exclude(pk=model.pk).delete()
    new = result.metrics.get("narratives", {}).get("new", {})
    audit.record(
        actor=actor,
        action="trained triage",
        target=model,
        agency=agency,
        changes={
            **{target: [None, values["macro_f1"]] for target, values in new.items()},
            "kept": [None, result.metrics.get("kept", "fields")],
        },
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
