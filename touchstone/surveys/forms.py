"""Survey forms: they validate; services write."""

import json
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from touchstone.catalog.models import Service
from touchstone.core.forms import UswdsFormMixin
from touchstone.core.models import Agency
from touchstone.surveys.blueprints import BLUEPRINTS
from touchstone.surveys.models import Page, Question, Survey

SURVEY_FIELDS = [
    "title",
    "title_es",
    "service",
    "introduction",
    "introduction_es",
    "transaction_point",
    "default_channel",
    "omb_control_number",
    "omb_expiration_date",
    "burden_minutes",
    "federal_register_url",
    "thank_you",
    "thank_you_es",
    "allowed_origins",
    "prefill_parameters",
    "burst_per_minute",
    "minimum_to_show",
]


class SurveyForm(UswdsFormMixin, forms.ModelForm):
    class Meta:
        model = Survey
        fields = SURVEY_FIELDS
        widgets = {
            "omb_expiration_date": forms.DateInput(attrs={"type": "date"}),
            "introduction": forms.Textarea(attrs={"rows": 3}),
            "introduction_es": forms.Textarea(attrs={"rows": 3}),
            "thank_you": forms.Textarea(attrs={"rows": 2}),
            "thank_you_es": forms.Textarea(attrs={"rows": 2}),
            "allowed_origins": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = Service.objects.filter(agency=agency)  # type: ignore[attr-defined]

    def clean_omb_control_number(self) -> str:
        import re

        number = self.cleaned_data["omb_control_number"].strip()
        if number and not re.fullmatch(r"\d{4}-\d{4}", number):
            raise forms.ValidationError(
                _("Write the OMB control number as four digits, a hyphen, four digits: 1090-0011.")
            )
        return number

    def clean_allowed_origins(self) -> str:
        from urllib.parse import urlparse

        lines = [line.strip() for line in self.cleaned_data["allowed_origins"].splitlines() if line.strip()]
        for line in lines:
            parsed = urlparse(line)
            if parsed.scheme not in {"https", "http"} or not parsed.netloc or parsed.path not in {"", "/"}:
                raise forms.ValidationError(
                    _("“%(line)s” is not an origin; write it like https://www.example.gov"),
                    params={"line": line},
                )
        return "\n".join(lines)


class NewSurveyForm(SurveyForm):
    template = forms.ChoiceField(label=_("Start from"), required=False)

    class Meta(SurveyForm.Meta):
        fields = ["template", "title", "service", "audience"]

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, agency=agency, **kwargs)
        self.fields["template"].choices = [("", _("An empty survey"))] + [  # type: ignore[attr-defined]
            (slug, gettext(blueprint.name))
            for slug, blueprint in BLUEPRINTS.items()  # Spanish in the catalog
        ]
        self.fields["template"].widget.attrs["class"] = "usa-select"
        self.order_fields(["template", "title", "service", "audience"])


