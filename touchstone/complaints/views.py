"""Workspace pages of complaints. Every member reads; only handlers and admins write and see personal details."""

import logging
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from touchstone.complaints import selectors, services
from touchstone.complaints.forms import (
    ArticleForm,
    AssessForm,
    AssignForm,
    BulkForm,
    CalendarForm,
    CannedReplyForm,
    CloseForm,
    ConfirmForm,
    EmailIntakeForm,
    MergeForm,
    MessageForm,
    NoteForm,
    PolicyForm,
    RuleForm,
    SettingsForm,
    SplitForm,
    StaffComplaintForm,
    TopicForm,
    TriageReviewForm,
    WaitForm,
)
from touchstone.complaints.models import Case, OfficeCalendar
from touchstone.core.access import AgencyRequest, member_view
from touchstone.core.pages import form_page
from touchstone.core.pages import render_workspace as _render
from touchstone.core.selectors import office_of

HANDLE = "handle_complaints"

logger = logging.getLogger(__name__)


def sees_personal_details(request: AgencyRequest) -> bool:
    return request.membership.can(HANDLE)


@member_view()
def worklist(request: AgencyRequest) -> HttpResponse:
    agency = request.agency
    mine = request.GET.get("mine") == "1"
    state = request.GET.get("state", "")
    if state not in dict(Case.State.choices):
        state = ""
    query = request.GET.get("q", "").strip()[:200]
    if query:
        exact = selectors.case_with_tracking_number(agency, query)
        if exact is not None:
            return redirect("manage:complaints:case", agency_slug=agency.slug, case_id=exact.pk)
        cases = selectors.search_cases(agency, query, personal_details=sees_personal_details(request))
    else:
        cases = selectors.worklist(agency, state=state, handler=request.user if mine else None)
    page = Paginator(cases, 50).get_page(request.GET.get("page"))
    return _render(
        request,
        "manage/complaints/worklist.html",
        {
            "page": page,
            "cases": page.object_list,
            "mine": mine,
            "state": state,
            "query": query,
            "states": [(value, label) for value, label in Case.State.choices if value in Case.OPEN_STATES],
            "counts": selectors.open_counts_by_state(agency),
            "can_handle": sees_personal_details(request),
            "bulk_form": BulkForm(agency=agency) if sees_personal_details(request) else None,
        },
    )


@member_view()
def closed_cases(request: AgencyRequest) -> HttpResponse:
    page = Paginator(selectors.closed_cases_of(request.agency), 50).get_page(request.GET.get("page"))
    return _render(request, "manage/complaints/closed.html", {"page": page, "cases": page.object_list})


@member_view(HANDLE)
def case_new(request: AgencyRequest) -> HttpResponse:
    """Staff take down a complaint made by phone, mail or in person."""
    agency = request.agency
    form = StaffComplaintForm(request.POST or None, request.FILES or None, agency=agency)
    if request.method == "POST" and form.is_valid():
        # Routed before the page answers: the person on the phone may ask who has their complaint.
        case = services.file_complaint(
            agency=agency,
            data=form.intake_data(),
            actor=request.user,
            attachments=form.checked_attachments,
            complete_now=True,
        )
        messages.success(
            request,
            _("Complaint recorded. Give the customer the tracking number %(number)s.")
            % {"number": case.tracking_number},
        )
        return redirect("manage:complaints:case", agency_slug=agency.slug, case_id=case.pk)
    return _render(
        request,
        "manage/complaints/form_page.html",
        {"form": form, "title": _("Record a complaint"), "multipart": True},
    )


