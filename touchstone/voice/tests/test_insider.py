"""A determined insider tries each leak of issue 13 with the product's own screens, exports, API, task queue, logs and
a read of the database; each attempt recovers nothing."""

import json
import logging
import re
from io import StringIO
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from touchstone.conftest import Personas
from touchstone.core import services as core_services
from touchstone.surveys.models import Survey
from touchstone.voice import selectors, services
from touchstone.voice.models import (
    EligibilityToken,
    EmployeeAnswer,
    EmployeeComment,
    PendingAnswer,
    hash_link_token,
)
from touchstone.core.redaction import ConsoleEmailBackend, RedactSecrets, redact
from touchstone.voice.tests.factories import answer, employee_survey, release

LINK = re.compile(r"/e/([A-Za-z0-9_-]{20,})/")
DB_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def run_queued_tasks() -> None:
    """What the db_worker does with each waiting task (the worker itself closes the test's connection)."""
    from django_tasks_db.models import DBTaskResult

    for row in DBTaskResult.objects.filter(status="READY").order_by("enqueued_at"):
        row.task.call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"])
        DBTaskResult.objects.filter(pk=row.pk).update(status="SUCCESSFUL")


def outputs(personas: Personas, survey: Survey, number: int | None = None) -> dict[str, str]:
    """Every screen, export and API answer that shows an employee survey's results to staff or a program."""
    slug = personas.agency_a.slug
    staff = personas.client(personas.admin_a)
    query = f"?release={number}" if number else ""
    _token, secret = core_services.create_api_token(
        actor=personas.admin_a, agency=personas.agency_a, name="Insider", scopes=["read"]
    )
    api = Client(headers={"Authorization": f"Bearer {secret}"})
    pages = {
        name: staff.get(reverse(f"manage:voice:{name}", args=[slug, survey.pk]) + query).content.decode()
        for name in ("survey", "survey-export", "review")
    }
    api_query = f"?release={number}" if number else ""
    pages["api"] = api.get(f"/api/v1/voice/surveys/{survey.pk}/results{api_query}").content.decode()
    # The CSRF value and the messages framework differ on every request; nothing else may.
    return {name: re.sub(r'value="[^"]{40,}"', "", text) for name, text in pages.items()}


# --- differencing over time ------------------------------------------------------------------------------------


def test_nothing_moves_between_releases_so_one_more_answer_shows_nothing(personas: Personas) -> None:
    survey = employee_survey(personas.agency_a)
    for _ in range(12):
        answer(survey, tenure="under2", engaged="4")
    release(survey)
    # The analyst sends one link, reads everything, and reads again after that one person answered.
    token = services.new_link(survey)
    before = outputs(personas, survey)
    services.submit_answers(
        token=token,
        raw={"engaged": "1", "heard": "1", "tenure": "over10", "barrier": "Dana Whitfield blocks every fix."},
    )
    services.write_pooled_answers(survey=survey, force=True)
    assert outputs(personas, survey) == before
    with pytest.raises(ValidationError):
        release(survey)  # one new respondent is not a release
    assert outputs(personas, survey) == before
    assert "Whitfield" not in json.dumps(outputs(personas, survey))


def test_each_release_counts_at_least_the_minimum_of_new_people_and_earlier_ones_never_move(
    personas: Personas,
) -> None:
    survey = employee_survey(personas.agency_a)
    for engaged, count in (("5", 15), ("1", 10)):
        for _ in range(count):
            answer(survey, tenure="under2", engaged=engaged)
    release(survey)
    links = [services.new_link(survey) for _ in range(25)]
    first = outputs(personas, survey, 1)
    for token in links[:9]:
        services.submit_answers(token=token, raw={"engaged": "1", "heard": "4", "tenure": "2to10"})
    with pytest.raises(ValidationError, match="at least 10"):
        release(survey)
    for number, token in enumerate(links[9:]):
        engaged = "1" if number == 0 else "5"
        services.submit_answers(token=token, raw={"engaged": engaged, "heard": "4", "tenure": "2to10"})
    second = release(survey)
    assert second.number == 2 and second.respondents == 25
    again = outputs(personas, survey, 1)
    assert again["survey-export"] == first["survey-export"]
    for part in ("respondents", "questions", "breakdowns", "comments", "release"):
        assert json.loads(again["api"])[part] == json.loads(first["api"])[part]
    results = selectors.survey_results(survey)
    assert [r.number for r in results.releases] == [1, 2]
    assert results.respondents == 25  # release 2 alone: releases count different people
    engaged = next(line for line in results.trend if line.key == "engaged")
    assert engaged.favorable == [0.6, 0.6]


