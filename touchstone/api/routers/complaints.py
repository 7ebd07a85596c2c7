"""API of the complaints capability: partner systems file complaints (scope `submit`, with an Idempotency-Key)
and read their status (scope `read`). Every call is scoped to the token's agency; no narrative ever goes out."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError as ModelValidationError
from django.core.validators import validate_email
from django.db import IntegrityError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from touchstone.api import auth
from touchstone.api.pagination import Pagination
from touchstone.catalog.channels import Channel
from touchstone.catalog.models import Service
from touchstone.complaints import selectors, services
from touchstone.complaints.models import Case
from touchstone.core.ratelimit import over_limit

router = Router(tags=["complaints"])


class ComplaintIn(Schema):
    narrative: str = Field(
        ..., min_length=1, max_length=10_000, description="What happened, in the customer's words."
    )
    service: str = Field("", description="The service's web address name (slug), if known.")
    channel: Channel = Channel.OTHER_DIGITAL
    remedy_wanted: str = Field("", max_length=2_000)
    contact_name: str = Field("", max_length=200)
    contact_preference: Case.ContactPreference = Case.ContactPreference.EMAIL
    contact_email: str = Field("", max_length=254)
    contact_phone: str = Field("", max_length=30)
    state_code: str = Field("", max_length=2)
    postal_code: str = Field("", max_length=10)
    consent_to_publish: bool = False
    language: str = Field("en", max_length=8)


class ComplaintOut(Schema):
    """A case's status as a partner may see it: no narrative, no contact details."""

    tracking_number: str
    state: str
    channel: str
    service: str | None
    topic: str | None
    received_at: dt.datetime
    acknowledged_at: dt.datetime | None
    first_responded_at: dt.datetime | None
    closed_at: dt.datetime | None
    outcome: str
    next_breach_at: dt.datetime | None

    @staticmethod
    def resolve_service(case: Case) -> str | None:
        return case.service.slug if case.service else None

    @staticmethod
    def resolve_topic(case: Case) -> str | None:
        return str(case.topic) if case.topic else None


@router.post("/complaints", response={201: ComplaintOut, 200: ComplaintOut}, auth=auth.submit)
def file_complaint(request: HttpRequest, payload: ComplaintIn) -> tuple[int, Case]:
    """File a complaint. Send an `Idempotency-Key` header: a retry with the same key returns the same case (200).

    The answer comes once the case is stored; routing and its clocks follow within seconds, so `next_breach_at`
    is empty until then."""
    token = auth.token_of(request)
    if over_limit(request, f"complaint-api:{token.pk}", settings.COMPLAINT_API_FILINGS_PER_MINUTE):
        raise HttpError(
            429, _("Too many complaints from this token and address in the last minute; wait a minute.")
        )
    agency = token.agency
    key = request.headers.get("Idempotency-Key", "").strip()[:100]
    data = payload.dict()
    slug = data.pop("service")
    data["service"] = get_object_or_404(Service, agency=agency, slug=slug) if slug else None
    data["contact_email"] = data["contact_email"].strip()
    if data["contact_email"]:
        try:
            validate_email(data["contact_email"])
        except ModelValidationError as error:
            raise HttpError(422, "contact_email: this is not an email address.") from error
    data["state_code"] = data["state_code"].upper()
    if data["contact_preference"] == Case.ContactPreference.EMAIL and not data["contact_email"]:
        raise HttpError(422, "contact_email: give an email, or another contact_preference.")
    try:
        case = services.file_complaint(
            agency=agency, data=data, actor=None, actor_label=f"API token {token.name}", idempotency_key=key
        )
    except IntegrityError:
        # A key seen before (a retry, or the same request twice at once): answer with the case it filed. Inserting
        # first makes the usual, new key cost no lookup.
        existing = (
            Case.objects.filter(agency=agency, idempotency_key=key).select_related("service", "topic").first()
            if key
            else None
        )
        if existing is None:
            raise
        return 200, existing
    except ModelValidationError as error:
        raise HttpError(
            422, "; ".join(f"{f}: {' '.join(m)}" for f, m in error.message_dict.items())
        ) from error
    return 201, case


@router.get("/complaints", response=list[ComplaintOut], auth=auth.read)
@paginate(Pagination)
def list_complaints(request: HttpRequest) -> object:
    """The token's agency's cases, newest first."""
    return selectors.cases_of(auth.token_of(request).agency).order_by("-received_at", "-pk")


@router.get("/complaints/{tracking_number}", response=ComplaintOut, auth=auth.read)
def read_complaint(request: HttpRequest, tracking_number: str) -> Case:
    return selectors.case_by_tracking_number(auth.token_of(request).agency, tracking_number)
