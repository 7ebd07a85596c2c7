"""Staff read responses in the inbox, sort them (tag, flag, spam, archive; one or many at once) and download
them with the filters they chose: CSV, JSON and the A-11 quarterly upload."""

import csv
import datetime as dt
import io
import json
from typing import Any

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from touchstone.conftest import Personas
from touchstone.surveys import services
from touchstone.surveys.exports import A11_UPLOAD_HEADERS
from touchstone.surveys.models import Response, Survey
from touchstone.surveys.tests.factories import published_survey


def inbox_url(survey: Survey, **query: Any) -> str:
    url = reverse("manage:surveys:inbox", args=[survey.agency.slug, survey.pk])
    return url + ("?" + "&".join(f"{key}={value}" for key, value in query.items()) if query else "")


def export_url(survey: Survey, query: str = "") -> str:
    return reverse("manage:surveys:inbox-export", args=[survey.agency.slug, survey.pk]) + query


def answer(survey: Survey, answers: dict[str, Any] | None = None, **fields: Any) -> Response:
    return Response.objects.create(
        survey=survey, version=survey.current_version, answers=answers or {"satisfaction": 4}, **fields
    )


def at(day: str) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(dt.date.fromisoformat(day), dt.time(12)))


def listed(html: str, response: Response) -> bool:
    return f'id="response-{response.pk}"' in html


def test_a_viewer_reads_the_inbox_and_spam_and_archived_are_left_out_by_default(personas: Personas) -> None:
    survey = published_survey(personas.agency_a)
    kept = answer(survey)
    spam = answer(survey, is_spam=True)
    archived = answer(survey, is_archived=True)
    page = personas.client(personas.viewer_a).get(inbox_url(survey))
    assert page.status_code == 200
    html = page.content.decode()
    assert f"/responses/{kept.pk}/" in html
    assert f"/responses/{spam.pk}/" not in html and f"/responses/{archived.pk}/" not in html
    assert 'name="action"' not in html  # a viewer reads; only editors get the actions


def test_the_inbox_filters_by_channel_location_dates_state_and_fiscal_quarter(personas: Personas) -> None:
    survey = published_survey(personas.agency_a)
    phone_denver = answer(survey, channel="phone", location="Denver", submitted_at=at("2025-11-03"))
    web_reno = answer(
        survey, channel="website", location="Reno", tags=["billing"], submitted_at=at("2026-02-10")
    )
    flagged = answer(survey, channel="website", is_flagged=True, submitted_at=at("2026-02-11"))
    spam = answer(survey, is_spam=True, submitted_at=at("2026-02-12"))
    client = personas.client(personas.analyst_a)

    def shown(**query: Any) -> set[int]:
        html = client.get(inbox_url(survey, **query)).content.decode()
        return {r.pk for r in (phone_denver, web_reno, flagged, spam) if listed(html, r)}

    assert shown() == {phone_denver.pk, web_reno.pk, flagged.pk}
    assert shown(channel="phone") == {phone_denver.pk}
    assert shown(location="ren") == {web_reno.pk}
    assert shown(quarter="FY2026 Q1") == {phone_denver.pk}
    assert shown(quarter="FY2026 Q2") == {web_reno.pk, flagged.pk}
    assert shown(start="2026-02-11", end="2026-02-12") == {flagged.pk}
    assert shown(state="flagged") == {flagged.pk}
    assert shown(tag="billing") == {web_reno.pk}
    assert shown(state="spam") == {spam.pk}
    assert shown(state="all") == {phone_denver.pk, web_reno.pk, flagged.pk, spam.pk}


def test_the_inbox_filters_by_version(personas: Personas) -> None:
    survey = published_survey(personas.agency_a)
    first = answer(survey)
    old_version = survey.current_version
    question = survey.questions.get(key="satisfaction")
    services.save_question(actor=None, survey=survey, data={"text": "Are you satisfied?"}, question=question)
    services.change_status(actor=None, survey=survey, status=Survey.Status.PUBLISHED)
    second = answer(survey)
    html = personas.client(personas.analyst_a).get(inbox_url(survey, version=old_version.pk)).content.decode()
    assert listed(html, first) and not listed(html, second)


