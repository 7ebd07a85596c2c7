"""The service catalog (EO 12862 §1(a), §1(f)): services, the customers they serve, and how customers reach them."""

import datetime as dt
from typing import Any

from django.db import models
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from touchstone.catalog.channels import Channel, is_digital
from touchstone.core.models import Agency, InSpanishToo, Office


class Service(InSpanishToo, models.Model):
    class Kind(models.TextChoices):
        BENEFITS = "benefits", _("Benefits")
        COMPLIANCE = "compliance", _("Compliance")
        INFORMATIONAL = "informational", _("Information")
        REGULATORY = "regulatory", _("Regulatory")
        RECREATION = "recreation", _("Recreation")
        ADMINISTRATIVE = "administrative", _("Administrative")
        DATA = "data", _("Data")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        RETIRED = "retired", _("Retired")

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="services")
    name = models.CharField(_("name"), max_length=300)
    name_es = models.CharField(_("name in Spanish"), max_length=300, blank=True)
    slug = models.SlugField(
        _("web address name"), max_length=80, blank=True, help_text=_("Made from the name when left empty.")
    )
    description = models.TextField(_("what it is, in plain language"))
    description_es = models.TextField(_("what it is, in Spanish"), blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    eligibility = models.TextField(_("who is eligible"), blank=True)
    eligibility_es = models.TextField(_("who is eligible, in Spanish"), blank=True)
    fees = models.CharField(
        _("fees"), max_length=300, blank=True, help_text=_("For example “Free” or “$35”.")
    )
    fees_es = models.CharField(_("fees, in Spanish"), max_length=300, blank=True)
    is_high_impact = models.BooleanField(_("High Impact Service (A-11 §280)"), default=False)
    owner_office = models.ForeignKey(
        Office,
        verbose_name=_("owner office"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_services",
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    estimated_annual_volume = models.PositiveBigIntegerField(
        _("estimated customers a year"), null=True, blank=True
    )
    website = models.URLField(_("web page"), blank=True, max_length=500)
    how_to_complain = models.TextField(_("how to complain"), blank=True)
    how_to_complain_es = models.TextField(_("how to complain, in Spanish"), blank=True)
    online_stages = models.JSONField(
        _("stages available online"),
        default=dict,
        blank=True,
        help_text="Canada's inventory: account registration, authentication, application, "
        "decision, issuance, issue resolution, each Y, N or NA.",
    )
    external_id = models.CharField(_("identifier in another system"), max_length=60, blank=True)
    # Lowercased name and description: a portable index for the directory's search on SQLite and PostgreSQL.
    search_text = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "slug"], name="service_slug_unique_in_agency")
        ]
        indexes = [models.Index(fields=["status", "kind"]), models.Index(fields=["agency", "external_id"])]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.slug:
            self.slug = self.unique_slug()
        self.search_text = " ".join([self.name, self.description, self.name_es, self.description_es]).lower()
        super().save(*args, **kwargs)

    def unique_slug(self) -> str:
        base = slugify(self.name)[:72] or "service"
        taken = set(
            Service.objects.filter(agency_id=self.agency_id, slug__startswith=base)
            .exclude(pk=self.pk)
            .values_list("slug", flat=True)
        )
        slug, number = base, 2
        while slug in taken:
            slug, number = f"{base}-{number}", number + 1
        return slug

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.PUBLISHED


class JourneyStage(models.Model):
    class Kind(models.TextChoices):
        START = "start", _("Start")
        PROCESS = "process", _("Process")
        END = "end", _("End")
        CUSTOM = "custom", _("Other stage")

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="journey_stages")
    name = models.CharField(_("stage"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PROCESS)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    barriers = models.TextField(_("barriers customers meet here"), blank=True, help_text=_("One per line."))

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def barrier_list(self) -> list[str]:
        return [line.strip() for line in self.barriers.splitlines() if line.strip()]


class Segment(InSpanishToo, models.Model):
    """A group of customers (EO §1(a)): who is, or should be, served."""

    class Kind(models.TextChoices):
        INDIVIDUALS = "individuals", _("Individuals")
        BUSINESSES = "businesses", _("Businesses")
        GOVERNMENTS = "governments", _("Governments")
        ORGANIZATIONS = "organizations", _("Organizations")
        INTERNAL = "internal", _("Internal")

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="segments")
    name = models.CharField(_("name"), max_length=200)
    name_es = models.CharField(_("name in Spanish"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.INDIVIDUALS)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sub_segments",
    )
    description = models.TextField(_("description"), blank=True)
    description_es = models.TextField(_("description in Spanish"), blank=True)
    estimated_population = models.PositiveBigIntegerField(_("estimated population"), null=True, blank=True)
    personas = models.TextField(
        _("personas"), blank=True, help_text=_("Short portraits of typical customers.")
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="segment_name_unique_in_agency")
        ]

    def __str__(self) -> str:
        return self.name


