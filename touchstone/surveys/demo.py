"""The demo's surveys: published A-11 surveys on several services with thousands of responses over five fiscal
quarters and several channels, and an email-invitation survey with AAPOR dispositions. Seeded and idempotent.

Answers follow a simple model so the analysis has something true to find: ease and efficiency drive
satisfaction most; the phone channel scores lowest and improves through the year; comments carry a few themes.
"""

import datetime as dt
import hashlib
import random

from django.utils import timezone

from touchstone.catalog.models import Service
from touchstone.core.models import Agency, Office
from touchstone.surveys import services
from touchstone.surveys.demo_languages import load_language_demo
from touchstone.surveys.models import Invitation, KioskDevice, KnownNetwork, Response, Survey

FIRST_DAY, LAST_DAY = dt.date(2025, 10, 1), dt.date(2026, 11, 20)
CHANNEL_BASE = {"website": 0.35, "phone": -0.45, "in_person": 0.15, "mobile_app": 0.4, "postal_mail": -0.1}
COMMENTS = {
    "wait": [
        "The wait on the phone was over an hour.",
        "I waited too long on hold before anyone answered.",
        "Long wait times at the office, but the staff were kind.",
        "Hold time was terrible again.",
    ],
    "website": [
        "The website timed out twice while I was filling in the form.",
        "The online form kept logging me out.",
        "Website was easy and fast.",
        "I could not upload my documents on the website.",
    ],
    "staff": [
        "The employee who helped me was patient and clear.",
        "Staff were friendly and knew the answers.",
        "The agent explained every step, thank you.",
        "Very helpful person at the Denver office.",
    ],
    "letters": [
        "The letter I got was confusing and full of legal words.",
        "I did not understand the decision letter.",
        "Letters should say plainly what happens next.",
    ],
}


def _answer(rng: random.Random, mean: float) -> int:
    return max(1, min(5, round(rng.gauss(mean, 0.9))))


def _responses(
    survey: Survey, service: Service, offices: list[Office], rng: random.Random, count: int
) -> list[Response]:
    version = survey.current_version
    assert version is not None
    span = (LAST_DAY - FIRST_DAY).days
    rows = []
    for _ in range(count):
        day = FIRST_DAY + dt.timedelta(days=rng.randrange(span))
        channel = rng.choices(list(CHANNEL_BASE), weights=[45, 30, 12, 8, 5])[0]
        progress = (day - FIRST_DAY).days / span
        base = 3.6 + CHANNEL_BASE[channel] + (0.5 * progress if channel == "phone" else 0)
        ease, efficiency = _answer(rng, base), _answer(rng, base - 0.2)
        effectiveness, equity = _answer(rng, base + 0.2), _answer(rng, base + 0.4)
        employee, trust = _answer(rng, base + 0.3), _answer(rng, base - 0.1)
        satisfaction = max(
            1,
            min(
                5,
                round(
                    0.35 * ease
                    + 0.3 * efficiency
                    + 0.15 * effectiveness
                    + 0.1 * employee
                    + 0.1 * equity
                    + rng.gauss(0, 0.45)
                ),
            ),
        )
        answers: dict[str, object] = {
            "satisfaction": satisfaction,
            "trust": trust,
            "effectiveness": effectiveness,
            "ease": ease,
            "efficiency": efficiency,
            "equity": equity,
            "employee": employee,
        }
        if rng.random() < 0.3:
            theme = "wait" if channel == "phone" and rng.random() < 0.6 else rng.choice(list(COMMENTS))
            answers["comment_service"] = rng.choice(COMMENTS[theme])
        moment = timezone.make_aware(
            dt.datetime.combine(day, dt.time(rng.randrange(8, 20), rng.randrange(60)))
        )
        rows.append(
            Response(
                survey=survey,
                version=version,
                answers=answers,
                channel=channel,
                service=service,
                office=rng.choice(offices) if channel == "in_person" and offices else None,
                language="es" if rng.random() < 0.12 else "en",
                submitted_at=moment,
                source=Response.Source.WEB if channel != "mobile_app" else Response.Source.API,
            )
        )
    return rows


def _published(agency: Agency, title: str, service: Service | None, blueprint: str) -> Survey:
    survey = Survey.objects.filter(agency=agency, title=title).first()
    if survey is None:
        survey = services.create_survey(
            actor=None,
            agency=agency,
            blueprint=blueprint,
            data={
                "title": title,
                "title_es": "",
                "service": service,
                "omb_control_number": "1090-0011",
                "omb_expiration_date": dt.date(2027, 1, 31),
                "burden_minutes": 2,
                "allowed_origins": "https://benefits.example.gov",
            },
        )
    if survey.status != Survey.Status.PUBLISHED:
        services.change_status(actor=None, survey=survey, status=Survey.Status.PUBLISHED)
    return survey


def load_surveys_demo(agency: Agency) -> None:
    rng = random.Random(1993)
    offices = list(Office.objects.filter(agency=agency, kind="field_office"))
    for slug, count in (("apply-retirement", 2400), ("replace-card", 1600), ("information-line", 1200)):
        service = Service.objects.filter(agency=agency, slug=slug).first()
        if service is None:
            continue
        survey = _published(agency, f"How did we do? {service.name}", service, "a11-v1")
        survey.title_es = f"¿Cómo lo hicimos? {service.name_es or service.name}"
        survey.save(update_fields=["title_es"])
        if not survey.responses.exists():
            Response.objects.bulk_create(_responses(survey, service, offices, rng, count), batch_size=1000)
    _invitation_survey(agency, rng)
    load_language_demo(agency)
    _collecting_at_scale(agency, rng)
    # Complaint follow-ups are answered through this survey too (the complaints demo closes cases after this step).
    follow_up = _published(agency, "How we handled your complaint", None, "complaint-follow-up")
    if not follow_up.title_es:
        follow_up.title_es = "Cómo atendimos su queja"
        follow_up.save(update_fields=["title_es"])


