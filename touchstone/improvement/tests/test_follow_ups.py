"""Closing the loop with a customer: a low score or a comment on what did not go well, from a customer who agreed
to be contacted, opens a follow-up with an owner and a business-hours clock; nothing opens without consent."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from touchstone.conftest import Personas
from touchstone.core.models import AuditEntry
from touchstone.improvement import selectors, services
from touchstone.improvement.models import FollowUp, FollowUpRule
from touchstone.improvement.tests.factories import answer, consenting_survey, service_of

EASTERN = ZoneInfo("America/New_York")


def rule(personas: Personas, service=None, **extra) -> FollowUpRule:  # type: ignore[no-untyped-def]
    data = {"service": service, "score_at_most": 2, "on_negative_comment": True, "owner": personas.handler_a}
    return services.save_rule(actor=personas.admin_a, agency=personas.agency_a, data={**data, **extra})


@pytest.fixture
def survey(personas: Personas):  # type: ignore[no-untyped-def]
    return consenting_survey(personas.agency_a, service_of(personas.agency_a))


def test_a_low_score_from_a_customer_who_agreed_opens_a_follow_up_for_the_rules_owner(
    personas, survey
) -> None:
    rule(personas)
    response = answer(survey, satisfaction=1, may_we_contact="yes")
    opened = services.open_follow_ups(personas.agency_a)
    assert [f.response_id for f in opened] == [response.pk]
    assert opened[0].owner == personas.handler_a
    assert opened[0].reason == FollowUp.Reason.LOW_SCORE
    assert opened[0].service == survey.service
    assert AuditEntry.objects.filter(object_type="followup", action="created").exists()


def test_nothing_opens_for_a_customer_who_did_not_agree_to_be_contacted(personas, survey) -> None:
    rule(personas)
    answer(survey, satisfaction=1, may_we_contact="no", went_badly="Everything.")
    answer(survey, satisfaction=1)  # did not answer the consent question at all
    assert services.open_follow_ups(personas.agency_a) == []
    assert not FollowUp.objects.exists()


def test_a_comment_on_what_did_not_go_well_opens_one_when_the_rule_says_so(personas, survey) -> None:
    rule(personas, score_at_most=None)
    answer(survey, may_we_contact="yes", went_badly="Nobody called me back.")
    answer(survey, satisfaction=1, may_we_contact="yes")  # a low score, but this rule asks only for comments
    opened = services.open_follow_ups(personas.agency_a)
    assert [f.reason for f in opened] == [FollowUp.Reason.COMMENT]


def test_a_good_score_opens_nothing_and_each_answer_opens_at_most_once(personas, survey) -> None:
    rule(personas)
    answer(survey, may_we_contact="yes")
    answer(survey, satisfaction=2, may_we_contact="yes")
    assert len(services.open_follow_ups(personas.agency_a)) == 1
    assert services.open_follow_ups(personas.agency_a) == []


def test_a_services_own_rule_routes_before_the_rule_for_every_service(personas, survey) -> None:
    rule(personas, owner=personas.admin_a)
    rule(personas, service=survey.service, owner=personas.handler_a)
    answer(survey, satisfaction=1, may_we_contact="yes")
    (opened,) = services.open_follow_ups(personas.agency_a)
    assert opened.owner == personas.handler_a


def test_without_a_rule_nothing_opens(personas, survey) -> None:
    answer(survey, satisfaction=1, may_we_contact="yes")
    assert services.open_follow_ups(personas.agency_a) == []


def test_the_clock_counts_business_hours_as_the_complaints_clocks_do(personas, survey) -> None:
    rule(personas, hours_to_close=16)
    friday_afternoon = dt.datetime(2026, 11, 20, 16, 0, tzinfo=EASTERN)
    response = answer(survey, satisfaction=1, may_we_contact="yes")
    type(response).objects.filter(pk=response.pk).update(
        submitted_at=friday_afternoon - dt.timedelta(hours=1)
    )
    (opened,) = services.open_follow_ups(personas.agency_a, now=friday_afternoon)
    # 1 hour on Friday, 8 on Monday, 7 on Tuesday: due Tuesday at 16:00.
    assert opened.due_at.astimezone(EASTERN) == dt.datetime(2026, 11, 24, 16, 0, tzinfo=EASTERN)


def test_closing_records_the_outcome_and_it_counts_on_the_service_page(personas, survey) -> None:
    rule(personas)
    answer(survey, satisfaction=1, may_we_contact="yes")
    (opened,) = services.open_follow_ups(personas.agency_a)
    services.close_follow_up(
        actor=personas.handler_a, follow_up=opened, outcome="resolved", note="Called back."
    )
    opened.refresh_from_db()
    assert opened.state == "closed" and opened.closed_at is not None
    with pytest.raises(ValidationError):
        services.close_follow_up(actor=personas.handler_a, follow_up=opened, outcome="resolved")
    page = selectors.service_page(personas.agency_a, survey.service, personas.viewer_a)
    assert page.follow_ups.closed == 1 and page.follow_ups.closed_in_time == 1
    assert page.follow_ups.outcomes == [("Put right", 1)]


def test_a_rule_must_say_what_opens_a_follow_up(personas) -> None:
    with pytest.raises(ValidationError):
        rule(personas, score_at_most=None, on_negative_comment=False)


def test_the_handler_sees_the_customers_answers_and_closes_it_on_the_page(personas, survey) -> None:
    rule(personas)
    answer(survey, satisfaction=1, may_we_contact="yes", contact_email="pat@example.com")
    (opened,) = services.open_follow_ups(personas.agency_a)
    handler = personas.client(personas.handler_a)
    url = f"/manage/{personas.agency_a.slug}/improvement/follow-ups/{opened.pk}/"
    assert "pat@example.com" in handler.get(url).content.decode()
    listing = handler.get(f"/manage/{personas.agency_a.slug}/improvement/follow-ups/").content.decode()
    assert f"Follow-up {opened.pk}" in listing and "pat@example.com" not in listing
    assert handler.post(url, {"outcome": "explained", "note": ""}).status_code == 302
    opened.refresh_from_db()
    assert opened.outcome == "explained"
