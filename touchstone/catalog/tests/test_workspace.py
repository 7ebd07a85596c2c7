"""Analysts build the catalog in the workspace: services, channels, customers, volumes; one page answers
who the customers are, who is missing, how they reach us and how that is shifting."""

from django.urls import reverse

from touchstone.catalog import selectors
from touchstone.catalog.models import ChannelVolume, Service, ServiceChannel
from touchstone.catalog.tests.factories import link, monthly_volumes, published_service
from touchstone.conftest import Personas
from touchstone.core.models import AuditEntry


def url(personas: Personas, name: str, *args: object) -> str:
    return reverse(f"manage:catalog:{name}", args=[personas.agency_a.slug, *args])


def test_an_analyst_adds_a_service_as_a_draft_with_an_audit_entry(personas: Personas) -> None:
    client = personas.client(personas.analyst_a)
    response = client.post(
        url(personas, "service-new"),
        {
            "name": "Renew a fishing license",
            "description": "Renew your license online.",
            "kind": "regulatory",
            "owner_office": personas.office_a.pk,
            "estimated_annual_volume": "12000",
        },
    )
    service = Service.objects.get(name="Renew a fishing license")
    assert response["Location"] == url(personas, "service", service.pk)
    assert service.status == "draft" and service.agency == personas.agency_a
    assert AuditEntry.objects.filter(
        object_type="service", action="created", actor=personas.analyst_a
    ).exists()


def test_a_service_cannot_use_another_agencys_office(personas: Personas) -> None:
    response = personas.client(personas.analyst_a).post(
        url(personas, "service-new"),
        {"name": "X", "description": "Y", "kind": "other", "owner_office": personas.office_b.pk},
    )
    assert "Select a valid choice" in response.content.decode()
    assert not Service.objects.exists()


def test_publishing_needs_a_channel_and_says_so(personas: Personas) -> None:
    service = Service.objects.create(agency=personas.agency_a, name="Draft", description="d")
    client = personas.client(personas.analyst_a)
    page = client.post(url(personas, "service-status", service.pk), {"status": "published"}, follow=True)
    assert "Add at least one way to get this service" in page.content.decode()
    ServiceChannel.objects.create(service=service, channel="website")
    client.post(url(personas, "service-status", service.pk), {"status": "published"})
    service.refresh_from_db()
    assert service.status == "published"


def test_a_viewer_reads_the_service_page_but_cannot_edit(personas: Personas) -> None:
    service = published_service(personas.agency_a, "Passes")
    client = personas.client(personas.viewer_a)
    html = client.get(url(personas, "service", service.pk)).content.decode()
    assert "Passes" in html and "Edit details" not in html
    assert client.get(url(personas, "service-edit", service.pk)).status_code == 403
    assert client.post(url(personas, "service-status", service.pk), {"status": "retired"}).status_code == 403


def test_the_service_page_answers_who_is_missing_largest_gap_first(personas: Personas) -> None:
    service = published_service(personas.agency_a, "Benefits")
    link(service, "Retirees", 1000, 900)
    link(service, "Veterans", 500, 100)
    link(service, "Unknown reach", None, 40)
    gaps = selectors.coverage_gaps(personas.agency_a, service)
    assert [(g.segment.name, g.gap) for g in gaps] == [
        ("Veterans", 400),
        ("Retirees", 100),
        ("Unknown reach", None),
    ]
    html = personas.client(personas.analyst_a).get(url(personas, "service", service.pk)).content.decode()
    assert html.index("Veterans") < html.index("Retirees")
    assert "20%" in html  # Veterans' reach


def test_channel_mix_rolls_months_into_quarters_and_never_counts_no_data_as_zero(personas: Personas) -> None:
    service = published_service(personas.agency_a, "Cards", channels=("website", "phone"))
    monthly_volumes(service, {"website": [10, 20, 30, 40], "phone": [90, None, 70, 60]})
    mix = selectors.channel_mix(service, "quarter")
    assert [row.label for row in mix.rows] == ["FY2026 Q1", "FY2026 Q2"]
    first = mix.rows[0]
    assert first.volumes == {"website": 60, "phone": 160}
    assert first.digital_share == 60 / 220
    monthly = selectors.channel_mix(service, "month")
    assert monthly.rows[1].volumes["phone"] is None
    html = (
        personas.client(personas.analyst_a)
        .get(url(personas, "service", service.pk) + "?period=month")
        .content.decode()
    )
    assert "no data" in html
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in html and 'role="img"' in html


