"""The demo's complaints: a year of them at the Benefits Administration, across its services and channels, with
handlers, policies, office calendars, routing rules, some breaches and a trained triage classifier; and the help
desk's side: cases that came in by email with a threaded reply, a merged duplicate, a likely duplicate flagged for a handler, a split case, a bounced reply
and knowledge-base answers (public ones in English and Spanish).

Idempotent: an agency that already has complaints is left alone. Written in bulk to stay fast.
"""

import datetime as dt
import random
from email.message import EmailMessage

from django.db import transaction
from django.utils import timezone

from touchstone.catalog.models import Service
from touchstone.complaints import inbound, services
from touchstone.complaints.models import (
    Article,
    Case,
    CaseEvent,
    CaseMessage,
    ComplaintSettings,
    OfficeCalendar,
    RoutingRule,
    SatisfactionFollowUp,
    ServiceLevelPolicy,
    Severity,
    Topic,
    Urgency,
    new_tracking_number,
)
from touchstone.core import services as core_services
from touchstone.core.demo import DEMO_PASSWORD
from touchstone.core.models import Agency, Membership, Office, Role, User

DEMO_SERVICES = [
    ("retirement-benefits", "Retirement benefits", "Monthly payments for people who have retired."),
    (
        "disability-benefits",
        "Disability benefits",
        "Payments for people who cannot work because of a disability.",
    ),
    ("survivor-benefits", "Survivor benefits", "Payments to the family of a worker who has died."),
]
# topic: (phrases a complaint about it uses, the office that usually handles it)
TOPICS: dict[str, tuple[list[str], str]] = {
    "Late payment": (
        ["my payment did not arrive", "the deposit is two weeks late", "I have not been paid this month"],
        "National Contact Center",
    ),
    "Wrong amount": (
        ["the amount is lower than my award letter", "you took money out of my check", "my benefit was cut"],
        "Baltimore Field Office",
    ),
    "Lost documents": (
        ["you lost the forms I mailed", "my birth certificate was never returned", "nobody can find my file"],
        "Baltimore Field Office",
    ),
    "Website problems": (
        [
            "the website will not let me log in",
            "the online form crashed",
            "I cannot upload my documents online",
        ],
        "National Contact Center",
    ),
    "Long wait times": (
        [
            "I waited three hours at the office",
            "I was on hold for ninety minutes",
            "my appointment was moved again",
        ],
        "Denver Field Office",
    ),
    "Rude or unhelpful staff": (
        ["the clerk was rude to me", "the agent hung up on me", "nobody answered my questions"],
        "Seattle Field Office",
    ),
}
# The topics' names on Spanish public pages (the answers a person reads before filing).
TOPICS_ES: dict[str, str] = {
    "Late payment": "Pago atrasado",
    "Wrong amount": "Monto incorrecto",
    "Lost documents": "Documentos extraviados",
    "Website problems": "Problemas con el sitio web",
    "Long wait times": "Largos tiempos de espera",
    "Rude or unhelpful staff": "Personal descortés o poco servicial",
}
URGENT_PHRASES = ["I will be evicted", "I cannot buy food or medicine", "my utilities are being shut off"]
FILLER = [
    "I called twice and nobody called back.",
    "This has happened before.",
    "I need this fixed as soon as possible.",
    "I am a veteran and I depend on this benefit.",
    "My caseworker said it would be fixed last month.",
    "Please look into it.",
]
CHANNELS = ["website", "website", "website", "phone", "phone", "postal_mail", "in_person", "email"]
HANDLERS = [
    ("handler", None),
    ("hector-handler", "Baltimore Field Office"),
    ("dana-handler", "Denver Field Office"),
    ("sam-handler", "Seattle Field Office"),
]


def _topic(agency: Agency, name: str) -> Topic:
    topic, _created = Topic.objects.get_or_create(
        agency=agency, parent=None, name=name, defaults={"name_es": TOPICS_ES[name]}
    )
    if not topic.name_es:  # made by an earlier demo, before topics had Spanish names
        topic.name_es = TOPICS_ES[name]
        topic.save(update_fields=["name_es"])
    return topic


def _services(agency: Agency) -> list[Service]:
    existing = list(Service.objects.filter(agency=agency).order_by("name")[:4])
    if existing:
        return existing
    return [
        Service.objects.get_or_create(
            agency=agency,
            slug=slug,
            defaults={
                "name": name,
                "description": description,
                "status": Service.Status.PUBLISHED,
                "kind": "benefits",
            },
        )[0]
        for slug, name, description in DEMO_SERVICES
    ]


