"""Agency A objects for the isolation test: one for each id a complaints workspace URL takes."""

from typing import Any

from django.core.files.base import ContentFile

from touchstone.complaints.models import (
    Article,
    CannedReply,
    CaseAttachment,
    RoutingRule,
    ServiceLevelPolicy,
    Topic,
)
from touchstone.complaints.tests.factories import file_case
from touchstone.conftest import Personas


def samples(personas: Personas) -> dict[str, Any]:
    case = file_case(personas)
    attachment = CaseAttachment(case=case, original_name="note.txt", content_type="text/plain", size=5)
    attachment.file.save("note.txt", ContentFile(b"hello"), save=True)
    policy = ServiceLevelPolicy.objects.create(agency=personas.agency_a, name="A policy")
    rule = RoutingRule.objects.create(agency=personas.agency_a, name="A rule", office=personas.office_a)
    reply = CannedReply.objects.create(agency=personas.agency_a, title="A reply", body_en="Hello.")
    return {
        "case_id": case.pk,
        "attachment_id": attachment.pk,
        "policy_id": policy.pk,
        "rule_id": rule.pk,
        "reply_id": reply.pk,
        "article_id": Article.objects.create(agency=personas.agency_a, title="An answer", body="Text.").pk,
        "topic_id": Topic.objects.create(agency=personas.agency_a, parent=None, name="A topic").pk,
    }
