"""Admins keep their agency's details, offices, people and tokens; every change lands in the audit log."""

from django.urls import reverse

from touchstone.conftest import Personas
from touchstone.core.models import ApiToken, AuditEntry, Membership, Office


def test_an_admin_adds_an_office_and_the_audit_log_says_who(personas: Personas) -> None:
    client = personas.client(personas.admin_a)
    response = client.post(
        reverse("manage:office-new", args=[personas.agency_a.slug]),
        {
            "name": "Tulsa Field Office",
            "kind": "field_office",
            "city": "Tulsa",
            "state": "OK",
            "time_zone": "America/Chicago",
        },
    )
    assert response.status_code == 302
    office = Office.objects.get(agency=personas.agency_a, name="Tulsa Field Office")
    entry = AuditEntry.objects.get(object_type="office", object_id=str(office.pk))
    assert (entry.actor, entry.action, entry.agency) == (personas.admin_a, "created", personas.agency_a)
    assert entry.changes["city"] == [None, "Tulsa"]
    audit_page = client.get(reverse("manage:audit", args=[personas.agency_a.slug])).content.decode()
    assert "Tulsa Field Office" in audit_page


def test_an_office_form_names_the_field_to_fix(personas: Personas) -> None:
    client = personas.client(personas.admin_a)
    response = client.post(
        reverse("manage:office-new", args=[personas.agency_a.slug]),
        {"name": "Alpha Field Office", "kind": "field_office", "time_zone": "Mars/Olympus"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "already has an office called" in html
    assert "is not a time zone" in html
    assert 'aria-describedby="id_time_zone_helptext id_time_zone_error"' in html


def test_editing_an_office_records_old_and_new_values(personas: Personas) -> None:
    client = personas.client(personas.admin_a)
    client.post(
        reverse("manage:office-edit", args=[personas.agency_a.slug, personas.office_a.pk]),
        {
            "name": "Alpha Field Office",
            "kind": "field_office",
            "city": "Boulder",
            "state": "CO",
            "time_zone": "America/Denver",
        },
    )
    entry = AuditEntry.objects.filter(object_type="office", action="updated").get()
    assert entry.changes["city"] == ["Denver", "Boulder"]


def test_the_audit_log_of_one_agency_does_not_show_anothers(personas: Personas) -> None:
    personas.client(personas.admin_b).post(
        reverse("manage:office-new", args=[personas.agency_b.slug]),
        {"name": "Secret Beta Office", "kind": "field_office", "time_zone": "America/New_York"},
    )
    html = (
        personas.client(personas.admin_a)
        .get(reverse("manage:audit", args=[personas.agency_a.slug]))
        .content.decode()
    )
    assert "Secret Beta Office" not in html


def test_an_admin_adds_a_person_who_sets_a_password_by_email(personas: Personas) -> None:
    client = personas.client(personas.admin_a)
    response = client.post(
        reverse("manage:person-new", args=[personas.agency_a.slug]),
        {"email": "New.Person@example.gov", "first_name": "New", "last_name": "Person", "role": "handler"},
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user__email="new.person@example.gov")
    assert membership.role == "handler" and membership.agency == personas.agency_a
    assert not membership.user.has_usable_password()


def test_an_admin_cannot_change_their_own_role(personas: Personas) -> None:
    me = Membership.objects.get(user=personas.admin_a)
    response = personas.client(personas.admin_a).post(
        reverse("manage:person-edit", args=[personas.agency_a.slug, me.pk]), {"role": "viewer"}
    )
    assert "cannot change your own role" in response.content.decode()
    me.refresh_from_db()
    assert me.role == "admin"


def test_a_token_is_shown_once_and_stored_only_as_a_hash(personas: Personas) -> None:
    client = personas.client(personas.admin_a)
    response = client.post(
        reverse("manage:tokens", args=[personas.agency_a.slug]), {"name": "Kiosk", "scopes": ["submit"]}
    )
    html = response.content.decode()
    token = ApiToken.objects.get(name="Kiosk")
    secret = html.split('<code class="token-secret">')[1].split("</code>")[0]
    assert secret.startswith(f"ts_{token.prefix}_")
    assert secret not in str(list(ApiToken.objects.values()))
    assert token.hashed_secret == ApiToken.hash_secret(secret)
    assert secret not in client.get(reverse("manage:tokens", args=[personas.agency_a.slug])).content.decode()


def test_a_revoked_token_is_marked_and_audited(personas: Personas) -> None:
    from touchstone.core import services

    token, _ = services.create_api_token(
        actor=personas.admin_a, agency=personas.agency_a, name="App", scopes=["read"]
    )
    personas.client(personas.admin_a).post(
        reverse("manage:token-revoke", args=[personas.agency_a.slug, token.pk])
    )
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEntry.objects.filter(action="revoked API token", object_id=str(token.pk)).exists()


def test_the_audit_log_never_holds_protected_free_text(personas: Personas) -> None:
    from touchstone.core import audit

    changes = audit.describe_changes(
        {"narrative": "my private story", "city": "A"}, {"narrative": "edited", "city": "B"}
    )
    assert changes == {"city": ["A", "B"], "narrative": "changed"}
    entry = audit.record(
        actor=None,
        action="updated",
        target=personas.office_a,
        agency=personas.agency_a,
        changes={"narrative": ["my private story", "x"], "city": ["A", "B"]},
    )
    assert "narrative" not in entry.changes
