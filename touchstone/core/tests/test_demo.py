"""The demo a newcomer clicks through."""

import io

from django.core.management import call_command
from django.test import override_settings

from touchstone.core.models import Agency, Membership, Office, User


def test_the_demo_loads_a_department_two_sub_agencies_and_an_independent_agency(db: object) -> None:
    call_command("load_demo", stdout=io.StringIO())
    department = Agency.objects.get(abbreviation="DCS")
    assert sorted(department.sub_agencies.values_list("abbreviation", flat=True)) == ["BA", "LPS"]
    assert Agency.objects.get(abbreviation="FRPB").is_independent
    assert Office.objects.filter(agency__abbreviation="BA").count() >= 4


@override_settings(SITE_URL="http://touchstone.example:8123/")
def test_the_demo_has_one_person_per_role_and_prints_how_to_sign_in(db: object) -> None:
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    roles = set(Membership.objects.filter(agency__abbreviation="BA").values_list("role", flat=True))
    assert roles == {"admin", "analyst", "handler", "frontline", "viewer"}
    assert User.objects.get(username="overseer").is_overseer
    assert "demo-password-2026" in out.getvalue()
    assert (
        "Sign in at http://touchstone.example:8123/sign-in/ " in out.getvalue()
    )  # the configured site address
    assert ":8000" not in out.getvalue()
    assert User.objects.get(username="admin").check_password("demo-password-2026")


def test_loading_the_demo_twice_changes_nothing(db: object) -> None:
    call_command("load_demo", stdout=io.StringIO())
    counts = (
        Agency.objects.count(),
        Office.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
    )
    call_command("load_demo", stdout=io.StringIO())
    assert counts == (
        Agency.objects.count(),
        Office.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
    )