def test_recording_a_volume_checks_the_period(personas: Personas) -> None:
    service = published_service(personas.agency_a, "Cards", channels=("phone",))
    client = personas.client(personas.analyst_a)
    bad = client.post(
        url(personas, "volume-new", service.pk),
        {"channel": "phone", "period": "quarter", "period_start": "2026-02-01", "availability": "reported"},
    )
    html = bad.content.decode()
    assert "A fiscal quarter starts on October, January, April or July 1." in html
    assert "Give the volume" in html
    client.post(
        url(personas, "volume-new", service.pk),
        {
            "channel": "phone",
            "period": "quarter",
            "period_start": "2026-01-01",
            "availability": "reported",
            "volume": "1234",
        },
    )
    assert ChannelVolume.objects.get(service=service).volume == 1234
    client.post(
        url(personas, "volume-new", service.pk),
        {"channel": "phone", "period": "quarter", "period_start": "2026-01-01", "availability": "no_data"},
    )
    row = ChannelVolume.objects.get(service=service)
    assert (row.volume, row.availability) == (None, "no_data")


def test_a_segment_is_linked_with_eligible_and_served_counts(personas: Personas) -> None:
    service = published_service(personas.agency_a, "Licenses")
    client = personas.client(personas.analyst_a)
    client.post(
        url(personas, "segment-new"),
        {"name": "Small farms", "kind": "businesses", "estimated_population": "2000000"},
    )
    segment = service.agency.segments.get(name="Small farms")
    response = client.post(
        url(personas, "segment-link-new", service.pk),
        {"segment": segment.pk, "is_eligible": "on", "eligible_population": "100", "customers_served": "150"},
    )
    assert "More customers served than eligible people" in response.content.decode()
    client.post(
        url(personas, "segment-link-new", service.pk),
        {"segment": segment.pk, "is_eligible": "on", "eligible_population": "100", "customers_served": "60"},
    )
    assert service.segment_links.get().gap == 40


def test_adding_the_same_channel_twice_is_refused(personas: Personas) -> None:
    service = published_service(personas.agency_a, "Cards", channels=("phone",))
    response = personas.client(personas.analyst_a).post(
        url(personas, "channel-new", service.pk), {"channel": "phone", "languages": "English"}
    )
    assert "already lists that channel" in response.content.decode()


def test_a_provider_offers_chosen_services(personas: Personas) -> None:
    service = published_service(personas.agency_a, "Cards")
    personas.client(personas.analyst_a).post(
        url(personas, "provider-new"),
        {
            "name": "County library",
            "kind": "partner",
            "languages": "English",
            "services": [service.pk],
            "address": "1 Main St",
        },
    )
    assert list(service.providers.values_list("name", flat=True)) == ["County library"]


def test_the_services_list_does_not_grow_queries_with_rows(
    personas: Personas, django_assert_max_num_queries: object
) -> None:
    for number in range(15):
        published_service(personas.agency_a, f"Service {number}", channels=("phone", "website"))
    client = personas.client(personas.viewer_a)
    client.get(url(personas, "services"))
    with django_assert_max_num_queries(10):  # type: ignore[operator]
        client.get(url(personas, "services"))


def test_journey_stages_list_their_barriers(personas: Personas) -> None:
    service = published_service(personas.agency_a, "Permits")
    personas.client(personas.analyst_a).post(
        url(personas, "stage-new", service.pk),
        {
            "name": "Apply",
            "kind": "process",
            "position": "1",
            "barriers": "Form times out\n\nNeeds a printer",
        },
    )
    stage = service.journey_stages.get()
    assert stage.barrier_list == ["Form times out", "Needs a printer"]


def test_the_who_should_be_served_page_lists_every_service(personas: Personas) -> None:
    first = published_service(personas.agency_a, "First")
    second = published_service(personas.agency_a, "Second")
    link(first, "Group one", 10, 9)
    link(second, "Group two", 1000, 1)
    html = personas.client(personas.viewer_a).get(url(personas, "gaps")).content.decode()
    assert html.index("Second") < html.index("First")