def _handlers(agency: Agency, offices: dict[str, Office]) -> None:
    for username, office_name in HANDLERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": username.split("-")[0].title(),
                "last_name": "Handler",
                "email": f"{username}@demo.example.gov",
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        office = offices.get(office_name or "")
        membership = Membership.objects.filter(user=user, agency=agency).first()
        if membership is None:
            core_services.add_member(actor=None, agency=agency, user=user, role=Role.HANDLER, office=office)
        elif membership.role == Role.HANDLER and office and membership.office_id is None:
            membership.office = office
            membership.save(update_fields=["office"])


def _setup(
    agency: Agency, offices: dict[str, Office], service_list: list[Service]
) -> dict[str, ServiceLevelPolicy]:
    ComplaintSettings.objects.get_or_create(agency=agency, defaults={"assignment": "least_loaded"})
    for office in offices.values():
        opens = dt.time(7, 0) if office.kind == Office.Kind.CONTACT_CENTRE else dt.time(9, 0)
        closes = dt.time(19, 0) if office.kind == Office.Kind.CONTACT_CENTRE else dt.time(16, 0)
        OfficeCalendar.objects.get_or_create(office=office, defaults={"opens_at": opens, "closes_at": closes})
    standard, _ = ServiceLevelPolicy.objects.get_or_create(
        agency=agency,
        name="Standard complaints",
        defaults={
            "counting": "business",
            "acknowledge_hours": 8,
            "first_response_hours": 40,
            "resolve_hours": 240,
            "update_hours": 80,
        },
    )
    critical, _ = ServiceLevelPolicy.objects.get_or_create(
        agency=agency,
        name="Critical: people without income",
        defaults={
            "severity": Severity.CRITICAL,
            "counting": "calendar",
            "acknowledge_hours": 2,
            "first_response_hours": 24,
            "resolve_hours": 120,
            "update_hours": 24,
        },
    )
    rules = [
        (
            "Online trouble to the contact center",
            "website, online, log in, upload",
            "",
            "National Contact Center",
            "digital",
        ),
        ("Maryland customers to Baltimore", "", "MD", "Baltimore Field Office", "general"),
        ("Colorado customers to Denver", "", "CO", "Denver Field Office", "general"),
        ("Washington customers to Seattle", "", "WA", "Seattle Field Office", "general"),
    ]
    for position, (name, words, state, office_name, queue) in enumerate(rules):
        if office_name in offices:
            RoutingRule.objects.get_or_create(
                agency=agency,
                name=name,
                defaults={
                    "position": position,
                    "words": words,
                    "state": state,
                    "office": offices[office_name],
                    "queue": queue,
                },
            )
    return {"standard": standard, "critical": critical}


def _narrative(rng: random.Random, topic: str, urgent: bool) -> str:
    phrases, _office = TOPICS[topic]
    parts = [rng.choice(phrases).capitalize() + "."]
    if urgent:
        parts.append(rng.choice(URGENT_PHRASES).capitalize() + ".")
    parts.extend(rng.sample(FILLER, 2))
    return " ".join(parts)


