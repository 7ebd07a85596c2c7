"""Every write of employee voice.

Two writes are deliberately left out of the audit log, because the log keeps the exact moment and the actor:
an employee's survey answer and an anonymous board post (or any support). Recording them would put a time finer
than the month, or a supporter's name, beside them. Everything staff do to items, comments and links is logged,
without the text.
"""

import csv
import io
import secrets
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Sum
from django.tasks import task
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from touchstone.core import audit
from touchstone.core.models import Agency, Membership, User
from touchstone.surveys import instrument
from touchstone.surveys import services as survey_services
from touchstone.surveys.models import Question, Survey
from touchstone.voice import figures, privacy
from touchstone.voice.models import (
    BoardItem,
    EligibilityToken,
    EmployeeAnswer,
    EmployeeComment,
    EmployeeSurveySetup,
    PendingAnswer,
    RosterEntry,
    SendRequest,
    Support,
    VoiceRelease,
    VoiceSettings,
    hash_link_token,
    this_month,
)

BLUEPRINT = "employee-voice"
# Pooled answers are written once this many wait (or when results are released): never a batch of one.
POOL_BATCH = 5
FREE_TEXT_KINDS = {Question.Kind.SHORT_TEXT, Question.Kind.LONG_TEXT}
# Kinds that would ask a person who they are; an anonymous survey drops whatever they hold.
IDENTIFYING_KINDS = {Question.Kind.EMAIL, Question.Kind.PHONE, Question.Kind.HIDDEN}
TENURE_CHOICES = [
    ("under2", "Less than 2 years", "Menos de 2 años"),
    ("2to10", "2 to 10 years", "De 2 a 10 años"),
    ("over10", "More than 10 years", "Más de 10 años"),
]


# --- settings ---------------------------------------------------------------------------------------------------


@transaction.atomic
def save_settings(*, actor: User | None, agency: Agency, minimum_group: int) -> VoiceSettings:
    voice_settings, _created = VoiceSettings.objects.get_or_create(agency=agency)
    audit.save_with_audit(voice_settings, {"minimum_group": minimum_group}, actor=actor, agency=agency)
    return voice_settings


@transaction.atomic
def set_breakdowns(*, actor: User | None, survey: Survey, keys: list[str]) -> EmployeeSurveySetup:
    from touchstone.voice import selectors

    known = set(survey.questions.values_list("key", flat=True))
    known |= set(selectors.roster_attribute_names(survey.agency))
    unknown = [key for key in keys if key not in known]
    if unknown:
        raise ValidationError(
            _("%(key)s is neither a question of this survey nor a column of the roster.")
            % {"key": unknown[0]},
            code="unknown",
        )
    setup, _created = EmployeeSurveySetup.objects.get_or_create(survey=survey)
    audit.save_with_audit(setup, {"breakdown_keys": sorted(keys)}, actor=actor, agency=survey.agency)
    return setup


# --- employee surveys -------------------------------------------------------------------------------------------


@transaction.atomic
def create_employee_survey(
    *,
    actor: User | None,
    agency: Agency,
    title: str,
    ask_office: bool = True,
    ask_tenure: bool = True,
    actor_label: str = "",
) -> Survey:
    """A draft employee survey from the "employee-voice" template, with office and tenure to break results down."""
    survey = survey_services.create_survey(
        actor=actor,
        agency=agency,
        data={"title": title, "audience": Survey.Audience.EMPLOYEES, "minimum_to_show": 10},
        blueprint=BLUEPRINT,
        actor_label=actor_label,
    )
    keys = []
    offices = list(agency.offices.order_by("name").values_list("pk", "name"))
    if ask_office and offices:
        survey_services.save_question(
            actor=actor,
            survey=survey,
            data={
                "key": "office",
                "kind": Question.Kind.DROPDOWN,
                "text": "Which office do you work in?",
                "text_es": "¿En qué oficina trabaja?",
                "choices": [{"value": str(pk), "label": name, "label_es": name} for pk, name in offices],
            },
        )
        keys.append("office")
    if ask_tenure:
        survey_services.save_question(
            actor=actor,
            survey=survey,
            data={
                "key": "tenure",
                "kind": Question.Kind.SINGLE,
                "text": "How long have you worked here?",
                "text_es": "¿Cuánto tiempo lleva trabajando aquí?",
                "choices": [{"value": v, "label": en, "label_es": es} for v, en, es in TENURE_CHOICES],
            },
        )
        keys.append("tenure")
    EmployeeSurveySetup.objects.create(survey=survey, breakdown_keys=keys)
    return survey


