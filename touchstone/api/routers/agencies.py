"""Agencies (public facts) and the calling agency's offices."""

from django.core.exceptions import ValidationError as ModelValidationError
from django.http import HttpRequest
from ninja import Router
from ninja.errors import HttpError
from ninja.pagination import paginate

from touchstone.api import auth
from touchstone.api.pagination import Pagination
from touchstone.api.schemas import AgencyOut, OfficeIn, OfficeOut, OfficePatch
from touchstone.core import selectors, services
from touchstone.core.models import Agency, Office

router = Router(tags=["Agencies and offices"])


@router.get("/agencies", response=list[AgencyOut], auth=auth.read)
@paginate(Pagination)
def list_agencies(request: HttpRequest) -> object:
    """Every agency on this installation, with public facts only."""
    return Agency.objects.select_related("parent").order_by("name")


@router.get("/agencies/{abbreviation}", response=AgencyOut, auth=auth.read)
def read_agency(request: HttpRequest, abbreviation: str) -> Agency:
    return selectors.agencies_by_abbreviation(abbreviation)


@router.get("/offices", response=list[OfficeOut], auth=auth.read)
@paginate(Pagination)
def list_offices(request: HttpRequest) -> object:
    """The offices of the token's agency."""
    return selectors.offices_of(auth.token_of(request).agency)


@router.get("/offices/{office_id}", response=OfficeOut, auth=auth.read)
def read_office(request: HttpRequest, office_id: int) -> Office:
    return selectors.office_of(auth.token_of(request).agency, office_id)


def _validation_to_http(error: ModelValidationError) -> HttpError:
    parts = [f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items()]
    return HttpError(422, "; ".join(parts))


@router.post("/offices", response={201: OfficeOut}, auth=auth.write)
def create_office(request: HttpRequest, payload: OfficeIn) -> tuple[int, Office]:
    token = auth.token_of(request)
    try:
        office = services.create_office(
            actor=None, actor_label=f"API token {token.name}", agency=token.agency, data=payload.dict()
        )
    except ModelValidationError as error:
        raise _validation_to_http(error) from error
    return 201, office


@router.patch("/offices/{office_id}", response=OfficeOut, auth=auth.write)
def update_office(request: HttpRequest, office_id: int, payload: OfficePatch) -> Office:
    token = auth.token_of(request)
    office = selectors.office_of(token.agency, office_id)
    try:
        return services.update_office(
            actor=None,
            actor_label=f"API token {token.name}",
            office=office,
            data=payload.dict(exclude_unset=True),
        )
    except ModelValidationError as error:
        raise _validation_to_http(error) from error
