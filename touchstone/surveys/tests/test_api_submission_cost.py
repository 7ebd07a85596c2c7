"""The API's survey submission, the product's hottest write, served by its own view (touchstone/urls.py) ahead of
django-ninja's: one statement per submission, the same stored row and answer as the documented endpoint, and
every refusal exactly the one django-ninja's view gives."""

import datetime as dt
import uuid
from typing import Any

import pytest
from django.db import connection, transaction
from django.db.models.signals import post_save
from django.test import Client
from django.utils import timezone

from touchstone.analysis import signals as analysis_signals
from touchstone.analysis.models import AnalysisResult
from touchstone.conftest import Personas
from touchstone.core import services as core_services
from touchstone.surveys import services
from touchstone.surveys.models import Response
from touchstone.surveys.tests.factories import published_survey
from touchstone.surveys.tests.test_api import submit, token

BODY = {
    "answers": {"satisfaction": 4, "ease": 5, "comment_service": "Quick and kind."},
    "channel": "mobile_app",
}


def test_a_warm_submission_costs_one_insert_and_nothing_else(
    personas: Personas, django_assert_num_queries: Any
) -> None:
    survey = published_survey(personas.agency_a)
    headers = token(personas, ("submit",))
    assert submit(survey.pk, BODY, headers, key="warm-up-0001").status_code == 201  # token, survey: memoised
    with django_assert_num_queries(
        3
    ) as captured:  # the test's transaction adds a savepoint around the insert
        reply = submit(survey.pk, BODY, headers, key="measured-0002")
    assert reply.status_code == 201
    statements = [query["sql"].split()[0].upper() for query in captured.captured_queries]
    assert statements == ["SAVEPOINT", "INSERT", "RELEASE"]
    assert "surveys_response" in captured.captured_queries[1]["sql"]
    assert Response.objects.filter(idempotency_key="measured-0002").count() == 1


def test_the_answer_is_what_the_documented_schema_gives_for_the_stored_response(personas: Personas) -> None:
    survey = published_survey(personas.agency_a)
    headers = token(personas, ("submit", "read"))
    body = {**BODY, "language": "es", "location": "Lobby", "submitted_at": "2026-03-02T10:11:12.345678Z"}
    created = submit(survey.pk, body, headers, key="device-1-answer-1")
    assert created.status_code == 201
    assert created["Content-Type"] == "application/json; charset=utf-8"
    listed = Client().get(f"/api/v1/surveys/{survey.pk}/responses", **headers)  # ResponseOut, through ninja
    assert listed.status_code == 200
    assert created.json() == listed.json()["items"][0]
    assert created.json() == {
        "id": Response.objects.get().pk,
        "survey_id": survey.pk,
        "version": survey.current_version.number,
        "status": "complete",
        "source": "api",
        "answers": BODY["answers"],
        "language": "es",
        "channel": "mobile_app",
        "service_id": None,
        "location": "Lobby",
        "submitted_at": "2026-03-02T10:11:12.345Z",
        "is_spam": False,
    }


def test_the_row_stored_is_the_row_the_orm_would_store(personas: Personas) -> None:
    survey = published_survey(personas.agency_a)
    by_hand = Response(
        survey=survey,
        version=survey.current_version,
        answers={"satisfaction": 5, "colours": ["blue", "green"]},
        source=Response.Source.API,
        language="es",
        channel="phone",
        location="Desk 4",
        idempotency_key="row-check-1",
        link_fields={"visit": "A-7"},
        submitted_at=timezone.now() - dt.timedelta(days=1),
    )
    services.insert_response(by_hand)
    stored = Response.objects.get(pk=by_hand.pk)
    for column in Response._meta.concrete_fields:
        assert getattr(stored, column.attname) == getattr(by_hand, column.attname), column.name
    assert not by_hand._state.adding


@pytest.mark.parametrize("kind", ["every column at its default", "no column at its default"])
def test_a_row_with_columns_left_to_the_database_is_the_row_the_orm_would_store(
    personas: Personas, kind: str
) -> None:
    """The insert leaves out the columns at their defaults, and the database fills them with the same values."""
    survey = published_survey(personas.agency_a)
    values: dict[str, Any] = {}
    if kind == "no column at its default":
        values = {
            "status": Response.Status.PARTIAL,
            "source": Response.Source.EMBED,
            "language": "es",
            "service": survey.service,
            "channel": "phone",
            "office": personas.office_a,
            "location": "Desk 4",
            "referrer_page": "/help/",
            "weight": 1.5,
            "stratum": "North",
            "cluster": "7",
            "population_size": 1200.0,
            "idempotency_key": "every-column-1",
            "resume_token_hash": "a" * 64,
            "is_spam": True,
            "spam_score": 85,
            "spam_reasons": ["honeypot"],
            "link_fields": {"visit": "A-7"},
            "is_flagged": True,
            "is_archived": True,
            "tags": ["follow up"],
        }
    by_hand = Response(survey=survey, version=survey.current_version, answers={"satisfaction": 5}, **values)
    by_orm = Response(survey=survey, version=survey.current_version, answers={"satisfaction": 5}, **values)
    by_orm.idempotency_key = by_orm.idempotency_key and by_orm.idempotency_key + "-orm"
    by_orm.submitted_at = by_hand.submitted_at
    services.insert_response(by_hand)
    by_orm.save()
    stored, saved = Response.objects.get(pk=by_hand.pk), Response.objects.get(pk=by_orm.pk)
    for column in Response._meta.concrete_fields:
        if column.attname not in ("id", "idempotency_key"):
            assert getattr(stored, column.attname) == getattr(saved, column.attname), column.name
            assert type(getattr(stored, column.attname)) is type(getattr(saved, column.attname)), column.name