@transaction.atomic
def close_survey(*, actor: User | None, survey: Survey) -> Survey:
    """Stop collecting, forget every address the links were sent to, and release what has not been released
    (if enough people answered since the last release; otherwise those answers are never shown)."""
    # Closing sends `survey_closed`, which runs `after_close` (however the survey is closed).
    survey_services.change_status(actor=actor, survey=survey, status=Survey.Status.CLOSED)
    return survey


def after_close(*, actor: User | None, survey: Survey) -> None:
    """However a survey closes: forget the addresses and make the last release if it can be made."""
    forget_addresses(actor=actor, survey=survey)
    if not survey.is_anonymous:
        return
    try:
        with transaction.atomic():
            release_results(actor=actor, survey=survey)
    except ValidationError:
        pass  # too few new respondents (or no budget left): nothing more is released, by design


@transaction.atomic
def save_release_rules(
    *,
    actor: User | None,
    survey: Survey,
    release_every_days: int | None,
    privacy_budget: float | None,
    epsilon_per_release: float | None,
) -> EmployeeSurveySetup:
    """How often results are released, and the differential privacy budget (both optional)."""
    if (privacy_budget is None) != (epsilon_per_release is None):
        raise ValidationError(
            {"epsilon_per_release": _("Set both the budget and what each release spends, or neither.")}
        )
    if (
        privacy_budget is not None
        and epsilon_per_release is not None
        and epsilon_per_release > privacy_budget
    ):
        raise ValidationError(
            {"epsilon_per_release": _("Each release cannot spend more than the whole budget.")}
        )
    made = VoiceRelease.objects.filter(survey=survey).exists()
    setup, _created = EmployeeSurveySetup.objects.get_or_create(survey=survey)
    if made and (setup.privacy_budget, setup.epsilon_per_release) != (privacy_budget, epsilon_per_release):
        raise ValidationError(
            {"privacy_budget": _("The privacy budget cannot change once results have been released.")}
        )
    audit.save_with_audit(
        setup,
        {
            "release_every_days": release_every_days,
            "privacy_budget": privacy_budget,
            "epsilon_per_release": epsilon_per_release,
        },
        actor=actor,
        agency=survey.agency,
    )
    return setup


@transaction.atomic
def release_results(*, actor: User | None, survey: Survey) -> VoiceRelease:
    """Compute and store the figures of everyone who answered since the last release, if they are at least the
    minimum; from then on those figures never move. Their answers and comments take the release's period."""
    from touchstone.voice import selectors  # selectors read what this writes; imported here to keep one door

    write_pooled_answers(survey=survey, force=True)
    minimum = selectors.minimum_group(survey.agency)
    new = EmployeeAnswer.objects.select_for_update().filter(survey=survey, release__isnull=True)
    rows = list(new.values_list("answers", flat=True))
    if len(rows) < minimum:
        raise ValidationError(
            _("A release needs at least %(minimum)s people who answered since the last release.")
            % {"minimum": minimum}
        )
    setup, _created = EmployeeSurveySetup.objects.get_or_create(survey=survey)
    questions = selectors.survey_questions(survey)
    keys = list(setup.breakdown_keys)
    attribute_keys = [k for k in keys if k not in {q["key"] for q in figures.choice_questions(questions)}]
    noise = None
    epsilon = None
    if setup.privacy_budget and setup.epsilon_per_release:
        spent = VoiceRelease.objects.filter(survey=survey).aggregate(total=Sum("epsilon"))["total"] or 0.0
        if spent + setup.epsilon_per_release > setup.privacy_budget * (1 + 1e-9):
            raise ValidationError(_("The survey's privacy budget is spent: no more results can be released."))
        epsilon = setup.epsilon_per_release
        noise = privacy.Noise(
            epsilon,
            privacy.histograms_in_release(
                len(figures.scale_questions(questions)), len(figures.choice_questions(questions)), len(keys)
            ),
        )
    last = VoiceRelease.objects.filter(survey=survey).order_by("-number").first()
    released_on = timezone.localdate()
    release = VoiceRelease.objects.create(
        survey=survey,
        number=(last.number + 1) if last else 1,
        released_on=released_on,
        respondents=len(rows),
        minimum=minimum,
        epsilon=epsilon,
        figures=figures.compute_figures(
            questions,
            keys,
            rows,
            minimum,
            noise=noise,
            roster_values=selectors.roster_values(survey.agency, attribute_keys),
        ),
    )
    new.update(release=release, period=released_on.replace(day=1))
    EmployeeComment.objects.filter(survey=survey, release__isnull=True).update(release=release)
    audit.record(
        actor=actor,
        action="released results",
        target=survey,
        agency=survey.agency,
        changes={"release": [last.number if last else None, release.number], "epsilon": [None, epsilon]},
    )
    return release