@transaction.atomic
def load_complaints_demo(agency: Agency, count: int = 720, seed: int = 12862) -> None:
    if Case.objects.filter(agency=agency).exists():
        return
    rng = random.Random(seed)
    offices = {
        office.name: office
        for office in Office.objects.filter(agency=agency).select_related("complaint_calendar")
    }
    service_list = _services(agency)
    _handlers(agency, offices)
    policies = _setup(agency, offices, service_list)
    offices = {
        office.name: office
        for office in Office.objects.filter(agency=agency).select_related("complaint_calendar")
    }
    topics = {name: _topic(agency, name) for name in TOPICS}
    handlers = list(
        User.objects.filter(memberships__agency=agency, memberships__role=Role.HANDLER).order_by("username")
    )
    now = timezone.now()
    cases: list[Case] = []
    used: set[str] = set()
    for index in range(count):
        days_ago = rng.uniform(0, 365) if index % 9 else rng.uniform(0, 40)
        received = now - dt.timedelta(days=days_ago, minutes=rng.randint(0, 600))
        topic_name = rng.choice(list(TOPICS))
        urgent = rng.random() < 0.12
        usual_office = TOPICS[topic_name][1]
        office_name = usual_office if rng.random() < 0.8 else rng.choice(list(offices))
        office = offices.get(office_name) or next(iter(offices.values()))
        severity = (
            Severity.CRITICAL
            if urgent
            else rng.choice([Severity.LOW, Severity.MEDIUM, Severity.MEDIUM, Severity.HIGH])
        )
        number = new_tracking_number(agency, received.year)
        while number in used:
            number = new_tracking_number(agency, received.year)
        used.add(number)
        case = Case(
            agency=agency,
            tracking_number=number,
            service=rng.choice(service_list),
            channel=rng.choice(CHANNELS),
            topic=topics[topic_name],
            narrative=_narrative(rng, topic_name, urgent),
            remedy_wanted="Pay what I am owed." if topic_name in {"Late payment", "Wrong amount"} else "",
            contact_name="Demo Customer",
            contact_preference=Case.ContactPreference.EMAIL,
            contact_email=f"customer{index}@example.com",
            state_code=rng.choice(["MD", "CO", "WA", "MO", "VA", "TX"]),
            consent_to_publish=rng.random() < 0.3,
            severity=severity,
            urgency=Urgency.URGENT
            if urgent
            else rng.choice([Urgency.ROUTINE, Urgency.ROUTINE, Urgency.SOON]),
            office=office,
            handler=rng.choice(handlers) if handlers else None,
            policy=policies["critical"] if urgent else policies["standard"],
            received_at=received,
            acknowledged_at=received,
            assessed_at=received + dt.timedelta(hours=rng.uniform(1, 20)),
        )
        late = rng.random() < 0.15
        # A working agency settles most complaints within its policy: a critical one in days, a standard one in
        # weeks. What stays open is mostly recent and being worked; a few stuck cases have breached.
        settled_after = 4 if urgent else 30
        stuck = rng.random() < 0.05
        if days_ago > settled_after and not stuck:
            case.first_responded_at = received + dt.timedelta(
                hours=rng.uniform(150, 400) if late and days_ago > 35 else rng.uniform(3, 30)
            )
            closing = dt.timedelta(days=rng.uniform(20, 45) if late else rng.uniform(1, 12))
            case.closed_at = min(
                case.first_responded_at + closing, now - dt.timedelta(hours=rng.uniform(1, 48))
            )
            case.closed_at = max(case.closed_at, case.first_responded_at)
            case.last_update_at = case.closed_at
            case.state = Case.State.CLOSED
            case.outcome = rng.choice(list(Case.Outcome.values))
            case.dispute_until = case.closed_at + dt.timedelta(days=30)
        else:
            fresh = days_ago < 3
            case.state = rng.choice(
                [Case.State.ACKNOWLEDGED, Case.State.ASSESSED, Case.State.IN_PROGRESS]
                if fresh
                else [Case.State.IN_PROGRESS, Case.State.IN_PROGRESS, Case.State.WAITING]
            )
            if case.state == Case.State.ACKNOWLEDGED:
                case.assessed_at = None
            if case.state in {Case.State.IN_PROGRESS, Case.State.WAITING} and (
                not fresh or rng.random() < 0.5
            ):
                responded = received + dt.timedelta(hours=rng.uniform(2, min(30, days_ago * 24)))
                case.first_responded_at = min(responded, now)
                # Handlers write to the customer as the policy asks; a stuck case was left alone.
                since_update = rng.uniform(2, 60 if urgent else 200) if not stuck else days_ago * 24 * 0.9
                case.last_update_at = max(case.first_responded_at, now - dt.timedelta(hours=since_update))
            if case.state == Case.State.WAITING:
                case.waiting_since = (case.last_update_at or received) + dt.timedelta(hours=1)
                case.first_responded_at = case.first_responded_at or case.waiting_since
            case.refresh_clock()
        cases.append(case)
    Case.objects.bulk_create(cases, batch_size=500)
    events, messages, follow_ups = [], [], []
    for case in cases:
        events.append(CaseEvent(case=case, state=Case.State.RECEIVED, at=case.received_at))
        events.append(CaseEvent(case=case, state=Case.State.ACKNOWLEDGED, at=case.received_at))
        if case.first_responded_at:
            messages.append(
                CaseMessage(
                    case=case,
                    direction=CaseMessage.Direction.TO_CUSTOMER,
                    body="We are looking into your complaint and will write again soon.",
                    created_at=case.first_responded_at,
                )
            )
        if case.state == Case.State.CLOSED and case.closed_at:
            events.append(CaseEvent(case=case, state=Case.State.CLOSED, at=case.closed_at))
            messages.append(
                CaseMessage(
                    case=case,
                    direction=CaseMessage.Direction.TO_CUSTOMER,
                    body="We have corrected the problem. Thank you for telling us.",
                    created_at=case.closed_at,
                )
            )
            answered = rng.random() < 0.4
            follow_ups.append(
                SatisfactionFollowUp(
                    case=case,
                    token_hash=SatisfactionFollowUp.hash_token(f"demo-{case.tracking_number}"),
                    sent_at=case.closed_at,
                    resolved=(rng.random() < 0.7) if answered else None,
                    satisfaction=rng.choice([1, 2, 3, 4, 4, 5, 5]) if answered else None,
                    answered_at=case.closed_at + dt.timedelta(days=2) if answered else None,
                )
            )
        elif case.state != Case.State.ACKNOWLEDGED:
            events.append(CaseEvent(case=case, state=case.state, at=case.assessed_at or case.received_at))
    CaseEvent.objects.bulk_create(events, batch_size=1000)
    CaseMessage.objects.bulk_create(messages, batch_size=1000)
    SatisfactionFollowUp.objects.bulk_create(follow_ups, batch_size=1000)
    services.recount_handler_loads(agency)  # the cases above were made in bulk, past the services
    # Three folds, not five: the demo loads in every test that needs it; the admin's own training uses five.
    services.train_triage(agency=agency, folds=3)
    for case in Case.objects.filter(agency=agency, state__in=[Case.State.ACKNOWLEDGED, Case.State.ASSESSED])[
        :40
    ]:
        services.suggest_triage(case)
    _help_desk(agency, topics, handlers[0] if handlers else None)


