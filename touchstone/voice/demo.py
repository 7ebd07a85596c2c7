"""The employee voice demo: an anonymous employee survey with a few hundred answers across the offices (one office
too small to show) in two releases (last month's and this month's), reviewed comments, and a board of barriers and
ideas at every status. Idempotent."""

import datetime as dt
import random
import secrets

from django.db import transaction
from django.utils import timezone

from touchstone.catalog.models import JourneyStage, Service
from touchstone.complaints.models import Topic
from touchstone.core import fiscal
from touchstone.core import services as core_services
from touchstone.core.models import Agency, Membership, Role, User
from touchstone.standards.models import ServiceStandard
from touchstone.surveys import services as survey_services
from touchstone.surveys.models import Survey
from touchstone.voice import services
from touchstone.voice.models import (
    BarrierKind,
    BoardItem,
    EligibilityToken,
    EmployeeAnswer,
    EmployeeComment,
    Support,
    hash_link_token,
)

TITLE = "Front-line employee survey 2026"
# Office name -> answers; the Seattle office is below the minimum of 10, so its row is hidden (with cover).
OFFICE_SIZES = {
    "National Contact Center": 150,
    "Baltimore Field Office": 74,
    "Denver Field Office": 61,
    "Seattle Field Office": 7,
}
NO_OFFICE_ANSWERS = 4
COLLEAGUES = [
    ("Marisol", "Vega"), ("Dwayne", "Carter"), ("Priya", "Raman"), ("Tom", "Okafor"), ("Linh", "Tran"),
    ("Grace", "Holloway"), ("Samir", "Haddad"), ("Bea", "Lindqvist"), ("Carlos", "Mendez"), ("Ruth", "Adler"),
    ("Kenji", "Mori"), ("Amara", "Nwosu"), ("Owen", "Price"), ("Nadia", "Petrov"), ("Luis", "Ortega"),
    ("Hannah", "Kim"), ("Jamal", "Brooks"), ("Ivy", "Chen"), ("Pete", "Sorensen"), ("Rosa", "Delgado"),
]  # fmt: skip
COMMENTS = [
    ("barrier", "The case system times out after 15 minutes and we lose what we typed."),
    ("barrier", "Callers are transferred three times because the routing menu does not match our teams."),
    ("barrier", "We cannot see the status of a mailed application, so we cannot answer the caller."),
    ("barrier", "The appeal letter template uses legal words customers do not understand."),
    ("barrier", "Scanning at the field office takes days to reach the processing center."),
    ("barrier", "New staff shadow for two weeks but get no training on the disability rules."),
    ("barrier", "Policy changes arrive by email with no summary of what changed for customers."),
    ("barrier", "We are short two people every Monday when call volume peaks."),
    ("barrier", "Our headsets drop calls and replacements take a month."),
    ("barrier", "Customers have to bring the same documents twice because we cannot see uploads."),
    ("idea", "Let us send a text message when an application moves to the next step."),
    ("idea", "Rewrite the appeal letter in plain language and test it with customers."),
    ("idea", "Give field offices a direct line to the processing center for stuck cases."),
    ("idea", "Add a save-draft button to the case system."),
    ("idea", "Stagger lunch breaks on Mondays so the queue is covered."),
    ("idea", "A one-page summary of each policy change, with what to tell customers."),
    ("idea", "Show uploaded documents in the case view so nobody asks twice."),
    ("idea", "Pair each new hire with a mentor for their first three months."),
]
PENDING = [
    ("barrier", "My supervisor Dana Whitfield at the Seattle office ignores the backlog report every week."),
    ("idea", "I have worked the Baltimore front desk since 2009 and we need a second scanner there."),
    ("barrier", "The queue screen freezes every afternoon around three."),
]
BOARD = [
    # kind, summary, text, barrier kind, service slug, status, reply, anonymous
    ("barrier", "Case system times out and loses notes", "After 15 minutes idle the case system logs us out "
     "and anything typed is lost, often in the middle of a call.", "tools", "apply-retirement", "planned",
     "The vendor will add auto-save in the spring release.", True),
    ("idea", "Text customers when their application moves", "A short text at each step would cut the calls "
     "asking where an application is.", "process", "apply-retirement", "under_review", "", False),
    ("barrier", "Appeal letters use legal jargon", "Customers call to ask what the appeal decision letter "
     "means; the wording is legal, not plain.", "policy", "disability-appeal", "done",
     "Rewritten in plain language and tested with 12 customers; in use since the spring.", True),
    ("barrier", "Scans take days to reach processing", "Documents scanned at field offices take up to five "
     "days to appear for the processing center.", "tools", "disability-appeal", "received", "", True),
    ("barrier", "No training on disability rules for new staff", "New staff shadow others but get no "
     "structured training on the disability rules.", "training", "disability-appeal", "planned",
     "A four-module course starts next quarter.", False),
    ("barrier", "Monday staffing gap", "Every Monday the contact center is two people short at the peak.",
     "staffing", None, "under_review", "", True),
    ("idea", "Stagger Monday lunch breaks", "Stagger lunch breaks on Mondays so the queue is always covered.",
     "staffing", None, "done", "Started in March; Monday wait times are down.", False),
    ("barrier", "Headsets drop calls", "Our headsets drop calls and replacements take a month.", "tools", None,
     "not_now", "Headsets are replaced with the phone system next year; until then ask IT for a loaner.",
     True),
    ("barrier", "Customers bring documents twice", "We cannot see uploaded documents, so customers are asked "
     "to bring them again.", "tools", "replace-card", "planned", "Uploads will show in the case view.", True),
    ("idea", "One-page summary of each policy change", "With each policy change, a one-page summary of what "
     "to tell customers.", "policy", None, "done", "Policy now sends a summary with every change.", False),
    ("barrier", "Routing menu does not match our teams", "Callers are transferred several times because the "
     "phone menu options do not match how teams are organized.", "process", None, "received", "", True),
    ("idea", "Direct line to the processing center", "A direct line from field offices to the processing "
     "center for stuck cases.", "process", "disability-appeal", "under_review", "", True),
    ("barrier", "Card replacement status not visible", "We cannot see where a replacement card is in the "
     "mail, so we cannot answer the caller.", "tools", "replace-card", "received", "", True),
    ("idea", "Mentors for new hires", "Pair each new hire with a mentor for three months.", "training", None,
     "planned", "Volunteers wanted: tell your manager.", False),
    ("barrier", "Identity check repeats at every step", "Customers prove who they are again at each "
     "transfer.", "policy", "apply-retirement", "under_review", "", True),
    ("idea", "Callback instead of hold", "Offer a callback when the wait is over 10 minutes.", "process", None,
     "received", "", True),
    ("barrier", "Forms only in English at the kiosk", "The lobby kiosk has forms only in English.", "other",
     "replace-card", "planned", "Spanish forms are being added.", True),
    ("idea", "Plain-language hold messages", "Hold messages should say how long the wait is and what to have "
     "ready.", "process", None, "received", "", False),
    ("barrier", "Overtime rules stop us clearing backlog", "Overtime caps stop us clearing the backlog at the "
     "end of the quarter.", "policy", None, "not_now", "The cap is set by the department for this year.",
     True),
    ("barrier", "Printer queue at the field office", "One printer for the whole floor means customers wait "
     "while we print.", "tools", None, "received", "", True),
    ("idea", "Save-draft button", "Add a save-draft button to the case system.", "tools", "apply-retirement",
     "received", "", True),
    ("barrier", "Knowledge base is out of date", "Articles in the knowledge base still describe last year's "
     "rules.", "training", None, "under_review", "", True),
    ("idea", "Weekly five-minute huddle", "A five-minute huddle each week to share what customers ask about "
     "most.", "process", None, "done", "Huddles run every Tuesday.", False),
    ("barrier", "Appeal deadlines unclear to callers", "Callers do not know the appeal deadline because the "
     "letter buries it.", "policy", "disability-appeal", "received", "", True),
    ("idea", "Check-in by text at field offices", "Let customers check in by text and wait outside.",
     "process", None, "not_now", "We will look at this with the new queue system.", True),
    ("barrier", "Too many screens to answer one question", "Answering one status question needs four "
     "screens.", "tools", "apply-retirement", "received", "", True),
    ("idea", "Script for difficult calls", "A short script and a warm handover for distressed callers.",
     "training", None, "planned", "Drafting it with the employee assistance program.", False),
    ("barrier", "Mailroom closes at 3 pm", "Documents arriving after 3 pm wait until the next day.",
     "staffing", "replace-card", "received", "", True),
    ("barrier", "System slow every afternoon", "The queue screen freezes around three every afternoon.",
     "tools", None, "received", "", True),
    ("idea", "Customer feedback card at the counter", "Hand customers a feedback card with the survey link.",
     "process", None, "received", "", True),
]  # fmt: skip


