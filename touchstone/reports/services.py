"""Every write of reports and plans: each in a transaction, each recorded in the audit log."""

import csv
import datetime as dt
import io
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from touchstone.catalog.models import Service
from touchstone.core.audit import record, save_with_audit
from touchstone.core.models import Agency, User
from touchstone.reports import figures
from touchstone.reports.models import (
    PLAIN_LANGUAGE_CHECKS,
    A11Collection,
    ActionGoal,
    ActionPlan,
    ApprovedDocument,
    DocumentState,
    PlanSection,
    QuotedComment,
    ScheduledDelivery,
    ServicePlan,
    SurveyReport,
)
from touchstone.surveys.exports import A11_UPLOAD_HEADERS
from touchstone.surveys.models import Response

# --- the approval path shared by the survey report, the plan and the action plan ------------------------------------


def approval_problems(document: ApprovedDocument) -> list[str]:
    """What stops the document from being approved; nothing for a report or an action plan."""
    if not isinstance(document, ServicePlan):
        return []
    problems = []
    for section in PlanSection:
        if not document.text(section.value).strip():
            problems.append(_("Write the section “%(section)s”.") % {"section": section.label})
        ticked = set(document.checklist.get(section.value) or [])
        if not set(PLAIN_LANGUAGE_CHECKS) <= ticked:
            problems.append(
                _("Tick every plain-language check of the section “%(section)s”.")
                % {"section": section.label}
            )
    return problems


@transaction.atomic
def move_document(*, actor: User, document: ApprovedDocument, to: str) -> ApprovedDocument:
    """Send for review, approve, return to draft or publish; publishing supersedes the version published before
    and freezes a survey report's figures."""
    document = type(document).objects.select_for_update().get(pk=document.pk)  # type: ignore[attr-defined]
    if to not in document.next_states():
        raise ValidationError(
            _("A document that is %(state)s cannot become %(to)s.")
            % {"state": document.get_state_display(), "to": dict(DocumentState.choices).get(to, to)}  # type: ignore[attr-defined]
        )
    if to == DocumentState.APPROVED:
        problems = approval_problems(document)
        if problems:
            raise ValidationError(problems)
    now = timezone.now()
    before = document.state
    document.state = to
    if to == DocumentState.APPROVED:
        document.approved_by, document.approved_at = actor, now
    if to == DocumentState.DRAFT:
        document.approved_by, document.approved_at = None, None
    if to == DocumentState.PUBLISHED:
        document.published_at = now
        for earlier in _published_versions(document):
            earlier.state, earlier.superseded_at = DocumentState.SUPERSEDED, now
            earlier.save(update_fields=["state", "superseded_at", "updated_at"])
            record(actor=actor, action="superseded", target=earlier, agency=document.agency)
        if isinstance(document, SurveyReport):
            quotes = list(document.quotes.filter(decision=QuotedComment.Decision.QUOTED))
            document.snapshot = figures.with_quotes(
                figures.report_figures(document.agency, document.period, now), quotes
            )
    document.save()
    record(
        actor=actor,
        action=f"moved to {to}",
        target=document,
        agency=document.agency,
        changes={"state": [before, to]},
    )
    return document


def _published_versions(document: ApprovedDocument) -> list[ApprovedDocument]:
    model = type(document)
    same = model.objects.filter(agency=document.agency, state=DocumentState.PUBLISHED).exclude(pk=document.pk)  # type: ignore[attr-defined]
    if isinstance(document, SurveyReport):
        same = same.filter(period=document.period)
    return list(same)


# --- the survey report ------------------------------------------------------------------------------------------

REPORT_TEXT_FIELDS = ["summary", "summary_es", "changes", "changes_es", "actions", "actions_es"]


@transaction.atomic
def start_report(*, actor: User | None, agency: Agency, period: str) -> SurveyReport:
    try:
        year, quarter = figures.parse_period(period)
    except figures.PeriodError as error:
        raise ValidationError({"period": str(error)}) from error
    report = SurveyReport(agency=agency, period=figures.period_label(year, quarter))
    save_with_audit(report, {"state": DocumentState.DRAFT}, actor=actor, agency=agency)
    return report


@transaction.atomic
def write_report(*, actor: User, report: SurveyReport, data: dict[str, Any]) -> SurveyReport:
    if not report.is_editable:
        raise ValidationError(_("Only a draft can be changed; return it to draft first."))
    save_with_audit(
        report, {f: data.get(f, "") for f in REPORT_TEXT_FIELDS}, actor=actor, agency=report.agency
    )
    return report


