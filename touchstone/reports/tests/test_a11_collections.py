"""The A-11 quarterly CX data cycle: a collection per HISP service, channel, transaction point and quarter, due 30
days after the quarter, rated for completeness, filled from a survey or an uploaded file (all or nothing), reviewed
from draft to published, and exported in exactly the upload layout."""

import csv
import datetime as dt
import io

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from touchstone.analysis.tests.helpers import add_responses
from touchstone.conftest import Personas
from touchstone.core.models import Agency, AuditEntry
from touchstone.reports import services
from touchstone.reports.models import A11Collection
from touchstone.reports.tests.helpers import hisp, surveyed
from touchstone.surveys.exports import A11_UPLOAD_HEADERS
from touchstone.surveys.tests.factories import published_survey

HEADER = ",".join(A11_UPLOAD_HEADERS)
GOOD_ROW = "r1,4,1,1,0,0,0,0,0,null,null,null,null,null,null,null,Quick and kind"


def collection(agency: Agency, quarter: int = 2, **data: object) -> A11Collection:
    return services.save_collection(
        actor=None,
        agency=agency,
        data={
            "service": hisp(agency),
            "channel": "website",
            "transaction_point": "post_interaction",
            "fiscal_year": 2026,
            "quarter": quarter,
            **data,
        },
    )


def complete(c: A11Collection) -> A11Collection:
    return services.save_collection(
        actor=None,
        agency=c.agency,
        collection=c,
        data={
            "volume_of_customers": 1000,
            "volume_offered": 400,
            "omb_control_number": "1090-0011",
            "federal_register_url": "https://www.federalregister.gov/d/2025-01234",
        },
    )


def test_data_are_due_30_days_after_the_quarter_ends(personas: Personas) -> None:
    c = collection(personas.agency_a, quarter=1)  # FY2026 Q1 ends 2025-12-31
    assert c.due_date == dt.date(2026, 1, 30)
    assert c.is_overdue(dt.date(2026, 1, 31)) and not c.is_overdue(dt.date(2026, 1, 30))


def test_the_rating_says_what_is_missing(personas: Personas) -> None:
    c = collection(personas.agency_a)
    assert c.rating == "red"
    assert "OMB control number" in c.missing()
    c = services.upload_responses(actor=None, collection=c, content=f"{HEADER}\n{GOOD_ROW}\n".encode())
    c = complete(c)
    assert c.rating == "green" and c.missing() == []


def test_only_a_high_impact_service_of_the_agency_can_have_a_collection(personas: Personas) -> None:
    with pytest.raises(ValidationError):
        collection(personas.agency_a, service=hisp(personas.agency_b))


def test_a_collection_is_filled_from_its_surveys_quarter(personas: Personas) -> None:
    survey = surveyed(personas.agency_a, 25, 20)  # January 2026: FY2026 Q2
    add_responses(survey, 5, seed=3, start=None)  # also January: counted
    c = collection(personas.agency_a, survey=survey)
    c = services.fill_from_survey(actor=None, collection=c)
    assert c.volume_of_respondents == 30
    assert c.omb_control_number == "1090-0011"
    other_quarter = collection(personas.agency_a, quarter=1, survey=survey, channel="phone")
    assert services.fill_from_survey(actor=None, collection=other_quarter).volume_of_respondents == 0


def test_an_upload_with_wrong_headers_or_a_bad_line_changes_nothing_and_names_the_line(
    personas: Personas,
) -> None:
    c = collection(personas.agency_a)
    with pytest.raises(ValidationError) as error:
        services.upload_responses(actor=None, collection=c, content=b"id,score\n1,4\n")
    assert "Line 1" in str(error.value)
    bad = f"{HEADER}\n{GOOD_ROW}\nr2,9,1,1,0,0,0,0,0,null,null,null,null,null,null,null,\n".encode()
    with pytest.raises(ValidationError) as error:
        services.upload_responses(actor=None, collection=c, content=bad)
    assert "Line 3: question_1" in str(error.value)
    c.refresh_from_db()
    assert c.uploaded_rows == [] and c.volume_of_respondents is None