@transaction.atomic
def load_voice_demo(agency: Agency) -> None:
    rng = random.Random(12862)
    colleagues = _colleagues(agency)
    if not Survey.objects.filter(agency=agency, title=TITLE).exists():
        _survey(agency, rng)
    if not BoardItem.objects.filter(agency=agency).exists():
        _board(agency, rng, colleagues)


def _colleagues(agency: Agency) -> list[User]:
    people = []
    for number, (first, last) in enumerate(COLLEAGUES, start=1):
        user, created = User.objects.get_or_create(
            username=f"staff-{number:02d}",
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"staff-{number:02d}@demo.example.gov",
            },
        )
        if created:
            user.set_unusable_password()
            user.save()
        if not Membership.objects.filter(user=user, agency=agency).exists():
            core_services.add_member(actor=None, agency=agency, user=user, role=Role.FRONTLINE)
        people.append(user)
    people += list(User.objects.filter(username__in=["frontline", "handler", "analyst", "admin"]))
    return people


def _survey(agency: Agency, rng: random.Random) -> None:
    survey = services.create_employee_survey(actor=None, actor_label="demo", agency=agency, title=TITLE)
    survey_services.change_status(actor=None, survey=survey, status=Survey.Status.PUBLISHED)
    offices = {name: pk for pk, name in agency.offices.values_list("pk", "name")}
    month = timezone.localdate().replace(day=1)
    previous = (month - dt.timedelta(days=1)).replace(day=1)
    assert survey.current_version is not None
    answers = []
    # The demo's own offices by name; another agency's offices take the same sizes in turn.
    names = list(OFFICE_SIZES)
    ordered = sorted(offices, key=lambda name: (names.index(name) if name in names else len(names), name))
    plan: list[tuple[int | None, int]] = [
        (offices[name], size) for name, size in zip(ordered, OFFICE_SIZES.values(), strict=False)
    ]
    plan.append((None, NO_OFFICE_ANSWERS))
    for office_id, size in plan:
        lean = rng.uniform(-0.6, 0.6)
        for _ in range(size):
            answer: dict[str, object] = {
                key: max(1, min(5, round(rng.gauss(3.6 + lean, 1.0))))
                for key in ("engaged", "heard", "proud")
            }
            answer["tenure"] = rng.choice(["under2", "2to10", "2to10", "over10"])
            if office_id is not None:
                answer["office"] = str(office_id)
            answers.append(answer)
    rng.shuffle(answers)
    first = len(answers) * 3 // 5
    comments = []
    for number in range(70):
        key, text = COMMENTS[number % len(COMMENTS)]
        status = EmployeeComment.Status.APPROVED if number % 9 else EmployeeComment.Status.WITHHELD
        comments.append(
            EmployeeComment(
                survey=survey,
                question_key=key,
                measures=key,
                status=status,
                redacted=text if status == EmployeeComment.Status.APPROVED else "",
            )
        )
    # Two releases: last month's, with the first three fifths of the answers, and this month's with the rest.
    for batch, notes, released_on in (
        (answers[:first], comments[:40], previous),
        (answers[first:], comments[40:], None),
    ):
        EmployeeAnswer.objects.bulk_create(
            EmployeeAnswer(survey=survey, version=survey.current_version, answers=answer, period=month)
            for answer in batch
        )
        EmployeeComment.objects.bulk_create(
            notes
            if released_on
            else [
                *notes,
                *(
                    EmployeeComment(survey=survey, question_key=key, measures=key, original=text)
                    for key, text in PENDING
                ),
            ]
        )
        release = services.release_results(actor=None, survey=survey)
        if released_on is not None:
            release.released_on = released_on
            release.save(update_fields=["released_on"])
            release.answers.update(period=released_on)
    used = len(answers)
    EligibilityToken.objects.bulk_create(
        EligibilityToken(
            survey=survey, token_hash=hash_link_token(secrets.token_urlsafe(24)), used=number < used
        )
        for number in range(used + 38)
    )


