"""Background work of complaints, run by the db_worker (at once in tests)."""

from django.tasks import task

from touchstone.complaints import notifications
from touchstone.complaints.models import Case


def _case(case_id: int) -> Case | None:
    return Case.objects.select_related("agency").filter(pk=case_id).first()


@task()
def complete_case_intake(case_id: int) -> bool:
    """Route one newly filed case and start its clocks (see services.file_complaint)."""
    from touchstone.complaints.services import complete_intake

    return complete_intake(case_id) is not None


@task()
def complete_pending_complaints(most: int = 1000) -> int:
    """Route every newly filed case still pending: queued by the web processes at most once a second each."""
    from touchstone.complaints.services import complete_pending_intake

    completed = complete_pending_intake(most=most)
    if completed >= most:  # a burst left more behind; finish it now rather than wait for the next complaint
        complete_pending_complaints.enqueue(most)
    return completed


@task()
def send_acknowledgements(case_ids: list[int]) -> None:
    """The email with the tracking number, to each of these newly routed cases' customers who gave an address."""
    for case in Case.objects.select_related("agency").filter(pk__in=case_ids).exclude(contact_email=""):
        notifications.send_acknowledgement(case)


@task()
def notify_customer(case_id: int, kind: str, token: str = "") -> None:
    case = _case(case_id)
    if case is not None and case.contact_email:
        notifications.notify_customer(case, kind, token)


@task()
def email_case_message(message_id: int) -> None:
    """A handler's message to a customer who wrote in by email, sent as a threaded email."""
    from touchstone.complaints.models import CaseMessage

    message = CaseMessage.objects.select_related("case", "case__agency").filter(pk=message_id).first()
    if message is not None and message.case.contact_email:
        notifications.email_message(message)


@task()
def check_complaint_clocks() -> int:
    from touchstone.complaints.services import check_clocks

    return len(check_clocks())


@task()
def send_acknowledgement(case_id: int) -> None:
    """Kept for acknowledgements queued before `send_acknowledgements` took over, so none is lost in an upgrade."""
    for case in Case.objects.select_related("agency").filter(pk=case_id).exclude(contact_email=""):
        notifications.send_acknowledgement(case)