def test_the_upload_page_tells_the_person_what_is_wrong(personas: Personas) -> None:
    c = collection(personas.agency_a)
    url = reverse("manage:reports:collection-upload", args=[personas.agency_a.slug, c.pk])
    page = personas.client(personas.analyst_a).post(
        url, {"file": SimpleUploadedFile("a11.csv", b"id,score\n1,4\n")}, follow=True
    )
    assert "Line 1 lacks the columns external_id, question_1" in page.content.decode()


def test_the_per_respondent_export_has_exactly_the_upload_headers(personas: Personas) -> None:
    c = collection(personas.agency_a)
    services.upload_responses(actor=None, collection=c, content=f"{HEADER}\n{GOOD_ROW}\n".encode())
    url = reverse("manage:reports:collection-export", args=[personas.agency_a.slug, c.pk])
    rows = list(csv.reader(io.StringIO(personas.client(personas.analyst_a).get(url).content.decode())))
    assert rows[0] == A11_UPLOAD_HEADERS
    assert rows[1] == GOOD_ROW.split(",")


def test_an_upload_is_audited_without_the_customers_comments(personas: Personas) -> None:
    c = collection(personas.agency_a)
    services.upload_responses(actor=None, collection=c, content=f"{HEADER}\n{GOOD_ROW}\n".encode())
    entry = AuditEntry.objects.filter(action="uploaded responses").get()
    assert "Quick and kind" not in str(entry.changes)


def test_the_per_respondent_export_of_an_a11_v2_survey_reads_its_answers(personas: Personas) -> None:
    survey = published_survey(personas.agency_a, "a11-v2")
    add_responses(survey, 3, answers=lambda rng, i: {"question_1": 5})
    c = collection(personas.agency_a, survey=survey)
    rows = services.collection_rows(c)
    assert len(rows) == 3 and all(row[1] == "5" for row in rows)


def test_the_per_question_counts_export_counts_answers_1_to_5_for_questions_1_to_7(
    personas: Personas,
) -> None:
    survey = surveyed(personas.agency_a, 10, 4)  # 4 answered 5 to satisfaction, 6 answered 2
    c = collection(personas.agency_a, survey=survey)
    url = reverse("manage:reports:collection-counts", args=[personas.agency_a.slug, c.pk])
    rows = list(csv.reader(io.StringIO(personas.client(personas.analyst_a).get(url).content.decode())))
    assert rows[0] == ["question", "answer_1", "answer_2", "answer_3", "answer_4", "answer_5"]
    assert rows[1] == ["question_1", "0", "6", "0", "0", "4"]
    assert len(rows) == 8


def test_a_collection_goes_from_draft_to_published_through_review(personas: Personas) -> None:
    survey = surveyed(personas.agency_a, 20, 15)
    c = complete(collection(personas.agency_a, survey=survey))
    move = reverse("manage:reports:collection-move", args=[personas.agency_a.slug, c.pk])
    analyst, admin = personas.client(personas.analyst_a), personas.client(personas.admin_a)
    analyst.post(move, {"to": "submitted"})
    c.refresh_from_db()
    assert c.state == "submitted" and c.submitted_by == personas.analyst_a
    assert analyst.post(move, {"to": "published"}).status_code == 403  # the reviewer is the admin
    admin.post(move, {"to": "change_requested", "note": "Check customers served."})
    c.refresh_from_db()
    assert c.state == "change_requested" and c.reviewer_note == "Check customers served."
    analyst.post(move, {"to": "submitted"})
    admin.post(move, {"to": "published"})
    c.refresh_from_db()
    assert c.state == "published" and c.reviewed_by == personas.admin_a


def test_a_red_collection_cannot_be_submitted(personas: Personas) -> None:
    c = collection(personas.agency_a)
    with pytest.raises(ValidationError) as error:
        services.move_collection(actor=personas.analyst_a, collection=c, to="submitted")
    assert "OMB control number" in str(error.value)