def _board(agency: Agency, rng: random.Random, colleagues: list[User]) -> None:
    services_by_slug = {s.slug: s for s in Service.objects.filter(agency=agency)}
    stages = {
        s.service_id: s for s in JourneyStage.objects.filter(service__agency=agency).order_by("-position")
    }
    standard = ServiceStandard.objects.filter(
        agency=agency, external_id="demo-disability-appeal", valid_until__isnull=True
    ).first()
    topic = Topic.objects.filter(agency=agency).order_by("name").first()
    last_month = fiscal.month_start(timezone.localdate()) - dt.timedelta(days=1)
    first = last_month.year * 12 + last_month.month - 24
    done_month = dt.date((first + 14) // 12, (first + 14) % 12 + 1, 1)  # when the standards demo recovers
    this_month = timezone.localdate().replace(day=1)
    for number, (kind, summary, text, barrier_kind, slug, status, reply, anonymous) in enumerate(BOARD):
        service = services_by_slug.get(slug or "")
        author = None if anonymous else colleagues[number % len(colleagues)]
        item = BoardItem.objects.create(
            agency=agency,
            kind=kind,
            summary=summary,
            text=text,
            barrier_kind=BarrierKind(barrier_kind),
            service=service,
            journey_stage=stages.get(service.pk) if service and rng.random() < 0.5 else None,
            author=author,
            period=this_month if number % 3 else (this_month - dt.timedelta(days=40)).replace(day=1),
            status=status,
            reply=reply,
            done_period=this_month if status == "done" else None,
        )
        if slug == "disability-appeal" and status == "done" and standard is not None:
            item.standard = standard
            item.done_period = done_month
            item.save(update_fields=["standard", "done_period"])
        elif slug == "disability-appeal" and topic is not None and number % 2:
            item.topic = topic
            item.save(update_fields=["topic"])
        supporters = rng.sample(colleagues, k=min(len(colleagues), int(rng.paretovariate(1.2) * 2) % 18))
        Support.objects.bulk_create(Support(item=item, supporter=user) for user in supporters)
    duplicate = BoardItem.objects.create(
        agency=agency,
        kind="idea",
        summary="Autosave in the case system",
        text="Please make the case system save our notes automatically.",
        barrier_kind=BarrierKind.TOOLS,
        service=services_by_slug.get("apply-retirement"),
        period=this_month,
    )
    kept = BoardItem.objects.filter(agency=agency, summary="Case system times out and loses notes").first()
    if kept is not None:
        Support.objects.bulk_create(Support(item=duplicate, supporter=user) for user in colleagues[:3])
        services.merge_items(actor=None, duplicate=duplicate, kept=kept)
