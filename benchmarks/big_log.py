"""Does the sample stage stay flat in memory on a big log? One night sampled from logs of 1M and 10M rows.

    .venv/bin/python benchmarks/big_log.py                          # 1M, 3M, 10M rows, SQLite (docs/facts.md "Big logs")
    .venv/bin/python benchmarks/big_log.py --sizes 100k,1M          # a quick run
    .venv/bin/python benchmarks/big_log.py --format parquet         # the same log as Parquet (timestamp column)

Each log spans DAYS days of Acme Cloud traffic (the demo generator's texts: tickets, invoices, replies; 1% foreign
language, 0.5% broken JSON, 0.3% empty content, 10% with an email or phone number, 3% repeated requests) and
is generated once into /tmp/distillery-big-log/ (kept and reused; generation is not measured). The production
system prompts are cut to their first paragraph to keep 10M rows at ~10 GB on disk: every row still carries one.

The stage is the real one (`run_sample`, configs/demo.yaml's knobs, window = the log's last day), run in a
fresh subprocess per size, which reports its own peak RSS (ru_maxrss) and the wall time of run_sample alone.
Targets (issue 23): peak RSS flat between the sizes (ratio <= 1.3; and ~1 once every route's candidate pool is
full, which this log's nights are from ~2M rows) and time no worse than linear in the log's rows.
The last stdout line is one JSON document.
"""

import argparse
import json
import os
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "data"))

CACHE = Path("/tmp/distillery-big-log")
VERSION = 2  # bump when the generated rows change
DAYS = 60
END = datetime(2026, 11, 23, tzinfo=UTC)  # the log's last instant; the night sampled is the day before
RUN_DATE = END.date()
CHUNK = 100_000
ROUTES = {"ticket-triage": 0.5, "invoice-extract": 0.25, "support-reply": 0.25}
COLUMNS = ["request_id", "created_at", "route", "messages", "model", "response", "prompt_tokens", "completion_tokens",
           "latency_ms"]


def parse_size(text: str) -> int:
    text = text.strip().lower()
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1], 1)
    return int(float(text[:-1] if scale > 1 else text) * scale)


# ---------------------------------------------------------------- the log

