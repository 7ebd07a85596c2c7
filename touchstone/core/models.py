"""Agencies, offices, people and their roles, the audit log, API tokens (EO 12862 §4: many agencies, one install)."""

import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who signs in. Agency access comes only through memberships."""

    is_overseer = models.BooleanField(
        _("government-wide overseer"),
        default=False,
        help_text=_("Reads every agency's published figures; cannot see any agency's private records."),
    )
    # Staff emails (alert digests, clock warnings, standards at risk) are written in this language: the one the
    # person last signed in with. Blank until the first sign-in, which reads as the site's default, English.
    language = models.CharField(_("language of emails"), max_length=8, blank=True, default="")

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class InSpanishToo:
    """Text an agency also writes in Spanish (`<field>_es`): Spanish pages show it when given, else the English."""

    def in_active_language(self, field: str) -> str:
        if translation.get_language() == "es":
            spanish = getattr(self, f"{field}_es", "")
            if spanish:
                return str(spanish)
        return str(getattr(self, field))

    @property
    def display_name(self) -> str:
        return self.in_active_language("name")

    @property
    def display_label(self) -> str:
        """How a list or a select names the record (core.forms.UswdsFormMixin), in the page's language: by its
        name; a record known otherwise (a topic under its parent, a standard by its statement) says how."""
        return self.display_name if hasattr(self, "name_es") else str(self)

    @property
    def display_description(self) -> str:
        return self.in_active_language("description")

    @property
    def display_eligibility(self) -> str:
        return self.in_active_language("eligibility")

    @property
    def display_mission(self) -> str:
        return self.in_active_language("mission")

    @property
    def display_statement(self) -> str:
        return self.in_active_language("statement")


class Agency(InSpanishToo, models.Model):
    name = models.CharField(_("name"), max_length=200)
    abbreviation = models.CharField(_("abbreviation"), max_length=40, unique=True)
    slug = models.SlugField(_("web address name"), max_length=60, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sub_agencies",
    )
    is_independent = models.BooleanField(_("independent agency"), default=False)
    name_es = models.CharField(_("name in Spanish"), max_length=200, blank=True)
    mission = models.TextField(_("mission"), blank=True)
    mission_es = models.TextField(_("mission in Spanish"), blank=True)
    website = models.URLField(_("website"), blank=True)
    external_code = models.CharField(
        _("code in an outside inventory"),
        max_length=60,
        blank=True,
        help_text=_("For example owner_org in Canada's data."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.slug:
            self.slug = slugify(self.abbreviation)[:60]
        super().save(*args, **kwargs)


class Office(models.Model):
    class Kind(models.TextChoices):
        HEADQUARTERS = "headquarters", _("Headquarters")
        COMPONENT = "component", _("Component")
        FIELD_OFFICE = "field_office", _("Field office")
        CONTACT_CENTRE = "contact_centre", _("Contact center")

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="offices")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.FIELD_OFFICE)
    street_address = models.CharField(_("street address"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    state = models.CharField(_("state"), max_length=2, blank=True)
    postal_code = models.CharField(_("ZIP code"), max_length=10, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    hours = models.CharField(_("opening hours"), max_length=200, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=60, default="America/New_York")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="office_name_unique_in_agency")
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    ADMIN = "admin", _("Agency admin")
    ANALYST = "analyst", _("CX analyst")
    HANDLER = "handler", _("Case handler")
    FRONTLINE = "frontline", _("Front-line employee")
    VIEWER = "viewer", _("Viewer")


# What each role may do inside its agency; reading the workspace is open to every member.
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset(
        {
            "manage_agency",
            "manage_people",
            "manage_tokens",
            "view_audit",
            "edit_catalog",
            "edit_surveys",
            "edit_standards",
            "handle_complaints",
            "import_data",
        }
    ),
    Role.ANALYST: frozenset({"edit_catalog", "edit_surveys", "edit_standards", "import_data"}),
    Role.HANDLER: frozenset({"handle_complaints"}),
    Role.FRONTLINE: frozenset({"post_ideas"}),
    Role.VIEWER: frozenset(),
}


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    office = models.ForeignKey(Office, null=True, blank=True, on_delete=models.SET_NULL, related_name="staff")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["agency__name"]
        constraints = [models.UniqueConstraint(fields=["user", "agency"], name="one_membership_per_agency")]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} at {self.agency.abbreviation}"

    def can(self, permission: str) -> bool:
        return permission in ROLE_PERMISSIONS.get(self.role, frozenset())


class SecondFactor(models.Model):
    """A person's authenticator app (a time-based code, RFC 6238), asked for at every sign-in once confirmed.

    Each code is accepted once (`last_step`); the recovery codes are kept only as hashes and each works once."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="second_factor"
    )
    secret = models.CharField(max_length=64)
    confirmed_at = models.DateTimeField()
    last_step = models.BigIntegerField(default=0)
    recovery_code_hashes = models.JSONField(default=list)

    def __str__(self) -> str:
        return f"Authenticator app of {self.user}"


class AuditEntry(models.Model):
    """Who did what to which object, and when. Holds field names and plain values, never free text from the public."""

    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.CASCADE, related_name="audit_entries"
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    actor_label = models.CharField(
        max_length=150, help_text="Kept when the person is removed, or the API token's name."
    )
    action = models.CharField(max_length=60)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=60, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["agency", "-at"])]

    def __str__(self) -> str:
        return f"{self.actor_label} {self.action} {self.object_type} {self.object_repr}"


class ApiToken(models.Model):
    class Scope(models.TextChoices):
        READ = "read", _("Read")
        SUBMIT = "submit", _("Submit responses and complaints")
        WRITE = "write", _("Create and update records")

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(
        _("name"), max_length=100, help_text=_("What uses this token, e.g. 'Mobile app'.")
    )
    prefix = models.CharField(max_length=12, unique=True)
    hashed_secret = models.CharField(max_length=64)
    scopes = models.JSONField(default=list)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_secret(secret: str) -> str:
        # Tokens are long random strings, so a fast hash is safe here (no dictionary to attack).
        return hashlib.sha256(secret.encode()).hexdigest()

    @staticmethod
    def new_secret() -> tuple[str, str]:
        """A fresh (prefix, full token). The full token is shown once and never stored."""
        prefix = secrets.token_hex(4)
        return prefix, f"ts_{prefix}_{secrets.token_urlsafe(32)}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def allows(self, scope: str) -> bool:
        return self.is_active and scope in self.scopes


class ImportRun(models.Model):
    """One file brought in through `manage.py import`, the upload page or the API."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Loading")
        SUCCEEDED = "succeeded", _("Loaded")
        VALIDATED = "validated", _("Checked, nothing written")
        FAILED = "failed", _("Not loaded")

    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.CASCADE, related_name="import_runs"
    )
    kind = models.CharField(max_length=40)
    file_path = models.CharField(max_length=500)
    original_name = models.CharField(max_length=255)
    dry_run = models.BooleanField(default=False)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField(null=True, blank=True)
    rows_done = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.original_name}"

    @property
    def percent_done(self) -> int:
        if self.status in {self.Status.SUCCEEDED, self.Status.VALIDATED}:
            return 100
        if not self.rows_total:
            return 0
        return min(100, round(100 * self.rows_done / self.rows_total))

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.SUCCEEDED, self.Status.VALIDATED, self.Status.FAILED}