class QuestionForm(UswdsFormMixin, forms.ModelForm):
    choices_text = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "One per line as value | English | Spanish, for example: fast | It was quick | Fue rápido"
        ),
    )
    show_if_question = forms.ChoiceField(label=_("Show only when the answer to"), required=False)
    show_if_values = forms.CharField(
        label=_("is one of"), required=False, help_text=_("Values separated by commas, for example 4, 5")
    )

    class Meta:
        model = Question
        fields = [
            "page",
            "position",
            "key",
            "kind",
            "text",
            "text_es",
            "help_text",
            "help_text_es",
            "required",
            "max_length",
            "allow_other",
            "measures",
            "dimension",
        ]
        widgets = {"text": forms.Textarea(attrs={"rows": 2}), "text_es": forms.Textarea(attrs={"rows": 2})}
        labels = {"page": _("Page"), "position": _("Position")}

    def __init__(self, *args: Any, survey: Survey, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.survey = survey
        self.fields["page"].queryset = Page.objects.filter(survey=survey)  # type: ignore[attr-defined]
        self.fields["key"].required = False
        others = survey.questions.exclude(pk=self.instance.pk).values_list("key", flat=True)
        self.fields["show_if_question"].choices = [("", _("(always show)"))] + [(k, k) for k in others]  # type: ignore[attr-defined]
        self.fields["show_if_question"].widget.attrs["class"] = "usa-select"
        if self.instance.pk:
            self.initial["choices_text"] = "\n".join(
                f"{c['value']} | {c.get('label', '')} | {c.get('label_es', '')}"
                for c in self.instance.choices
            )
            self.initial["show_if_question"] = self.instance.show_if.get("question", "")
            self.initial["show_if_values"] = ", ".join(
                str(v) for v in self.instance.show_if.get("values", [])
            )

    def clean_key(self) -> str:
        key = (self.cleaned_data.get("key") or "").strip()
        if key and self.survey.questions.filter(key=key).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(
                _("Another question already uses the short name “%(key)s”."), params={"key": key}
            )
        return key

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        choices = []
        for number, line in enumerate((cleaned.get("choices_text") or "").splitlines(), start=1):
            if not line.strip():
                continue
            parts = [part.strip() for part in line.split("|")]
            if not parts[0]:
                self.add_error(
                    "choices_text", _("Line %(n)s has no value before the first |.") % {"n": number}
                )
                continue
            choices.append(
                {
                    "value": parts[0],
                    "label": parts[1] if len(parts) > 1 and parts[1] else parts[0],
                    "label_es": parts[2] if len(parts) > 2 else "",
                }
            )
        kind = cleaned.get("kind")
        if kind in {Question.Kind.SINGLE, Question.Kind.MULTIPLE, Question.Kind.DROPDOWN} and not choices:
            self.add_error("choices_text", _("This kind of question needs at least one choice."))
        cleaned["choices"] = choices
        key = cleaned.get("show_if_question")
        values = [v.strip() for v in (cleaned.get("show_if_values") or "").split(",") if v.strip()]
        if key and not values:
            self.add_error("show_if_values", _("Give the answers that make this question show."))
        cleaned["show_if"] = (
            {"question": key, "values": [int(v) if v.isdigit() else v for v in values]} if key else {}
        )
        return cleaned

    def model_data(self) -> dict[str, Any]:
        data = {
            k: v
            for k, v in self.cleaned_data.items()
            if k not in {"choices_text", "show_if_question", "show_if_values"}
        }
        return data


def embed_snippet(form_url: str, title: str) -> str:
    return f'<iframe src="{form_url}" title="{title}" width="100%" height="900" loading="lazy"></iframe>'


def schema_json(schema: dict[str, Any]) -> str:
    return json.dumps(schema, ensure_ascii=False, indent=2)


class PageForm(UswdsFormMixin, forms.Form):
    """A page's title and where it leads: one rule a line, `question = value, value -> page number`."""

    title = forms.CharField(label=_("Page title"), max_length=200, required=False)
    title_es = forms.CharField(label=_("Page title in Spanish"), max_length=200, required=False)
    branching = forms.CharField(
        label=_("Where this page leads"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One rule a line, checked in order: question = value, value -> page number. For example "
            "“question_1 = 1, 2, 3 -> 3”. With no rule that matches, the next page follows."
        ),
    )

    def __init__(self, *args: Any, page: Page, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.page = page
        if not self.is_bound:
            self.initial = {
                "title": page.title,
                "title_es": page.title_es,
                "branching": "\n".join(
                    f"{rule['question']} = {', '.join(str(v) for v in rule['values'])} -> {rule['go_to']}"
                    for rule in page.branching
                ),
            }

    def clean_branching(self) -> list[dict[str, Any]]:
        survey = self.page.survey
        asked = set(
            survey.questions.filter(page__position__lte=self.page.position).values_list("key", flat=True)
        )
        later = set(survey.pages.filter(position__gt=self.page.position).values_list("position", flat=True))
        rules = []
        for number, line in enumerate(self.cleaned_data["branching"].splitlines(), start=1):
            if not line.strip():
                continue
            condition, arrow, target = line.partition("->")
            key, equals, values = condition.partition("=")
            if not (arrow and equals):
                raise forms.ValidationError(
                    _("Line %(n)s: write it as question = value, value -> page number.") % {"n": number}
                )
            key = key.strip()
            if key not in asked:
                raise forms.ValidationError(
                    _("Line %(n)s: “%(key)s” is not a question on this page or before it.")
                    % {"n": number, "key": key}
                )
            try:
                go_to = int(target.strip())
            except ValueError:
                raise forms.ValidationError(
                    _("Line %(n)s: the page after -> must be a number.") % {"n": number}
                ) from None
            if go_to not in later:
                raise forms.ValidationError(
                    _("Line %(n)s: page %(page)s is not a later page of this survey.")
                    % {"n": number, "page": go_to}
                )
            parsed = [int(v) if v.strip().isdigit() else v.strip() for v in values.split(",") if v.strip()]
            if not parsed:
                raise forms.ValidationError(_("Line %(n)s: give at least one value.") % {"n": number})
            rules.append({"question": key, "values": parsed, "go_to": go_to})
        return rules


class AddLanguageForm(UswdsFormMixin, forms.Form):
    language = forms.ChoiceField(label=_("Language"))

    def __init__(self, *args: Any, survey: Survey, **kwargs: Any) -> None:
        from touchstone.surveys import languages

        super().__init__(*args, **kwargs)
        offered = set(languages.languages_of(survey))
        self.fields["language"].choices = [  # type: ignore[attr-defined]
            (code, f"{shown} ({names[0]})" if names[0] != shown else shown)
            for code, names in languages.LANGUAGES.items()
            for shown in [languages.name_in_page_language(code)]
            if code not in offered
        ]


class TranslationForm(UswdsFormMixin, forms.Form):
    """One field for each text of the survey, the survey's own wording as its hint; a blank one falls back."""

    def __init__(self, *args: Any, survey: Survey, language: str, **kwargs: Any) -> None:
        from touchstone.surveys import languages

        super().__init__(*args, **kwargs)
        self.ids: dict[str, str] = {}
        have = languages.translation_of(survey, language)
        direction = languages.direction(language)
        for number, text in enumerate(t for t in languages.texts_of(survey) if t.original.strip()):
            name = f"text_{number}"
            self.ids[name] = text.id
            attrs = {"lang": language, "dir": direction}
            self.fields[name] = forms.CharField(
                label=text.where,
                required=False,
                initial=have.get(text.id, ""),
                help_text=text.original,
                widget=forms.Textarea(attrs={**attrs, "rows": 2})
                if text.long
                else forms.TextInput(attrs=attrs),
            )

    def texts(self) -> dict[str, str]:
        return {self.ids[name]: value for name, value in self.cleaned_data.items() if name in self.ids}
