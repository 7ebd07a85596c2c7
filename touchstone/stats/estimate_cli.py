"""Design-based estimates from a CSV file, for the `survey_estimate` management command and scripts.

`add_estimate_arguments(parser)` declares the options (design columns by name, the estimates wanted, optional
post-stratification, raking and replicate weights); `run_estimate(options)` reads the CSV and returns a
JSON-serialisable dict.  Mistakes in the options or the file raise `EstimateInputError` with a message that names
the column or line and says what to change.  Values "NA" and empty cells are missing.
"""

from __future__ import annotations

import argparse
import codecs
import csv
import math
from collections.abc import Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from touchstone.stats.calibration import Margin, poststratify, rake
from touchstone.stats.design import LONELY_PSU_OPTIONS, Estimate, Interval, SurveyDesign
from touchstone.stats.replicates import ReplicateDesign, as_replicate_design

MISSING = ("", "NA")
REPLICATE_METHODS = {"jk1": "JK1", "jkn": "JKn", "bootstrap": "bootstrap"}
MARGIN_EXAMPLE = "stype=E:4421,H:755,M:1018"


class EstimateInputError(ValueError):
    """A problem with the options or the CSV that the person running the estimate can fix."""


def add_estimate_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Declare the estimate options on `parser` (an argparse or Django command parser) and return it."""
    parser.add_argument("csv", help="CSV file with one row per respondent and a header row.")
    parser.add_argument(
        "--ids",
        nargs="+",
        action="extend",
        metavar="COLUMN",
        help=(
            "Cluster id column for each stage (one or two: --ids dnum snum, or --ids dnum --ids snum); "
            "omit for no clustering."
        ),
    )
    parser.add_argument("--strata", metavar="COLUMN", help="Stratum column of the first stage.")
    parser.add_argument("--weights", metavar="COLUMN", help="Sampling weight column.")
    parser.add_argument(
        "--fpc",
        nargs="+",
        action="extend",
        metavar="COLUMN",
        help=(
            "Finite population correction column per stage (--fpc fpc1 fpc2, or --fpc fpc1 --fpc fpc2): "
            "population sizes, or sampling fractions (<= 1)."
        ),
    )
    parser.add_argument("--mean", action="append", metavar="COLUMN", help="Estimate the mean of a column.")
    parser.add_argument("--total", action="append", metavar="COLUMN", help="Estimate the total of a column.")
    parser.add_argument(
        "--proportion",
        action="append",
        metavar="COLUMN",
        help="Estimate the share of each category of a column.",
    )
    parser.add_argument(
        "--rake",
        action="append",
        metavar="MARGIN",
        help=f"Rake to a margin's population totals, e.g. --rake '{MARGIN_EXAMPLE}' (repeat for each margin).",
    )
    parser.add_argument(
        "--poststratify",
        metavar="MARGIN",
        help=f"Post-stratify to population counts, e.g. '{MARGIN_EXAMPLE}'.",
    )
    parser.add_argument(
        "--replicates",
        choices=sorted(REPLICATE_METHODS),
        help="Standard errors from replicate weights instead of linearisation.",
    )
    parser.add_argument(
        "--bootstrap-replicates",
        dest="bootstrap_replicates",
        type=int,
        default=50,
        help="Bootstrap replicates.",
    )
    parser.add_argument("--seed", type=int, default=0, help="Seed for the bootstrap.")
    parser.add_argument("--level", type=float, default=0.95, help="Confidence level (default 0.95).")
    parser.add_argument(
        "--interval",
        choices=["t", "normal"],
        default="t",
        help="Interval: t with the design's degrees of freedom (default, as R's confint(df=degf())) or normal.",
    )
    parser.add_argument(
        "--lonely-psu",
        dest="lonely_psu",
        choices=LONELY_PSU_OPTIONS,
        default="fail",
        help="Strata with a single PSU: fail (default, as R), adjust, certainty or remove.",
    )
    parser.add_argument(
        "--nest",
        action="store_true",
        help="Cluster ids repeat across strata; treat them as unique within each.",
    )
    return parser


def _first_line_not_utf8(path: Path) -> tuple[int, int]:
    """(line number, first bad byte) of the first line that is not UTF-8."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    with path.open("rb") as handle:
        for line, raw in enumerate(handle, start=1):
            try:
                decoder.decode(raw)
            except UnicodeDecodeError as bad:
                return line, raw[bad.start] if bad.start < len(raw) else 0
    return 1, 0


