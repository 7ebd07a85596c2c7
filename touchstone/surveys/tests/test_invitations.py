"""Email invitations: a list of contacts becomes one-time links sent by email, with one reminder, an unsubscribe,
AAPOR dispositions and response rates; the addresses go once the survey no longer needs them."""

import datetime as dt
import re
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from touchstone.catalog.tests.factories import published_service
from touchstone.conftest import Personas
from touchstone.stats.aapor import Dispositions, outcome_rates
from touchstone.surveys import invitations, services
from touchstone.surveys.models import Invitation, Response, Survey
from touchstone.surveys.tests.factories import published_survey

D = Invitation.Disposition


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks: Any) -> Any:
    """Run the tasks each service enqueues after its commit, as production does."""

    def run(action: Any, *args: Any, **kwargs: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


def invitations_url(survey: Survey, name: str = "invitations", *extra: Any) -> str:
    return reverse(f"manage:surveys:{name}", args=[survey.agency.slug, survey.pk, *extra])


def upload(client: Client, survey: Survey, text: str) -> Any:
    csv_file = SimpleUploadedFile("contacts.csv", text.encode(), content_type="text/csv")
    return client.post(invitations_url(survey, "invitations-upload"), {"contacts": csv_file})


def invite(survey: Survey, *emails: str) -> list[Invitation]:
    data = "email\n" + "\n".join(emails) + "\n"
    invitations.add_contacts(actor=None, survey=survey, data=data.encode())
    return list(Invitation.objects.filter(survey=survey, email__in=emails).order_by("pk"))


def link_in(message: Any, name: str = "entry") -> str:
    """The path of the English link of that kind in an email."""
    pattern = r"https?://[^/\s]+(/s/\w+/i/[\w-]+/)" + ("unsubscribe/" if name == "unsubscribe" else r"(?=\s)")
    found = re.search(pattern, message.body)
    assert found, message.body
    return found.group(1) + ("unsubscribe/" if name == "unsubscribe" else "")


def test_a_list_of_contacts_becomes_invitations_with_only_a_hash_of_each_token(personas: Personas) -> None:
    survey = published_survey(personas.agency_a)
    service = published_service(personas.agency_a, "Passport renewal")
    response = upload(
        personas.client(personas.analyst_a),
        survey,
        f"Email,service,channel,name\nana@example.com,{service.slug},email,Ana\nbo@example.com,,,Bo\n",
    )
    assert response.status_code == 302
    stored = list(Invitation.objects.filter(survey=survey).order_by("email"))
    assert [(i.email, i.service, i.channel, i.disposition) for i in stored] == [
        ("ana@example.com", service, "email", "pending"),
        ("bo@example.com", None, "", "pending"),
    ]
    token = invitations.invitation_token(stored[0])
    assert stored[0].token_hash == Invitation.hash_token(token) and token not in stored[0].token_hash


def test_uploading_contacts_with_a_bad_line_names_every_bad_line_and_adds_nothing(personas: Personas) -> None:
    survey = published_survey(personas.agency_a)
    response = upload(
        personas.client(personas.analyst_a),
        survey,
        "email,service,channel\n"
        "ana@example.com,,\n"
        "not-an-address,,\n"
        "ana@example.com,,\n"
        "bo@example.com,no-such-service,carrier-pigeon\n",
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Nothing was added" in html
    assert "Line 3: “not-an-address” is not an email address." in html
    assert "Line 4: ana@example.com is already on line 2." in html
    assert "Line 5: there is no service “no-such-service” in this agency" in html
    assert "Line 5: “carrier-pigeon” is not a channel" in html
    assert not Invitation.objects.exists()


def test_a_list_without_an_email_column_is_refused(personas: Personas) -> None:
    survey = published_survey(personas.agency_a)
    with pytest.raises(invitations.ContactsRefused, match="Line 1: The first line must name the columns"):
        invitations.add_contacts(actor=None, survey=survey, data=b"address\nana@example.com\n")


def test_contacts_are_only_taken_for_a_published_survey(personas: Personas) -> None:
    survey = services.create_survey(actor=None, agency=personas.agency_a, data={"title": "Draft"})
    response = upload(personas.client(personas.analyst_a), survey, "email\nana@example.com\n")
    assert response.status_code == 400 and "publish it first" in response.content.decode()
    assert not Invitation.objects.exists()


def test_invitations_are_sent_by_email_with_a_working_link(personas: Personas, run_on_commit: Any) -> None:
    survey = published_survey(personas.agency_a, title="Tell us about your visit", title_es="Cuéntenos")
    invite(survey, "ana@example.com", "bo@example.com")
    response = run_on_commit(
        personas.client(personas.analyst_a).post, invitations_url(survey, "invitations-send")
    )
    assert response.status_code == 302
    assert sorted(m.to[0] for m in mail.outbox) == ["ana@example.com", "bo@example.com"]
    message = next(m for m in mail.outbox if m.to == ["ana@example.com"])
    assert "Tell us about your visit" in message.subject
    assert "Cuéntenos" in message.body and "/es/s/" in message.body  # the Spanish part has its own link
    assert "OMB Control No. 1090-0011" in message.body
    assert message.extra_headers["List-Unsubscribe"].startswith("<http")
    assert Invitation.objects.filter(survey=survey, sent_at__isnull=False).count() == 2
    page = Client().get(link_in(message))
    assert page.status_code == 200 and "I am satisfied with the service I received." in page.content.decode()
    # A second press of the button sends nothing again.
    run_on_commit(personas.client(personas.analyst_a).post, invitations_url(survey, "invitations-send"))
    assert len(mail.outbox) == 2


def test_a_complete_answer_through_the_link_marks_the_invitation_complete(personas: Personas) -> None:
    service = published_service(personas.agency_a, "Passport renewal")
    survey = published_survey(personas.agency_a)
    [invitation] = invite(survey, "ana@example.com")
    Invitation.objects.filter(pk=invitation.pk).update(service=service, channel="email")
    url = f"/s/{survey.short_code}/i/{invitations.invitation_token(invitation)}/"
    response = Client().post(url, {"page": "0", "satisfaction": "5"})
    assert response.status_code == 200 and "Your answers were received." in response.content.decode()
    invitation.refresh_from_db()
    stored = Response.objects.get(survey=survey)
    assert (invitation.disposition, invitation.response, invitation.responded_at is not None) == (
        "complete",
        stored,
        True,
    )
    assert (stored.source, stored.service, stored.channel) == ("email", service, "email")


def test_a_token_answers_once_and_a_second_use_is_told_politely(personas: Personas) -> None:
    survey = published_survey(personas.agency_a)
    [invitation] = invite(survey, "ana@example.com")
    url = f"/s/{survey.short_code}/i/{invitations.invitation_token(invitation)}/"
    Client().post(url, {"page": "0", "satisfaction": "5"})
    again = Client().post(url, {"page": "0", "satisfaction": "1"})
    assert again.status_code == 200 and "You have already answered" in again.content.decode()
    assert "already answered" in Client().get(url).content.decode()
    assert Response.objects.filter(survey=survey).count() == 1


def test_a_wrong_token_finds_nothing(personas: Personas) -> None:
    survey = published_survey(personas.agency_a)
    invite(survey, "ana@example.com")
    assert Client().get(f"/s/{survey.short_code}/i/not-a-real-token/").status_code == 404


def test_a_bad_answer_through_the_link_leaves_the_invitation_pending(personas: Personas) -> None:
    survey = published_survey(personas.agency_a)
    [invitation] = invite(survey, "ana@example.com")
    url = f"/s/{survey.short_code}/i/{invitations.invitation_token(invitation)}/"
    response = Client().post(url, {"page": "0", "ease": "9"})
    assert response.status_code == 400
    invitation.refresh_from_db()
    assert invitation.disposition == "pending" and not Response.objects.exists()


def test_a_page_saved_part_way_marks_the_invitation_partial_then_complete(personas: Personas) -> None:
    survey = published_survey(personas.agency_a, blueprint="servqual")
    version = survey.current_version
    assert version is not None and len(version.schema["pages"]) > 1
    [invitation] = invite(survey, "ana@example.com")
    token = invitations.invitation_token(invitation)
    url = f"/s/{survey.short_code}/i/{token}/"
    first_page = {q["key"]: "4" for q in version.schema["pages"][0]["questions"] if q["kind"] != "display"}
    response = Client().post(url, {"page": "0", **first_page})
    assert response.status_code == 302 and response["Location"].startswith(url + "?page=1&resume=")
    invitation.refresh_from_db()
    assert invitation.disposition == "partial" and invitation.response is not None
    resume = response["Location"].split("resume=")[1]
    second_page = {q["key"]: "4" for q in version.schema["pages"][1]["questions"] if q["kind"] != "display"}
    finished = Client().post(url, {"page": "1", "resume": resume, **second_page})
    assert finished.status_code == 200, finished.content.decode()[:2000]
    invitation.refresh_from_db()
    assert invitation.disposition == "complete" and invitation.response.status == "complete"


def test_reminders_go_once_only_to_those_who_have_not_answered_and_not_to_the_unsubscribed(
    personas: Personas, run_on_commit: Any
) -> None:
    survey = published_survey(personas.agency_a)
    answered, waiting, stopped, recent, refused = invite(
        survey, "a@example.com", "w@example.com", "s@example.com", "r@example.com", "x@example.com"
    )
    ten_days_ago = timezone.now() - dt.timedelta(days=10)
    Invitation.objects.filter(survey=survey).update(sent_at=ten_days_ago)
    Invitation.objects.filter(pk=recent.pk).update(sent_at=timezone.now())
    Invitation.objects.filter(pk=answered.pk).update(disposition=D.COMPLETE)
    Invitation.objects.filter(pk=refused.pk).update(disposition=D.REFUSAL)
    invitations.unsubscribe(stopped)
    run_on_commit(call_command, "send_survey_reminders", "--days", "7")
    assert [m.to for m in mail.outbox] == [["w@example.com"]]
    assert "This is the only reminder." in mail.outbox[0].body
    # Once only, whether by the command again or by the button.
    run_on_commit(call_command, "send_survey_reminders", "--days", "7")
    run_on_commit(
        personas.client(personas.analyst_a).post, invitations_url(survey, "invitations-remind"), {"days": "0"}
    )
    assert [m.to for m in mail.outbox] == [["w@example.com"], ["r@example.com"]]


def test_unsubscribe_works_without_sign_in_and_stops_all_mail(personas: Personas, run_on_commit: Any) -> None:
    survey = published_survey(personas.agency_a)
    invite(survey, "ana@example.com")
    run_on_commit(invitations.send_invitations, actor=None, survey=survey)
    link = link_in(mail.outbox[0], "unsubscribe")
    client = Client(enforce_csrf_checks=True)
    page = client.get(link)
    assert page.status_code == 200 and "Stop emails about this survey" in page.content.decode()
    done = client.post(link)  # as a mail program's one-click button does: no cookie, no CSRF token
    assert done.status_code == 200 and "You will get no more email" in done.content.decode()
    invitation = Invitation.objects.get(survey=survey)
    assert invitation.unsubscribed_at is not None
    Invitation.objects.filter(pk=invitation.pk).update(sent_at=timezone.now() - dt.timedelta(days=30))
    run_on_commit(invitations.send_reminders, actor=None, days=1)
    assert len(mail.outbox) == 1


def test_purge_blanks_emails_but_keeps_dispositions(personas: Personas) -> None:
    closed_long_ago = published_survey(personas.agency_a, title="Closed long ago")
    closed_recently = published_survey(personas.agency_a, title="Closed recently")
    still_open = published_survey(personas.agency_a, title="Open")
    old = invite(closed_long_ago, "a@example.com", "b@example.com")
    recent = invite(closed_recently, "c@example.com")
    open_ones = invite(still_open, "d@example.com", "e@example.com")
    Invitation.objects.filter(pk=old[0].pk).update(disposition=D.COMPLETE)
    Invitation.objects.filter(pk=old[1].pk).update(disposition=D.UNDELIVERABLE)
    invitations.unsubscribe(open_ones[0])
    for survey in (closed_long_ago, closed_recently):
        services.change_status(actor=None, survey=survey, status=Survey.Status.CLOSED)
    Survey.objects.filter(pk=closed_long_ago.pk).update(updated_at=timezone.now() - dt.timedelta(days=31))
    counts_before = invitations.disposition_counts(closed_long_ago)
    call_command("purge_survey_contacts", "--days", "30")
    emails = dict(Invitation.objects.values_list("pk", "email"))
    assert emails[old[0].pk] == emails[old[1].pk] == ""
    assert emails[recent[0].pk] == "c@example.com"
    assert emails[open_ones[0].pk] == ""  # unsubscribed: at once
    assert emails[open_ones[1].pk] == "e@example.com"
    assert invitations.disposition_counts(closed_long_ago) == counts_before
    assert [i.disposition for i in Invitation.objects.filter(survey=closed_long_ago)] == [
        "complete",
        "undeliverable",
    ]


def test_the_rates_page_shows_the_numbers_of_touchstone_stats_aapor(personas: Personas) -> None:
    survey = published_survey(personas.agency_a)
    # DOMAIN.md's check: I=4, P=2, R=1, NC=1, O=1, UH=1, UO=1, NE=1.
    plan = [D.COMPLETE] * 4 + [D.PARTIAL] * 2 + [D.REFUSAL, D.NON_CONTACT, D.OTHER, D.UNDELIVERABLE]
    plan += [D.PENDING, D.NOT_ELIGIBLE]
    created = invite(survey, *[f"p{n}@example.com" for n in range(len(plan))])
    for invitation, disposition in zip(created, plan, strict=True):
        Invitation.objects.filter(pk=invitation.pk).update(disposition=disposition, sent_at=timezone.now())
    invite(survey, "not-sent-yet@example.com")
    client = personas.client(personas.viewer_a)
    html = client.get(invitations_url(survey) + "?e=0.9").content.decode()
    expected = outcome_rates(Dispositions(I=4, P=2, R=1, NC=1, O=1, UH=1, UO=1, NE=1, e=0.9))
    assert round(expected.rr3 or 0, 3) == 0.370
    for name in ["rr1", "rr2", "rr3", "rr4", "rr5", "rr6", "coop1", "coop4", "ref2", "con3"]:
        value = f"{getattr(expected, name) * 100:.1f} %"
        assert re.search(
            rf">{name.upper()}</abbr>.*?<td class=\"text-right\">{re.escape(value)}</td>", html, re.S
        )
    assert "1 not sent yet, not counted" in html
    assert "not-sent-yet@example.com" not in html  # a viewer sees the counts, not the addresses
    # Without e, the estimate from the dispositions: 9 eligible of 10 known.
    default_html = client.get(invitations_url(survey)).content.decode()
    assert "e = 0.900" in default_html
    assert "nan" not in default_html.lower()


def test_a_survey_without_invitations_shows_no_nan(personas: Personas) -> None:
    survey = published_survey(personas.agency_a)
    html = personas.client(personas.analyst_a).get(invitations_url(survey) + "?e=").content.decode()
    assert "nan" not in html.lower() and "RR1" in html and "—" in html


def test_staff_set_a_disposition_by_hand_and_by_a_list_of_bounces(personas: Personas) -> None:
    survey = published_survey(personas.agency_a)
    first, second, third = invite(survey, "a@example.com", "B@example.com", "c@example.com")
    client = personas.client(personas.analyst_a)
    client.post(invitations_url(survey, "invitation-disposition", first.pk), {"disposition": "refusal"})
    client.post(
        invitations_url(survey, "invitations-dispositions"),
        {"emails": "b@example.com\nnobody@example.com", "disposition": "undeliverable"},
    )
    assert list(Invitation.objects.order_by("pk").values_list("disposition", flat=True)) == [
        "refusal",
        "undeliverable",
        "pending",
    ]


def test_a_viewer_cannot_change_invitations(personas: Personas) -> None:
    survey = published_survey(personas.agency_a)
    [invitation] = invite(survey, "a@example.com")
    client = personas.client(personas.viewer_a)
    assert client.post(invitations_url(survey, "invitations-send")).status_code == 403
    url = invitations_url(survey, "invitation-disposition", invitation.pk)
    assert client.post(url, {"disposition": "refusal"}).status_code == 403


def test_another_agency_cannot_see_the_invitations(personas: Personas) -> None:
    survey = published_survey(personas.agency_a)
    [invitation] = invite(survey, "a@example.com")
    outsider = personas.client(personas.admin_b)
    assert outsider.get(invitations_url(survey)).status_code == 404
    own_address = reverse("manage:surveys:invitations", args=[personas.agency_b.slug, survey.pk])
    assert outsider.get(own_address).status_code == 404
    url = reverse(
        "manage:surveys:invitation-disposition", args=[personas.agency_b.slug, survey.pk, invitation.pk]
    )
    assert outsider.post(url, {"disposition": "refusal"}).status_code == 404
    assert Invitation.objects.get().disposition == "pending"


def test_the_invitations_page_does_not_grow_with_its_rows(
    personas: Personas, django_assert_max_num_queries: Any
) -> None:
    survey = published_survey(personas.agency_a)
    invite(survey, *[f"p{n}@example.com" for n in range(3)])
    client = personas.client(personas.analyst_a)
    client.get(invitations_url(survey))
    with django_assert_max_num_queries(12) as few:
        client.get(invitations_url(survey))
    invite(survey, *[f"q{n}@example.com" for n in range(40)])
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(invitations_url(survey))
