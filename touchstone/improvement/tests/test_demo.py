"""The demo tells the story end to end: a slipping standard, the complaints that rose with it, the barrier staff
reported, the action taken and the measured recovery; and a low score followed up and closed."""

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from touchstone.core.models import Agency, User
from touchstone.improvement.models import Alert, FollowUp, ImprovementAction


@pytest.fixture
def demo(db: Any) -> Agency:
    call_command("load_demo", stdout=io.StringIO())
    return Agency.objects.get(abbreviation="BA")


def signed_in(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def test_the_appeal_line_story_reads_from_signal_to_measured_recovery(demo: Agency) -> None:
    action = ImprovementAction.objects.get(agency=demo, service__slug="disability-appeal")
    assert action.board_item is not None and action.topic is not None and action.standard is not None
    page = signed_in("analyst").get(f"/manage/ba/improvement/services/{action.service_id}/").content.decode()
    assert "Call-backs instead of hold on the appeal line" in page
    assert "Long wait times" in page  # the complaints that rose with the slip
    assert "It worked." in page
    assert "95% interval" in page
    detail = signed_in("viewer").get(f"/manage/ba/improvement/actions/{action.pk}/").content.decode()
    assert "It worked" in detail


def test_a_low_score_from_a_consenting_customer_is_followed_up_and_another_was_closed(demo: Agency) -> None:
    follow_ups = FollowUp.objects.filter(agency=demo)
    assert follow_ups.filter(state="open", reason="low_score").count() == 1
    assert follow_ups.filter(state="closed", outcome="resolved").count() == 1
    assert follow_ups.count() == 2  # the low score without consent opened nothing


def test_the_analyst_who_follows_the_services_has_alerts(demo: Agency) -> None:
    assert Alert.objects.filter(agency=demo, user__username="analyst").exists()
