"""The inbound-email webhook: an agency's mail provider posts each message it receives for the complaints address
to /inbound-email/<agency_slug>/, and it goes through `inbound.receive` like mail read from the mailbox.

Two shapes are accepted, both signed with the agency's webhook key (HMAC-SHA256, hex), which the agency's email
settings name by environment variable and never store:

- Mailgun's "forward MIME" route (a form post with `body-mime`, `timestamp`, `token`, `signature`), signed as
  Mailgun signs: HMAC(key, timestamp + token).
- A raw RFC 822 message (Content-Type: message/rfc822), e.g. from an MTA pipe or a small relay, with the headers
  `X-Touchstone-Timestamp` (Unix seconds) and `X-Touchstone-Signature` = HMAC(key, timestamp + "." + body).

Other providers post to /inbound-email/<agency_slug>/<provider>/ (sendgrid, postmark, amazon-ses, mailjet,
mandrill) in their own formats, which django-anymail's inbound views authenticate and parse: HTTP basic auth with the
user:password pair the agency's settings name by environment variable (Mandrill also signs, with the webhook key).
The message anymail reads goes through the same `inbound.receive`.

A post older or newer than five minutes is refused, and so is one whose token (Mailgun) or signature (raw) was
accepted before: a captured post cannot be replayed. The token is recorded in the same transaction as the case, so
a post that failed half-way may be retried. Answers are JSON; never the message's contents.
"""

import datetime as dt
import hashlib
import hmac
import json
import logging
import time
import warnings

from anymail.exceptions import AnymailError, AnymailNotSupportedWarning, AnymailWebhookValidationFailure
from anymail.signals import EventType
from anymail.webhooks.amazon_ses import AmazonSESInboundWebhookView
from anymail.webhooks.base import AnymailCoreWebhookView
from anymail.webhooks.mailjet import MailjetInboundWebhookView
from anymail.webhooks.mandrill import MandrillCombinedWebhookView
from anymail.webhooks.postmark import PostmarkInboundWebhookView
from anymail.webhooks.sendgrid import SendGridInboundWebhookView
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from touchstone.complaints import inbound, sns
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
    return _receive_once(intake, nonce, raw)


def _receive_once(
    intake: EmailIntake, nonce: str, raw: bytes, keep: dt.timedelta | None = None
) -> JsonResponse:
    """Record the post's nonce and receive its message in one transaction: a nonce seen before is a replay (409).
    `keep` holds a nonce longer than the signed-time window, for posts that carry no signed time."""
    now = timezone.now()
    try:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    WebhookNonce.objects.create(
                        agency=intake.agency, nonce=nonce[:128], keep_until=now + keep if keep else None
                    )
            except IntegrityError:
                return _refuse(409, "This post was accepted before; a replay is not received again.")
            received = inbound.receive(intake.agency, raw)
    except inbound.UnreadableEmail as error:
        return _refuse(400, str(error))
    # Past the time window a nonce guards nothing: the timestamp check refuses the post first.
    WebhookNonce.objects.filter(
        Q(keep_until__isnull=True, received_at__lt=now - 2 * MAX_SKEW) | Q(keep_until__lt=now)
    ).delete()
    logger.info("webhook email for agency %s: %s case %s", intake.agency_id, received.what, received.case.pk)
    return JsonResponse({"result": received.what})


# --- providers whose inbound posts django-anymail parses ----------------------------------------------------------

# A post from these carries no signed time, so its nonce (the provider's event id, else a digest of the message)
# is kept this long: longer than any provider retries a post.
PROVIDER_NONCE_DAYS = dt.timedelta(days=7)

PROVIDERS: dict[str, type[AnymailCoreWebhookView]] = {
    "sendgrid": SendGridInboundWebhookView,
    "postmark": PostmarkInboundWebhookView,
    "amazon-ses": AmazonSESInboundWebhookView,
    "mailjet": MailjetInboundWebhookView,
    "mandrill": MandrillCombinedWebhookView,
}


