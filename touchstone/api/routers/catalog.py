"""The catalog API: services, segments, channels, providers, and channel volumes in."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError as ModelValidationError
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate
from pydantic import Field

from touchstone.api import auth
from touchstone.api.pagination import Pagination
from touchstone.api.schemas import PatchSchema
from touchstone.catalog import selectors, services
from touchstone.catalog.channels import Channel
from touchstone.catalog.models import ChannelVolume, Provider, Segment, Service, ServiceChannel
from touchstone.core.models import Office

router = Router(tags=["Service catalog"])


class ServiceOut(Schema):
    id: int
    name: str
    name_es: str
    slug: str
    description: str
    description_es: str
    kind: str
    eligibility: str
    eligibility_es: str
    fees: str
    fees_es: str
    how_to_complain: str
    how_to_complain_es: str
    is_high_impact: bool
    status: str
    estimated_annual_volume: int | None
    website: str
    owner_office_id: int | None
    channels: list[str]

    @staticmethod
    def resolve_channels(obj: Service) -> list[str]:
        return [row.channel for row in obj.channels.all()]


class ServiceIn(Schema):
    name: str = Field(..., min_length=1, max_length=300)
    name_es: str = Field(
        "", max_length=300, description="The name in Spanish; Spanish pages show it when given"
    )
    description: str = Field(..., min_length=1)
    description_es: str = ""
    kind: Service.Kind = Service.Kind.OTHER
    eligibility: str = ""
    eligibility_es: str = ""
    fees: str = ""
    fees_es: str = Field("", max_length=300)
    how_to_complain: str = ""
    how_to_complain_es: str = ""
    is_high_impact: bool = False
    estimated_annual_volume: int | None = Field(None, ge=0, le=2**63 - 1)
    website: str = ""
    owner_office_id: int | None = None


class ServicePatch(PatchSchema):
    NULLABLE = frozenset({"estimated_annual_volume", "owner_office_id"})

    name: str | None = Field(None, min_length=1, max_length=300)
    name_es: str | None = Field(None, max_length=300)
    description: str | None = None
    description_es: str | None = None
    kind: Service.Kind | None = None
    eligibility: str | None = None
    eligibility_es: str | None = None
    fees: str | None = None
    fees_es: str | None = Field(None, max_length=300)
    how_to_complain: str | None = None
    how_to_complain_es: str | None = None
    is_high_impact: bool | None = None
    status: Service.Status | None = None
    estimated_annual_volume: int | None = Field(None, ge=0, le=2**63 - 1)
    website: str | None = None
    owner_office_id: int | None = None


class SegmentOut(Schema):
    id: int
    name: str
    name_es: str
    kind: str
    parent_id: int | None
    description: str
    description_es: str
    estimated_population: int | None


class SegmentIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    name_es: str = Field("", max_length=200)
    kind: Segment.Kind = Segment.Kind.INDIVIDUALS
    parent_id: int | None = None
    description: str = ""
    description_es: str = ""
    estimated_population: int | None = Field(None, ge=0)


class ChannelOut(Schema):
    id: int
    channel: str
    how_to_use: str
    hours: str
    languages: str
    accessibility: str
    how_to_use_es: str
    hours_es: str
    languages_es: str
    accessibility_es: str


class ChannelIn(Schema):
    channel: Channel
    how_to_use: str = ""
    hours: str = ""
    languages: str = "English"
    accessibility: str = ""
    how_to_use_es: str = Field("", max_length=500)
    hours_es: str = Field("", max_length=200)
    languages_es: str = Field("", max_length=200)
    accessibility_es: str = ""


class ProviderOut(Schema):
    id: int
    name: str
    kind: str
    office_id: int | None
    address: str
    hours: str
    contact: str
    languages: str
    accessibility: str
    hours_es: str
    languages_es: str
    accessibility_es: str
    service_ids: list[int]

    @staticmethod
    def resolve_service_ids(obj: Provider) -> list[int]:
        return [service.pk for service in obj.services.all()]


class ProviderIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    kind: Provider.Kind = Provider.Kind.AGENCY_OFFICE
    office_id: int | None = None
    address: str = ""
    hours: str = ""
    contact: str = ""
    languages: str = "English"
    accessibility: str = ""
    hours_es: str = Field("", max_length=200)
    languages_es: str = Field("", max_length=200)
    accessibility_es: str = ""
    service_ids: list[int] = []


class VolumeIn(Schema):
    channel: Channel
    period: ChannelVolume.Period = ChannelVolume.Period.MONTH
    period_start: dt.date
    volume: int | None = Field(None, ge=0)
    availability: ChannelVolume.Availability = ChannelVolume.Availability.REPORTED


class VolumesIn(Schema):
    volumes: list[VolumeIn] = Field(..., min_length=1, max_length=5000)


class VolumesOut(Schema):
    written: int


def _invalid(error: ModelValidationError) -> HttpError:
    if hasattr(error, "error_dict"):
        return HttpError(
            422, "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in error.message_dict.items())
        )
    return HttpError(422, " ".join(error.messages))


def _office(request: HttpRequest, office_id: int | None) -> Office | None:
    if office_id is None:
        return None
    office = Office.objects.filter(agency=auth.token_of(request).agency, pk=office_id).first()
    if office is None:
        raise HttpError(422, f"owner_office_id: no office {office_id} in your agency.")
    return office


def _actor(request: HttpRequest) -> dict[str, Any]:
    return {"actor": None, "actor_label": f"API token {auth.token_of(request).name}"}


@router.get("/catalog/services", response=list[ServiceOut], auth=auth.read)
@paginate(Pagination)
def list_services(request: HttpRequest, status: Service.Status | None = None) -> Any:
    """The token's agency's services; filter by status."""
    found = selectors.services_of(auth.token_of(request).agency).prefetch_related("channels")
    return found.filter(status=status) if status else found


@router.get("/catalog/services/{service_id}", response=ServiceOut, auth=auth.read)
def read_service(request: HttpRequest, service_id: int) -> Service:
    return selectors.service_of(auth.token_of(request).agency, service_id)


@router.post("/catalog/services", response={201: ServiceOut}, auth=auth.write)
def create_service(request: HttpRequest, payload: ServiceIn) -> tuple[int, Service]:
    data = payload.dict(exclude={"owner_office_id"})
    data["owner_office"] = _office(request, payload.owner_office_id)
    try:
        return 201, services.save_service(agency=auth.token_of(request).agency, data=data, **_actor(request))
    except ModelValidationError as error:
        raise _invalid(error) from error


@router.patch("/catalog/services/{service_id}", response=ServiceOut, auth=auth.write)
def update_service(request: HttpRequest, service_id: int, payload: ServicePatch) -> Service:
    agency = auth.token_of(request).agency
    service = selectors.service_of(agency, service_id)
    data = payload.dict(exclude_unset=True)
    status = data.pop("status", None)
    if "owner_office_id" in data:
        data["owner_office"] = _office(request, data.pop("owner_office_id"))
    try:
        if data:
            services.save_service(agency=agency, data=data, service=service, **_actor(request))
        if status:
            services.change_service_status(service=service, status=status, **_actor(request))
    except ModelValidationError as error:
        raise _invalid(error) from error
    return service


@router.get("/catalog/services/{service_id}/channels", response=list[ChannelOut], auth=auth.read)
def list_channels(request: HttpRequest, service_id: int) -> Any:
    return selectors.service_of(auth.token_of(request).agency, service_id).channels.all()


@router.post("/catalog/services/{service_id}/channels", response={201: ChannelOut}, auth=auth.write)
def add_channel(request: HttpRequest, service_id: int, payload: ChannelIn) -> tuple[int, ServiceChannel]:
    service = selectors.service_of(auth.token_of(request).agency, service_id)
    if service.channels.filter(channel=payload.channel).exists():
        raise HttpError(409, f"channel: {payload.channel} is already listed for this service.")
    try:
        return 201, services.save_service_channel(service=service, data=payload.dict(), **_actor(request))
    except ModelValidationError as error:
        raise _invalid(error) from error


@router.post("/catalog/services/{service_id}/volumes", response=VolumesOut, auth=auth.write)
def post_volumes(request: HttpRequest, service_id: int, payload: VolumesIn) -> dict[str, int]:
    """Channel volumes per period; a repeat for the same channel and period replaces the figure."""
    service = selectors.service_of(auth.token_of(request).agency, service_id)
    rows = [row.dict() for row in payload.volumes]
    for number, row in enumerate(rows):
        if row["availability"] == ChannelVolume.Availability.REPORTED and row["volume"] is None:
            raise HttpError(422, f"volumes.{number}.volume: give a number, or set availability to no_data.")
    try:
        return {
            "written": services.record_channel_volumes(
                service=service, rows=rows, source="api", **_actor(request)
            )
        }
    except ModelValidationError as error:
        raise _invalid(error) from error


@router.get("/catalog/segments", response=list[SegmentOut], auth=auth.read)
@paginate(Pagination)
def list_segments(request: HttpRequest) -> Any:
    return selectors.segments_of(auth.token_of(request).agency)


@router.post("/catalog/segments", response={201: SegmentOut}, auth=auth.write)
def create_segment(request: HttpRequest, payload: SegmentIn) -> tuple[int, Segment]:
    agency = auth.token_of(request).agency
    data = payload.dict(exclude={"parent_id"})
    data["parent"] = selectors.segment_of(agency, payload.parent_id) if payload.parent_id else None
    try:
        return 201, services.save_segment(agency=agency, data=data, **_actor(request))
    except ModelValidationError as error:
        raise _invalid(error) from error


@router.patch("/catalog/segments/{segment_id}", response=SegmentOut, auth=auth.write)
def update_segment(request: HttpRequest, segment_id: int, payload: SegmentIn) -> Segment:
    agency = auth.token_of(request).agency
    segment = selectors.segment_of(agency, segment_id)
    data = payload.dict(exclude={"parent_id"}, exclude_unset=True)
    if "parent_id" in payload.model_fields_set:
        data["parent"] = selectors.segment_of(agency, payload.parent_id) if payload.parent_id else None
    try:
        return services.save_segment(agency=agency, data=data, segment=segment, **_actor(request))
    except ModelValidationError as error:
        raise _invalid(error) from error


@router.get("/catalog/providers", response=list[ProviderOut], auth=auth.read)
@paginate(Pagination)
def list_providers(request: HttpRequest) -> Any:
    return selectors.providers_of(auth.token_of(request).agency).prefetch_related("services")


@router.post("/catalog/providers", response={201: ProviderOut}, auth=auth.write)
def create_provider(request: HttpRequest, payload: ProviderIn) -> tuple[int, Provider]:
    agency = auth.token_of(request).agency
    data = payload.dict(exclude={"office_id", "service_ids"})
    data["office"] = _office(request, payload.office_id)
    chosen = [selectors.service_of(agency, service_id) for service_id in payload.service_ids]
    try:
        return 201, services.save_provider(agency=agency, data=data, services=chosen, **_actor(request))
    except ModelValidationError as error:
        raise _invalid(error) from error
