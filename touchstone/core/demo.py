"""The demo agency a newcomer clicks through. Idempotent: running it twice changes nothing.

Each capability extends the demo through `DEMO_STEPS`, so `manage.py load_demo` grows with the product.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from touchstone.core import services
from touchstone.core.models import Agency, Membership, Office, Role, User

DEMO_PASSWORD = "demo-password-2026"


@dataclass(frozen=True)
class DemoPerson:
    username: str
    first_name: str
    last_name: str
    agency: str | None
    role: str | None
    overseer: bool = False


DEPARTMENT = {
    "abbreviation": "DCS",
    "name": "Department of Community Services",
    "name_es": "Departamento de Servicios Comunitarios",
    "mission": "We help people and communities get the support, licenses and information they need, "
    "quickly and fairly.",
    "mission_es": "Ayudamos a las personas y comunidades a obtener el apoyo, las licencias y la información que "
    "necesitan, con rapidez y justicia.",
    "website": "https://www.example.gov/",
}
SUB_AGENCIES = [
    {
        "abbreviation": "BA",
        "name": "Benefits Administration",
        "name_es": "Administración de Beneficios",
        "mission": "We pay the benefits people have earned, on time and in full.",
        "mission_es": "Pagamos los beneficios que las personas se han ganado, a tiempo y en su totalidad.",
        "website": "https://benefits.example.gov/",
    },
    {
        "abbreviation": "LPS",
        "name": "Licensing and Permits Service",
        "name_es": "Servicio de Licencias y Permisos",
        "mission": "We issue licenses and permits clearly and quickly.",
        "mission_es": "Otorgamos licencias y permisos con claridad y rapidez.",
        "website": "https://permits.example.gov/",
    },
]
INDEPENDENT = {
    "abbreviation": "FRPB",
    "name": "Federal Recreation Passes Board",
    "name_es": "Junta Federal de Pases de Recreación",
    "is_independent": True,
    "mission": "We sell and honor passes to federal parks and recreation lands.",
    "mission_es": "Vendemos y aceptamos pases para parques y tierras recreativas federales.",
    "website": "https://passes.example.gov/",
}

OFFICES = {
    "DCS": [
        (
            "Headquarters",
            "headquarters",
            "1800 F Street NW",
            "Washington",
            "DC",
            "20405",
            "202-555-0100",
            "Mon–Fri 8:30–5:00",
            "America/New_York",
        )
    ],
    "BA": [
        (
            "National Contact Center",
            "contact_centre",
            "",
            "Kansas City",
            "MO",
            "64106",
            "800-555-0140",
            "Mon–Fri 7:00–7:00",
            "America/Chicago",
        ),
        (
            "Baltimore Field Office",
            "field_office",
            "31 Hopkins Plaza",
            "Baltimore",
            "MD",
            "21201",
            "410-555-0111",
            "Mon–Fri 9:00–4:00",
            "America/New_York",
        ),
        (
            "Denver Field Office",
            "field_office",
            "1961 Stout Street",
            "Denver",
            "CO",
            "80294",
            "303-555-0122",
            "Mon–Fri 9:00–4:00",
            "America/Denver",
        ),
        (
            "Seattle Field Office",
            "field_office",
            "915 Second Avenue",
            "Seattle",
            "WA",
            "98174",
            "206-555-0133",
            "Mon–Fri 9:00–4:00",
            "America/Los_Angeles",
        ),
    ],
    "LPS": [
        (
            "Permit Processing Center",
            "component",
            "",
            "Atlanta",
            "GA",
            "30303",
            "404-555-0150",
            "Mon–Fri 8:00–6:00",
            "America/New_York",
        ),
        (
            "Phoenix Service Office",
            "field_office",
            "230 North First Avenue",
            "Phoenix",
            "AZ",
            "85003",
            "602-555-0160",
            "Mon–Fri 8:00–4:30",
            "America/Phoenix",
        ),
    ],
    "FRPB": [
        (
            "Pass Sales Center",
            "contact_centre",
            "",
            "Lakewood",
            "CO",
            "80228",
            "888-555-0170",
            "Every day 8:00–8:00",
            "America/Denver",
        )
    ],
}

PEOPLE = [
    DemoPerson("admin", "Ada", "Admin", "BA", Role.ADMIN),
    DemoPerson("analyst", "Ana", "Lyst", "BA", Role.ANALYST),
    DemoPerson("handler", "Hal", "Handler", "BA", Role.HANDLER),
    DemoPerson("frontline", "Frances", "Lyne", "BA", Role.FRONTLINE),
    DemoPerson("viewer", "Vic", "Viewer", "BA", Role.VIEWER),
    DemoPerson("permits-admin", "Pat", "Permits", "LPS", Role.ADMIN),
    DemoPerson("passes-analyst", "Paz", "Passes", "FRPB", Role.ANALYST),
    DemoPerson("overseer", "Olive", "Overseer", None, None, overseer=True),
]

# Capabilities append (label, function) here; each function takes the demo's main agency.
DEMO_STEPS: list[tuple[str, Callable[[Agency], None]]] = []


def _agency(data: dict, parent: Agency | None = None) -> Agency:
    defaults = {key: value for key, value in data.items() if key != "abbreviation"}
    agency, _ = Agency.objects.update_or_create(
        abbreviation=data["abbreviation"], defaults={**defaults, "parent": parent}
    )
    return agency


@transaction.atomic
def load_demo() -> list[DemoPerson]:
    department = _agency(DEPARTMENT)
    agencies = {"DCS": department}
    for data in SUB_AGENCIES:
        agencies[data["abbreviation"]] = _agency(data, parent=department)
    agencies["FRPB"] = _agency(INDEPENDENT)
    for abbreviation, offices in OFFICES.items():
        for name, kind, street, city, state, postal, phone, hours, zone in offices:
            Office.objects.update_or_create(
                agency=agencies[abbreviation],
                name=name,
                defaults={
                    "kind": kind,
                    "street_address": street,
                    "city": city,
                    "state": state,
                    "postal_code": postal,
                    "phone": phone,
                    "hours": hours,
                    "time_zone": zone,
                },
            )
    for person in PEOPLE:
        user, created = User.objects.get_or_create(
            username=person.username,
            defaults={
                "first_name": person.first_name,
                "last_name": person.last_name,
                "email": f"{person.username}@demo.example.gov",
                "is_overseer": person.overseer,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        if (
            person.agency
            and not Membership.objects.filter(user=user, agency=agencies[person.agency]).exists()
        ):
            services.add_member(actor=None, agency=agencies[person.agency], user=user, role=str(person.role))
    for _label, step in DEMO_STEPS:
        step(agencies["BA"])
    return PEOPLE
