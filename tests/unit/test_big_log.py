"""Big logs: the window and routes are filtered by the source (SQL, Parquet statistics and filters), rows are
streamed, and the stage keeps a bounded candidate pool per route. Each test would fail if the pushdown or
the bound regressed: rows outside the window carry dirt that would be quarantined if they were ever read.

Hand-made logs of a few hundred rows; `benchmarks/big_log.py` measures the real thing (docs/facts.md).
"""

import json
import random
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa

from distillery.config import load_config
from tasks.sampling.sources import SourceError
from tasks.sampling.stage import run_sample
from tests.conftest import REPO

RUN_DATE = date(2026, 11, 23)
NIGHT = ["sampling.window.start=2026-11-21", "sampling.window.end=2026-11-22"]
WORDS = ("printer invoice login export refund dashboard password report billing upload server outage laptop vpn "
         "email calendar license invoice tax shipment order delay crash button screen network backup").split()
BROKEN = "{not json"  # what every row outside the window carries: read, it would be quarantined as bad_json:messages


def text(rng: random.Random, i: int) -> str:
    return f"Ticket {i}: " + " ".join(rng.choice(WORDS) for _ in range(14))


def log_rows(n_days: int = 5, per_day: int = 60, seed: int = 0) -> list[dict]:
    """Rows over the five days before RUN_DATE; only 2026-11-21 (the night sampled) is clean."""
    rng = random.Random(seed)
    rows = []
    for d in range(n_days):
        day = datetime(2026, 11, 18 + d, tzinfo=UTC)
        for k in range(per_day):
            i = len(rows)
            inside = day.date() == date(2026, 11, 21)
            messages = json.dumps([{"role": "user", "content": text(rng, i)}]) if inside else BROKEN
            rows.append({"request_id": f"r{i}", "created_at": day + timedelta(minutes=23 * k),
                         "route": ("ticket-triage", "invoice-extract", "support-reply")[i % 3], "messages": messages})
    return rows


def config(url, store: Path, *overrides: str):
    return load_config(REPO / "configs/demo.yaml", [f"source.url={url}", f"store.root={store}", "sampling.languages={}",
                                                    "sampling.budget=1000", *NIGHT, *overrides])


def write_sqlite(path: Path, rows: list[dict], table: str = "requests", columns: dict | None = None) -> Path:
    columns = columns or {}
    names = [columns.get(k, k) for k in rows[0]]
    con = sqlite3.connect(path)
    quoted = ", ".join('"' + n.replace('"', '""') + '"' for n in names)
    con.execute(f'CREATE TABLE "{table.replace(chr(34), chr(34) * 2)}" ({quoted})')  # test fixture, not the code under test
    con.executemany(f'INSERT INTO "{table.replace(chr(34), chr(34) * 2)}" VALUES ({", ".join("?" * len(names))})',
                    [[v.strftime("%Y-%m-%dT%H:%M:%S.%fZ") if isinstance(v, datetime) else v for v in r.values()] for r in rows])
    con.commit()
    con.close()
    return path


