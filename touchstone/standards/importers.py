# ruff: noqa: S608  (DuckDB SQL here is built from constants and the escaped file path; no row value enters it)
"""Import kinds `transactions`, `canada-standards` and `openslo`, and the export kind `openslo`.

Transaction files are read with DuckDB: checked whole in one pass (every problem by line and column), then
written in chunks, so a 10,000,000-row file never has to fit in memory. Nothing is written when a row is bad.
"""

import datetime as dt
import json
import re
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import connection
from django.utils.text import slugify
from django.utils.translation import gettext as _

from touchstone.catalog.channels import Channel
from touchstone.catalog.models import Service
from touchstone.core import audit
from touchstone.core.importers import canada_abbreviation
from touchstone.core.importing import (
    MAX_PROBLEMS,
    Exporter,
    ImportContext,
    Importer,
    RowProblem,
    count_csv_records,
    read_csv_records,
    register_exporter,
    register_importer,
    write_json,
)
from touchstone.core.models import Agency, Office
from touchstone.standards import measurement, services
from touchstone.standards.models import Measure, Period, PeriodResult, ServiceStandard, StandardType

CHUNK_ROWS = 100_000
REQUIRED_COLUMNS = ["external_id", "service", "channel", "started_at"]
OPTIONAL_COLUMNS = ["ended_at", "outcome", "office", "segment"]
YES = ("y", "yes", "true", "1", "met", "t")
NO = ("n", "no", "false", "0", "not met", "f")