class ServiceSegment(models.Model):
    """Whether a segment is eligible for and uses a service, and how many of it are eligible and served."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="segment_links")
    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="service_links")
    is_eligible = models.BooleanField(_("eligible"), default=True)
    eligible_population = models.PositiveBigIntegerField(_("eligible people"), null=True, blank=True)
    customers_served = models.PositiveBigIntegerField(
        _("customers served in the last year"), null=True, blank=True
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["service", "segment"], name="one_link_per_service_segment")
        ]

    def __str__(self) -> str:
        return f"{self.service} — {self.segment}"

    @property
    def uses(self) -> bool:
        return bool(self.customers_served)

    @property
    def gap(self) -> int | None:
        """Eligible people not served: who is missing (EO §1(a) "or should be")."""
        if self.eligible_population is None or self.customers_served is None:
            return None
        return max(0, self.eligible_population - self.customers_served)

    @property
    def reach(self) -> float | None:
        if not self.eligible_population or self.customers_served is None:
            return None
        return min(1.0, self.customers_served / self.eligible_population)


class ServiceChannel(InSpanishToo, models.Model):
    """A way to get the service (EO §1(f)), with what a customer needs to know to use it."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="channels")
    channel = models.CharField(_("channel"), max_length=30, choices=Channel.choices)
    how_to_use = models.CharField(
        _("where or how"), max_length=500, blank=True, help_text=_("A web address, phone number or place.")
    )
    hours = models.CharField(_("hours"), max_length=200, blank=True)
    languages = models.CharField(_("languages"), max_length=200, blank=True, default="English")
    accessibility = models.TextField(_("accessibility notes"), blank=True)
    how_to_use_es = models.CharField(_("where or how, in Spanish"), max_length=500, blank=True)
    hours_es = models.CharField(_("hours, in Spanish"), max_length=200, blank=True)
    languages_es = models.CharField(
        _("languages, in Spanish"), max_length=200, blank=True, help_text=_("For example “inglés y español”.")
    )
    accessibility_es = models.TextField(_("accessibility notes, in Spanish"), blank=True)

    class Meta:
        ordering = ["channel"]
        constraints = [
            models.UniqueConstraint(fields=["service", "channel"], name="one_row_per_service_channel")
        ]

    def __str__(self) -> str:
        return f"{self.service} — {self.get_channel_display()}"

    @property
    def is_digital(self) -> bool:
        return is_digital(self.channel)


class Provider(InSpanishToo, models.Model):
    """A source of service (EO §1(f)): one of the agency's offices, a partner organisation or another agency."""

    class Kind(models.TextChoices):
        AGENCY_OFFICE = "agency_office", _("Our office")
        PARTNER = "partner", _("Partner organization")
        OTHER_AGENCY = "other_agency", _("Another agency")

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="providers")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.AGENCY_OFFICE)
    office = models.ForeignKey(
        Office, verbose_name=_("office"), null=True, blank=True, on_delete=models.SET_NULL
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    hours = models.CharField(_("hours"), max_length=200, blank=True)
    contact = models.CharField(_("phone, email or web"), max_length=300, blank=True)
    languages = models.CharField(_("languages"), max_length=200, blank=True, default="English")
    accessibility = models.TextField(_("accessibility notes"), blank=True)
    hours_es = models.CharField(_("hours, in Spanish"), max_length=200, blank=True)
    languages_es = models.CharField(_("languages, in Spanish"), max_length=200, blank=True)
    accessibility_es = models.TextField(_("accessibility notes, in Spanish"), blank=True)
    services = models.ManyToManyField(
        Service, related_name="providers", blank=True, verbose_name=_("services")
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="provider_name_unique_in_agency")
        ]

    def __str__(self) -> str:
        return self.name


class ChannelVolume(models.Model):
    """How many transactions a channel handled for a service in a period. No data is not zero."""

    class Period(models.TextChoices):
        MONTH = "month", _("Month")
        QUARTER = "quarter", _("Fiscal quarter")
        YEAR = "year", _("Fiscal year")

    class Availability(models.TextChoices):
        REPORTED = "reported", _("Reported")
        NO_DATA = "no_data", _("No data")
        NOT_APPLICABLE = "not_applicable", _("Not applicable")

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="volumes")
    channel = models.CharField(_("channel"), max_length=30, choices=Channel.choices)
    period = models.CharField(_("period"), max_length=10, choices=Period.choices, default=Period.MONTH)
    period_start = models.DateField(_("first day of the period"))
    volume = models.PositiveBigIntegerField(_("volume"), null=True, blank=True)
    availability = models.CharField(
        max_length=20, choices=Availability.choices, default=Availability.REPORTED
    )
    source = models.CharField(max_length=60, blank=True)

    class Meta:
        ordering = ["period_start", "channel"]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "channel", "period", "period_start"], name="one_volume_per_period"
            ),
            models.CheckConstraint(
                condition=models.Q(availability="reported", volume__isnull=False)
                | (~models.Q(availability="reported") & models.Q(volume__isnull=True)),
                name="volume_only_when_reported",
            ),
        ]
        indexes = [models.Index(fields=["service", "period", "period_start"])]

    def __str__(self) -> str:
        return f"{self.service} {self.channel} {self.period_start}: {self.volume}"

    @property
    def period_end(self) -> dt.date:
        months = {"month": 1, "quarter": 3, "year": 12}[self.period]
        year, month = divmod(self.period_start.month - 1 + months, 12)
        return dt.date(self.period_start.year + year, month + 1, 1) - dt.timedelta(days=1)
