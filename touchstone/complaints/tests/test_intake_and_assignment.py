"""Intake stores the case and gives out its number only once committed; routing, clocks and the handler follow in
background work that runs once per case; handlers are chosen from stored loads that stay right."""

import datetime as dt
import io
import re
import threading
import time
from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from touchstone.complaints import services
from touchstone.complaints.models import Case, CaseEvent, ComplaintSettings, HandlerLoad
from touchstone.complaints.tests.factories import file_case, standard_policy
from touchstone.conftest import Personas, make_user
from touchstone.core import services as core_services
from touchstone.core.models import AuditEntry, Role, User

BODY = {
    "narrative": "Kiosk ate my card.",
    "channel": "self_service_kiosk",
    "contact_email": "kim@example.com",
}
FORM = {
    "narrative": "My payment did not arrive.",
    "contact_preference": "email",
    "contact_email": "pat@example.com",
}


def kept_in_queue() -> Any:
    """A task queue that keeps what it is given and runs nothing, as when the worker has not yet picked a task up."""
    return override_settings(TASKS={"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}})


@pytest.fixture
def queue_kept() -> Iterator[None]:
    with kept_in_queue():
        yield


def submit_token(personas: Personas) -> dict[str, str]:
    _token, secret = core_services.create_api_token(
        actor=personas.admin_a, agency=personas.agency_a, name="partner", scopes=["submit", "read"]
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def seen_from_another_connection(tracking_number: str) -> bool:
    """Whether another database connection (another thread's) sees the case: only committed rows are seen there."""
    found: list[bool] = []

    def look() -> None:
        try:
            found.append(Case.objects.filter(tracking_number=tracking_number).exists())
        finally:
            connection.close()

    thread = threading.Thread(target=look)
    thread.start()
    thread.join()
    return found == [True]


def handlers(personas: Personas, strategy: str) -> list[User]:
    ComplaintSettings.objects.create(agency=personas.agency_a, assignment=strategy)
    return [
        personas.handler_a,
        make_user("handler-two", personas.agency_a, Role.HANDLER),
        make_user("handler-three", personas.agency_a, Role.HANDLER),
    ]


def loads(people: list[User]) -> list[int]:
    stored = dict(HandlerLoad.objects.values_list("handler_id", "open_cases"))
    return [stored.get(person.pk, 0) for person in people]


def held(people: list[User]) -> list[int]:
    """The truth the loads must match: open cases each person holds."""
    return [Case.objects.filter(handler=person, state__in=Case.OPEN_STATES).count() for person in people]


# --- the number is given only for a committed case -------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_api_gives_a_tracking_number_only_for_a_case_already_committed(personas: Personas) -> None:
    answer = Client().post(
        "/api/v1/complaints",
        BODY,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="partner-1",
        **submit_token(personas),
    )
    assert answer.status_code == 201
    assert seen_from_another_connection(answer.json()["tracking_number"])


@pytest.mark.django_db(transaction=True)
def test_the_public_form_shows_the_number_only_for_a_case_already_committed(personas: Personas) -> None:
    public = Client()
    answer = public.post(reverse("portal_complaints:new", args=[personas.agency_a.slug]), FORM)
    shown = re.search(r'id="tracking-number">([A-Z0-9-]+)<', public.get(answer["Location"]).content.decode())
    assert answer.status_code == 302 and shown is not None
    assert seen_from_another_connection(shown.group(1))


@pytest.mark.django_db(transaction=True)
def test_when_storing_fails_part_way_no_number_is_given_and_nothing_is_kept(personas: Personas) -> None:
    public = Client(raise_request_exception=False)
    letter = SimpleUploadedFile("letter.pdf", b"%PDF-1.4 a letter", content_type="application/pdf")
    with mock.patch.object(services, "save_attachments", side_effect=OSError("storage unavailable")):
        answer = public.post(
            reverse("portal_complaints:new", args=[personas.agency_a.slug]), FORM | {"attachments": letter}
        )
    assert answer.status_code == 500 and "complaint_received" not in public.cookies
    assert Case.objects.count() == 0, "the case and its attachment are stored together or not at all"


def test_the_thank_you_page_shows_no_number_it_did_not_give(personas: Personas) -> None:
    case = file_case(personas)
    stranger = Client()
    stranger.cookies["complaint_received"] = case.tracking_number  # unsigned: made up, not given by the form
    page = stranger.get(reverse("portal_complaints:received")).content.decode()
    assert case.tracking_number not in page and "Thank you for telling us." in page


def test_a_repeated_tracking_number_is_drawn_again(personas: Personas) -> None:
    first = file_case(personas)
    drawn = iter([first.tracking_number, "AAA-2026-NEW234"])
    with mock.patch.object(services, "new_tracking_number", side_effect=lambda agency, year: next(drawn)):
        second = file_case(personas, "Another complaint.")
    assert second.tracking_number == "AAA-2026-NEW234"
    assert Case.objects.count() == 2


# --- intake completes in the background, once ------------------------------------------------------------------


def test_a_pending_case_is_in_the_worklist_unassigned_and_is_completed_exactly_once(
    personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    standard_policy(personas, counting="calendar", first_response_hours=40)
    handlers(personas, "least_loaded")
    received = timezone.now() - dt.timedelta(hours=3)
    with kept_in_queue():
        case = services.file_complaint(
            agency=personas.agency_a,
            data={"narrative": "Nobody called back.", "contact_email": "lee@example.com"},
            received_at=received,
        )
    case.refresh_from_db()
    assert case.intake_pending and case.handler is None and case.policy is None
    assert not CaseEvent.objects.filter(case=case).exists()
    worklist = personas.client(personas.handler_a).get(f"/manage/{personas.agency_a.slug}/complaints/")
    assert case.tracking_number in worklist.content.decode() and "Being routed" in worklist.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        first = services.complete_intake(case.pk)
        second = services.complete_intake(case.pk)
    assert first is not None and second is None
    assert services.complete_pending_intake(older_than=None) == 0
    case.refresh_from_db()
    assert not case.intake_pending and case.handler == personas.handler_a and case.policy is not None
    # The clock runs from when the complaint was received, not from when its intake completed.
    assert case.first_response_due == received + dt.timedelta(hours=40)
    assert list(case.events.values_list("state", flat=True)) == ["received", "acknowledged"]
    entry = AuditEntry.objects.get(action="received complaint", object_id=str(case.pk))
    assert entry.actor_label == "public"
    assert HandlerLoad.objects.get(handler=personas.handler_a).open_cases == 1
    assert [message.to for message in mail.outbox] == [["lee@example.com"]]


def test_new_complaints_share_one_batch_task_that_routes_them_all(
    personas: Personas, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django_tasks_db.models import DBTaskResult

    from touchstone.complaints.tasks import complete_pending_complaints

    standard_policy(personas)
    monkeypatch.setitem(services._batch, "next", 0.0)
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        with django_capture_on_commit_callbacks(execute=True):
            cases = [file_case(personas, f"Complaint {n}.") for n in range(3)]
        queued = DBTaskResult.objects.get()
    assert queued.task_path == complete_pending_complaints.module_path
    assert queued.run_after is not None and queued.run_after > timezone.now()
    assert Case.objects.filter(intake_pending=True).count() == 3
    assert complete_pending_complaints.call() == 3
    assert all(Case.objects.get(pk=case.pk).policy is not None for case in cases)


def test_the_periodic_job_completes_cases_whose_task_never_ran(personas: Personas, queue_kept: None) -> None:
    standard_policy(personas)
    stuck = file_case(personas)
    Case.objects.filter(pk=stuck.pk).update(created_at=timezone.now() - dt.timedelta(minutes=10))
    fresh = file_case(personas, "Just filed.")
    out = io.StringIO()
    call_command("complete_complaint_intake", stdout=out)
    assert out.getvalue().strip() == "1 complaint(s) routed."
    assert list(Case.objects.filter(intake_pending=True)) == [fresh]
    call_command("complete_complaint_intake", "--minutes", "0", stdout=out)
    assert not Case.objects.filter(intake_pending=True).exists()
    assert CaseEvent.objects.filter(state="received").count() == 2


def test_a_handler_acting_on_a_pending_case_completes_its_intake_first(
    personas: Personas, queue_kept: None
) -> None:
    people = handlers(personas, "least_loaded")
    case = file_case(personas)
    services.assign_case(actor=personas.admin_a, case=case, office=None, handler=people[2], queue="general")
    case.refresh_from_db()
    assert not case.intake_pending and case.handler == people[2]
    assert services.complete_intake(case.pk) is None
    assert loads(people) == held(people) == [0, 0, 1]
    assert CaseEvent.objects.filter(case=case, state="received").count() == 1


def test_a_complaint_taken_by_phone_is_routed_before_the_page_answers(
    personas: Personas, queue_kept: None
) -> None:
    standard_policy(personas)
    answer = personas.client(personas.handler_a).post(
        f"/manage/{personas.agency_a.slug}/complaints/new/",
        {"channel": "phone", "narrative": "Caller was cut off.", "contact_preference": "none"},
    )
    case = Case.objects.get()
    assert answer.status_code == 302 and not case.intake_pending
    assert case.handler == personas.handler_a and case.policy is not None and case.next_breach_at is not None
    assert AuditEntry.objects.get(action="received complaint").actor == personas.handler_a


@pytest.mark.django_db(transaction=True)
def test_two_workers_completing_the_same_case_at_once_complete_it_once(
    personas: Personas, queue_kept: None
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite writes one transaction at a time; the row lock being tested is PostgreSQL's")
    handlers(personas, "least_loaded")
    case = file_case(personas)
    outcomes = run_at_once([lambda: services.complete_intake(case.pk)] * 2)
    assert sorted(outcome is None for outcome in outcomes) == [False, True]
    assert CaseEvent.objects.filter(case=case, state="received").count() == 1
    assert sum(HandlerLoad.objects.values_list("open_cases", flat=True)) == 1


@pytest.mark.django_db(transaction=True)
def test_two_intakes_completing_at_once_go_to_different_handlers(
    personas: Personas, queue_kept: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite writes one transaction at a time; the row locks being tested are PostgreSQL's")
    ComplaintSettings.objects.create(agency=personas.agency_a, assignment="least_loaded")
    second = make_user("handler-two", personas.agency_a, Role.HANDLER)
    cases = [file_case(personas), file_case(personas, "Another.")]
    for person in (personas.handler_a, second):
        HandlerLoad.objects.create(agency=personas.agency_a, handler=person)
    keep_in_step = services._keep_loads_in_step

    def after_a_pause(*args: Any, **kwargs: Any) -> None:
        time.sleep(0.3)  # between choosing and counting: the other intake chooses now, or waits for the lock
        keep_in_step(*args, **kwargs)

    monkeypatch.setattr(services, "_keep_loads_in_step", after_a_pause)
    run_at_once([lambda case=case: services.complete_intake(case.pk) for case in cases])
    assert {Case.objects.get(pk=case.pk).handler_id for case in cases} == {personas.handler_a.pk, second.pk}


def run_at_once(work: list[Any]) -> list[Any]:
    """Run each callable in its own thread (its own connection), all released together; their results."""
    start = threading.Barrier(len(work))
    outcomes: list[Any] = [None] * len(work)
    failures: list[BaseException] = []

    def run(index: int) -> None:
        start.wait()
        try:
            outcomes[index] = work[index]()
        except BaseException as failure:
            failures.append(failure)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(work))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures
    return outcomes


# --- assignment reads stored loads ------------------------------------------------------------------------------


def test_least_loaded_follows_the_stored_counts_through_close_reassign_and_reopen(personas: Personas) -> None:
    people = handlers(personas, "least_loaded")
    first, second, third = (file_case(personas, f"Complaint {n}.") for n in range(3))
    assert [first.handler, second.handler, third.handler] == people  # equal loads: the earliest handler first
    services.close_case(actor=people[1], case=second, outcome="explanation", response="Done.")
    assert loads(people) == held(people) == [1, 0, 1]
    assert file_case(personas, "Fourth.").handler == people[1]
    services.assign_case(actor=personas.admin_a, case=first, office=None, handler=people[2], queue="general")
    assert loads(people) == held(people) == [0, 1, 2]
    assert file_case(personas, "Fifth.").handler == people[0]
    services.reopen_case(actor=people[1], case=second)
    assert loads(people) == held(people) == [1, 2, 2]
    assert file_case(personas, "Sixth.").handler == people[0]
    assert loads(people) == held(people) == [2, 2, 2]


def test_round_robin_gives_the_next_case_to_whoever_was_given_one_longest_ago(personas: Personas) -> None:
    people = handlers(personas, "round_robin")
    cases = [file_case(personas, f"Complaint {n}.") for n in range(4)]
    assert [case.handler for case in cases] == [*people, people[0]]
    services.assign_case(
        actor=personas.admin_a, case=cases[1], office=None, handler=people[2], queue="general"
    )
    # Handler two was given a case longest ago now; closing and reopening are not turns.
    services.close_case(actor=people[0], case=cases[0], outcome="explanation", response="Done.")
    services.reopen_case(actor=people[0], case=cases[0])
    assert file_case(personas, "Fifth.").handler == people[1]
    assert file_case(personas, "Sixth.").handler == people[0]
    assert loads(people) == held(people) == [3, 1, 2]


def test_choosing_a_handler_costs_the_same_whatever_the_history(personas: Personas, queue_kept: None) -> None:
    handlers(personas, "least_loaded")
    standard_policy(personas)

    def queries_to_complete() -> int:
        case = file_case(personas)
        with CaptureQueriesContext(connection) as captured:
            services.complete_intake(case.pk)
        return len(captured.captured_queries)

    queries_to_complete()  # the first reads the agency's configuration, which intake then holds for a while
    early = queries_to_complete()
    for _ in range(25):
        queries_to_complete()
    assert queries_to_complete() == early


def test_the_demo_starts_with_loads_that_match_its_cases(db: object) -> None:
    from touchstone.core.demo import load_demo

    load_demo()
    for load in HandlerLoad.objects.select_related("agency", "handler"):
        assert (
            load.open_cases
            == load.agency.complaint_cases.filter(handler=load.handler, state__in=Case.OPEN_STATES).count()
        )