@member_view()
def case_detail(request: AgencyRequest, case_id: int) -> HttpResponse:
    case = selectors.case_of(request.agency, case_id)
    personal = sees_personal_details(request)
    suggestion = getattr(case, "suggestion", None)
    case_messages = list(case.messages.select_related("author")) if personal else []
    return _render(
        request,
        "manage/complaints/case.html",
        {
            "case": case,
            "personal": personal,
            "events": case.events.all(),
            "messages_": case_messages,
            "bounced": [message for message in case_messages if message.bounced_at],
            "tags": case.tags.all(),
            "split_parts": case.split_parts.only("pk", "tracking_number"),
            "articles": selectors.articles_for_case(case) if personal and case.is_open else [],
            "notes": case.notes.select_related("author") if personal else [],
            "attachments": case.attachments.all() if personal else [],
            "duplicates": selectors.duplicates_of(case) if personal and case.is_open else [],
            "suggestion": suggestion,
            "clocks": [
                (_("Acknowledge by"), case.acknowledge_due, case.acknowledged_at),
                (_("First response by"), case.first_response_due, case.first_responded_at),
                (_("Resolve by"), case.resolve_due, case.closed_at),
                (_("Next update by"), case.next_update_due, None),
            ]
            if case.policy
            else [],
            "follow_up": getattr(case, "follow_up", None),
        },
    )


def _case_action(
    request: AgencyRequest,
    case_id: int,
    *,
    form_class: type[forms.Form],
    title: str,
    act: Callable[[Case, dict[str, Any]], Any],
    done: str,
    initial: Callable[[Case], dict[str, Any]] | None = None,
    needs_agency: bool = False,
    allowed: Callable[[Case], bool] = lambda case: case.is_open,
) -> HttpResponse:
    """One page per action on a case: the form on GET, the change on POST, back to the case."""
    agency = request.agency
    case = selectors.case_of(agency, case_id)
    kwargs: dict[str, Any] = {"agency": agency} if needs_agency else {}
    form = form_class(request.POST or None, initial=initial(case) if initial else None, **kwargs)
    if not allowed(case):
        refusal = _("This case is %(state)s; this action does not apply to it.") % {
            "state": case.get_state_display()
        }
        if request.method == "POST":
            messages.error(request, refusal)
            return redirect("manage:complaints:case", agency_slug=agency.slug, case_id=case.pk)
        return _render(
            request, "manage/complaints/action.html", {"title": title, "case": case, "refusal": refusal}
        )
    if request.method == "POST" and form.is_valid():
        act(case, form.cleaned_data)
        messages.success(request, done)
        return redirect("manage:complaints:case", agency_slug=agency.slug, case_id=case.pk)
    return _render(request, "manage/complaints/action.html", {"form": form, "title": title, "case": case})


@member_view(HANDLE)
def case_assess(request: AgencyRequest, case_id: int) -> HttpResponse:
    def act(case: Case, data: dict[str, Any]) -> None:
        topic = data["topic"]
        if data["new_topic"]:
            topic = services.topic_named(agency=request.agency, name=data["new_topic"])
        services.assess_case(
            actor=request.user, case=case, severity=data["severity"], urgency=data["urgency"], topic=topic
        )

    return _case_action(
        request,
        case_id,
        form_class=AssessForm,
        needs_agency=True,
        title=_("Assess the complaint"),
        act=act,
        done=_("Assessment saved; the clocks follow the policy for this severity."),
        initial=lambda case: {"severity": case.severity, "urgency": case.urgency, "topic": case.topic},
    )


@member_view(HANDLE)
def case_assign(request: AgencyRequest, case_id: int) -> HttpResponse:
    return _case_action(
        request,
        case_id,
        form_class=AssignForm,
        needs_agency=True,
        title=_("Assign the complaint"),
        act=lambda case, data: services.assign_case(
            actor=request.user,
            case=case,
            office=data["office"],
            handler=data["handler"],
            queue=data["queue"],
            auto=data["auto"],
        ),
        done=_("Assignment saved."),
        initial=lambda case: {"office": case.office, "handler": case.handler, "queue": case.queue},
    )


@member_view(HANDLE)
def case_note(request: AgencyRequest, case_id: int) -> HttpResponse:
    return _case_action(
        request,
        case_id,
        form_class=NoteForm,
        title=_("Add an internal note"),
        act=lambda case, data: services.add_note(actor=request.user, case=case, body=data["body"]),
        done=_("Note added."),
        allowed=lambda case: True,
    )


