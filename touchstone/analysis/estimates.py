"""Design-based estimates from an analyst's CSV: a readable table of `run_estimate`'s result, and the options the
API takes as form fields."""

from collections.abc import Mapping
from typing import Any

from touchstone.stats.estimate_cli import EstimateInputError, run_estimate

# Options that take several values (repeat the form field, or separate with commas for ids and fpc).
LIST_OPTIONS = ("ids", "fpc", "mean", "total", "proportion", "rake")
TEXT_OPTIONS = ("strata", "weights", "poststratify", "replicates", "interval", "lonely_psu")
NUMBER_OPTIONS = {"level": float, "bootstrap_replicates": int, "seed": int}


def options_from_form(csv_path: str, form: Mapping[str, Any]) -> dict[str, Any]:
    """The estimate options from form fields (a QueryDict or a dict of lists), with the CSV's path."""
    options: dict[str, Any] = {"csv": csv_path}

    def values(name: str) -> list[str]:
        raw = form.getlist(name) if hasattr(form, "getlist") else form.get(name) or []
        raw = [raw] if isinstance(raw, str) else list(raw)
        return [str(v).strip() for v in raw if str(v).strip()]

    for name in LIST_OPTIONS:
        if found := values(name):
            options[name] = found
    for name in TEXT_OPTIONS:
        if found := values(name):
            options[name] = found[-1]
    for name, kind in NUMBER_OPTIONS.items():
        if found := values(name):
            try:
                options[name] = kind(found[-1])
            except ValueError as error:
                raise EstimateInputError(f"{name} must be a number (got '{found[-1]}').") from error
    if values("nest") and values("nest")[-1].lower() in {"1", "true", "yes", "on"}:
        options["nest"] = True
    return options


def estimate_from_form(csv_path: str, form: Mapping[str, Any]) -> dict[str, Any]:
    return run_estimate(options_from_form(csv_path, form))


def _number(value: float | int | None, digits: int = 6) -> str:
    if value is None:
        return "NA"
    return f"{value:.{digits}g}" if abs(value) < 1e6 else f"{value:.10g}"


def estimate_table(result: Mapping[str, Any]) -> str:
    """Each estimate on one line: what, value, standard error, interval, design effect, n."""
    level = float(result["level"])
    design = result["design"]
    described = ", ".join(
        f"{name}={value}"
        for name, value in (
            ("ids", "+".join(design["ids"]) or "1"),
            ("strata", design["strata"]),
            ("weights", design["weights"]),
            ("fpc", "+".join(design["fpc"])),
            ("replicates", design["replicates"]),
            ("poststratify", design["poststratify"]),
            ("rake", "; ".join(design["rake"])),
        )
        if value
    )
    header = ("estimate", "value", "SE", f"{level:.0%} CI low", f"{level:.0%} CI high", "deff", "n")
    rows: list[tuple[str, ...]] = [header]
    for kind in ("mean", "total"):
        for column, e in result[kind].items():
            rows.append(_row(f"{kind} {column}", e))
    for column, shares in result["proportion"].items():
        for category, e in shares.items():
            rows.append(_row(f"proportion {column}={category}", e))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [
        f"{result['file']}: {result['rows']} rows; design {described}; {design['df']} degrees of freedom",
        "",
    ]
    for row in rows:
        lines.append(
            "  ".join(
                cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(row)
            ).rstrip()
        )
    return "\n".join(lines)


def _row(label: str, e: Mapping[str, Any]) -> tuple[str, ...]:
    return (
        label,
        _number(e["value"], 10),
        _number(e["se"]),
        _number(e["ci_low"], 8),
        _number(e["ci_high"], 8),
        _number(e["deff"], 4),
        str(e["n"]),
    )
