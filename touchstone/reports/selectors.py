"""Every read of reports and plans, scoped to the agency; 404 for another agency's record."""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from touchstone.core.models import Agency
from touchstone.reports import figures, readability
from touchstone.reports.models import (
    A11Collection,
    ActionPlan,
    DocumentState,
    PlanSection,
    QuotedComment,
    ScheduledDelivery,
    ServicePlan,
    SurveyReport,
)


def reports_of(agency: Agency) -> QuerySet[SurveyReport]:
    return SurveyReport.objects.filter(agency=agency).select_related("approved_by")


def report_of(agency: Agency, report_id: int) -> SurveyReport:
    report = reports_of(agency).filter(pk=report_id).first()
    if report is None:
        raise Http404("No such report.")
    return report


def report_figures(report: SurveyReport) -> dict[str, Any]:
    """The frozen figures of an issued report; the live ones of any other."""
    if report.snapshot is not None:
        return report.snapshot
    return figures.with_quotes(figures.report_figures(report.agency, report.period), quoted_comments(report))


def quoted_comments(report: SurveyReport) -> list[QuotedComment]:
    return list(report.quotes.filter(decision=QuotedComment.Decision.QUOTED))


def comments_to_review(report: SurveyReport) -> list[dict[str, Any]]:
    """Example comments of the period's themes that nobody has yet quoted or left out (drafts only)."""
    if not report.is_editable:
        return []
    decided = set(report.quotes.values_list("fingerprint", flat=True))
    return figures.comment_candidates(report.agency, report.period, decided)


def plans_of(agency: Agency) -> QuerySet[ServicePlan]:
    return ServicePlan.objects.filter(agency=agency).select_related("approved_by")


def plan_of(agency: Agency, plan_id: int) -> ServicePlan:
    plan = plans_of(agency).filter(pk=plan_id).first()
    if plan is None:
        raise Http404("No such plan.")
    return plan


def plan_readability(plan: ServicePlan) -> list[dict[str, Any]]:
    """Each section's text, its readability in each language and the checks ticked."""
    rows = []
    for section in PlanSection:
        rows.append(
            {
                "key": section.value,
                "label": section.label,
                "english": plan.text(section.value, "en"),
                "spanish": plan.text(section.value, "es"),
                "readability": readability.check(plan.text(section.value, "en")),
                "readability_es": readability.check(plan.text(section.value, "es")),
                "checks": plan.checklist.get(section.value) or [],
            }
        )
    return rows


def collections_of(agency: Agency) -> QuerySet[A11Collection]:
    return A11Collection.objects.filter(agency=agency).select_related("service", "survey")


def collection_of(agency: Agency, collection_id: int) -> A11Collection:
    collection = collections_of(agency).filter(pk=collection_id).first()
    if collection is None:
        raise Http404("No such collection.")
    return collection


def action_plans_of(agency: Agency) -> QuerySet[ActionPlan]:
    return ActionPlan.objects.filter(agency=agency).select_related("approved_by")


def action_plan_of(agency: Agency, plan_id: int) -> ActionPlan:
    plan = action_plans_of(agency).filter(pk=plan_id).first()
    if plan is None:
        raise Http404("No such action plan.")
    return plan


def published_plan(agency: Agency) -> ServicePlan | None:
    return plans_of(agency).filter(state=DocumentState.PUBLISHED).order_by("-published_at").first()


def published_report(agency: Agency) -> SurveyReport | None:
    return reports_of(agency).filter(state=DocumentState.PUBLISHED).order_by("-published_at").first()


def plan_figures(agency: Agency) -> dict[str, Any]:
    """What the plan shows beside the agency's text, read live: services, standards, channels, complaints, surveys."""
    from touchstone.catalog.models import Service
    from touchstone.complaints import selectors as complaint_selectors
    from touchstone.standards import selectors as standard_selectors

    services = list(
        Service.objects.filter(agency=agency, status=Service.Status.PUBLISHED)
        .prefetch_related("channels", "segment_links__segment")
        .order_by("name")
    )
    return {
        "services": services,
        "standards": standard_selectors.public_standards(agency),
        "complaints": complaint_selectors.public_statistics(agency),
        "surveys": figures.customer_surveys(agency),
    }


def deliveries_of(agency: Agency) -> QuerySet[ScheduledDelivery]:
    return ScheduledDelivery.objects.filter(agency=agency).prefetch_related("recipients")


def delivery_of(agency: Agency, delivery_id: int) -> ScheduledDelivery:
    delivery = deliveries_of(agency).filter(pk=delivery_id).first()
    if delivery is None:
        raise Http404("No such delivery.")
    return delivery
