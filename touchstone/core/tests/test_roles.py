"""Inside its own agency, a role reaches what it needs and is refused (403) the rest."""

import pytest
from django.urls import reverse

from touchstone.conftest import Personas


@pytest.mark.parametrize(
    "page", ["manage:audit", "manage:tokens", "manage:agency-edit", "manage:office-new", "manage:person-new"]
)
def test_a_viewer_is_refused_admin_pages(personas: Personas, page: str) -> None:
    response = personas.client(personas.viewer_a).get(reverse(page, args=[personas.agency_a.slug]))
    assert response.status_code == 403
    assert "can’t do that here" in response.content.decode()


def test_an_analyst_can_import_but_not_see_the_audit_log(personas: Personas) -> None:
    client = personas.client(personas.analyst_a)
    assert client.get(reverse("manage:imports", args=[personas.agency_a.slug])).status_code == 200
    assert client.get(reverse("manage:audit", args=[personas.agency_a.slug])).status_code == 403


def test_every_member_can_read_offices_and_people(personas: Personas) -> None:
    for user in (personas.viewer_a, personas.frontline_a, personas.handler_a):
        client = personas.client(user)
        assert client.get(reverse("manage:offices", args=[personas.agency_a.slug])).status_code == 200
        assert client.get(reverse("manage:people", args=[personas.agency_a.slug])).status_code == 200


def test_the_menu_shows_a_viewer_only_what_it_may_open(personas: Personas) -> None:
    html = (
        personas.client(personas.viewer_a)
        .get(reverse("manage:agency-home", args=[personas.agency_a.slug]))
        .content.decode()
    )
    assert "Offices" in html
    assert "Audit log" not in html
    assert "API tokens" not in html


def test_a_person_of_one_agency_goes_straight_to_it(personas: Personas) -> None:
    response = personas.client(personas.viewer_a).get(reverse("manage:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("manage:agency-home", args=[personas.agency_a.slug])


def test_a_person_of_two_agencies_chooses_between_them(personas: Personas) -> None:
    from touchstone.core.models import Membership

    Membership.objects.create(user=personas.viewer_a, agency=personas.agency_b, role="viewer")
    html = personas.client(personas.viewer_a).get(reverse("manage:home")).content.decode()
    assert personas.agency_a.name in html and personas.agency_b.name in html


def test_only_an_overseer_sees_the_oversight_page(personas: Personas) -> None:
    assert personas.client(personas.overseer).get(reverse("manage:oversight")).status_code == 200
    assert personas.client(personas.admin_a).get(reverse("manage:oversight")).status_code == 403
