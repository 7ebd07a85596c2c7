"""Keeping scripts out of the public form without turning people away.

A person at home, a kiosk in a lobby and a whole office behind one gateway all answer the same link. So no single
signal refuses an answer: each counts towards a spam score (the honeypot, answering faster than a person reads,
the same answers again and again from one place, web addresses in the text, a burst over the survey's own limit),
and an answer at SURVEY_SPAM_SCORE or more is kept but marked as spam, out of analysis and exports until someone
says otherwise in the inbox. Only the per-minute limits refuse: per address (raised for an agency's known networks),
or per kiosk device instead of per address. Nothing about the person is stored: counters are keyed by a salted hash
in the cache, and a known network is the agency's own address, not a visitor's.
"""

import hashlib
import hmac
import ipaddress
import json
import re
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from touchstone.core.ratelimit import client_address, count_this_minute, over_limit
from touchstone.core.ttl import TimedMemo
from touchstone.surveys.models import KioskDevice, KnownNetwork, Survey

HONEYPOT_FIELD = "website_url"
STAMP_FIELD = "form_stamp"
KIOSK_COOKIE = "touchstone_kiosk"
# The same answers from one place this often in a minute is ordinary (a queue of happy people); on a busier known
# network, one in REPEATS_SHARE of the answers a minute it is allowed may repeat.
REPEATS_ALLOWED = 3
REPEATS_SHARE = 20
WEB_ADDRESS = re.compile(r"https?://|www\.", re.IGNORECASE)

# How much each signal adds to the score (out of 100).
WEIGHTS = {
    "honeypot": 100,
    "too_fast": 40,
    "no_form": 30,
    "repeated": 30,
    "links": 20,
    "burst": 50,
}

# The agency's known networks and the kiosks, looked up on every submission: a change reaches every worker within
# this many seconds (at once in the worker that made it).
NETWORK_MEMO = TimedMemo(seconds=30)
KIOSK_MEMO = TimedMemo(seconds=30)


@dataclass
class Verdict:
    score: int = 0
    reasons: list[str] = field(default_factory=list)

    def add(self, reason: str) -> None:
        self.reasons.append(reason)
        self.score = min(100, self.score + WEIGHTS[reason])

    @property
    def is_spam(self) -> bool:
        return self.score >= settings.SURVEY_SPAM_SCORE

    def fields(self) -> dict[str, Any]:
        return {"is_spam": self.is_spam, "spam_score": self.score, "spam_reasons": self.reasons}


# The form's stamp: when it was shown, and a one-time key that makes a resubmission (a refresh, a double click)
# return the stored answer instead of a second one. Signed, so a script cannot backdate it.
def _signature(issued: str, key: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"{issued}.{key}".encode(), hashlib.sha256).hexdigest()[:20]


def new_stamp() -> str:
    issued, key = str(int(time.time())), secrets.token_urlsafe(12)
    return f"{issued}.{key}.{_signature(issued, key)}"


def read_stamp(value: str) -> tuple[int, str] | None:
    """(when the form was shown, its one-time key), or None for a missing or forged stamp."""
    parts = value.split(".")
    if len(parts) != 3 or not parts[0].isdigit():
        return None
    issued, key, signature = parts
    if not hmac.compare_digest(signature, _signature(issued, key)):
        return None
    return int(issued), key


def kiosk_for(request: HttpRequest, survey: Survey) -> KioskDevice | None:
    """The kiosk device this browser was set up as, if its token is current and for this survey."""
    token = request.COOKIES.get(KIOSK_COOKIE, "")
    if not token:
        return None
    digest = KioskDevice.hash_token(token)
    device: KioskDevice | None = KIOSK_MEMO.get(
        digest, lambda: KioskDevice.objects.filter(token_hash=digest, revoked_at__isnull=True).first()
    )
    return device if device is not None and device.survey_id == survey.pk else None


def _known_networks(agency_id: int) -> list[tuple[Any, int]]:
    return [
        (ipaddress.ip_network(network, strict=False), per_minute)
        for network, per_minute in KnownNetwork.objects.filter(agency_id=agency_id).values_list(
            "network", "per_minute"
        )
    ]


def address_limit(request: HttpRequest, survey: Survey) -> int:
    """Answers a minute one address may send to the survey: more for one of the agency's known networks."""
    networks: list[tuple[Any, int]] = NETWORK_MEMO.get(
        survey.agency_id, lambda: _known_networks(survey.agency_id)
    )
    if networks:
        try:
            address = ipaddress.ip_address(client_address(request))
        except ValueError:
            return int(settings.SURVEY_SUBMISSIONS_PER_MINUTE)
        raised = [per_minute for network, per_minute in networks if address in network]
        if raised:
            return max(raised)
    return int(settings.SURVEY_SUBMISSIONS_PER_MINUTE)


def rate_limited(request: HttpRequest, survey: Survey, kiosk: KioskDevice | None) -> bool:
    """Over the minute's limit: a kiosk's own, else its address's (SURVEY_SUBMISSIONS_PER_MINUTE or a known
    network's)."""
    if kiosk is not None:
        return over_limit(request, f"kiosk:{kiosk.pk}", kiosk.per_minute, who=str(kiosk.pk))
    return over_limit(request, f"survey:{survey.pk}", address_limit(request, survey))


def judge(
    request: HttpRequest,
    survey: Survey,
    answers: dict[str, Any],
    *,
    stamp: tuple[int, str] | None,
    kiosk: KioskDevice | None,
) -> Verdict:
    """The spam score of one complete submission whose answers passed the survey's checks."""
    verdict = Verdict()
    if stamp is None:
        verdict.add("no_form")
    elif time.time() - stamp[0] < settings.SURVEY_SECONDS_TO_ANSWER:
        verdict.add("too_fast")
    if any(isinstance(value, str) and WEB_ADDRESS.search(value) for value in answers.values()):
        verdict.add("links")
    who = f"kiosk{kiosk.pk}" if kiosk is not None else client_address(request)
    fingerprint = hashlib.sha256(
        f"{settings.SECRET_KEY}:{who}:{json.dumps(answers, sort_keys=True, default=str)}".encode()
    ).hexdigest()[:24]
    allowed = (
        REPEATS_ALLOWED
        if kiosk is not None
        else max(REPEATS_ALLOWED, address_limit(request, survey) // REPEATS_SHARE)
    )
    if count_this_minute(f"repeat:{survey.pk}:{fingerprint}") > allowed:
        verdict.add("repeated")
    if survey.burst_per_minute and count_this_minute(f"burst:{survey.pk}") > survey.burst_per_minute:
        verdict.add("burst")
    return verdict


def forget_known_networks() -> None:
    NETWORK_MEMO.clear()


def forget_kiosks() -> None:
    KIOSK_MEMO.clear()
