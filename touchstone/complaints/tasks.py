"""Background work of complaints, run by the db_worker (at once in tests)."""

from django.tasks import task

from touchstone.complaints import notifications
from touchstone.complaints.models import Case


def _case(case_id: int) -> Case | None:
    return Case.objects.select_related("agency").filter(pk=case_id).first()


@task()
def send_acknowledgement(case_id: int) -> None:
    case = _case(case_id)
    if case is not None and case.contact_email:
        notifications.send_acknowledgement(case)


@task()
def notify_customer(case_id: int, kind: str, token: str = "") -> None:
    case = _case(case_id)
    if case is not None and case.contact_email:
        notifications.notify_customer(case, kind, token)


@task()
def check_complaint_clocks() -> int:
    from touchstone.complaints.services import check_clocks

    return len(check_clocks())
