"""Alerts that matter: a person follows a service and is told, in Touchstone and by one email digest that carries
no answer or comment, when something moves; each event alerts once, and nobody hears about a service they do
not follow."""

import datetime as dt

import pytest
from django.core import mail

from touchstone.conftest import Personas
from touchstone.improvement import services
from touchstone.improvement.models import Alert, FollowUp
from touchstone.improvement.tests.factories import answer, consenting_survey, service_of

SECRET_COMMENT = "My neighbour Jo Bloggs at 12 Elm Street was rude to me"


@pytest.fixture
def due_soon(personas: Personas) -> FollowUp:
    service = service_of(personas.agency_a)
    survey = consenting_survey(personas.agency_a, service)
    services.save_rule(
        actor=None,
        agency=personas.agency_a,
        data={"service": None, "score_at_most": 2, "on_negative_comment": True, "owner": personas.handler_a},
    )
    answer(survey, satisfaction=1, may_we_contact="yes", went_badly=SECRET_COMMENT)
    (opened,) = services.open_follow_ups(personas.agency_a)
    FollowUp.objects.filter(pk=opened.pk).update(due_at=opened.opened_at + dt.timedelta(hours=3))
    return opened


def test_a_follower_is_told_once_when_a_follow_up_is_about_to_miss_its_clock(personas, due_soon) -> None:
    services.set_following(
        actor=personas.analyst_a, agency=personas.agency_a, service=due_soon.service, follow=True
    )
    assert services.raise_alerts() == 1
    assert services.raise_alerts() == 0
    (alert,) = Alert.objects.filter(user=personas.analyst_a)
    assert alert.kind == Alert.Kind.FOLLOW_UP_DUE
    page = personas.client(personas.analyst_a).get(f"/manage/{personas.agency_a.slug}/improvement/alerts/")
    assert alert.text in page.content.decode()


def test_nobody_who_does_not_follow_the_service_is_told(personas, due_soon) -> None:
    services.raise_alerts()
    assert not Alert.objects.exists()


def test_the_digest_is_one_email_with_a_count_and_a_link_and_no_response_content(personas, due_soon) -> None:
    services.set_following(
        actor=personas.analyst_a, agency=personas.agency_a, service=due_soon.service, follow=True
    )
    services.set_following(
        actor=personas.admin_a, agency=personas.agency_a, service=due_soon.service, follow=True
    )
    services.raise_alerts()
    assert services.send_digests() == 2
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        assert "1 new alert" in message.body and "/improvement/alerts/" in message.body
        assert SECRET_COMMENT not in message.body and SECRET_COMMENT not in message.subject
        assert "Elm Street" not in message.body
    assert services.send_digests() == 0  # each alert is emailed once


def test_following_is_a_button_on_the_service_page(personas, due_soon) -> None:
    client = personas.client(personas.viewer_a)
    url = f"/manage/{personas.agency_a.slug}/improvement/services/{due_soon.service_id}/follow/"
    assert client.post(url, {"follow": "yes"}).status_code == 302
    assert client.get(url).status_code == 405
    from touchstone.improvement.models import ServiceFollower

    assert ServiceFollower.objects.filter(user=personas.viewer_a).count() == 1
    client.post(url, {"follow": "no"})
    assert not ServiceFollower.objects.filter(user=personas.viewer_a).exists()
