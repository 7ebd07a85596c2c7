"""The demo's improvement story, end to end.

Appeal calls (the standards demo's "recovered" standard) slipped for a while; complaints about long waits on that
service rose with it; front-line staff reported the barrier on the ideas board; the agency added call-backs, and
the measured recovery is tested against the trend before the change. Retirement decisions are slipping now, and
the action on them is under way. A customer of the retirement service gave a low score and agreed to be
contacted: a follow-up opened, and another was followed up and closed.
"""

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from touchstone.catalog.models import Service
from touchstone.core import fiscal
from touchstone.core.models import Agency, Role, User
from touchstone.improvement import services
from touchstone.improvement.models import FollowUp, ImprovementAction

DEMO_MONTHS = 24  # the standards demo's span


def _month(index: int) -> dt.date:
    """The first day of month `index` of the standards demo (0 is its first month)."""
    last_month = fiscal.month_start(timezone.localdate()) - dt.timedelta(days=1)
    first = last_month.year * 12 + last_month.month - 1 - (DEMO_MONTHS - 1)
    return dt.date((first + index) // 12, (first + index) % 12 + 1, 1)


def _member(agency: Agency, role: str) -> User | None:
    return (
        User.objects.filter(memberships__agency=agency, memberships__role=role).order_by("username").first()
    )


def _wait_complaints(agency: Agency, service: Service) -> None:
    """Complaints about long waits on the appeal line that rose while its standard slipped."""
    from touchstone.complaints.models import Case, Topic

    topic = Topic.objects.filter(agency=agency, name="Long wait times").first()
    if topic is None or Case.objects.filter(agency=agency, external_id__startswith="demo-wait-").exists():
        return
    rng = random.Random(20)
    cases = []
    for index in range(DEMO_MONTHS):
        month = _month(index)
        count = 9 if 8 <= index <= 12 else 2
        for number in range(count):
            received = timezone.make_aware(
                dt.datetime.combine(month + dt.timedelta(days=rng.randrange(27)), dt.time(10 + number % 6))
            )
            cases.append(
                Case(
                    agency=agency,
                    tracking_number=f"BA-W{month:%Y%m}-{number:03d}",
                    external_id=f"demo-wait-{month:%Y%m}-{number}",
                    service=service,
                    channel="phone",
                    topic=topic,
                    narrative="I waited on hold for over an hour about my appeal and then the call dropped.",
                    state=Case.State.CLOSED,
                    received_at=received,
                    acknowledged_at=received,
                    first_responded_at=received + dt.timedelta(days=2),
                    closed_at=received + dt.timedelta(days=rng.randrange(5, 25)),
                    outcome=Case.Outcome.EXPLANATION,
                )
            )
    Case.objects.bulk_create(cases)


def _consent_survey(agency: Agency, service: Service) -> None:
    """The retirement survey asks whether we may contact the customer, and how (published as a new version)."""
    from touchstone.surveys import services as surveys
    from touchstone.surveys.models import Question, Survey

    survey = Survey.objects.filter(agency=agency, title=f"How did we do? {service.name}").first()
    if survey is None or survey.questions.filter(measures=Question.Measures.CONTACT_CONSENT).exists():
        return
    surveys.save_question(
        actor=None,
        survey=survey,
        data={
            "key": "may_we_contact",
            "kind": Question.Kind.YES_NO,
            "text": "May we contact you about your answers?",
            "text_es": "¿Podemos comunicarnos con usted sobre sus respuestas?",
            "measures": Question.Measures.CONTACT_CONSENT,
        },
    )
    surveys.save_question(
        actor=None,
        survey=survey,
        data={
            "key": "contact_email",
            "kind": Question.Kind.EMAIL,
            "text": "If yes, your email address",
            "text_es": "Si es así, su correo electrónico",
            "show_if": {"question": "may_we_contact", "values": ["yes"]},
        },
    )
    surveys.save_question(
        actor=None,
        survey=survey,
        data={
            "key": "went_badly",
            "kind": Question.Kind.LONG_TEXT,
            "text": "What did not go well?",
            "text_es": "¿Qué no salió bien?",
            "measures": Question.Measures.WENT_BADLY,
        },
    )
    surveys.change_status(actor=None, survey=survey, status=Survey.Status.PUBLISHED)
    scores = {
        m: 4 for m in ("satisfaction", "trust", "effectiveness", "ease", "efficiency", "equity", "employee")
    }
    answers = [
        {
            **scores,
            "satisfaction": 1,
            "ease": 2,
            "may_we_contact": "yes",
            "contact_email": "r.lopez@example.com",
        },
        {**scores, "satisfaction": 2, "may_we_contact": "no"},  # a low score, but no consent: nothing opens
        {
            **scores,
            "may_we_contact": "yes",
            "contact_email": "j.chen@example.com",
            "went_badly": "Nobody told me my application needed a second form.",
        },
    ]
    for raw in answers:
        surveys.record_response(survey=survey, raw=raw, context={"service": service, "channel": "website"})


@transaction.atomic
def load_improvement_demo(agency: Agency) -> None:
    from touchstone.standards.models import ServiceStandard
    from touchstone.voice.models import BoardItem

    if ImprovementAction.objects.filter(agency=agency).exists():
        return
    by_slug = {service.slug: service for service in Service.objects.filter(agency=agency)}
    appeal, retirement = by_slug.get("disability-appeal"), by_slug.get("apply-retirement")
    admin, analyst, handler = (_member(agency, role) for role in (Role.ADMIN, Role.ANALYST, Role.HANDLER))
    if appeal is None or retirement is None or analyst is None or handler is None:
        return
    _wait_complaints(agency, appeal)
    _consent_survey(agency, retirement)
    services.refresh_every_service(agency)

    from touchstone.complaints.models import Topic

    standards = {
        s.service_id: s for s in ServiceStandard.objects.filter(agency=agency, valid_until__isnull=True)
    }
    barrier = (
        BoardItem.objects.filter(agency=agency, service=appeal, kind=BoardItem.Kind.BARRIER)
        .order_by("summary")
        .first()
    )
    done_on = _month(13) - dt.timedelta(days=1)  # done at the end of month 12: the first month after is 13
    services.save_action(
        actor=None,
        agency=agency,
        service=appeal,
        data={
            "title": "Call-backs instead of hold on the appeal line",
            "title_es": "Devolución de llamadas en lugar de espera en la línea de apelaciones",
            "why": "Answer times slipped below the standard, complaints about long waits rose, and staff said "
            "callers on hold hung up and called again.",
            "prompted_by": ImprovementAction.Prompt.BARRIER if barrier else ImprovementAction.Prompt.STANDARD,
            "board_item": barrier,
            "standard": standards.get(appeal.pk),
            "topic": Topic.objects.filter(agency=agency, name="Long wait times").first(),
            "owner": analyst,
            "starts_on": _month(10),
            "due_on": done_on,
            "done_on": done_on,
            "status": ImprovementAction.Status.DONE,
            "measure_standard": standards.get(appeal.pk),
            "published": True,
        },
    )
    services.save_action(
        actor=None,
        agency=agency,
        service=retirement,
        data={
            "title": "A second review team for retirement applications",
            "title_es": "Un segundo equipo de revisión para las solicitudes de jubilación",
            "why": "The control chart signals that retirement decisions are slipping.",
            "prompted_by": ImprovementAction.Prompt.STANDARD,
            "standard": standards.get(retirement.pk),
            "owner": admin or analyst,
            "starts_on": fiscal.month_start(timezone.localdate()),
            "due_on": fiscal.month_start(timezone.localdate()) + dt.timedelta(days=90),
            "status": ImprovementAction.Status.UNDER_WAY,
            "measure_standard": standards.get(retirement.pk),
        },
    )
    services.save_rule(
        actor=None,
        agency=agency,
        data={
            "service": None,
            "score_at_most": 2,
            "on_negative_comment": True,
            "owner": handler,
            "hours_to_close": 16,
        },
    )
    opened = services.open_follow_ups(agency)
    closed = next((f for f in opened if f.reason == FollowUp.Reason.COMMENT), None)
    if closed is not None:
        services.close_follow_up(
            actor=handler,
            follow_up=closed,
            outcome=FollowUp.Outcome.RESOLVED,
            note="Called the customer, sent the second form and extended the deadline.",
        )
    services.set_following(actor=analyst, agency=agency, service=appeal, follow=True)
    services.set_following(actor=analyst, agency=agency, service=retirement, follow=True)
    services.raise_alerts()
