"""Numbers as a reader sees them: one format per language, from Django's localisation ("80.0%" / "80,0 %")."""

from collections.abc import Callable

from django.utils.formats import get_format, number_format
from django.utils.translation import gettext as _


def target_percent(value: float | None) -> str:
    """A target as the agency set it: 85% and 99.5%, never rounded to a promise it did not make (100%)."""
    if value is None:
        return "—"
    for digits in (0, 1, 2):
        if abs(round(100 * value, digits) - 100 * value) < 1e-9:
            return percent(value, digits)
    return percent(value, 2)


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


def percents(digits: int = 0) -> Callable[[float | None], str]:
    """`percent` for the many figures of one table, in the language active now: the same text, with the language's
    decimal separator and pattern looked up once. Between 0% and 1,000% (exclusive) no sign or thousands separator
    can appear, and `str` of a rounded float is the number `number_format` cuts, so Python's fixed-point format gives
    the same digits; anything else goes through `percent`."""
    separator = get_format("DECIMAL_SEPARATOR")
    before, after = (_("%(number)s%%") % {"number": "\0"}).split("\0")
    fixed = f".{digits}f"

    def format_percent(value: float | None) -> str:
        if value is None:
            return "—"
        rounded = round(100 * value, digits)
        if not 0 < rounded < 1000:
            return percent(value, digits)
        return before + format(rounded, fixed).replace(".", separator) + after

    return format_percent
