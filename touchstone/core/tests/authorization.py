"""The pieces of the authorization matrix (test_authorization_matrix.py): every workspace URL from the URL
configuration, filled with one agency's objects, and each request made and undone."""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from touchstone.core.models import Agency, AuditEntry


@dataclass(frozen=True)
class WorkspaceUrl:
    name: str  # "manage:analysis:refresh"
    route: str  # "manage/<slug:agency_slug>/analysis/<int:survey_id>/refresh/"
    kwargs: tuple[str, ...]

    def path(self, values: dict[str, Any]) -> str:
        from django.urls import reverse

        missing = [name for name in self.kwargs if values.get(name) is None]
        if missing:
            raise LookupError(
                f"{self.route}: the matrix cannot fill {', '.join(missing)}; add it to workspace_objects()"
            )
        return reverse(self.name, kwargs={name: values[name] for name in self.kwargs})


def _walk(patterns: list[Any], route: str = "", namespace: str = "") -> Iterator[WorkspaceUrl]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, route + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            yield WorkspaceUrl(f"{namespace}{pattern.name}", route + str(pattern.pattern), ())


def workspace_urls() -> list[WorkspaceUrl]:
    """Every URL of the workspace (/manage/...), with every keyword its route takes."""
    urls = []
    for url in _walk(get_resolver().url_patterns):
        if url.route.startswith("manage/"):
            names = tuple(re.findall(r"<(?:\w+:)?(\w+)>", url.route))
            urls.append(WorkspaceUrl(url.name, url.route, names))
    return urls


class _Undo(Exception):
    pass


def request_and_undo(client: Client, method: str, path: str, **extra: Any) -> tuple[int, bool]:
    """Make the request inside a transaction that is rolled back; return its status and whether it audited a change."""
    before = AuditEntry.objects.count()
    try:
        with transaction.atomic():
            response = getattr(client, method)(path, **extra)
            raise _Undo(response.status_code, AuditEntry.objects.count() != before)
    except _Undo as undo:
        return undo.args[0], undo.args[1]