class _Table:
    """Columns of a CSV file kept as text, converted on demand, with errors naming the file, column and line."""

    def __init__(self, path: Path) -> None:
        self.name = path.name
        try:
            with path.open(newline="", encoding="utf-8-sig") as handle:
                reader = csv.reader(handle)
                header = next(reader, None)
                rows = list(reader)
        except FileNotFoundError as error:
            raise EstimateInputError(f"CSV file '{path}' was not found; check the path.") from error
        except UnicodeDecodeError as error:
            line, byte = _first_line_not_utf8(path)
            raise EstimateInputError(
                f"{self.name} is not UTF-8 text (line {line} has the byte 0x{byte:02X}, as Latin-1 or "
                "Windows-1252 files have); save it as CSV UTF-8 and send it again."
            ) from error
        except csv.Error as error:
            raise EstimateInputError(
                f"{self.name} cannot be read as CSV ({error}); check its quotes, or that it is not cut short."
            ) from error
        if not header:
            raise EstimateInputError(
                f"{self.name} is empty; it needs a header row and one row per respondent."
            )
        duplicates = sorted({name for name in header if header.count(name) > 1})
        if duplicates:
            raise EstimateInputError(
                f"{self.name} has the column '{duplicates[0]}' more than once; rename one."
            )
        for line, row in enumerate(rows, start=2):
            if len(row) != len(header):
                raise EstimateInputError(
                    f"{self.name} line {line} has {len(row)} values but the header has {len(header)} columns."
                )
        self.header = header
        self.columns = {name: [row[j].strip() for row in rows] for j, name in enumerate(header)}
        self.rows = len(rows)

    def text(self, column: str, purpose: str) -> list[str]:
        if column not in self.columns:
            raise EstimateInputError(
                f"column '{column}' (for {purpose}) is not in {self.name}; columns are: {', '.join(self.header)}."
            )
        return self.columns[column]

    def labels(self, column: str, purpose: str, *, required: bool) -> np.ndarray:
        values = self.text(column, purpose)
        if required:
            for line, value in enumerate(values, start=2):
                if value in MISSING:
                    raise EstimateInputError(
                        f"column '{column}' (for {purpose}) is missing on line {line} of {self.name}; "
                        "every row needs a value there."
                    )
        return np.array([None if v in MISSING else v for v in values], dtype=object)

    def numbers(self, column: str, purpose: str, *, required: bool) -> np.ndarray:
        result = np.empty(self.rows)
        for index, value in enumerate(self.text(column, purpose)):
            if value in MISSING:
                if required:
                    raise EstimateInputError(
                        f"column '{column}' (for {purpose}) is missing on line {index + 2} of {self.name}; "
                        "every row needs a number there."
                    )
                result[index] = math.nan
                continue
            try:
                result[index] = float(value)
            except ValueError as error:
                raise EstimateInputError(
                    f"column '{column}' (for {purpose}) must be numeric, but line {index + 2} of {self.name} "
                    f"has '{value}'; fix the value or choose a numeric column."
                ) from error
        return result


def _split_columns(values: list[str] | None) -> list[str]:
    """Accept `--ids a b`, `--ids a+b` or `--ids a,b`; "1" means no clusters, as R's `id=~1`."""
    columns: list[str] = []
    for value in values or []:
        columns.extend(part.strip() for part in value.replace("+", ",").split(",") if part.strip())
    return [c for c in columns if c != "1"]


def parse_margin(spec: str, option: str) -> tuple[str, dict[str, float]]:
    """Parse 'column=CATEGORY:TOTAL,CATEGORY:TOTAL' into the column and its population totals."""
    usage = (
        f"{option} '{spec}' is not in the form COLUMN=CATEGORY:TOTAL,...; e.g. {option} '{MARGIN_EXAMPLE}'."
    )
    column, sep, body = spec.partition("=")
    if not sep or not column.strip() or not body.strip():
        raise EstimateInputError(usage)
    totals: dict[str, float] = {}
    for item in body.split(","):
        label, colon, number = item.strip().rpartition(":")
        if not colon or not label:
            raise EstimateInputError(usage)
        try:
            totals[label.strip()] = float(number)
        except ValueError as error:
            raise EstimateInputError(
                f"{option} '{spec}': the total for '{label.strip()}' must be a number (got '{number}')."
            ) from error
    return column.strip(), totals


def _estimate_dict(estimate: Estimate) -> dict[str, float | int | None]:
    """An Estimate as plain JSON values; NaN and infinity become None."""
    result: dict[str, float | int | None] = {}
    for key, value in asdict(estimate).items():
        if isinstance(value, float) and not math.isfinite(value):
            value = None
        result[key] = value
    return result


def _options_dict(options: Mapping[str, Any] | argparse.Namespace) -> dict[str, Any]:
    values = dict(vars(options)) if isinstance(options, argparse.Namespace) else dict(options)
    defaults = vars(add_estimate_arguments(argparse.ArgumentParser()).parse_args(["placeholder.csv"]))
    defaults.pop("csv")
    return {**defaults, **{k: v for k, v in values.items() if v is not None or k not in defaults}}


