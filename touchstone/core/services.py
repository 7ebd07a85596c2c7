"""Every write to agencies, offices, people, tokens and imports: atomic, audited, tasks after commit."""

import secrets
import uuid
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from touchstone.core import audit, objectstore
from touchstone.core.models import Agency, ApiToken, ImportRun, Membership, Office, User
from touchstone.core.selectors import PUBLIC_AGENCY_MEMO, TOKEN_MEMO

AGENCY_FIELDS = ["name", "abbreviation", "parent", "is_independent", "mission", "website"]
OFFICE_FIELDS = [
    "name",
    "kind",
    "street_address",
    "city",
    "state",
    "postal_code",
    "phone",
    "hours",
    "time_zone",
]


@transaction.atomic
def update_agency(*, actor: User, agency: Agency, data: dict[str, Any]) -> Agency:
    audit.save_with_audit(agency, data, actor=actor, agency=agency)
    PUBLIC_AGENCY_MEMO.clear()  # its old web address name may be a key
    return agency


@transaction.atomic
def create_office(
    *, actor: User | None, agency: Agency, data: dict[str, Any], actor_label: str = ""
) -> Office:
    office = Office(agency=agency)
    audit.save_with_audit(office, data, actor=actor, agency=agency, actor_label=actor_label)
    return office


@transaction.atomic
def update_office(
    *, actor: User | None, office: Office, data: dict[str, Any], actor_label: str = ""
) -> Office:
    audit.save_with_audit(office, data, actor=actor, agency=office.agency, actor_label=actor_label)
    return office


@transaction.atomic
def add_member(
    *, actor: User | None, agency: Agency, user: User, role: str, office: Office | None = None
) -> Membership:
    membership, created = Membership.objects.update_or_create(
        user=user, agency=agency, defaults={"role": role, "office": office}
    )
    audit.record(
        actor=actor,
        action="added person" if created else "changed role",
        target=membership,
        agency=agency,
        changes={"role": [None, role]},
    )
    return membership


@transaction.atomic
def invite_person(
    *,
    actor: User,
    agency: Agency,
    email: str,
    first_name: str,
    last_name: str,
    role: str,
    office: Office | None = None,
) -> Membership:
    """Add a person by email; a new account gets no usable password until they reset it by email."""
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User(username=email.lower(), email=email.lower(), first_name=first_name, last_name=last_name)
        user.set_unusable_password()
        user.save()
    return add_member(actor=actor, agency=agency, user=user, role=role, office=office)


@transaction.atomic
def remove_member(*, actor: User, membership: Membership) -> None:
    audit.record(actor=actor, action="removed person", target=membership, agency=membership.agency)
    membership.delete()


@transaction.atomic
def create_api_token(*, actor: User, agency: Agency, name: str, scopes: list[str]) -> tuple[ApiToken, str]:
    """A new token and its secret; the secret is returned this once and only its hash is kept."""
    prefix, secret = ApiToken.new_secret()
    token = ApiToken.objects.create(
        agency=agency,
        name=name,
        prefix=prefix,
        hashed_secret=ApiToken.hash_secret(secret),
        scopes=sorted(set(scopes)),
        created_by=actor,
    )
    audit.record(
        actor=actor,
        action="created API token",
        target=token,
        agency=agency,
        changes={"scopes": [None, token.scopes]},
    )
    return token, secret