@member_view(HANDLE)
def case_message(request: AgencyRequest, case_id: int) -> HttpResponse:
    def act(case: Case, data: dict[str, Any]) -> None:
        body = (data["body"] or "").strip()
        if not body and data.get("canned"):
            body = data["canned"].render(case, request.user.get_full_name() or request.user.get_username())
        services.send_message(actor=request.user, case=case, body=body, is_response=data["is_response"])

    return _case_action(
        request,
        case_id,
        form_class=MessageForm,
        title=_("Write to the customer"),
        act=act,
        done=_("Message sent to the customer."),
        needs_agency=True,
    )


@member_view(HANDLE)
def case_merge(request: AgencyRequest, case_id: int) -> HttpResponse:
    agency = request.agency
    case = selectors.case_of(agency, case_id)
    if not case.is_open:
        refusal = _("This case is %(state)s; this action does not apply to it.") % {
            "state": case.get_state_display()
        }
        if request.method == "POST":
            messages.error(request, refusal)
            return redirect("manage:complaints:case", agency_slug=agency.slug, case_id=case.pk)
        return _render(
            request,
            "manage/complaints/action.html",
            {"title": _("Merge into another case"), "case": case, "refusal": refusal},
        )
    form = MergeForm(request.POST or None, agency=agency)
    if request.method == "POST" and form.is_valid():
        try:
            into = services.merge_case(actor=request.user, case=case, into=form.cleaned_data["into"])
        except services.CannotMerge as error:
            form.add_error("into", str(error))
        else:
            messages.success(request, _("Merged into %(number)s.") % {"number": into.tracking_number})
            return redirect("manage:complaints:case", agency_slug=agency.slug, case_id=into.pk)
    return _render(
        request,
        "manage/complaints/action.html",
        {"form": form, "title": _("Merge into another case"), "case": case},
    )


@member_view(HANDLE)
def case_split(request: AgencyRequest, case_id: int) -> HttpResponse:
    agency = request.agency
    created: list[Case] = []

    def act(case: Case, data: dict[str, Any]) -> None:
        created.append(services.split_case(actor=request.user, case=case, narrative=data["narrative"]))

    response = _case_action(
        request,
        case_id,
        form_class=SplitForm,
        title=_("Split off a second problem"),
        act=act,
        done=_("Split: the second problem is a case of its own."),
    )
    if created:
        return redirect("manage:complaints:case", agency_slug=agency.slug, case_id=created[0].pk)
    return response


@member_view(HANDLE)
@require_POST
def case_duplicate(request: AgencyRequest, case_id: int) -> HttpResponse:
    """The flag "likely duplicate of …" answered in one click: merge into that case, or not a duplicate."""
    agency = request.agency
    case = selectors.case_of(agency, case_id)
    decision = request.POST.get("decision", "")
    if decision not in {"merge", "dismiss"}:
        messages.error(request, _("Choose to merge the case or to mark it as not a duplicate."))
        return redirect("manage:complaints:case", agency_slug=agency.slug, case_id=case.pk)
    if not case.is_open or case.likely_duplicate_of is None:
        messages.error(request, _("This case is not flagged as a likely duplicate; nothing was changed."))
        return redirect("manage:complaints:case", agency_slug=agency.slug, case_id=case.pk)
    try:
        if decision == "merge":
            into = services.merge_likely_duplicate(actor=request.user, case=case)
            messages.success(request, _("Merged into %(number)s.") % {"number": into.tracking_number})
            return redirect("manage:complaints:case", agency_slug=agency.slug, case_id=into.pk)
        services.dismiss_likely_duplicate(actor=request.user, case=case)
    except services.CannotMerge as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Marked as not a duplicate."))
    return redirect("manage:complaints:case", agency_slug=agency.slug, case_id=case.pk)