def _invitation_survey(agency: Agency, rng: random.Random) -> None:
    """A relational survey sent by email to 600 customers, with dispositions recorded for AAPOR rates."""
    service = Service.objects.filter(agency=agency, slug="apply-retirement").first()
    survey = _published(agency, "Your year with the Benefits Administration", service, "a11-v2")
    if not survey.title_es:
        survey.title_es = "Su año con la Administración de Beneficios"
        survey.save(update_fields=["title_es"])
    if survey.invitations.exists():
        return
    version = survey.current_version
    assert version is not None
    weights = {
        "complete": 180,
        "partial": 25,
        "refusal": 40,
        "non_contact": 230,
        "other": 15,
        "undeliverable": 60,
        "unknown": 20,
        "not_eligible": 30,
    }
    dispositions = [d for d, n in weights.items() for _ in range(n)]
    rng.shuffle(dispositions)
    sent = timezone.make_aware(dt.datetime(2026, 10, 6, 9, 0))
    # Written in two bulk inserts (answers, then invitations naming them): one query a record would slow the demo.
    invitations, responses = [], []
    for number, disposition in enumerate(dispositions):
        token = hashlib.sha256(f"demo-invitation-{number}".encode()).hexdigest()
        response = None
        if disposition in {"complete", "partial"}:
            trust = rng.choice([1, 2, 3, 4, 4, 5, 5])
            answers: dict[str, object] = {"question_1": trust}
            answers["positive" if trust >= 4 else "negative"] = rng.sample(
                ["effectiveness", "ease", "efficiency", "employee"], 2
            )
            response = Response(
                survey=survey,
                version=version,
                answers=answers,
                source=Response.Source.EMAIL,
                status=Response.Status.COMPLETE if disposition == "complete" else Response.Status.PARTIAL,
                submitted_at=sent + dt.timedelta(hours=rng.randrange(1, 400)),
                service=service,
                channel="email",
            )
            responses.append(response)
        invitations.append(
            Invitation(
                survey=survey,
                email=f"customer{number}@example.com",
                token_hash=token,
                disposition=disposition,
                sent_at=sent,
                response=response,
                responded_at=response.submitted_at if response else None,
                service=service,
                channel="email",
            )
        )
    Response.objects.bulk_create(responses, batch_size=500)
    Invitation.objects.bulk_create(invitations, batch_size=500)


def _collecting_at_scale(agency: Agency, rng: random.Random) -> None:
    """A lobby kiosk and a known field-office network, links that carry a transaction id, and the spam the form's
    checks caught (a bot in the honeypot, a script repeating one answer with a web address)."""
    survey = Survey.objects.filter(
        agency=agency, title__startswith="How did we do?", service__slug="replace-card"
    ).first()
    if survey is None or survey.kiosks.exists():
        return
    version = survey.current_version
    assert version is not None
    survey.prefill_parameters = "transaction_id\nsatisfaction"
    survey.save(update_fields=["prefill_parameters"])
    KnownNetwork.objects.create(
        agency=agency, network="203.0.113.0/24", label="Denver field office (one gateway)", per_minute=600
    )
    kiosk = KioskDevice.objects.create(
        survey=survey,
        name="Denver office lobby tablet",
        token_hash=KioskDevice.hash_token(f"demo-kiosk-{agency.pk}"),
        per_minute=30,
    )
    start = timezone.make_aware(dt.datetime(2026, 11, 16, 9, 0))
    rows = []
    for number in range(24):
        answers: dict[str, object] = {"satisfaction": _answer(rng, 4.1), "ease": _answer(rng, 3.9)}
        rows.append(
            Response(
                survey=survey,
                version=version,
                answers=answers,
                channel="in_person",
                service=survey.service,
                kiosk=kiosk,
                location="Denver",
                submitted_at=start + dt.timedelta(minutes=17 * number),
                link_fields={"transaction_id": f"DEN-{4100 + number}"} if number % 3 == 0 else {},
                spam_score=40 if number % 5 == 0 else 0,
                spam_reasons=["too_fast"] if number % 5 == 0 else [],
            )
        )
    flood = start + dt.timedelta(days=1, hours=3)
    for number in range(3):
        rows.append(
            Response(
                survey=survey,
                version=version,
                answers={},
                is_spam=True,
                spam_score=100,
                spam_reasons=["honeypot"],
                submitted_at=flood + dt.timedelta(seconds=number),
            )
        )
    for number in range(5):
        rows.append(
            Response(
                survey=survey,
                version=version,
                answers={"satisfaction": 5, "comment_service": "Best deals at http://cheap-pills.example"},
                is_spam=True,
                spam_score=80 if number > 2 else 50,
                spam_reasons=["no_form", "repeated", "links"] if number > 2 else ["no_form", "links"],
                submitted_at=flood + dt.timedelta(seconds=10 + number),
            )
        )
    Response.objects.bulk_create(rows)