def test_a_submission_names_only_the_columns_it_sets(
    personas: Personas, django_assert_num_queries: Any
) -> None:
    survey = published_survey(personas.agency_a)
    headers = token(personas, ("submit",))
    assert submit(survey.pk, BODY, headers, key="warm-up-0001").status_code == 201  # token, survey: memoised
    with django_assert_num_queries(3) as captured:
        assert submit(survey.pk, BODY, headers, key="columns-0001").status_code == 201
    insert = captured.captured_queries[1]["sql"]
    named = insert[insert.index("(") + 1 : insert.index(")")].replace('"', "").split(", ")
    assert named == [
        "survey_id",
        "version_id",
        "source",
        "answers",
        "channel",
        "submitted_at",
        "idempotency_key",
    ]
    stored = Response.objects.get(idempotency_key="columns-0001")
    assert (stored.status, stored.language, stored.is_spam, stored.spam_score, stored.tags) == (
        "complete",
        "en",
        False,
        0,
        [],
    )


def test_on_postgresql_the_insert_is_planned_once_per_connection(personas: Personas) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's; SQLite runs the insert as the ORM would")
    survey = published_survey(personas.agency_a)
    headers = token(personas, ("submit",))
    for number in range(7):  # psycopg prepares a statement on its fifth use on a connection
        assert submit(survey.pk, {**BODY, "location": f"Desk {number}"}, headers).status_code == 201
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert [text for text in prepared if 'INSERT INTO "surveys_response"' in text], prepared
    stored = sorted(Response.objects.filter(survey=survey).values_list("location", flat=True))
    assert stored == [f"Desk {number}" for number in range(7)]  # each its own values, not the first's again


def test_post_save_listeners_hear_of_each_new_response(personas: Personas) -> None:
    survey = published_survey(personas.agency_a)
    heard: list[tuple[int, bool]] = []

    def listen(sender: Any, instance: Response, created: bool, **kwargs: Any) -> None:
        heard.append((instance.pk, created))

    post_save.connect(listen, sender=Response, dispatch_uid="test-api-submission-cost")
    try:
        reply = submit(survey.pk, BODY, token(personas, ("submit",)), key="listened-0001")
    finally:
        post_save.disconnect(sender=Response, dispatch_uid="test-api-submission-cost")
    assert heard == [(reply.json()["id"], True)]