def release_due_results() -> int:
    """For the schedule: release each collecting survey whose rules say a release is due and that has enough new
    respondents. Nothing moves between releases."""
    made = 0
    today = timezone.localdate()
    for setup in EmployeeSurveySetup.objects.filter(release_every_days__isnull=False).select_related(
        "survey"
    ):
        survey = setup.survey
        if not survey.collecting():
            continue
        last = VoiceRelease.objects.filter(survey=survey).order_by("-number").first()
        since = last.released_on if last else None
        assert setup.release_every_days is not None
        if since is not None and (today - since).days < setup.release_every_days:
            continue
        try:
            with transaction.atomic():
                release_results(actor=None, survey=survey)
            made += 1
        except ValidationError:
            continue
    return made


def forget_addresses(*, actor: User | None, survey: Survey) -> int:
    forgotten = EligibilityToken.objects.filter(survey=survey).exclude(email="").update(email="")
    if forgotten:
        audit.record(
            actor=actor,
            action="forgot link addresses",
            target=survey,
            agency=survey.agency,
            changes={"addresses": [forgotten, 0]},
        )
    return forgotten


# --- one-use links ----------------------------------------------------------------------------------------------


def emails_of_people(agency: Agency, roles: Iterable[str]) -> list[str]:
    return sorted(
        {
            email.strip().lower()
            for email in Membership.objects.filter(agency=agency, role__in=list(roles))
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        }
    )


def read_email_list(text: str) -> list[str]:
    """Addresses from a pasted or uploaded list: one a line, or a CSV with an `email` column.

    A line that is not an address is an error naming the line, so the person can fix the file.
    """
    rows = list(csv.reader(io.StringIO(text)))
    headings = [cell.strip().lower() for cell in rows[0]] if rows else []
    named = [i for i, cell in enumerate(headings) if cell in {"email", "e-mail", "email address"}]
    column, start = (named[0], 1) if named else (0, 0)
    emails, problems = [], []
    for number, row in enumerate(rows[start:], start=start + 1):
        if not row or not "".join(row).strip():
            continue
        value = row[column].strip() if column < len(row) else ""
        try:
            validate_email(value)
        except ValidationError:
            problems.append(
                _("Line %(line)s: “%(value)s” is not an email address.")
                % {"line": number, "value": value[:80]}
            )
            continue
        emails.append(value.lower())
    if problems:
        raise ValidationError(problems[:10])
    return sorted(set(emails))


@dataclass
class LinksMade:
    created: int
    already_invited: int


@transaction.atomic
def create_links(
    *,
    actor: User | None,
    survey: Survey,
    emails: list[str],
    send: bool = True,
    attributes: dict[str, dict[str, Any]] | None = None,
) -> LinksMade:
    """One one-use link per new address, sent by email after the transaction commits.

    The link's token does not exist yet: the task that sends the email mints it and stores its hash, so the task
    queue holds only the link's id and the database never the token.
    """
    if not survey.is_anonymous:
        raise ValidationError(_("One-use links are for employee surveys."))
    if survey.status in {Survey.Status.CLOSED, Survey.Status.ARCHIVED}:
        raise ValidationError(_("This survey is closed; it takes no more answers."))
    taken = set(
        EligibilityToken.objects.filter(survey=survey, email__in=emails).values_list("email", flat=True)
    )
    new = [email for email in dict.fromkeys(emails) if email not in taken]
    attributes = attributes or {}
    links = EligibilityToken.objects.bulk_create(
        [
            # A placeholder hash of a token nobody is given, until the sending task mints the real one.
            EligibilityToken(
                survey=survey,
                token_hash=hash_link_token(secrets.token_urlsafe(24)),
                email=email,
                attributes=attributes.get(email, {}),
            )
            for email in new
        ]
    )
    audit.record(
        actor=actor,
        action="created one-use links",
        target=survey,
        agency=survey.agency,
        changes={"links": [None, len(new)]},
    )
    if send and links:
        link_ids = [link.pk for link in links]
        transaction.on_commit(lambda: [send_link.enqueue(link_id) for link_id in link_ids])
    return LinksMade(len(new), len(taken))


