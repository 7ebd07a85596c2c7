"""Numbers as a reader sees them: one format per language, from Django's localisation ("80.0%" / "80,0 %")."""

from django.utils.formats import number_format
from django.utils.translation import gettext as _


def percent(value: float | None, digits: int = 0) -> str:
    """A share (0.8) as a percentage in the active language; a dash when there is none."""
    if value is None:
        return "—"
    # number_format cuts extra digits off rather than rounding, so round first.
    return _("%(number)s%%") % {
        "number": number_format(round(100 * value, digits), digits, force_grouping=True)
    }


def count(value: int | None) -> str:
    """A whole number with the language's thousands separator."""
    if value is None:
        return "—"
    return number_format(value, 0, force_grouping=True)


def decimal(value: float | None, digits: int = 1) -> str:
    """A number with at most `digits` decimals (none when it is whole), in the active language."""
    if value is None:
        return "—"
    rounded = round(value, digits)
    if rounded == int(rounded):
        return count(int(rounded))
    needed = next(d for d in range(1, digits + 1) if round(rounded, d) == rounded)  # 2.5, not 2.50
    return number_format(rounded, needed, force_grouping=True)
