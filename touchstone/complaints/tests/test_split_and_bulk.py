"""Splitting a case that holds two problems, and bulk actions on the worklist: each through the pages, audited,
all-or-nothing, and only on this agency's cases."""

from django.test import Client

from touchstone.complaints import services
from touchstone.complaints.models import Case, CaseTag
from touchstone.complaints.tests.factories import file_case, standard_policy
from touchstone.conftest import Personas
from touchstone.core.models import AuditEntry


def test_a_handler_splits_a_second_problem_into_its_own_linked_case_with_its_own_clock(
    personas: Personas,
) -> None:
    standard_policy(personas)
    case = file_case(personas, "My payment is late. Also, the office was rude to me on the phone.")
    handler = personas.client(personas.handler_a)
    url = f"/manage/{personas.agency_a.slug}/complaints/cases/{case.pk}/split/"
    assert handler.get(url).status_code == 200
    response = handler.post(url, {"narrative": "The office was rude to me on the phone."})
    part = Case.objects.exclude(pk=case.pk).get()
    assert response.status_code == 302 and response.url.endswith(f"/cases/{part.pk}/")
    assert part.split_from == case and part.narrative == "The office was rude to me on the phone."
    assert part.contact_email == case.contact_email and part.tracking_number != case.tracking_number
    assert (
        part.received_at == case.received_at and part.policy is not None and part.next_breach_at is not None
    )
    assert part.events.exists()
    assert AuditEntry.objects.filter(action="split a case off").count() == 1
    assert AuditEntry.objects.filter(action="split from a case").count() == 1
    original = handler.get(f"/manage/{personas.agency_a.slug}/complaints/cases/{case.pk}/").content.decode()
    assert part.tracking_number in original
    assert case.tracking_number in handler.get(response.url).content.decode()


def test_bulk_assign_tag_and_status_change_every_ticked_case(personas: Personas) -> None:
    first, second = file_case(personas), file_case(personas, "Second.")
    handler = personas.client(personas.handler_a)
    url = f"/manage/{personas.agency_a.slug}/complaints/bulk/"
    ticked = [first.pk, second.pk]
    page = handler.get(f"/manage/{personas.agency_a.slug}/complaints/").content.decode()
    assert f'name="cases" value="{first.pk}"' in page and "csrfmiddlewaretoken" in page
    handler.post(url, {"action": "assign", "cases": ticked, "handler": personas.handler_a.pk})
    handler.post(url, {"action": "tag", "cases": ticked, "tag": "Refund"})
    handler.post(url, {"action": "state", "cases": ticked, "state": "in_progress"})
    for case in (first, second):
        case.refresh_from_db()
        assert case.handler == personas.handler_a and case.state == Case.State.IN_PROGRESS
        assert [tag.name for tag in case.tags.all()] == ["Refund"]
    assert AuditEntry.objects.filter(action="tagged").count() == 2


def test_bulk_merge_folds_the_ticked_cases_into_the_first_received(personas: Personas) -> None:
    first = file_case(personas, "Payment late.", contact_email="pat@example.com")
    twin = file_case(personas, "Payment late, again.", contact_email="pat@example.com")
    response = personas.client(personas.handler_a).post(
        f"/manage/{personas.agency_a.slug}/complaints/bulk/",
        {"action": "merge", "cases": [twin.pk, first.pk]},
    )
    assert response.status_code == 302 and response.url.endswith(f"/cases/{first.pk}/")
    twin.refresh_from_db()
    assert twin.merged_into == first and twin.state == Case.State.CLOSED


def test_a_bulk_action_one_case_cannot_take_changes_none(personas: Personas) -> None:
    mine = file_case(personas, "Payment late.", contact_email="pat@example.com")
    twin = file_case(personas, "Payment late again.", contact_email="pat@example.com")
    theirs = file_case(personas, "Another customer.", contact_email="someone@example.com")
    handler = personas.client(personas.handler_a)
    url = f"/manage/{personas.agency_a.slug}/complaints/bulk/"
    page = handler.post(url, {"action": "merge", "cases": [mine.pk, twin.pk, theirs.pk]}, follow=True)
    assert "Nothing was merged" in page.content.decode()
    assert not Case.objects.filter(merged_into__isnull=False).exists()
    services.close_case(actor=personas.handler_a, case=twin, outcome="closed", response="Done.")
    assigned = AuditEntry.objects.filter(action="assigned").count()
    page = handler.post(
        url, {"action": "assign", "cases": [mine.pk, twin.pk], "handler": personas.handler_a.pk}, follow=True
    )
    assert f"{twin.tracking_number} is closed; nothing was changed." in page.content.decode()
    assert AuditEntry.objects.filter(action="assigned").count() == assigned
    page = handler.post(url, {"action": "tag", "cases": [mine.pk]}, follow=True)
    assert "Fill this in for the action you chose." in page.content.decode()


def test_a_case_of_another_agency_among_the_ticked_gives_404_and_changes_nothing(personas: Personas) -> None:
    mine = file_case(personas)
    elsewhere = file_case(personas, agency=personas.agency_b)
    response = personas.client(personas.handler_a).post(
        f"/manage/{personas.agency_a.slug}/complaints/bulk/",
        {"action": "tag", "cases": [mine.pk, elsewhere.pk], "tag": "Refund"},
    )
    assert response.status_code == 404
    assert not CaseTag.objects.exists() and not mine.tags.exists()


def test_bulk_actions_need_a_csrf_token_and_a_handler(personas: Personas) -> None:
    case = file_case(personas)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(personas.handler_a)
    url = f"/manage/{personas.agency_a.slug}/complaints/bulk/"
    assert strict.post(url, {"action": "tag", "cases": [case.pk], "tag": "x"}).status_code == 403
    viewer = personas.client(personas.viewer_a)
    assert viewer.post(url, {"action": "tag", "cases": [case.pk], "tag": "x"}).status_code == 403
    assert 'name="cases"' not in viewer.get(f"/manage/{personas.agency_a.slug}/complaints/").content.decode()
    assert not case.tags.exists()