# --- the roster, and sends that need a second admin ------------------------------------------------------------


@transaction.atomic
def replace_roster(*, actor: User | None, agency: Agency, entries: dict[str, dict[str, str]]) -> int:
    """Make the roster exactly these employees (email: attributes); return how many entries it replaced."""
    replaced, _deleted = RosterEntry.objects.filter(agency=agency).delete()
    RosterEntry.objects.bulk_create(
        RosterEntry(agency=agency, email=email, attributes=attributes)
        for email, attributes in entries.items()
    )
    audit.record(
        actor=actor,
        action="imported the employee roster",
        target=agency,
        agency=agency,
        changes={"employees": [replaced, len(entries)]},
    )
    return replaced


def roster_attributes(survey: Survey, emails: list[str], minimum: int) -> dict[str, dict[str, Any]]:
    """The breakdown attributes each address's link carries: the roster's values of the survey's breakdown keys,
    kept only where at least `minimum` people on the roster share the whole combination, else none at all (the
    person then falls in "No answer"), so the attributes an answer carries never single anyone out."""
    setup = EmployeeSurveySetup.objects.filter(survey=survey).first()
    keys = list(setup.breakdown_keys) if setup else []
    roster = dict(RosterEntry.objects.filter(agency=survey.agency).values_list("email", "attributes"))
    keys = [key for key in keys if any(key in attributes for attributes in roster.values())]
    if not keys:
        return {}

    def combination(attributes: dict[str, Any]) -> tuple[str, ...]:
        return tuple(str(attributes.get(key, "")) for key in keys)

    shared = Counter(combination(attributes) for attributes in roster.values())
    chosen = {}
    for email in emails:
        attributes = roster.get(email)
        if attributes is None or shared[combination(attributes)] < minimum:
            continue
        chosen[email] = {key: attributes[key] for key in keys if attributes.get(key) not in (None, "")}
    return chosen


@dataclass
class SendOutcome:
    sent: LinksMade | None
    request: SendRequest | None


def send_links(*, actor: User, survey: Survey, emails: list[str]) -> SendOutcome:
    """Send links now if the send is ordinary; otherwise file it for a second admin's approval.

    A send needs approval when it would reach fewer people than the minimum (a link or two sent to learn one
    person's answers), or addresses outside the HR roster (addresses the sender controls, answered to subtract
    their own answers from a release).
    """
    from touchstone.voice import selectors

    minimum = selectors.minimum_group(survey.agency)
    taken = set(
        EligibilityToken.objects.filter(survey=survey, email__in=emails).values_list("email", flat=True)
    )
    new = [email for email in dict.fromkeys(emails) if email not in taken]
    on_roster = set(
        RosterEntry.objects.filter(agency=survey.agency, email__in=new).values_list("email", flat=True)
    )
    outside = [email for email in new if email not in on_roster]
    reasons = []
    if 0 < len(new) < minimum:
        reasons.append("fewer than the minimum")
    if outside:
        reasons.append("outside the roster")
    if not reasons:
        return SendOutcome(
            _create_roster_links(actor=actor, survey=survey, emails=new, taken=len(taken)), None
        )
    with transaction.atomic():
        request = SendRequest.objects.create(
            survey=survey,
            emails=new,
            count=len(new),
            outside_roster=len(outside),
            reasons=reasons,
            requested_by=actor,
        )
        audit.record(
            actor=actor,
            action="asked a second admin to approve a send",
            target=survey,
            agency=survey.agency,
            changes={"links": [None, len(new)], "outside roster": [None, len(outside)], "reasons": reasons},
        )
    return SendOutcome(None, request)


def _create_roster_links(
    *, actor: User | None, survey: Survey, emails: list[str], taken: int = 0
) -> LinksMade:
    from touchstone.voice import selectors

    attributes = roster_attributes(survey, emails, selectors.minimum_group(survey.agency))
    made = create_links(actor=actor, survey=survey, emails=emails, attributes=attributes)
    return LinksMade(made.created, made.already_invited + taken)


