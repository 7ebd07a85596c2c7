"""The demo shows an issued survey report, a plan published in two languages, four quarters of A-11 collections in
different states, and an approved action plan."""

import io
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.test import Client

from touchstone.core.models import Agency
from touchstone.reports.models import A11Collection, ActionPlan, DocumentState, ServicePlan, SurveyReport


def test_the_demo_publishes_a_report_and_a_plan_and_runs_the_a11_cycle(
    db: Any, tmp_path: Path, settings: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("load_demo", stdout=io.StringIO())
    agency = Agency.objects.get(abbreviation="BA")
    report = SurveyReport.objects.get(agency=agency)
    assert report.state == DocumentState.PUBLISHED and report.snapshot["respondents"] > 1000
    plan = ServicePlan.objects.get(agency=agency)
    assert plan.state == DocumentState.PUBLISHED and plan.has_spanish
    states = set(A11Collection.objects.filter(agency=agency).values_list("state", flat=True))
    assert states == {"published", "submitted", "change_requested", "draft"}
    assert ActionPlan.objects.get(agency=agency).goals.count() == 2
    public = Client()
    for path in (
        "customer-service-plan/",
        "survey-report/",
        "customer-service-plan.pdf",
        "survey-report.pdf",
    ):
        for prefix in ("", "/es"):
            assert public.get(f"{prefix}/agencies/{agency.slug}/{path}").status_code == 200, prefix + path
    spanish = public.get(f"/es/agencies/{agency.slug}/customer-service-plan/").content.decode()
    assert "Usted elige cómo comunicarse." in spanish
    call_command("load_demo", stdout=io.StringIO())  # idempotent
    assert SurveyReport.objects.filter(agency=agency).count() == 1
