"""Reading a production request log: a SQL table (SQLAlchemy URL) or a JSONL/Parquet file (path or fsspec URL).

Rows are streamed, never read whole: SQL in chunks (`yield_per`), Parquet batch by batch, JSONL line by line.
Each comes back as a plain dict with our column names (see `source.columns` for logs that name them
differently) plus `_row`, where the row is in the source, so a quarantined row can be found again:

- SQLite: its rowid (the row's ordinal in a log written by appending, as the demo's is), rows in rowid order;
- another database: the table's integer primary key when it has one (rows in that order), else the ordinal
  among the rows the query returned (with a window pushed down, that is not the ordinal in the table:
  the quarantine's request_id and created_at find the row then);
- a file: its ordinal in the file (the line number of a JSONL line).

A JSONL line that is not JSON is not an error of the source: it comes back as a row with `_bad_json`.

Given a `Slice` (the run's [start, end) and routes), a table or a Parquet file filters before anything is
materialised: rows that are certainly outside the window, or certainly on another route, are counted (in
`SourceRows.skipped`) but never become dicts. The filter only ever keeps too much, never too little: rows
whose created_at or route is missing or not understood are returned, and the sample stage decides (it
applies the exact window and route test to every row it gets, and quarantines what it cannot place).
What is pushed down, and why not when it is not, is in `SourceRows.pushdown`.
"""

import json
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from distillery.config import SourceConfig

FILE_SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson", ".json", ".parquet")
SQL_SCHEMES = ("sqlite", "postgresql", "postgres", "mysql", "mariadb", "mssql", "oracle", "duckdb")
CHUNK_ROWS = 2000  # rows per fetch from a database, per Parquet batch

# created_at written as text: how the window is pushed down without misjudging a row (see _text_window).
UTC_SUFFIXES = ("", "Z", "+00:00", "-00:00", "+0000", "-0000")
DATE_RE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}"
UTC_RE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}%s[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-]00:?00)?$"
PLAIN_RE = r"^[A-Za-z0-9](.*[A-Za-z0-9])?$"  # a route without edge whitespace: str.strip() leaves it as it is
EPOCH_RANGE = (-62135596800, 253402300799)  # the epoch seconds Python's datetime can hold (years 1 to 9999)


class SourceError(RuntimeError):
    """The log cannot be read at all; the message says what to check."""


@dataclass(frozen=True)
class Slice:
    """What a run samples: created_at in [start, end) (UTC), on these routes (empty: every route)."""

    start: datetime
    end: datetime
    routes: tuple[str, ...] = ()


@dataclass
class SourceRows:
    """The log's rows as an iterator (once); `skipped` and `fetched` are final once it is exhausted."""

    display: str  # where they came from, without credentials
    _rows: Iterator[dict] = field(repr=False)
    pushdown: dict = field(default_factory=dict)  # {"window": how or None, "routes": how or None, "note": why not}
    skipped: dict = field(default_factory=lambda: {"outside_window": 0, "other_route": 0})  # filtered by the source
    fetched: int = 0  # rows handed out
    _span: Callable[[], tuple] | None = field(default=None, repr=False)

    def __iter__(self) -> Iterator[dict]:
        for row in self._rows:
            self.fetched += 1
            yield row

    @property
    def rows(self) -> list[dict]:
        """Every row as a list: for small logs and tests only (a big log does not fit)."""
        return list(self)

    def span(self) -> tuple[datetime, datetime] | None:
        """The first and last created_at in the whole source, for rows the filter skipped too (the
        stage's 'the log's requests span ...' message). Reads the one column again: the error path only."""
        return self._span() if self._span else None


def redact(url: str) -> str:
    """The URL without the password of its user info (`postgresql://etl:***@db/prod`): what error messages and
    records may show. Hand-written: SQLAlchemy's hide_password needs a URL it can parse, and fsspec URLs
    (s3://key:secret@bucket/...) are not SQLAlchemy URLs."""
    return re.sub(r"(?<=://)([^/@:]*):[^/@]*@", r"\1:***@", url)


