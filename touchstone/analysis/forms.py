"""The weighting form: variables, population margins typed or taken from the catalog, rake or post-stratify."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from touchstone.analysis.models import WEIGHTING_VARIABLES, WeightingScheme
from touchstone.core.forms import UswdsFormMixin


def parse_margins(text: str) -> dict[str, dict[str, float]]:
    """Lines of 'variable=category:total,category:total' into {variable: {category: total}}."""
    margins: dict[str, dict[str, float]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        variable, sep, body = line.partition("=")
        variable = variable.strip()
        if not sep or not body.strip():
            raise forms.ValidationError(
                _("Line %(n)s is not in the form variable=category:total,category:total."),
                params={"n": number},
            )
        if variable not in WEIGHTING_VARIABLES:
            raise forms.ValidationError(
                _("Line %(n)s names '%(v)s'; weight on one of: %(known)s."),
                params={"n": number, "v": variable, "known": ", ".join(WEIGHTING_VARIABLES)},
            )
        totals: dict[str, float] = {}
        for item in body.split(","):
            category, colon, amount = item.strip().rpartition(":")
            if not colon or not category.strip():
                raise forms.ValidationError(
                    _("Line %(n)s: '%(item)s' should be category:total."),
                    params={"n": number, "item": item.strip()},
                )
            try:
                value = float(amount)
            except ValueError:
                raise forms.ValidationError(
                    _("Line %(n)s: the total for '%(c)s' must be a number."),
                    params={"n": number, "c": category},
                ) from None
            if value < 0:
                raise forms.ValidationError(
                    _("Line %(n)s: the total for '%(c)s' must not be negative."),
                    params={"n": number, "c": category},
                )
            totals[category.strip()] = value
        margins[variable] = totals
    return margins


def format_margins(margins: dict[str, dict[str, float]]) -> str:
    return "\n".join(
        f"{variable}=" + ",".join(f"{category}:{total:g}" for category, total in totals.items())
        for variable, totals in margins.items()
    )


class WeightingForm(UswdsFormMixin, forms.Form):
    method = forms.ChoiceField(
        label=_("Method"), choices=WeightingScheme.Method.choices, initial=WeightingScheme.Method.RAKE
    )
    margins = forms.CharField(
        label=_("Population margins"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "One line per variable: variable=category:total,category:total, for example "
            "channel=website:45000,phone:30000. Totals may be counts or shares; when raking, each margin is "
            "scaled to the first one's total."
        ),
    )
    catalog_channels = forms.BooleanField(
        label=_("Take the channel margin from the catalog's channel volumes"),
        required=False,
        help_text=_("Transactions by channel reported for this survey's service, in the period analysed."),
    )

    def __init__(self, *args: Any, catalog: dict[str, float] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.catalog = catalog or {}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            margins = parse_margins(data.get("margins") or "")
        except forms.ValidationError as error:
            self.add_error("margins", error)
            return data
        if data.get("catalog_channels"):
            if not self.catalog:
                self.add_error(
                    "catalog_channels",
                    _(
                        "The catalog has no channel volumes for this survey's service; type the margin instead."
                    ),
                )
                return data
            margins["channel"] = dict(self.catalog)
        if not margins:
            self.add_error(
                "margins", _("Give at least one margin, or take the channel margin from the catalog.")
            )
        elif data.get("method") == WeightingScheme.Method.POSTSTRATIFY and len(margins) > 1:
            self.add_error("method", _("Post-stratification takes one variable; choose raking for several."))
        data["parsed_margins"] = margins
        return data