@transaction.atomic
def decide_send(*, actor: User, request: SendRequest, approve: bool) -> SendRequest:
    """A second admin (never the one who asked) approves the send, which goes out, or refuses it. Either way the
    addresses leave the request; the audit log keeps who decided and how many."""
    request = SendRequest.objects.select_for_update().select_related("survey__agency").get(pk=request.pk)
    if request.status != SendRequest.Status.PENDING:
        raise ValidationError(_("This send has already been decided."))
    if actor.pk == request.requested_by_id:
        raise ValidationError(_("A second admin must decide: not the person who asked for the send."))
    membership = Membership.objects.filter(user=actor, agency=request.survey.agency).first()
    if membership is None or not membership.can("manage_agency"):
        raise ValidationError(_("Only an agency admin can approve or refuse a send."))
    if approve:
        _create_roster_links(actor=actor, survey=request.survey, emails=list(request.emails))
    request.status = SendRequest.Status.APPROVED if approve else SendRequest.Status.REFUSED
    request.decided_by = actor
    request.emails = []
    request.save(update_fields=["status", "decided_by", "emails"])
    audit.record(
        actor=actor,
        action="approved a send" if approve else "refused a send",
        target=request.survey,
        agency=request.survey.agency,
        changes={"links": [None, request.count], "requested by": [None, str(request.requested_by)]},
    )
    return request


def new_link(survey: Survey, attributes: dict[str, Any] | None = None) -> str:
    """A single link without an address (for tests and the demo)."""
    token = secrets.token_urlsafe(24)
    EligibilityToken.objects.create(
        survey=survey, token_hash=hash_link_token(token), attributes=attributes or {}
    )
    return token


def link_url(token: str, language: str) -> str:
    with override(language):
        return settings.SITE_URL.rstrip("/") + reverse("portal_voice:answer", args=[token])


@task()
def send_link(link_id: int) -> None:
    """Mint the link's token, keep its hash, and email it. Carries the link's id only, never the link or address;
    sending again mints a new token, so only the latest email's link works."""
    with transaction.atomic():
        link = (
            EligibilityToken.objects.select_for_update()
            .select_related("survey__agency")
            .filter(pk=link_id, used=False)
            .exclude(email="")
            .first()
        )
        if link is None or not link.survey.collecting():
            return
        token = secrets.token_urlsafe(24)
        link.token_hash = hash_link_token(token)
        link.save(update_fields=["token_hash"])
    survey = link.survey
    subject = f"{survey.agency.name}: {survey.title}"
    about = settings.SITE_URL.rstrip("/") + reverse("portal_voice:privacy")
    body = (
        f"{survey.agency.name} asks front-line staff what gets in the way of serving customers, and what would "
        f"help.\n\nYour link works once:\n{link_url(token, 'en')}\n\nYour answers are kept without your "
        f"name, your email address or the time you answered. What is and is not kept: {about}\n\n"
        f"En español:\n{link_url(token, 'es')}\n"
    )
    send_mail(subject, body, None, [link.email])


# --- answering --------------------------------------------------------------------------------------------------


class LinkRefused(Exception):
    """The link cannot be used: unknown, already used, or the survey is not collecting. Which one is never told."""


class AnswersRefused(Exception):
    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(errors.values()))


def employee_questions(survey: Survey) -> list[dict[str, Any]]:
    """The current version's questions an anonymous form asks: every page, none that asks who someone is."""
    assert survey.current_version is not None
    return [q for q in survey.current_version.questions() if q["kind"] not in IDENTIFYING_KINDS]


def usable_link(token: str) -> EligibilityToken:
    """The link a token opens, if it can still be used; otherwise LinkRefused, the same for every reason."""
    link = (
        EligibilityToken.objects.select_related("survey", "survey__current_version", "survey__agency")
        .filter(token_hash=hash_link_token(token), used=False)
        .first()
    )
    if link is None or not link.survey.is_anonymous or not link.survey.collecting():
        raise LinkRefused()
    return link