def _provider_view(provider: str, intake: EmailIntake) -> AnymailCoreWebhookView:
    """Anymail's own view for the provider, set up with this agency's secrets rather than the site's settings."""
    pair = env_str(intake.webhook_basic_auth_env)
    if ":" not in pair or len(pair) < 3:
        raise ImproperlyConfigured(f"{intake.webhook_basic_auth_env} must hold user:password.")
    options: dict[str, object] = {"webhook_secret": [pair]}
    if provider == "mandrill":
        options["webhook_key"] = env_str(intake.webhook_secret_env)
    with warnings.catch_warnings():
        # Anymail warns that it no longer tests SendGrid itself; its inbound parsing is unchanged.
        warnings.simplefilter("ignore", AnymailNotSupportedWarning)
        return PROVIDERS[provider](**options)


def _digest(esp_event: object, request: HttpRequest) -> str:
    """What identifies a post whose provider gives no event id: the event itself (one of a batch), else the body."""
    if isinstance(esp_event, dict):
        return hashlib.sha256(json.dumps(esp_event, sort_keys=True).encode()).hexdigest()
    return hashlib.sha256(request.body).hexdigest()


@csrf_exempt
@require_http_methods(["POST", "HEAD"])
def receive_provider_email(request: HttpRequest, agency_slug: str, provider: str) -> HttpResponse:
    """/inbound-email/<agency>/<provider>/: the provider's inbound post, authenticated as anymail checks it (HTTP
    basic auth with the agency's user:password; Mandrill also its signature), parsed by anymail into a message,
    then received like any other email: threaded by its reply token, attachments screened, a replay refused."""
    # Read the body before anything reads the form: anymail may need it again (SendGrid's charsets).
    _body = request.body
    if provider not in PROVIDERS:
        return _refuse(404, "No such mail provider.")
    if request.method == "HEAD":  # Mandrill checks the address with a HEAD before it posts
        return HttpResponse()
    intake = (
        EmailIntake.objects.select_related("agency")
        .filter(agency__slug=agency_slug)
        .exclude(webhook_basic_auth_env="")
        .first()
    )
    if intake is None or (provider == "mandrill" and not intake.webhook_secret_env):
        return _refuse(404, "No agency receives email here.")
    try:
        view = _provider_view(provider, intake)
    except ImproperlyConfigured:
        logger.error("agency %s: its %s webhook secret is not set", intake.agency_id, provider)
        return _refuse(503, "The agency's webhook secret is not configured.")
    view.setup(request, agency_slug=agency_slug, provider=provider)
    if not request.headers.get("Authorization"):
        # Amazon SNS sends its credentials only after a 401 that names the realm.
        response = _refuse(401, "This address needs the agency's webhook user name and password.")
        response["WWW-Authenticate"] = 'Basic realm="Touchstone complaints"'
        return response
    try:
        view.run_validators(request)
    except AnymailWebhookValidationFailure:
        return _refuse(403, "The credentials or signature do not match the agency's webhook secret.")
    if provider == "amazon-ses":
        # anymail checks only the password; the signature proves Amazon's SNS sent the post (complaints/sns.py).
        try:
            sns.verify(json.loads(request.body))
        except (ValueError, TypeError, AttributeError):
            return _refuse(400, "This is not an Amazon SNS message that can be read.")
        except sns.SignatureRefused as refused:
            logger.warning("agency %s: an SNS post was refused: %s", intake.agency_id, refused)
            return _refuse(403, str(refused))
    try:
        events = view.parse_events(request)
    except (AnymailError, KeyError, TypeError, ValueError):
        return _refuse(400, f"This is not a {view.esp_name} inbound post that can be read.")
    answers: list[JsonResponse] = []
    for event in events:
        if event.event_type != EventType.INBOUND:
            continue  # Mandrill posts delivery events to the same address; they file nothing.
        raw = event.message.as_bytes()
        nonce = f"{provider}:{event.event_id or _digest(event.esp_event, request)}"
        answers.append(_receive_once(intake, nonce, raw, keep=PROVIDER_NONCE_DAYS))
    if len(answers) == 1:
        return answers[0]
    # A batch (Mandrill): what became of each message, by status.
    return JsonResponse({"results": [json.loads(answer.content) for answer in answers]})
