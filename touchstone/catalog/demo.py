"""The demo catalog: realistic services with segments, channels, providers and three fiscal years of volumes.

Volumes tell a story an analyst can find: retirement applications move from the phone and field offices to the
website; card replacements move to the mobile app. Deterministic (seeded), idempotent.
"""

import datetime as dt
import random

from touchstone.catalog.models import (
    ChannelVolume,
    JourneyStage,
    Provider,
    Segment,
    Service,
    ServiceChannel,
    ServiceSegment,
)
from touchstone.core.fiscal import months_between
from touchstone.core.models import Agency, Office

FIRST_MONTH, LAST_MONTH = dt.date(2023, 10, 1), dt.date(2026, 9, 1)  # fiscal years 2024-2026

SEGMENTS = [
    (
        "Retirees aged 62 and over",
        "individuals",
        None,
        48_000_000,
        "People who have stopped working and draw benefits.",
    ),
    (
        "Workers nearing retirement",
        "individuals",
        None,
        21_000_000,
        "People aged 55 to 61 planning their retirement.",
    ),
    (
        "People with disabilities",
        "individuals",
        None,
        9_600_000,
        "People who cannot work because of a disability.",
    ),
    ("Survivors", "individuals", None, 5_900_000, "Spouses and children of workers who died."),
    (
        "Spanish-speaking customers",
        "individuals",
        "Retirees aged 62 and over",
        6_100_000,
        "Customers who prefer to be served in Spanish.",
    ),
    ("Employers", "businesses", None, 6_500_000, "Businesses that report wages for their employees."),
    ("Tribal governments", "governments", None, 574, "Federally recognized tribes that help members apply."),
]

# name, slug, kind, hisp, description, eligibility, fees, annual volume, channels with base monthly volume and trend
SERVICES = [
    (
        "Apply for retirement benefits",
        "apply-retirement",
        "benefits",
        True,
        "Start your monthly retirement payments. You can apply up to four months before you want them to start.",
        "People aged 62 or older who worked and paid into the program for at least 10 years.",
        "Free",
        2_900_000,
        {
            "website": (90_000, 0.022),
            "phone": (80_000, -0.012),
            "in_person": (60_000, -0.015),
            "postal_mail": (8_000, -0.02),
        },
        [
            ("Retirees aged 62 and over", 3_400_000, 2_650_000),
            ("Workers nearing retirement", 1_200_000, 310_000),
            ("Spanish-speaking customers", 420_000, 190_000),
            ("Tribal governments", 574, 120),
        ],
    ),
    (
        "Replace a benefits card",
        "replace-card",
        "administrative",
        True,
        "Get a new card if yours was lost, stolen or damaged. Most people can do it online in ten minutes.",
        "Anyone who receives benefits.",
        "Free",
        1_100_000,
        {
            "website": (40_000, 0.008),
            "mobile_app": (6_000, 0.06),
            "phone": (30_000, -0.02),
            "postal_mail": (4_000, -0.03),
        },
        [("Retirees aged 62 and over", 1_500_000, 900_000), ("People with disabilities", 300_000, 140_000)],
    ),
    (
        "Report a change of address",
        "change-address",
        "administrative",
        False,
        "Tell us your new address so your payments and letters reach you.",
        "Anyone who receives benefits.",
        "Free",
        800_000,
        {"website": (35_000, 0.01), "phone": (25_000, -0.01), "postal_mail": (6_000, -0.02)},
        [("Retirees aged 62 and over", 2_000_000, 700_000), ("Survivors", 200_000, 60_000)],
    ),
    (
        "Appeal a disability decision",
        "disability-appeal",
        "benefits",
        True,
        "Ask us to look again at a decision about your disability benefits. You have 60 days from the date of the "
        "letter.",
        "People who applied for disability benefits and disagree with the decision.",
        "Free",
        240_000,
        {
            "postal_mail": (9_000, -0.01),
            "in_person": (6_000, -0.005),
            "website": (4_000, 0.03),
            "fax": (1_000, -0.04),
        },
        [("People with disabilities", 600_000, 230_000)],
    ),
    (
        "Benefits information line",
        "information-line",
        "informational",
        False,
        "Ask a question about your benefits, payments or letters, by phone, chat or online.",
        "Anyone.",
        "Free",
        6_000_000,
        {"phone": (400_000, -0.006), "chatbot": (30_000, 0.05), "website": (120_000, 0.01)},
        [("Retirees aged 62 and over", 48_000_000, 4_100_000), ("Employers", 6_500_000, 240_000)],
    ),
]

