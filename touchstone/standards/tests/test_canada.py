"""The Government of Canada's published standards and results import whole, recomputed and checked."""

from pathlib import Path

from django.urls import reverse

from touchstone.conftest import Personas, shared_file
from touchstone.core.importing import run_import
from touchstone.core.models import Agency, Membership
from touchstone.standards.importers import CANADA_STANDARDS_SOURCE, judge_published
from touchstone.standards.models import PeriodResult, ServiceStandard


def test_the_canada_file_imports_whole_with_its_discrepancies_counted(personas: Personas) -> None:
    path = shared_file("canada-service-standards", "ss_2024.csv", source=CANADA_STANDARDS_SOURCE)
    outcome = run_import("canada-standards", path, agency=None)
    summary = outcome.summary
    assert summary["rows"] == 2343
    assert summary["results"] == 2343
    assert PeriodResult.objects.filter(source="imported").count() == 2343
    assert Agency.objects.exclude(external_code="").count() == 62
    assert summary["discrepancies"] == PeriodResult.objects.filter(discrepancy=True).count() > 0
    cra_call = PeriodResult.objects.filter(standard__external_id="3261").get()
    assert cra_call.volume_met == 31283 and cra_call.total == 31689
    assert cra_call.verdict == "met" and not cra_call.discrepancy
    # Loading it again adds nothing.
    again = run_import("canada-standards", path, agency=None)
    assert again.summary.get("standards_created", 0) == 0
    assert PeriodResult.objects.count() == 2343
    assert ServiceStandard.objects.count() == summary["standards_created"]


def test_a_published_figure_the_volumes_do_not_support_is_flagged() -> None:
    assert judge_published(0.9, 90, 100, 0.9, "Y") == (0.9, "Y", "")
    _performance, verdict, note = judge_published(0.9, 80, 100, 0.95, "Y")
    assert verdict == "N" and "95.00%" in note and "80.00%" in note
    assert judge_published(0.8, 120, 100, 1.2, "Y")[2].startswith("The volume meeting the target")


def test_the_workspace_lists_the_rows_that_disagree(personas: Personas, tmp_path: Path) -> None:
    header = (
        "fiscal_yr,service_id,service_name_en,service_standard_id,service_standard_en,type,channel,target,"
        "volume_meeting_target,total_volume,performance,target_met,owner_org,owner_org_title\n"
    )
    (tmp_path / "ss.csv").write_text(
        header + "2023-2024,S1,Passports,STD1,Mail passports in 20 days,TML,POST,0.9,80,100,0.95,Y,"
        "xyz-abc,Department of X | Ministère de X\n"
    )
    run_import("canada-standards", tmp_path / "ss.csv", agency=None)
    agency = Agency.objects.get(external_code="xyz-abc")
    Membership.objects.create(user=personas.viewer_a, agency=agency, role="viewer")
    page = personas.client(personas.viewer_a).get(
        reverse("manage:standards:discrepancies", args=[agency.slug])
    )
    assert page.status_code == 200
    assert "Mail passports in 20 days" in page.content.decode()
