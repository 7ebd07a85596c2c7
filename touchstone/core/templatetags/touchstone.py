from typing import Any

from django import forms, template
from django.forms import BoundField
from django.utils.safestring import SafeString

from touchstone.core import numbers
from touchstone.core.forms import file_input_texts

register = template.Library()


@register.simple_tag
def control(field: BoundField) -> SafeString:
    """The field's control, described by its hint and error so screen readers announce both; a file input also
    carries the texts USWDS writes around it, in the page's language."""
    described_by = []
    if field.help_text:
        described_by.append(f"{field.auto_id}_helptext")
    if field.errors:
        described_by.append(f"{field.auto_id}_error")
    attrs: dict[str, Any] = {}
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    if field.errors:
        attrs["aria-invalid"] = "true"
    widget = field.field.widget
    if isinstance(widget, forms.FileInput):
        attrs.update(file_input_texts(multiple=widget.allow_multiple_selected))
    return field.as_widget(attrs=attrs)


@register.filter
def percent(value: float | None, digits: int = 0) -> str:
    return numbers.percent(value, digits)


@register.filter
def target_percent(value: float | None) -> str:
    return numbers.target_percent(value)


@register.filter
def count(value: int | float | None) -> str:
    """A count with the language's thousands separator: 4,936,257 in English, 4 936 257 in Spanish."""
    return numbers.count(None if value is None else round(value))


@register.filter
def decimal(value: float | None, digits: int = 1) -> str:
    return numbers.decimal(value, digits)


@register.filter
def localized(thing: Any, field: str) -> str:
    """An agency's own text in the page's language: its Spanish (`<field>_es`) on a Spanish page when written,
    else the English."""
    if hasattr(thing, "in_active_language"):
        return str(thing.in_active_language(field))
    return str(getattr(thing, field, "") or "")


@register.filter
def get_item(mapping: dict[Any, Any], key: Any) -> Any:
    return mapping.get(key) if mapping else None


@register.simple_tag
def control_chart(chart: Any, chart_id: str, title: str, desc: str = "") -> SafeString | str:
    """A control chart (shares per period) drawn by `touchstone.core.charts`, the one chart module."""
    from touchstone.core import charts

    return charts.control_chart(chart, title, chart_id, desc) or ""
