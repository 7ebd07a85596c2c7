"""Every workspace URL answers 404 to a person of another agency, and to the right agency's URL with another
agency's object id. New URLs are picked up automatically: a pattern with a parameter this test has no sample
for fails the test until one is added."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from touchstone.conftest import Personas
from touchstone.core import services
from touchstone.core.models import ImportRun, Membership


def workspace_url_names() -> Iterator[tuple[str, list[str]]]:
    """(namespaced name, parameter names) of every pattern under the `manage` namespace."""

    def walk(patterns: list[Any], namespace: str | None) -> Iterator[tuple[str, list[str]]]:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, entry.namespace or namespace)
            elif isinstance(entry, URLPattern) and namespace == "manage" and entry.name:
                yield f"manage:{entry.name}", list(entry.pattern.regex.groupindex)

    yield from walk(get_resolver().url_patterns, None)


def samples_for(personas: Personas, agency_slug: str) -> dict[str, Any]:
    """One object of agency A for each kind of id a workspace URL takes."""
    token, _secret = services.create_api_token(
        actor=personas.admin_a, agency=personas.agency_a, name="Kiosk", scopes=["read"]
    )
    run = ImportRun.objects.create(
        agency=personas.agency_a, kind="canada-agencies", file_path="/nonexistent", original_name="x.csv"
    )
    return {
        "agency_slug": agency_slug,
        "office_id": personas.office_a.pk,
        "membership_id": Membership.objects.get(user=personas.viewer_a).pk,
        "token_id": token.pk,
        "run_id": run.pk,
        "kind": "offices",
    }


POST_ONLY = {"manage:token-revoke"}
AGENCY_URLS = [(name, params) for name, params in workspace_url_names() if "agency_slug" in params]


def test_the_workspace_has_agency_urls_to_check() -> None:
    assert len(AGENCY_URLS) >= 10


@pytest.mark.parametrize(("name", "params"), AGENCY_URLS, ids=[name for name, _ in AGENCY_URLS])
def test_staff_of_another_agency_gets_404(personas: Personas, name: str, params: list[str]) -> None:
    samples = samples_for(personas, personas.agency_a.slug)
    missing = [param for param in params if param not in samples]
    assert not missing, f"{name} takes {missing}: add a sample of agency A for it in samples_for()"
    url = reverse(name, kwargs={param: samples[param] for param in params})
    outsider = personas.client(personas.admin_b)
    assert outsider.get(url).status_code == 404
    assert outsider.post(url, {}).status_code in {404, 405}


@pytest.mark.parametrize(
    ("name", "params"),
    [(n, p) for n, p in AGENCY_URLS if len(p) > 1],
    ids=[n for n, p in AGENCY_URLS if len(p) > 1],
)
def test_another_agencys_object_under_ones_own_agency_gets_404(
    personas: Personas, name: str, params: list[str]
) -> None:
    samples = samples_for(personas, personas.agency_b.slug)  # B's address, A's object ids
    if params == ["agency_slug", "kind"]:
        pytest.skip("an export kind is not an object of an agency")
    url = reverse(name, kwargs={param: samples[param] for param in params})
    client = personas.client(personas.admin_b)
    response = client.post(url) if name in POST_ONLY else client.get(url)
    assert response.status_code == 404


@pytest.mark.parametrize(("name", "params"), AGENCY_URLS, ids=[name for name, _ in AGENCY_URLS])
def test_the_public_is_sent_to_sign_in(personas: Personas, name: str, params: list[str]) -> None:
    samples = samples_for(personas, personas.agency_a.slug)
    url = reverse(name, kwargs={param: samples[param] for param in params})
    response = personas.client(None).get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")


@pytest.mark.parametrize(("name", "params"), AGENCY_URLS, ids=[name for name, _ in AGENCY_URLS])
def test_an_overseer_cannot_open_an_agencys_workspace(
    personas: Personas, name: str, params: list[str]
) -> None:
    samples = samples_for(personas, personas.agency_a.slug)
    url = reverse(name, kwargs={param: samples[param] for param in params})
    assert personas.client(personas.overseer).get(url).status_code == 404


@pytest.mark.parametrize(("name", "params"), AGENCY_URLS, ids=[name for name, _ in AGENCY_URLS])
def test_the_agency_admin_can_open_every_page(personas: Personas, name: str, params: list[str]) -> None:
    samples = samples_for(personas, personas.agency_a.slug)
    url = reverse(name, kwargs={param: samples[param] for param in params})
    response = personas.client(personas.admin_a).get(url)
    # token-revoke is POST-only: a GET is refused as a method, not hidden.
    assert response.status_code in ({405} if name == "manage:token-revoke" else {200})
