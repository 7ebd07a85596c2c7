"""Email to staff, each message in its reader's language: the one they last signed in with (User.language).

Customers' emails follow the language of their own case or response; this is for the agency's people."""

from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db.models.functions import Lower
from django.utils import translation

from touchstone.core.models import User


def language_of(user: User) -> str:
    return user.language or settings.LANGUAGE_CODE


def languages_of(addresses: Iterable[str], agency_id: int) -> dict[str, str]:
    """Each address's language: that of the agency's member who has it, else the site's default. An address
    held by no member (a shared mailbox) reads the default."""
    wanted = {address.lower(): address for address in addresses if address}
    languages = dict.fromkeys(wanted.values(), settings.LANGUAGE_CODE)
    members = (
        User.objects.annotate(address=Lower("email"))
        .filter(address__in=list(wanted), memberships__agency_id=agency_id, is_active=True)
        .exclude(language="")
    )
    for address, language in members.values_list("address", "language"):
        languages[wanted[address]] = language
    return languages


def send_to_staff(addresses: Iterable[str], agency_id: int, write: Callable[[], tuple[str, str]]) -> int:
    """One message per address, so staff addresses are not shown to one another; `write` returns (subject,
    body) and is called once per language, inside that language. Returns how many messages went."""
    by_language: dict[str, list[str]] = {}
    for address, language in languages_of(addresses, agency_id).items():
        by_language.setdefault(language, []).append(address)
    sent = 0
    for language, group in by_language.items():
        with translation.override(language):
            subject, body = write()
        for address in group:
            send_mail(subject, body, None, [address])
            sent += 1
    return sent