@transaction.atomic
def revoke_api_token(*, actor: User, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        TOKEN_MEMO.clear()  # the token's secret is not kept, so its memo entry cannot be found by key
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(actor=actor, action="revoked API token", target=token, agency=token.agency)
    return token


def note_token_used(token: ApiToken) -> None:
    # At most one write a minute per token, so a busy client does not turn every read into a write.
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now  # the memoised token remembers, so the next minute's calls skip the write


def store_upload(upload: IO[bytes], original_name: str) -> Path:
    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    safe_name = "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in Path(original_name).name)[-100:]
    path = folder / f"{uuid.uuid4().hex}_{safe_name}"
    with path.open("wb") as destination:
        for chunk in iter(lambda: upload.read(1024 * 1024), b""):
            destination.write(chunk)
    if objectstore.enabled():  # the worker that loads it may run on another machine (`fetch_upload`)
        objectstore.upload(path, objectstore.location().key("imports", path.name))
    return path


def fetch_upload(path: Path) -> Path:
    """The uploaded file at its path, fetched from the object store when another machine received it."""
    if objectstore.enabled() and not path.exists():
        objectstore.download(objectstore.location().key("imports", path.name), path)
    return path


def discard_upload(path: Path) -> None:
    """Delete an uploaded file once its run has ended (nothing reads it again): from this server's folder, and from
    the object store when it was put there. A refused file leaves nothing behind."""
    path.unlink(missing_ok=True)
    if objectstore.enabled():
        objectstore.delete(objectstore.location().key("imports", path.name))


@transaction.atomic
def start_import(
    *,
    actor: User | None,
    agency: Agency | None,
    kind: str,
    upload: IO[bytes],
    original_name: str,
    dry_run: bool = False,
    actor_label: str = "",
) -> ImportRun:
    """Keep the uploaded file and queue its import; the page or API client follows the run's progress.

    An installation-wide kind (one that creates or renames agencies) is refused unless the actor is installation
    staff; an API token (no actor) never is.
    """
    from touchstone.core.importing import IMPORTERS, importers_offered_to
    from touchstone.core.tasks import run_import_task

    if kind in IMPORTERS and kind not in importers_offered_to(actor):
        raise PermissionDenied(
            _("Only installation staff can run the %(kind)s import: it writes records of every agency.")
            % {"kind": kind}
        )

    path = store_upload(upload, original_name)
    run = ImportRun.objects.create(
        agency=agency,
        kind=kind,
        file_path=str(path),
        original_name=original_name[:255],
        dry_run=dry_run,
        created_by=actor,
    )
    audit.record(
        actor=actor,
        actor_label=actor_label,
        action="started import",
        target=run,
        agency=agency,
        changes={"kind": [None, kind], "dry_run": [None, dry_run]},
    )
    transaction.on_commit(lambda: run_import_task.enqueue(run.pk))
    return run


# --- the second factor ------------------------------------------------------------------------------------------


@transaction.atomic
def enrol_second_factor(*, user: User, secret: str, code: str) -> list[str] | None:
    """Confirm an authenticator app by a code it shows; the recovery codes to show once, or None if the code is
    not right."""
    from touchstone.core import second_factor
    from touchstone.core.models import SecondFactor

    step = second_factor.matching_step(secret, code)
    if step is None:
        return None
    codes = [
        "-".join([secrets.token_hex(3), secrets.token_hex(3)]) for _ in range(second_factor.RECOVERY_CODES)
    ]
    SecondFactor.objects.update_or_create(
        user=user,
        defaults={
            "secret": secret,
            "confirmed_at": timezone.now(),
            "last_step": step,
            "recovery_code_hashes": [second_factor.recovery_hash(c) for c in codes],
        },
    )
    audit.record(actor=user, action="turned on a second factor", target=user, agency=None)
    return codes


@transaction.atomic
def use_second_factor(*, user: User, code: str) -> bool:
    """Whether this code (from the app, or a recovery code) is right; each is accepted once."""
    from touchstone.core import second_factor
    from touchstone.core.models import SecondFactor

    factor = SecondFactor.objects.select_for_update().filter(user=user).first()
    if factor is None:
        return False
    step = second_factor.matching_step(factor.secret, code, after=factor.last_step)
    if step is not None:
        factor.last_step = step
        factor.save(update_fields=["last_step"])
        return True
    hashed = second_factor.recovery_hash(code)
    if hashed in factor.recovery_code_hashes:
        factor.recovery_code_hashes = [h for h in factor.recovery_code_hashes if h != hashed]
        factor.save(update_fields=["recovery_code_hashes"])
        audit.record(
            actor=user,
            action="used a recovery code",
            target=user,
            agency=None,
            changes={"recovery codes left": [None, len(factor.recovery_code_hashes)]},
        )
        return True
    return False


@transaction.atomic
def remove_second_factor(*, user: User) -> None:
    from touchstone.core.models import SecondFactor

    SecondFactor.objects.filter(user=user).delete()
    audit.record(actor=user, action="turned off the second factor", target=user, agency=None)


def remember_language(user: User, language: str | None) -> None:
    """At each sign-in: the language of the pages the person signed in on becomes that of the emails Touchstone
    sends them. One UPDATE, and only when it changed."""
    known = {code for code, _name in settings.LANGUAGES}
    language = (language or "").split("-")[0]
    if language in known and user.language != language:
        User.objects.filter(pk=user.pk).update(language=language)
        user.language = language
