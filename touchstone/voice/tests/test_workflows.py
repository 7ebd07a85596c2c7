"""Employee voice from end to end through the HTTP client: links, review, the board, insight, settings, demo."""

import datetime as dt
from typing import Any

from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from touchstone.catalog.models import Service
from touchstone.conftest import Personas, make_user
from touchstone.core.models import AuditEntry, Role
from touchstone.standards.models import PeriodResult, ServiceStandard
from touchstone.surveys.models import Survey
from touchstone.voice import selectors, services
from touchstone.voice.demo import load_voice_demo
from touchstone.voice.models import (
    BoardItem,
    EligibilityToken,
    EmployeeAnswer,
    EmployeeComment,
    SendRequest,
    Support,
)
from touchstone.voice.tests.factories import board_item, employee_survey, released_comment


def url(name: str, personas: Personas, *args: Any) -> str:
    return reverse(f"manage:voice:{name}", args=[personas.agency_a.slug, *args])


# --- surveys and links ----------------------------------------------------------------------------------------


def test_an_analyst_creates_an_employee_survey_with_office_and_tenure(personas: Personas) -> None:
    response = personas.client(personas.analyst_a).post(
        url("survey-new", personas), {"title": "Pulse", "ask_office": "on", "ask_tenure": "on"}
    )
    survey = Survey.objects.get(title="Pulse")
    assert response.status_code == 302
    assert survey.is_anonymous and survey.template == "employee-voice"
    assert selectors.breakdown_keys(survey) == ["office", "tenure"]
    personas.client(personas.analyst_a).post(url("survey-publish", personas, survey.pk))
    survey.refresh_from_db()
    assert survey.status == "published"