# What the agency wrote in Spanish for each service: name, description, eligibility.
SPANISH = {
    "apply-retirement": (
        "Solicitar beneficios de jubilación",
        "Empiece a recibir sus pagos mensuales de jubilación. Puede solicitarlos hasta cuatro meses antes de la "
        "fecha en que quiere que empiecen.",
        "Personas de 62 años o más que trabajaron y aportaron al programa durante al menos 10 años.",
    ),
    "replace-card": (
        "Reemplazar una tarjeta de beneficios",
        "Obtenga una tarjeta nueva si la suya se perdió, se la robaron o se dañó. La mayoría de las personas "
        "pueden hacerlo en línea en diez minutos.",
        "Cualquier persona que recibe beneficios.",
    ),
    "change-address": (
        "Informar un cambio de dirección",
        "Díganos su nueva dirección para que sus pagos y cartas le lleguen.",
        "Cualquier persona que recibe beneficios.",
    ),
    "disability-appeal": (
        "Apelar una decisión sobre discapacidad",
        "Pídanos que revisemos una decisión sobre sus beneficios por discapacidad. Tiene 60 días a partir de la "
        "fecha de la carta.",
        "Personas que solicitaron beneficios por discapacidad y no están de acuerdo con la decisión.",
    ),
    "information-line": (
        "Línea de información sobre beneficios",
        "Haga una pregunta sobre sus beneficios, pagos o cartas, por teléfono, chat o en línea.",
        "Cualquier persona.",
    ),
    "commercial-fishing-permit": (
        "Obtener un permiso de pesca comercial",
        "Solicite o renueve el permiso que necesita para pescar comercialmente en aguas federales.",
        "",
    ),
    "drone-registration": (
        "Registrar un dron recreativo",
        "Registre un dron que pese más de media libra antes de volarlo al aire libre.",
        "",
    ),
}

HOW_TO = {
    "website": "https://benefits.example.gov/apply",
    "phone": "800-555-0140 (TTY 800-555-0141)",
    "in_person": "Any field office; book ahead to wait less",
    "postal_mail": "Benefits Administration, PO Box 17769, Baltimore, MD 21235",
    "mobile_app": "Benefits app for iPhone and Android",
    "chatbot": "Chat on benefits.example.gov",
    "fax": "410-555-0199",
}
HOW_TO_ES = {
    "in_person": "Cualquier oficina local; pida cita para esperar menos",
    "mobile_app": "Aplicación de beneficios para iPhone y Android",
    "chatbot": "Chat en benefits.example.gov",
}
HOURS_ES = {
    "phone": "lunes a viernes, de 7:00 a 19:00, hora local",
    "in_person": "lunes a viernes, de 9:00 a 16:00",
    "chatbot": "todos los días, a toda hora",
    "website": "todos los días, a toda hora",
}
SEGMENTS_ES = {
    "Retirees aged 62 and over": (
        "Jubilados de 62 años o más",
        "Personas que dejaron de trabajar y reciben beneficios.",
    ),
    "Workers nearing retirement": (
        "Trabajadores cerca de la jubilación",
        "Personas de 55 a 61 años que planifican su jubilación.",
    ),
    "People with disabilities": (
        "Personas con discapacidad",
        "Personas que no pueden trabajar a causa de una discapacidad.",
    ),
    "Survivors": ("Sobrevivientes", "Cónyuges e hijos de trabajadores que fallecieron."),
    "Spanish-speaking customers": (
        "Clientes de habla hispana",
        "Clientes que prefieren que se les atienda en español.",
    ),
    "Employers": ("Empleadores", "Empresas que informan los salarios de sus empleados."),
    "Tribal governments": (
        "Gobiernos tribales",
        "Tribus reconocidas por el gobierno federal que ayudan a sus miembros a solicitar.",
    ),
}
HOW_TO_COMPLAIN_ES = (
    "Use el formulario de quejas de este sitio, llame al 800-555-0140 o dígaselo a cualquier oficina local."
)
ACCESSIBILITY_ES = "Probado con lectores de pantalla; video relé e intérpretes gratis si los pide."
PLACE_ACCESSIBILITY_ES = "Entrada sin escalones; bucle de inducción magnética en el mostrador."

