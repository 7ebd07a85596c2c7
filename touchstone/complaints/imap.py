"""The IMAP poller: each agency's complaint mailbox read on a clock, every new message fed to `inbound.receive`.

A message is marked read (or moved to the agency's folder for handled mail) only after `receive` returns, by which
time its case or reply is committed. A crash in between leaves it unread; the next poll reads it again and
`receive` knows its Message-ID, so nothing is lost and nothing is filed twice. Messages are fetched with
BODY.PEEK[] so reading one does not mark it read. A message that cannot become a complaint is marked read and
flagged for a person to look at, so it does not come back every minute.

The password is never stored: the agency's settings name the environment variable (or NAME_FILE) that holds it.
Never logged: subjects, addresses, bodies; only the agency, the message's UID in the mailbox and what was done.
"""

import contextlib
import imaplib
import logging
import re
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from touchstone.complaints import inbound
from touchstone.complaints.models import EmailIntake
from touchstone.settings import env_str

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 30


@dataclass
class Poll:
    """What one poll of one mailbox did, by outcome (as `Received.what` says it)."""

    done: dict[str, int] = field(default_factory=dict)
    unreadable: int = 0
    failed: int = 0

    def count(self, what: str) -> None:
        self.done[what] = self.done.get(what, 0) + 1


def _connect(intake: EmailIntake) -> imaplib.IMAP4:
    password = env_str(
        intake.imap_password_env
    )  # ImproperlyConfigured, naming the variable, when it is unset
    kind = imaplib.IMAP4_SSL if intake.imap_tls else imaplib.IMAP4
    connection = kind(intake.imap_host, intake.imap_port, timeout=TIMEOUT_SECONDS)
    connection.login(intake.imap_username, password)
    return connection


def _check(reply: tuple[str, list[Any]], what: str) -> list[Any]:
    status, data = reply
    if status != "OK":
        raise imaplib.IMAP4.error(f"{what} refused: {status}")
    return data


def _quoted(connection: imaplib.IMAP4, name: str) -> str:
    """A folder name as IMAP wants it, quoted (names may hold spaces)."""
    return str(connection._quote(name))  # type: ignore[attr-defined]


def _handled(connection: imaplib.IMAP4, uid: str, done_folder: str) -> None:
    """The message is in the database: take it out of the way of the next poll."""
    if not done_folder:
        _check(connection.uid("STORE", uid, "+FLAGS", r"(\Seen)"), "STORE")
        return
    folder = _quoted(connection, done_folder)
    if "MOVE" in connection.capabilities:
        _check(connection.uid("MOVE", uid, folder), "MOVE")
        return
    _check(connection.uid("COPY", uid, folder), "COPY")
    _check(connection.uid("STORE", uid, "+FLAGS", r"(\Deleted \Seen)"), "STORE")
    _check(connection.expunge(), "EXPUNGE")


def _message(fetched: list[Any]) -> bytes | None:
    for item in fetched:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], bytes):
            return item[1]
    return None


def poll(intake: EmailIntake, *, most: int = 200) -> Poll:
    """Read the unread messages of one agency's mailbox into its complaints (at most `most` a run)."""
    agency = intake.agency
    result = Poll()
    connection = _connect(intake)
    try:
        _check(connection.select(_quoted(connection, intake.imap_folder)), "SELECT")
        found = _check(connection.uid("SEARCH", "UNSEEN"), "SEARCH")
        listed = (found[0] or b"").split() if found and isinstance(found[0], bytes) else []
        uids = [uid.decode() for uid in listed if re.fullmatch(rb"\d+", uid)]
        for uid in uids[:most]:
            raw = _message(_check(connection.uid("FETCH", uid, "(BODY.PEEK[])"), "FETCH"))
            if raw is None:
                result.failed += 1
                continue
            try:
                received = inbound.receive(agency, raw)
            except inbound.UnreadableEmail as error:
                # The text names a header or part, never its contents.
                logger.warning("agency %s mailbox message %s unreadable: %s", agency.pk, uid, error)
                _check(connection.uid("STORE", uid, "+FLAGS", r"(\Seen \Flagged)"), "STORE")
                result.unreadable += 1
                continue
            except Exception:  # left unread: the next poll tries it again, and Message-ID keeps it single
                logger.exception("agency %s mailbox message %s failed", agency.pk, uid)
                result.failed += 1
                continue
            _handled(connection, uid, intake.imap_done_folder)
            result.count(received.what)
            logger.info(
                "agency %s mailbox message %s: %s case %s",
                agency.pk,
                uid,
                received.what,
                received.case.pk,
            )
    finally:
        with contextlib.suppress(OSError, imaplib.IMAP4.error):
            connection.logout()
    EmailIntake.objects.filter(pk=intake.pk).update(last_polled_at=timezone.now())
    return result


def poll_all() -> dict[int, Poll]:
    """Poll every agency's mailbox; one that cannot be reached is logged and holds up no other."""
    from django.core.exceptions import ImproperlyConfigured

    results: dict[int, Poll] = {}
    for intake in EmailIntake.objects.exclude(imap_host="").select_related("agency"):
        if not intake.polls:
            continue
        try:
            results[intake.agency_id] = poll(intake)
        except (OSError, imaplib.IMAP4.error, ImproperlyConfigured) as error:
            logger.error("agency %s mailbox could not be polled: %s", intake.agency_id, error)
    return results
