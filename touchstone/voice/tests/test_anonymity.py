"""Attempts to re-identify an employee through every screen, export and API call of employee voice, each failing."""

import json
import re
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import models
from django.test import Client
from django.urls import reverse

from touchstone.conftest import Personas
from touchstone.core import services as core_services
from touchstone.core.models import AuditEntry
from touchstone.surveys.models import Response, Survey
from touchstone.voice import selectors, services
from touchstone.voice.models import (
    BoardItem,
    EligibilityToken,
    EmployeeAnswer,
    EmployeeComment,
    PendingAnswer,
    Support,
    VoiceRelease,
    VoiceSettings,
)
from touchstone.voice.tests.factories import answer, board_item, employee_survey, release, released_comment

FINER_THAN_A_MONTH = re.compile(r"\d{4}-\d{2}-\d{2}|\d{1,2}:\d{2}")
SECRET_WORDS = "Dana Whitfield sits at desk 14"


def page_without_its_own_address(response: Any, token: str) -> str:
    """A page's text without what differs on every page anyway: the CSRF value and the page's own path."""
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    return text.replace(token, "TOKEN")


def api(personas: Personas) -> Client:
    _token, secret = core_services.create_api_token(
        actor=personas.admin_a, agency=personas.agency_a, name="Reports", scopes=["read"]
    )
    return Client(headers={"Authorization": f"Bearer {secret}"})


@pytest.fixture
def surveyed(personas: Personas) -> Survey:
    """59 answers: 30 newer staff, 25 mid-career, 4 long-serving (too few to show)."""
    survey = employee_survey(personas.agency_a)
    office = str(personas.office_a.pk)
    for tenure, count, engaged in (("under2", 30, "5"), ("2to10", 25, "4"), ("over10", 4, "1")):
        for _ in range(count):
            answer(survey, tenure=tenure, office=office, engaged=engaged)
    answer_with_text = services.new_link(survey)
    services.submit_answers(
        token=answer_with_text,
        raw={"engaged": "2", "heard": "2", "tenure": "under2", "office": office, "barrier": SECRET_WORDS},
    )
    release(survey)
    return survey


def every_output(personas: Personas, survey: Survey) -> dict[str, str]:
    """The text of every screen, export and API answer that shows employee voice to staff or to a program."""
    slug = personas.agency_a.slug
    staff = personas.client(personas.admin_a)
    pages = {
        name: staff.get(reverse(f"manage:voice:{name}", args=[slug, survey.pk])).content.decode()
        for name in ("survey", "survey-export")
    }
    for name in ("home", "board", "insight"):
        pages[name] = staff.get(reverse(f"manage:voice:{name}", args=[slug])).content.decode()
    client = api(personas)
    pages["api-results"] = client.get(f"/api/v1/voice/surveys/{survey.pk}/results").content.decode()
    pages["api-surveys"] = client.get("/api/v1/voice/surveys").content.decode()
    pages["api-board"] = client.get("/api/v1/voice/board").content.decode()
    return pages


# --- the schema itself ----------------------------------------------------------------------------------------


def test_the_eligibility_token_table_has_no_field_that_reaches_an_answer_or_a_comment() -> None:
    for field in EligibilityToken._meta.get_fields():
        assert getattr(field, "related_model", None) in (None, Survey), field.name
    assert {f.name for f in EligibilityToken._meta.concrete_fields} == {
        "id",
        "survey",
        "token_hash",
        "used",
        "email",
        "attributes",
    }


def test_an_answer_keeps_a_random_id_the_survey_its_version_the_answers_and_its_release_only() -> None:
    assert {f.name for f in EmployeeAnswer._meta.concrete_fields} == {
        "id",
        "survey",
        "version",
        "answers",
        "period",
        "release",
    }
    assert isinstance(EmployeeAnswer._meta.pk, models.UUIDField)
    for field in EmployeeAnswer._meta.get_fields():
        assert getattr(field, "related_model", None) in (
            None,
            Survey,
            Survey.current_version.field.related_model,
            VoiceRelease,
        )