def test_trends_over_three_releases_only_show_releases_that_met_the_minimum(personas: Personas) -> None:
    survey = employee_survey(personas.agency_a)
    for batch in range(3):
        for engaged, count in (("5", 10 + batch), ("2", 10)):
            for _ in range(count):
                answer(survey, tenure="under2", engaged=engaged)
        release(survey)
    answer(survey, engaged="1")  # waits for a fourth release that never comes: too few
    services.close_survey(actor=personas.admin_a, survey=survey)
    results = selectors.survey_results(survey)
    assert [r.respondents for r in results.releases] == [20, 21, 22]
    assert all(r.respondents >= results.minimum for r in selectors.releases(survey))
    api = outputs(personas, survey)["api"]
    assert json.loads(api)["trend"][0]["favorable"] == [0.5, 11 / 21, 0.5454545454545454]


# --- answer cells below the minimum, and hidden groups -----------------------------------------------------------


def test_an_answer_count_below_the_minimum_is_hidden_with_cover_on_every_output(personas: Personas) -> None:
    survey = employee_survey(personas.agency_a)
    for engaged, count in (("1", 6), ("4", 20), ("5", 24)):
        for _ in range(count):
            answer(survey, tenure="2to10", engaged=engaged)
    release(survey)
    results = selectors.survey_results(survey)
    engaged = next(q for q in results.questions if q.key == "engaged")
    counts = [share.count for share in engaged.shares]
    assert counts[0] is None  # the "Strongly disagree" of 6
    assert counts[3] is None or counts[4] is None  # and cover, so 50 minus the rest does not give it
    every = outputs(personas, survey)
    api = json.loads(every["api"])
    api_engaged = next(q for q in api["questions"] if q["key"] == "engaged")
    assert [o["count"] for o in api_engaged["shares"]].count(6) == 0
    assert ",6," not in every["survey-export"] and ",0.120" not in every["survey-export"]
    assert "12%" not in every["survey"]


def test_every_group_is_listed_so_a_hidden_one_never_says_whether_anyone_is_in_it(personas: Personas) -> None:
    survey = employee_survey(personas.agency_a)
    for _ in range(30):
        answer(survey, tenure="under2")
    release(survey)
    tenure = next(b for b in selectors.survey_results(survey).breakdowns if b.key == "tenure")
    rows = {row.label: row.respondents for row in tenure.rows}
    # Two empty tenure groups and "No answer" are listed and hidden alike; nothing says they are empty or not.
    assert rows == {
        "Less than 2 years": 30,
        "2 to 10 years": None,
        "More than 10 years": None,
        "No answer": None,
    }


def test_a_groups_share_is_hidden_when_one_answer_within_it_rests_on_too_few(personas: Personas) -> None:
    survey = employee_survey(personas.agency_a)
    for tenure, engaged, count in (
        ("under2", "5", 25),
        ("under2", "1", 3),
        ("2to10", "5", 15),
        ("2to10", "1", 15),
    ):
        for _ in range(count):
            answer(survey, tenure=tenure, engaged=engaged)
    release(survey)
    tenure = next(b for b in selectors.survey_results(survey).breakdowns if b.key == "tenure")
    column = tenure.columns.index(next(c for c in tenure.columns if "tools" in c))
    shares = {row.label: row.favorable[column] for row in tenure.rows}
    # 3 of 28 newer staff disagree: their group's share would show it, so it is hidden, and so is the other
    # group's, else the overall share would give it back.
    assert shares["Less than 2 years"] is None and shares["2 to 10 years"] is None


# --- free text of tiny groups ------------------------------------------------------------------------------------


def test_a_comment_reaches_review_only_within_a_release_that_met_the_minimum(personas: Personas) -> None:
    survey = employee_survey(personas.agency_a)
    answer(survey, barrier="Dana Whitfield at desk 14 ignores the backlog.")
    services.write_pooled_answers(survey=survey, force=True)
    review = outputs(personas, survey)["review"]
    assert "Whitfield" not in review and "Nothing waits for review" in review
    with pytest.raises(ValidationError):
        release(survey)
    for _ in range(9):
        answer(survey)
    release(survey)
    assert "Whitfield" in outputs(personas, survey)["review"]