def workspace_objects(agency: Agency) -> dict[str, Any]:
    """One of each record a workspace URL names, all of this agency (records the demo lacks are made here)."""
    from django.core.files.base import ContentFile

    from touchstone.benchmarks.models import Benchmark, ChosenBenchmark
    from touchstone.catalog.models import Provider, Segment, Service
    from touchstone.complaints.models import (
        Article,
        CannedReply,
        Case,
        CaseAttachment,
        RoutingRule,
        ServiceLevelPolicy,
        Topic,
    )
    from touchstone.core import services as core_services
    from touchstone.core.models import ImportRun, Membership, Office, Role
    from touchstone.standards.models import ServiceStandard
    from touchstone.surveys.models import KioskDevice, KnownNetwork, Survey
    from touchstone.voice.models import BoardItem, SendRequest

    admin = Membership.objects.filter(agency=agency, role=Role.ADMIN).first()
    token, _secret = core_services.create_api_token(
        actor=admin.user if admin else None, agency=agency, name="matrix", scopes=["read"]
    )
    service = (
        Service.objects.filter(agency=agency, channels__isnull=False, journey_stages__isnull=False)
        .filter(segment_links__isnull=False)
        .distinct()
        .first()
    )
    survey = (
        Survey.objects.filter(agency=agency, invitations__isnull=False, responses__isnull=False)
        .exclude(audience=Survey.Audience.EMPLOYEES)
        .distinct()
        .first()
    )
    employee_survey = Survey.objects.filter(
        agency=agency, audience=Survey.Audience.EMPLOYEES, employee_comments__isnull=False
    ).first()
    case = Case.objects.filter(agency=agency).order_by("pk").first()
    attachment = None
    if case is not None:
        attachment = CaseAttachment(case=case, original_name="note.txt", content_type="text/plain", size=5)
        attachment.file.save("note.txt", ContentFile(b"hello"), save=False)
        attachment.save()
    office = Office.objects.filter(agency=agency, complaint_calendar__isnull=False).first()
    viewer = Membership.objects.filter(agency=agency, role=Role.VIEWER).first()
    return {
        "agency_slug": agency.slug,
        "office_id": office.pk if office else None,
        "membership_id": viewer.pk if viewer else None,
        "token_id": token.pk,
        "run_id": ImportRun.objects.create(
            agency=agency, kind="offices", file_path="/none", original_name="x"
        ).pk,
        "kind": "offices",
        "service_id": service.pk if service else None,
        "channel_id": service.channels.first().pk if service else None,  # type: ignore[union-attr]
        "stage_id": service.journey_stages.first().pk if service else None,  # type: ignore[union-attr]
        "link_id": service.segment_links.first().pk if service else None,  # type: ignore[union-attr]
        "segment_id": getattr(Segment.objects.filter(agency=agency).first(), "pk", None),
        "provider_id": getattr(Provider.objects.filter(agency=agency).first(), "pk", None),
        "survey_id": survey.pk if survey else None,
        "language": "es",  # the demo's surveys carry Spanish
        "question_id": survey.questions.first().pk if survey else None,  # type: ignore[union-attr]
        "page_id": survey.pages.first().pk if survey else None,  # type: ignore[union-attr]
        "response_id": survey.responses.first().pk if survey else None,  # type: ignore[union-attr]
        "invitation_id": survey.invitations.first().pk if survey else None,  # type: ignore[union-attr]
        "kiosk_id": KioskDevice.objects.get_or_create(
            survey=survey, name="Matrix kiosk", defaults={"token_hash": KioskDevice.hash_token("matrix")}
        )[0].pk
        if survey
        else None,
        "network_id": KnownNetwork.objects.get_or_create(
            agency=agency, network="192.0.2.0/24", defaults={"label": "Matrix office"}
        )[0].pk,
        "standard_id": getattr(ServiceStandard.objects.filter(agency=agency).first(), "pk", None),
        "case_id": case.pk if case else None,
        "attachment_id": attachment.pk if attachment else None,
        "policy_id": getattr(ServiceLevelPolicy.objects.filter(agency=agency).first(), "pk", None),
        "rule_id": getattr(RoutingRule.objects.filter(agency=agency).first(), "pk", None),
        "reply_id": CannedReply.objects.get_or_create(
            agency=agency, title="Matrix reply", defaults={"body_en": "Hello {customer_name}."}
        )[0].pk,
        "article_id": Article.objects.get_or_create(
            agency=agency, title="Matrix answer", defaults={"body": "Answers a question."}
        )[0].pk,
        "topic_id": Topic.objects.get_or_create(agency=agency, parent=None, name="Matrix topic")[0].pk,
        "employee_survey_id": employee_survey.pk if employee_survey else None,
        "comment_id": employee_survey.employee_comments.first().pk if employee_survey else None,  # type: ignore[union-attr]
        "board_item_id": getattr(BoardItem.objects.filter(agency=agency).first(), "pk", None),
        "send_request_id": (
            SendRequest.objects.create(
                survey=employee_survey, count=1, requested_by=admin.user if admin else viewer.user
            ).pk
            if employee_survey
            else None
        ),
        "benchmark_id": getattr(Benchmark.objects.filter(agency=agency).first(), "pk", None),
        "choice_id": getattr(ChosenBenchmark.objects.filter(agency=agency).first(), "pk", None),
        **_reports_objects(agency),
        **_improvement_objects(agency),
    }


def _improvement_objects(agency: Agency) -> dict[str, Any]:
    from touchstone.improvement.models import FollowUp, FollowUpRule, ImprovementAction

    return {
        "action_id": getattr(ImprovementAction.objects.filter(agency=agency).first(), "pk", None),
        "follow_up_id": getattr(FollowUp.objects.filter(agency=agency).first(), "pk", None),
        "follow_up_rule_id": getattr(FollowUpRule.objects.filter(agency=agency).first(), "pk", None),
    }


def _reports_objects(agency: Agency) -> dict[str, Any]:
    from touchstone.reports.models import (
        A11Collection,
        ActionPlan,
        QuotedComment,
        ScheduledDelivery,
        ServicePlan,
        SurveyReport,
    )

    return {
        "report_id": getattr(SurveyReport.objects.filter(agency=agency).first(), "pk", None),
        "plan_id": getattr(ServicePlan.objects.filter(agency=agency).first(), "pk", None),
        "section": "training",
        "collection_id": getattr(A11Collection.objects.filter(agency=agency).first(), "pk", None),
        "action_plan_id": getattr(ActionPlan.objects.filter(agency=agency).first(), "pk", None),
        "delivery_id": getattr(ScheduledDelivery.objects.filter(agency=agency).first(), "pk", None),
        "quote_id": getattr(QuotedComment.objects.filter(report__agency=agency).first(), "pk", None),
    }
