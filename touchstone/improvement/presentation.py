"""How improvement's figures are said: the effect of an action in a plain sentence, and the service's timeline."""

from typing import Any

from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from touchstone.core import charts, numbers
from touchstone.improvement.selectors import ActionEffect, ServicePage

VERDICT_LABELS = {
    "worked": gettext_lazy("It worked"),
    "worse": gettext_lazy("It got worse"),
    "no_effect": gettext_lazy("No detectable effect"),
    "too_early": gettext_lazy("Too early to tell"),
}


def _points(value: float | None) -> str:
    return numbers.decimal(100 * abs(value or 0.0), 1)


def effect_sentence(found: ActionEffect) -> str:
    """The effect said plainly, with its interval and what it allows for."""
    effect = found.effect
    if effect is None:
        if found.action.status != "done":
            return _("Not done yet: its effect is measured once it is done.")
        return _("Its measure has no figures to compare yet.")
    values = {
        "measure": found.measure_label,
        "points": _points(effect.effect),
        "low": numbers.decimal(100 * (effect.ci_low or 0.0), 1),
        "high": numbers.decimal(100 * (effect.ci_high or 0.0), 1),
        "before": numbers.percent(effect.before_mean),
        "after": numbers.percent(effect.after_mean),
        "periods": effect.periods_needed,
        "n_before": effect.periods_before,
        "n_after": effect.periods_after,
    }
    if effect.verdict == "too_early" and effect.effect is None:
        return (
            _(
                "Too early to tell: %(n_after)s periods since the change; about %(periods)s more are needed "
                "before the test can say."
            )
            % values
        )
    direction = _("higher") if (effect.effect or 0) >= 0 else _("lower")
    values["direction"] = direction
    base = (
        _(
            "%(measure)s averaged %(before)s in the %(n_before)s periods before and %(after)s in the %(n_after)s "
            "after. Allowing for the trend before the change, it is %(points)s points %(direction)s than that "
            "trend predicts (95%% interval %(low)s to %(high)s points)."
        )
        % values
    )
    if effect.verdict == "worked":
        return base + " " + _("It worked.")
    if effect.verdict == "worse":
        return base + " " + _("It got worse, beyond what chance explains.")
    if effect.verdict == "too_early":
        return base + " " + _("Too early to tell: about %(periods)s more periods are needed.") % values
    return base + " " + _("No detectable effect.")


def timeline(page: ServicePage) -> tuple[list[str], list[charts.Series], list[dict[str, Any]]]:
    """One time axis for every source: standards met and survey shares (drawn), complaints and signals (in the
    table beside them)."""
    labels = page.labels
    series = [
        charts.Series(
            Truncator(row.summary.standard.display_statement).chars(60), page.standard_share_by_month(row)
        )
        for row in page.standards
    ]
    series += [
        charts.Series(score.label, [score.share(i) for i in range(len(labels))])
        for score in page.scores
        if score.measure in {"satisfaction", "ease", "trust"}
    ]
    series = [s for s in series if any(v is not None for v in s.values)]
    signals_by_month: dict[str, list[str]] = {}
    for signal in page.signals:
        signals_by_month.setdefault(signal.month.strftime("%Y-%m"), []).append(
            f"{signal.source}: {signal.text}"
        )
    rows = [
        {
            "label": label,
            "values": [s.values[i] for s in series],
            "complaints": page.complaints.monthly[i],
            "signals": signals_by_month.get(label, []),
        }
        for i, label in enumerate(labels)
    ]
    return labels, series, rows


def public_change(found: ActionEffect, language: str) -> tuple[str, str]:
    """What we changed and whether it worked, for the public: (the change, the plain verdict)."""
    action = found.action
    title = action.title_es if language == "es" and action.title_es else action.title
    effect = found.effect
    if effect is None or effect.effect is None or effect.verdict == "too_early":
        return title, _("It is too early to tell whether it worked.")
    values = {
        "measure": found.measure_label,
        "points": _points(effect.effect),
        "low": numbers.decimal(100 * (effect.ci_low or 0.0), 1),
        "high": numbers.decimal(100 * (effect.ci_high or 0.0), 1),
    }
    if effect.verdict == "worked":
        return title, _(
            "It worked: “%(measure)s” is %(points)s points better than it was heading before the change "
            "(somewhere between %(low)s and %(high)s points)."
        ) % values
    if effect.verdict == "worse":
        return title, _("It did not work: “%(measure)s” got worse after the change.") % values
    return title, _("We could not find a change in “%(measure)s” after it.") % values