def test_bulk_actions_flag_spam_archive_and_tag_the_checked_responses(personas: Personas) -> None:
    survey = published_survey(personas.agency_a)
    one, two, other = answer(survey), answer(survey), answer(survey)
    client = personas.client(personas.analyst_a)
    bulk = reverse("manage:surveys:inbox-bulk", args=[survey.agency.slug, survey.pk])
    back = inbox_url(survey, channel="phone")

    response = client.post(bulk, {"response": [one.pk, two.pk], "action": "flag", "next": back})
    assert response.status_code == 302 and response["Location"] == back
    client.post(bulk, {"response": [one.pk, two.pk], "action": "tag", "tag": "follow up"})
    client.post(bulk, {"response": [two.pk], "action": "spam"})
    client.post(bulk, {"response": [one.pk], "action": "archive"})
    one.refresh_from_db(), two.refresh_from_db(), other.refresh_from_db()
    assert one.is_flagged and one.is_archived and not one.is_spam and one.tags == ["follow up"]
    assert two.is_flagged and two.is_spam and two.tags == ["follow up"]
    assert not (other.is_flagged or other.is_spam or other.is_archived or other.tags)

    client.post(bulk, {"response": [one.pk, two.pk], "action": "untag", "tag": "follow up"})
    client.post(bulk, {"response": [two.pk], "action": "not_spam"})
    two.refresh_from_db()
    assert two.tags == [] and not two.is_spam


def test_a_bulk_action_never_touches_another_surveys_responses(personas: Personas) -> None:
    survey = published_survey(personas.agency_a)
    elsewhere = published_survey(personas.agency_a, title="Other")
    stranger = answer(elsewhere)
    bulk = reverse("manage:surveys:inbox-bulk", args=[survey.agency.slug, survey.pk])
    personas.client(personas.admin_a).post(bulk, {"response": [stranger.pk], "action": "spam"})
    stranger.refresh_from_db()
    assert not stranger.is_spam


def test_a_viewer_cannot_mark_responses(personas: Personas) -> None:
    survey = published_survey(personas.agency_a)
    one = answer(survey)
    bulk = reverse("manage:surveys:inbox-bulk", args=[survey.agency.slug, survey.pk])
    mark = reverse("manage:surveys:inbox-mark", args=[survey.agency.slug, survey.pk, one.pk])
    client = personas.client(personas.viewer_a)
    assert client.post(bulk, {"response": [one.pk], "action": "spam"}).status_code == 403
    assert client.post(mark, {"action": "spam"}).status_code == 403


def test_one_response_is_flagged_tagged_and_marked_spam_from_its_page(personas: Personas) -> None:
    survey = published_survey(personas.agency_a)
    one = answer(survey, {"satisfaction": 2, "comment_service": "Slow line."})
    client = personas.client(personas.analyst_a)
    page = reverse("manage:surveys:inbox-response", args=[survey.agency.slug, survey.pk, one.pk])
    mark = reverse("manage:surveys:inbox-mark", args=[survey.agency.slug, survey.pk, one.pk])
    html = client.get(page).content.decode()
    assert "I am satisfied with the service I received." in html and "Disagree" in html
    assert "Slow line." in html
    assert client.post(mark, {"action": "flag"})["Location"] == page
    client.post(mark, {"action": "tag", "tag": "  billing  "})
    client.post(mark, {"action": "spam"})
    one.refresh_from_db()
    assert one.is_flagged and one.is_spam and one.tags == ["billing"]


def test_a_response_page_shows_the_questions_of_the_version_it_answered(personas: Personas) -> None:
    survey = published_survey(personas.agency_a)
    old = answer(survey, {"satisfaction": 5})
    question = survey.questions.get(key="satisfaction")
    services.save_question(actor=None, survey=survey, data={"text": "How was it?"}, question=question)
    services.change_status(actor=None, survey=survey, status=Survey.Status.PUBLISHED)
    page = reverse("manage:surveys:inbox-response", args=[survey.agency.slug, survey.pk, old.pk])
    html = personas.client(personas.viewer_a).get(page).content.decode()
    assert "I am satisfied with the service I received." in html and "How was it?" not in html


