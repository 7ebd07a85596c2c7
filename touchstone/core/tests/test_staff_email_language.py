"""Staff read Touchstone's emails in the language they last signed in with: alert digests, complaint clock
warnings, standards at risk and OMB clearance warnings. An address that is no member's reads English."""

import datetime as dt
from typing import Any

from django.core import mail
from django.test import Client
from django.utils import timezone

from touchstone.conftest import PASSWORD, Personas
from touchstone.core.models import User
from touchstone.improvement import services as improvement
from touchstone.improvement.tests.factories import answer, consenting_survey, service_of
from touchstone.standards.models import BurnRateAlert
from touchstone.standards.services import notify_owner
from touchstone.standards.tests.helpers import make_service, make_standard
from touchstone.surveys.expiry import warn_expiring_surveys
from touchstone.surveys.models import Survey
from touchstone.surveys.tests.factories import published_survey


def speaks(user: User, language: str) -> None:
    User.objects.filter(pk=user.pk).update(language=language)


def test_signing_in_on_the_spanish_pages_makes_emails_spanish_and_on_the_english_ones_english(
    personas: Personas,
) -> None:
    client = Client()
    assert client.post("/es/sign-in/", {"username": "analyst-a", "password": PASSWORD}).status_code == 302
    personas.analyst_a.refresh_from_db()
    assert personas.analyst_a.language == "es"
    Client().post("/sign-in/", {"username": "analyst-a", "password": PASSWORD})
    personas.analyst_a.refresh_from_db()
    assert personas.analyst_a.language == "en"


def test_a_failed_sign_in_changes_nothing(personas: Personas) -> None:
    speaks(personas.analyst_a, "en")
    Client().post("/es/sign-in/", {"username": "analyst-a", "password": "wrong"})
    personas.analyst_a.refresh_from_db()
    assert personas.analyst_a.language == "en"


def test_the_alerts_page_says_which_language_the_emails_come_in(personas: Personas) -> None:
    client = Client()
    client.post("/es/sign-in/", {"username": "analyst-a", "password": PASSWORD})
    page = client.get(f"/es/manage/{personas.agency_a.slug}/improvement/alerts/").content.decode()
    assert "Los correos de Touchstone le llegan en español" in page
    client = Client()  # signed in afresh, on the English pages
    client.post("/sign-in/", {"username": "analyst-a", "password": PASSWORD})
    page = client.get(f"/manage/{personas.agency_a.slug}/improvement/alerts/").content.decode()
    assert "Emails from Touchstone come to you in English" in page


def test_the_digest_comes_in_each_followers_language_with_the_services_spanish_name(
    personas: Personas,
) -> None:
    service = service_of(personas.agency_a)
    service.name_es = "Renovar un permiso"
    service.save()
    survey = consenting_survey(personas.agency_a, service)
    improvement.save_rule(
        actor=None,
        agency=personas.agency_a,
        data={"service": None, "score_at_most": 2, "on_negative_comment": True, "owner": personas.handler_a},
    )
    answer(survey, satisfaction=1, may_we_contact="yes", went_badly="Slow.")
    (opened,) = improvement.open_follow_ups(personas.agency_a)
    opened.__class__.objects.filter(pk=opened.pk).update(due_at=opened.opened_at + dt.timedelta(hours=3))
    for person in (personas.analyst_a, personas.admin_a):
        improvement.set_following(actor=person, agency=personas.agency_a, service=service, follow=True)
    speaks(personas.analyst_a, "es")
    improvement.raise_alerts()
    assert improvement.send_digests() == 2
    by_reader = {message.to[0]: message for message in mail.outbox}
    spanish = by_reader[personas.analyst_a.email]
    assert spanish.subject == "Touchstone: alertas en los servicios que sigue"
    assert "Hay 1 alerta nueva en los servicios que sigue: Renovar un permiso." in spanish.body
    assert f"/es/manage/{personas.agency_a.slug}/improvement/alerts/" in spanish.body
    english = by_reader[personas.admin_a.email]
    assert english.subject == "Touchstone: alerts on the services you follow"
    assert f"services you follow: {service.name}." in english.body
    assert "/es/" not in english.body


def test_each_supervisor_is_warned_of_a_breach_in_their_own_language_in_a_message_of_their_own(
    personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    from touchstone.complaints import services as complaints
    from touchstone.complaints.tests.factories import standard_policy
    from touchstone.conftest import make_user
    from touchstone.core.models import Role

    second_admin = make_user("admin-a2", personas.agency_a, Role.ADMIN)
    speaks(second_admin, "es")
    standard_policy(personas, counting="calendar", acknowledge_hours=1, first_response_hours=2)
    case = complaints.file_complaint(
        agency=personas.agency_a,
        data={"narrative": "Please call me back.", "contact_email": "d@example.com"},
        received_at=timezone.now() - dt.timedelta(hours=5),
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        complaints.check_clocks()
    breaches = [message for message in mail.outbox if case.tracking_number in message.subject]
    assert all(len(message.to) == 1 for message in breaches), "no admin sees another's address"
    spanish = [m for m in breaches if m.to == [second_admin.email]]
    english = [m for m in breaches if m.to == [personas.admin_a.email]]
    assert spanish and english and len(spanish) == len(english)
    assert all(m.subject.startswith("Incumplimiento:") for m in spanish)
    assert all(m.subject.startswith("Breach:") for m in english)
    assert f"/es/manage/{personas.agency_a.slug}/complaints/" in spanish[0].body
    assert "Please call me back." not in spanish[0].body


def test_a_standard_at_risk_reaches_its_owner_in_their_language_and_a_shared_mailbox_in_english(
    personas: Personas,
) -> None:
    service = make_service(personas.agency_a)
    standard = make_standard(personas.agency_a, service, owner=personas.analyst_a)
    standard.statement_es = "Reembolsamos en 5 días hábiles, el 80% de las veces."
    standard.save()
    speaks(personas.analyst_a, "es")
    alert = BurnRateAlert(
        agency=personas.agency_a,
        standard=standard,
        raised_at=timezone.now(),
        long_window="1h",
        short_window="5m",
        threshold=14.4,
        long_rate=20.0,
        short_rate=21.5,
    )
    notify_owner(alert, personas.analyst_a.email.upper())  # typed by hand, in capitals
    notify_owner(alert, "refunds-team@example.gov")
    spanish, english = mail.outbox
    assert spanish.subject == "Norma en riesgo: Reembolsamos en 5 días hábiles, el 80% de las veces."
    assert "21,5" in spanish.body, "a Spanish reader's decimals have a comma"
    assert english.subject.startswith("Standard at risk: We refund within 5 business days")


def test_an_expiring_clearance_warns_each_reader_in_their_language(personas: Personas) -> None:
    today = dt.date(2026, 3, 1)
    survey = published_survey(personas.agency_a)
    Survey.objects.filter(pk=survey.pk).update(omb_expiration_date=today + dt.timedelta(days=30))
    speaks(personas.admin_a, "es")
    warn_expiring_surveys(today)
    by_reader = {message.to[0]: message for message in mail.outbox}
    assert by_reader[personas.admin_a.email].subject.startswith("La autorización de la OMB de")
    assert by_reader[personas.analyst_a.email].subject.startswith("The OMB clearance of")
