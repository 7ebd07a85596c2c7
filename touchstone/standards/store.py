# ruff: noqa: S608  (DuckDB SQL here is built from constants, numbers and escaped store paths; no text from a file)
"""The transaction store: every customer transaction a standard is measured on, as Parquet files read by DuckDB.

Why files and not table rows: an agency loads millions of transactions a year, and a standard's result is an
aggregate over one period's transactions. PostgreSQL's COPY alone costs about 8 times DuckDB's scan-and-aggregate of
the same file (`../shared/PERFORMANCE.md`); columnar files written and read by DuckDB keep loading and measuring
within a few times that scan (`benchmarks/standards_ingest.py`).

Layout: `<TRANSACTION_STORE>/<agency id>/<batch>.parquet`, one file per load, with the columns in COLUMNS. Times are local wall-clock times in the installation's TIME_ZONE, because every
measure (calendar and business days, business hours, the month a transaction counts in) is counted in local time;
elapsed hours are counted across daylight-saving changes by converting back to instants.

Past one machine (OBJECT_STORE_URL set), each file is also put in the object store under
`<prefix>/transactions/<agency id>/<batch>.parquet`, the layout Spark, Trino or Athena read as it is, before the
manifest names it; TRANSACTION_STORE is then each server's cache, filled on first read. A file never changes once
written (a later load writes a new one), so a cached copy is always the object's.

The database holds the manifest (`TransactionFile`). A load writes its files first, then records them in the same
database transaction as its results: a file counts only once that commits, and readers take the list of files from
the manifest, never from the folder. The manifest has a row per file and month it holds, so a period is measured
by reading only the files that hold its months: a new month's load never re-reads the months before it. Files a
later load replaced are retired, not deleted at once, so a reader holding the old list can finish; `sweep()`
(hourly) deletes retired files after a grace period, and files no manifest row names (a load that rolled back).
"""

import datetime as dt
import threading
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from touchstone.core import objectstore
from touchstone.core.models import Agency
from touchstone.standards import measurement
from touchstone.standards.models import ELAPSED_MEASURES, Measure, TransactionFile

COLUMNS = [
    ("external_id", "VARCHAR"),
    ("service_id", "BIGINT"),
    ("channel", "VARCHAR"),
    ("office_id", "BIGINT"),
    ("started_at", "TIMESTAMP"),
    ("ended_at", "TIMESTAMP"),
    ("outcome", "BOOLEAN"),
    ("segment", "VARCHAR"),
]
COLUMN_NAMES = [name for name, _type in COLUMNS]
# Ids are unique, so a dictionary of them is abandoned after costly tries: a small limit gives up at once, and the
# few channels still fit in one. Parquet 2's delta encodings write times and ids faster and smaller (about 20% each
# here); DuckDB, polars, pyarrow and Spark 3 all read them.
PARQUET_OPTIONS = "PARQUET_VERSION v2, DICTIONARY_SIZE_LIMIT 1000"
RETIRED_GRACE = dt.timedelta(hours=1)
ORPHAN_GRACE = dt.timedelta(days=1)


def root() -> Path:
    return Path(settings.TRANSACTION_STORE)


def check_reachable() -> None:
    """Raise unless this process can write the store's folder and reach its bucket (readiness: `/readyz`)."""
    folder = root()
    folder.mkdir(parents=True, exist_ok=True)
    probe = folder / f".ready-{uuid.uuid4().hex}"
    probe.touch()
    probe.unlink()
    if objectstore.enabled():
        objectstore.check_reachable()


def object_key(relative: str) -> str:
    return objectstore.location().key("transactions", relative)


def publish(path: Path) -> None:
    """Put a written file in the object store, when there is one, so every server can read it."""
    if objectstore.enabled():
        objectstore.upload(path, object_key(str(path.relative_to(root()))))


def local_paths(relatives: Iterable[str]) -> list[Path]:
    """The local copies of these files, fetched from the object store the first time this server reads them."""
    paths = []
    for relative in relatives:
        path = root() / relative
        if objectstore.enabled() and not path.exists():
            objectstore.download(object_key(relative), path)
        paths.append(path)
    return paths