def test_the_inbox_pages_by_fifty_and_the_next_page_keeps_the_filters(personas: Personas) -> None:
    survey = published_survey(personas.agency_a)
    Response.objects.bulk_create(
        [Response(survey=survey, version=survey.current_version, channel="phone") for _ in range(51)]
    )
    html = personas.client(personas.viewer_a).get(inbox_url(survey, channel="phone")).content.decode()
    assert html.count('name="response"') == 0  # a viewer has no checkboxes
    assert html.count("/responses/") - html.count("/responses/export/") >= 50
    assert "?channel=phone&amp;page=2" in html


def test_the_inbox_does_not_make_more_queries_with_more_rows(
    personas: Personas, django_assert_max_num_queries: Any
) -> None:
    survey = published_survey(personas.agency_a)
    client = personas.client(personas.analyst_a)
    answer(survey, channel="phone", tags=["a"])
    client.get(inbox_url(survey))  # warm the session and the caches
    with django_assert_max_num_queries(12) as few:
        client.get(inbox_url(survey))
    Response.objects.bulk_create(
        [
            Response(survey=survey, version=survey.current_version, tags=["b"], is_flagged=True)
            for _ in range(60)
        ]
    )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(inbox_url(survey)).status_code == 200


def test_an_anonymous_employee_survey_shows_only_a_count(personas: Personas) -> None:
    survey = published_survey(personas.agency_a, blueprint="employee-voice")
    question = survey.current_version.questions()[0]
    first = Response.objects.create(survey=survey, version=survey.current_version, answers={})
    answer(survey, {question["key"]: "x"})
    client = personas.client(personas.admin_a)
    html = client.get(inbox_url(survey)).content.decode()
    assert "2 complete responses" in html and "This survey is anonymous" in html
    assert f"/responses/{first.pk}/" not in html
    page = reverse("manage:surveys:inbox-response", args=[survey.agency.slug, survey.pk, first.pk])
    assert client.get(page).status_code == 404
    assert client.get(export_url(survey, "?format=csv")).status_code == 404


def test_another_agencys_survey_inbox_is_404(personas: Personas) -> None:
    survey = published_survey(personas.agency_a)
    answer(survey)
    assert personas.client(personas.admin_b).get(inbox_url(survey)).status_code == 404
    own_slug = reverse("manage:surveys:inbox", args=[personas.agency_b.slug, survey.pk])
    assert personas.client(personas.admin_b).get(own_slug).status_code == 404


def test_the_inbox_warns_when_the_omb_clearance_is_about_to_expire(personas: Personas) -> None:
    survey = published_survey(
        personas.agency_a, omb_expiration_date=timezone.localdate() + dt.timedelta(days=12)
    )
    html = personas.client(personas.viewer_a).get(inbox_url(survey)).content.decode()
    assert "The OMB clearance expires in 12 days" in html


# --- exports ------------------------------------------------------------------------------------------------


def read_csv(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode())))


def test_the_csv_export_has_a_column_per_question_and_only_the_quarter_asked_for(personas: Personas) -> None:
    survey = published_survey(personas.agency_a)
    autumn = answer(survey, {"satisfaction": 5, "ease": 4}, channel="phone", submitted_at=at("2025-10-15"))
    answer(survey, {"satisfaction": 1}, submitted_at=at("2026-01-15"))
    answer(survey, {"satisfaction": 3}, is_spam=True, submitted_at=at("2025-10-16"))
    download = personas.client(personas.viewer_a).get(export_url(survey, "?format=csv&quarter=FY2026+Q1"))
    assert download.status_code == 200
    assert "FY2026-Q1" in download["Content-Disposition"]
    rows = read_csv(download.content)
    assert [row["response_id"] for row in rows] == [str(autumn.pk)]
    header = list(rows[0])
    assert header[:4] == ["response_id", "survey", "version", "submitted_at"]
    assert {"weight", "stratum", "cluster", "population_size", "channel", "fiscal_quarter"} <= set(header)
    question_keys = [q["key"] for q in survey.current_version.questions()]
    assert header[-len(question_keys) :] == question_keys
    assert rows[0]["satisfaction"] == "5" and rows[0]["ease"] == "4" and rows[0]["trust"] == ""
    assert rows[0]["fiscal_quarter"] == "FY2026 Q1" and rows[0]["channel"] == "phone"