class Rows:
    """Realistic rows, cheaply: texts from pools drawn once by the demo generator, made distinct per row."""

    def __init__(self, seed: int = 23):
        import demo_text as T
        from generate_demo_log import Generator

        g = Generator(seed, unique=False)
        self.rng = random.Random(seed)
        self.T = T
        self.pool = {route: [g.content(route) for _ in range(20_000)] for route in ROUTES}
        self.system_json = {}
        for route in ROUTES:
            system = (ROOT / "data" / "routes" / f"{route}.system.md").read_text().split("\n\n")[0]
            self.system_json[route] = '[{"role": "system", "content": ' + json.dumps(system) + '}, {"role": "user", "content": '
        self.foreign = [s.format(month="October", city="Lyon") for texts in T.FOREIGN.values() for s in texts]
        names = [(f, l) for f in T.FIRST_NAMES for l in T.LAST_NAMES]
        self.pii = [f"You can reach me at {f.lower()}.{l.lower()}{n}@{T.EMAIL_DOMAINS[n % len(T.EMAIL_DOMAINS)]}."
                    for n, (f, l) in enumerate(names)]
        self.pii += [f"My direct line is +1 415-555-{n:04d}." for n in range(0, 10_000, 7)]
        self.refs = ["Our account is AC-{}.", "Ticket ref {}.", "Order {} if that helps.", "Workspace id {}.", "Case {}."]
        self.recent: list[tuple] = []

    def chunk(self, first: int, n: int, total: int) -> list[tuple]:
        import numpy as np

        rng = self.rng
        span_us = DAYS * 86_400 * 10**6
        start = np.datetime64((END - timedelta(days=DAYS)).replace(tzinfo=None), "us")
        offsets = (np.arange(first, first + n, dtype=np.float64) * (span_us / total)).astype(np.int64)  # no int64 overflow
        stamps = [s + "Z" for s in np.datetime_as_string(start + offsets.astype("timedelta64[us]"), unit="us").tolist()]
        routes, weights = list(ROUTES), list(ROUTES.values())
        out = []
        for k in range(n):
            i = first + k
            rid = f"req_{(i * 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFF:012x}"
            roll = rng.random()
            if roll < 0.03 and self.recent:  # the same request again (a retry, a copy-paste)
                row = rng.choice(self.recent)
                out.append((rid, stamps[k], *row))
                continue
            route = rng.choices(routes, weights)[0]
            user, answer = self.pool[route][rng.randrange(20_000)]
            user = f"{user} {rng.choice(self.refs).format(rng.randrange(10**6, 10**7))}"
            if roll < 0.13:
                user += " " + rng.choice(self.pii)
            if 0.13 <= roll < 0.14 and route != "invoice-extract":
                user = rng.choice(self.foreign)
            if 0.14 <= roll < 0.143:
                user = "   "
            messages = self.system_json[route] + json.dumps(user) + "}]"
            if 0.143 <= roll < 0.148:
                messages = messages[: len(messages) // 2]  # a log write cut short
            prompt = len(messages) // 4
            row = (route, messages, "gpt-4.1-2025-04-14", answer, prompt, max(1, len(answer) // 4), 300 + prompt // 7)
            if len(self.recent) < 500:
                self.recent.append(row)
            else:
                self.recent[rng.randrange(500)] = row
            out.append((rid, stamps[k], *row))
        return out


def make_log(rows: int, fmt: str) -> Path:
    """The log of `rows` rows, generated once into CACHE (and reused)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"log-v{VERSION}-{DAYS}d-{rows}.{'db' if fmt == 'sqlite' else 'parquet'}"
    if path.is_file():
        return path
    tmp = path.with_name(path.name + ".tmp")
    tmp.unlink(missing_ok=True)
    gen = Rows()
    started = time.monotonic()
    if fmt == "sqlite":
        con = sqlite3.connect(tmp)
        con.execute("PRAGMA journal_mode = OFF")
        con.execute("PRAGMA synchronous = OFF")
        con.execute("CREATE TABLE requests (request_id TEXT, created_at TEXT, route TEXT, messages TEXT, model TEXT, "
                    "response TEXT, prompt_tokens INTEGER, completion_tokens INTEGER, latency_ms INTEGER)")
        for first in range(0, rows, CHUNK):
            con.executemany("INSERT INTO requests VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", gen.chunk(first, min(CHUNK, rows - first), rows))
            con.commit()
        con.close()
    else:
        import pyarrow as pa
        import pyarrow.parquet as pq

        schema = pa.schema([("request_id", pa.string()), ("created_at", pa.timestamp("us", tz="UTC")), ("route", pa.string()),
                            ("messages", pa.string()), ("model", pa.string()), ("response", pa.string()),
                            ("prompt_tokens", pa.int64()), ("completion_tokens", pa.int64()), ("latency_ms", pa.int64())])
        with pq.ParquetWriter(tmp, schema, compression="zstd") as writer:
            for first in range(0, rows, CHUNK):
                batch = list(zip(*gen.chunk(first, min(CHUNK, rows - first), rows)))
                cols = {name: list(values) for name, values in zip(COLUMNS, batch)}
                cols["created_at"] = [datetime.fromisoformat(s) for s in cols["created_at"]]
                writer.write_table(pa.table(cols, schema=schema))
    tmp.replace(path)
    print(f"generated {rows} rows -> {path} ({path.stat().st_size / 1e9:.2f} GB) in {time.monotonic() - started:.0f} s",
          file=sys.stderr)
    return path


# ---------------------------------------------------------------- one measurement (in its own process)

def measure(log: Path, fmt: str) -> dict:
    import logging

    from distillery.config import load_config
    from tasks.sampling.stage import run_sample

    logging.basicConfig(level=logging.WARNING)
    url = f"sqlite:///{log}" if fmt == "sqlite" else str(log)
    night = END - timedelta(days=1)
    with tempfile.TemporaryDirectory() as store:
        cfg = load_config(ROOT / "configs/demo.yaml", [f"source.url={url}", f"store.root={store}",
                                                       f"sampling.window.start={night.isoformat()}",
                                                       f"sampling.window.end={END.isoformat()}"])
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.monotonic()
        record = run_sample(cfg, Path(store) / "runs" / "night", RUN_DATE)
        wall = time.monotonic() - started
    f = record["funnel"]
    return {"rows": f["read"], "fetched": f["fetched"], "outside_window": f["outside_window"],
            "candidates": f["candidates"]["kept"], "not_kept": f["candidates"]["not_kept"], "valid": f["valid"],
            "quarantined": sum(f["quarantined"].values()), "unique": f["unique"], "sampled": sum(f["sampled"].values()),
            "wall_s": round(wall, 1), "rows_per_s": round(f["read"] / wall),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "rss_after_imports_mb": round(before / 1024), "phases_s": record["phases_s"],
            "pushdown": record["inputs"]["pushdown"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1M,3M,10M", help="log sizes in rows, e.g. 100k,1M (default 1M,3M,10M)")
    parser.add_argument("--format", choices=["sqlite", "parquet"], default="sqlite")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)  # internal: one run in this process
    parser.add_argument("--generate", type=int, help=argparse.SUPPRESS)  # internal: one log in this process
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.format)))
        return
    if args.generate:
        print(make_log(args.generate, args.format))
        return
    sizes = [parse_size(s) for s in args.sizes.split(",")]
    # Generated in their own processes: a child's ru_maxrss starts from what it was forked from.
    logs = {n: Path(subprocess.run([sys.executable, __file__, "--format", args.format, "--generate", str(n)], check=True,
                                   stdout=subprocess.PIPE, text=True).stdout.strip().splitlines()[-1]) for n in sizes}
    results = {}
    for n, log in logs.items():
        child = subprocess.run([sys.executable, __file__, "--format", args.format, "--measure", str(log)],
                               capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"})
        if child.returncode:
            sys.exit(f"measuring {log} failed:\n{child.stderr[-3000:]}")
        results[n] = json.loads(child.stdout.strip().splitlines()[-1])
        print(f"{n} rows: {results[n]['wall_s']} s, peak RSS {results[n]['peak_rss_mb']} MB", file=sys.stderr)
    small, big = results[sizes[0]], results[sizes[-1]]
    rss_ratio = big["peak_rss_mb"] / small["peak_rss_mb"]
    time_ratio = big["wall_s"] / small["wall_s"]
    # Memory grows with the night's rows until every route's candidate pool is full, then stays put.
    full = [n for n in sizes if results[n]["not_kept"] and results[n]["candidates"] == big["candidates"]]
    full_ratio = big["peak_rss_mb"] / results[full[0]]["peak_rss_mb"] if len(full) > 1 else None
    print(json.dumps({"benchmark": "big_log", "format": args.format, "days": DAYS, "window": "the last day",
                      "machine": f"{os.cpu_count()} cores", "date": date.today().isoformat(),
                      "sizes": {str(n): r for n, r in results.items()},
                      "log_bytes": {str(n): log.stat().st_size for n, log in logs.items()},
                      "peak_rss_ratio": round(rss_ratio, 2), "time_ratio": round(time_ratio, 2),
                      "pools_full_from": full[0] if full else None,
                      "peak_rss_ratio_pools_full": round(full_ratio, 2) if full_ratio else None,
                      "rows_ratio": round(sizes[-1] / sizes[0], 1),
                      "ok_rss_flat": rss_ratio <= 1.3, "ok_time_at_most_linear": time_ratio <= 1.2 * sizes[-1] / sizes[0]}))


if __name__ == "__main__":
    main()
