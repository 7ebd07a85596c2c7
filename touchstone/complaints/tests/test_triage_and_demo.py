"""The classifier learns from the agency's settled complaints; the demo has a year of them and a trained model."""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from touchstone.complaints import services
from touchstone.complaints.models import Case, TriageModel, TriageSuggestion
from touchstone.complaints.tests.factories import file_case
from touchstone.conftest import Personas
from touchstone.core.models import Agency


@pytest.fixture
def demo_agency(db: object) -> Agency:
    call_command("load_demo", stdout=io.StringIO())
    return Agency.objects.get(abbreviation="BA")


def test_the_demo_has_a_year_of_complaints_some_breaches_and_a_trained_classifier(
    demo_agency: Agency,
) -> None:
    cases = Case.objects.filter(agency=demo_agency)
    assert cases.count() >= 600
    first, last = cases.order_by("received_at").first(), cases.order_by("received_at").last()
    assert first is not None and last is not None and (last.received_at - first.received_at).days > 300
    assert len(set(cases.values_list("channel", flat=True))) >= 4
    assert len(set(cases.values_list("service", flat=True))) >= 2
    assert any(case.met("first_response") is False for case in cases.filter(state=Case.State.CLOSED)[:200])
    model = TriageModel.objects.get(agency=demo_agency)
    assert model.metrics["narratives"]["new"]["topic"]["accuracy"] > 0.6


def test_the_demo_loads_in_bulk_not_a_query_per_record(db: object) -> None:
    # A count of queries holds still on a busy machine where a stopwatch does not (2,645 when this was written,
    # for some 6,000 survey answers and 720 complaints: one query per record would be several times that).
    with CaptureQueriesContext(connection) as queries:
        call_command("load_demo", stdout=io.StringIO())
    assert len(queries.captured_queries) < 4000
    assert Case.objects.count() >= 600


def test_train_triage_prints_accuracy_and_macro_f1_per_target(demo_agency: Agency) -> None:
    out = io.StringIO()
    call_command("train_triage", agency="BA", stdout=out)
    printed = out.getvalue()
    for target in ["topic", "office", "urgency"]:
        assert target in printed
    assert "macro-F1" in printed


def test_the_admin_sees_the_measured_accuracy(demo_agency: Agency, client: object) -> None:
    from django.test import Client

    admin = Client()
    admin.login(username="admin", password="demo-password-2026")
    page = admin.get("/manage/ba/complaints/setup/").content.decode()
    assert 'id="triage-accuracy"' in page and "%" in page


def test_a_new_complaint_gets_a_suggestion_a_handler_corrects_it_and_duplicates_show(
    demo_agency: Agency,
) -> None:
    case = services.file_complaint(
        agency=demo_agency,
        data={
            "narrative": "The website will not let me log in and the online form crashed.",
            "contact_email": "x@example.com",
        },
    )
    suggestion = TriageSuggestion.objects.get(case=case)
    assert suggestion.topic is not None and suggestion.topic.name == "Website problems"
    assert 0 < suggestion.topic_confidence <= 1
    twin = services.file_complaint(
        agency=demo_agency,
        data={
            "narrative": "The website will not let me log in and the online form crashed.",
            "contact_email": "y@example.com",
        },
    )
    handler = __import__("django.test", fromlist=["Client"]).Client()
    handler.login(username="handler", password="demo-password-2026")
    page = handler.get(f"/manage/ba/complaints/cases/{twin.pk}/").content.decode()
    assert "Possible duplicates" in page and case.tracking_number in page
    other_topic = demo_agency.complaint_topics.exclude(pk=suggestion.topic_id).first()
    handler.post(
        f"/manage/ba/complaints/cases/{case.pk}/triage/",
        {"topic": other_topic.pk, "office": suggestion.office_id or "", "urgency": "urgent"},
    )
    suggestion.refresh_from_db()
    case.refresh_from_db()
    assert suggestion.review == TriageSuggestion.Review.CORRECTED
    assert case.topic == other_topic and case in services.training_cases(demo_agency)


def test_training_needs_enough_settled_complaints(personas: Personas) -> None:
    file_case(personas)
    with pytest.raises(ValueError, match="at least 20"):
        services.train_triage(agency=personas.agency_a)


def test_the_demo_worklist_looks_like_a_real_agencys_a_few_breaches_not_most(demo_agency: Agency) -> None:
    from touchstone.complaints.selectors import clock_watch

    clocks = clock_watch(demo_agency)
    assert clocks.open >= 30
    assert 0 < clocks.breached <= clocks.open * 0.2, (clocks.breached, clocks.open)
    assert clocks.due_soon > 0


def test_the_demo_has_an_email_thread_a_merged_duplicate_a_split_case_a_bounce_and_answers(
    demo_agency: Agency,
) -> None:
    from touchstone.complaints.models import Article, CaseMessage

    emailed = Case.objects.filter(agency=demo_agency, messages__email_message_id__startswith="<demo-maria-2")
    thread = emailed.get()
    directions = list(thread.messages.values_list("direction", flat=True))
    assert directions.count("from_customer") >= 1 and directions.count("to_customer") >= 2
    assert Case.objects.filter(agency=demo_agency, merged_into=thread).exists()
    assert Case.objects.filter(agency=demo_agency, split_from__isnull=False).count() == 1
    assert CaseMessage.objects.filter(case__agency=demo_agency, bounced_at__isnull=False).count() == 1
    flagged = Case.objects.get(
        agency=demo_agency, likely_duplicate_of__isnull=False, state__in=Case.OPEN_STATES
    )
    assert flagged.contact_email == "grace.kim@example.org" and flagged.likely_duplicate_of is not None
    assert (
        flagged.likely_duplicate_of.contact_email == flagged.contact_email
        and flagged.likely_duplicate_of.is_open
    )
    public = Article.objects.filter(agency=demo_agency, public=True)
    assert public.count() >= 3 and public.exclude(body_es="").exists()
    assert Article.objects.filter(agency=demo_agency, public=False).exists()
    # A Spanish reader chooses among the demo's topics in Spanish.
    spanish = Client().get(f"/es/agencies/{demo_agency.slug}/complaints/answers/").content.decode()
    assert "Pago atrasado" in spanish and "Documentos extraviados" in spanish
    assert "Problemas con el sitio web" in spanish and ">Late payment<" not in spanish
