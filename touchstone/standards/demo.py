"""The demo's standards: three promises of the Benefits Administration, two years of transactions each.

The story: replacement cards are mailed on time every month (kept); retirement decisions slip in the last
months and the control chart flags it (slipping); appeal calls fell behind for a while and came back (recovered).
The online status check has two objectives as a site reliability team writes them in OpenSLO: pages answer in
under 800 milliseconds over a rolling 28 days, and checks succeed 99.5% of the time over a rolling 30 days.
"""

import calendar
import datetime as dt
import random
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from touchstone.catalog.models import Service
from touchstone.core import fiscal
from touchstone.core.models import Agency, Office, User
from touchstone.standards import services, store
from touchstone.standards.models import ServiceStandard

MONTHS = 24
PREFIX = "demo-"


# Real services vary from month to month by more than chance (staffing, seasons, backlogs): about 1.2 points.
MONTHLY_WOBBLE = 0.012


def _share_met(story: str, month: int) -> float:
    if story == "kept":
        return 0.955
    if story == "slipping":
        return 0.93 if month < MONTHS - 4 else 0.93 - 0.02 * (month - (MONTHS - 5))
    if story == "fast":
        return 0.997
    # recovered: a dip in the middle year, then back above target
    return 0.72 if 9 <= month <= 11 else (0.79 if month in (8, 12) else 0.86)


STANDARDS = [
    # slug, name, description, statement, type, measure, threshold, target, channel, story, monthly volume, and
    # how the target is judged when not at most the threshold over the month
    (
        "replace-card",
        "Replace a benefits card",
        "Get a new card if yours is lost, stolen or damaged.",
        "We mail a replacement card within 10 business days of your request, 90% of the time.",
        "timeliness",
        "business_days",
        10.0,
        0.9,
        "",
        "kept",
        900,
        {},
    ),
    (
        "apply-retirement",
        "Apply for retirement benefits",
        "Start your monthly retirement payments.",
        "We decide retirement applications within 30 days, 85% of the time.",
        "timeliness",
        "calendar_days",
        30.0,
        0.85,
        "",
        "slipping",
        1400,
        {},
    ),
    (
        "disability-appeal",
        "Appeal a disability decision",
        "Ask us to look again at a decision about disability benefits.",
        "We answer calls about appeals within 20 minutes, 80% of the time.",
        "access",
        "calendar_hours",
        round(20 / 60, 4),
        0.8,
        "phone",
        "recovered",
        1100,
        {},
    ),
    # Fewer status checks than the three stories' transactions, which the benchmarks demo compares by volume.
    (
        "check-status",
        "Check the status of a claim",
        "See online where your claim is and what happens next.",
        "The claim status page answers in under 800 milliseconds, 99% of the time.",
        "timeliness",
        "milliseconds",
        800.0,
        0.99,
        "website",
        "fast",
        600,
        {"threshold_op": "lt", "window_duration": "28d", "window_is_rolling": True},
    ),
    (
        "check-status",
        "Check the status of a claim",
        "See online where your claim is and what happens next.",
        "Claim status checks succeed 99.5% of the time.",
        "availability",
        "outcome",
        None,
        0.995,
        "website",
        "fast",
        600,
        {"window_duration": "30d", "window_is_rolling": True},
    ),
]
STATEMENTS_ES = {
    "We mail a replacement card within 10 business days of your request, 90% of the time.": (
        "Enviamos por correo una tarjeta de reemplazo en 10 días hábiles desde su solicitud, el 90\u00a0% de las veces."
    ),
    "We decide retirement applications within 30 days, 85% of the time.": (
        "Decidimos las solicitudes de jubilación en 30 días, el 85\u00a0% de las veces."
    ),
    "We answer calls about appeals within 20 minutes, 80% of the time.": (
        "Contestamos las llamadas sobre apelaciones en 20 minutos, el 80\u00a0% de las veces."
    ),
    "The claim status page answers in under 800 milliseconds, 99% of the time.": (
        "La página del estado de su reclamo responde en menos de 800 milisegundos, el 99\u00a0% de las veces."
    ),
    "Claim status checks succeed 99.5% of the time.": (
        "Las consultas del estado de un reclamo funcionan el 99,5\u00a0% de las veces."
    ),
}
SERVICES_ES = {
    "check-status": (
        "Consultar el estado de un reclamo",
        "Vea en línea en qué punto está su reclamo y qué pasa después.",
    ),
}
# Of the status checks, the share that succeed (the rest end in an error page).
STATUS_CHECKS_SUCCEEDING = 0.999