def read_source(source: SourceConfig, window: Slice | None = None) -> SourceRows:
    """Open the log (errors about the source itself are raised here, not while iterating) and return its rows,
    filtered down to `window` where the source can do so safely."""
    url = source.url.strip()
    scheme = url.split("://", 1)[0].split("+", 1)[0].lower() if "://" in url else ""
    if url.lower().endswith(".parquet"):
        result = _read_parquet(url, source, window)
    elif url.lower().endswith(FILE_SUFFIXES):
        result = _read_jsonl(url)
    elif scheme in SQL_SCHEMES:
        result = _read_sql(url, source, window)
    else:
        raise SourceError(f"source.url {redact(url)!r} is neither a database URL (sqlite:///path.db, postgresql://host/db) "
                          f"nor a file ending in {', '.join(FILE_SUFFIXES)}")
    if source.columns:
        theirs_to_ours = {theirs: ours for ours, theirs in source.columns.items()}
        rows = result._rows
        result._rows = ({theirs_to_ours.get(k, k): v for k, v in row.items()} for row in rows)
    return result


def _theirs(source: SourceConfig, ours: str) -> str:
    return source.columns.get(ours, ours)


def _whole_seconds(start: datetime, end: datetime) -> tuple[datetime, datetime]:
    """[start, end) widened to whole seconds, for comparisons that cannot see fractions reliably."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    up = end.replace(microsecond=0) + (timedelta(seconds=1) if end.microsecond else timedelta())
    return start.replace(microsecond=0), up


def _epoch_bounds(window: Slice) -> tuple[int, int]:
    return math.floor(window.start.timestamp()), math.ceil(window.end.timestamp())


def _text_bounds(window: Slice) -> dict:
    """The bounds the text filters compare with: exact (whole seconds, 'T' or ' ' between date and time) for a
    UTC time; for a time with another offset, or a bare date, the local dates D that can hold an instant of
    the window, both bounds exclusive. An offset is under 24 h, so D's instants lie in (D - 1 day, D + 2 days):
    D > start - 2 days and D < end + 1 day."""
    start, end = _whole_seconds(window.start, window.end)
    last = end.date() + timedelta(days=0 if end.time() == datetime.min.time() else 1)  # end rounded up to a midnight
    return {"T": (f"{start:%Y-%m-%dT%H:%M:%S}", f"{end:%Y-%m-%dT%H:%M:%S}"),
            " ": (f"{start:%Y-%m-%d %H:%M:%S}", f"{end:%Y-%m-%d %H:%M:%S}"),
            "dates": ((start - timedelta(days=2)).date().isoformat(), (last + timedelta(days=1)).isoformat())}


# ---------------------------------------------------------------- SQL

def _read_sql(url: str, source: SourceConfig, window: Slice | None) -> SourceRows:
    import sqlalchemy as sa

    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///").split("?", 1)[0])
        if not path.is_file():  # SQLAlchemy would silently create an empty database here
            hint = " (make data generates the demo log)" if path.name == "production.db" else ""
            raise SourceError(f"source.url {redact(url)!r}: no database file at {path.resolve()}{hint}")
    try:
        engine = sa.create_engine(url)
    except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError, ModuleNotFoundError) as exc:
        raise SourceError(f"source.url {redact(url)!r} is not a usable database URL: {redact(str(exc))}") from None
    display = engine.url.render_as_string(hide_password=True)
    pushdown: dict = {"window": None, "routes": None}
    skipped = {"outside_window": 0, "other_route": 0}

    def fail(exc) -> SourceError:
        first = str(exc).splitlines()[0]
        return SourceError(f"cannot read {display}: {redact(first)}")

    try:
        with engine.connect() as conn:
            if source.query:
                # The user's SQL runs as written, not wrapped in a filtering subquery: its column types cannot be
                # reflected (a text filter on a timestamp column fails in PostgreSQL), an ORDER BY or LIMIT inside
                # a subquery is refused by some databases (SQL Server) or changes meaning, and the query may
                # already filter the window. It is still streamed in chunks; the stage filters what it returns.
                statement, key = sa.text(source.query), None
                display += " (query)"
                pushdown["note"] = "source.query runs as written (not wrapped); the stage filters its rows"
            else:
                tables = sa.inspect(conn).get_table_names()
                if source.table not in tables:
                    raise SourceError(f"source.table {source.table!r} not found in {display}; tables there: "
                                      f"{', '.join(tables) or 'none'}")
                table = sa.Table(source.table, sa.MetaData(), autoload_with=conn)  # names are quoted, never pasted
                display += f" table {source.table}"
                key = _row_key(conn, table)
                statement = sa.select(*table.columns, *([key.label("__distillery_row")] if key is not None else []))
                if key is not None:
                    statement = statement.order_by(key)
                if window is not None:
                    in_window, on_route = _sql_filters(conn, table, source, window, pushdown)
                    where = sa.and_(in_window, on_route)
                    if pushdown["window"] or pushdown["routes"]:
                        statement = statement.where(where)
                        # What the filter leaves out, counted in the database (one pass, nothing fetched):
                        # 0 outside the window, 1 another route, 2 read. NULL counts as false, as in WHERE.
                        kinds = sa.select(sa.case((in_window, sa.case((on_route, 2), else_=1)), else_=0).label("kind")
                                          ).select_from(table).subquery()
                        counts = dict(conn.execute(sa.select(kinds.c.kind, sa.func.count()).group_by(kinds.c.kind)).all())
                        skipped["outside_window"], skipped["other_route"] = counts.get(0, 0), counts.get(1, 0)
    except sa.exc.SQLAlchemyError as exc:
        engine.dispose()
        raise fail(exc) from None
    except BaseException:
        engine.dispose()
        raise

    def rows() -> Iterator[dict]:
        try:
            with engine.connect() as conn:
                result = conn.execution_options(stream_results=True, yield_per=CHUNK_ROWS).execute(statement)
                names = list(result.keys())
                has_key = bool(names) and names[-1] == "__distillery_row"
                columns = names[:-1] if has_key else names
                for i, row in enumerate(result, start=1):
                    values = tuple(row)
                    if has_key:
                        yield dict(zip(columns, values[:-1]), _row=values[-1])
                    else:
                        yield dict(zip(columns, values), _row=i)
        except sa.exc.SQLAlchemyError as exc:
            raise fail(exc) from None
        finally:
            engine.dispose()

    def span():
        if source.query:
            return None
        with engine.connect() as conn:
            table = sa.Table(source.table, sa.MetaData(), autoload_with=conn)
            column = table.c.get(_theirs(source, "created_at"))
            if column is None:
                return None
            result = conn.execution_options(stream_results=True, yield_per=10 * CHUNK_ROWS).execute(sa.select(column))
            return _min_max(value for value, in result)

    return SourceRows(display, rows(), pushdown, skipped, _span=span)


def _row_key(conn, table):
    """What identifies a row: SQLite's rowid (unless the table has none), else an integer primary key."""
    import sqlalchemy as sa

    if conn.dialect.name == "sqlite":
        names = {c.name.lower() for c in table.columns}
        ddl = conn.execute(sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :name"),
                           {"name": table.name}).scalar() or ""
        if not names & {"rowid", "_rowid_", "oid"} and "without rowid" not in ddl.lower():
            return sa.literal_column("_rowid_")
    pk = list(table.primary_key.columns)
    if len(pk) == 1 and isinstance(pk[0].type, sa.Integer):
        return pk[0]
    return None