def test_the_survey_page_never_shows_how_many_links_are_used(personas: Personas) -> None:
    survey = employee_survey(personas.agency_a)
    services.new_link(survey)
    answer(survey)
    page = outputs(personas, survey)["survey"]
    assert "1 used" not in page and "used." not in page


# --- secrets outside the screens ---------------------------------------------------------------------------------


@override_settings(TASKS=DB_QUEUE)
def test_the_task_queue_and_the_logs_of_a_send_and_answer_run_hold_no_token_and_no_address(
    personas: Personas, caplog: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django_tasks_db.models import DBTaskResult

    caplog.set_level(logging.DEBUG)
    survey = employee_survey(personas.agency_a)
    addresses = [f"person{n}@example.gov" for n in range(6)]
    with django_capture_on_commit_callbacks(execute=True):
        services.create_links(actor=personas.admin_a, survey=survey, emails=addresses)
    stored = json.dumps(list(DBTaskResult.objects.values_list("args_kwargs", flat=True)))
    assert DBTaskResult.objects.count() == 6
    assert "@" not in stored and "/e/" not in stored
    run_queued_tasks()
    tokens = [LINK.search(message.body).group(1) for message in mail.outbox]  # type: ignore[union-attr]
    assert len(tokens) == 6
    for token in tokens:
        with django_capture_on_commit_callbacks(execute=True):
            Client().post(f"/e/{token}/", {"engaged": "4", "heard": "4", "barrier": "Forms time out."})
        Client().get(f"/e/{token}/")  # used now: a 404 that Django's request log would name
    run_queued_tasks()
    stored = json.dumps(list(DBTaskResult.objects.values_list("args_kwargs", flat=True)))
    logged = caplog.text + "".join(str(record.__dict__) for record in caplog.records)
    for token in tokens:
        assert token not in stored and token not in logged
        assert not EligibilityToken.objects.filter(token_hash=token).exists()
        assert EligibilityToken.objects.filter(token_hash=hash_link_token(token)).exists()
    for address in addresses:
        assert address not in stored and address not in logged
    assert "Not Found: /e/[withheld]" in caplog.text
    assert (
        EmployeeAnswer.objects.filter(survey=survey).count() == 6
    )  # one shuffled batch, written by the worker


def test_access_log_lines_of_the_dev_server_and_gunicorn_have_the_link_blanked() -> None:
    token = "Zx9_secretsecretsecret-123"
    records = [
        logging.LogRecord(
            "django.server", logging.INFO, "", 0, '"%s" %s %s', (f"GET /e/{token}/ HTTP/1.1", 200, 5), None
        ),
        logging.LogRecord(
            "gunicorn.access",
            logging.INFO,
            "",
            0,
            "%(h)s %(r)s",
            ({"h": "10.0.0.1", "r": f"POST /es/e/{token}/ HTTP/1.1"},),
            None,
        ),
        logging.LogRecord(
            "django.request", logging.WARNING, "", 0, "Not Found: %s", (f"/s/abc123/i/{token}/",), None
        ),
    ]
    for record in records:
        RedactSecrets().filter(record)
        assert token not in record.getMessage() and "[withheld]" in record.getMessage()
    for name in ("django.server", "django.request", "gunicorn.access"):
        assert any(isinstance(f, RedactSecrets) for f in logging.getLogger(name).filters)
    assert redact("/e/thanks/ and /e/privacy/") == "/e/thanks/ and /e/privacy/"


def test_the_development_email_console_prints_messages_with_the_link_blanked(personas: Personas) -> None:
    from django.core.mail import EmailMessage

    stream = StringIO()
    token = "Zx9_secretsecretsecret-123"
    message = EmailMessage(
        "Survey",
        f"Your link: https://example.gov/e/{token}/\nEn español: /es/e/{token}/",
        None,
        ["pat@example.gov"],
    )
    ConsoleEmailBackend(stream=stream).send_messages([message])
    assert token not in stream.getvalue() and "/e/[withheld]" in stream.getvalue()
    assert token in message.body  # the person still gets their link


# --- the database pairs them -------------------------------------------------------------------------------------


def test_using_a_link_and_keeping_its_answer_happen_in_different_transactions(personas: Personas) -> None:
    survey = employee_survey(personas.agency_a)
    token = services.new_link(survey)
    with CaptureQueriesContext(connection) as queries:
        Client().post(f"/e/{token}/", {"engaged": "4", "heard": "4"})
    sql = [q["sql"] for q in queries.captured_queries]
    mark = next(i for i, q in enumerate(sql) if "UPDATE" in q and "eligibilitytoken" in q)
    pool = next(i for i, q in enumerate(sql) if "INSERT" in q and "pendinganswer" in q)
    between = sql[mark:pool]
    # The test runs inside a transaction, so each of the two atomic blocks is a savepoint: the first is released
    # (committed, outside a test) before the second begins.
    assert mark < pool
    assert any(q.startswith("RELEASE SAVEPOINT") for q in between), between
    assert any(q.startswith("SAVEPOINT") for q in between), between
    assert EligibilityToken.objects.get().used and PendingAnswer.objects.count() == 1
    assert not EmployeeAnswer.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_database_reader_cannot_pair_a_used_link_with_an_answer_by_transaction_id_or_order(
    personas: Personas,
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("transaction ids (xmin) and physical row order are PostgreSQL's; run with DATABASE_URL")
    survey = employee_survey(personas.agency_a)
    given = [(e, h) for e in range(1, 6) for h in (1, 3)][:10]
    for engaged, heard in given:
        Client().post(f"/e/{services.new_link(survey)}/", {"engaged": str(engaged), "heard": str(heard)})
    services.write_pooled_answers(survey=survey, force=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT xmin::text FROM voice_eligibilitytoken WHERE used")
        link_xids = {row[0] for row in cursor.fetchall()}
        cursor.execute("SELECT xmin::text, count(*) FROM voice_employeeanswer GROUP BY xmin::text")
        answer_xids = dict(cursor.fetchall())
        cursor.execute("SELECT answers FROM voice_employeeanswer ORDER BY ctid")
        stored = [json.loads(row[0]) if isinstance(row[0], str) else row[0] for row in cursor.fetchall()]
    # Every used link carries the last batch's transaction, and answers only their batch's: nothing pairs one
    # link with one answer.
    assert len(link_xids) == 1 and link_xids <= set(answer_xids)
    assert all(size >= services.POOL_BATCH for size in answer_xids.values())
    assert [(a["engaged"], a["heard"]) for a in stored] != given
    assert not PendingAnswer.objects.exists()


def test_answers_and_comments_are_written_in_shuffled_batches_never_one_at_a_time(
    personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    survey = employee_survey(personas.agency_a)
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(services.POOL_BATCH - 1):
            answer(survey, engaged=str(number % 5 + 1))
    assert not EmployeeAnswer.objects.exists()  # a batch of one would pair its answer with the last link used
    with django_capture_on_commit_callbacks(execute=True):
        answer(survey, engaged="3")
    assert EmployeeAnswer.objects.count() == services.POOL_BATCH and not PendingAnswer.objects.exists()
    assert not EmployeeComment.objects.filter(release__isnull=False).exists()


# --- comments for review -----------------------------------------------------------------------------------------


def test_names_ids_emails_and_phone_numbers_are_highlighted_for_redaction(personas: Personas) -> None:
    text = (
        "Forms fail; ask Dana Whitfield (employee E123456) at dana.w@agency.gov or 555-123-4567; talk to Ann."
    )
    kinds = {p.text: p.kind for p in selectors.marked_for_redaction(text) if p.kind}
    assert kinds == {
        "Dana Whitfield": "name",
        "E123456": "id",
        "dana.w@agency.gov": "email",
        "555-123-4567": "phone",
        "Ann": "name",
    }
    assert "".join(p.text for p in selectors.marked_for_redaction(text)) == text
    survey = employee_survey(personas.agency_a)
    for number in range(10):
        answer(survey, barrier=text if number == 0 else f"Forms time out, case {number}.")
    release(survey)
    comment = EmployeeComment.objects.get(survey=survey, original=text)
    page = personas.client(personas.analyst_a).get(
        reverse("manage:voice:review-comment", args=[personas.agency_a.slug, survey.pk, comment.pk])
    )
    assert '<mark class="bg-gold-20v" data-kind="phone">' in page.content.decode()
    queue = outputs(personas, survey)["review"]
    assert queue.count("<mark") >= 5


def test_the_review_queue_order_follows_random_ids_not_arrival(personas: Personas) -> None:
    survey = employee_survey(personas.agency_a)
    written = [f"Comment {chr(65 + n)} about the forms" for n in range(10)]
    for text in written:
        answer(survey, barrier=text)
    release(survey)
    queue = outputs(personas, survey)["review"]
    shown = sorted(written, key=queue.index)
    ids = [str(c.pk) for c in selectors.pending_comments(survey)]
    assert ids == sorted(ids)
    assert shown == [c.original for c in selectors.pending_comments(survey)]
