"""The background work: the hourly recount of a service's monthly figures, the round that opens follow-ups and
raises alerts, and the digest, each through django.tasks (run at once in tests)."""

import datetime as dt

from django.core import mail

from touchstone.conftest import Personas
from touchstone.improvement import services, tasks
from touchstone.improvement.models import Alert, FollowUp, ServiceMonth
from touchstone.improvement.tests.factories import answer, consenting_survey, service_of


def test_the_tasks_recount_open_alert_and_send_one_digest(personas: Personas) -> None:
    service = service_of(personas.agency_a)
    survey = consenting_survey(personas.agency_a, service)
    services.save_rule(
        actor=None,
        agency=personas.agency_a,
        data={"service": None, "score_at_most": 2, "on_negative_comment": False, "owner": personas.handler_a},
    )
    services.set_following(actor=personas.handler_a, agency=personas.agency_a, service=service, follow=True)
    answer(survey, satisfaction=1, may_we_contact="yes")
    tasks.refresh_service_months.enqueue(service.pk)
    assert ServiceMonth.objects.filter(service=service, key="satisfaction").exists()
    tasks.follow_ups_and_alerts.enqueue()
    assert FollowUp.objects.filter(service=service).count() == 1
    FollowUp.objects.update(due_at=FollowUp.objects.get().opened_at + dt.timedelta(hours=2))
    tasks.follow_ups_and_alerts.enqueue()
    assert Alert.objects.filter(user=personas.handler_a).count() == 1
    alert = Alert.objects.get(user=personas.handler_a)
    assert alert.text.startswith("Follow-up") and alert.text_es.startswith("El seguimiento")
    # Each reader sees the alert in the language of their page.
    page = personas.client(personas.handler_a).get(f"/es/manage/{personas.agency_a.slug}/improvement/alerts/")
    assert alert.text_es in page.content.decode() and alert.text not in page.content.decode()
    tasks.alert_digests.enqueue()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [personas.handler_a.email]