def sql_path(path: Path | str) -> str:
    return str(path).replace("'", "''")


def sql_list(paths: Iterable[Path | str]) -> str:
    return "[" + ", ".join(f"'{sql_path(p)}'" for p in paths) + "]"


def local_naive(moment: dt.datetime) -> dt.datetime:
    """The store's clock: local wall-clock time without a zone."""
    if timezone.is_naive(moment):
        return moment
    return moment.astimezone(measurement.local_zone()).replace(tzinfo=None)


def sql_timestamp(moment: dt.datetime) -> str:
    return f"TIMESTAMP '{local_naive(moment).isoformat(sep=' ')}'"


# --- DuckDB -----------------------------------------------------------------------------------------------------


def connect() -> Any:
    """An in-memory DuckDB; `_joins` adds the business calendar (`calendar`: day, ord, bday) when a rule needs it."""
    import duckdb

    scratch = root() / "_scratch"
    scratch.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute(f"SET temp_directory = '{sql_path(scratch)}'")
    con.execute("SET preserve_insertion_order = false")  # the store's rows have no order; writing is freer
    return con


@contextmanager
def connection() -> Iterator[Any]:
    con = connect()
    try:
        yield con
    finally:
        con.close()


def run_with_progress(con: Any, sql: str, report: Callable[[float], None] | None) -> None:
    """Run one long statement, telling `report` the share done (0..1) every two seconds while it runs.

    Each look at DuckDB's progress costs a little CPU; every two seconds keeps that well under 1% of a load.
    """
    if report is None:
        con.execute(sql)
        return
    finished = threading.Event()

    def watch() -> None:
        while not finished.wait(2.0):
            try:
                share = con.query_progress()
            except Exception:  # noqa: BLE001  (progress is a nicety; the load itself reports real errors)
                return
            if share is not None and share >= 0:
                report(min(share, 100.0) / 100.0)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        con.execute(sql)
    finally:
        finished.set()
        watcher.join()


# --- a load's new files ---------------------------------------------------------------------------------------


@dataclass
class MonthSlice:
    """What one file holds of one month: the manifest's row for that file and month."""

    month: dt.date
    rows: int
    service_ids: list[int]
    last_ended: dt.datetime | None