def submit_answers(*, token: str, raw: dict[str, Any]) -> None:
    """Check the answers, then use up the link and pool the answers in two separate transactions.

    Nothing joins the two: the pooled answer has a random id and no time, and it reaches `EmployeeAnswer` only
    in a shuffled batch (`write_pooled_answers`). Free text travels in the pool beside the closed answers and
    becomes separate comments when written.
    """
    link = usable_link(token)
    survey = link.survey
    questions = employee_questions(survey)
    checked = instrument.check_answers(questions, raw)
    if checked.errors:
        raise AnswersRefused(checked.errors)
    kinds = {q["key"]: q for q in questions}
    closed: dict[str, Any] = {}
    comments = []
    for key, value in checked.answers.items():
        if key.endswith("__other"):
            continue  # the words typed beside "Other" are free text nobody has reviewed
        question = kinds.get(key)
        if question is None:
            continue
        if question["kind"] in FREE_TEXT_KINDS:
            comments.append({"question_key": key, "measures": question.get("measures") or "", "text": value})
        else:
            closed[key] = value
    # The roster's attributes stand in for answers the person was not asked (as FEVS takes them from HR).
    closed.update(link.attributes)
    with transaction.atomic():
        if not EligibilityToken.objects.filter(pk=link.pk, used=False).update(used=True):
            raise LinkRefused()
    assert survey.current_version is not None
    with transaction.atomic():
        PendingAnswer.objects.create(
            survey=survey, version=survey.current_version, answers=closed, comments=comments
        )
    if PendingAnswer.objects.filter(survey=survey).count() >= POOL_BATCH:
        transaction.on_commit(lambda: write_pooled_answers_task.enqueue(survey.pk))


@transaction.atomic
def write_pooled_answers(*, survey: Survey, force: bool = False) -> int:
    """Write a survey's pooled answers in one shuffled batch, and re-mark every used link in the same transaction.

    A batch waits for `POOL_BATCH` answers unless forced (by a release or the survey closing): a batch of one
    would pair its answer with the last link used.
    """
    pooled = list(PendingAnswer.objects.select_for_update().filter(survey=survey))
    if not pooled or (len(pooled) < POOL_BATCH and not force):
        return 0
    secrets.SystemRandom().shuffle(pooled)
    period = this_month()
    answers = []
    comments = []
    for entry in pooled:
        answers.append(
            EmployeeAnswer(
                id=uuid.uuid4(),
                survey=survey,
                version_id=entry.version_id,
                answers=entry.answers,
                period=period,
            )
        )
        comments += [
            EmployeeComment(
                id=uuid.uuid4(),
                survey=survey,
                question_key=comment["question_key"],
                measures=comment["measures"],
                original=comment["text"],
            )
            for comment in entry.comments
        ]
    secrets.SystemRandom().shuffle(comments)
    EmployeeAnswer.objects.bulk_create(answers)
    EmployeeComment.objects.bulk_create(comments)
    PendingAnswer.objects.filter(pk__in=[entry.pk for entry in pooled]).delete()
    # Every used mark now carries this batch's transaction id, not the moment its link was used.
    EligibilityToken.objects.filter(survey=survey, used=True).update(used=True)
    return len(answers)


@task()
def write_pooled_answers_task(survey_id: int) -> int:
    survey = Survey.objects.filter(pk=survey_id).first()
    return write_pooled_answers(survey=survey) if survey else 0


def write_every_pool() -> int:
    """For the schedule: write every survey's pool that holds a full batch."""
    written = 0
    for survey_id in set(PendingAnswer.objects.values_list("survey_id", flat=True)):
        written += write_pooled_answers(survey=Survey.objects.get(pk=survey_id))
    return written


# --- reviewing free text ----------------------------------------------------------------------------------------


@transaction.atomic
def review_comment(
    *, actor: User | None, comment: EmployeeComment, redacted: str, approve: bool
) -> EmployeeComment:
    """Approve the redacted copy, or withhold the comment. Either way the original words are erased."""
    redacted = redacted.strip()
    if approve and not redacted:
        raise ValidationError({"redacted": _("Write the comment as it may be shown, or withhold it.")})
    before = comment.status
    comment.status = EmployeeComment.Status.APPROVED if approve else EmployeeComment.Status.WITHHELD
    comment.redacted = redacted if approve else ""
    comment.original = ""
    comment.save(update_fields=["status", "redacted", "original"])
    audit.record(
        actor=actor,
        action="reviewed comment",
        target=comment,
        agency=comment.survey.agency,
        changes={"status": [before, comment.status], "text": "changed"},
    )
    return comment