def _sql_filters(conn, table, source: SourceConfig, window: Slice, pushdown: dict):
    """(in_window, on_route): SQL conditions, values as bound parameters, that are false only for rows the
    stage would count as outside the window, or as on another route."""
    import sqlalchemy as sa

    dialect = conn.dialect.name
    in_window = on_route = sa.true()
    notes = []
    time_col = table.c.get(_theirs(source, "created_at"))
    if time_col is None:
        notes.append(f"no column {_theirs(source, 'created_at')!r}")
    else:
        cond = _sql_window(time_col, dialect, window)
        if cond is None:
            notes.append(f"created_at is {time_col.type} in {dialect}: filtered by the stage")
        else:
            in_window, pushdown["window"] = cond, f"sql ({dialect})"
    route_col = table.c.get(_theirs(source, "route"))
    if window.routes and route_col is not None:
        cond = _sql_routes(route_col, dialect, window.routes)
        if cond is None:
            notes.append(f"route is {route_col.type} in {dialect}: filtered by the stage")
        else:
            on_route, pushdown["routes"] = cond, f"sql ({dialect})"
    if notes:
        pushdown["note"] = "; ".join(notes)
    return in_window, on_route


def _matches(dialect: str, expr, regex: str, glob: str | None = None):
    """expr matches the (anchored) regex: GLOB in SQLite (C, no Python callback per row), the dialect's regex
    operator elsewhere; None where there is none."""
    import sqlalchemy as sa

    if dialect == "sqlite":
        return expr.op("GLOB")(sa.literal(glob, sa.String)) if glob else None
    if dialect in ("postgresql", "mysql", "mariadb", "oracle", "duckdb"):
        return expr.regexp_match(regex)
    return None