ARTICLES = [
    (
        "Late payment",
        True,
        "When a monthly payment is late",
        "Payments go out on the second Wednesday of the month. If yours has not arrived three business days "
        "later, check that your bank details are current in your online account; we reissue a missed payment "
        "within five business days of a call to the National Contact Center.",
        "Cuando un pago mensual llega tarde",
        "Los pagos salen el segundo miércoles del mes. Si el suyo no ha llegado tres días hábiles después, "
        "revise que sus datos bancarios estén al día en su cuenta en línea; volvemos a emitir un pago perdido "
        "dentro de cinco días hábiles después de llamar al Centro Nacional de Contacto.",
    ),
    (
        "Lost documents",
        True,
        "Getting back documents you mailed us",
        "We return original documents within 30 days by tracked mail. If you have not received yours, ask for a "
        "document trace: we search the field office and the scanning center, and tell you within ten days.",
        "Cómo recuperar los documentos que nos envió",
        "Devolvemos los documentos originales en 30 días por correo con seguimiento. Si no ha recibido los "
        "suyos, pida un rastreo de documentos: buscamos en la oficina y en el centro de escaneo y le avisamos "
        "en diez días.",
    ),
    (
        "Website problems",
        True,
        "Signing in to your online account",
        "Use the same email address you registered with. After three failed tries the account locks for 30 "
        "minutes; reset your password from the sign-in page rather than trying again.",
        "Cómo entrar a su cuenta en línea",
        "Use el mismo correo electrónico con el que se registró. Después de tres intentos fallidos, la cuenta se "
        "bloquea durante 30 minutos; cambie su contraseña desde la página de entrada en lugar de volver a intentar.",
    ),
    (
        "Wrong amount",
        False,
        "Checking an overpayment deduction",
        "Open the payment history in the case system; a deduction needs a notice sent at least 30 days "
        "before. Without one, refer the case to the Baltimore Field Office to stop the deduction.",
        "",
        "",
    ),
]


def _email(sender: str, subject: str, body: str, message_id: str, in_reply_to: str = "") -> bytes:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, "complaints@ba.demo.example.gov", subject
    message["Message-ID"] = message_id
    if in_reply_to:
        message["In-Reply-To"], message["References"] = in_reply_to, in_reply_to
    message.set_content(body)
    return bytes(message)


def _emailed_reply(case: Case, handler: User, body: str, message_id: str) -> CaseMessage:
    """A handler's reply as it stands once emailed (the demo sends no mail): with the Message-ID it went out under."""
    return CaseMessage.objects.create(
        case=case,
        direction=CaseMessage.Direction.TO_CUSTOMER,
        author=handler,
        body=body,
        email_message_id=message_id,
    )