# Quoted words must not identify anyone: no address, and no long number (a phone, a case or an account number).
EMAIL_IN_TEXT = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
LONG_NUMBER = re.compile(r"\d[\d\s().-]{5,}\d")
MOST_QUOTED_CHARACTERS = 600


@transaction.atomic
def decide_comment(
    *,
    actor: User,
    report: SurveyReport,
    fingerprint: str,
    quote: bool,
    text: str = "",
    text_es: str = "",
    checked: bool = False,
) -> QuotedComment:
    """Quote one of the period's example comments in the draft report, as the person cleared it, or leave it out.
    The audit log records the decision and the theme, never the words."""
    if not report.is_editable:
        raise ValidationError(_("Only a draft can be changed; return it to draft first."))
    candidate = next(
        (
            c
            for c in figures.comment_candidates(report.agency, report.period, set())
            if c["fingerprint"] == fingerprint
        ),
        None,
    )
    if candidate is None:
        raise ValidationError(_("That comment is no longer among the period's examples; reload the page."))
    if report.quotes.filter(fingerprint=fingerprint).exists():
        raise ValidationError(_("Someone has already decided on that comment."))
    text, text_es = text.strip(), text_es.strip()
    if quote:
        problems = []
        if not checked:
            problems.append(
                _(
                    "Confirm that you read the comment and it names nobody and holds no contact or case details."
                )
            )
        if not text:
            problems.append(_("The comment to quote is empty; write it as it should appear."))
        for field, value in (("text", text), ("text_es", text_es)):
            if len(value) > MOST_QUOTED_CHARACTERS:
                problems.append(
                    _(
                        "%(field)s: quote at most %(most)s characters; shorten it to the part that makes the point."
                    )
                    % {"field": field, "most": MOST_QUOTED_CHARACTERS}
                )
            if EMAIL_IN_TEXT.search(value) or LONG_NUMBER.search(value):
                problems.append(
                    _(
                        "%(field)s: remove the email address or long number (phone, case or account) before quoting."
                    )
                    % {"field": field}
                )
        if problems:
            raise ValidationError(problems)
    decided = QuotedComment.objects.create(
        report=report,
        survey_id=candidate["survey_id"],
        theme=candidate["theme"][:200],
        fingerprint=fingerprint,
        text=text if quote else "",
        text_es=text_es if quote else "",
        decision=QuotedComment.Decision.QUOTED if quote else QuotedComment.Decision.LEFT_OUT,
        reviewed_by=actor,
    )
    record(
        actor=actor,
        action="comment quoted" if quote else "comment left out",
        target=report,
        agency=report.agency,
        changes={"survey": [None, candidate["survey_id"]], "theme": [None, decided.theme]},
    )
    return decided


@transaction.atomic
def withdraw_quote(*, actor: User, report: SurveyReport, quote_id: int) -> None:
    """Take a quote back out of a draft report (it is then left out, and not offered again)."""
    if not report.is_editable:
        raise ValidationError(_("Only a draft can be changed; return it to draft first."))
    quote = report.quotes.filter(pk=quote_id, decision=QuotedComment.Decision.QUOTED).first()
    if quote is None:
        raise ValidationError(_("That quote is not in this report."))
    quote.decision, quote.text, quote.text_es = QuotedComment.Decision.LEFT_OUT, "", ""
    quote.reviewed_by, quote.reviewed_at = actor, timezone.now()
    quote.save()
    record(
        actor=actor,
        action="quote withdrawn",
        target=report,
        agency=report.agency,
        changes={"theme": [quote.theme, None]},
    )


# --- the customer service plan ----------------------------------------------------------------------------------


@transaction.atomic
def start_plan(*, actor: User | None, agency: Agency, fiscal_year: int) -> ServicePlan:
    """A new draft version, starting from the text of the latest version of the agency's plan."""
    latest = ServicePlan.objects.filter(agency=agency).order_by("-fiscal_year", "-version").first()
    version = (
        ServicePlan.objects.filter(agency=agency, fiscal_year=fiscal_year).aggregate(v=Max("version"))["v"]
        or 0
    ) + 1
    plan = ServicePlan(agency=agency, fiscal_year=fiscal_year, version=version)
    data = {"sections": dict(latest.sections) if latest else {}, "checklist": {}}
    save_with_audit(plan, data, actor=actor, agency=agency)
    return plan