def _sql_window(col, dialect: str, window: Slice):
    import sqlalchemy as sa

    lo, hi = _epoch_bounds(window)
    if dialect == "sqlite":
        # SQLite keeps whatever was written, whatever the declared type: decide by each value's storage class.
        text = _text_window(sa.type_coerce(col, sa.String), dialect, window)
        number = sa.type_coerce(col, sa.Float)
        return sa.or_(col.is_(None),
                      sa.and_(sa.func.typeof(col) == "text", text),
                      sa.and_(sa.func.typeof(col).in_(("integer", "real")),
                              sa.or_(sa.and_(number >= lo, number < hi), number < EPOCH_RANGE[0], number > EPOCH_RANGE[1])),
                      sa.func.typeof(col) == "blob")
    kind = col.type
    if isinstance(kind, sa.DateTime):  # a real timestamp: compared exactly (a naive one is UTC, as the stage reads it)
        start, end = window.start.astimezone(UTC), window.end.astimezone(UTC)
        if not getattr(kind, "timezone", False):
            start, end = start.replace(tzinfo=None), end.replace(tzinfo=None)
        return sa.or_(col.is_(None), sa.and_(col >= start, col < end))
    if isinstance(kind, (sa.Integer, sa.Numeric, sa.Float)):  # epoch seconds
        return sa.or_(col.is_(None), sa.and_(col >= lo, col < hi), col < EPOCH_RANGE[0], col > EPOCH_RANGE[1])
    if isinstance(kind, sa.String):
        text = sa.collate(col, "C") if dialect == "postgresql" else col  # byte order, not a locale's
        return _text_window(text, dialect, window, null_ok=col.is_(None))
    return None


def _text_window(col, dialect: str, window: Slice, null_ok=None):
    """created_at stored as text. True unless the value is certainly outside the window:
    - not starting with YYYY-MM-DD (garbage, epoch digits, another format): true, the stage judges it;
    - an ISO time in UTC ('Z', +00:00 or no offset; 'T' or ' '): compared exactly as text against whole seconds;
    - an ISO time with another offset, or a bare date: a local date that can hold an instant of the window.
    Written as NOT (certainly outside), with the log's usual shapes tested first by one pattern each, so the
    bulk of a big table (UTC times outside the window) costs one GLOB and two comparisons per row in SQLite.
    None when this database has no pattern match to tell them apart."""
    import sqlalchemy as sa

    b = _text_bounds(window)
    d2, d4 = "[0-9][0-9]", "[0-9][0-9][0-9][0-9]"
    dated = _matches(dialect, col, DATE_RE, f"{d4}-{d2}-{d2}*")
    if dated is None:
        return None
    utc = {}
    for sep in ("T", " "):
        if dialect == "sqlite":  # GLOB has no optional parts: the usual shapes whole, then any fraction by hand
            stem = f"{d4}-{d2}-{d2}{sep}{d2}:{d2}:{d2}"
            usual = [_matches(dialect, col, "", stem + tail) for tail in
                     (f".{d2}{d2}{d2}Z", "Z", f".{d2}{d2}{d2}", "", f".{d2}[0-9]Z", "+00:00", f".{d2}{d2}{d2}+00:00")]
            rest = sa.func.substr(col, 20)
            after_fraction = sa.func.ltrim(sa.func.substr(rest, 2), "0123456789")
            utc[sep] = sa.or_(*usual, sa.and_(
                _matches(dialect, col, "", stem + "*"),
                sa.or_(rest.in_(UTC_SUFFIXES),
                       sa.and_(rest.op("GLOB")(sa.literal(".[0-9]*", sa.String)), after_fraction.in_(UTC_SUFFIXES)))))
        else:
            utc[sep] = _matches(dialect, col, UTC_RE % sep)
    day = sa.func.substr(col, 1, 10)
    outside = sa.or_(
        sa.and_(utc["T"], sa.not_(sa.and_(col >= b["T"][0], col < b["T"][1]))),
        sa.and_(utc[" "], sa.not_(sa.and_(col >= b[" "][0], col < b[" "][1]))),
        sa.and_(dated, sa.not_(utc["T"]), sa.not_(utc[" "]), sa.not_(sa.and_(day > b["dates"][0], day < b["dates"][1]))))
    cond = sa.not_(outside)
    return cond if null_ok is None else sa.or_(null_ok, cond)


