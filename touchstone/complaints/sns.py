"""Amazon SNS message signatures, checked before an SES inbound post is read.

SES hands received mail to Touchstone through an SNS topic. The agency's webhook user:password (HTTP basic auth)
already guards the address; the signature is a second lock: a post must also be signed by Amazon's key for SNS,
so a leaked password alone cannot file complaints. As Amazon describes it
(https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html):

- the certificate comes only from an https address on an SNS host of Amazon's (sns.<region>.amazonaws.com), and
  is kept per process once fetched;
- the signed text is the message's own fields, each name then value on its own line, in a fixed order per type;
- SignatureVersion 1 signs with SHA1, 2 with SHA256 (RSA, PKCS #1 v1.5).
"""

import base64
import functools
import re
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

# Amazon's SNS hosts, in every partition (aws, aws-cn, aws-us-gov).
CERTIFICATE_HOST = re.compile(r"^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$")
_SUBSCRIPTION_FIELDS = ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type")
SIGNED_FIELDS = {
    "Notification": ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"),
    "SubscriptionConfirmation": _SUBSCRIPTION_FIELDS,
    "UnsubscribeConfirmation": _SUBSCRIPTION_FIELDS,
}
HASHES = {"1": hashes.SHA1, "2": hashes.SHA256}
MOST_CERTIFICATE_BYTES = 64 * 1024


class SignatureRefused(Exception):
    """Why the message's signature is not Amazon's, in words for the log and the sender."""


def signed_text(message: dict[str, Any]) -> bytes:
    """The text SNS signed: each signed field present, its name and value on lines of their own."""
    fields = SIGNED_FIELDS.get(str(message.get("Type", "")))
    if fields is None:
        raise SignatureRefused(f"SNS message type {message.get('Type')!r} is not one SNS signs.")
    lines = []
    for name in fields:
        if name in message and message[name] is not None:  # Subject is optional on a notification
            lines += [name, str(message[name])]
    return ("\n".join(lines) + "\n").encode()


def certificate_url(message: dict[str, Any]) -> str:
    url = str(message.get("SigningCertURL", ""))
    parts = urlsplit(url)
    if (
        parts.scheme != "https"
        or not CERTIFICATE_HOST.match(parts.hostname or "")
        or not parts.path.endswith(".pem")
    ):
        raise SignatureRefused("The signing certificate is not on an SNS host of Amazon's.")
    return url


@functools.lru_cache(maxsize=16)
def fetch_certificate(url: str) -> bytes:
    """The certificate's PEM, fetched once per process (SNS signs with few certificates, each for months)."""
    with urllib.request.urlopen(url, timeout=5) as answer:  # noqa: S310 - https on an SNS host, checked above
        return bytes(answer.read(MOST_CERTIFICATE_BYTES))


def verify(message: dict[str, Any]) -> None:
    """Raises SignatureRefused unless Amazon's SNS key signed this message."""
    algorithm = HASHES.get(str(message.get("SignatureVersion", "")))
    if algorithm is None:
        raise SignatureRefused("The SNS signature version is not 1 or 2.")
    try:
        signature = base64.b64decode(str(message.get("Signature", "")), validate=True)
    except ValueError:
        raise SignatureRefused("The SNS signature is not base64.") from None
    url = certificate_url(message)
    try:
        key = x509.load_pem_x509_certificate(fetch_certificate(url)).public_key()
    except (OSError, ValueError) as error:
        raise SignatureRefused(
            f"The signing certificate could not be read ({type(error).__name__})."
        ) from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise SignatureRefused("The signing certificate does not hold an RSA key.")
    try:
        key.verify(signature, signed_text(message), padding.PKCS1v15(), algorithm())
    except InvalidSignature:
        raise SignatureRefused("The SNS signature does not match the message.") from None
