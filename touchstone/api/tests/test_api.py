"""The API: token auth, agency scoping, pagination, problem-style errors, the OpenAPI schema."""

from typing import Any

import pytest
from django.test import Client

from touchstone.conftest import Personas
from touchstone.core import services
from touchstone.core.models import AuditEntry, Office


def bearer(
    personas: Personas, agency: str = "a", scopes: tuple[str, ...] = ("read", "write")
) -> dict[str, str]:
    owner = personas.admin_a if agency == "a" else personas.admin_b
    target = personas.agency_a if agency == "a" else personas.agency_b
    _token, secret = services.create_api_token(
        actor=owner, agency=target, name=f"client-{agency}", scopes=list(scopes)
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_a_call_without_a_token_is_refused_with_a_problem(personas: Personas) -> None:
    response = Client().get("/api/v1/offices")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 401 and "Bearer" in body["detail"]


def test_a_token_lists_only_its_own_agencys_offices(personas: Personas) -> None:
    response = Client().get("/api/v1/offices", **bearer(personas))
    assert response.status_code == 200
    assert [office["name"] for office in response.json()["items"]] == ["Alpha Field Office"]


def test_another_agencys_office_is_404_through_the_api(personas: Personas) -> None:
    headers = bearer(personas, "b")
    response = Client().get(f"/api/v1/offices/{personas.office_a.pk}", **headers)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    patch = Client().patch(
        f"/api/v1/offices/{personas.office_a.pk}",
        {"city": "Hacked"},
        content_type="application/json",
        **bearer(personas, "b"),
    )
    assert patch.status_code == 404
    personas.office_a.refresh_from_db()
    assert personas.office_a.city == "Denver"


def test_another_agencys_import_run_is_404_through_the_api(personas: Personas) -> None:
    from touchstone.core.models import ImportRun

    run = ImportRun.objects.create(
        agency=personas.agency_a, kind="canada-agencies", file_path="/x", original_name="x"
    )
    assert Client().get(f"/api/v1/imports/runs/{run.pk}", **bearer(personas, "b")).status_code == 404
    assert Client().get(f"/api/v1/imports/runs/{run.pk}", **bearer(personas, "a")).status_code == 200


def test_a_revoked_token_stops_working(personas: Personas) -> None:
    token, secret = services.create_api_token(
        actor=personas.admin_a, agency=personas.agency_a, name="x", scopes=["read"]
    )
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    assert Client().get("/api/v1/offices", **headers).status_code == 200
    services.revoke_api_token(actor=personas.admin_a, token=token)
    assert Client().get("/api/v1/offices", **headers).status_code == 401


def test_a_forged_token_with_a_real_prefix_is_refused(personas: Personas) -> None:
    token, secret = services.create_api_token(
        actor=personas.admin_a, agency=personas.agency_a, name="x", scopes=["read"]
    )
    forged = f"ts_{token.prefix}_{'A' * 43}"
    assert Client().get("/api/v1/offices", HTTP_AUTHORIZATION=f"Bearer {forged}").status_code == 401


def test_a_read_token_cannot_write(personas: Personas) -> None:
    response = Client().post(
        "/api/v1/offices",
        {"name": "New"},
        content_type="application/json",
        **bearer(personas, scopes=("read",)),
    )
    assert response.status_code == 403
    assert "'write' scope" in response.json()["detail"]


def test_a_write_token_creates_an_office_in_its_agency_with_an_audit_entry(personas: Personas) -> None:
    response = Client().post(
        "/api/v1/offices",
        {"name": "Remote Office", "city": "Boise", "state": "ID", "time_zone": "America/Boise"},
        content_type="application/json",
        **bearer(personas),
    )
    assert response.status_code == 201
    office = Office.objects.get(pk=response.json()["id"])
    assert office.agency == personas.agency_a
    assert (
        AuditEntry.objects.get(object_type="office", object_id=str(office.pk)).actor_label
        == "API token client-a"
    )


def test_invalid_fields_are_named_in_the_problem(personas: Personas) -> None:
    response = Client().post(
        "/api/v1/offices",
        {"name": "", "state": "Colorado"},
        content_type="application/json",
        **bearer(personas),
    )
    assert response.status_code == 422
    fields = {error["field"] for error in response.json()["errors"]}
    assert {"name", "state"} <= fields


def test_lists_are_paginated(personas: Personas) -> None:
    for number in range(5):
        Office.objects.create(agency=personas.agency_a, name=f"Office {number}")
    body: dict[str, Any] = Client().get("/api/v1/offices?limit=2&offset=2", **bearer(personas)).json()
    assert body["count"] == 6
    assert len(body["items"]) == 2


def test_agencies_are_listed_with_public_facts(personas: Personas) -> None:
    body = Client().get("/api/v1/agencies", **bearer(personas)).json()
    assert {item["abbreviation"] for item in body["items"]} == {"AAA", "BBB"}
    assert Client().get("/api/v1/agencies/bbb", **bearer(personas)).json()["name"] == "Bureau of Beta"


@pytest.mark.parametrize("path", ["/api/v1/openapi.json", "/api/v1/docs"])
def test_the_schema_and_docs_are_served(db: object, path: str) -> None:
    response = Client().get(path)
    assert response.status_code == 200


def test_the_schema_describes_the_token_and_the_endpoints(db: object) -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    assert "/api/v1/offices" in schema["paths"]
    assert "/api/v1/imports/{kind}" in schema["paths"]
    assert any(s.get("scheme") == "bearer" for s in schema["components"]["securitySchemes"].values())


def test_an_import_posted_to_the_api_runs_and_reports(
    personas: Personas, tmp_path: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    body = (
        b"name,description,hisp,channels,kind,estimated_annual_volume_of_customers,url\n"
        b"Passport renewal,Renew a passport by mail.,false,website,Benefits,,\n"
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(
            "/api/v1/imports/touchpoints-services",
            {"file": SimpleUploadedFile("services.csv", body)},
            **bearer(personas),
        )
    assert response.status_code == 202
    run = Client().get(f"/api/v1/imports/runs/{response.json()['id']}", **bearer(personas)).json()
    assert run["status"] == "succeeded", run
    assert run["summary"]["rows"] == 1


@pytest.mark.parametrize("kind", ["canada-agencies", "canada-services", "canada-standards"])
def test_an_agency_token_cannot_run_an_installation_wide_import_to_rename_another_agency(
    personas: Personas, kind: str, django_capture_on_commit_callbacks: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from touchstone.core.models import Agency, ImportRun

    personas.agency_b.external_code = "bbb-ccc"
    personas.agency_b.save()
    body = b"owner_org,owner_org_title\nbbb-ccc,Renamed by Alpha\nnew-dept,Created by Alpha\n"
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(
            f"/api/v1/imports/{kind}", {"file": SimpleUploadedFile("si.csv", body)}, **bearer(personas)
        )
    assert response.status_code == 403
    assert "cannot run it" in response.json()["detail"]
    personas.agency_b.refresh_from_db()
    assert personas.agency_b.name == "Bureau of Beta"
    assert Agency.objects.count() == 2
    assert not ImportRun.objects.exists()