def _sql_routes(col, dialect: str, routes: tuple[str, ...]):
    """False only for a text route, without edge whitespace, that is not one of `routes`."""
    import sqlalchemy as sa

    if dialect == "sqlite":
        text = sa.type_coerce(col, sa.String)
        plain = sa.or_(_matches(dialect, text, "", "[A-Za-z0-9]*[A-Za-z0-9]"), _matches(dialect, text, "", "[A-Za-z0-9]"))
        return sa.or_(col.is_(None), sa.func.typeof(col) != "text", text.in_(routes), sa.not_(plain))
    if not isinstance(col.type, sa.String):
        return None
    plain = _matches(dialect, col, PLAIN_RE)
    if plain is None:
        return None
    return sa.or_(col.is_(None), col.in_(routes), sa.not_(plain))


def _min_max(values) -> tuple[datetime, datetime] | None:
    from tasks.sampling.validate import parse_time

    lo = hi = None
    for value in values:
        if value is None:
            continue
        try:
            t = parse_time(value)
        except (TypeError, ValueError, OverflowError, OSError):
            continue
        lo = t if lo is None or t < lo else lo
        hi = t if hi is None or t > hi else hi
    return None if lo is None else (lo, hi)


# ---------------------------------------------------------------- files

def _read_jsonl(url: str) -> SourceRows:
    """JSON lines have no index or statistics: every line is parsed and the stage filters it (one at a time)."""
    import fsspec

    try:
        opened = fsspec.open(url, "rt", compression="infer", encoding="utf-8", errors="replace")
        f = opened.open()
    except FileNotFoundError:
        raise SourceError(f"source.url {redact(url)!r}: no such file") from None
    except (ImportError, ValueError) as exc:  # fsspec: unknown protocol or its package missing (s3fs, gcsfs)
        raise SourceError(f"source.url {redact(url)!r}: {redact(str(exc))}") from None

    def rows() -> Iterator[dict]:
        with f:
            for i, line in enumerate(f, start=1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as exc:
                    row = {"_bad_json": f"line {i} is not JSON ({exc.msg})", "_raw": line[:2000]}
                if not isinstance(row, dict):
                    row = {"_bad_json": f"line {i} is a JSON {type(row).__name__}, not an object", "_raw": line[:2000]}
                row["_row"] = i
                yield row

    return SourceRows(redact(url), rows(), {"window": None, "routes": None, "note": "JSON lines: every line is parsed"})


def _read_parquet(url: str, source: SourceConfig, window: Slice | None) -> SourceRows:
    """Row groups the statistics rule out are never read; in the others, a filter expression drops rows outside
    the window or on other routes inside Arrow, before any row becomes a dict."""
    import fsspec
    import pyarrow.dataset as ds
    import pyarrow.parquet as pq
    from fsspec.implementations.local import LocalFileSystem

    display = redact(url)
    try:
        fs, path = fsspec.core.url_to_fs(url)
        if not fs.isfile(path):
            raise FileNotFoundError(path)
        local = isinstance(fs, LocalFileSystem)
        dataset = ds.dataset(path, format="parquet", filesystem=None if local else fs)
        fragment = next(iter(dataset.get_fragments()))
        groups = fragment.row_groups
        with fs.open(path, "rb") as f:
            metadata = pq.ParquetFile(f).metadata
    except FileNotFoundError:
        raise SourceError(f"source.url {display!r}: no such file") from None
    except (ImportError, ValueError, OSError) as exc:  # unknown protocol, its package missing, not Parquet
        raise SourceError(f"source.url {display!r}: {redact(str(exc))}") from None
    pushdown: dict = {"window": None, "routes": None}
    skipped = {"outside_window": 0, "other_route": 0}
    in_window = on_route = None
    keep = {g.id for g in groups}
    if window is not None:
        in_window, on_route = _arrow_filters(dataset.schema, source, window, pushdown)
        if in_window is not None:
            keep = {g.id for piece in fragment.split_by_row_group(in_window) for g in piece.row_groups}
            keep -= _text_days_outside(metadata, _theirs(source, "created_at"), window)
    starts, offset = {}, 0
    for g in groups:
        starts[g.id], offset = offset, offset + g.num_rows
    skipped["outside_window"] = sum(g.num_rows for g in groups if g.id not in keep)
    if window is not None:
        pushdown["row_groups"] = {"read": len(keep), "skipped": len(groups) - len(keep)}

    def rows() -> Iterator[dict]:
        import numpy as np
        import pyarrow as pa

        with fs.open(path, "rb") as f:
            pf = pq.ParquetFile(f)
            for gid in sorted(keep):
                position = starts[gid] + 1
                for batch in pf.iter_batches(batch_size=CHUNK_ROWS, row_groups=[gid]):
                    n = batch.num_rows
                    batch = batch.append_column("__distillery_row", pa.array(np.arange(position, position + n)))
                    position += n
                    if in_window is not None:
                        batch = batch.filter(in_window)
                        skipped["outside_window"] += n - batch.num_rows
                    if on_route is not None:
                        inside = batch.num_rows
                        batch = batch.filter(on_route)
                        skipped["other_route"] += inside - batch.num_rows
                    for row in batch.to_pylist():
                        row["_row"] = row.pop("__distillery_row")
                        yield row

    def span():
        column = _theirs(source, "created_at")
        if column not in dataset.schema.names:
            return None
        return _min_max(v for b in dataset.to_batches(columns=[column], batch_size=20 * CHUNK_ROWS) for v in b.column(0).to_pylist())

    return SourceRows(display, rows(), pushdown, skipped, _span=span)


def _arrow_filters(schema, source: SourceConfig, window: Slice, pushdown: dict):
    """The same conditions as _sql_filters, as Arrow expressions (None: not pushed down)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.dataset as ds

    notes, in_window, on_route = [], None, None
    name = _theirs(source, "created_at")
    if name in schema.names:
        kind, f = schema.field(name).type, ds.field(name)
        lo, hi = _epoch_bounds(window)
        if pa.types.is_timestamp(kind):
            start, end = window.start.astimezone(UTC), window.end.astimezone(UTC)
            if kind.tz is None:
                start, end = start.replace(tzinfo=None), end.replace(tzinfo=None)
            start, end = _whole_seconds(start, end) if kind.unit == "s" else (start, end)
            in_window = f.is_null() | ((f >= pa.scalar(start, kind)) & (f < pa.scalar(end, kind)))
        elif pa.types.is_integer(kind) or pa.types.is_floating(kind):
            in_window = f.is_null() | ((f >= lo) & (f < hi)) | (f < EPOCH_RANGE[0]) | (f > EPOCH_RANGE[1])
        elif pa.types.is_string(kind) or pa.types.is_large_string(kind):
            b = _text_bounds(window)
            utc = {sep: pc.match_substring_regex(f, pattern=UTC_RE % sep) for sep in ("T", " ")}
            exact = ((utc["T"] & (f >= b["T"][0]) & (f < b["T"][1]))
                     | (utc[" "] & (f >= b[" "][0]) & (f < b[" "][1])))
            day = pc.utf8_slice_codeunits(f, 0, 10)
            wide = ~utc["T"] & ~utc[" "] & (day > b["dates"][0]) & (day < b["dates"][1])
            in_window = f.is_null() | ~pc.match_substring_regex(f, pattern=DATE_RE) | exact | wide
        else:
            notes.append(f"created_at is {kind}: filtered by the stage")
        if in_window is not None:
            pushdown["window"] = "parquet"
    else:
        notes.append(f"no column {name!r}")
    name = _theirs(source, "route")
    if window.routes and name in schema.names:
        kind, f = schema.field(name).type, ds.field(name)
        if pa.types.is_string(kind) or pa.types.is_large_string(kind):
            on_route = f.is_null() | f.isin(list(window.routes)) | ~pc.match_substring_regex(f, pattern=PLAIN_RE)
            pushdown["routes"] = "parquet"
        else:
            notes.append(f"route is {kind}: filtered by the stage")
    if notes:
        pushdown["note"] = "; ".join(notes)
    return in_window, on_route


def _text_days_outside(metadata, column: str, window: Slice) -> set[int]:
    """Row groups of a text created_at without nulls whose values all start with one date far outside the
    window: every value lies between min and max, so it shares their common prefix. (The expression's regex
    parts keep Arrow from ruling such groups out from statistics itself.)"""
    names = [metadata.schema.column(j).path for j in range(metadata.num_columns)]
    if column not in names:
        return set()
    lo, hi = _text_bounds(window)["dates"]
    out = set()
    for i in range(metadata.num_row_groups):
        stats = metadata.row_group(i).column(names.index(column)).statistics
        if stats is None or not stats.has_min_max or stats.null_count != 0:
            continue
        low, high = stats.min, stats.max
        if not isinstance(low, str) or not isinstance(high, str):
            continue
        day = low[:10]
        if high[:10] == day and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", day) and not lo < day < hi:
            out.add(i)
    return out