@member_view(HANDLE)
@require_POST
def worklist_bulk(request: AgencyRequest) -> HttpResponse:
    """One action on the ticked cases of the worklist: all of them or, if any one cannot take it, none."""
    agency = request.agency
    back = redirect("manage:complaints:worklist", agency_slug=agency.slug)
    form = BulkForm(request.POST, agency=agency)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return back
    data = form.cleaned_data
    try:
        with transaction.atomic():
            cases = selectors.cases_for_bulk(agency, data["cases"])
            if data["action"] == BulkForm.ASSIGN:
                services.bulk_assign(actor=request.user, cases=cases, handler=data["handler"])
            elif data["action"] == BulkForm.STATE:
                services.bulk_set_state(actor=request.user, cases=cases, state=data["state"])
            elif data["action"] == BulkForm.TAG:
                services.bulk_tag(actor=request.user, agency=agency, cases=cases, name=data["tag"])
            elif data["action"] == BulkForm.CLOSE:
                services.bulk_close(
                    actor=request.user, cases=cases, outcome=data["outcome"], response=data["response"]
                )
            else:
                into = services.bulk_merge(actor=request.user, cases=cases)
                messages.success(request, _("Merged into %(number)s.") % {"number": into.tracking_number})
                return redirect("manage:complaints:case", agency_slug=agency.slug, case_id=into.pk)
    except services.BulkRefused as error:
        messages.error(request, str(error))
        return back
    messages.success(request, _("Done for %(count)s cases.") % {"count": len(cases)})
    return back


@member_view(HANDLE)
def case_start(request: AgencyRequest, case_id: int) -> HttpResponse:
    return _case_action(
        request,
        case_id,
        form_class=ConfirmForm,
        title=_("Start work on the complaint"),
        act=lambda case, data: services.start_work(actor=request.user, case=case),
        done=_("The case is in progress."),
    )


@member_view(HANDLE)
def case_wait(request: AgencyRequest, case_id: int) -> HttpResponse:
    return _case_action(
        request,
        case_id,
        form_class=WaitForm,
        title=_("Ask the customer and wait"),
        act=lambda case, data: services.wait_on_customer(
            actor=request.user, case=case, question=data["question"]
        ),
        done=_("Question sent; the clocks are paused until the customer answers."),
        allowed=lambda case: case.is_open and case.state != Case.State.WAITING,
    )


@member_view(HANDLE)
def case_resume(request: AgencyRequest, case_id: int) -> HttpResponse:
    return _case_action(
        request,
        case_id,
        form_class=ConfirmForm,
        title=_("Resume the case"),
        act=lambda case, data: services.resume_case(actor=request.user, case=case),
        done=_("The clocks run again."),
        allowed=lambda case: case.state == Case.State.WAITING,
    )


@member_view(HANDLE)
def case_close(request: AgencyRequest, case_id: int) -> HttpResponse:
    return _case_action(
        request,
        case_id,
        form_class=CloseForm,
        title=_("Close the complaint"),
        act=lambda case, data: services.close_case(
            actor=request.user,
            case=case,
            outcome=data["outcome"],
            response=data["response"],
            relief_amount=data["relief_amount"],
        ),
        done=_("Case closed; the customer has our response and a two-question follow-up."),
    )


@member_view(HANDLE)
def case_reopen(request: AgencyRequest, case_id: int) -> HttpResponse:
    return _case_action(
        request,
        case_id,
        form_class=ConfirmForm,
        title=_("Reopen the complaint"),
        act=lambda case, data: services.reopen_case(actor=request.user, case=case),
        done=_("Case reopened."),
        allowed=lambda case: case.state == Case.State.CLOSED,
    )


@member_view(HANDLE)
def case_triage(request: AgencyRequest, case_id: int) -> HttpResponse:
    def initial(case: Case) -> dict[str, Any]:
        suggestion = getattr(case, "suggestion", None)
        if suggestion is None:
            return {"topic": case.topic, "office": case.office, "urgency": case.urgency}
        return {"topic": suggestion.topic, "office": suggestion.office, "urgency": suggestion.urgency}

    return _case_action(
        request,
        case_id,
        form_class=TriageReviewForm,
        needs_agency=True,
        title=_("Accept or correct the suggested triage"),
        act=lambda case, data: services.review_suggestion(
            actor=request.user, case=case, topic=data["topic"], office=data["office"], urgency=data["urgency"]
        ),
        done=_("Triage saved; it teaches the next training."),
        initial=initial,
        allowed=lambda case: hasattr(case, "suggestion"),
    )


