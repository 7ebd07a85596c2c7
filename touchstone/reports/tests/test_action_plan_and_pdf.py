"""The yearly A-11 action plan and capacity assessment; the tagged PDFs of the report and the plan."""

import datetime as dt
import io

import pikepdf
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from touchstone.conftest import Personas
from touchstone.reports import services
from touchstone.reports.models import PLAIN_LANGUAGE_CHECKS, PlanSection
from touchstone.reports.tests.helpers import hisp, surveyed


def test_an_action_plan_has_goals_per_hisp_service_with_measures_owners_and_dates(personas: Personas) -> None:
    plan = services.start_action_plan(actor=None, agency=personas.agency_a, fiscal_year=2027)
    service = hisp(personas.agency_a)
    url = reverse("manage:reports:goal-new", args=[personas.agency_a.slug, plan.pk])
    personas.client(personas.analyst_a).post(
        url,
        {
            "service": service.pk,
            "goal": "Answer calls faster.",
            "measure": "efficiency",
            "owner": "Contact centre",
            "due_date": "2027-03-31",
        },
    )
    (goal,) = plan.goals.all()
    assert goal.measure == "efficiency" and goal.due_date == dt.date(2027, 3, 31)
    page = personas.client(personas.viewer_a).get(
        reverse("manage:reports:action-plan", args=[personas.agency_a.slug, plan.pk])
    )
    assert "Answer calls faster." in page.content.decode()


def test_a_service_that_is_not_high_impact_cannot_carry_a_goal(personas: Personas) -> None:
    plan = services.start_action_plan(actor=None, agency=personas.agency_a, fiscal_year=2027)
    other = hisp(personas.agency_b)
    with pytest.raises(ValidationError):
        services.add_goal(
            actor=None,
            plan=plan,
            data={
                "service": other,
                "goal": "x",
                "measure": "ease",
                "owner": "y",
                "due_date": dt.date(2027, 1, 1),
            },
        )


def test_the_capacity_assessment_is_written_and_a_new_version_starts_from_the_last(
    personas: Personas,
) -> None:
    plan = services.start_action_plan(actor=None, agency=personas.agency_a, fiscal_year=2027)
    url = reverse("manage:reports:action-plan-capacity", args=[personas.agency_a.slug, plan.pk])
    personas.client(personas.analyst_a).post(url, {"capacity_assessment": "Two analysts."})
    assert personas.client(personas.viewer_a).post(url, {"capacity_assessment": "x"}).status_code == 403
    services.add_goal(
        actor=None,
        plan=plan,
        data={
            "service": hisp(personas.agency_a),
            "goal": "g",
            "measure": "ease",
            "owner": "o",
            "due_date": dt.date(2027, 1, 1),
        },
    )
    for state in ("in_review", "approved"):
        services.move_document(actor=personas.admin_a, document=plan, to=state)
    second = services.start_action_plan(actor=None, agency=personas.agency_a, fiscal_year=2027)
    assert second.version == 2 and second.capacity_assessment == "Two analysts." and second.goals.count() == 1


def structure(pdf_bytes: bytes) -> dict[str, object]:
    document = pikepdf.open(io.BytesIO(pdf_bytes))
    root = document.Root
    kinds: set[str] = set()
    alts: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, pikepdf.Dictionary):
            if "/S" in node:
                kinds.add(str(node.S))
                if str(node.S) == "/Figure":
                    alts.append(str(node.get("/Alt", "")))
            kids = node.get("/K")
            if kids is not None:
                walk(kids)
        elif isinstance(node, pikepdf.Array):
            for kid in node:
                walk(kid)

    walk(root.StructTreeRoot)
    bookmarks: list[str] = []

    def titles(items: list[object]) -> None:
        for item in items:
            bookmarks.append(str(item.title))  # type: ignore[attr-defined]
            titles(item.children)  # type: ignore[attr-defined]

    with document.open_outline() as outline:
        titles(outline.root)
    return {
        "lang": str(root.get("/Lang", "")),
        "marked": bool(root.MarkInfo.Marked),
        "title": str(document.docinfo.get("/Title", "")),
        "kinds": kinds,
        "alts": alts,
        "bookmarks": bookmarks,
    }


def test_the_report_pdf_is_tagged_with_language_title_headings_bookmarks_tables_and_chart_alt_text(
    personas: Personas,
) -> None:
    surveyed(personas.agency_a, 40, 30)
    report = services.start_report(actor=None, agency=personas.agency_a, period="FY2026 Q2")
    response = personas.client(personas.viewer_a).get(
        reverse("manage:reports:report-pdf", args=[personas.agency_a.slug, report.pk])
    )
    assert response["Content-Type"] == "application/pdf"
    found = structure(response.content)
    assert found["lang"] == "en" and found["marked"]
    assert "Customer survey report FY2026 Q2" in str(found["title"])
    assert {"/H1", "/H2", "/Table", "/TH", "/Figure"} <= found["kinds"]  # type: ignore[operator]
    assert found["alts"] and all("Satisfaction 75%" in alt for alt in found["alts"])  # type: ignore[union-attr]
    assert "What customers said" in " ".join(str(b) for b in found["bookmarks"])  # type: ignore[union-attr]


def test_the_public_plan_pdf_is_in_spanish_where_the_agency_wrote_spanish(personas: Personas) -> None:
    plan = services.start_plan(actor=None, agency=personas.agency_a, fiscal_year=2027)
    for section in PlanSection.values:
        services.write_plan_section(
            actor=None,
            plan=plan,
            section=section,
            english="We help you.",
            spanish="Le ayudamos.",
            checks=list(PLAIN_LANGUAGE_CHECKS),
        )
    plan.refresh_from_db()
    for state in ("in_review", "approved", "published"):
        services.move_document(actor=personas.admin_a, document=plan, to=state)
    response = personas.client(None).get(f"/es/agencies/{personas.agency_a.slug}/customer-service-plan.pdf")
    found = structure(response.content)
    assert found["lang"] == "es"
    assert len(found["bookmarks"]) >= 1 + len(PlanSection.values)  # type: ignore[arg-type]
