"""Workspace pages for building and publishing surveys."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from touchstone.core.access import AgencyRequest, member_view
from touchstone.core.pages import form_page, render_workspace
from touchstone.surveys import languages, selectors, services
from touchstone.surveys.forms import (
    AddLanguageForm,
    NewSurveyForm,
    PageForm,
    QuestionForm,
    SurveyForm,
    TranslationForm,
    embed_snippet,
)
from touchstone.surveys.models import Survey

EDIT = "edit_surveys"


def _survey_url(survey: Survey) -> str:
    return reverse("manage:surveys:survey", args=[survey.agency.slug, survey.pk])


@member_view()
def survey_list(request: AgencyRequest) -> HttpResponse:
    return render_workspace(
        request,
        "manage/surveys/list.html",
        {"surveys": selectors.surveys_of(request.agency), "can_edit": request.membership.can(EDIT)},
    )


@member_view(EDIT)
def survey_new(request: AgencyRequest) -> HttpResponse:
    agency = request.agency

    def create(data: dict) -> Survey:
        template = data.pop("template", "")
        return services.create_survey(actor=request.user, agency=agency, data=data, blueprint=template)

    return form_page(
        request,
        NewSurveyForm(request.POST or None, agency=agency),
        create,
        title=_("New survey"),
        success=_("Survey created as a draft."),
        then=_survey_url,
    )


@member_view()
def survey_detail(request: AgencyRequest, survey_id: int) -> HttpResponse:
    survey = selectors.survey_of(request.agency, survey_id)
    form_url = request.build_absolute_uri(reverse("portal_surveys:form", args=[survey.short_code]))
    embed_url = request.build_absolute_uri(reverse("portal_surveys:embed", args=[survey.short_code]))
    short_url = request.build_absolute_uri(reverse("portal_surveys:short", args=[survey.short_code]))
    return render_workspace(
        request,
        "manage/surveys/survey.html",
        {
            "survey": survey,
            "pages": selectors.pages_of(survey),
            "problems": services.publish_problems(survey),
            "can_edit": request.membership.can(EDIT),
            "form_url": form_url,
            "short_url": short_url,
            "embed_url": embed_url,
            "embed_code": embed_snippet(embed_url, survey.title),
            "button_code": f'<a href="{form_url}" class="usa-button" target="_blank" rel="noopener">'
            f"{survey.title}</a>",
            "versions": survey.versions.order_by("-number"),
            "response_count": selectors.complete_count(survey),
            "shareable": survey.status in selectors.PUBLIC_STATUSES,
            "days_to_expiry": survey.days_to_expiry(),
            "statuses": Survey.Status,
        },
    )


@member_view(EDIT)
def survey_edit(request: AgencyRequest, survey_id: int) -> HttpResponse:
    survey = selectors.survey_of(request.agency, survey_id)
    return form_page(
        request,
        SurveyForm(request.POST or None, instance=survey, agency=request.agency),
        lambda data: services.update_survey(actor=request.user, survey=survey, data=data),
        title=_("Survey settings"),
        success=_("Settings saved."),
        then=_survey_url(survey),
    )


@member_view(EDIT)
@require_POST
def survey_status(request: AgencyRequest, survey_id: int) -> HttpResponse:
    survey = selectors.survey_of(request.agency, survey_id)
    try:
        services.change_status(actor=request.user, survey=survey, status=request.POST.get("status", ""))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, _("The survey is now: %(status)s.") % {"status": survey.get_status_display()}
        )
    return redirect(_survey_url(survey))


@member_view(EDIT)
def question_new(request: AgencyRequest, survey_id: int) -> HttpResponse:
    survey = selectors.survey_of(request.agency, survey_id)
    form = QuestionForm(
        request.POST or None, survey=survey, initial={"page": survey.pages.order_by("-position").first()}
    )
    return form_page(
        request,
        form,
        lambda data: services.save_question(actor=request.user, survey=survey, data=form.model_data()),
        title=_("Add a question"),
        success=_("Question added."),
        then=_survey_url(survey),
    )


@member_view(EDIT)
def question_edit(request: AgencyRequest, survey_id: int, question_id: int) -> HttpResponse:
    survey = selectors.survey_of(request.agency, survey_id)
    question = selectors.question_of(survey, question_id)
    form = QuestionForm(request.POST or None, instance=question, survey=survey)
    return form_page(
        request,
        form,
        lambda data: services.save_question(
            actor=request.user, survey=survey, data=form.model_data(), question=question
        ),
        title=_("Edit question %(key)s") % {"key": question.key},
        success=_("Question saved. Publish again to put the change in front of respondents.")
        if survey.status == Survey.Status.PUBLISHED
        else _("Question saved."),
        then=_survey_url(survey),
    )


@member_view(EDIT)
@require_POST
def question_delete(request: AgencyRequest, survey_id: int, question_id: int) -> HttpResponse:
    survey = selectors.survey_of(request.agency, survey_id)
    try:
        services.delete_question(actor=request.user, question=selectors.question_of(survey, question_id))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Question removed."))
    return redirect(_survey_url(survey))


@member_view(EDIT)
def page_edit(request: AgencyRequest, survey_id: int, page_id: int) -> HttpResponse:
    survey = selectors.survey_of(request.agency, survey_id)
    page = selectors.page_of(survey, page_id)
    return form_page(
        request,
        PageForm(request.POST or None, page=page),
        lambda data: services.save_page(actor=request.user, page=page, data=data),
        title=_("Page %(n)s") % {"n": page.position},
        success=_("Page saved. Publish again to put the change in front of respondents.")
        if survey.status == Survey.Status.PUBLISHED
        else _("Page saved."),
        then=_survey_url(survey),
    )


@member_view(EDIT)
@require_POST
def page_add(request: AgencyRequest, survey_id: int) -> HttpResponse:
    survey = selectors.survey_of(request.agency, survey_id)
    try:
        services.add_page(actor=request.user, survey=survey)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(_survey_url(survey))


@member_view(EDIT)
def survey_languages(request: AgencyRequest, survey_id: int) -> HttpResponse:
    """The languages a survey is offered in, how complete each is, and adding one."""
    survey = selectors.survey_of(request.agency, survey_id)
    form = AddLanguageForm(request.POST or None, survey=survey)
    if request.method == "POST" and form.is_valid():
        try:
            language = services.add_language(
                actor=request.user, survey=survey, language=form.cleaned_data["language"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Language added: fill in its texts."))
            return redirect(
                reverse("manage:surveys:translation", args=[survey.agency.slug, survey.pk, language])
            )
    return render_workspace(
        request,
        "manage/surveys/languages.html",
        {
            "survey": survey,
            "own_language": languages.name_of(survey.default_language),
            "completeness": languages.completeness(survey),
            "form": form,
            "can_edit": True,
        },
    )


@member_view(EDIT)
def survey_translation(request: AgencyRequest, survey_id: int, language: str) -> HttpResponse:
    survey = selectors.survey_of(request.agency, survey_id)
    if language == survey.default_language or language not in languages.languages_of(survey):
        raise Http404("The survey is not offered in this language.")
    form = TranslationForm(request.POST or None, survey=survey, language=language)
    status = next(item for item in languages.completeness(survey) if item.language == language)
    return form_page(
        request,
        form,
        lambda data: services.save_translation(
            actor=request.user, survey=survey, language=language, texts=form.texts()
        ),
        title=_("%(language)s texts of %(survey)s")
        % {"language": languages.name_in_page_language(language), "survey": survey.title},
        success=_("Translation saved. Publish again to put it in front of respondents.")
        if survey.status == Survey.Status.PUBLISHED
        else _("Translation saved."),
        then=reverse("manage:surveys:languages", args=[survey.agency.slug, survey.pk]),
        context={
            "survey": survey,
            "status": status,
            "own_language": languages.name_of(survey.default_language),
        },
        template="manage/surveys/translation.html",
    )


@member_view()
def survey_xlsform(request: AgencyRequest, survey_id: int) -> HttpResponse:
    """The survey as an XLSForm workbook, every language and kept rule in it, to open in ODK, Ona or Kobo."""
    from touchstone.surveys import xlsform

    survey = selectors.survey_of(request.agency, survey_id)
    response = HttpResponse(
        xlsform.export_form(survey),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = slugify(survey.title)[:60] or f"survey-{survey.pk}"
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response
