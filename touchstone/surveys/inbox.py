"""The response inbox: which responses a filter keeps, how the columns of an export are named, and the inbox's
own writes (tags; spam, flag and archive go through `services.mark_responses`)."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Min, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from touchstone.catalog.channels import Channel
from touchstone.core import audit
from touchstone.core.fiscal import FiscalQuarter, fiscal_quarter
from touchstone.core.forms import UswdsFormMixin
from touchstone.core.models import User
from touchstone.surveys import instrument, selectors, services
from touchstone.surveys.models import Response, Survey, SurveyVersion

PAGE_SIZE = 50
MARK_ACTIONS = {"spam", "not_spam", "flag", "unflag", "archive", "restore"}
TAG_ACTIONS = {"tag", "untag"}
TAG_LENGTH = 40


class State:
    """Which pile of responses the inbox shows. Spam and archived responses stay out unless asked for."""

    INBOX = "inbox"
    FLAGGED = "flagged"
    SPAM = "spam"
    ARCHIVED = "archived"
    ALL = "all"

    choices = [
        (INBOX, gettext_lazy("Inbox (not spam, not archived)")),
        (FLAGGED, gettext_lazy("Flagged")),
        (SPAM, gettext_lazy("Spam")),
        (ARCHIVED, gettext_lazy("Archived")),
        (ALL, gettext_lazy("Everything, spam included")),
    ]


def quarters_of(survey: Survey, today: dt.date | None = None) -> list[FiscalQuarter]:
    """Fiscal quarters from the first response (or the survey's creation) to today, newest first."""
    first = selectors.responses_of(survey).aggregate(first=Min("submitted_at"))["first"]
    start = timezone.localdate(first) if first else timezone.localdate(survey.created_at)
    current = fiscal_quarter(today or timezone.localdate())
    quarters = [fiscal_quarter(start)]
    while quarters[-1] < current:
        quarters.append(quarters[-1].next())
    return list(reversed(quarters))


class VersionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return _("Version %(number)s") % {"number": obj.number}


class InboxFilterForm(UswdsFormMixin, forms.Form):
    """The inbox's filters, read from the query string so a filtered view can be bookmarked and exported."""

    state = forms.ChoiceField(label=gettext_lazy("Show"), choices=State.choices, required=False)
    quarter = forms.ChoiceField(label=gettext_lazy("Fiscal quarter"), required=False)
    start = forms.DateField(
        label=gettext_lazy("From"), required=False, help_text=gettext_lazy("For example 2026-01-31.")
    )
    end = forms.DateField(
        label=gettext_lazy("To"), required=False, help_text=gettext_lazy("Includes this day.")
    )
    version = VersionChoiceField(
        label=gettext_lazy("Version"), queryset=SurveyVersion.objects.none(), required=False
    )
    channel = forms.ChoiceField(label=gettext_lazy("Channel"), required=False)
    location = forms.CharField(label=gettext_lazy("Location"), required=False, max_length=100)
    tag = forms.CharField(label=gettext_lazy("Tag"), required=False, max_length=TAG_LENGTH)

    def __init__(self, data: Any, *, survey: Survey, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.survey = survey
        version_field = self.fields["version"]
        assert isinstance(version_field, forms.ModelChoiceField)
        version_field.queryset = SurveyVersion.objects.filter(survey=survey).order_by("-number")
        version_field.empty_label = _("Any version")
        quarter_field = self.fields["quarter"]
        assert isinstance(quarter_field, forms.ChoiceField)
        quarter_field.choices = [("", _("Any quarter"))] + [
            (quarter.label, quarter.label) for quarter in quarters_of(survey)
        ]
        channel_field = self.fields["channel"]
        assert isinstance(channel_field, forms.ChoiceField)
        channel_field.choices = [("", _("Any channel")), *Channel.choices]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", _("Choose a day on or after the first day."))
        return cleaned

    def filters(self) -> "InboxFilters":
        """The valid filters (an invalid one is ignored and shown with its error)."""
        # An invalid field drops out of cleaned_data; the others still apply.
        if self.is_bound:
            self.is_valid()
        data: dict[str, Any] = getattr(self, "cleaned_data", {})
        quarter = FiscalQuarter.parse(data["quarter"]) if data.get("quarter") else None
        return InboxFilters(
            state=data.get("state") or State.INBOX,
            quarter=quarter,
            start=data.get("start"),
            end=data.get("end"),
            version_id=data["version"].pk if data.get("version") else None,
            channel=data.get("channel") or "",
            location=(data.get("location") or "").strip(),
            tag=(data.get("tag") or "").strip(),
        )


@dataclass(frozen=True)
class InboxFilters:
    state: str = State.INBOX
    quarter: FiscalQuarter | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    version_id: int | None = None
    channel: str = ""
    location: str = ""
    tag: str = ""


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def filter_responses(responses: QuerySet[Response], filters: InboxFilters) -> QuerySet[Response]:
    """Narrow a survey's (or an agency's) responses by the inbox's filters. Dates are the agency's local days."""
    if filters.state == State.INBOX:
        responses = responses.filter(is_spam=False, is_archived=False)
    elif filters.state == State.FLAGGED:
        responses = responses.filter(is_spam=False, is_flagged=True)
    elif filters.state == State.SPAM:
        responses = responses.filter(is_spam=True)
    elif filters.state == State.ARCHIVED:
        responses = responses.filter(is_spam=False, is_archived=True)
    if filters.quarter is not None:
        responses = responses.filter(
            submitted_at__gte=_day_start(filters.quarter.start),
            submitted_at__lt=_day_start(filters.quarter.end + dt.timedelta(days=1)),
        )
    if filters.start is not None:
        responses = responses.filter(submitted_at__gte=_day_start(filters.start))
    if filters.end is not None:
        responses = responses.filter(submitted_at__lt=_day_start(filters.end + dt.timedelta(days=1)))
    if filters.version_id is not None:
        responses = responses.filter(version_id=filters.version_id)
    if filters.channel:
        responses = responses.filter(channel=filters.channel)
    if filters.location:
        responses = responses.filter(location__icontains=filters.location)
    if filters.tag:
        # Tags are a short JSON list; matching the quoted tag works the same on SQLite and PostgreSQL.
        responses = responses.filter(tags__icontains=f'"{filters.tag}"')
    return responses


def inbox_responses(survey: Survey, filters: InboxFilters) -> QuerySet[Response]:
    return filter_responses(selectors.responses_of(survey), filters).order_by("-submitted_at", "-id")


def answer_rows(response: Response, language: str = "en") -> list[dict[str, Any]]:
    """Each question of the response's own version with its answer, in the order respondents saw them."""
    rows = []
    for question in response.version.questions():
        key = question["key"]
        if question["kind"] == "display":
            continue
        text = question.get("text_es") if language == "es" and question.get("text_es") else question["text"]
        labels = {str(choice["value"]): choice.get("label", "") for choice in question.get("choices") or []}
        value = response.answers.get(key)
        shown = value if isinstance(value, list) else ([] if value is None else [value])
        rows.append(
            {
                "key": key,
                "text": text,
                "answered": value is not None,
                "asked": instrument.is_shown(question, response.answers),
                "values": [labels.get(str(item)) or str(item) for item in shown],
                "other": response.answers.get(f"{key}__other", ""),
            }
        )
    return rows


def clean_tag(text: str) -> str:
    tag = " ".join(text.split())[:TAG_LENGTH]
    if not tag:
        raise ValidationError(_("Write a tag, for example “follow up”."))
    return tag


@transaction.atomic
def change_tags(
    *, actor: User | None, survey: Survey, response_ids: list[int], tag: str, remove: bool = False
) -> int:
    """Add a tag to (or take it off) the chosen responses of this survey; returns how many changed."""
    tag = clean_tag(tag)
    changed = []
    for response in Response.objects.filter(survey=survey, pk__in=response_ids).only("pk", "tags"):
        tags = list(response.tags or [])
        if remove and tag in tags:
            tags.remove(tag)
        elif not remove and tag not in tags:
            tags.append(tag)
        else:
            continue
        response.tags = tags
        changed.append(response)
    Response.objects.bulk_update(changed, ["tags"])
    audit.record(
        actor=actor,
        action="untagged responses" if remove else "tagged responses",
        target=survey,
        agency=survey.agency,
        changes={"tag": [None, tag], "responses": [None, len(changed)]},
    )
    return len(changed)


def act_on_responses(
    *, actor: User | None, survey: Survey, response_ids: list[int], action: str, tag: str
) -> int:
    """One inbox action (spam, flag, archive, their undoing, tag or untag) on the chosen responses."""
    if not response_ids:
        raise ValidationError(_("Choose at least one response."))
    if action in TAG_ACTIONS:
        return change_tags(
            actor=actor, survey=survey, response_ids=response_ids, tag=tag, remove=action == "untag"
        )
    if action not in MARK_ACTIONS:
        raise ValidationError(_("Choose what to do with the responses."))
    return services.mark_responses(actor=actor, survey=survey, response_ids=response_ids, action=action)


ACTION_CHOICES = [
    ("flag", gettext_lazy("Flag")),
    ("unflag", gettext_lazy("Remove the flag")),
    ("spam", gettext_lazy("Mark as spam")),
    ("not_spam", gettext_lazy("Not spam")),
    ("archive", gettext_lazy("Archive")),
    ("restore", gettext_lazy("Back to the inbox")),
    ("tag", gettext_lazy("Add the tag")),
    ("untag", gettext_lazy("Remove the tag")),
]