@member_view(HANDLE)
def case_attachment(request: AgencyRequest, case_id: int, attachment_id: int) -> HttpResponse:
    case = selectors.case_of(request.agency, case_id)
    attachment = selectors.attachment_of(case, attachment_id)
    try:
        opened = attachment.file.open("rb")
    except FileNotFoundError as missing:
        # The record is there but its file is not in this server's store (lost, or never shared): say so plainly.
        logger.warning("attachment %s of case %s has no file in the store", attachment.pk, case.pk)
        raise Http404("The attachment's file is missing.") from missing
    response = FileResponse(opened, content_type=attachment.content_type, as_attachment=True)
    response["X-Content-Type-Options"] = "nosniff"
    return response  # type: ignore[return-value]


# --- insight ----------------------------------------------------------------------------------------------------


@member_view()
def insight(request: AgencyRequest) -> HttpResponse:
    agency = request.agency
    return _render(
        request,
        "manage/complaints/insight.html",
        {
            "insight": selectors.insight(agency),
            "model": selectors.triage_model_of(agency),
            "watch": selectors.service_watch(agency),
        },
    )


# --- configuration ----------------------------------------------------------------------------------------------


@member_view()
def setup(request: AgencyRequest) -> HttpResponse:
    agency = request.agency
    return _render(
        request,
        "manage/complaints/setup.html",
        {
            "policies": selectors.policies_of(agency),
            "canned_replies": selectors.canned_replies_of(agency),
            "articles": selectors.articles_of(agency),
            "email_intake": selectors.email_intake_of(agency),
            "rules": selectors.rules_of(agency),
            "calendars": selectors.calendars_of(agency),
            "settings": selectors.settings_of(agency),
            "topic_count": selectors.topics_of(agency).count(),
            "topics_without_spanish": selectors.topics_of(agency).filter(name_es="").count(),
            "model": selectors.triage_model_of(agency),
            "can_edit": request.membership.can("manage_agency"),
            "can_handle": sees_personal_details(request),
        },
    )


def _config_form(
    request: AgencyRequest, form: forms.BaseForm, title: str, save: Callable[[dict[str, Any]], Any]
) -> HttpResponse:
    """A complaint setup form (core.pages.form_page) that goes back to the setup page once saved."""
    return form_page(
        request,
        form,
        save,
        title=title,
        success=_("Saved."),
        then=reverse("manage:complaints:setup", kwargs={"agency_slug": request.agency.slug}),
        template="manage/complaints/form_page.html",
    )


@member_view("manage_agency")
def settings_edit(request: AgencyRequest) -> HttpResponse:
    agency = request.agency
    form = SettingsForm(request.POST or None, instance=selectors.settings_of(agency))
    return _config_form(
        request,
        form,
        _("Complaint settings"),
        lambda data: services.save_settings(actor=request.user, agency=agency, data=data),
    )


@member_view(HANDLE)
def topics(request: AgencyRequest) -> HttpResponse:
    """The agency's complaint topics, each under the topic it is part of, with its English and Spanish names."""
    return _render(request, "manage/complaints/topics.html", {"topics": selectors.topics_of(request.agency)})


@member_view(HANDLE)
def topic_edit(request: AgencyRequest, topic_id: int) -> HttpResponse:
    agency = request.agency
    topic = selectors.topic_of(agency, topic_id)
    form = TopicForm(request.POST or None, instance=topic, agency=agency)
    return form_page(
        request,
        form,
        lambda data: services.save_topic(actor=request.user, agency=agency, topic=topic, data=data),
        title=_("Edit the topic %(topic)s") % {"topic": str(topic)},
        success=_("Saved."),
        then=reverse("manage:complaints:topics", kwargs={"agency_slug": agency.slug}),
        template="manage/complaints/form_page.html",
    )


@member_view("manage_agency")
def canned_new(request: AgencyRequest) -> HttpResponse:
    agency = request.agency
    form = CannedReplyForm(request.POST or None, agency=agency)
    return _config_form(
        request,
        form,
        _("Add a canned reply"),
        lambda data: services.save_canned_reply(actor=request.user, agency=agency, data=data),
    )


