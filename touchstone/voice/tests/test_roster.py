"""Links go to the HR roster; a send to fewer people than the minimum, or outside the roster, needs a second admin.
The known-respondents attack (links to addresses the analyst controls) meets that second admin first."""

import re
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from touchstone.conftest import Personas, make_user
from touchstone.core.importing import ImportFailed, run_import
from touchstone.core.models import AuditEntry, Role
from touchstone.surveys.models import Survey
from touchstone.voice import selectors, services
from touchstone.voice.models import EligibilityToken, RosterEntry, SendRequest
from touchstone.voice.tests.factories import employee_survey, release

LINK = re.compile(r"/e/([A-Za-z0-9_-]{20,})/")


def roster_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "roster.csv"
    path.write_text(text, encoding="utf-8")
    return path


def roster_of(count: int, grade: str = "GS-11", start: int = 0) -> str:
    return "".join(f"person{n}@example.gov,Claims,{grade}\n" for n in range(start, start + count))


def url(name: str, personas: Personas, *args: Any) -> str:
    return reverse(f"manage:voice:{name}", args=[personas.agency_a.slug, *args])


@pytest.fixture
def rostered(personas: Personas, tmp_path: Path) -> Survey:
    """A roster of 36: 22 at GS-11, 12 at GS-12, 2 at GS-15 (too few to carry their grade); grade is a breakdown."""
    text = (
        "email,office,grade\n"
        + roster_of(22)
        + roster_of(12, "GS-12", start=22)
        + roster_of(2, "GS-15", start=34)
    )
    run_import(
        "employee-roster", roster_file(tmp_path, text), agency=personas.agency_a, actor=personas.admin_a
    )
    survey = employee_survey(personas.agency_a)
    services.set_breakdowns(actor=personas.admin_a, survey=survey, keys=["grade"])
    return survey


def test_the_roster_imports_all_or_nothing_with_each_bad_line_named(
    personas: Personas, tmp_path: Path
) -> None:
    bad = "email,office\npat@example.gov,Claims\nnot-an-address,Claims\npat@example.gov,Appeals\n"
    with pytest.raises(ImportFailed) as failed:
        run_import("employee-roster", roster_file(tmp_path, bad), agency=personas.agency_a)
    problems = [str(problem) for problem in failed.value.problems]
    assert problems[0].startswith("line 3, column email")
    assert problems[1].startswith("line 4, column email") and "also on line 2" in problems[1]
    assert not RosterEntry.objects.exists()


def test_the_roster_imports_through_the_import_command_and_replaces_the_last_one(
    personas: Personas, tmp_path: Path
) -> None:
    path = roster_file(
        tmp_path, "email,Office,Pay Plan\nPAT@example.gov,Claims,GS\nlee@example.gov,Appeals,GS\n"
    )
    call_command("import", "employee-roster", str(path), "--agency", "AAA", stdout=StringIO())
    assert dict(RosterEntry.objects.values_list("email", "attributes")) == {
        "pat@example.gov": {"office": "Claims", "pay_plan": "GS"},
        "lee@example.gov": {"office": "Appeals", "pay_plan": "GS"},
    }
    run_import("employee-roster", roster_file(tmp_path, "email\nkim@example.gov\n"), agency=personas.agency_a)
    assert list(RosterEntry.objects.values_list("email", flat=True)) == ["kim@example.gov"]
    assert AuditEntry.objects.filter(action="imported the employee roster").count() == 2


def test_a_send_to_the_roster_goes_at_once_and_links_carry_only_attributes_many_share(
    personas: Personas, rostered: Survey, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = personas.client(personas.analyst_a).post(
            url("survey-links", personas, rostered.pk), {"roster": "on"}
        )
    assert response.status_code == 302
    assert len(mail.outbox) == 36 and not SendRequest.objects.exists()
    carried = sorted(str(a) for a in EligibilityToken.objects.values_list("attributes", flat=True))
    assert carried.count("{'grade': 'GS-11'}") == 22 and carried.count("{}") == 2  # GS-15 is two people
    tokens = {m.to[0]: LINK.search(m.body).group(1) for m in mail.outbox}  # type: ignore[union-attr]
    for email, token in tokens.items():
        services.submit_answers(token=token, raw={"engaged": "4" if "1" in email else "1", "heard": "4"})
    release(rostered)
    grade = next(b for b in selectors.survey_results(rostered).breakdowns if b.key == "grade")
    rows = {row.label: row.respondents for row in grade.rows}
    # The two without a grade are hidden, and GS-12 with them as cover, so 36 - 22 - 12 gives nothing.
    assert rows == {"GS-11": 22, "GS-12": None, "GS-15": None, "No answer": None}
    assert "GS-15" in rows  # every value on the roster is listed, answered or not


def test_a_send_to_fewer_than_the_minimum_waits_for_a_second_admin_who_is_audited(
    personas: Personas, rostered: Survey, django_capture_on_commit_callbacks: Any
) -> None:
    outcome = services.send_links(actor=personas.admin_a, survey=rostered, emails=["person1@example.gov"])
    assert outcome.sent is None and outcome.request is not None
    assert not EligibilityToken.objects.exists() and not mail.outbox
    request = outcome.request
    with pytest.raises(ValidationError, match="second admin"):
        services.decide_send(actor=personas.admin_a, request=request, approve=True)
    with pytest.raises(ValidationError, match="agency admin"):
        services.decide_send(actor=personas.analyst_a, request=request, approve=True)
    second = make_user("admin-two", personas.agency_a, Role.ADMIN)
    with django_capture_on_commit_callbacks(execute=True):
        services.decide_send(actor=second, request=request, approve=True)
    request.refresh_from_db()
    assert request.status == "approved" and request.emails == [] and request.decided_by == second
    assert [m.to[0] for m in mail.outbox] == ["person1@example.gov"]
    actions = list(AuditEntry.objects.filter(agency=personas.agency_a).values_list("action", flat=True))
    assert "asked a second admin to approve a send" in actions and "approved a send" in actions
    assert "person1@example.gov" not in str(list(AuditEntry.objects.values_list("changes", flat=True)))


def test_links_to_addresses_outside_the_roster_wait_and_can_be_refused(
    personas: Personas, rostered: Survey
) -> None:
    # The known-respondents attack: ten addresses the analyst controls, then the real people.
    mine = [f"analyst+{n}@example.gov" for n in range(10)]
    response = personas.client(personas.analyst_a).post(
        url("survey-links", personas, rostered.pk), {"addresses": "\n".join(mine)}
    )
    assert response.status_code == 302
    request = SendRequest.objects.get()
    assert request.outside_roster == 10 and request.reasons == ["outside the roster"]
    page = personas.client(personas.admin_a).get(url("survey", personas, rostered.pk)).content.decode()
    assert "A send waits for a second admin" in page
    second = make_user("admin-two", personas.agency_a, Role.ADMIN)
    personas.client(second).post(
        url("send-decision", personas, rostered.pk, request.pk), {"decision": "refuse"}
    )
    request.refresh_from_db()
    assert request.status == "refused" and request.emails == []
    assert not EligibilityToken.objects.exists()


def test_another_agencys_admin_cannot_reach_a_send_request(personas: Personas, rostered: Survey) -> None:
    request = services.send_links(actor=personas.admin_a, survey=rostered, emails=["x@example.gov"]).request
    assert request is not None
    response = personas.client(personas.admin_b).post(
        reverse("manage:voice:send-decision", args=[personas.agency_b.slug, rostered.pk, request.pk]),
        {"decision": "approve"},
    )
    assert response.status_code == 404
    assert Client().get(url("survey", personas, rostered.pk)).status_code == 302