def _build_design(table: _Table, options: dict[str, Any]) -> SurveyDesign:
    id_columns = _split_columns(options.get("ids"))
    fpc_columns = _split_columns(options.get("fpc"))
    if len(id_columns) > 2:
        raise EstimateInputError(f"--ids names {len(id_columns)} columns; give one per stage, at most two.")
    if fpc_columns and len(fpc_columns) != max(1, len(id_columns)):
        raise EstimateInputError(
            f"--fpc names {len(fpc_columns)} column(s) for {max(1, len(id_columns))} stage(s); give one per stage."
        )
    ids = [table.labels(c, "--ids", required=True) for c in id_columns]
    fpc = [table.numbers(c, "--fpc", required=True) for c in fpc_columns]
    strata = table.labels(options["strata"], "--strata", required=True) if options.get("strata") else None
    weights = (
        table.numbers(options["weights"], "--weights", required=True) if options.get("weights") else None
    )
    try:
        return SurveyDesign(
            weights,
            strata=strata,
            ids=ids or None,
            fpc=fpc or None,
            lonely_psu=options.get("lonely_psu", "fail"),
            nest=bool(options.get("nest")),
            n=table.rows,
        )
    except ValueError as error:
        raise EstimateInputError(
            f"The design described by the options does not fit {table.name}: {error}"
        ) from error


def _calibrate(
    design: SurveyDesign | ReplicateDesign, table: _Table, options: dict[str, Any]
) -> SurveyDesign | ReplicateDesign:
    try:
        if options.get("poststratify"):
            column, totals = parse_margin(options["poststratify"], "--poststratify")
            categories = table.labels(column, "--poststratify", required=True)
            design = poststratify(design, categories, totals, name=column)
        if options.get("rake"):
            margins = []
            for spec in options["rake"]:
                column, totals = parse_margin(spec, "--rake")
                margins.append(Margin(column, table.labels(column, "--rake", required=True), totals))
            design = rake(design, margins)
    except EstimateInputError:
        raise
    except ValueError as error:
        raise EstimateInputError(str(error)) from error
    return design


def run_estimate(options: Mapping[str, Any] | argparse.Namespace) -> dict[str, Any]:
    """Read the CSV named in `options`, build the design, calibrate, and return every requested estimate.

    The result has "file", "rows", "design" (what was used, with degrees of freedom), "level", and "mean",
    "total" and "proportion" sections keyed by column (proportions further keyed by category), each estimate a
    dict of value, se, ci_low, ci_high, df, deff and n.
    """
    values = _options_dict(options)
    if not values.get("csv"):
        raise EstimateInputError("Name the CSV file to estimate from.")
    table = _Table(Path(values["csv"]))
    level = float(values.get("level") or 0.95)
    if not 0 < level < 1:
        raise EstimateInputError(f"--level must be between 0 and 1, e.g. 0.95 (got {level}).")
    interval: Interval = "normal" if values.get("interval") == "normal" else "t"
    wanted = {kind: list(values.get(kind) or []) for kind in ("mean", "total", "proportion")}
    if not any(wanted.values()):
        raise EstimateInputError(
            "Ask for at least one estimate: --mean COLUMN, --total COLUMN or --proportion COLUMN."
        )
    linear = _build_design(table, values)
    design: SurveyDesign | ReplicateDesign = linear
    method = values.get("replicates")
    if method:
        if method not in REPLICATE_METHODS:
            raise EstimateInputError(f"--replicates must be one of {', '.join(sorted(REPLICATE_METHODS))}.")
        try:
            design = as_replicate_design(
                linear,
                REPLICATE_METHODS[method],  # type: ignore[arg-type]
                replicates=int(values.get("bootstrap_replicates") or 50),
                seed=values.get("seed"),
            )
        except ValueError as error:
            raise EstimateInputError(f"--replicates {method}: {error}") from error
    design = _calibrate(design, table, values)
    result: dict[str, Any] = {
        "file": table.name,
        "rows": table.rows,
        "design": {
            "ids": _split_columns(values.get("ids")),
            "strata": values.get("strata"),
            "weights": values.get("weights"),
            "fpc": _split_columns(values.get("fpc")),
            "replicates": method,
            "poststratify": values.get("poststratify"),
            "rake": list(values.get("rake") or []),
            "df": design.df,
        },
        "level": level,
        "mean": {},
        "total": {},
        "proportion": {},
    }
    for kind in ("mean", "total"):
        for column in wanted[kind]:
            y = table.numbers(column, f"--{kind}", required=False)
            estimator = design.mean if kind == "mean" else design.total
            try:
                result[kind][column] = _estimate_dict(estimator(y, level=level, interval=interval))
            except ValueError as error:
                raise EstimateInputError(f"--{kind} {column}: {error}") from error
    for column in wanted["proportion"]:
        categories = table.labels(column, "--proportion", required=False)
        try:
            shares = design.proportions(categories, level=level, interval=interval)
        except ValueError as error:
            raise EstimateInputError(f"--proportion {column}: {error}") from error
        if not shares:
            raise EstimateInputError(f"--proportion {column}: the column has no values in {table.name}.")
        result["proportion"][column] = {label: _estimate_dict(e) for label, e in shares.items()}
    return result


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: print the estimates as JSON."""
    import json
    import sys

    parser = add_estimate_arguments(argparse.ArgumentParser(description=__doc__))
    try:
        print(json.dumps(run_estimate(parser.parse_args(argv)), indent=2))
    except EstimateInputError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