# --- the board --------------------------------------------------------------------------------------------------


@transaction.atomic
def post_item(*, actor: User, agency: Agency, data: dict[str, Any], anonymous: bool) -> BoardItem:
    """Post a barrier or idea. An anonymous post keeps no author and is not written to the audit log."""
    _check_links(agency, data)
    item = BoardItem(agency=agency, author=None if anonymous else actor, period=this_month(), **data)
    item.full_clean()
    item.save()
    if not anonymous:
        audit.record(
            actor=actor,
            action="posted",
            target=item,
            agency=agency,
            changes={"kind": [None, item.kind], "text": "changed"},
        )
    return item


def _check_links(agency: Agency, data: dict[str, Any]) -> None:
    service, stage = data.get("service"), data.get("journey_stage")
    if service is not None and service.agency_id != agency.pk:
        raise ValidationError({"service": _("Choose one of this agency's services.")})
    if stage is not None and (
        stage.service.agency_id != agency.pk or (service and stage.service_id != service.pk)
    ):
        raise ValidationError({"journey_stage": _("Choose a stage of the service you chose.")})
    standard, topic = data.get("standard"), data.get("topic")
    if standard is not None and standard.agency_id != agency.pk:
        raise ValidationError({"standard": _("Choose one of this agency's standards.")})
    if topic is not None and topic.agency_id != agency.pk:
        raise ValidationError({"topic": _("Choose one of this agency's complaint topics.")})


@transaction.atomic
def toggle_support(*, actor: User, item: BoardItem) -> bool:
    """Support an item, or take the support back. Returns whether the person now supports it. Not audited: the
    log would name the supporter."""
    if item.merged_into_id is not None:
        raise ValidationError(_("This item was merged into another; support that one instead."))
    deleted, _rows = Support.objects.filter(item=item, supporter=actor).delete()
    if deleted:
        return False
    Support.objects.create(item=item, supporter=actor)
    return True


TRIAGE_FIELDS = ["status", "kind", "barrier_kind", "service", "journey_stage", "standard", "topic"]


@transaction.atomic
def triage_item(*, actor: User, item: BoardItem, data: dict[str, Any]) -> BoardItem:
    """Change status, tags, reply and links. The reply's words are not copied into the log, only that it changed."""
    _check_links(item.agency, {**{f: getattr(item, f) for f in ("service", "journey_stage")}, **data})
    stored = BoardItem.objects.get(pk=item.pk)  # a bound form has already changed `item` in memory
    before = audit.snapshot(stored, TRIAGE_FIELDS)
    old_reply = stored.reply
    for field, value in data.items():
        setattr(item, field, value)
    if item.status == BoardItem.Status.DONE and item.done_period is None:
        item.done_period = this_month()
    elif item.status != BoardItem.Status.DONE:
        item.done_period = None
    item.full_clean()
    item.save()
    changes = audit.describe_changes(before, audit.snapshot(item, TRIAGE_FIELDS))
    if item.reply != old_reply:
        changes["text"] = "changed"
    audit.record(actor=actor, action="triaged", target=item, agency=item.agency, changes=changes)
    return item


@transaction.atomic
def merge_items(*, actor: User | None, duplicate: BoardItem, kept: BoardItem) -> BoardItem:
    """Fold a duplicate into the item kept: its supports move over (one per person), and it leaves the board."""
    if duplicate.pk == kept.pk or duplicate.agency_id != kept.agency_id:
        raise ValidationError(_("Choose another item of this agency to keep."))
    if kept.merged_into_id is not None:
        raise ValidationError(_("The item to keep was itself merged; choose the item it was merged into."))
    already = set(Support.objects.filter(item=kept).values_list("supporter_id", flat=True))
    Support.objects.filter(item=duplicate, supporter_id__in=already).delete()
    moved = Support.objects.filter(item=duplicate).update(item=kept)
    BoardItem.objects.filter(merged_into=duplicate).update(merged_into=kept)
    duplicate.merged_into = kept
    duplicate.save(update_fields=["merged_into"])
    audit.record(
        actor=actor,
        action="merged",
        target=duplicate,
        agency=kept.agency,
        changes={"merged_into": [None, str(kept.pk)], "supports moved": [None, moved]},
    )
    return kept