# The demo offices' opening hours ("Mon–Fri 8:30–5:00", afternoon hours written as on a door) in Spanish.
OFFICE_HOURS_ES = {
    "Mon–Fri 8:30–5:00": "lunes a viernes, de 8:30 a 17:00",
    "Mon–Fri 7:00–7:00": "lunes a viernes, de 7:00 a 19:00",
    "Mon–Fri 9:00–4:00": "lunes a viernes, de 9:00 a 16:00",
    "Mon–Fri 8:00–6:00": "lunes a viernes, de 8:00 a 18:00",
    "Mon–Fri 8:00–4:30": "lunes a viernes, de 8:00 a 16:30",
}


def office_hours_in_spanish(hours: str) -> str:
    return OFFICE_HOURS_ES.get(hours, "")


HOURS = {
    "phone": "Mon–Fri 7:00 a.m.–7:00 p.m. local time",
    "in_person": "Mon–Fri 9:00 a.m.–4:00 p.m.",
    "chatbot": "Every day, all day",
    "website": "Every day, all day",
}

JOURNEY = [
    ("Find out if you qualify", "start", "Rules are hard to understand\nThe estimate tool needs a sign-in"),
    (
        "Gather documents",
        "process",
        "Birth certificate needed in original form\nOld employment records are hard to find",
    ),
    ("Apply", "process", "Online form times out after 25 minutes\nPhone wait times are long on Mondays"),
    ("Decision and first payment", "end", "Letters use legal language\nNo way to see progress online"),
]


def _monthly_volumes(base: int, trend: float, rng: random.Random) -> list[tuple[dt.date, int]]:
    rows = []
    for index, month in enumerate(months_between(FIRST_MONTH, LAST_MONTH)):
        seasonal = 1.0 + 0.12 * (month.month in (1, 2, 3)) - 0.08 * (month.month in (11, 12))
        value = base * (1 + trend) ** index * seasonal * rng.uniform(0.93, 1.07)
        rows.append((month, max(0, round(value))))
    return rows


