# ruff: noqa: S608  (DuckDB SQL here is built from constants and the escaped file path; no row value enters it)
"""Import kinds `transactions`, `canada-standards` and `openslo`, and the export kind `openslo`.

Transaction files are read with DuckDB, which streams them: parsed, checked and written to the transaction store in
one pass, so a 10,000,000-row file never has to fit in memory. Nothing is kept when a row is bad, and the file is
then read a second time to report every problem by line and column.
"""

import dataclasses
import datetime as dt
import json
import re
import uuid
from collections import defaultdict
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from touchstone.catalog.channels import Channel
from touchstone.catalog.models import Service
from touchstone.core import audit, numbers
from touchstone.core.importers import create_canada_department
from touchstone.core.importing import (
    MAX_PROBLEMS,
    NUL_MESSAGE,
    Exporter,
    ImportContext,
    Importer,
    RowProblem,
    count_csv_records,
    read_csv_records,
    register_exporter,
    register_importer,
    starts_with_nul,
    text_encoding,
    write_json,
)
from touchstone.core.models import Agency, Office
from touchstone.standards import measurement, services, store
from touchstone.standards.models import (
    PERIOD_DURATIONS,
    WINDOW_DURATION,
    BudgetingMethod,
    Measure,
    Period,
    PeriodResult,
    ServiceStandard,
    StandardType,
    ThresholdOp,
)

REQUIRED_COLUMNS = ["external_id", "service", "channel", "started_at"]
OPTIONAL_COLUMNS = ["ended_at", "outcome", "office", "segment"]
YES = ("y", "yes", "true", "1", "met", "t")
NO = ("n", "no", "false", "0", "not met", "f")