def test_a_submission_queues_the_analysis_refresh_when_the_figures_are_old(
    personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    survey = published_survey(personas.agency_a)
    AnalysisResult.objects.create(survey=survey, computed_at=timezone.now() - dt.timedelta(hours=1))
    analysis_signals._last_checked.clear()
    with django_capture_on_commit_callbacks() as callbacks:
        assert submit(survey.pk, BODY, token(personas, ("submit",)), key="analysis-0001").status_code == 201
    assert len(callbacks) == 1


def test_tokens_that_may_not_submit_get_the_documented_refusals(personas: Personas) -> None:
    survey = published_survey(personas.agency_a)
    url = f"/api/v1/surveys/{survey.pk}/responses"
    missing = Client().post(url, BODY, content_type="application/json")
    assert missing.status_code == 401
    assert missing["Content-Type"] == "application/problem+json"
    assert missing["WWW-Authenticate"] == "Bearer"
    wrong = submit(survey.pk, BODY, {"HTTP_AUTHORIZATION": f"Bearer ts_abcd1234_{'x' * 43}"})
    assert wrong.status_code == 401
    minted, secret = core_services.create_api_token(
        actor=personas.admin_a, agency=personas.agency_a, name="tablet", scopes=["submit"]
    )
    revoked_headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    assert submit(survey.pk, BODY, revoked_headers, key="before-revoke").status_code == 201
    core_services.revoke_api_token(actor=personas.admin_a, token=minted)
    assert submit(survey.pk, BODY, revoked_headers, key="after-revoke").status_code == 401
    read_only = submit(survey.pk, BODY, token(personas, ("read",)))
    assert read_only.status_code == 403 and "'submit' scope" in read_only.json()["detail"]
    other_agency = submit(survey.pk, BODY, token(personas, ("submit",), "b"))
    assert other_agency.status_code == 404
    assert other_agency["Content-Type"] == "application/problem+json"
    assert list(Response.objects.values_list("idempotency_key", flat=True)) == ["before-revoke"]


def test_a_body_that_does_not_fit_is_refused_naming_the_field(personas: Personas) -> None:
    survey = published_survey(personas.agency_a)
    headers = token(personas, ("submit",))
    not_an_object = submit(survey.pk, {"answers": ["satisfaction", 4]}, headers)
    assert not_an_object.status_code == 422
    assert [error["field"] for error in not_an_object.json()["errors"]] == ["answers"]
    bad_language = submit(survey.pk, {**BODY, "language": "xx"}, headers)
    assert bad_language.status_code == 422 and bad_language.json()["errors"][0]["field"] == "language"
    not_json = Client().post(
        f"/api/v1/surveys/{survey.pk}/responses", "{not json", content_type="application/json", **headers
    )
    assert not_json.status_code == 400
    assert not_json["Content-Type"] == "application/problem+json"
    assert "Cannot parse request body" in not_json.json()["detail"]
    out_of_range = submit(survey.pk, {"answers": {"satisfaction": 9}}, headers)
    assert out_of_range.status_code == 422 and "answers.satisfaction" in out_of_range.json()["detail"]
    short_key = submit(survey.pk, BODY, headers, key="short")
    assert short_key.status_code == 400 and "Idempotency-Key" in short_key.json()["detail"]
    assert not Response.objects.exists()


def test_a_key_sent_again_returns_the_original_or_names_the_key_when_the_answers_differ(
    personas: Personas,
) -> None:
    survey = published_survey(personas.agency_a)
    headers = token(personas, ("submit",))
    key = f"phone-{uuid.uuid4().hex}"
    first = submit(survey.pk, BODY, headers, key=key)
    again = submit(survey.pk, BODY, headers, key=key)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    changed = submit(survey.pk, {**BODY, "answers": {"satisfaction": 1}}, headers, key=key)
    assert changed.status_code == 422 and key in changed.json()["detail"]
    assert Response.objects.get().answers == BODY["answers"]


def test_a_conflict_inside_a_transaction_leaves_the_transaction_usable(personas: Personas) -> None:
    survey = published_survey(personas.agency_a)
    with transaction.atomic():
        services.record_response(survey=survey, raw={"satisfaction": 4}, idempotency_key="atomic-key-1")
        again, created = services.record_response(
            survey=survey, raw={"satisfaction": 4}, idempotency_key="atomic-key-1"
        )
        assert not created
        assert Response.objects.count() == 1  # the failed insert rolled back to its savepoint only


def test_other_methods_on_the_path_are_still_served_by_the_api(personas: Personas) -> None:
    survey = published_survey(personas.agency_a)
    headers = token(personas, ("submit", "read"))
    assert submit(survey.pk, BODY, headers, key="listed-0001").status_code == 201
    listed = Client().get(f"/api/v1/surveys/{survey.pk}/responses", **headers)
    assert listed.status_code == 200 and listed.json()["count"] == 1
    assert Client().put(f"/api/v1/surveys/{survey.pk}/responses", **headers).status_code == 405


def test_a_new_response_is_what_the_model_would_build(personas: Personas) -> None:
    survey = published_survey(personas.agency_a)
    answered = timezone.now() - dt.timedelta(hours=2)
    for values in [
        {"answers": {"satisfaction": 4}},
        {"answers": {}, "service": survey.service, "office": personas.office_a, "channel": "phone"},
        {
            "answers": {},
            "service": None,
            "submitted_at": answered,
            "link_fields": {"visit": "A-7"},
            "is_spam": True,
        },
        {
            "answers": {},
            "office_id": personas.office_a.pk,
            "service_id": None,
        },  # columns named, as Django takes
    ]:
        ours = services.new_response(survey=survey, version=survey.current_version, **values)
        django = Response(survey=survey, version=survey.current_version, **values)
        for column in Response._meta.concrete_fields:
            if column.attname != "submitted_at" or "submitted_at" in values:
                assert getattr(ours, column.attname) == getattr(django, column.attname), column.name
        assert ours.survey is survey and ours.version is survey.current_version  # no row read for either
        assert ours._state.adding and ours.pk is None
    one, another = services.new_response(survey=survey), services.new_response(survey=survey)
    assert one.tags is not another.tags and one.link_fields is not another.link_fields  # never shared
    with pytest.raises(TypeError, match="unknown_column"):
        services.new_response(survey=survey, unknown_column=1)