def load_catalog_demo(agency: Agency) -> None:
    rng = random.Random(12862)
    segments: dict[str, Segment] = {}
    for name, kind, parent, population, description in SEGMENTS:
        segments[name], _ = Segment.objects.update_or_create(
            agency=agency,
            name=name,
            defaults={
                "kind": kind,
                "parent": segments.get(parent) if parent else None,
                "estimated_population": population,
                "description": description,
                "name_es": SEGMENTS_ES.get(name, ("", ""))[0],
                "description_es": SEGMENTS_ES.get(name, ("", ""))[1],
            },
        )
    owner = Office.objects.filter(agency=agency, kind="contact_centre").first()
    services = {}
    for name, slug, kind, hisp, description, eligibility, fees, annual, channels, links in SERVICES:
        service, _ = Service.objects.update_or_create(
            agency=agency,
            slug=slug,
            defaults={
                "name": name,
                "name_es": SPANISH[slug][0],
                "kind": kind,
                "is_high_impact": hisp,
                "description": description,
                "description_es": SPANISH[slug][1],
                "eligibility": eligibility,
                "eligibility_es": SPANISH[slug][2],
                "fees": fees,
                "estimated_annual_volume": annual,
                "owner_office": owner,
                "status": Service.Status.PUBLISHED,
                "website": f"https://benefits.example.gov/{slug}",
                "how_to_complain": "Use the complaint form on this site, call 800-555-0140, or tell any field office.",
                "how_to_complain_es": HOW_TO_COMPLAIN_ES,
                "fees_es": "Gratis" if fees == "Free" else "",
            },
        )
        services[slug] = service
        for channel in channels:
            ServiceChannel.objects.update_or_create(
                service=service,
                channel=channel,
                defaults={
                    "how_to_use": HOW_TO.get(channel, ""),
                    "hours": HOURS.get(channel, ""),
                    "languages": "English, Spanish" if channel in ("website", "phone") else "English",
                    "accessibility": "Screen-reader tested; video relay and interpreters free on request."
                    if channel in ("website", "in_person")
                    else "",
                    "how_to_use_es": HOW_TO_ES.get(channel, ""),
                    "hours_es": HOURS_ES.get(channel, ""),
                    "languages_es": "inglés y español" if channel in ("website", "phone") else "inglés",
                    "accessibility_es": ACCESSIBILITY_ES if channel in ("website", "in_person") else "",
                },
            )
        for segment_name, eligible, served in links:
            ServiceSegment.objects.update_or_create(
                service=service,
                segment=segments[segment_name],
                defaults={"is_eligible": True, "eligible_population": eligible, "customers_served": served},
            )
        if not ChannelVolume.objects.filter(service=service).exists():
            ChannelVolume.objects.bulk_create(
                [
                    ChannelVolume(
                        service=service,
                        channel=channel,
                        period=ChannelVolume.Period.MONTH,
                        period_start=month,
                        volume=volume,
                        source="demo",
                    )
                    for channel, (base, trend) in channels.items()
                    for month, volume in _monthly_volumes(base, trend, rng)
                ]
            )
    retirement = services["apply-retirement"]
    for position, (name, kind, barriers) in enumerate(JOURNEY, start=1):
        JourneyStage.objects.update_or_create(
            service=retirement, name=name, defaults={"kind": kind, "position": position, "barriers": barriers}
        )
    for office in Office.objects.filter(agency=agency, kind="field_office"):
        provider, _ = Provider.objects.update_or_create(
            agency=agency,
            name=office.name,
            defaults={
                "kind": Provider.Kind.AGENCY_OFFICE,
                "office": office,
                "hours": office.hours,
                "contact": office.phone,
                "address": f"{office.street_address}, {office.city}, {office.state} {office.postal_code}",
                "accessibility": "Step-free entrance; hearing loop at the front desk.",
                "accessibility_es": PLACE_ACCESSIBILITY_ES,
                "hours_es": office_hours_in_spanish(office.hours),
                "languages_es": "inglés",
            },
        )
        provider.services.set([retirement, services["disability-appeal"]])
    partner, _ = Provider.objects.update_or_create(
        agency=agency,
        name="Area Agencies on Aging",
        defaults={
            "kind": Provider.Kind.PARTNER,
            "contact": "eldercare.example.gov",
            "languages": "English, Spanish, Chinese",
            "languages_es": "inglés, español y chino",
            "address": "",
        },
    )
    partner.services.set([retirement, services["change-address"]])
    _load_permits_demo()


def _load_permits_demo() -> None:
    """Two services of the Licensing and Permits Service, so the government-wide directory has more than one agency."""
    agency = Agency.objects.filter(abbreviation="LPS").first()
    if agency is None:
        return
    for slug, name, kind, description in [
        (
            "commercial-fishing-permit",
            "Get a commercial fishing permit",
            "regulatory",
            "Apply for or renew the permit you need to fish commercially in federal waters.",
        ),
        (
            "drone-registration",
            "Register a recreational drone",
            "compliance",
            "Register a drone that weighs more than half a pound before you fly it outdoors.",
        ),
    ]:
        service, _ = Service.objects.update_or_create(
            agency=agency,
            slug=slug,
            defaults={
                "name": name,
                "name_es": SPANISH[slug][0],
                "kind": kind,
                "description": description,
                "description_es": SPANISH[slug][1],
                "status": Service.Status.PUBLISHED,
                "fees": "$25" if "fishing" in slug else "$5",
            },
        )
        ServiceChannel.objects.update_or_create(
            service=service, channel="website", defaults={"how_to_use": f"https://permits.example.gov/{slug}"}
        )
