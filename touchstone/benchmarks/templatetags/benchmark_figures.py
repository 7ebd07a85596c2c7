from typing import Any

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from touchstone.core import numbers
from touchstone.stats.benchmarks import Z95

register = template.Library()


@register.filter
def points(value: float | None) -> str:
    """A difference of shares as signed percentage points: +3.2, −1.0."""
    if value is None:
        return "—"
    sign = "+" if value > 0 else ("−" if value < 0 else "")
    return f"{sign}{numbers.decimal(abs(100 * value), 1)}"


@register.filter
def margin(se: float | None) -> str:
    """The 95% margin of error of a share, in percentage points."""
    if se is None:
        return "—"
    return numbers.decimal(100 * Z95 * se, 1)


@register.filter
def distance(value: float | None) -> str:
    """A difference of shares as unsigned percentage points, for sentences that say ahead or behind."""
    if value is None:
        return "—"
    return numbers.decimal(abs(100 * value), 1)


@register.filter
def figure_cells(cells: list[Any]) -> SafeString:
    """A row of the overseer's table, one <td> per figure: its text and noise-group letters, or a dash when the agency
    has none. Written here rather than by a template loop: 100 agencies × 9 columns of template nodes cost more
    than the rest of the page."""
    return mark_safe(  # noqa: S308 - every value is escaped
        "".join(
            f"<td>{escape(cell.text)} <strong>{escape(cell.letters)}</strong></td>" if cell else "<td>—</td>"
            for cell in cells
        )
    )