@member_view("manage_agency")
def canned_edit(request: AgencyRequest, reply_id: int) -> HttpResponse:
    agency = request.agency
    reply = selectors.canned_reply_of(agency, reply_id)
    form = CannedReplyForm(request.POST or None, instance=reply, agency=agency)
    return _config_form(
        request,
        form,
        _("Edit canned reply"),
        lambda data: services.save_canned_reply(actor=request.user, agency=agency, data=data, reply=reply),
    )


@member_view("manage_agency")
def email_settings(request: AgencyRequest) -> HttpResponse:
    agency = request.agency
    form = EmailIntakeForm(request.POST or None, instance=selectors.email_intake_of(agency))
    return _config_form(
        request,
        form,
        _("Complaint email: mailbox and webhook"),
        lambda data: services.save_email_intake(actor=request.user, agency=agency, data=data),
    )


@member_view("manage_agency")
def article_new(request: AgencyRequest) -> HttpResponse:
    agency = request.agency
    form = ArticleForm(request.POST or None, agency=agency)
    return _config_form(
        request,
        form,
        _("Write an answer"),
        lambda data: services.save_article(actor=request.user, agency=agency, data=data),
    )


@member_view("manage_agency")
def article_edit(request: AgencyRequest, article_id: int) -> HttpResponse:
    agency = request.agency
    article = selectors.article_of(agency, article_id)
    form = ArticleForm(request.POST or None, instance=article, agency=agency)
    return _config_form(
        request,
        form,
        _("Edit answer"),
        lambda data: services.save_article(actor=request.user, agency=agency, data=data, article=article),
    )


@member_view("manage_agency")
def policy_new(request: AgencyRequest) -> HttpResponse:
    agency = request.agency
    form = PolicyForm(request.POST or None, agency=agency)
    return _config_form(
        request,
        form,
        _("Add a service-level policy"),
        lambda data: services.save_policy(actor=request.user, agency=agency, data=data),
    )


@member_view("manage_agency")
def policy_edit(request: AgencyRequest, policy_id: int) -> HttpResponse:
    agency = request.agency
    policy = selectors.policy_of(agency, policy_id)
    form = PolicyForm(request.POST or None, instance=policy, agency=agency)
    return _config_form(
        request,
        form,
        _("Edit service-level policy"),
        lambda data: services.save_policy(actor=request.user, agency=agency, data=data, policy=policy),
    )


@member_view("manage_agency")
def rule_new(request: AgencyRequest) -> HttpResponse:
    agency = request.agency
    form = RuleForm(request.POST or None, agency=agency)
    return _config_form(
        request,
        form,
        _("Add a routing rule"),
        lambda data: services.save_rule(actor=request.user, agency=agency, data=data),
    )


@member_view("manage_agency")
def rule_edit(request: AgencyRequest, rule_id: int) -> HttpResponse:
    agency = request.agency
    rule = selectors.rule_of(agency, rule_id)
    form = RuleForm(request.POST or None, instance=rule, agency=agency)
    return _config_form(
        request,
        form,
        _("Edit routing rule"),
        lambda data: services.save_rule(actor=request.user, agency=agency, data=data, rule=rule),
    )


@member_view("manage_agency")
def calendar_edit(request: AgencyRequest, office_id: int) -> HttpResponse:
    office = office_of(request.agency, office_id)
    calendar = OfficeCalendar.objects.filter(office=office).first() or OfficeCalendar(office=office)
    form = CalendarForm(request.POST or None, instance=calendar)
    return _config_form(
        request,
        form,
        _("Working hours of %(office)s") % {"office": office.name},
        lambda data: services.save_calendar(actor=request.user, office=office, data=data),
    )


@member_view(HANDLE)
def triage_train(request: AgencyRequest) -> HttpResponse:
    agency = request.agency
    form = ConfirmForm(request.POST or None)
    if request.method == "POST":
        try:
            model = services.train_triage(agency=agency, actor=request.user)
        except ValueError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Trained on %(count)s complaints.") % {"count": model.training_cases})
        return redirect("manage:complaints:setup", agency_slug=agency.slug)
    return _render(
        request,
        "manage/complaints/form_page.html",
        {"form": form, "title": _("Train the triage classifier"), "submit": _("Train now")},
    )