def test_links_go_to_people_by_role_and_to_an_uploaded_list(
    personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    survey = employee_survey(personas.agency_a)
    upload = SimpleUploadedFile("staff.csv", b"name,email\nPat,pat@example.gov\nLee,LEE@example.gov\n")
    with django_capture_on_commit_callbacks(execute=True):
        response = personas.client(personas.admin_a).post(
            url("survey-links", personas, survey.pk), {"roles": ["frontline"], "upload": upload}
        )
    assert response.status_code == 302
    assert not mail.outbox  # three people, none on a roster: a second admin must approve
    second_admin = make_user("admin-two", personas.agency_a, Role.ADMIN)
    send = SendRequest.objects.get(survey=survey)
    with django_capture_on_commit_callbacks(execute=True):
        personas.client(second_admin).post(
            url("send-decision", personas, survey.pk, send.pk), {"decision": "approve"}
        )
    assert sorted(m.to[0] for m in mail.outbox) == [
        "frontline-a@example.gov",
        "lee@example.gov",
        "pat@example.gov",
    ]
    assert "/es/e/" in mail.outbox[0].body
    assert EligibilityToken.objects.filter(survey=survey).count() == 3
    personas.client(personas.admin_a).post(url("survey-links", personas, survey.pk), {"roles": ["frontline"]})
    assert EligibilityToken.objects.filter(survey=survey).count() == 3


def test_a_bad_line_in_the_list_is_named(personas: Personas) -> None:
    survey = employee_survey(personas.agency_a)
    response = personas.client(personas.admin_a).post(
        url("survey-links", personas, survey.pk), {"addresses": "pat@example.gov\nnot an address"}
    )
    assert response.status_code == 200
    assert "Line 2" in response.content.decode()
    assert not EligibilityToken.objects.exists()


def test_staff_never_see_the_link_only_its_hash_is_kept(
    personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    survey = employee_survey(personas.agency_a)
    with django_capture_on_commit_callbacks(execute=True):
        services.create_links(actor=personas.admin_a, survey=survey, emails=["pat@example.gov"])
    token = mail.outbox[0].body.split("/e/")[1].split("/")[0]
    assert not EligibilityToken.objects.filter(token_hash=token).exists()
    page = personas.client(personas.admin_a).get(url("survey", personas, survey.pk)).content.decode()
    assert token not in page


def test_the_review_queue_approves_a_redacted_copy(personas: Personas) -> None:
    survey = employee_survey(personas.agency_a)
    comment = released_comment(survey, "Ann in Denver is rude.")
    client = personas.client(personas.analyst_a)
    queue = client.get(url("review", personas, survey.pk)).content.decode()
    assert "Ann in " in queue and "Denver</mark>" in queue  # the place is highlighted for redaction
    response = client.post(
        url("review-comment", personas, survey.pk, comment.pk),
        {"redacted": "A colleague is rude.", "decision": "approve"},
    )
    assert response.status_code == 302
    comment.refresh_from_db()
    assert (comment.status, comment.redacted, comment.original) == ("approved", "A colleague is rude.", "")


def test_viewers_and_front_line_staff_cannot_see_results_or_review(personas: Personas) -> None:
    survey = employee_survey(personas.agency_a)
    for user in (personas.viewer_a, personas.frontline_a):
        client = personas.client(user)
        assert client.get(url("survey", personas, survey.pk)).status_code == 403
        assert client.get(url("review", personas, survey.pk)).status_code == 403
        assert client.get(url("survey-export", personas, survey.pk)).status_code == 403


def test_a_customer_survey_is_not_an_employee_survey(personas: Personas) -> None:
    from touchstone.surveys.tests.factories import published_survey

    customer = published_survey(personas.agency_a)
    assert personas.client(personas.admin_a).get(url("survey", personas, customer.pk)).status_code == 404


def test_the_export_is_csv_of_suppressed_figures(personas: Personas) -> None:
    survey = employee_survey(personas.agency_a)
    response = personas.client(personas.admin_a).get(url("survey-export", personas, survey.pk))
    assert response["Content-Type"].startswith("text/csv")
    assert "respondents,hidden" in response.content.decode()


def test_the_admin_sets_the_minimum_group(personas: Personas) -> None:
    personas.client(personas.admin_a).post(url("settings", personas), {"minimum_group": "15"})
    assert selectors.minimum_group(personas.agency_a) == 15
    assert personas.client(personas.analyst_a).get(url("settings", personas)).status_code == 403


def test_the_breakdowns_are_chosen_per_survey(personas: Personas) -> None:
    survey = employee_survey(personas.agency_a)
    personas.client(personas.analyst_a).post(
        url("survey-breakdowns", personas, survey.pk), {"keys": ["tenure"]}
    )
    assert selectors.breakdown_keys(survey) == ["tenure"]


# --- the board ------------------------------------------------------------------------------------------------


def test_front_line_staff_post_by_name_and_see_the_reply(personas: Personas) -> None:
    client = personas.client(personas.frontline_a)
    client.post(
        url("item-new", personas),
        {
            "kind": "idea",
            "summary": "Text updates",
            "text": "Text customers at each step.",
            "barrier_kind": "process",
        },
    )
    item = BoardItem.objects.get(summary="Text updates")
    assert item.author == personas.frontline_a
    services.triage_item(
        actor=personas.analyst_a, item=item, data={"status": "planned", "reply": "Coming in May."}
    )
    page = client.get(url("item", personas, item.pk)).content.decode()
    assert "Coming in May." in page and "Planned" in page
    assert client.get(url("item-triage", personas, item.pk)).status_code == 403


def test_viewers_have_no_board(personas: Personas) -> None:
    assert personas.client(personas.viewer_a).get(url("board", personas)).status_code == 403
    assert personas.client(personas.viewer_a).get(url("home", personas)).status_code == 200


def test_one_support_per_person_and_a_second_click_takes_it_back(personas: Personas) -> None:
    item = board_item(personas.agency_a)
    client = personas.client(personas.frontline_a)
    client.post(url("item-support", personas, item.pk))
    assert Support.objects.filter(item=item).count() == 1
    client.post(url("item-support", personas, item.pk))
    assert Support.objects.filter(item=item).count() == 0


def test_merging_moves_supports_to_the_item_kept_once_per_person(personas: Personas) -> None:
    kept, duplicate = board_item(personas.agency_a), board_item(personas.agency_a, summary="Forms slow again")
    for user in (personas.frontline_a, personas.analyst_a):
        Support.objects.create(item=duplicate, supporter=user)
    Support.objects.create(item=kept, supporter=personas.frontline_a)
    response = personas.client(personas.analyst_a).post(
        url("item-merge", personas, duplicate.pk), {"keep": str(kept.pk)}
    )
    assert response.status_code == 302
    assert Support.objects.filter(item=kept).count() == 2
    assert list(selectors.board_items(personas.agency_a)) == [kept]
    assert AuditEntry.objects.filter(action="merged", object_id=str(duplicate.pk)).exists()


def test_triage_links_a_standard_and_a_topic_only_of_the_same_agency(personas: Personas) -> None:
    from touchstone.complaints.models import Topic

    item = board_item(personas.agency_a)
    foreign = Topic.objects.create(agency=personas.agency_b, name="Fees")
    response = personas.client(personas.analyst_a).post(
        url("item-triage", personas, item.pk),
        {"status": "received", "kind": "barrier", "barrier_kind": "other", "topic": foreign.pk},
    )
    assert response.status_code == 200
    item.refresh_from_db()
    assert item.topic is None


def test_the_board_filters_and_does_not_grow_its_queries_with_items(
    personas: Personas, django_assert_max_num_queries: Any
) -> None:
    for number in range(15):
        board_item(
            personas.agency_a, summary=f"Item {number}", status="planned" if number % 2 else "received"
        )
    client = personas.client(personas.frontline_a)
    with django_assert_max_num_queries(12):
        page = client.get(url("board", personas), {"status": "planned"}).content.decode()
    assert "Item 1" in page and "Item 2<" not in page


# --- insight --------------------------------------------------------------------------------------------------


def test_insight_ranks_barriers_and_says_whether_a_done_idea_moved_the_standard(personas: Personas) -> None:
    service = Service.objects.create(
        agency=personas.agency_a, name="Appeals", description="Appeal a decision."
    )
    standard = ServiceStandard.objects.create(
        agency=personas.agency_a,
        service=service,
        statement="We decide appeals in 30 days.",
        measure="calendar_days",
        threshold=30,
        target=0.85,
        valid_from=dt.date(2025, 1, 1),
    )
    for month, met in ((1, 600), (2, 610), (3, 590), (4, 850), (5, 870), (6, 860)):
        PeriodResult.objects.create(
            standard=standard,
            period_start=dt.date(2025, month, 1),
            period_end=dt.date(2025, month, 28),
            label=f"2025-{month:02d}",
            volume_met=met,
            total=1000,
        )
    done = board_item(personas.agency_a, summary="Plain appeal letters", kind="idea", service=service)
    services.triage_item(actor=personas.analyst_a, item=done, data={"status": "done", "standard": standard})
    BoardItem.objects.filter(pk=done.pk).update(done_period=dt.date(2025, 4, 1))
    top = board_item(personas.agency_a, summary="Letters confuse callers", service=service)
    Support.objects.create(item=top, supporter=personas.frontline_a)
    movement = selectors.did_it_move(personas.agency_a)[0]
    assert movement.share_before is not None and movement.share_after is not None
    assert round(movement.share_after - movement.share_before, 2) == 0.26
    assert str(movement.verdict) == "Improved"
    page = personas.client(personas.analyst_a).get(url("insight", personas)).content.decode()
    assert "Letters confuse callers" in page and "Improved" in page and "Appeals" in page


def test_themes_use_only_approved_text(personas: Personas) -> None:
    survey = employee_survey(personas.agency_a)
    EmployeeComment.objects.create(survey=survey, question_key="barrier", original="Whitfield secret words")
    for n in range(6):
        board_item(
            personas.agency_a, summary=f"Scanner jams {n}", text="The scanner jams and the printer is slow."
        )
        board_item(personas.agency_a, summary=f"Training {n}", text="New staff get no training on the rules.")
    themes = selectors.themes(personas.agency_a)
    assert themes
    assert "whitfield" not in " ".join(t.label + " ".join(t.examples) for t in themes).lower()


# --- demo -----------------------------------------------------------------------------------------------------


def test_the_demo_has_a_survey_with_results_and_a_board_and_loads_twice_the_same(personas: Personas) -> None:
    load_voice_demo(personas.agency_a)
    counts = (EmployeeAnswer.objects.count(), BoardItem.objects.count(), Support.objects.count())
    load_voice_demo(personas.agency_a)
    assert counts == (EmployeeAnswer.objects.count(), BoardItem.objects.count(), Support.objects.count())
    survey = Survey.objects.get(agency=personas.agency_a, audience="employees")
    assert EmployeeAnswer.objects.filter(survey=survey).count() >= 150
    results = selectors.survey_results(survey)
    assert results.shown and [r.number for r in results.releases] == [1, 2]
    assert results.releases[0].month != results.releases[1].month
    assert selectors.survey_results(survey, number=1).respondents != results.respondents
    assert len(results.trend[0].favorable) == 2
    assert BoardItem.objects.filter(agency=personas.agency_a).values("status").distinct().count() == 5
    assert BoardItem.objects.filter(agency=personas.agency_a).count() >= 24


def test_closing_an_employee_survey_from_the_surveys_page_forgets_the_link_addresses(
    personas: Personas,
) -> None:
    from touchstone.surveys import services as survey_services
    from touchstone.voice.models import EligibilityToken

    survey = employee_survey(personas.agency_a)
    EligibilityToken.objects.create(survey=survey, token_hash="a" * 64, email="frances@example.gov")
    survey_services.change_status(actor=personas.admin_a, survey=survey, status="closed")
    assert EligibilityToken.objects.get(survey=survey).email == ""


def test_an_analyst_releases_results_with_the_button_and_is_told_when_too_few_answered(
    personas: Personas,
) -> None:
    from touchstone.voice.tests.factories import answer

    survey = employee_survey(personas.agency_a)
    client = personas.client(personas.analyst_a)
    for _ in range(3):
        answer(survey)
    response = client.post(url("survey-release", personas, survey.pk), follow=True)
    assert "A release needs at least 10 people" in response.content.decode()
    for _ in range(7):
        answer(survey)
    response = client.post(url("survey-release", personas, survey.pk), follow=True)
    assert "Release 1 made." in response.content.decode()
    assert [r.number for r in selectors.releases(survey)] == [1]
    assert AuditEntry.objects.filter(action="released results", agency=personas.agency_a).exists()
    assert (
        personas.client(personas.viewer_a).post(url("survey-release", personas, survey.pk)).status_code == 403
    )
    page = client.get(url("survey-releases", personas, survey.pk)).content.decode()
    assert "Releases made" in page and "Release results now" in page