def _quoted(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{value}'" for value in values)


def _local_time(text: str) -> str:
    """DuckDB: the text as a local wall-clock TIMESTAMP, NULL when it is not a date and time."""
    # A time written with a zone ("Z", "+05", "+05:00", "-0500") is converted to local time; one without is local
    # already. A zone shows as a Z, a "+", or a third "-" after the date's two; byte searches and one LIKE
    # test these at a fraction of a regular expression's cost, on every row.
    zone = settings.TIME_ZONE
    with_zone = (
        f"(contains({text}, '+') OR contains({text}, 'Z') OR contains({text}, 'z') OR {text} LIKE '%-%-%-%')"
    )
    return (
        f"CASE WHEN {with_zone} THEN timezone('{zone}', try_cast({text} AS TIMESTAMPTZ)) "
        f"ELSE try_cast({text} AS TIMESTAMP) END"
    )


# Each check: the column it concerns and the DuckDB condition over a parsed row that breaks it.
_LOW, _HIGH = (
    measurement.CALENDAR_FIRST.isoformat(),
    (measurement.CALENDAR_LAST + dt.timedelta(days=1)).isoformat(),
)
CHECKS = {
    "empty_id": ("external_id", "external_id = ''"),
    "unknown_service": ("service", "service_id IS NULL"),
    "unknown_channel": ("channel", "NOT channel_known"),
    "unknown_office": ("office", "office_name IS NOT NULL AND office_id IS NULL"),
    "bad_start": ("started_at", "st IS NULL"),
    "bad_end": ("ended_at", "ended_text IS NOT NULL AND en IS NULL"),
    "out_of_range": (
        "started_at",
        f"st < TIMESTAMP '{_LOW}' OR st >= TIMESTAMP '{_HIGH}' OR en < TIMESTAMP '{_LOW}' OR en >= TIMESTAMP '{_HIGH}'",
    ),
    "end_before_start": ("ended_at", "en < st"),
    "bad_outcome": ("outcome", "outcome_text IS NOT NULL AND outcome IS NULL"),
}
# The fast path writes what it parsed and checks the written file, column by column, which costs far less than a
# test on every row as it streams past. What a stored column can't show is marked as it is written: an end that is
# not a time is stored as UNREADABLE (out of range), an unknown office as office -1, an unreadable outcome as a
# missing start. With the empty ids `Batch.check` finds, these are the same rules as CHECKS, which the slow report
# uses.
UNREADABLE = "TIMESTAMP '1000-01-01'"
WRITTEN_ROW_IS_BAD = f"""(
    service_id IS NULL OR office_id = -1 OR started_at IS NULL
    OR started_at < TIMESTAMP '{_LOW}' OR started_at >= TIMESTAMP '{_HIGH}'
    OR ended_at < TIMESTAMP '{_LOW}' OR ended_at >= TIMESTAMP '{_HIGH}' OR ended_at < started_at
)"""

# A transaction cannot have happened yet; an hour's grace allows for clocks that differ a little.
FUTURE_GRACE = dt.timedelta(hours=1)


def _future_cutoff() -> str:
    """Now, as a local wall-clock DuckDB timestamp (times in the file are compared in local time)."""
    cutoff = timezone.localtime() + FUTURE_GRACE
    return f"TIMESTAMP '{cutoff.replace(tzinfo=None).isoformat(sep=' ', timespec='seconds')}'"


def _future_checks(cutoff: str) -> dict[str, tuple[str, str]]:
    return {
        "future_start": ("started_at", f"st > {cutoff}"),
        "future_end": ("ended_at", f"en > {cutoff} AND NOT coalesce(st > {cutoff}, false)"),
    }


@register_importer
class TransactionsImporter(Importer):
    """Transactions into the store (`touchstone.standards.store`), then the months they touched are measured.

    The file is read once: every row is parsed and written to the load's own Parquet file in one DuckDB statement,
    then the written columns are checked. Only when a bad row, a repeated id or an unknown channel is found is the
    file read again, slowly, to report every problem by line and column; the load's file is then thrown away.
    """

    kind = "transactions"
    label = "Transactions (CSV or Parquet)"
    help_text = (
        "One row per transaction: external_id, service (its web address name or identifier), channel, started_at, "
        "and ended_at or outcome (yes/no); office and segment are optional. Loading a file again updates the rows "
        "with the same external_id."
    )
    suffixes = (".csv", ".parquet")

    def load(self, path: Path, context: ImportContext) -> dict[str, Any]:
        import duckdb

        assert context.agency is not None
        agency = context.agency
        is_parquet = path.suffix.lower() == ".parquet"
        # UTF-16 (told by its byte-order mark) is read as such; any other file must be UTF-8.
        encoding = ", encoding = 'utf-16'" if not is_parquet and text_encoding(path) == "utf-16" else ""
        if not is_parquet and starts_with_nul(path, text_encoding(path)):
            context.problem(1, "", _(NUL_MESSAGE))
            return {"rows": 0}
        source = (
            f"read_parquet('{store.sql_path(path)}')"
            if is_parquet
            else f"read_csv('{store.sql_path(path)}', all_varchar = true, header = true, delim = ',', quote = '\"'{encoding})"
        )
        batch = store.Batch(agency)
        context.undo.append(batch.discard)
        with store.connection() as con:
            try:
                columns = [row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()]
            except duckdb.Error as error:
                self._unreadable(path, is_parquet, error, context)
                return {"rows": 0}
            missing = [name for name in REQUIRED_COLUMNS if name not in columns]
            if missing:
                context.problem(1, ", ".join(missing), _("These columns are missing from the header row."))
                return {"rows": 0}
            self._lookups(con, agency)
            estimate = self._estimate_rows(path, is_parquet)
            context.progress(0, estimate)
            parsed = self._parsed(source, columns, line=None)
            has_outcome = "outcome" in columns
            names = ", ".join(
                f"{expression} AS {name}"
                for name, expression in [
                    ("external_id", "external_id"),
                    ("service_id", "service_id"),
                    ("channel", "channel"),
                    (
                        "office_id",
                        "CASE WHEN office_name IS NOT NULL AND office_id IS NULL THEN -1 ELSE office_id END"
                        if "office" in columns
                        else "office_id",
                    ),
                    (
                        "started_at",
                        "CASE WHEN outcome_text IS NOT NULL AND outcome IS NULL THEN NULL ELSE st END"
                        if has_outcome
                        else "st",
                    ),
                    ("ended_at", f"coalesce(en, CASE WHEN no_end THEN NULL ELSE {UNREADABLE} END)"),
                    ("outcome", "outcome"),
                    ("segment", "segment"),
                ]
            )
            try:
                batch.write(
                    con,
                    f"SELECT {names} FROM ({parsed})",
                    report=lambda share: context.progress(int(share * estimate), estimate),
                )
            except duckdb.Error as error:
                batch.discard()
                self._unreadable(path, is_parquet, error, context)
                return {"rows": 0}
            # Counting each standard's rule in the same scan spares measuring a load of new months a reading.
            now = timezone.now()
            rules = list(
                dict.fromkeys(store.standard_rule(s, now) for s in services.measurable_standards(agency))
            )
            cutoff = _future_cutoff()
            written_row_is_bad = (
                f"({WRITTEN_ROW_IS_BAD} OR started_at > {cutoff} OR coalesce(ended_at > {cutoff}, false))"
            )
            checked = batch.check(con, written_row_is_bad, rules)
            total = checked.rows
            known: set[str | None] = set(Channel.values)
            if not checked.channels <= known and batch.normalize_channels(con) <= known:
                checked = dataclasses.replace(checked, channels=known)
            if checked.bad_rows or checked.repeated_ids or not checked.channels <= known:
                batch.discard()
                problems = self._report(con, source, columns, 1 if is_parquet else 2, context)
                if not problems:  # the two readings disagree: refuse rather than load a file nobody checked
                    context.problem(
                        None, "", _("The file could not be checked; send it to your administrator.")
                    )
                return {"rows": total, "problems": problems}
            committed = store.commit(con, batch)
        context.progress(total, total)
        results = services.measure_touched(agency, committed.touched, now=now, batch=batch)
        alerts = services.check_burn_rates(agency, list(committed.touched))
        audit.record(
            actor=context.actor,
            actor_label=context.actor_label,
            action="imported transactions",
            target=agency,
            agency=agency,
            changes={"rows": [None, total], "results": [None, results]},
        )
        return {
            "rows": total,
            "created": committed.created,
            "updated": committed.replaced,
            "services": len(committed.touched),
            "months": sum(len(months) for months in committed.touched.values()),
            "results_measured": results,
            "alerts": len(alerts),
        }

    @staticmethod
    def _unreadable(path: Path, is_parquet: bool, error: Exception, context: ImportContext) -> None:
        """Why DuckDB could not read the file: for a CSV, the lines Python's own reading finds wrong (not UTF-8, a
        row of the wrong width, a quote never closed); else the first line of DuckDB's words."""
        if not is_parquet:
            probe = ImportContext(agency=None, actor=None)
            for _record in read_csv_records(path, probe, []):
                if len(probe.problems) >= 20:
                    break
            if probe.problems:
                context.problems.extend(probe.problems)
                return
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        line = re.search(r"on Line: (\d+)", first_line)
        context.problem(
            int(line.group(1)) if line else None,
            "",
            _("The file could not be read: %(error)s") % {"error": first_line[:300]},
        )

    @staticmethod
    def _estimate_rows(path: Path, is_parquet: bool) -> int:
        """Rows for the progress bar: exact for Parquet, from the first 64 KB's lines for a CSV."""
        if is_parquet:
            import duckdb

            try:
                with duckdb.connect() as con:
                    row = con.execute(
                        f"SELECT count(*) FROM read_parquet('{store.sql_path(path)}')"
                    ).fetchone()
            except duckdb.Error:
                return 1  # the reading that follows says what is wrong with the file
            return int(row[0]) if row else 0
        size = path.stat().st_size
        with path.open("rb") as handle:
            sample = handle.read(65536)
        lines = max(sample.count(b"\n"), 1)
        return max(int(size / (len(sample) / lines)) - 1, 1)

    def _lookups(self, con: Any, agency: Agency) -> None:
        keys = []
        for pk, slug, external_id in Service.objects.filter(agency=agency).values_list(
            "pk", "slug", "external_id"
        ):
            keys.append((slug, pk))
            if external_id:
                keys.append((external_id, pk))
        con.execute("CREATE TABLE services (key VARCHAR, id BIGINT)")
        if keys:
            con.executemany("INSERT INTO services VALUES (?, ?)", keys)
        con.execute("CREATE TABLE services_u AS SELECT key, min(id) AS id FROM services GROUP BY key")
        con.execute("CREATE TABLE offices (name VARCHAR, id BIGINT)")
        offices = list(Office.objects.filter(agency=agency).values_list("name", "pk"))
        if offices:
            con.executemany("INSERT INTO offices VALUES (?, ?)", offices)

    @staticmethod
    def _parsed(source: str, columns: list[str], line: int | None) -> str:
        """One row per record: its values as text, parsed, and looked up in the agency's services and offices.

        This runs on every row, so each text is trimmed once (an inner query), and columns the file lacks become
        constants with their lookups left out.
        """

        def text(name: str) -> str:
            if name not in columns:
                return "NULL::VARCHAR"
            value = f"CAST(r.{name} AS VARCHAR)"
            if name in ("started_at", "ended_at"):
                return value  # the time casts skip spaces themselves
            if name == "channel" and line is None:
                return (
                    value  # written as sent, and put in the product's words after (Batch.normalize_channels)
                )
            # Most values have no spaces around them; testing two bytes costs far less than trimming every value.
            return (
                f"CASE WHEN prefix({value}, ' ') OR suffix({value}, ' ') THEN trim({value}) ELSE {value} END"
            )

        texts = ", ".join(f"{text(name)} AS {name}" for name in [*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS])
        numbered = f"r.rowid + {line}" if line is not None else "NULL"
        has_office = "office" in columns
        if "outcome" in columns:
            outcome = (
                f"CASE WHEN lower(x.outcome) IN ({_quoted(YES)}) THEN true "
                f"WHEN lower(x.outcome) IN ({_quoted(NO)}) THEN false END"
            )
        else:
            outcome = "NULL::BOOLEAN"
        # The times are parsed below the join with the services, which hands them up as values: conditions above
        # it name them many times, and DuckDB would otherwise parse them again for each.
        return f"""
            SELECT x.line,
                   coalesce(x.external_id, '') AS external_id,
                   x.service AS service_key,
                   s.id AS service_id,
                   {"lower(x.channel)" if line is not None else "x.channel"} AS channel,
                   {f"coalesce(lower(x.channel) IN ({_quoted(tuple(Channel.values))}), false)" if line is not None else "true"} AS channel_known,
                   nullif(x.office, '') AS office_name,
                   {"o.id" if has_office else "NULL::BIGINT"} AS office_id,
                   trim(x.started_at) AS started_text,
                   x.st,
                   nullif(trim(x.ended_at), '') AS ended_text,
                   x.en,
                   x.ended_at IS NULL OR trim(x.ended_at) = '' AS no_end,
                   nullif(lower(x.outcome), '') AS outcome_text,
                   {outcome} AS outcome,
                   coalesce(x.segment, '') AS segment
            FROM (
              SELECT *, {_local_time("started_at")} AS st, {_local_time("ended_at")} AS en
              FROM (SELECT {numbered} AS line, {texts} FROM {source} r)
            ) x
            LEFT JOIN services_u s ON s.key = x.service
            {"LEFT JOIN offices o ON o.name = nullif(x.office, '')" if has_office else ""}
            """

    def _report(
        self, con: Any, source: str, columns: list[str], first_line: int, context: ImportContext
    ) -> int:
        """The slow second reading of a refused file: every problem by line and column, up to a limit."""
        # Line numbers are the rows' places in the file: the store's connection lets DuckDB read in any order, so
        # the order is kept here, or a bad row would be named by another row's line from one run to the next.
        con.execute("SET preserve_insertion_order = true")
        con.execute(f"CREATE TABLE raw AS SELECT * FROM {source}")
        con.execute(f"CREATE TABLE parsed AS {self._parsed('raw', columns, line=first_line)}")
        checks = dict(CHECKS) | _future_checks(_future_cutoff())
        checks["duplicate_id"] = ("external_id", "line IN (SELECT line FROM dupes)")
        # Repeated ids are found with one window pass, so the check stays linear in the file's size.
        con.execute(
            "CREATE TABLE dupes AS SELECT line FROM (SELECT line, row_number() OVER (PARTITION BY external_id "
            "ORDER BY line) AS n FROM parsed WHERE external_id <> '') WHERE n > 1"
        )
        union = " UNION ALL ".join(
            f"SELECT line, '{name}' AS kind, external_id, service_key, channel, office_name, started_text, "
            f"ended_text, outcome_text FROM parsed WHERE {condition}"
            for name, (_column, condition) in checks.items()
        )
        counts = dict(con.execute(f"SELECT kind, count(*) FROM ({union}) GROUP BY kind").fetchall())
        if not counts:
            return 0
        rows = con.execute(f"SELECT * FROM ({union}) ORDER BY line, kind LIMIT {MAX_PROBLEMS + 1}").fetchall()
        names = ["line", "kind", "external_id", "service", "channel", "office", "started", "ended", "outcome"]
        for values in rows:
            row = dict(zip(names, values, strict=True))
            context.problem(int(row["line"]), checks[row["kind"]][0], _problem_message(row["kind"], row))
        if sum(counts.values()) > MAX_PROBLEMS:
            described = ", ".join(
                f"{numbers.count(count)} {_problem_name(kind)}" for kind, count in sorted(counts.items())
            )
            context.problems.append(RowProblem(None, "", _("In all: %(counts)s.") % {"counts": described}))
        return sum(counts.values())


PROBLEM_NAMES = {
    "empty_id": "empty external_id",
    "duplicate_id": "repeated external_id",
    "unknown_service": "unknown service",
    "unknown_channel": "unknown channel",
    "unknown_office": "unknown office",
    "bad_start": "unreadable start",
    "bad_end": "unreadable end",
    "out_of_range": "date out of range",
    "end_before_start": "end before start",
    "bad_outcome": "unreadable outcome",
    "future_start": "start in the future",
    "future_end": "end in the future",
}


def _problem_name(kind: str) -> str:
    return PROBLEM_NAMES.get(kind, kind)


def _problem_message(kind: str, row: dict[str, Any]) -> str:
    if kind == "empty_id":
        return _("The external_id is empty; give each transaction your system's identifier.")
    if kind == "duplicate_id":
        return _("The external_id “%(value)s” appears on an earlier line too; each transaction once.") % {
            "value": row["external_id"]
        }
    if kind == "unknown_service":
        return _("There is no service “%(value)s” in this agency; use a service's web address name.") % {
            "value": row["service"] or ""
        }
    if kind == "unknown_channel":
        return _("“%(value)s” is not a channel; use one of: %(known)s.") % {
            "value": row["channel"] or "",
            "known": ", ".join(Channel.values),
        }
    if kind == "unknown_office":
        return _("There is no office “%(value)s” in this agency.") % {"value": row["office"]}
    if kind == "bad_start":
        return _("“%(value)s” is not a date and time; write it as 2025-01-31 14:05.") % {
            "value": row["started"] or ""
        }
    if kind == "bad_end":
        return _("“%(value)s” is not a date and time; write it as 2025-01-31 14:05.") % {
            "value": row["ended"] or ""
        }
    if kind == "out_of_range":
        return _("Dates must fall between 2000 and 2060.")
    if kind in ("future_start", "future_end"):
        return _(
            "%(value)s is in the future; a transaction is loaded once it has happened. Check the date and its time zone."
        ) % {"value": row["started"] if kind == "future_start" else row["ended"]}
    if kind == "end_before_start":
        return _("The transaction ends (%(end)s) before it starts (%(start)s).") % {
            "end": row["ended"],
            "start": row["started"],
        }
    return _("“%(value)s” is not an outcome; write yes or no.") % {"value": row["outcome"]}


# --- Government of Canada service standards ------------------------------------------------------------------

CANADA_STANDARDS_SOURCE = (
    "Government of Canada, Service standards and performance results (ss_2024.csv), open.canada.ca, "
    "Open Government Licence - Canada"
)
CANADA_TYPES = {
    "TML": StandardType.TIMELINESS,
    "ACS": StandardType.ACCESS,
    "ACY": StandardType.ACCURACY,
    "OTH": StandardType.OTHER,
}
CANADA_CHANNELS = {
    "ONL": Channel.WEBSITE,
    "TEL": Channel.PHONE,
    "PERSON": Channel.IN_PERSON,
    "POST": Channel.POSTAL_MAIL,
    "EML": Channel.EMAIL,
    "FAX": Channel.FAX,
    "OTH": Channel.OTHER_NON_DIGITAL,
}
CANADA_COLUMNS = [
    "fiscal_yr",
    "service_id",
    "service_name_en",
    "service_standard_id",
    "service_standard_en",
    "type",
    "channel",
    "target",
    "volume_meeting_target",
    "total_volume",
    "performance",
    "target_met",
    "owner_org",
    "owner_org_title",
]
# Published performance is rounded to four places; a larger gap is a disagreement.
PERFORMANCE_TOLERANCE = 0.0005


def canada_fiscal_year(text: str) -> measurement.PeriodSpan | None:
    """'2023-2024' -> April 1, 2023 to March 31, 2024 (Canada's fiscal year)."""
    match = re.fullmatch(r"(\d{4})-(\d{4})", text.strip())
    if not match or int(match.group(2)) != int(match.group(1)) + 1:
        return None
    first = int(match.group(1))
    return measurement.PeriodSpan(dt.date(first, 4, 1), dt.date(first + 1, 3, 31), text.strip())


def _number(text: str, line: int, column: str, context: ImportContext, whole: bool = False) -> float | None:
    text = text.strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        context.problem(line, column, _("“%(value)s” is not a number.") % {"value": text})
        return None
    if value < 0 or (whole and value != int(value)):
        context.problem(
            line, column, _("“%(value)s” must be a whole number, not negative.") % {"value": text}
        )
        return None
    return value


def judge_published(
    standard_target: float | None,
    met: float | None,
    total: float | None,
    performance: float | None,
    target_met: str,
) -> tuple[float | None, str, str]:
    """(recomputed performance, recomputed Y/N/NA, why the published row disagrees or '')."""
    notes = []
    recomputed: float | None = None
    verdict = "NA"
    if met is not None and total:
        if met > total:
            notes.append(
                _("The volume meeting the target (%(met)s) is larger than the total (%(total)s).")
                % {"met": numbers.count(round(met)), "total": numbers.count(round(total))}
            )
        else:
            recomputed = met / total
            if standard_target is not None:
                verdict = "Y" if recomputed >= standard_target - 1e-12 else "N"
    if (
        recomputed is not None
        and performance is not None
        and abs(recomputed - performance) > PERFORMANCE_TOLERANCE
    ):
        notes.append(
            _("Published performance %(published)s but the volumes give %(recomputed)s.")
            % {"published": numbers.percent(performance, 2), "recomputed": numbers.percent(recomputed, 2)}
        )
    if recomputed is not None and performance is None:
        notes.append(
            _("No performance was published, though the volumes give %(recomputed)s.")
            % {"recomputed": numbers.percent(recomputed, 2)}
        )
    published = target_met.strip().upper() or "NA"
    if published != verdict and not notes:
        notes.append(
            _("Published “target met” is %(published)s but the volumes and target say %(verdict)s.")
            % {"published": published, "verdict": verdict}
        )
    return recomputed, verdict, " ".join(notes)


@register_importer
class CanadaStandardsImporter(Importer):
    kind = "canada-standards"
    label = "Government of Canada service standards and results"
    help_text = (
        "ss_2024.csv from Canada's open data: departments become agencies, services and standards are created, "
        "and each year's volumes are kept as results, recomputed and checked against the published figures."
    )
    needs_agency = False

    def count_rows(self, path: Path) -> int | None:
        return count_csv_records(path)

    def load(self, path: Path, context: ImportContext) -> dict[str, Any]:
        total_rows = self.count_rows(path)
        rows = 0
        agencies: dict[str, Agency] = {a.external_code: a for a in Agency.objects.exclude(external_code="")}
        taken = set(Agency.objects.values_list("abbreviation", flat=True))
        service_cache: dict[tuple[int, str], Service] = {}
        counts: defaultdict[str, int] = defaultdict(int)
        for line, row in read_csv_records(path, context, CANADA_COLUMNS, total_rows):
            rows += 1
            span = canada_fiscal_year(row["fiscal_yr"])
            if span is None:
                context.problem(line, "fiscal_yr", _("Write the fiscal year as 2023-2024."))
            for column in ("owner_org", "service_id", "service_standard_id", "service_standard_en"):
                if not row[column].strip():
                    context.problem(line, column, _("This column must not be empty."))
            target = _number(row["target"], line, "target", context)
            if target is not None and target > 1:
                context.problem(line, "target", _("The target is a share between 0 and 1."))
            met = _number(row["volume_meeting_target"], line, "volume_meeting_target", context, whole=True)
            total = _number(row["total_volume"], line, "total_volume", context, whole=True)
            performance = _number(row["performance"], line, "performance", context)
            if context.problems or span is None:
                continue
            code = row["owner_org"].strip()
            agency = agencies.get(code)
            if agency is None:
                agency = create_canada_department(
                    code, row["owner_org_title"], taken, context, "canada-standards"
                )
                agencies[code] = agency
                counts["agencies_created"] += 1
            service = self._service(agency, row, service_cache, counts)
            standard = self._standard(agency, service, row, target, span, counts)
            recomputed, verdict, note = judge_published(target, met, total, performance, row["target_met"])
            services.save_result(
                standard,
                span,
                None if met is None else int(met),
                None if total is None else int(total),
                source=PeriodResult.Source.IMPORTED,
                published_performance=performance,
                published_met=row["target_met"].strip().upper()[:3],
                discrepancy_note=note,
            )
            counts["results"] += 1
            counts["discrepancies"] += bool(note)
            counts["met"] += verdict == "Y"
            counts["not_met"] += verdict == "N"
        return {"rows": rows, **counts, "source": CANADA_STANDARDS_SOURCE}

    def _service(
        self,
        agency: Agency,
        row: dict[str, str],
        cache: dict[tuple[int, str], Service],
        counts: dict[str, int],
    ) -> Service:
        key = (agency.pk, row["service_id"].strip())
        if key not in cache:
            service = Service.objects.filter(agency=agency, external_id=key[1]).first()
            if service is None:
                name = row["service_name_en"].strip() or key[1]
                service = Service.objects.create(
                    agency=agency,
                    name=name[:300],
                    slug=slugify(f"{key[1]}-{name}")[:80],
                    description=name,
                    external_id=key[1],
                    status=Service.Status.PUBLISHED,
                )
                counts["services_created"] += 1
            cache[key] = service
        return cache[key]

    def _standard(
        self,
        agency: Agency,
        service: Service,
        row: dict[str, str],
        target: float | None,
        span: measurement.PeriodSpan,
        counts: dict[str, int],
    ) -> ServiceStandard:
        fields = {
            "statement": row["service_standard_en"].strip(),
            "standard_type": CANADA_TYPES.get(row["type"].strip().upper(), StandardType.OTHER),
            "channel": CANADA_CHANNELS.get(row["channel"].strip().upper(), ""),
            "target": target,
        }
        standard = ServiceStandard.objects.filter(
            agency=agency,
            service=service,
            external_id=row["service_standard_id"].strip(),
            valid_until__isnull=True,
        ).first()
        if standard is None:
            standard = ServiceStandard.objects.create(
                agency=agency,
                service=service,
                external_id=row["service_standard_id"].strip(),
                measure=Measure.OUTCOME,
                period=Period.FISCAL_YEAR,
                valid_from=span.start,
                source="canada",
                **fields,
            )
            counts["standards_created"] += 1
        elif any(getattr(standard, k) != v for k, v in fields.items()):
            for key, value in fields.items():
                setattr(standard, key, value)
            standard.save(update_fields=list(fields))
        return standard


# --- OpenSLO ----------------------------------------------------------------------------------------------------

OPENSLO_VERSION = "openslo/v1"
PERIOD_WINDOWS: dict[str, str] = {Period.MONTH: "1M", Period.QUARTER: "1Q", Period.FISCAL_YEAR: "1Y"}
WINDOW_PERIODS = {
    duration: period for period, durations in PERIOD_DURATIONS.items() for duration in durations
}
BUDGETING_METHODS = {
    "Occurrences": BudgetingMethod.OCCURRENCES,
    "Timeslices": BudgetingMethod.TIMESLICES,
    "RatioTimeslices": BudgetingMethod.RATIO_TIMESLICES,
}
OPENSLO_METHODS: dict[str, str] = {str(value): key for key, value in BUDGETING_METHODS.items()}


# A YAML file may name one node many times with anchors and aliases; a few hundred bytes can so stand for
# billions of nodes. The composed document is measured as if every alias were written out, and refused past this.
MAX_DOCUMENT_NODES = 100_000


def _expanded_nodes(node: Any, sizes: dict[int, int]) -> int:
    """Nodes in `node` with every alias written out, stopping once past MAX_DOCUMENT_NODES."""
    import yaml

    key = id(node)
    if key in sizes:
        return sizes[key]
    sizes[key] = MAX_DOCUMENT_NODES + 1  # a node that contains itself never ends
    total = 1
    if isinstance(node, yaml.SequenceNode):
        for child in node.value:
            total += _expanded_nodes(child, sizes)
            if total > MAX_DOCUMENT_NODES:
                break
    elif isinstance(node, yaml.MappingNode):
        for name, value in node.value:
            total += _expanded_nodes(name, sizes) + _expanded_nodes(value, sizes)
            if total > MAX_DOCUMENT_NODES:
                break
    sizes[key] = min(total, MAX_DOCUMENT_NODES + 1)
    return sizes[key]


def _safe_yaml_documents(text: str) -> list[Any]:
    """Every document of a YAML text, read with the safe loader, refusing one whose aliases expand too far."""
    import yaml

    loader = yaml.SafeLoader(text)
    documents = []
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is not None and _expanded_nodes(node, {}) > MAX_DOCUMENT_NODES:
                raise ValueError(
                    _(
                        "The YAML names its anchors so many times that it stands for more than %(limit)s values; "
                        "write the documents out without anchors (&) and aliases (*)."
                    )
                    % {"limit": numbers.count(MAX_DOCUMENT_NODES)}
                )
            documents.append(loader.construct_document(node))
    finally:
        loader.dispose()
    return documents


def _documents_in(data: Any) -> list[Any]:
    """The documents of a value read from a file: a mapping is one, a list (or a `kind: List`) holds several."""
    if isinstance(data, list):
        return [document for item in data for document in _documents_in(item)]
    if isinstance(data, dict) and (data.get("kind") == "List" or ("items" in data and "kind" not in data)):
        return _documents_in(data.get("items") or [])
    return [data]


def _read_documents(path: Path) -> list[Any]:
    """The OpenSLO documents of a file: one JSON or YAML document, several YAML documents (---), or a list of
    them in JSON or YAML. ValueError with what to change when it is none of these."""
    import yaml

    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValueError(
            _("The file is not UTF-8 text (byte %(position)s); save it as UTF-8 and send it again.")
            % {"position": error.start}
        ) from error
    if "\x00" in text:
        raise ValueError(_("The file holds NUL characters; save it as UTF-8 text and send it again."))
    try:
        try:
            data: Any = json.loads(text)
        except json.JSONDecodeError:
            data = _safe_yaml_documents(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        unreadable = ValueError(
            _("The file is neither JSON nor YAML: %(error)s")
            % {"error": str(getattr(error, "problem", "") or error)[:200]}
        )
        unreadable.line = mark.line + 1 if mark is not None else None  # type: ignore[attr-defined]
        raise unreadable from error
    except RecursionError as error:
        raise ValueError(_("The file nests its values too deeply to be an OpenSLO document.")) from error
    documents = [document for document in _documents_in(data) if document is not None]
    if not any(isinstance(document, dict) for document in documents):
        raise ValueError(_("The file holds no OpenSLO document (a mapping with apiVersion, kind and spec)."))
    return documents


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _name(document: dict[str, Any]) -> str:
    return str(_mapping(document.get("metadata")).get("name") or "")


class Refused(ValueError):
    """One SLO cannot be imported as it is written: the field and what to change."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclasses.dataclass(frozen=True)
class Objective:
    """What an SLO's objective promises, in the product's terms."""

    measure: str
    threshold: float | None
    threshold_op: str
    standard_type: str


@register_importer
class OpenSloImporter(Importer):
    kind = "openslo"
    label = "OpenSLO documents (openslo/v1 SLO and SLI)"
    help_text = (
        "JSON or YAML: one document, several YAML documents, or a list of them. Each SLO's spec.service is a "
        "service's web address name; its indicator is written inline or named by indicatorRef (an SLI in the "
        "same file). A threshold objective (op lt or lte) is a response time in milliseconds; a ratio objective "
        "is the share of good transactions. Loading a file again updates the standards with the same name."
    )
    suffixes = (".json", ".yaml", ".yml")

    def load(self, path: Path, context: ImportContext) -> dict[str, Any]:
        assert context.agency is not None
        try:
            documents = _read_documents(path)
        except ValueError as error:
            context.problem(getattr(error, "line", None), "", str(error))
            return {"rows": 0}
        indicators = {
            _name(doc): doc for doc in documents if isinstance(doc, dict) and doc.get("kind") == "SLI"
        }
        counts: defaultdict[str, int] = defaultdict(int)
        seen: dict[str, int] = {}
        slos = 0
        for number, doc in enumerate(documents, start=1):
            if not isinstance(doc, dict) or doc.get("kind") != "SLO":
                continue
            slos += 1
            where = _("Document %(number)s (SLO %(name)s)") % {
                "number": number,
                "name": _name(doc)[:60] or "?",
            }
            try:
                standards = self._standards_data(doc, indicators, context.agency)
            except Refused as refused:
                context.problem(number, refused.field, f"{where}: {refused}")
                continue
            except (TypeError, ValueError, AttributeError, IndexError, KeyError):
                context.problem(
                    number,
                    "",
                    _(
                        "%(where)s: this document is not an SLO this product can read; check that metadata, "
                        "spec, spec.objectives and spec.timeWindow have the shapes OpenSLO v1 gives them."
                    )
                    % {"where": where},
                )
                continue
            for data, lineage in standards:
                if data["external_id"] in seen:
                    context.problem(
                        number,
                        "metadata.name",
                        _("%(where)s: the name “%(name)s” is already used by document %(other)s.")
                        % {"where": where, "name": data["external_id"], "other": seen[data["external_id"]]},
                    )
                    continue
                seen[data["external_id"]] = number
                try:
                    with transaction.atomic():
                        _standard, outcome = services.import_standard(
                            actor=context.actor,
                            actor_label=context.actor_label,
                            agency=context.agency,
                            data=data,
                            lineage=lineage,
                        )
                except ValidationError as error:
                    found = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
                    for field_name, messages in found.items():
                        context.problem(number, field_name, f"{where}: {' '.join(messages)}")
                    continue
                counts[f"standards_{outcome}"] += 1
        if not slos:
            context.problem(None, "", _("The file holds no SLO document."))
        return {"rows": slos, "standards_created": 0, **counts}

    def _standards_data(
        self, doc: dict[str, Any], indicators: dict[str, Any], agency: Agency
    ) -> list[tuple[dict[str, Any], Any]]:
        """One standard per objective of the SLO, each with the lineage it came from (our own export's)."""
        version = doc.get("apiVersion")
        if version != OPENSLO_VERSION:
            raise Refused(
                "apiVersion",
                _("apiVersion is %(version)s; this product reads openslo/v1 documents.")
                % {"version": version or _("missing")},
            )
        metadata = _mapping(doc.get("metadata"))
        notes = {str(key): value for key, value in _mapping(metadata.get("annotations")).items()}
        spec = _mapping(doc.get("spec"))
        name = _name(doc)
        if not name:
            raise Refused("metadata.name", _("give the SLO a name (metadata.name)."))
        service = self._service(agency, spec.get("service"))
        window = self._window(spec.get("timeWindow"))
        method = BUDGETING_METHODS.get(str(spec.get("budgetingMethod", "Occurrences")))
        if method is None:
            raise Refused(
                "spec.budgetingMethod",
                _("the budgeting method is %(method)s; write Occurrences, Timeslices or RatioTimeslices.")
                % {"method": spec.get("budgetingMethod")},
            )
        objectives = spec.get("objectives")
        if not isinstance(objectives, list) or not objectives:
            raise Refused("spec.objectives", _("an SLO needs at least one objective with a target."))
        period = (
            WINDOW_PERIODS.get(window["duration"], Period.MONTH) if not window["rolling"] else Period.MONTH
        )
        if notes.get("touchstone/period") in Period.values:
            period = str(notes["touchstone/period"])
        start = notes.get("touchstone/valid-from") or window["start"]
        try:
            valid_from = dt.date.fromisoformat(str(start)[:10]) if start else None
        except ValueError as error:
            raise Refused(
                "spec.timeWindow.calendar.startTime",
                _("write the start time as 2025-01-01 00:00:00, not “%(value)s”.")
                % {"value": str(start)[:40]},
            ) from error
        valid_from = measurement.period_of(period, valid_from or timezone.localdate()).start
        lineage = None
        if notes.get("touchstone/lineage") and len(objectives) == 1:
            try:
                lineage = uuid.UUID(str(notes["touchstone/lineage"]))
            except ValueError:
                lineage = None
        found = []
        for index, raw in enumerate(objectives, start=1):
            item = _mapping(raw)
            field = f"spec.objectives[{index - 1}]"
            if "compositeWeight" in item:
                raise Refused(
                    f"{field}.compositeWeight",
                    _(
                        "a composite SLO weighs several indicators into one objective, which a standard cannot "
                        "hold; write each objective as an SLO of its own."
                    ),
                )
            # An objective may name its own indicator; the SLO's serves the others.
            own = "indicator" in item or "indicatorRef" in item
            indicator = self._indicator(item if own else spec, indicators)
            objective = self._objective(item, indicator, notes, field)
            target = self._target(item, field)
            external_id = name if len(objectives) == 1 else f"{name}#{index}"
            if len(external_id) > 60:
                raise Refused("metadata.name", _("shorten the name to 60 characters or fewer."))
            statement = str(
                notes.get("touchstone/statement")
                or spec.get("description")
                or metadata.get("displayName")
                or name
            )
            if len(objectives) > 1 and item.get("displayName"):
                statement = f"{statement} ({item['displayName']})"
            slice_target = item.get("timeSliceTarget")
            if slice_target is not None and (
                not isinstance(slice_target, int | float)
                or isinstance(slice_target, bool)
                or not 0 < slice_target <= 1
            ):
                raise Refused(
                    f"{field}.timeSliceTarget", _("the time slice target is a share between 0 and 1.")
                )
            channel = str(notes.get("touchstone/channel", ""))
            found.append(
                (
                    {
                        "service": service,
                        "channel": channel if channel in Channel.values else "",
                        "statement": statement,
                        "standard_type": objective.standard_type,
                        "measure": objective.measure,
                        "threshold": objective.threshold,
                        "threshold_op": objective.threshold_op,
                        "survey_measure": str(notes.get("touchstone/survey-measure", ""))[:300],
                        "target": target,
                        "period": period,
                        "valid_from": valid_from,
                        # A calendar window that is the period itself is held as the period.
                        "window_duration": ""
                        if not window["rolling"] and window["duration"] in PERIOD_DURATIONS[period]
                        else window["duration"],
                        "window_is_rolling": window["rolling"],
                        "budgeting_method": method,
                        "timeslice_target": None if slice_target is None else float(slice_target),
                        "timeslice_window": str(item.get("timeSliceWindow") or ""),
                        "source": "openslo",
                        "external_id": external_id,
                    },
                    lineage,
                )
            )
        return found

    @staticmethod
    def _service(agency: Agency, written: Any) -> Service:
        key = str(written or "").strip()[:300]
        services_of = Service.objects.filter(agency=agency)
        service = (
            services_of.filter(slug=key).first()
            or (services_of.filter(external_id=key).first() if key else None)
            or (services_of.filter(name__iexact=key).first() if key else None)
        )
        if service is None:
            raise Refused(
                "spec.service",
                _(
                    "no service “%(service)s” in this agency; write the web address name of one of its services "
                    "in spec.service, or add the service to the catalog first."
                )
                % {"service": key},
            )
        return service

    @staticmethod
    def _indicator(spec: dict[str, Any], indicators: dict[str, Any]) -> dict[str, Any]:
        """The SLI's spec, written inline or named by indicatorRef; refused when it names an SLI not in the file."""
        if spec.get("indicator") is not None:
            return _mapping(_mapping(spec["indicator"]).get("spec"))
        reference = spec.get("indicatorRef")
        if reference is None:
            raise Refused(
                "spec.indicator",
                _("the SLO has no indicator; write it inline or name an SLI with indicatorRef."),
            )
        sli = indicators.get(str(reference))
        if sli is None:
            raise Refused(
                "spec.indicatorRef",
                _("indicatorRef names the SLI “%(name)s”, which is not in this file; add that SLI document.")
                % {"name": reference},
            )
        return _mapping(sli.get("spec"))

    @staticmethod
    def _window(written: Any) -> dict[str, Any]:
        windows = written if isinstance(written, list) else [written] if isinstance(written, dict) else []
        if len(windows) != 1 or not isinstance(windows[0], dict):
            raise Refused(
                "spec.timeWindow",
                _("give one time window, for example duration: 28d with isRolling: true."),
            )
        window = windows[0]
        duration = str(window.get("duration", "")).strip()
        if duration.endswith("y"):
            duration = duration[:-1] + "Y"  # older files write a year in lower case
        if WINDOW_DURATION.match(duration) is None:
            raise Refused(
                "spec.timeWindow.duration",
                _("the duration “%(duration)s” is not a number and a unit (m, h, d, w, M, Q or Y), like 28d.")
                % {"duration": window.get("duration", "")},
            )
        rolling = window.get("isRolling", False)
        if not isinstance(rolling, bool):
            raise Refused("spec.timeWindow.isRolling", _("isRolling is true or false."))
        calendar = _mapping(window.get("calendar"))
        return {
            "duration": duration,
            "rolling": rolling,
            "start": "" if rolling else calendar.get("startTime", ""),
        }

    @staticmethod
    def _objective(
        item: dict[str, Any], indicator: dict[str, Any], notes: dict[str, Any], field: str
    ) -> Objective:
        """The measure an objective names: our own annotations first, then the indicator's shape."""
        written_type = notes.get("touchstone/type")
        measure = notes.get("touchstone/measure")
        op = str(item.get("op", "lte"))
        if measure:
            if measure not in Measure.values:
                raise Refused("touchstone/measure", _("the annotation touchstone/measure is not a measure."))
            threshold = notes.get("touchstone/threshold", item.get("value"))
            return Objective(
                str(measure),
                float(threshold) if threshold not in (None, "") else None,
                op if op in ThresholdOp.values else ThresholdOp.AT_MOST,
                str(written_type) if written_type in StandardType.values else StandardType.TIMELINESS,
            )
        if "thresholdMetric" in indicator:
            value = item.get("value")
            if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
                raise Refused(
                    f"{field}.value",
                    _("a threshold objective needs the most milliseconds a request may take in value."),
                )
            if op not in ThresholdOp.values:
                raise Refused(
                    f"{field}.op",
                    _(
                        "op is %(op)s: a threshold is measured as the time each transaction takes, which must be "
                        "below it (lt) or at most it (lte)."
                    )
                    % {"op": op},
                )
            return Objective(
                Measure.MILLISECONDS,
                float(value),
                op,
                str(written_type) if written_type in StandardType.values else StandardType.TIMELINESS,
            )
        if "ratioMetric" in indicator:
            if item.get("value") is not None:
                raise Refused(
                    f"{field}.value",
                    _(
                        "a ratio indicator is judged by its target share alone; remove value from the objective."
                    ),
                )
            return Objective(
                Measure.OUTCOME,
                None,
                ThresholdOp.AT_MOST,
                str(written_type) if written_type in StandardType.values else StandardType.AVAILABILITY,
            )
        raise Refused("spec.indicator", _("the indicator has neither a ratioMetric nor a thresholdMetric."))

    @staticmethod
    def _target(item: dict[str, Any], field: str) -> float:
        target = item.get("target")
        if target is None and item.get("targetPercent") is not None:
            percent = item["targetPercent"]
            target = (
                percent / 100 if isinstance(percent, int | float) and not isinstance(percent, bool) else -1
            )
        if not isinstance(target, int | float) or isinstance(target, bool) or not 0 <= target <= 1:
            raise Refused(
                f"{field}.target",
                _("the target is a share between 0 and 1, such as 0.99, or targetPercent between 0 and 100."),
            )
        return float(target)


def _indicator_document(standard: ServiceStandard, name: str) -> dict[str, Any]:
    def source(query: str) -> dict[str, Any]:
        return {"metricSource": {"type": "touchstone", "spec": {"query": query}}}

    if standard.measure == Measure.MILLISECONDS:
        metric: dict[str, Any] = {
            "thresholdMetric": source("response time of each transaction in milliseconds")
        }
    else:
        metric = {
            "ratioMetric": {
                "counter": True,
                "good": source("transactions meeting the standard"),
                "total": source("transactions counted"),
            }
        }
    return {"metadata": {"name": f"{name}-indicator"}, "spec": metric}


def openslo_documents(agency: Agency | None) -> list[dict[str, Any]]:
    """An SLO with its indicator inline for each current standard of the agency, its window and objective as held.

    What OpenSLO has no field for (the statement, how elapsed time is counted, the reporting period, the channel)
    travels in touchstone/ annotations, so the file imports back to the same standards.
    """
    documents: list[dict[str, Any]] = []
    standards = ServiceStandard.objects.filter(agency=agency, valid_until__isnull=True).select_related(
        "service"
    )
    for standard in standards.order_by("pk"):
        name = standard.external_id or f"standard-{standard.pk}"
        objective: dict[str, Any] = {"displayName": standard.statement[:120], "target": standard.target}
        if standard.threshold is not None:
            objective.update({"op": standard.threshold_op, "value": standard.threshold})
        if standard.budgeting_method != BudgetingMethod.OCCURRENCES:
            objective["timeSliceWindow"] = standard.timeslice_window
            if standard.timeslice_target is not None:
                objective["timeSliceTarget"] = standard.timeslice_target
        window: dict[str, Any] = {
            "duration": standard.window_duration or PERIOD_WINDOWS.get(standard.period, "1M"),
            "isRolling": standard.window_is_rolling,
        }
        if not standard.window_is_rolling:
            window["calendar"] = {
                "startTime": f"{standard.valid_from.isoformat()} 00:00:00",
                "timeZone": settings.TIME_ZONE,
            }
        documents.append(
            {
                "apiVersion": OPENSLO_VERSION,
                "kind": "SLO",
                "metadata": {
                    "name": name,
                    "displayName": standard.statement[:120],
                    "annotations": {
                        "touchstone/statement": standard.statement,
                        "touchstone/measure": standard.measure,
                        "touchstone/threshold": "" if standard.threshold is None else str(standard.threshold),
                        "touchstone/channel": standard.channel,
                        "touchstone/type": standard.standard_type,
                        "touchstone/period": standard.period,
                        "touchstone/survey-measure": standard.survey_measure,
                        "touchstone/valid-from": standard.valid_from.isoformat(),
                        "touchstone/version": str(standard.version),
                        "touchstone/lineage": str(standard.lineage),
                    },
                },
                "spec": {
                    "description": standard.statement,
                    "service": standard.service.slug,
                    "indicator": _indicator_document(standard, name),
                    "timeWindow": [window],
                    "budgetingMethod": OPENSLO_METHODS[standard.budgeting_method],
                    "objectives": [objective],
                },
            }
        )
    return documents


@register_exporter
class OpenSloExporter(Exporter):
    kind = "openslo"
    label = "Service standards as OpenSLO (JSON)"
    content_type = "application/json"
    suffix = ".json"

    def write(self, stream: IO[str], agency: Agency | None) -> None:
        write_json(stream, openslo_documents(agency))