def _quoted(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{value}'" for value in values)


@register_importer
class TransactionsImporter(Importer):
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
        with tempfile.TemporaryDirectory(prefix="touchstone-duckdb-") as scratch:
            con = duckdb.connect(str(Path(scratch) / "load.duckdb"))
            try:
                con.execute(f"SET TimeZone = '{settings.TIME_ZONE}'")
                con.execute(f"SET temp_directory = '{scratch}'")
                con.execute("SET preserve_insertion_order = true")
                is_parquet = path.suffix.lower() == ".parquet"
                first_line = 1 if is_parquet else 2
                source = (
                    f"read_parquet('{_sql_path(path)}')"
                    if is_parquet
                    else (f"read_csv('{_sql_path(path)}', all_varchar = true, header = true)")
                )
                try:
                    con.execute(f"CREATE TABLE raw AS SELECT * FROM {source}")
                except duckdb.Error as error:
                    context.problem(
                        None, "", _("The file could not be read: %(error)s") % {"error": str(error)[:300]}
                    )
                    return {"rows": 0}
                columns = [row[0] for row in con.execute("DESCRIBE raw").fetchall()]
                missing = [name for name in REQUIRED_COLUMNS if name not in columns]
                if missing:
                    context.problem(
                        1, ", ".join(missing), _("These columns are missing from the header row.")
                    )
                    return {"rows": 0}
                total = int(con.execute("SELECT count(*) FROM raw").fetchone()[0])  # type: ignore[index]
                context.progress(0, total)
                self._lookups(con, agency)
                self._parse(con, columns, first_line)
                problems = self._check(con, context)
                if problems:
                    return {"rows": total, "problems": problems}
                touched = self._write(con, agency, context, total)
            finally:
                con.close()
        results = services.measure_touched(agency, touched)
        alerts = services.check_burn_rates(agency, list(touched))
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
            "services": len(touched),
            "months": sum(len(months) for months in touched.values()),
            "results_measured": results,
            "alerts": len(alerts),
        }

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
        con.execute("CREATE TABLE channels (value VARCHAR)")
        con.executemany("INSERT INTO channels VALUES (?)", [(value,) for value in Channel.values])
        # The same business-day ordinals as measurement.business_calendar(), built inside DuckDB.
        closed = ", ".join(
            f"DATE '{day.isoformat()}'"
            for day, _o, business in measurement.business_calendar()
            if not business and day.weekday() < 5
        )
        con.execute(
            f"""
            CREATE TABLE calendar AS
            SELECT day, CAST(sum(CAST(bday AS INTEGER)) OVER (ORDER BY day) AS INTEGER) AS ord, bday FROM (
              SELECT CAST(d AS DATE) AS day, isodow(d) < 6 AND CAST(d AS DATE) NOT IN ({closed}) AS bday
              FROM range(DATE '{measurement.CALENDAR_FIRST}', DATE '{measurement.CALENDAR_LAST}' + 1, INTERVAL 1 DAY) t(d)
            )
            """
        )

    def _parse(self, con: Any, columns: list[str], first_line: int) -> None:
        def text(name: str) -> str:
            return f"trim(CAST(r.{name} AS VARCHAR))" if name in columns else "NULL::VARCHAR"

        con.execute(
            f"""
            CREATE TABLE parsed AS
            SELECT r.rowid + {first_line} AS line,
                   coalesce({text("external_id")}, '') AS external_id,
                   {text("service")} AS service_key,
                   s.id AS service_id,
                   lower({text("channel")}) AS channel,
                   ch.value IS NOT NULL AS channel_known,
                   {text("office")} AS office_name,
                   o.id AS office_id,
                   {text("started_at")} AS started_text,
                   try_cast({text("started_at")} AS TIMESTAMPTZ) AS st,
                   nullif({text("ended_at")}, '') AS ended_text,
                   try_cast(nullif({text("ended_at")}, '') AS TIMESTAMPTZ) AS en,
                   nullif(lower({text("outcome")}), '') AS outcome_text,
                   CASE WHEN lower({text("outcome")}) IN ({_quoted(YES)}) THEN true
                        WHEN lower({text("outcome")}) IN ({_quoted(NO)}) THEN false END AS outcome,
                   coalesce({text("segment")}, '') AS segment
            FROM raw r
            LEFT JOIN services_u s ON s.key = {text("service")}
            LEFT JOIN channels ch ON ch.value = lower({text("channel")})
            LEFT JOIN offices o ON o.name = {text("office")}
            """
        )

    def _check(self, con: Any, context: ImportContext) -> int:
        low, high = measurement.CALENDAR_FIRST.isoformat(), measurement.CALENDAR_LAST.isoformat()
        checks = {
            "empty_id": ("external_id", "external_id = ''"),
            "duplicate_id": ("external_id", "line IN (SELECT line FROM dupes)"),
            "unknown_service": ("service", "service_id IS NULL"),
            "unknown_channel": ("channel", "NOT channel_known"),
            "unknown_office": (
                "office",
                "office_name IS NOT NULL AND office_name <> '' AND office_id IS NULL",
            ),
            "bad_start": ("started_at", "st IS NULL"),
            "bad_end": ("ended_at", "ended_text IS NOT NULL AND en IS NULL"),
            "out_of_range": (
                "started_at",
                f"st IS NOT NULL AND (CAST(st AS DATE) < DATE '{low}' OR CAST(st AS DATE) > DATE '{high}' "
                f"OR (en IS NOT NULL AND (CAST(en AS DATE) < DATE '{low}' OR CAST(en AS DATE) > DATE '{high}')))",
            ),
            "end_before_start": ("ended_at", "en IS NOT NULL AND st IS NOT NULL AND en < st"),
            "bad_outcome": ("outcome", "outcome_text IS NOT NULL AND outcome IS NULL"),
        }
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
                f"{count:,} {_problem_name(kind)}" for kind, count in sorted(counts.items())
            )
            context.problems.append(RowProblem(None, "", _("In all: %(counts)s.") % {"counts": described}))
        return sum(counts.values())

    def _write(self, con: Any, agency: Agency, context: ImportContext, total: int) -> services.MeasuredMonths:
        touched: services.MeasuredMonths = defaultdict(set)
        for service_id, month in con.execute(
            "SELECT DISTINCT service_id, date_trunc('month', CAST(st AS TIMESTAMP))::DATE FROM parsed"
        ).fetchall():
            touched[int(service_id)].add(month)
        suffix = "" if connection.vendor == "sqlite" else "+00"
        stamp = "'%Y-%m-%d %H:%M:%S'"
        minutes = measurement.BUSINESS_DAY_MINUTES
        opens = measurement.BUSINESS_DAY_OPENS
        business_minutes = """
            (({c}.ord - {c}.bday::INTEGER) * {m} + CASE WHEN {c}.bday THEN
              least(greatest(hour({t}) * 60 + minute({t}) - {o}, 0), {m}) ELSE 0 END)
        """
        cursor_sql = f"""
            SELECT {agency.pk}, p.service_id, p.channel, p.office_id, p.external_id,
                   strftime(timezone('UTC', p.st), {stamp}) || '{suffix}',
                   CASE WHEN p.en IS NULL THEN NULL ELSE strftime(timezone('UTC', p.en), {stamp}) || '{suffix}' END,
                   p.outcome, p.segment,
                   strftime(date_trunc('month', CAST(p.st AS TIMESTAMP)), '%Y-%m-%d'),
                   CASE WHEN p.en IS NULL THEN NULL ELSE date_diff('second', p.st, p.en) END,
                   CASE WHEN p.en IS NULL THEN NULL ELSE CAST(p.en AS DATE) - CAST(p.st AS DATE) END,
                   ce.ord - cs.ord,
                   {business_minutes.format(c="ce", t="CAST(p.en AS TIMESTAMP)", m=minutes, o=opens)}
                   - {business_minutes.format(c="cs", t="CAST(p.st AS TIMESTAMP)", m=minutes, o=opens)}
            FROM parsed p
            JOIN calendar cs ON cs.day = CAST(p.st AS DATE)
            LEFT JOIN calendar ce ON ce.day = CAST(p.en AS DATE)
            ORDER BY p.line
            """
        if connection.vendor == "postgresql":
            # DuckDB writes the rows as CSV and PostgreSQL COPYs the bytes: no Python object per row.
            with tempfile.TemporaryDirectory() as folder:
                staged = Path(folder) / "transactions.csv"
                query = cursor_sql.strip()
                con.execute(f"COPY ({query}) TO '{_sql_path(staged)}' (HEADER false, DELIMITER ',')")
                services.copy_transaction_file(staged, progress=lambda done: context.progress(done, total))
            return touched
        cursor = con.execute(cursor_sql)
        done = 0
        while True:
            chunk = cursor.fetchmany(CHUNK_ROWS)
            if not chunk:
                break
            services.write_transaction_rows(chunk)
            done += len(chunk)
            context.progress(done, total)
        return touched


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
    if kind == "end_before_start":
        return _("The transaction ends (%(end)s) before it starts (%(start)s).") % {
            "end": row["ended"],
            "start": row["started"],
        }
    return _("“%(value)s” is not an outcome; write yes or no.") % {"value": row["outcome"]}


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


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
                % {"met": f"{met:,.0f}", "total": f"{total:,.0f}"}
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
            _("Published performance %(published).2f%% but the volumes give %(recomputed).2f%%.")
            % {"published": performance * 100, "recomputed": recomputed * 100}
        )
    if recomputed is not None and performance is None:
        notes.append(
            _("No performance was published, though the volumes give %(recomputed).2f%%.")
            % {"recomputed": recomputed * 100}
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
                agency = self._agency(code, row["owner_org_title"], taken, context)
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

    def _agency(self, code: str, title: str, taken: set[str], context: ImportContext) -> Agency:
        abbreviation = canada_abbreviation(code)
        if abbreviation in taken:
            abbreviation = code.upper()
        taken.add(abbreviation)
        agency = Agency.objects.create(
            name=title.split("|")[0].strip() or code,
            abbreviation=abbreviation[:40],
            external_code=code,
            website="https://www.canada.ca/",
        )
        audit.record(
            actor=context.actor,
            actor_label=context.actor_label,
            action="imported",
            target=agency,
            agency=agency,
            changes={"source": [None, "canada-standards"]},
        )
        return agency

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
PERIOD_WINDOWS: dict[str, str] = {Period.MONTH: "1M", Period.QUARTER: "1Q", Period.FISCAL_YEAR: "1y"}
WINDOW_PERIODS = {value: key for key, value in PERIOD_WINDOWS.items()}


def _read_documents(path: Path) -> list[dict[str, Any]]:
    text = path.read_text(encoding="utf-8")
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        try:
            import yaml  # type: ignore[import-untyped,unused-ignore]
        except ImportError as missing:
            raise ValueError(
                "This file is not JSON, and YAML needs PyYAML, which is not installed here; send it as JSON."
            ) from missing
        data = list(yaml.safe_load_all(text))
    if isinstance(data, dict):
        data = data.get("items", [data]) if data.get("kind") == "List" or "items" in data else [data]
    return [doc for doc in data if isinstance(doc, dict)]


@register_importer
class OpenSloImporter(Importer):
    kind = "openslo"
    label = "OpenSLO documents (openslo/v1 SLO and SLI)"
    help_text = (
        "JSON (or YAML where PyYAML is installed): SLOs whose spec.service is a service's web address name; "
        "the annotations touchstone/statement, touchstone/measure, touchstone/threshold keep what OpenSLO lacks."
    )
    suffixes = (".json", ".yaml", ".yml")

    def load(self, path: Path, context: ImportContext) -> dict[str, Any]:
        assert context.agency is not None
        try:
            documents = _read_documents(path)
        except ValueError as error:
            context.problem(None, "", str(error))
            return {"rows": 0}
        indicators = {
            doc.get("metadata", {}).get("name"): doc for doc in documents if doc.get("kind") == "SLI"
        }
        created = 0
        slos = [doc for doc in documents if doc.get("kind") == "SLO"]
        for number, doc in enumerate(slos, start=1):
            where = f"SLO {number} ({doc.get('metadata', {}).get('name', '?')})"
            if doc.get("apiVersion") != OPENSLO_VERSION:
                context.problem(
                    number, "apiVersion", _("%(where)s: apiVersion must be openslo/v1.") % {"where": where}
                )
                continue
            data = self._standard_data(doc, indicators, context.agency, number, context, where)
            if data is None:
                continue
            services.define_standard(
                actor=context.actor, actor_label=context.actor_label, agency=context.agency, data=data
            )
            created += 1
        if not slos:
            context.problem(None, "", _("The file holds no SLO document."))
        return {"rows": len(slos), "standards_created": created}

    def _standard_data(
        self,
        doc: dict[str, Any],
        indicators: dict[str, Any],
        agency: Agency,
        number: int,
        context: ImportContext,
        where: str,
    ) -> dict[str, Any] | None:
        metadata = doc.get("metadata", {})
        notes = metadata.get("annotations", {}) or {}
        spec = doc.get("spec", {})
        service = Service.objects.filter(agency=agency, slug=spec.get("service", "")).first()
        if service is None:
            context.problem(
                number,
                "spec.service",
                _("%(where)s: no service “%(slug)s” in this agency.")
                % {"where": where, "slug": spec.get("service", "")},
            )
            return None
        objectives = spec.get("objectives") or [{}]
        target = objectives[0].get("target")
        if not isinstance(target, int | float) or not 0 <= target <= 1:
            context.problem(
                number,
                "spec.objectives.target",
                _("%(where)s: the target is a share between 0 and 1.") % {"where": where},
            )
            return None
        window = (spec.get("timeWindow") or [{}])[0]
        period = WINDOW_PERIODS.get(str(window.get("duration", "1M")), Period.MONTH)
        indicator = spec.get("indicator") or indicators.get(spec.get("indicatorRef")) or {}
        threshold = notes.get("touchstone/threshold", objectives[0].get("value"))
        measure = notes.get("touchstone/measure") or (
            Measure.CALENDAR_DAYS if threshold is not None else Measure.OUTCOME
        )
        if measure not in Measure.values:
            context.problem(number, "touchstone/measure", _("%(where)s: unknown measure.") % {"where": where})
            return None
        start = notes.get("touchstone/valid-from") or (window.get("calendar") or {}).get("startTime", "")
        try:
            valid_from = dt.date.fromisoformat(str(start)[:10]) if start else None
        except ValueError:
            valid_from = None
        valid_from = measurement.period_of(period, valid_from or dt.date.today()).start
        return {
            "service": service,
            "channel": notes.get("touchstone/channel", "")
            if notes.get("touchstone/channel", "") in Channel.values
            else "",
            "statement": notes.get("touchstone/statement")
            or spec.get("description")
            or metadata.get("displayName")
            or metadata.get("name", ""),
            "standard_type": notes.get("touchstone/type", StandardType.TIMELINESS),
            "measure": measure,
            "threshold": float(threshold) if threshold not in (None, "") else None,
            "target": float(target),
            "period": period,
            "valid_from": valid_from,
            "source": "openslo",
            "external_id": str(metadata.get("name", ""))[:60]
            or str(indicator.get("metadata", {}).get("name", ""))[:60],
        }


def openslo_documents(agency: Agency | None) -> list[dict[str, Any]]:
    """An SLO with an inline ratio SLI for each current standard of the agency."""
    documents: list[dict[str, Any]] = []
    standards = ServiceStandard.objects.filter(agency=agency, valid_until__isnull=True).select_related(
        "service"
    )
    for standard in standards.order_by("pk"):
        name = f"standard-{standard.pk}"
        objective: dict[str, Any] = {"displayName": standard.statement[:120], "target": standard.target}
        if standard.threshold is not None:
            objective.update({"op": "lte", "value": standard.threshold})
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
                        "touchstone/valid-from": standard.valid_from.isoformat(),
                        "touchstone/version": str(standard.version),
                    },
                },
                "spec": {
                    "description": standard.statement,
                    "service": standard.service.slug,
                    "indicator": {
                        "metadata": {"name": f"{name}-indicator"},
                        "spec": {
                            "ratioMetric": {
                                "counter": True,
                                "good": {
                                    "metricSource": {
                                        "type": "touchstone",
                                        "spec": {"query": "transactions meeting the standard"},
                                    }
                                },
                                "total": {
                                    "metricSource": {
                                        "type": "touchstone",
                                        "spec": {"query": "transactions counted"},
                                    }
                                },
                            }
                        },
                    },
                    "timeWindow": [
                        {
                            "duration": PERIOD_WINDOWS.get(standard.period, "1M"),
                            "isRolling": False,
                            "calendar": {
                                "startTime": f"{standard.valid_from.isoformat()} 00:00:00",
                                "timeZone": settings.TIME_ZONE,
                            },
                        }
                    ],
                    "budgetingMethod": "Occurrences",
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