def test_a_change_request_needs_a_note(personas: Personas) -> None:
    c = complete(collection(personas.agency_a, survey=surveyed(personas.agency_a, 5, 5)))
    services.move_collection(actor=personas.analyst_a, collection=c, to="submitted")
    with pytest.raises(ValidationError):
        services.move_collection(actor=personas.admin_a, collection=c, to="change_requested", note=" ")


def test_admins_are_reminded_of_collections_due_within_a_week_by_a_link_only(personas: Personas) -> None:
    collection(personas.agency_a, quarter=1)  # due 2026-01-30
    assert services.send_due_reminders(today=dt.date(2026, 1, 20)) == 0
    assert services.send_due_reminders(today=dt.date(2026, 1, 25)) == 1
    (message,) = mail.outbox
    assert message.to == [personas.admin_a.email]
    assert f"/manage/{personas.agency_a.slug}/reports/a11/" in message.body
    assert services.send_due_reminders(today=dt.date(2026, 1, 25)) == 0  # once a day


def test_staff_of_another_agency_get_404(personas: Personas) -> None:
    c = collection(personas.agency_a)
    client = personas.client(personas.admin_b)
    for name in ("collection", "collection-edit", "collection-export", "collection-counts"):
        for slug in (personas.agency_a.slug, personas.agency_b.slug):
            assert client.get(reverse(f"manage:reports:{name}", args=[slug, c.pk])).status_code == 404


# Touchpoints' A-11 CX upload as its users keep it: its columns among others, in another order, empty cells and
# NULL where an option was not offered, true/false flags, and a thumbs-up question_1.
TOUCHPOINTS_UPLOAD = """\
id,external_id,cx_collection_detail_id,question_1,question_4,positive_effectiveness,positive_ease,\
positive_efficiency,positive_transparency,positive_humanity,positive_employee,positive_other,\
negative_effectiveness,negative_ease,negative_efficiency,negative_transparency,negative_humanity,\
negative_employee,negative_other,created_at
11,R-1,5,1,"Fast, thank you",1,true,0,0,,0,0,NULL,NULL,NULL,NULL,NULL,NULL,NULL,2026-01-05
12,R-2,5,0,,,,,,,,,1,0,FALSE,1,0,0,0,2026-01-06
"""


def test_touchpoints_cx_upload_is_accepted_as_its_users_keep_it(personas: Personas) -> None:
    c = services.upload_responses(
        actor=None, collection=collection(personas.agency_a), content=TOUCHPOINTS_UPLOAD.encode()
    )
    assert c.volume_of_respondents == 2
    assert services.collection_rows(c) == [
        ["R-1", "1", "1", "1", "0", "0", "null", "0", "0", *["null"] * 7, "Fast, thank you"],
        ["R-2", "0", *["null"] * 7, "1", "0", "0", "1", "0", "0", "0", "null"],
    ]


def test_an_upload_with_a_repeated_respondent_or_a_bad_flag_names_the_lines(personas: Personas) -> None:
    bad = f"{HEADER}\n{GOOD_ROW}\n{GOOD_ROW}\nr3,4,yes-ish,1,0,0,0,0,0,null,null,null,null,null,null,null,\n"
    with pytest.raises(ValidationError) as error:
        services.upload_responses(actor=None, collection=collection(personas.agency_a), content=bad.encode())
    message = str(error.value)
    assert "Line 3: external_id r1 is already on line 2" in message
    assert "Line 4: positive_effectiveness must be 0, 1 or null" in message


def test_our_a11_file_round_trips_through_the_upload(personas: Personas) -> None:
    from touchstone.core.importing import export_to_string

    survey = published_survey(personas.agency_a, "a11-v2")
    add_responses(
        survey,
        6,
        answers=lambda rng, i: {"question_1": 1 + i % 5},
    )
    exported = export_to_string("a11-v2-upload", personas.agency_a)
    c = services.upload_responses(
        actor=None, collection=collection(personas.agency_a), content=exported.encode()
    )
    rows = list(csv.reader(io.StringIO(exported)))
    assert rows[0] == A11_UPLOAD_HEADERS and len(rows) == 7
    assert services.collection_rows(c) == rows[1:]