@transaction.atomic
def write_plan_section(
    *, actor: User | None, plan: ServicePlan, section: str, english: str, spanish: str, checks: list[str]
) -> ServicePlan:
    if not plan.is_editable:
        raise ValidationError(_("Only a draft can be changed; start a new version of a plan that is not."))
    if section not in PlanSection.values:
        raise ValidationError({"section": _("There is no section %(s)s.") % {"s": section}})
    sections = {**plan.sections, section: {"en": english.strip(), "es": spanish.strip()}}
    checklist = {**plan.checklist, section: sorted(set(checks) & set(PLAIN_LANGUAGE_CHECKS))}
    save_with_audit(plan, {"sections": sections, "checklist": checklist}, actor=actor, agency=plan.agency)
    return plan


# --- the A-11 quarterly collections -----------------------------------------------------------------------------

COLLECTION_FIELDS = [
    "service",
    "channel",
    "transaction_point",
    "fiscal_year",
    "quarter",
    "survey",
    "volume_of_customers",
    "volume_offered",
    "volume_of_respondents",
    "omb_control_number",
    "federal_register_url",
]


@transaction.atomic
def save_collection(
    *, actor: User | None, agency: Agency, data: dict[str, Any], collection: A11Collection | None = None
) -> A11Collection:
    collection = collection or A11Collection(agency=agency)
    if collection.pk and collection.state not in {
        A11Collection.State.DRAFT,
        A11Collection.State.CHANGE_REQUESTED,
    }:
        raise ValidationError(_("A submitted or published collection cannot be changed."))
    service = data.get("service")
    if service is not None and (service.agency_id != agency.pk or not service.is_high_impact):
        raise ValidationError({"service": _("Choose one of your agency's High Impact Services.")})
    survey = data.get("survey")
    if survey is not None and survey.agency_id != agency.pk:
        raise ValidationError({"survey": _("Choose one of your agency's surveys.")})
    save_with_audit(
        collection, {f: data[f] for f in COLLECTION_FIELDS if f in data}, actor=actor, agency=agency
    )
    return collection