def test_the_json_export_keeps_answers_with_their_types(personas: Personas) -> None:
    survey = published_survey(personas.agency_a, blueprint="a11-v2")
    answer(survey, {"question_1": 5, "positive": ["ease", "employee"]}, submitted_at=at("2026-04-02"))
    download = personas.client(personas.viewer_a).get(export_url(survey, "?format=json&quarter=FY2026+Q3"))
    records = json.loads(download.content)
    assert download["Content-Type"].startswith("application/json")
    assert records[0]["answers"] == {"question_1": 5, "positive": ["ease", "employee"]}
    assert records[0]["fiscal_quarter"] == "FY2026 Q3" and records[0]["survey"] == survey.short_code


def test_the_a11_upload_has_exactly_the_touchpoints_headers_and_null_for_options_not_offered(
    personas: Personas,
) -> None:
    survey = published_survey(personas.agency_a, blueprint="a11-v2")
    happy = answer(survey, {"question_1": 5, "positive": ["ease", "employee"], "question_4": "Great"})
    unhappy = answer(survey, {"question_1": 2, "negative": ["efficiency"]})
    answer(survey, {"question_1": 1}, status=Response.Status.PARTIAL)
    download = personas.client(personas.viewer_a).get(export_url(survey, "?format=a11"))
    lines = download.content.decode().splitlines()
    assert lines[0] == (
        "external_id,question_1,positive_effectiveness,positive_ease,positive_efficiency,positive_transparency,"
        "positive_humanity,positive_employee,positive_other,negative_effectiveness,negative_ease,"
        "negative_efficiency,negative_transparency,negative_humanity,negative_employee,negative_other,question_4"
    )
    rows = {row["external_id"]: row for row in read_csv(download.content)}
    assert list(rows) == [str(happy.pk), str(unhappy.pk)]  # the partial one is not uploaded
    good, bad = rows[str(happy.pk)], rows[str(unhappy.pk)]
    assert good["question_1"] == "5" and good["positive_ease"] == "1" and good["positive_efficiency"] == "0"
    assert good["negative_ease"] == "null" and good["question_4"] == "Great"
    assert (
        bad["positive_ease"] == "null" and bad["negative_efficiency"] == "1" and bad["negative_ease"] == "0"
    )
    assert bad["question_4"] == "null"
    assert list(rows[str(happy.pk)]) == A11_UPLOAD_HEADERS


def test_the_inbox_offers_the_a11_upload_only_for_a11_v2_surveys(personas: Personas) -> None:
    v1 = published_survey(personas.agency_a)
    v2 = published_survey(personas.agency_a, blueprint="a11-v2")
    client = personas.client(personas.viewer_a)
    assert "format=a11" not in client.get(inbox_url(v1)).content.decode()
    assert "format=a11" in client.get(inbox_url(v2)).content.decode()


def test_the_export_command_writes_every_customer_survey_of_the_agency_with_a_survey_column(
    personas: Personas,
) -> None:
    first = published_survey(personas.agency_a)
    second = published_survey(personas.agency_a, blueprint="nps")
    answer(first, {"satisfaction": 4})
    Response.objects.create(survey=second, version=second.current_version, answers={})
    answer(first, {"satisfaction": 1}, is_spam=True)
    answer(published_survey(personas.agency_b), {"satisfaction": 2})
    output = io.StringIO()
    call_command("export", "survey-responses", "--agency", "AAA", stdout=output)
    rows = read_csv(output.getvalue().encode())
    assert sorted(row["survey"] for row in rows) == sorted([first.short_code, second.short_code])
    assert "satisfaction" in rows[0]
    a11 = io.StringIO()
    call_command("export", "a11-v2-upload", "--agency", "AAA", stdout=a11)
    assert a11.getvalue().splitlines() == [",".join(A11_UPLOAD_HEADERS)]