def test_a_pooled_answer_keeps_a_random_id_and_no_time_nor_link() -> None:
    assert isinstance(PendingAnswer._meta.pk, models.UUIDField)
    assert {f.name for f in PendingAnswer._meta.concrete_fields} == {
        "id",
        "survey",
        "version",
        "answers",
        "comments",
    }


def test_a_comment_points_at_no_answer_and_no_person() -> None:
    related = {getattr(f, "related_model", None) for f in EmployeeComment._meta.get_fields()}
    assert related == {None, Survey, VoiceRelease}


def test_no_model_of_employee_voice_keeps_a_time_finer_than_the_month() -> None:
    for model in (EligibilityToken, EmployeeAnswer, PendingAnswer, EmployeeComment, BoardItem, Support):
        assert not [f.name for f in model._meta.concrete_fields if isinstance(f, models.DateTimeField)], model
        assert not [f for f in model._meta.concrete_fields if isinstance(f, models.AutoField)] or model is (
            EligibilityToken
        )


def test_a_support_records_no_time_and_has_a_random_id() -> None:
    assert isinstance(Support._meta.pk, models.UUIDField)
    assert isinstance(BoardItem._meta.pk, models.UUIDField)


# --- answering through the one-use link -----------------------------------------------------------------------


def test_answering_uses_up_the_link_and_stores_an_answer_nothing_points_back_from(personas: Personas) -> None:
    survey = employee_survey(personas.agency_a)
    token = services.new_link(survey)
    response = Client().post(
        f"/e/{token}/", {"engaged": "4", "heard": "5", "tenure": "under2", "barrier": "Forms time out."}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("portal_voice:thanks")
    assert EligibilityToken.objects.get(survey=survey).used
    assert not EmployeeAnswer.objects.exists() and not EmployeeComment.objects.exists()
    pooled = PendingAnswer.objects.get(survey=survey)
    assert pooled.answers == {"engaged": 4, "heard": 5, "tenure": "under2"}
    services.write_pooled_answers(survey=survey, force=True)
    assert not PendingAnswer.objects.exists()
    stored = EmployeeAnswer.objects.get(survey=survey)
    assert stored.answers == {"engaged": 4, "heard": 5, "tenure": "under2"}
    assert stored.period.day == 1 and stored.release is None
    assert EmployeeComment.objects.get(survey=survey).original == "Forms time out."
    assert not Response.objects.filter(survey=survey).exists()


def test_nothing_about_the_visit_reaches_the_audit_log(personas: Personas) -> None:
    survey = employee_survey(personas.agency_a)
    token = services.new_link(survey)
    before = AuditEntry.objects.count()
    Client().post(f"/e/{token}/", {"engaged": "4", "heard": "5"}, HTTP_USER_AGENT="Firefox/Spy")
    assert AuditEntry.objects.count() == before


def test_a_used_link_shows_the_same_neutral_page_as_an_unknown_one_and_stores_nothing_more(
    personas: Personas,
) -> None:
    survey = employee_survey(personas.agency_a)
    token = services.new_link(survey)
    Client().post(f"/e/{token}/", {"engaged": "4", "heard": "5"})
    unknown = Client().get("/e/not-a-real-link-at-all/")
    for again in (
        Client().post(f"/e/{token}/", {"engaged": "1", "heard": "1"}),
        Client().get(f"/e/{token}/"),
    ):
        assert again.status_code == unknown.status_code == 404
        assert page_without_its_own_address(again, token) == page_without_its_own_address(
            unknown, "not-a-real-link-at-all"
        )
        assert "been used" not in again.content.decode()
    assert PendingAnswer.objects.filter(survey=survey).count() == 1


def test_a_missing_answer_is_named_and_the_link_stays_unused(personas: Personas) -> None:
    survey = employee_survey(personas.agency_a)
    token = services.new_link(survey)
    response = Client().post(f"/e/{token}/", {"heard": "5"})
    assert response.status_code == 400
    assert "I have the tools and information" in response.content.decode()
    assert not EligibilityToken.objects.get(survey=survey).used
    assert not EmployeeAnswer.objects.exists()


def test_an_unknown_link_is_not_found(personas: Personas) -> None:
    employee_survey(personas.agency_a)
    assert Client().get("/e/not-a-real-link-at-all/").status_code == 404


def test_the_form_speaks_spanish(personas: Personas) -> None:
    survey = employee_survey(personas.agency_a)
    token = services.new_link(survey)
    page = Client().get(f"/es/e/{token}/").content.decode()
    assert "Tengo las herramientas" in page
    assert 'lang="es"' in page


def test_the_link_page_is_not_cached_and_never_sends_its_address_as_referrer(personas: Personas) -> None:
    survey = employee_survey(personas.agency_a)
    response = Client().get(f"/e/{services.new_link(survey)}/")
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "strict-origin"


def test_a_closed_survey_takes_no_answers_and_forgets_the_addresses(
    personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    survey = employee_survey(personas.agency_a)
    with django_capture_on_commit_callbacks(execute=True):
        services.create_links(actor=personas.admin_a, survey=survey, emails=["pat@example.gov"])
    token = re.search(r"/e/([^/]+)/", mail.outbox[0].body).group(1)  # type: ignore[union-attr]
    services.close_survey(actor=personas.admin_a, survey=survey)
    assert not EligibilityToken.objects.exclude(email="").exists()
    response = Client().post(f"/e/{token}/", {"engaged": "4", "heard": "5"})
    unknown = Client().get("/e/not-a-real-link-at-all/")
    assert response.status_code == unknown.status_code == 404
    assert page_without_its_own_address(response, token) == page_without_its_own_address(
        unknown, "not-a-real-link-at-all"
    )
    assert not EmployeeAnswer.objects.exists() and not PendingAnswer.objects.exists()


# --- small groups and subtraction -----------------------------------------------------------------------------


def test_a_group_below_the_minimum_is_hidden_with_cover_on_every_screen_export_and_api(
    personas: Personas, surveyed: Survey
) -> None:
    results = selectors.survey_results(surveyed)
    tenure = next(b for b in results.breakdowns if b.key == "tenure")
    by_label = {row.label: row for row in tenure.rows}
    assert by_label["More than 10 years"].respondents is None
    assert by_label["2 to 10 years"].respondents is None  # the cover: else 60 - 31 - 25 = 4
    assert by_label["Less than 2 years"].respondents == 31
    assert all(value is None for value in by_label["More than 10 years"].favorable)
    outputs = every_output(personas, surveyed)
    api_results = json.loads(outputs["api-results"])
    api_tenure = next(b for b in api_results["breakdowns"] if b["key"] == "tenure")
    assert [row["respondents"] for row in api_tenure["rows"]] == [31, None, None, None]
    assert "More than 10 years,respondents,hidden" in outputs["survey-export"]
    tenure_lines = [
        line.split(",") for line in outputs["survey-export"].splitlines() if line.startswith("tenure,")
    ]
    assert tenure_lines
    assert not [line for line in tenure_lines if line[3] in {"4", "25"}]


def test_no_shown_figures_add_up_to_a_hidden_group(personas: Personas, surveyed: Survey) -> None:
    results = selectors.survey_results(surveyed)
    total = results.respondents
    assert total == 60
    for breakdown in results.breakdowns:
        shown = [row.respondents for row in breakdown.rows if row.respondents is not None]
        hidden_total = total - sum(shown)
        hidden_rows = [row for row in breakdown.rows if row.respondents is None]
        assert hidden_total == 0 or (len(hidden_rows) >= 2 and hidden_total >= results.minimum)
    for question in results.questions:
        hidden = [share for share in question.shares if share.count is None]
        if question.n is None:  # a question too few answered is hidden whole
            assert not question.shares and question.favorable is None
            continue
        hidden_total = question.n - sum(share.count for share in question.shares if share.count is not None)
        assert hidden_total == 0 or (len(hidden) >= 2 and hidden_total >= results.minimum)


def test_a_survey_with_fewer_answers_than_the_minimum_shows_nothing(personas: Personas) -> None:
    survey = employee_survey(personas.agency_a)
    for _ in range(9):
        answer(survey, tenure="under2")
    with pytest.raises(ValidationError, match="at least 10"):
        release(survey)
    assert selectors.survey_results(survey).respondents is None
    page = personas.client(personas.admin_a).get(
        reverse("manage:voice:survey", args=[personas.agency_a.slug, survey.pk])
    )
    assert "Results appear in releases" in page.content.decode()
    assert api(personas).get(f"/api/v1/voice/surveys/{survey.pk}/results").json()["respondents"] is None


def test_the_agencys_minimum_is_a_setting_read_when_a_release_is_made(personas: Personas) -> None:
    VoiceSettings.objects.create(agency=personas.agency_a, minimum_group=40)
    survey = employee_survey(personas.agency_a)
    for tenure, count in (("under2", 31), ("2to10", 25), ("over10", 4)):
        for _ in range(count):
            answer(survey, tenure=tenure)
    release(survey)
    tenure = next(b for b in selectors.survey_results(survey).breakdowns if b.key == "tenure")
    assert [row.respondents for row in tenure.rows] == [None, None, None, None]
    VoiceSettings.objects.filter(agency=personas.agency_a).update(minimum_group=10)
    assert (
        selectors.survey_results(survey).breakdowns[-1].rows[0].respondents is None
    )  # a release never moves


# --- time and order -------------------------------------------------------------------------------------------


def test_no_output_carries_a_time_finer_than_the_month(personas: Personas, surveyed: Survey) -> None:
    board_item(personas.agency_a)
    for name, text in every_output(personas, surveyed).items():
        if name in {"home", "board", "insight", "survey"}:
            text = re.sub(r"<head>.*?</head>", "", text, flags=re.S)
        assert not FINER_THAN_A_MONTH.search(text), (name, FINER_THAN_A_MONTH.search(text))


def test_comments_show_in_an_order_that_does_not_follow_submission(personas: Personas) -> None:
    first = employee_survey(personas.agency_a, title="One")
    second = employee_survey(personas.agency_a, title="Two")
    texts = [f"Comment number {n} about the forms" for n in range(12)]
    for survey, ordered in ((first, texts), (second, list(reversed(texts)))):
        for text in ordered:
            comment = released_comment(survey, text)
            services.review_comment(actor=None, comment=comment, redacted=text, approve=True)
    shown_first = selectors.approved_comments(first)["barrier"]
    assert shown_first == selectors.approved_comments(second)["barrier"]
    assert shown_first not in (texts, list(reversed(texts)))


def test_answers_are_read_in_an_order_unrelated_to_arrival(personas: Personas) -> None:
    survey = employee_survey(personas.agency_a)
    for number in range(20):
        answer(survey, engaged=str(number % 5 + 1))
    arrived = [
        a["engaged"] for a in EmployeeAnswer.objects.filter(survey=survey).values_list("answers", flat=True)
    ]
    assert arrived != [n % 5 + 1 for n in range(20)]


# --- free text ------------------------------------------------------------------------------------------------


def test_unapproved_text_appears_on_no_screen_export_or_api(personas: Personas, surveyed: Survey) -> None:
    for name, text in every_output(personas, surveyed).items():
        assert "Dana Whitfield" not in text, name
    comment = EmployeeComment.objects.get(survey=surveyed)
    services.review_comment(
        actor=personas.analyst_a, comment=comment, redacted="My supervisor ignores it.", approve=True
    )
    outputs = every_output(personas, surveyed)
    assert "Dana Whitfield" not in "".join(outputs.values())
    assert "My supervisor ignores it." in outputs["survey"]
    assert "My supervisor ignores it." in outputs["api-results"]
    assert EmployeeComment.objects.get(pk=comment.pk).original == ""


def test_a_withheld_comment_is_erased_and_shown_nowhere(personas: Personas, surveyed: Survey) -> None:
    comment = EmployeeComment.objects.get(survey=surveyed)
    services.review_comment(actor=personas.analyst_a, comment=comment, redacted="", approve=False)
    stored = EmployeeComment.objects.get(pk=comment.pk)
    assert (stored.original, stored.redacted, stored.status) == ("", "", "withheld")
    assert not selectors.approved_comments(surveyed)


def test_the_review_leaves_no_text_in_the_audit_log(personas: Personas, surveyed: Survey) -> None:
    comment = EmployeeComment.objects.get(survey=surveyed)
    services.review_comment(
        actor=personas.analyst_a, comment=comment, redacted="Redacted words.", approve=True
    )
    log = json.dumps([[e.object_repr, e.changes] for e in AuditEntry.objects.all()])
    assert "Whitfield" not in log and "Redacted words" not in log


# --- the board ------------------------------------------------------------------------------------------------


def _anonymous_post(personas: Personas) -> BoardItem:
    response = personas.client(personas.frontline_a).post(
        reverse("manage:voice:item-new", args=[personas.agency_a.slug]),
        {
            "kind": "barrier",
            "summary": "Scanner jams",
            "text": "The scanner jams daily.",
            "barrier_kind": "tools",
            "anonymous": "on",
        },
    )
    assert response.status_code == 302
    return BoardItem.objects.get(summary="Scanner jams")


def test_an_anonymous_item_keeps_no_author_and_shows_none_anywhere(personas: Personas) -> None:
    item = _anonymous_post(personas)
    assert item.author_id is None
    assert item.period.day == 1
    personas.frontline_a.first_name = "Zebediah"
    personas.frontline_a.save()
    slug = personas.agency_a.slug
    staff = personas.client(personas.admin_a)
    pages = [
        staff.get(reverse("manage:voice:board", args=[slug])).content.decode(),
        staff.get(reverse("manage:voice:item", args=[slug, item.pk])).content.decode(),
        staff.get(reverse("manage:voice:insight", args=[slug])).content.decode(),
        staff.get(reverse("manage:audit", args=[slug])).content.decode(),
        api(personas).get("/api/v1/voice/board").content.decode(),
    ]
    for page in pages:
        assert "Zebediah" not in page and "frontline-a" not in page
    assert api(personas).get("/api/v1/voice/board").json()["items"][0]["author"] is None
    assert not AuditEntry.objects.filter(object_id=str(item.pk)).exists()


def test_supports_never_show_who_gave_them(personas: Personas) -> None:
    item = _anonymous_post(personas)
    for user in (personas.frontline_a, personas.analyst_a, personas.admin_a):
        personas.client(user).post(
            reverse("manage:voice:item-support", args=[personas.agency_a.slug, item.pk])
        )
    assert Support.objects.filter(item=item).count() == 3
    page = personas.client(personas.admin_a).get(
        reverse("manage:voice:item", args=[personas.agency_a.slug, item.pk])
    )
    text = page.content.decode()
    assert "analyst-a" not in text and "frontline-a" not in text
    assert not AuditEntry.objects.filter(object_id=str(item.pk)).exists()
    board = api(personas).get("/api/v1/voice/board").json()["items"][0]
    assert board["supports"] == 3 and "supporters" not in board


def test_a_managers_triage_is_audited_without_the_items_words(personas: Personas) -> None:
    item = _anonymous_post(personas)
    services.triage_item(
        actor=personas.analyst_a, item=item, data={"status": "planned", "reply": "Fixing it."}
    )
    entry = AuditEntry.objects.get(object_id=str(item.pk))
    assert entry.changes["status"] == ["received", "planned"]
    assert "Scanner" not in json.dumps([entry.object_repr, entry.changes])
    assert "Fixing it" not in json.dumps(entry.changes)


# --- what employees are told ----------------------------------------------------------------------------------


def test_the_page_on_what_is_kept_is_public_linked_from_the_form_and_in_spanish(personas: Personas) -> None:
    survey = employee_survey(personas.agency_a)
    form = Client().get(f"/e/{services.new_link(survey)}/").content.decode()
    assert reverse("portal_voice:privacy") in form
    english = Client().get("/e/privacy/")
    assert english.status_code == 200
    text = english.content.decode()
    assert "What is not kept" in text and "Your name." in text and "deleted when the survey closes" in text
    spanish = Client().get("/es/e/privacy/").content.decode()
    assert "Qué se guarda y qué no sobre usted" in spanish and "Su nombre." in spanish
