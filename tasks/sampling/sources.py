"""Reading a production request log: a SQL table (SQLAlchemy URL) or a JSONL/Parquet file (path or fsspec URL).

Rows come back as plain dicts with our column names (see `source.columns` for logs that name them
differently) plus `_row`, the row's ordinal in the source, so a quarantined row can be found again.
A JSONL line that is not JSON is not an error of the source: it comes back as a row with `_bad_json`.
"""

import json
import re
from dataclasses import dataclass
from pathlib import Path

from distillery.config import SourceConfig

FILE_SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson", ".json", ".parquet")
SQL_SCHEMES = ("sqlite", "postgresql", "postgres", "mysql", "mariadb", "mssql", "oracle", "duckdb")


class SourceError(RuntimeError):
    """The log cannot be read at all; the message says what to check."""


@dataclass
class SourceRows:
    rows: list[dict]
    display: str  # where they came from, without credentials


def redact(url: str) -> str:
    """The URL without the password of its user info (`postgresql://etl:***@db/prod`): what error messages and
    records may show. Hand-written: SQLAlchemy's hide_password needs a URL it can parse, and fsspec URLs
    (s3://key:secret@bucket/...) are not SQLAlchemy URLs."""
    return re.sub(r"(?<=://)([^/@:]*):[^/@]*@", r"\1:***@", url)


def read_source(source: SourceConfig) -> SourceRows:
    url = source.url.strip()
    scheme = url.split("://", 1)[0].split("+", 1)[0].lower() if "://" in url else ""
    if url.lower().endswith(FILE_SUFFIXES):
        result = _read_file(url)
    elif scheme in SQL_SCHEMES:
        result = _read_sql(url, source)
    else:
        raise SourceError(f"source.url {redact(url)!r} is neither a database URL (sqlite:///path.db, postgresql://host/db) "
                          f"nor a file ending in {', '.join(FILE_SUFFIXES)}")
    if source.columns:
        theirs_to_ours = {theirs: ours for ours, theirs in source.columns.items()}
        result.rows = [{theirs_to_ours.get(k, k): v for k, v in row.items()} for row in result.rows]
    return result


def _read_sql(url: str, source: SourceConfig) -> SourceRows:
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
    try:
        with engine.connect() as conn:
            if source.query:
                statement = sa.text(source.query)
                display += " (query)"
            else:
                tables = sa.inspect(conn).get_table_names()
                if source.table not in tables:
                    raise SourceError(f"source.table {source.table!r} not found in {display}; tables there: "
                                      f"{', '.join(tables) or 'none'}")
                statement = sa.select(sa.Table(source.table, sa.MetaData(), autoload_with=conn))
                display += f" table {source.table}"
            result = conn.execute(statement)
            rows = [dict(m, _row=i) for i, m in enumerate(result.mappings(), start=1)]
    except sa.exc.SQLAlchemyError as exc:
        first = str(exc).splitlines()[0]
        raise SourceError(f"cannot read {display}: {redact(first)}") from None
    finally:
        engine.dispose()
    return SourceRows(rows, display)


def _read_file(url: str) -> SourceRows:
    import fsspec

    try:
        if url.lower().endswith(".parquet"):
            import pyarrow.parquet as pq

            with fsspec.open(url, "rb") as f:
                table = pq.read_table(f)
            return SourceRows([dict(r, _row=i) for i, r in enumerate(table.to_pylist(), start=1)], redact(url))
        rows = []
        with fsspec.open(url, "rt", compression="infer", encoding="utf-8", errors="replace") as f:
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
                rows.append(row)
        return SourceRows(rows, redact(url))
    except FileNotFoundError:
        raise SourceError(f"source.url {redact(url)!r}: no such file") from None
    except (ImportError, ValueError) as exc:  # fsspec: unknown protocol or its package missing (s3fs, gcsfs)
        raise SourceError(f"source.url {redact(url)!r}: {redact(str(exc))}") from None
