"""Background work of survey invitations, run by the db_worker (at once in tests)."""

from django.tasks import task

from touchstone.surveys import invitations


@task()
def send_invitation_emails(invitation_ids: list[int], kind: str) -> int:
    """Send the invitation (kind "invitation") or reminder ("reminder") emails of these invitations."""
    return invitations.email_invitations(invitation_ids, kind)


@task()
def send_survey_reminders(days: int = invitations.DEFAULT_REMINDER_DAYS) -> int:
    """Remind, once, everyone invited `days` ago or more who has not answered; for a daily schedule."""
    return invitations.send_reminders(actor=None, days=days)


@task()
def purge_survey_contacts(days: int = invitations.DEFAULT_PURGE_DAYS) -> int:
    """Blank the addresses of surveys closed or archived more than `days` ago, and of the unsubscribed."""
    return invitations.purge_contacts(days=days)
