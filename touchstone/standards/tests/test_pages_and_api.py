"""Workspace pages, public pages and the API of service standards."""

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.test import Client
from django.urls import reverse

from touchstone.conftest import Personas
from touchstone.core import services as core_services
from touchstone.core.importing import export_to_string, run_import
from touchstone.standards import store
from touchstone.standards.models import ServiceStandard
from touchstone.standards.tests.helpers import make_service, make_standard, write_transactions


def bearer(personas: Personas, agency: str = "a") -> dict[str, str]:
    owner, target = (
        (personas.admin_a, personas.agency_a) if agency == "a" else (personas.admin_b, personas.agency_b)
    )
    _token, secret = core_services.create_api_token(
        actor=owner, agency=target, name=f"client-{agency}", scopes=["read", "write"]
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def measured_standard(personas: Personas, tmp_path: Path) -> ServiceStandard:
    service = make_service(personas.agency_a)
    standard = make_standard(personas.agency_a, service)
    rows = [
        [
            f"t{m}-{i}",
            "refunds",
            "phone",
            f"2024-{m:02d}-01 09:00",
            f"2024-{m:02d}-0{2 + i % 7} 09:00",
            "",
            "",
            "",
        ]
        for m in range(1, 7)
        for i in range(10)
    ]
    run_import("transactions", write_transactions(tmp_path / "t.csv", rows), agency=personas.agency_a)
    return standard


def test_an_analyst_defines_a_standard_through_the_form(personas: Personas) -> None:
    service = make_service(personas.agency_a)
    client = personas.client(personas.analyst_a)
    response = client.post(
        reverse("manage:standards:new", args=["aaa"]),
        {
            "service": service.pk,
            "channel": "phone",
            "statement": "We answer calls within 60 seconds, 90% of the time.",
            "standard_type": "access",
            "measure": "calendar_hours",
            "threshold": "0.0167",
            "target": "0.9",
            "period": "quarter",
            "valid_from": "2024-10-01",
            "owner": personas.analyst_a.pk,
        },
    )
    standard = ServiceStandard.objects.get()
    assert response.status_code == 302
    assert standard.owner == personas.analyst_a and standard.period == "quarter"


def test_a_viewer_reads_standards_but_cannot_define_one(personas: Personas, tmp_path: Path) -> None:
    standard = measured_standard(personas, tmp_path)
    client = personas.client(personas.viewer_a)
    assert client.get(reverse("manage:standards:list", args=["aaa"])).status_code == 200
    detail = client.get(reverse("manage:standards:detail", args=["aaa", standard.pk]))
    assert detail.status_code == 200
    body = detail.content.decode()
    assert 'role="img"' in body and "<title" in body and "2024-06" in body
    assert client.get(reverse("manage:standards:new", args=["aaa"])).status_code == 403


def test_editing_through_the_form_makes_a_new_version(personas: Personas, tmp_path: Path) -> None:
    standard = measured_standard(personas, tmp_path)
    response = personas.client(personas.analyst_a).post(
        reverse("manage:standards:edit", args=["aaa", standard.pk]),
        {
            "service": standard.service_id,
            "statement": "We refund within 3 business days.",
            "standard_type": "timeliness",
            "measure": "business_days",
            "threshold": "3",
            "target": "0.8",
            "period": "month",
            "valid_from": "2024-04-01",
        },
    )
    assert response.status_code == 302
    assert ServiceStandard.objects.filter(lineage=standard.lineage).count() == 2


def test_the_standards_list_does_not_grow_in_queries_with_its_standards(
    personas: Personas, tmp_path: Path, django_assert_max_num_queries: Any
) -> None:
    standard = measured_standard(personas, tmp_path)
    for i in range(5):
        make_standard(personas.agency_a, standard.service, statement=f"Standard {i}")
    client = personas.client(personas.viewer_a)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("manage:standards:list", args=["aaa"])).status_code == 200


