"""The catalog API: services, channels, segments, providers and volumes, scoped to the token's agency."""

from typing import Any

from django.test import Client

from touchstone.catalog.models import ChannelVolume, Service
from touchstone.catalog.tests.factories import published_service
from touchstone.conftest import Personas
from touchstone.core import services as core_services


def headers(
    personas: Personas, agency: str = "a", scopes: tuple[str, ...] = ("read", "write")
) -> dict[str, str]:
    owner, target = (
        (personas.admin_a, personas.agency_a) if agency == "a" else (personas.admin_b, personas.agency_b)
    )
    _token, secret = core_services.create_api_token(
        actor=owner, agency=target, name="sync", scopes=list(scopes)
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def post(path: str, body: dict[str, Any], auth: dict[str, str]) -> Any:
    return Client().post(path, body, content_type="application/json", **auth)


def test_a_client_creates_a_service_adds_a_channel_and_publishes_it(personas: Personas) -> None:
    auth = headers(personas)
    created = post(
        "/api/v1/catalog/services",
        {
            "name": "Renew a permit",
            "description": "Renew it online.",
            "kind": "regulatory",
            "owner_office_id": personas.office_a.pk,
        },
        auth,
    )
    assert created.status_code == 201, created.content
    service_id = created.json()["id"]
    refused = Client().patch(
        f"/api/v1/catalog/services/{service_id}",
        {"status": "published"},
        content_type="application/json",
        **auth,
    )
    assert refused.status_code == 422 and "Add at least one way" in refused.json()["detail"]
    assert (
        post(f"/api/v1/catalog/services/{service_id}/channels", {"channel": "website"}, auth).status_code
        == 201
    )
    published = Client().patch(
        f"/api/v1/catalog/services/{service_id}",
        {"status": "published"},
        content_type="application/json",
        **auth,
    )
    assert published.json()["status"] == "published"
    assert published.json()["channels"] == ["website"]


def test_an_unknown_kind_or_channel_is_a_named_field_error(personas: Personas) -> None:
    response = post(
        "/api/v1/catalog/services", {"name": "X", "description": "Y", "kind": "magic"}, headers(personas)
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "kind"


def test_another_agencys_service_is_404(personas: Personas) -> None:
    service = published_service(personas.agency_a, "Alpha")
    auth = headers(personas, "b")
    assert Client().get(f"/api/v1/catalog/services/{service.pk}", **auth).status_code == 404
    assert (
        post(
            f"/api/v1/catalog/services/{service.pk}/volumes",
            {"volumes": [{"channel": "website", "period_start": "2026-01-01", "volume": 5}]},
            auth,
        ).status_code
        == 404
    )
    assert not ChannelVolume.objects.exists()


def test_an_office_of_another_agency_is_refused(personas: Personas) -> None:
    response = post(
        "/api/v1/catalog/services",
        {"name": "X", "description": "Y", "owner_office_id": personas.office_b.pk},
        headers(personas),
    )
    assert response.status_code == 422
    assert not Service.objects.exists()


def test_channel_volumes_are_posted_and_a_repeat_replaces_the_figure(personas: Personas) -> None:
    service = published_service(personas.agency_a, "Cards")
    auth = headers(personas)
    body = {
        "volumes": [
            {"channel": "website", "period_start": "2026-01-01", "volume": 500},
            {"channel": "phone", "period_start": "2026-01-01", "availability": "no_data"},
        ]
    }
    assert post(f"/api/v1/catalog/services/{service.pk}/volumes", body, auth).json() == {"written": 2}
    body["volumes"][0]["volume"] = 600
    post(f"/api/v1/catalog/services/{service.pk}/volumes", body, auth)
    assert ChannelVolume.objects.get(service=service, channel="website").volume == 600
    assert ChannelVolume.objects.get(service=service, channel="phone").volume is None


def test_a_reported_volume_without_a_number_is_refused(personas: Personas) -> None:
    service = published_service(personas.agency_a, "Cards")
    response = post(
        f"/api/v1/catalog/services/{service.pk}/volumes",
        {"volumes": [{"channel": "website", "period_start": "2026-01-01"}]},
        headers(personas),
    )
    assert response.status_code == 422
    assert "volumes.0.volume" in response.json()["detail"]


def test_segments_and_providers_are_listed_for_the_agency_only(personas: Personas) -> None:
    auth = headers(personas)
    parent = post("/api/v1/catalog/segments", {"name": "Retirees", "estimated_population": 100}, auth).json()
    child = post("/api/v1/catalog/segments", {"name": "Retirees abroad", "parent_id": parent["id"]}, auth)
    assert child.json()["parent_id"] == parent["id"]
    service = published_service(personas.agency_a, "Cards")
    provider = post(
        "/api/v1/catalog/providers", {"name": "Library", "kind": "partner", "service_ids": [service.pk]}, auth
    )
    assert provider.json()["service_ids"] == [service.pk]
    assert Client().get("/api/v1/catalog/segments", **headers(personas, "b")).json()["count"] == 0
    assert Client().get("/api/v1/catalog/providers", **auth).json()["count"] == 1


def test_a_read_token_cannot_create(personas: Personas) -> None:
    response = post(
        "/api/v1/catalog/services", {"name": "X", "description": "Y"}, headers(personas, scopes=("read",))
    )
    assert response.status_code == 403


def test_a_client_writes_the_spanish_name_the_spanish_pages_show(personas: Personas) -> None:
    auth = headers(personas)
    created = post(
        "/api/v1/catalog/services",
        {"name": "Renew a permit", "name_es": "Renovar un permiso", "description": "Renew it online."},
        auth,
    )
    assert created.status_code == 201, created.content
    assert created.json()["name_es"] == "Renovar un permiso"
    patched = Client().patch(
        f"/api/v1/catalog/services/{created.json()['id']}",
        {"description_es": "Renuévelo en línea."},
        content_type="application/json",
        **auth,
    )
    assert patched.status_code == 200 and patched.json()["description_es"] == "Renuévelo en línea."
    assert Service.objects.get(pk=created.json()["id"]).in_active_language("name") == "Renew a permit"