@pytest.fixture
def statements():
    """Every SQL statement SQLAlchemy sends, with its parameters."""
    seen = []

    def listen(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", listen)
    yield seen
    sa.event.remove(sa.engine.Engine, "before_cursor_execute", listen)


def test_sqlite_rows_outside_the_window_are_never_fetched(tmp_path, statements):
    rows = log_rows()
    rows[190]["messages"] = "[{\"role\": \"user\""  # a broken row inside the window: quarantined, found by its rowid
    db = write_sqlite(tmp_path / "log.db", rows)
    record = run_sample(config(f"sqlite:///{db}", tmp_path), tmp_path / "run", RUN_DATE)
    f = record["funnel"]
    assert f["read"] == 300 and f["outside_window"] == 240 and f["fetched"] == 60, f
    assert f["quarantined"] == {"bad_json:messages": 1}, "a row outside the window was read"
    quarantine = pq.read_table(tmp_path / "run" / "quarantine.parquet").to_pylist()
    assert [q["row"] for q in quarantine] == [191], "_row is the SQLite rowid: the row can be found in the table"
    refs = pq.read_table(tmp_path / "run" / "prompts.parquet")["source_ref"].to_pylist()
    assert all(181 <= int(r.rsplit("#row=", 1)[1]) <= 240 for r in refs)
    assert record["inputs"]["pushdown"]["window"] == "sql (sqlite)"
    # The bounds travel as bound parameters, never pasted into the SQL text.
    selects = [(s, p) for s, p in statements if "FROM requests" in s and "WHERE" in s]
    assert selects, statements
    for sql, params in selects:
        assert "2026-11-2" not in sql and any("2026-11-21" in str(v) for v in params), (sql, params)


def test_routes_are_filtered_in_sql_too(tmp_path):
    db = write_sqlite(tmp_path / "log.db", log_rows())
    record = run_sample(config(f"sqlite:///{db}", tmp_path, "sampling.routes=[invoice-extract]"), tmp_path / "run", RUN_DATE)
    f = record["funnel"]
    assert (f["outside_window"], f["other_route"], f["fetched"]) == (240, 40, 20), f
    assert record["inputs"]["pushdown"]["routes"] == "sql (sqlite)"


TRICKY_TIMES = [  # (created_at as logged, inside 2026-11-21T00:00Z .. 2026-11-22T00:00Z)
    ("2026-11-21T00:00:00Z", True), ("2026-11-20T23:59:59.999999Z", False), ("2026-11-21T23:59:59.999999Z", True),
    ("2026-11-22T00:00:00Z", False), ("2026-11-22T00:00:00.000001+00:00", False), ("2026-11-21 12:00:00", True),
    ("2026-11-21T12:00:00.5", True), ("2026-11-22T01:00:00+02:00", True), ("2026-11-21T01:00:00+02:00", False),
    ("2026-11-20T22:30:00-01:45", True), ("2026-11-21", True), ("2026-11-22", False), ("2026-11-21T08:00Z", True),
    (1795219200, True), (1795219199.5, False), (1795305600, False), ("1795250000", None), ("yesterday afternoon", None),
    (" 2026-11-21T10:00:00Z", True), ("2026-11-21T10:00:00,5Z", True), ("20261121T100000Z", True), (None, None),
    (10**15, None), ("2026-11-21T10:00:00z", None),
    ("2026-11-22T23:58:59+23:59", True), ("2026-11-22T23:59:00+23:59", False),  # the largest offsets either way
    ("2026-11-20T00:01:00-23:59", True), ("2026-11-20T00:00:59-23:59", False),
]


@pytest.mark.parametrize("store_as", ["sqlite_untyped", "jsonl", "parquet_text"])
def test_pushdown_never_changes_what_the_stage_decides(tmp_path, store_as):
    """Every odd way of writing created_at, and the window's edges: the SQL and Arrow filters keep exactly the
    rows the stage itself would keep (they may only keep too many), so every source gives the same result."""
    times = [(v, inside) for v, inside in TRICKY_TIMES if store_as != "parquet_text" or not isinstance(v, (int, float))]
    rows = [{"request_id": f"t{i}", "created_at": value, "route": "ticket-triage",
             "messages": json.dumps([{"role": "user", "content": text(random.Random(i), i)}])}
            for i, (value, _) in enumerate(times)]
    if store_as == "parquet_text":
        pq.write_table(pa.Table.from_pylist(rows), tmp_path / "log.parquet", row_group_size=4)
    db = tmp_path / "log.db"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE requests (request_id TEXT, created_at, route TEXT, messages TEXT)")  # no type: kept as given
    con.executemany("INSERT INTO requests VALUES (?, ?, ?, ?)", [tuple(r.values()) for r in rows])
    con.commit()
    con.close()
    jsonl = tmp_path / "log.jsonl"
    jsonl.write_text("".join(json.dumps({k: v for k, v in r.items() if v is not None}) + "\n" for r in rows))
    url = {"sqlite_untyped": f"sqlite:///{db}", "jsonl": str(jsonl), "parquet_text": str(tmp_path / "log.parquet")}[store_as]
    record = run_sample(config(url, tmp_path), tmp_path / "run", RUN_DATE)
    kept = set(pq.read_table(tmp_path / "run" / "prompts.parquet")["request_id"].to_pylist())
    quarantined = {q["request_id"]: q["reason"] for q in pq.read_table(tmp_path / "run" / "quarantine.parquet").to_pylist()}
    for i, (value, inside) in enumerate(times):
        rid = f"t{i}"
        if inside is None:
            assert quarantined.get(rid, "").endswith("created_at"), (value, quarantined.get(rid))
        else:
            assert (rid in kept) == inside, (value, inside)
    f = record["funnel"]
    assert f["outside_window"] == sum(inside is False for _, inside in times)
    if store_as != "jsonl":
        assert f["fetched"] < len(rows), "nothing was filtered by the source"


def test_parquet_row_groups_outside_the_window_are_skipped_and_renames_honoured(tmp_path):
    rows = log_rows()
    for kind in ("timestamp", "text"):
        table = pa.Table.from_pylist([{"id": r["request_id"], "ts": r["created_at"] if kind == "timestamp" else
                                       r["created_at"].isoformat().replace("+00:00", "Z"), "kind": r["route"],
                                       "messages": r["messages"]} for r in rows])
        path = tmp_path / f"{kind}.parquet"
        pq.write_table(table, path, row_group_size=60)  # one row group per day
        cfg = config(path, tmp_path, "source.columns={request_id: id, created_at: ts, route: kind}",
                     "sampling.routes=[ticket-triage, support-reply]")
        record = run_sample(cfg, tmp_path / kind, RUN_DATE)
        f, pushed = record["funnel"], record["inputs"]["pushdown"]
        # A text time could carry an offset: the days either side of the night are read (and filtered in Arrow).
        assert pushed["row_groups"] == ({"read": 1, "skipped": 4} if kind == "timestamp" else {"read": 3, "skipped": 2}), pushed
        assert (f["read"], f["outside_window"], f["other_route"], f["fetched"]) == (300, 240, 20, 40), (kind, f)
        assert not f["quarantined"], (kind, f["quarantined"])
        refs = pq.read_table(tmp_path / kind / "prompts.parquet")["source_ref"].to_pylist()
        assert all(181 <= int(r.rsplit("#row=", 1)[1]) <= 240 for r in refs), "_row is the ordinal in the file"


def test_a_hostile_table_or_column_name_is_quoted_not_run(tmp_path):
    hostile_table = 'log"; DROP TABLE keepme; --'
    hostile_column = "ts'); DELETE FROM keepme; --"
    db = tmp_path / "log.db"
    write_sqlite(db, log_rows(), table=hostile_table, columns={"created_at": hostile_column})
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE keepme (x)")
    con.execute("INSERT INTO keepme VALUES (1)")
    con.commit()
    con.close()
    record = run_sample(config(f"sqlite:///{db}", tmp_path, f"source.table={hostile_table}",
                               f"source.columns={{created_at: \"{hostile_column}\"}}"), tmp_path / "run", RUN_DATE)
    assert record["funnel"]["fetched"] == 60 and record["inputs"]["pushdown"]["window"]
    with pytest.raises(SourceError, match="not found"):
        run_sample(config(f"sqlite:///{db}", tmp_path, "source.table=requests; DROP TABLE keepme"), tmp_path / "r2", RUN_DATE)
    con = sqlite3.connect(db)
    assert con.execute("SELECT count(*) FROM keepme").fetchone() == (1,)
    assert con.execute(f'SELECT count(*) FROM "{hostile_table.replace(chr(34), chr(34) * 2)}"').fetchone() == (300,)


def busy_night(n: int, seed: int = 1, reuse: bool = True) -> list[dict]:
    rng = random.Random(seed)
    start = datetime(2026, 11, 21, tzinfo=UTC)
    rows = [{"request_id": f"b{i}", "created_at": start + timedelta(seconds=86400 * i // n),
             "route": "ticket-triage" if i % 4 else "invoice-extract",
             "messages": json.dumps([{"role": "user", "content": text(rng, i)}])} for i in range(n)]
    rows[7]["messages"] = "[]"  # invalid: quarantined whether or not it would have been a candidate
    if reuse:
        rows[11]["request_id"] = "b9"  # an id reused for other content: both rows in the pool, or neither
    return rows


def test_the_candidate_pool_bounds_the_rows_kept_and_the_funnel_says_so(tmp_path):
    rows = busy_night(1500)
    db = write_sqlite(tmp_path / "log.db", rows)
    knobs = ("sampling.candidate_pool=100", "sampling.budget=40", "sampling.allocation=proportional")
    record = run_sample(config(f"sqlite:///{db}", tmp_path, *knobs), tmp_path / "a", RUN_DATE)
    f = record["funnel"]
    c = f["candidates"]
    assert c["per_route"] == 100 and c["kept"] <= 200 and c["routes_full"] == ["invoice-extract", "ticket-triage"], c
    assert c["kept"] + c["not_kept"] == 1499, c
    # Every row is accounted for: outside the window, another route, quarantined, or valid (checked or not kept).
    assert f["read"] == 1500 == f["outside_window"] + f["other_route"] + sum(f["quarantined"].values()) + f["valid"]
    assert f["quarantined"]["wrong_type:messages"] == 1
    assert sum(f["sampled"].values()) == 40 and f["split"]["train"] + f["split"]["eval"] == 40
    # Traffic is scaled from the candidates to the route's rows: the mix stays 3:1.
    assert abs(f["traffic"]["ticket-triage"] / f["traffic"]["invoice-extract"] - 3) < 0.1, f["traffic"]
    # Deterministic.
    run_sample(config(f"sqlite:///{db}", tmp_path, *knobs), tmp_path / "b", RUN_DATE)
    for name in ("prompts.parquet", "quarantine.parquet"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    # Without the bound (the default pool holds this window whole) every valid row is a candidate.
    whole = run_sample(config(f"sqlite:///{db}", tmp_path, *knobs[1:]), tmp_path / "d", RUN_DATE)
    assert whole["funnel"]["candidates"] | {"note": ""} == {"per_route": 10_000, "kept": 1499, "not_kept": 0,
                                                          "routes_full": [], "note": ""}
    assert whole["funnel"]["quarantined"] == {"request_id_reused": 1, "wrong_type:messages": 1}


def test_which_rows_the_pool_keeps_does_not_depend_on_the_row_order(tmp_path):
    """The pool is chosen by a hash of (seed, request_id), not by position: shuffled, the log samples the same prompts."""
    rows = busy_night(1200, reuse=False)
    knobs = ("sampling.candidate_pool=80", "sampling.budget=30")
    ids = []
    for name, order in (("a", rows), ("b", random.Random(5).sample(rows, len(rows)))):
        db = write_sqlite(tmp_path / f"{name}.db", order)
        record = run_sample(config(f"sqlite:///{db}", tmp_path, *knobs), tmp_path / name, RUN_DATE)
        assert record["funnel"]["candidates"]["kept"] == 160
        ids.append(set(pq.read_table(tmp_path / name / "prompts.parquet")["prompt_id"].to_pylist()))
    assert len(ids[0]) == 30 and ids[0] == ids[1]


def test_a_dirty_night_spills_its_quarantine_and_writes_the_same_file(tmp_path, monkeypatch):
    """Quarantined rows past QUARANTINE_IN_MEMORY go to sorted part files, merged on write: same rows, same order."""
    from tasks.sampling import stage

    rows = busy_night(300, reuse=False)
    for r in rows[::3]:
        r["messages"] = BROKEN
    db = write_sqlite(tmp_path / "log.db", rows)
    whole = run_sample(config(f"sqlite:///{db}", tmp_path), tmp_path / "whole", RUN_DATE)
    monkeypatch.setattr(stage, "QUARANTINE_IN_MEMORY", 7)
    spilled = run_sample(config(f"sqlite:///{db}", tmp_path), tmp_path / "spilled", RUN_DATE)
    assert whole["funnel"]["quarantined"] == spilled["funnel"]["quarantined"] == {"bad_json:messages": 100,
                                                                               "wrong_type:messages": 1}
    read = lambda run: pq.read_table(tmp_path / run / "quarantine.parquet").to_pylist()  # noqa: E731
    assert read("whole") == read("spilled") and len(read("whole")) == 101
    assert pq.ParquetFile(tmp_path / "spilled" / "quarantine.parquet").metadata.num_row_groups > 1
    assert not (tmp_path / "spilled" / ".quarantine-parts").exists()


@pytest.mark.parametrize("dialect", ["postgresql", "mysql", "oracle"])
def test_other_databases_get_the_same_filter_with_bound_parameters(dialect):
    """Not run against a server here: compiled, to show the SQL those databases would get. A real timestamp
    column gets a plain range (an index on created_at can serve it); text gets the database's regex."""
    import importlib

    from tasks.sampling.sources import Slice, _sql_routes, _sql_window

    window = Slice(datetime(2026, 11, 21, tzinfo=UTC), datetime(2026, 11, 22, tzinfo=UTC), ("ticket-triage",))
    t = sa.Table("requests", sa.MetaData(), sa.Column("ts", sa.DateTime(timezone=True)), sa.Column("ts_text", sa.Text),
                 sa.Column("epoch", sa.BigInteger), sa.Column("route", sa.String))
    compiled = importlib.import_module(f"sqlalchemy.dialects.{dialect}").dialect()
    for column in ("ts", "ts_text", "epoch"):
        where = sa.and_(_sql_window(t.c[column], dialect, window), _sql_routes(t.c.route, dialect, window.routes))
        sql = str(sa.select(t).where(where).compile(dialect=compiled))
        assert "2026" not in sql and "ticket-triage" not in sql and "[0-9]" not in sql, sql
    sql = str(sa.select(t).where(_sql_window(t.c.ts, dialect, window)).compile(dialect=compiled))
    assert sql.split("WHERE", 1)[1].count("requests.ts") == 3, sql  # ts IS NULL OR ts >= :a AND ts < :b