def _received(agency: Agency, raw: bytes) -> Case:
    case = inbound.receive(agency, raw).case
    services.complete_intake(case.pk, email=False)  # routed now, whatever the task queue does
    case.refresh_from_db()
    return case


def _help_desk(agency: Agency, topics: dict[str, Topic], handler: User | None) -> None:
    """Email-threaded cases, a merged duplicate, a likely duplicate flagged and left open, a split case, a bounce
    and the knowledge base's answers."""
    for topic_name, public, title, body, title_es, body_es in ARTICLES:
        article = Article.objects.create(
            agency=agency,
            title=title,
            body=body,
            title_es=title_es,
            body_es=body_es,
            public=public,
            helped=9 if public else 0,
            did_not_help=3 if public else 0,
        )
        article.topics.add(topics[topic_name])
    if handler is None:
        return
    maria = "Maria Lopez <maria.lopez@example.com>"
    thread = _received(
        agency,
        _email(
            maria,
            "My retirement payment did not arrive",
            "My retirement payment did not arrive this month. My bank says nothing came in.",
            "<demo-maria-1@mail.example.com>",
        ),
    )
    _emailed_reply(
        thread,
        handler,
        "We are sorry. Please confirm the last four digits of the account the payment goes to.",
        "<demo-reply-1@ba.demo.example.gov>",
    )
    inbound.receive(
        agency,
        _email(
            maria,
            f"Re: your complaint {thread.tracking_number}",
            "It ends in 4821.\n\nOn Monday the agency wrote:\n> Please confirm the last four digits",
            "<demo-maria-2@mail.example.com>",
            in_reply_to="<demo-reply-1@ba.demo.example.gov>",
        ),
    )
    _emailed_reply(
        thread,
        handler,
        "Thank you. The payment went to an old account; we have reissued it and it arrives on Friday.",
        "<demo-reply-2@ba.demo.example.gov>",
    )
    duplicate = _received(
        agency,
        _email(
            maria,
            "Payment missing",
            "I am writing again because my retirement payment is missing.",
            "<demo-maria-3@mail.example.com>",
        ),
    )
    services.merge_case(actor=handler, case=duplicate, into=thread)
    two_problems = _received(
        agency,
        _email(
            "Sam Okafor <sam.okafor@example.com>",
            "Two problems",
            "You lost the birth certificate I mailed in March. Also, the website will not let me log in.",
            "<demo-sam-1@mail.example.com>",
        ),
    )
    services.split_case(
        actor=handler, case=two_problems, narrative="The website will not let me log in to my account."
    )
    bounced = _received(
        agency,
        _email(
            "Lee Park <lee.park@example.net>",
            "Disability claim",
            "My disability claim has been pending for five months.",
            "<demo-lee-1@mail.example.net>",
        ),
    )
    _emailed_reply(
        bounced, handler, "We have your claim and are checking it.", "<demo-reply-3@ba.demo.example.gov>"
    )
    inbound.receive(agency, DEMO_BOUNCE.replace("\n", "\r\n").encode())
    # The same customer writes again before the first case is answered: flagged at intake, left for a handler to
    # merge or dismiss from the case page or the worklist.
    grace = "Grace Kim <grace.kim@example.org>"
    _received(
        agency,
        _email(
            grace,
            "Replacement card",
            "I asked for a replacement benefits card three weeks ago and it has not come. I cannot buy groceries.",
            "<demo-grace-1@mail.example.org>",
        ),
    )
    _received(
        agency,
        _email(
            grace,
            "Still no card",
            "Three weeks ago I asked for a replacement benefits card and it still has not come; I cannot buy "
            "groceries without it.",
            "<demo-grace-2@mail.example.org>",
        ),
    )


DEMO_BOUNCE = """From: Mail Delivery System <MAILER-DAEMON@mx.ba.demo.example.gov>
To: complaints@ba.demo.example.gov
Subject: Undelivered Mail Returned to Sender
Message-ID: <demo-bounce-1@mx.ba.demo.example.gov>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="DEMO"

--DEMO
Content-Type: text/plain

Your message could not be delivered.

--DEMO
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.ba.demo.example.gov

Final-Recipient: rfc822; lee.park@example.net
Action: failed
Status: 5.1.1

--DEMO
Content-Type: text/rfc822-headers

Message-ID: <demo-reply-3@ba.demo.example.gov>

--DEMO--
"""
