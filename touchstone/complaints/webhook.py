"""The inbound-email webhook: an agency's mail provider posts each message it receives for the complaints address
to /inbound-email/<agency_slug>/, and it goes through `inbound.receive` like mail read from the mailbox.

Two shapes are accepted, both signed with the agency's webhook key (HMAC-SHA256, hex), which the agency's email
settings name by environment variable and never store:

- Mailgun's "forward MIME" route (a form post with `body-mime`, `timestamp`, `token`, `signature`), signed as
  Mailgun signs: HMAC(key, timestamp + token).
- A raw RFC 822 message (Content-Type: message/rfc822), e.g. from an MTA pipe or a small relay, with the headers
  `X-Touchstone-Timestamp` (Unix seconds) and `X-Touchstone-Signature` = HMAC(key, timestamp + "." + body).

A post older or newer than five minutes is refused, and so is one whose token (Mailgun) or signature (raw) was
accepted before: a captured post cannot be replayed. The token is recorded in the same transaction as the case, so
a post that failed half-way may be retried. Answers are JSON; never the message's contents.
"""

import datetime as dt
import hashlib
import hmac
import logging
import time

from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from touchstone.complaints import inbound
from touchstone.complaints.models import EmailIntake, WebhookNonce
from touchstone.settings import env_str

logger = logging.getLogger(__name__)

MAX_SKEW = dt.timedelta(minutes=5)


def sign(key: str, message: bytes) -> str:
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def _refuse(status: int, detail: str) -> JsonResponse:
    return JsonResponse({"detail": detail}, status=status)


def _signed_post(request: HttpRequest) -> tuple[str, str, bytes, str] | None:
    """(timestamp, nonce, raw message, signed text) of either accepted shape, or None when it is neither."""
    if (request.content_type or "").lower() == "message/rfc822":
        timestamp = request.headers.get("X-Touchstone-Timestamp", "")
        signature = request.headers.get("X-Touchstone-Signature", "").removeprefix("sha256=")
        body = request.body
        return timestamp, signature, body, sign_raw_text(timestamp, body)
    if "body-mime" in request.POST:
        timestamp, token = request.POST.get("timestamp", ""), request.POST.get("token", "")
        return timestamp, token, request.POST["body-mime"].encode(), timestamp + token
    return None


def sign_raw_text(timestamp: str, body: bytes) -> str:
    return timestamp + "." + body.decode("latin-1")


@csrf_exempt
@require_POST
def receive_email(request: HttpRequest, agency_slug: str) -> JsonResponse:
    intake = (
        EmailIntake.objects.select_related("agency")
        .filter(agency__slug=agency_slug)
        .exclude(webhook_secret_env="")
        .first()
    )
    if intake is None:
        return _refuse(404, "No agency receives email here.")
    try:
        key = env_str(intake.webhook_secret_env)
    except ImproperlyConfigured:
        logger.error("agency %s: its webhook signing key is not set", intake.agency_id)
        return _refuse(503, "The agency's signing key is not configured.")
    post = _signed_post(request)
    if post is None:
        return _refuse(
            400, "Post a raw message as message/rfc822, or a Mailgun forward-MIME form with body-mime."
        )
    timestamp, nonce, raw, signed_text = post
    signature = request.POST.get("signature", "") if "body-mime" in request.POST else nonce
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > MAX_SKEW.total_seconds():
        return _refuse(403, "The timestamp is missing or more than five minutes from now.")
    if not signature or not hmac.compare_digest(sign(key, signed_text.encode("latin-1")), signature):
        return _refuse(403, "The signature does not match the agency's signing key.")
    try:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    WebhookNonce.objects.create(agency=intake.agency, nonce=nonce[:128])
            except IntegrityError:
                return _refuse(409, "This post was accepted before; a replay is not received again.")
            received = inbound.receive(intake.agency, raw)
    except inbound.UnreadableEmail as error:
        return _refuse(400, str(error))
    # Past the time window a nonce guards nothing: the timestamp check refuses the post first.
    WebhookNonce.objects.filter(received_at__lt=timezone.now() - 2 * MAX_SKEW).delete()
    logger.info("webhook email for agency %s: %s case %s", intake.agency_id, received.what, received.case.pk)
    return JsonResponse({"result": received.what})