def test_the_public_pages_show_results_in_plain_language(personas: Personas, tmp_path: Path) -> None:
    measured_standard(personas, tmp_path)
    page = Client().get("/agencies/aaa/standards/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "We refund within 5 business days" in body and "met the standard" in body
    assert Client().get("/es/agencies/aaa/standards/").status_code == 200
    government = Client().get("/standards/")
    assert government.status_code == 200 and "Agency of Alpha" in government.content.decode()
    assert Client().get("/agencies/nope/standards/").status_code == 404


def test_another_agencys_standard_is_404_through_the_api(personas: Personas, tmp_path: Path) -> None:
    standard = measured_standard(personas, tmp_path)
    assert Client().get(f"/api/v1/standards/{standard.pk}", **bearer(personas, "b")).status_code == 404
    assert (
        Client().get(f"/api/v1/standards/{standard.pk}/results", **bearer(personas, "b")).status_code == 404
    )
    assert Client().get("/api/v1/standards", **bearer(personas, "b")).json()["items"] == []
    own = Client().get(f"/api/v1/standards/{standard.pk}/results", **bearer(personas))
    assert own.status_code == 200 and len(own.json()) == 6


def test_transactions_posted_twice_are_held_once(personas: Personas) -> None:
    service = make_service(personas.agency_a)
    standard = make_standard(personas.agency_a, service)
    headers = bearer(personas)
    one = {
        "external_id": "api-1",
        "service": "refunds",
        "channel": "website",
        "started_at": "2024-05-06T09:00:00-04:00",
        "ended_at": "2024-05-08T09:00:00-04:00",
    }
    for _ in range(2):
        response = Client().post(
            "/api/v1/transactions", json.dumps(one), content_type="application/json", **headers
        )
        assert response.status_code == 200, response.content
    batch = {"transactions": [one, {**one, "external_id": "api-2", "ended_at": "2024-05-31T09:00:00-04:00"}]}
    response = Client().post(
        "/api/v1/transactions/batch", json.dumps(batch), content_type="application/json", **headers
    )
    assert response.json()["created"] == 1 and response.json()["updated"] == 1
    assert store.transaction_count(personas.agency_a) == 2
    assert standard.results.get().total == 2


def test_a_batch_with_an_unknown_service_is_refused_whole(personas: Personas) -> None:
    make_service(personas.agency_a)
    bad = {
        "transactions": [
            {
                "external_id": "x1",
                "service": "refunds",
                "channel": "phone",
                "started_at": "2024-05-06T09:00:00Z",
            },
            {
                "external_id": "x2",
                "service": "nope",
                "channel": "phone",
                "started_at": "2024-05-06T09:00:00Z",
            },
        ]
    }
    response = Client().post(
        "/api/v1/transactions/batch", json.dumps(bad), content_type="application/json", **bearer(personas)
    )
    assert response.status_code == 422 and "transactions[1].service" in response.json()["detail"]
    assert store.transaction_count(personas.agency_a) == 0


def test_standards_round_trip_through_openslo(personas: Personas, tmp_path: Path) -> None:
    service = make_service(personas.agency_a)
    make_standard(personas.agency_a, service, valid_from=dt.date(2024, 2, 1))
    documents = json.loads(export_to_string("openslo", personas.agency_a))
    assert documents[0]["apiVersion"] == "openslo/v1" and documents[0]["kind"] == "SLO"
    assert documents[0]["spec"]["objectives"][0]["target"] == 0.8
    make_service(personas.agency_b)
    path = tmp_path / "slo.json"
    path.write_text(json.dumps(documents))
    outcome = run_import("openslo", path, agency=personas.agency_b)
    assert outcome.summary["standards_created"] == 1
    copy = ServiceStandard.objects.get(agency=personas.agency_b)
    assert (copy.measure, copy.threshold, copy.valid_from) == ("business_days", 5.0, dt.date(2024, 2, 1))