def _duration(measure: str, threshold: float, met: bool, rng: random.Random) -> dt.timedelta:
    if measure == "milliseconds":
        return dt.timedelta(
            milliseconds=rng.uniform(120, threshold * 0.95) if met else rng.uniform(threshold * 1.05, 4000)
        )
    if measure == "calendar_hours":
        minutes = threshold * 60
        return dt.timedelta(
            minutes=rng.uniform(1, minutes * 0.95) if met else rng.uniform(minutes * 1.1, minutes * 4)
        )
    if measure == "business_days":
        return dt.timedelta(days=rng.randint(2, 12) if met else rng.randint(18, 35), hours=rng.randint(0, 6))
    return dt.timedelta(days=rng.randint(5, 29) if met else rng.randint(32, 60), hours=rng.randint(0, 6))


@transaction.atomic
def load_standards_demo(agency: Agency) -> None:
    zone = ZoneInfo(settings.TIME_ZONE)
    rng = random.Random(12862)
    owner = User.objects.filter(username="analyst").first()
    offices = list(Office.objects.filter(agency=agency).order_by("name"))
    last_month = fiscal.month_start(timezone.localdate()) - dt.timedelta(days=1)
    first = last_month.year * 12 + last_month.month - MONTHS
    months = [dt.date(i // 12, i % 12 + 1, 1) for i in range(first, first + MONTHS)]
    touched: services.MeasuredMonths = {}
    for (
        slug,
        name,
        description,
        statement,
        kind,
        measure,
        threshold,
        target,
        channel,
        story,
        volume,
        judged,
    ) in STANDARDS:
        service, _created = Service.objects.get_or_create(
            agency=agency,
            slug=slug,
            defaults={
                "name": name,
                "name_es": SERVICES_ES.get(slug, ("", ""))[0],
                "description": description,
                "description_es": SERVICES_ES.get(slug, ("", ""))[1],
                "status": Service.Status.PUBLISHED,
                "kind": "benefits",
            },
        )
        external_id = f"{PREFIX}{slug}" if measure != "outcome" else f"{PREFIX}{slug}-succeeds"
        standard = ServiceStandard.objects.filter(agency=agency, external_id=external_id).first()
        if standard is None:
            standard = services.define_standard(
                actor=None,
                actor_label="demo",
                agency=agency,
                measure=False,
                data={
                    "service": service,
                    "channel": channel,
                    "statement": statement,
                    "statement_es": STATEMENTS_ES.get(statement, ""),
                    "standard_type": kind,
                    "measure": measure,
                    "threshold": threshold,
                    "target": target,
                    "period": "month",
                    "valid_from": months[0],
                    "owner": owner,
                    "external_id": external_id,
                    "source": "demo",
                    **judged,
                },
            )
        if store.months_held(agency, service.pk):
            continue
        records = []
        # A rolling window ends today: its standards have this month's days so far too.
        this_month = last_month + dt.timedelta(days=1)
        held_months = [*months, this_month] if judged.get("window_is_rolling") else months
        for index, month in enumerate(held_months):
            days = (
                calendar.monthrange(month.year, month.month)[1]
                if month != this_month
                else timezone.localdate().day - 1
            )
            if days < 1:
                continue
            share = _share_met(story, index) + rng.gauss(0, MONTHLY_WOBBLE if story != "fast" else 0.001)
            for number in range(int(volume * rng.uniform(0.9, 1.1))):
                started = dt.datetime.combine(
                    month + dt.timedelta(days=rng.randrange(days)),
                    dt.time(rng.randint(8, 16), rng.randrange(60)),
                    tzinfo=zone,
                )
                met = rng.random() < share
                records.append(
                    {
                        "external_id": f"{PREFIX}{slug}-{month:%Y%m}-{number}",
                        "service_id": service.pk,
                        "channel": channel or rng.choice(["website", "phone", "in_person", "postal_mail"]),
                        "office_id": rng.choice(offices).pk if offices else None,
                        "started_at": started,
                        "ended_at": started + _duration(measure, threshold or 0.0, met, rng),
                        "outcome": rng.random() < STATUS_CHECKS_SUCCEEDING
                        if measure == "milliseconds"
                        else None,
                    }
                )
        store.write_records(agency, records)
        touched[service.pk] = set(held_months)
    if touched:
        services.measure_touched(agency, touched)