@dataclass
class Batch:
    """The file one load writes: invisible to every reader until `commit` records it in the manifest.

    One file per load, not one per month: splitting the rows by month as they are written costs about a third
    more than writing them, and the manifest's rows per month already let a reader skip files of other months.
    """

    agency: Agency
    id: uuid.UUID = field(default_factory=uuid.uuid4)
    _slices: list[MonthSlice] | None = field(default=None, repr=False)
    _rules: list["Rule"] = field(default_factory=list, repr=False)
    _counts: "Grouped | None" = field(default=None, repr=False)
    _channels: set[str | None] | None = field(default=None, repr=False)

    @property
    def path(self) -> Path:
        return root() / str(self.agency.pk) / f"{self.id}.parquet"

    @property
    def exists(self) -> bool:
        return self.path.exists()

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)

    def write(self, con: Any, select_sql: str, report: Callable[[float], None] | None = None) -> None:
        """Write the rows of `select_sql` (COLUMNS, in order)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        run_with_progress(
            con, f"COPY ({select_sql}) TO '{sql_path(self.path)}' (FORMAT parquet, {PARQUET_OPTIONS})", report
        )

    def check(self, con: Any, bad_row: str = "false", rules: Sequence["Rule"] = ()) -> "BatchCheck":
        """Rows, bad rows (empty ids, and by the DuckDB condition `bad_row`), repeated ids and the channels written.

        One aggregate by service, channel and month gives the counts, what each month holds (for `record`) and,
        for each of `rules`, what `monthly_counts` would count (kept for `counts_for`).
        Repeats are found by sorting the ids' 64-bit hashes with numpy, about a third of the cost of DuckDB's
        hash-table distinct count here; equal neighbours (a repeat, or once in about 10^12 loads two ids with
        one hash) are then counted exactly. Empty ids are found among the same hashes, so the id column is read
        once.
        """
        import numpy as np

        source = f"read_parquet('{sql_path(self.path)}')"
        groups = _grouped(
            con,
            source,
            rules,
            MONTHLY_GROUPS,
            extra=[
                "count(*)",
                f"count(*) FILTER (WHERE {bad_row})",
                "strftime(max(t.ended_at), '%Y-%m-%dT%H:%M:%S')",
            ],
        )
        self._slices = _slices(
            (month, service, n, last) for (service, _c, month), (n, _b, last), _r in groups
        )
        self._rules = list(rules)
        self._counts = [(key, counts) for key, _extra, counts in groups]
        self._channels = {key[1] for key, _extra, _counts in groups}
        rows = sum(int(extra[0]) for _key, extra, _counts in groups)
        hashes = con.execute(f"SELECT hash(external_id) AS h FROM {source}").fetchnumpy()["h"]
        hashes.sort()
        empty = con.execute("SELECT hash('')").fetchone()[0]
        bad = sum(int(extra[1]) for _key, extra, _counts in groups)
        bad += int(np.searchsorted(hashes, empty, side="right") - np.searchsorted(hashes, empty, side="left"))
        repeated = 0
        if np.any(hashes[1:] == hashes[:-1]):
            distinct = con.execute(f"SELECT count(DISTINCT external_id) FROM {source}").fetchone()[0]
            repeated = rows - int(distinct)
        return BatchCheck(rows, bad, repeated, set(self._channels))

    def normalize_channels(self, con: Any) -> set[str | None]:
        """Rewrite the file with its channels trimmed and in lower case, and return the channels it then names.

        The fast load writes channels as the file spells them: almost every file already uses the product's
        words, and checking the few distinct values written costs nothing, against a lower-casing of every row.
        """
        spelled = [c for c in (self._channels or ()) if c is not None]
        mapping = dict(
            con.execute("SELECT c, lower(trim(c)) FROM unnest($1::VARCHAR[]) t(c)", [spelled]).fetchall()
        )
        written = self.path.with_name(f"{self.id}.channels.parquet")
        con.execute(
            f"COPY (SELECT * REPLACE (lower(trim(channel)) AS channel) FROM read_parquet('{sql_path(self.path)}')) "
            f"TO '{sql_path(written)}' (FORMAT parquet, {PARQUET_OPTIONS})"
        )
        written.replace(self.path)
        if self._counts is not None:
            merged: dict[tuple[Any, ...], list[tuple[int, int]]] = {}
            for (service, channel, month), counts in self._counts:
                key = (service, mapping.get(channel, channel), month)
                before = merged.get(key)
                merged[key] = (
                    counts
                    if before is None
                    else [(a + c, b + d) for (a, b), (c, d) in zip(before, counts, strict=True)]
                )
            self._counts = list(merged.items())
        self._channels = {mapping.get(c, c) for c in (self._channels or ())}
        return self._channels

    def counts_for(
        self, rules: Sequence["Rule"], files: Sequence[TransactionFile]
    ) -> list[tuple[tuple[Any, ...], list[tuple[int, int]]]] | None:
        """The counts `check` made, when they answer for these rules and no other file holds these months."""
        mine = str(self.path.relative_to(root()))
        if self._counts is None or any(f.path != mine for f in files) or not set(rules) <= set(self._rules):
            return None
        index = [self._rules.index(rule) for rule in rules]
        return [(key, [counts[i] for i in index]) for key, counts in self._counts]

    def slices(self, con: Any) -> list[MonthSlice]:
        """Rows, services and latest end of each month the file holds (one aggregate by month and service)."""
        if self._slices is not None:
            return self._slices
        rows = con.execute(
            "SELECT CAST(date_trunc('month', started_at) AS DATE), service_id, count(*), "
            f"strftime(max(ended_at), '%Y-%m-%dT%H:%M:%S') FROM read_parquet('{sql_path(self.path)}') GROUP BY ALL"
        ).fetchall()
        return _slices(rows)

    def record(self, con: Any) -> list[MonthSlice]:
        """List the file in the manifest, a row per month it holds; a file holding nothing is deleted instead."""
        slices = self.slices(con)
        if not slices:
            self.discard()
            return []
        publish(self.path)
        TransactionFile.objects.bulk_create(
            TransactionFile(
                agency=self.agency,
                batch=self.id,
                month=piece.month,
                path=str(self.path.relative_to(root())),
                rows=piece.rows,
                service_ids=piece.service_ids,
                last_ended=piece.last_ended,
            )
            for piece in slices
        )
        return slices


def _slices(rows: Iterable[tuple[Any, ...]]) -> list[MonthSlice]:
    """Per month, from (month, service id, rows, latest end as text) groups; rows with no month are left out."""
    months: dict[dt.date, MonthSlice] = {}
    for month, service_id, count, last in rows:
        if month is None:
            continue
        piece = months.setdefault(month, MonthSlice(month, 0, [], None))
        piece.rows += int(count)
        if service_id is not None and int(service_id) not in piece.service_ids:
            piece.service_ids.append(int(service_id))
        ended = _aware(last)
        if ended is not None and (piece.last_ended is None or ended > piece.last_ended):
            piece.last_ended = ended
    for piece in months.values():
        piece.service_ids.sort()
    return [months[month] for month in sorted(months)]


@dataclass(frozen=True)
class BatchCheck:
    rows: int
    bad_rows: int
    repeated_ids: int
    channels: set[str | None]


def _aware(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    return dt.datetime.fromisoformat(text).replace(tzinfo=measurement.local_zone())


@dataclass
class Committed:
    rows: int
    created: int
    replaced: int
    touched: dict[int, set[dt.date]]  # service id -> months whose results may have changed


def commit(con: Any, batch: Batch) -> Committed:
    """Record the batch's file in the manifest, replacing transactions already held under the same external ids.

    The caller holds the database transaction; the agency's row is locked so two loads can't both miss each
    other's ids. A file holding a replaced transaction is rewritten without it, and the old file retired.
    """
    Agency.objects.select_for_update().filter(pk=batch.agency.pk).first()
    touched: dict[int, set[dt.date]] = defaultdict(set)
    replaced = _replace_held(con, batch, touched)
    slices = batch.record(con) if batch.exists else []
    for piece in slices:
        for service_id in piece.service_ids:
            touched[service_id].add(piece.month)
    rows = sum(piece.rows for piece in slices)
    return Committed(rows=rows, created=rows - replaced, replaced=replaced, touched=dict(touched))


def _replace_held(con: Any, batch: Batch, touched: dict[int, set[dt.date]]) -> int:
    held = live_files(batch.agency)
    if not held or not batch.exists:
        return 0
    paths = local_paths(sorted({f.path for f in held}))
    incoming = f"(SELECT external_id FROM read_parquet('{sql_path(batch.path)}'))"
    hits = con.execute(
        f"SELECT filename, count(*) FROM read_parquet({sql_list(paths)}, filename = true) "
        f"WHERE external_id IN {incoming} GROUP BY filename"
    ).fetchall()
    now = timezone.now()
    replaced = 0
    for filename, count in hits:
        relative = str(Path(filename).relative_to(root()))
        old = [f for f in held if f.path == relative]
        replaced += int(count)
        for piece in old:
            for service_id in piece.service_ids:
                touched[service_id].add(piece.month)
        rest = Batch(batch.agency)
        rest.write(
            con, f"SELECT * FROM read_parquet('{sql_path(filename)}') WHERE external_id NOT IN {incoming}"
        )
        rest.record(con)
        TransactionFile.objects.filter(agency=batch.agency, path=relative).update(retired_at=now)
    return replaced


def write_records(agency: Agency, records: Sequence[dict[str, Any]]) -> Committed:
    """Transactions already checked (the API, the demo): written as one batch and committed.

    Each record: external_id, service_id, channel, office_id, started_at, ended_at, outcome, segment.
    """
    import pandas as pd

    frame = pd.DataFrame(
        {
            "external_id": [r["external_id"] for r in records],
            "service_id": pd.array([r["service_id"] for r in records], dtype="Int64"),
            "channel": [r["channel"] for r in records],
            "office_id": pd.array([r.get("office_id") for r in records], dtype="Int64"),
            "started_at": pd.to_datetime([local_naive(r["started_at"]) for r in records]),
            "ended_at": pd.to_datetime(
                [local_naive(r["ended_at"]) if r.get("ended_at") else None for r in records]
            ),
            "outcome": pd.array([r.get("outcome") for r in records], dtype="boolean"),
            "segment": [r.get("segment") or "" for r in records],
        }
    )
    batch = Batch(agency)
    with connection() as con:
        con.register("incoming", frame)
        columns = ", ".join(f"CAST({name} AS {kind}) AS {name}" for name, kind in COLUMNS)
        batch.write(con, f"SELECT {columns} FROM incoming")
        try:
            return commit(con, batch)
        except BaseException:
            batch.discard()
            raise


# --- reading ------------------------------------------------------------------------------------------------------


def live_files(
    agency: Agency, months: Iterable[dt.date] | None = None, service_ids: Iterable[int] | None = None
) -> list[TransactionFile]:
    files = TransactionFile.objects.filter(agency=agency, retired_at__isnull=True)
    if months is not None:
        files = files.filter(month__in=list(months))
    found = list(files.order_by("month", "pk"))
    if service_ids is not None:
        wanted = set(service_ids)
        found = [f for f in found if wanted.intersection(f.service_ids)]
    return found


def months_held(agency: Agency, service_id: int) -> list[dt.date]:
    return sorted({f.month for f in live_files(agency, service_ids=[service_id])})


def transaction_count(agency: Agency) -> int:
    return sum(f.rows for f in live_files(agency))


def _source(files: Sequence[TransactionFile]) -> str:
    return f"read_parquet({sql_list(local_paths(sorted({f.path for f in files})))})"


def _only(
    agency: Agency, files: Sequence[TransactionFile], months: Iterable[dt.date], service_ids: set[int]
) -> str:
    """A DuckDB condition keeping the rows of these months and services, left out where the files hold no others."""
    months = set(months)
    paths = {f.path for f in files}
    held = TransactionFile.objects.filter(agency=agency, path__in=paths, retired_at__isnull=True)
    other_months = held.exclude(month__in=months).exists()
    other_services = any(not set(f.service_ids) <= service_ids for f in held)
    conditions = []
    if other_services:
        conditions.append(f"t.service_id IN ({', '.join(str(i) for i in sorted(service_ids))})")
    if other_months:
        conditions.append(_in_months(months))
    return " AND ".join(conditions) or "true"


def _in_months(months: Iterable[dt.date]) -> str:
    """A DuckDB condition: the transaction started in one of these months (a file may hold others too)."""
    listed = ", ".join(f"DATE '{month.isoformat()}'" for month in sorted(set(months)))
    return f"CAST(date_trunc('month', t.started_at) AS DATE) IN ({listed})"


@dataclass(frozen=True)
class Rule:
    """What counts and what meets one standard, as DuckDB conditions over a transaction `t`."""

    counted: str
    met: str
    needs_calendar: bool


def rule_for(measure: str, threshold: float | None, now: dt.datetime, strict: bool = False) -> Rule:
    """`strict`: the elapsed time must be less than the threshold (OpenSLO's `lt`), not at most it."""
    limit = float(threshold or 0)
    within = "<" if strict else "<="
    if measure == Measure.OUTCOME:
        return Rule("t.outcome IS NOT NULL", "coalesce(t.outcome, false)", False)
    cutoff = sql_timestamp(measurement.overdue_cutoff(measure, threshold, now))
    # Finished transactions count, and open ones already past the threshold (a miss, whatever comes).
    counted = f"(t.ended_at IS NOT NULL OR t.started_at < {cutoff})"
    zone = settings.TIME_ZONE
    if measure == Measure.CALENDAR_DAYS:
        met = f"CAST(t.ended_at AS DATE) - CAST(t.started_at AS DATE) {within} {limit}"
    elif measure == Measure.BUSINESS_DAYS:
        met = f"ce.ord - cs.ord {within} {limit}"
    elif measure == Measure.CALENDAR_HOURS:
        met = (
            f"date_diff('second', timezone('{zone}', t.started_at), timezone('{zone}', t.ended_at)) "
            f"{within} {limit * 3600}"
        )
    elif measure == Measure.MILLISECONDS:
        # Microseconds, so that 500.4 ms is not less than 500 ms.
        met = f"date_diff('microsecond', t.started_at, t.ended_at) {within} {limit * 1000}"
    else:
        met = (
            f"{_business_minutes('ce', 't.ended_at')} - {_business_minutes('cs', 't.started_at')} "
            f"{within} {limit * 60}"
        )
    return Rule(
        counted, f"coalesce({met}, false)", measure in (Measure.BUSINESS_DAYS, Measure.BUSINESS_HOURS)
    )


def standard_rule(standard: Any, now: dt.datetime) -> Rule:
    return rule_for(standard.measure, standard.threshold, now, strict=standard.threshold_op == "lt")


def _business_minutes(day: str, moment: str) -> str:
    """Business minutes from the calendar's start to a local moment (measurement.business_minute_ordinal)."""
    length, opens = measurement.BUSINESS_DAY_MINUTES, measurement.BUSINESS_DAY_OPENS
    return (
        f"(({day}.ord - {day}.bday::INTEGER) * {length} + CASE WHEN {day}.bday THEN "
        f"least(greatest(hour({moment}) * 60 + minute({moment}) - {opens}, 0), {length}) ELSE 0 END)"
    )


def _joins(rules: Iterable[Rule], con: Any) -> str:
    """The joins to the business calendar, made in `con` the first time a rule counts business days or hours."""
    if not any(rule.needs_calendar for rule in rules):
        return ""
    if not con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'calendar'").fetchone()[0]:
        rows = measurement.business_calendar()
        con.execute(
            "CREATE TABLE calendar AS SELECT unnest($1::DATE[]) AS day, unnest($2::INTEGER[]) AS ord, "
            "unnest($3::BOOLEAN[]) AS bday",
            [[r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]],
        )
    return (
        " LEFT JOIN calendar cs ON cs.day = CAST(t.started_at AS DATE)"
        " LEFT JOIN calendar ce ON ce.day = CAST(t.ended_at AS DATE)"
    )


MONTHLY_GROUPS = ["t.service_id", "t.channel", "CAST(date_trunc('month', t.started_at) AS DATE)"]


Grouped = list[tuple[tuple[Any, ...], list[tuple[int, int]]]]  # (group key, [(met, counted) per rule])


def _grouped(
    con: Any,
    source: str,
    rules: Sequence[Rule],
    group: Sequence[str],
    where: str = "true",
    extra: Sequence[str] = (),
) -> list[tuple[tuple[Any, ...], tuple[Any, ...], list[tuple[int, int]]]]:
    """One scan of `source` (aliased t): per group, its key, the `extra` aggregates, and (met, counted) per rule."""
    aggregates = [
        *extra,
        *(
            f"count(*) FILTER (WHERE {rule.counted} AND {rule.met}), count(*) FILTER (WHERE {rule.counted})"
            for rule in rules
        ),
    ]
    keys = ", ".join(group)
    rows = con.execute(
        f"SELECT {keys}, {', '.join(aggregates) or 'count(*)'} FROM {source} t{_joins(rules, con)} "
        f"WHERE {where} GROUP BY {keys}"
    ).fetchall()
    split = len(group) + len(extra)
    return [
        (
            tuple(row[: len(group)]),
            tuple(row[len(group) : split]),
            [(int(row[split + 2 * i]), int(row[split + 2 * i + 1])) for i in range(len(rules))],
        )
        for row in rows
    ]


def count_by(
    con: Any,
    files: Sequence[TransactionFile],
    rules: Sequence[Rule],
    group: Sequence[str],
    where: str = "true",
) -> Grouped:
    """One scan of `files`: per group, (met, counted) under each rule."""
    if not files or not rules:
        return []
    return [(key, counts) for key, _extra, counts in _grouped(con, _source(files), rules, group, where)]


def monthly_counts(
    agency: Agency,
    standards: Sequence[Any],
    months: Iterable[dt.date],
    now: dt.datetime,
    batch: "Batch | None" = None,
) -> dict[int, dict[dt.date, tuple[int, int]]]:
    """{standard pk: {month: (met, total)}} for the given months, reading only those months' files, in one scan.

    When `batch` counted these rules as it was checked and is the only file holding the months (a load of new
    months, the usual case), its counts are used and nothing is read again.
    """
    months = sorted(set(months))
    standards = [s for s in standards if s.measure in ELAPSED_MEASURES or s.measure == Measure.OUTCOME]
    if not standards or not months:
        return {}
    service_ids = {s.service_id for s in standards}
    files = live_files(agency, months=months, service_ids=service_ids)
    rules = [standard_rule(s, now) for s in standards]
    unique = list(dict.fromkeys(rules))
    position = {rule: unique.index(rule) for rule in unique}
    out: dict[int, dict[dt.date, tuple[int, int]]] = {s.pk: {} for s in standards}
    grouped = batch.counts_for(unique, files) if batch is not None else None
    if grouped is None:
        with connection() as con:
            grouped = count_by(con, files, unique, MONTHLY_GROUPS, _only(agency, files, months, service_ids))
    wanted = set(months)
    for (service_id, channel, month), counts in grouped:
        if month not in wanted:
            continue
        for standard, rule in zip(standards, rules, strict=True):
            if standard.service_id != service_id or (standard.channel and standard.channel != channel):
                continue
            met, total = counts[position[rule]]
            before = out[standard.pk].get(month, (0, 0))
            out[standard.pk][month] = (before[0] + met, before[1] + total)
    return out


def window_counts(
    agency: Agency, standards: Sequence[Any], now: dt.datetime, windows: dict[str, dt.timedelta]
) -> dict[int, dict[str, tuple[int, int]]]:
    """{standard pk: {window: (misses, total)}} of transactions decided within each window before `now`.

    A transaction is decided when it ends, or, still open, when it passes the standard's threshold: from then on it
    is a miss whatever comes, as the period's results count it. Counting only ended transactions let a period spend
    its whole error budget on open, overdue work while no alert was raised.

    Only files holding a transaction that ended within the longest window, or that started late enough to have
    become overdue within it, are read.
    """
    out: dict[int, dict[str, tuple[int, int]]] = {s.pk: {w: (0, 0) for w in windows} for s in standards}
    if not standards:
        return out
    longest = max(windows.values())
    since = now - longest
    elapsed = [s for s in standards if s.measure in ELAPSED_MEASURES]
    # The earliest start of an open transaction that became overdue within the longest window, per standard.
    overdue_since = {s.pk: measurement.overdue_cutoff(s.measure, s.threshold, since) for s in elapsed}
    earliest_month = min([since.date(), *(moment.date() for moment in overdue_since.values())]).replace(day=1)
    service_ids = {s.service_id for s in standards}
    files = [
        f
        for f in live_files(agency, service_ids=service_ids)
        if (f.last_ended is not None and f.last_ended > since) or (elapsed and f.month >= earliest_month)
    ]
    if not files:
        return out
    rules: list[Rule] = []
    names: list[tuple[int, str]] = []
    for standard in standards:
        base = standard_rule(standard, now)
        for name, span in windows.items():
            decided = (
                f"t.ended_at IS NOT NULL AND t.ended_at > {sql_timestamp(now - span)} AND {base.counted}"
            )
            if standard.measure in ELAPSED_MEASURES:
                became_overdue = measurement.overdue_cutoff(standard.measure, standard.threshold, now - span)
                decided = (
                    f"(({decided}) OR (t.ended_at IS NULL AND {base.counted} "
                    f"AND t.started_at >= {sql_timestamp(became_overdue)}))"
                )
            rules.append(Rule(decided, f"NOT ({base.met})", base.needs_calendar))
            names.append((standard.pk, name))
    channels = {s.pk: s.channel for s in standards}
    services = {s.pk: s.service_id for s in standards}
    open_since = min(overdue_since.values(), default=since)
    with connection() as con:
        grouped = count_by(
            con,
            files,
            rules,
            ["t.service_id", "t.channel"],
            f"((t.ended_at > {sql_timestamp(since)} AND t.ended_at <= {sql_timestamp(now)}) "
            f"OR (t.ended_at IS NULL AND t.started_at >= {sql_timestamp(open_since)}))",
        )
    for (service_id, channel), counts in grouped:
        for (standard_pk, name), (missed, total) in zip(names, counts, strict=True):
            if services[standard_pk] != service_id or (
                channels[standard_pk] and channels[standard_pk] != channel
            ):
                continue
            before = out[standard_pk][name]
            out[standard_pk][name] = (before[0] + missed, before[1] + total)
    return out


def breakdown_counts(
    agency: Agency, standard: Any, months: Sequence[dt.date], by: str, now: dt.datetime
) -> list[tuple[Any, int, int]]:
    """[(office id or channel, met, total)] of one standard over the given months."""
    files = live_files(agency, months=months, service_ids=[standard.service_id])
    rule = standard_rule(standard, now)
    where = f"t.service_id = {int(standard.service_id)} AND {_in_months(months)}"
    if standard.channel:
        where += f" AND t.channel = '{standard.channel}'"
    with connection() as con:
        grouped = count_by(con, files, [rule], [f"t.{by}"], where)
    return [(key[0], counts[0][0], counts[0][1]) for key, counts in grouped]


def read(agency: Agency, where: str = "true", limit: int | None = None) -> list[dict[str, Any]]:
    """Held transactions as dicts with their elapsed days and business days, for exports and checks.

    `where` is DuckDB SQL over the columns (callers pass constants, never customer text).
    """
    files = live_files(agency)
    if not files:
        return []
    names = ", ".join(f"t.{name}" for name in COLUMN_NAMES if name not in ("started_at", "ended_at"))
    stamp = "'%Y-%m-%dT%H:%M:%S'"
    with connection() as con:
        sql = (
            f"SELECT {names}, strftime(t.started_at, {stamp}) AS started_at, "
            f"strftime(t.ended_at, {stamp}) AS ended_at, "
            f"CAST(t.ended_at AS DATE) - CAST(t.started_at AS DATE) AS elapsed_days, "
            f"ce.ord - cs.ord AS elapsed_business_days, "
            f"{_business_minutes('ce', 't.ended_at')} - {_business_minutes('cs', 't.started_at')} "
            f"AS elapsed_business_minutes "
            f"FROM {_source(files)} t{_joins([Rule('', '', True)], con)} WHERE {where} "
            f"ORDER BY t.started_at, t.external_id"
        )
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        cursor = con.execute(sql)
        columns = [d[0] for d in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


# --- upkeep -------------------------------------------------------------------------------------------------------


def sweep(now: dt.datetime | None = None) -> int:
    """Delete retired files after their grace period, and files no manifest row names (loads that rolled back).

    In the object store too, when there is one; this server's cache loses the same files (another server's cache
    keeps its copies until its own sweep, harmlessly: no manifest row names them any more).
    """
    now = now or timezone.now()
    removed = 0
    retired = TransactionFile.objects.filter(retired_at__lt=now - RETIRED_GRACE)
    for path in sorted(set(retired.values_list("path", flat=True))):
        if not TransactionFile.objects.filter(path=path, retired_at__isnull=True).exists():
            (root() / path).unlink(missing_ok=True)
            if objectstore.enabled():
                objectstore.delete(object_key(path))
            removed += 1
    retired.delete()
    named = set(TransactionFile.objects.values_list("path", flat=True))
    if objectstore.enabled():
        folder = object_key("") + "/"
        for key, modified in list(objectstore.listing(folder)):
            if (
                key.endswith(".parquet")
                and key.removeprefix(folder) not in named
                and modified < now - ORPHAN_GRACE
            ):
                objectstore.delete(key)
                removed += 1
    base = root()
    if not base.exists():
        return removed
    too_old = (now - ORPHAN_GRACE).timestamp()
    for found in base.glob("*/*.parquet"):
        if str(found.relative_to(base)) not in named and found.stat().st_mtime < too_old:
            found.unlink(missing_ok=True)
            removed += 1
    return removed