def _quarter_responses(collection: A11Collection) -> Any:
    quarter = collection.fiscal_quarter
    start = timezone.make_aware(dt.datetime.combine(quarter.start, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(quarter.next().start, dt.time.min))
    return Response.objects.filter(
        survey=collection.survey,
        status=Response.Status.COMPLETE,
        is_spam=False,
        submitted_at__gte=start,
        submitted_at__lt=end,
    )


@transaction.atomic
def fill_from_survey(*, actor: User | None, collection: A11Collection) -> A11Collection:
    """Respondents, OMB control number and Federal Register URL from the linked survey's quarter."""
    if collection.survey is None:
        raise ValidationError({"survey": _("Link the survey the collection's responses come from first.")})
    survey = collection.survey
    data = {"volume_of_respondents": _quarter_responses(collection).count()}
    if survey.omb_control_number:
        data["omb_control_number"] = survey.omb_control_number
    if survey.federal_register_url:
        data["federal_register_url"] = survey.federal_register_url
    return save_collection(actor=actor, agency=collection.agency, data=data, collection=collection)


class UploadError(ValidationError):
    pass


# The per-respondent file as Touchpoints' users hold it: its columns in any order among others (Touchpoints' own
# export of CX responses adds id, job_id, dates), a cell left empty or NULL where an option was not offered, true
# and false for 1 and 0, and question_1 from 0 (thumbs down) to 5. Rows are kept in the DOMAIN layout.
UPLOAD_NULLS = {"", "null", "nil", "none", "n/a", "na"}
UPLOAD_FLAGS = {"0": "0", "1": "1", "false": "0", "true": "1", "f": "0", "t": "1", "no": "0", "yes": "1"}


def _upload_value(column: str, text: str) -> str | None:
    """The cell in the DOMAIN layout ("null", "0"/"1", "1"-"5", the comment), or None when it is not one."""
    value = text.strip()
    if column == "question_4":
        return "null" if value.lower() in UPLOAD_NULLS else value
    lowered = value.lower()
    if lowered in UPLOAD_NULLS:
        return "null"
    if column == "question_1":
        number = lowered[:-2] if lowered.endswith(".0") else lowered
        if number in {"0", "1", "2", "3", "4", "5"}:
            return number
        return UPLOAD_FLAGS.get(lowered)
    return UPLOAD_FLAGS.get(lowered[:-2] if lowered.endswith(".0") else lowered)


def parse_upload(content: bytes) -> list[dict[str, str]]:
    """The per-respondent rows of an A-11 upload file; UploadError naming each bad line. All or nothing."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UploadError(_("The file is not UTF-8 text; save it as CSV (UTF-8).")) from error
    reader = csv.reader(io.StringIO(text))
    header = [cell.strip().lower() for cell in next(reader, [])]
    missing = [name for name in A11_UPLOAD_HEADERS if name not in header]
    if missing:
        raise UploadError(
            _(
                "Line 1 lacks the columns %(missing)s. The file needs these headers, in any order: %(headers)s."
            )
            % {"missing": ", ".join(missing), "headers": ", ".join(A11_UPLOAD_HEADERS)}
        )
    position = {name: header.index(name) for name in A11_UPLOAD_HEADERS}
    rows: list[dict[str, str]] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for line, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            problems.append(
                _("Line %(line)s has %(n)s cells, not %(m)s.")
                % {"line": line, "n": len(cells), "m": len(header)}
            )
            continue
        row: dict[str, str] = {}
        for name, index in position.items():
            value = cells[index].strip() if name == "external_id" else _upload_value(name, cells[index])
            if value is None:
                problems.append(
                    (
                        _(
                            "Line %(line)s: question_1 must be 1 to 5 (or 0 and 1 for thumbs down and up), or null."
                        )
                        if name == "question_1"
                        else _("Line %(line)s: %(column)s must be 0, 1 or null.")
                    )
                    % {"line": line, "column": name}
                )
                value = ""
            row[name] = value
        if not row["external_id"]:
            problems.append(_("Line %(line)s: external_id is empty.") % {"line": line})
        elif row["external_id"] in seen:
            problems.append(
                _(
                    "Line %(line)s: external_id %(id)s is already on line %(other)s; each respondent appears once."
                )
                % {"line": line, "id": row["external_id"][:40], "other": seen[row["external_id"]]}
            )
        else:
            seen[row["external_id"]] = line
        rows.append(row)
    if problems:
        raise UploadError(problems[:20])
    if not rows:
        raise UploadError(_("The file has the headers but no respondents."))
    return rows


@transaction.atomic
def upload_responses(*, actor: User | None, collection: A11Collection, content: bytes) -> A11Collection:
    """Replace the collection's uploaded responses with the file's; nothing changes if any line is wrong."""
    rows = parse_upload(content)
    collection = A11Collection.objects.select_for_update().get(pk=collection.pk)
    if collection.state not in {A11Collection.State.DRAFT, A11Collection.State.CHANGE_REQUESTED}:
        raise ValidationError(_("A submitted or published collection cannot be changed."))
    before = collection.volume_of_respondents
    collection.uploaded_rows, collection.volume_of_respondents = rows, len(rows)
    collection.save(update_fields=["uploaded_rows", "volume_of_respondents"])
    # The rows hold customers' comments: the log records only how many there are.
    record(
        actor=actor,
        action="uploaded responses",
        target=collection,
        agency=collection.agency,
        changes={"volume_of_respondents": [before, len(rows)]},
    )
    return collection


@transaction.atomic
def move_collection(
    *, actor: User | None, collection: A11Collection, to: str, note: str = "", actor_label: str = ""
) -> A11Collection:
    """Submit, publish, request a change (with a note), or mark not reported."""
    collection = A11Collection.objects.select_for_update().get(pk=collection.pk)
    if to not in collection.next_states():
        raise ValidationError(
            _("A collection that is %(state)s cannot become %(to)s.")
            % {"state": collection.get_state_display(), "to": dict(A11Collection.State.choices).get(to, to)}
        )
    if to == A11Collection.State.SUBMITTED and collection.rating == "red":
        raise ValidationError(
            _("Fill in what is missing before submitting: %(missing)s.")
            % {"missing": ", ".join(collection.missing())}
        )
    if to == A11Collection.State.CHANGE_REQUESTED and not note.strip():
        raise ValidationError({"note": _("Say what should change.")})
    before, now = collection.state, timezone.now()
    collection.state = to
    if to == A11Collection.State.SUBMITTED:
        collection.submitted_by, collection.submitted_at = actor, now
    if to in {A11Collection.State.PUBLISHED, A11Collection.State.CHANGE_REQUESTED}:
        collection.reviewed_by, collection.reviewed_at = actor, now
        collection.reviewer_note = note.strip()
    collection.save()
    record(
        actor=actor,
        action=f"moved to {to}",
        target=collection,
        agency=collection.agency,
        changes={"state": [before, to]},
    )
    return collection


def collection_rows(collection: A11Collection) -> list[list[Any]]:
    """The per-respondent rows of the DOMAIN layout, from the upload or from the linked A-11 v2 survey."""
    if collection.uploaded_rows:
        return [[row[h] for h in A11_UPLOAD_HEADERS] for row in collection.uploaded_rows]
    if collection.survey is None:
        return []
    from touchstone.surveys.exports import A11UploadExporter

    buffer = io.StringIO()
    A11UploadExporter().write_responses(buffer, _quarter_responses(collection))
    return list(csv.reader(io.StringIO(buffer.getvalue())))[1:]


# The A-11 v1 per-question counts: question 1-7 of the v1 items, how many answered 1, 2, 3, 4 and 5.
V1_MEASURES = ["satisfaction", "trust", "effectiveness", "ease", "efficiency", "equity", "employee"]
COUNTS_HEADERS = ["question", *[f"answer_{point}" for point in range(1, 6)]]


def question_counts(collection: A11Collection) -> list[list[Any]]:
    """The older per-question file: for each A-11 v1 question 1-7, the count of each answer 1-5."""
    counts = {number: [0] * 5 for number in range(1, 8)}
    if collection.survey is not None and collection.survey.current_version is not None:
        keys = {
            q.get("measures"): q["key"]
            for q in collection.survey.current_version.questions()
            if q.get("kind") == "likert5" and q.get("measures") in V1_MEASURES
        }
        for answers in (
            _quarter_responses(collection).values_list("answers", flat=True).iterator(chunk_size=2000)
        ):
            for number, measure in enumerate(V1_MEASURES, start=1):
                value = (answers or {}).get(keys.get(measure, ""))
                point = str(value)
                if point in {"1", "2", "3", "4", "5"}:
                    counts[number][int(point) - 1] += 1
    return [[f"question_{number}", *row] for number, row in counts.items()]


def collections_to_remind(today: dt.date | None = None, within: int = 7) -> list[A11Collection]:
    today = today or timezone.localdate()
    open_states = [A11Collection.State.DRAFT, A11Collection.State.CHANGE_REQUESTED]
    found = A11Collection.objects.filter(state__in=open_states).select_related("agency", "service")
    return [
        c
        for c in found
        if c.due_date - dt.timedelta(days=within) <= today
        and (c.reminded_at is None or c.reminded_at.date() < today)
    ]


def send_due_reminders(today: dt.date | None = None) -> int:
    """Email each agency's admins a link to the collections due within a week or overdue (no data in the email)."""
    from django.conf import settings
    from django.core.mail import send_mail
    from django.urls import reverse

    from touchstone.core.models import Membership, Role

    sent = 0
    due = collections_to_remind(today)
    by_agency: dict[int, list[A11Collection]] = {}
    for collection in due:
        by_agency.setdefault(collection.agency_id, []).append(collection)
    for collections in by_agency.values():
        agency = collections[0].agency
        emails = list(
            Membership.objects.filter(agency=agency, role=Role.ADMIN)
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
        if emails:
            link = settings.SITE_URL.rstrip("/") + reverse("manage:reports:collections", args=[agency.slug])
            send_mail(
                _("A-11 CX data due soon"),
                _("%(n)s A-11 collections are due within a week or overdue. See them here: %(link)s")
                % {"n": len(collections), "link": link},
                None,
                emails,
            )
            sent += 1
        A11Collection.objects.filter(pk__in=[c.pk for c in collections]).update(reminded_at=timezone.now())
    return sent


# --- the yearly action plan -------------------------------------------------------------------------------------


@transaction.atomic
def start_action_plan(*, actor: User | None, agency: Agency, fiscal_year: int) -> ActionPlan:
    latest = ActionPlan.objects.filter(agency=agency, fiscal_year=fiscal_year).order_by("-version").first()
    plan = ActionPlan(agency=agency, fiscal_year=fiscal_year, version=(latest.version + 1) if latest else 1)
    save_with_audit(
        plan,
        {"capacity_assessment": latest.capacity_assessment if latest else ""},
        actor=actor,
        agency=agency,
    )
    if latest is not None:
        for goal in latest.goals.all():
            goal.pk, goal.plan = None, plan
            goal.save()
    return plan


@transaction.atomic
def write_action_plan(*, actor: User, plan: ActionPlan, capacity_assessment: str) -> ActionPlan:
    if not plan.is_editable:
        raise ValidationError(_("Only a draft can be changed; start a new version of a plan that is not."))
    save_with_audit(plan, {"capacity_assessment": capacity_assessment}, actor=actor, agency=plan.agency)
    return plan


@transaction.atomic
def add_goal(*, actor: User | None, plan: ActionPlan, data: dict[str, Any]) -> ActionGoal:
    if not plan.is_editable:
        raise ValidationError(_("Only a draft can be changed; start a new version of a plan that is not."))
    service: Service = data["service"]
    if service.agency_id != plan.agency_id or not service.is_high_impact:
        raise ValidationError({"service": _("Choose one of your agency's High Impact Services.")})
    goal = ActionGoal(plan=plan)
    fields = ["service", "goal", "measure", "owner", "due_date"]
    save_with_audit(goal, {f: data[f] for f in fields}, actor=actor, agency=plan.agency)
    return goal


# --- scheduled delivery -------------------------------------------------------------------------------------------


@transaction.atomic
def schedule_delivery(
    *, actor: User | None, agency: Agency, kind: str, every_days: int, recipients: list[User]
) -> ScheduledDelivery:
    """Send a report or export on a schedule to people of the agency (only members may receive it)."""
    members = set(agency.memberships.values_list("user_id", flat=True))
    strangers = [user for user in recipients if user.pk not in members]
    if strangers or not recipients:
        raise ValidationError({"recipients": _("Choose one or more people of your agency.")})
    delivery = ScheduledDelivery(agency=agency)
    save_with_audit(delivery, {"kind": kind, "every_days": every_days}, actor=actor, agency=agency)
    delivery.recipients.set(recipients)
    return delivery


@transaction.atomic
def remove_delivery(*, actor: User, delivery: ScheduledDelivery) -> None:
    record(actor=actor, action="deleted", target=delivery, agency=delivery.agency)
    delivery.delete()


def _rebuild(delivery: ScheduledDelivery) -> str:
    """Bring the delivered page's figures up to date; return the path of the signed-in page the email links to."""
    from django.urls import reverse

    from touchstone.analysis import services as analysis_services

    slug = delivery.agency.slug
    if delivery.kind == ScheduledDelivery.Kind.SURVEY_REPORT:
        report = SurveyReport.objects.filter(agency=delivery.agency).order_by("-created_at", "-pk").first()
        if report is None:
            return reverse("manage:reports:home", args=[slug])
        if report.snapshot is None:
            year, quarter = figures.parse_period(report.period)
            quarters = [quarter] if quarter is not None else [1, 2, 3, 4]
            for survey in figures.customer_surveys(delivery.agency):
                for number in quarters:
                    analysis_services.refresh_analysis(survey, figures.period_label(year, number))
        return reverse("manage:reports:report", args=[slug, report.pk])
    return reverse("manage:reports:collections", args=[slug])


def send_due_deliveries(now: dt.datetime | None = None) -> int:
    """Rebuild and send every delivery that is due; the email holds only a link to the signed-in page."""
    from django.conf import settings
    from django.core.mail import send_mail

    now = now or timezone.now()
    sent = 0
    for delivery in ScheduledDelivery.objects.select_related("agency").prefetch_related("recipients"):
        if not delivery.is_due(now):
            continue
        emails = [user.email for user in delivery.recipients.all() if user.email]
        path = _rebuild(delivery)
        if emails:
            send_mail(
                _("%(what)s for %(agency)s")
                % {"what": delivery.get_kind_display(), "agency": delivery.agency.name},
                _("It has been brought up to date. Sign in to read it: %(link)s")
                % {"link": settings.SITE_URL.rstrip("/") + path},
                None,
                emails,
            )
            sent += 1
        ScheduledDelivery.objects.filter(pk=delivery.pk).update(last_sent_at=now)
    return sent
