"""Every workspace URL answers 404 to a person of another agency, and to the right agency's URL with another
agency's object id. New URLs are picked up automatically: a pattern with a parameter this test has no sample
for fails the test until one is added.

Each capability gives its samples in `touchstone/<app>/tests/isolation_samples.py`: a function
`samples(personas) -> dict[str, object]` mapping a URL parameter name to the id of an object of agency A.
"""

import importlib
import pkgutil
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import touchstone
from touchstone.conftest import Personas
from touchstone.core import services
from touchstone.core.models import ImportRun, Membership


def workspace_url_names() -> Iterator[tuple[str, list[str]]]:
    """(namespaced name, parameter names) of every pattern under the `manage` namespace, nested ones too."""

    def walk(
        patterns: list[Any], namespaces: list[str], params: list[str]
    ) -> Iterator[tuple[str, list[str]]]:
        for entry in patterns:
            own = list(entry.pattern.regex.groupindex)
            if isinstance(entry, URLResolver):
                nested = namespaces + [entry.namespace] if entry.namespace else namespaces
                yield from walk(entry.url_patterns, nested, params + own)
            elif isinstance(entry, URLPattern) and namespaces[:1] == ["manage"] and entry.name:
                yield ":".join([*namespaces, entry.name]), params + own

    yield from walk(get_resolver().url_patterns, [], [])


def core_samples(personas: Personas) -> dict[str, Any]:
    token, _secret = services.create_api_token(
        actor=personas.admin_a, agency=personas.agency_a, name="Kiosk", scopes=["read"]
    )
    run = ImportRun.objects.create(
        agency=personas.agency_a, kind="canada-agencies", file_path="/nonexistent", original_name="x.csv"
    )
    return {
        "office_id": personas.office_a.pk,
        "membership_id": Membership.objects.get(user=personas.viewer_a).pk,
        "token_id": token.pk,
        "run_id": run.pk,
        "kind": "offices",
    }


def samples_for(personas: Personas, agency_slug: str) -> dict[str, Any]:
    """One object of agency A for each kind of id a workspace URL takes, from every capability."""
    samples = {"agency_slug": agency_slug, **core_samples(personas)}
    for app in pkgutil.iter_modules(touchstone.__path__):
        try:
            module = importlib.import_module(f"touchstone.{app.name}.tests.isolation_samples")
        except ModuleNotFoundError:
            continue
        samples.update(module.samples(personas))
    return samples


AGENCY_URLS = [(name, params) for name, params in workspace_url_names() if "agency_slug" in params]
IDS = [name for name, _ in AGENCY_URLS]


def test_the_workspace_has_agency_urls_to_check() -> None:
    assert len(AGENCY_URLS) >= 10


@pytest.mark.parametrize(("name", "params"), AGENCY_URLS, ids=IDS)
def test_staff_of_another_agency_gets_404(personas: Personas, name: str, params: list[str]) -> None:
    samples = samples_for(personas, personas.agency_a.slug)
    missing = [param for param in params if param not in samples]
    assert not missing, (
        f"{name} takes {missing}: add a sample of agency A for it in an isolation_samples module"
    )
    url = reverse(name, kwargs={param: samples[param] for param in params})
    outsider = personas.client(personas.admin_b)
    assert outsider.get(url).status_code == 404
    assert outsider.post(url, {}).status_code == 404


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
    response = client.get(url)
    if response.status_code == 405:  # an action that only takes POST: try it the way a form would
        response = client.post(url)
    assert response.status_code == 404


@pytest.mark.parametrize(("name", "params"), AGENCY_URLS, ids=IDS)
def test_the_public_is_sent_to_sign_in(personas: Personas, name: str, params: list[str]) -> None:
    samples = samples_for(personas, personas.agency_a.slug)
    url = reverse(name, kwargs={param: samples[param] for param in params})
    response = personas.client(None).get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")


@pytest.mark.parametrize(("name", "params"), AGENCY_URLS, ids=IDS)
def test_an_overseer_cannot_open_an_agencys_workspace(
    personas: Personas, name: str, params: list[str]
) -> None:
    samples = samples_for(personas, personas.agency_a.slug)
    url = reverse(name, kwargs={param: samples[param] for param in params})
    assert personas.client(personas.overseer).get(url).status_code == 404


@pytest.mark.parametrize(("name", "params"), AGENCY_URLS, ids=IDS)
def test_the_agency_admin_can_open_every_page(personas: Personas, name: str, params: list[str]) -> None:
    samples = samples_for(personas, personas.agency_a.slug)
    url = reverse(name, kwargs={param: samples[param] for param in params})
    response = personas.client(personas.admin_a).get(url)
    # POST-only actions refuse a GET as a method; they are not hidden from the agency's own admin.
    expected = 405 if response.get("Allow") == "POST" else 200
    assert response.status_code == expected, url
