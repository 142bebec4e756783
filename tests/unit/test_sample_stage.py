"""The sample stage on the generated demo log: planted dirt, PII, duplicates, split, determinism, errors.

The generator's manifest lists every planted row and what the stage must do with it, so these tests
count instead of eyeballing.
"""

import json
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from distillery.config import load_config
from distillery.text.textnorm import jaccard, normalize
from tasks.sampling.sources import SourceError
from tasks.sampling.stage import SampleError, is_eval, run_sample
from tests.conftest import REPO, run_cli

RUN_DATE = date(2026, 11, 23)
TAKE_ALL = "sampling.budget=1000000"


def config(demo_log: Path, store: Path, *overrides: str):
    # the mechanism these tests check, pinned: the demo's own budget and weights are the recipe's (docs/recipe-trials.md)
    return load_config(REPO / "configs/demo.yaml",
                       [f"source.url=sqlite:///{demo_log / 'production.db'}", f"store.root={store}", "sampling.budget=200",
                        "sampling.allocation=proportional", "sampling.eval_fraction=0.2", *overrides])


def manifest(demo_log: Path) -> dict:
    return json.loads((demo_log / "manifest.json").read_text())


@pytest.fixture(scope="module")
def take_all(demo_log, tmp_path_factory):
    """One run that keeps every valid unique prompt, so every row is accounted for."""
    store = tmp_path_factory.mktemp("store")
    run = store / "runs" / "all"
    record = run_sample(config(demo_log, store, TAKE_ALL), run, RUN_DATE)
    return record, pq.read_table(run / "prompts.parquet").to_pylist(), pq.read_table(run / "quarantine.parquet").to_pylist()


def test_every_planted_invalid_row_is_quarantined_with_its_reason(demo_log, take_all):
    _, _, quarantine = take_all
    reasons = {q["request_id"]: q["reason"] for q in quarantine}
    planted = manifest(demo_log)["invalid"]
    assert len(planted) >= 300
    wrong = {rid: (want, reasons.get(rid)) for rid, want in planted.items() if reasons.get(rid) != want}
    assert not wrong, f"{len(wrong)} planted rows got another reason, e.g. {list(wrong.items())[:3]}"
    kinds = {reason.split(":")[0] for reason in planted.values()}
    assert kinds == {"missing_field", "wrong_type", "bad_json", "empty_content", "too_long", "language"}


def test_no_valid_row_is_lost(demo_log, take_all):
    record, prompts, quarantine = take_all
    m = manifest(demo_log)
    kept = {p["request_id"] for p in prompts}
    missing = [rid for rid in m["clean"] if rid not in kept]
    assert not missing, f"{len(missing)} clean rows did not reach prompts.parquet, e.g. {missing[:3]}"
    # Every row read is accounted for: a prompt, a quarantined row, or outside the window.
    f = record["funnel"]
    assert len(prompts) + len(quarantine) + f["outside_window"] + f["other_route"] == f["read"] == m["rows"]


def test_duplicates_collapse_onto_their_original(demo_log, take_all):
    _, prompts, quarantine = take_all
    by_id = {q["request_id"]: q for q in quarantine}
    planted = manifest(demo_log)["duplicates"]
    for rid, dup in planted.items():
        q = by_id.get(rid)
        assert q is not None, f"duplicate {rid} was not dropped"
        assert q["reason"] == f"duplicate:{dup['kind'].split('_')[0]}", (rid, q["reason"])
        assert q["duplicate_of"] == dup["of"], f"{rid} should point at its original {dup['of']}, not {q['duplicate_of']}"
    # The original stands for its copies: its duplicates count is the traffic it represents.
    counts = {p["request_id"]: p["duplicates"] for p in prompts}
    originals = {d["of"] for d in planted.values()}
    assert all(counts[o] >= 2 for o in originals)
    assert sum(counts.values()) == len(prompts) + len(planted)


def test_no_planted_pii_reaches_the_run(demo_log, take_all, tmp_path):
    _, prompts, quarantine = take_all
    planted = [p["value"] for values in manifest(demo_log)["pii"].values() for p in values]
    assert len(planted) >= 700
    stored = json.dumps(prompts, default=str) + json.dumps(quarantine, default=str)
    leaked = [v for v in planted if v in stored]
    assert not leaked, f"{len(leaked)} planted PII strings survived, e.g. {leaked[:3]}"
    by_id = {p["request_id"]: p for p in prompts}
    for rid, values in manifest(demo_log)["pii"].items():
        assert by_id[rid]["pii_hits"] >= len(values)
        for v in values:
            assert f"<{v['kind'].upper()}>" in by_id[rid]["user"]


def test_pii_counts_are_in_the_stage_record(take_all):
    record = take_all[0]
    assert set(record["pii"]["detectors"]) == {"email", "ip", "phone", "card", "iban", "national_id", "secret", "credential",
                                               "person"}
    for kind in ("ip", "national_id", "secret", "credential"):
        assert kind not in record["pii"]["hits"], f"the demo log plants no {kind}: any hit would be a false one"
    assert record["funnel"]["language"].get("en", 0) > 100, record["funnel"]["language"]
    assert all(n > 100 for n in record["pii"]["hits"].values())
    assert record["pii"]["prompts_with_pii"] >= 700


def test_split_is_by_prompt_id_and_eval_is_clean(take_all):
    _, prompts, _ = take_all
    assert all(p["split"] == ("eval" if is_eval(p["prompt_id"], 0.2) else "train") for p in prompts)
    share = sum(p["split"] == "eval" for p in prompts) / len(prompts)
    assert 0.15 < share < 0.25
    evals = [normalize(p["user"]) for p in prompts if p["split"] == "eval"][:150]
    trains = [normalize(p["user"]) for p in prompts if p["split"] == "train"]
    train_set = set(trains)
    assert not any(e in train_set for e in evals)
    worst = max(jaccard(e, t) for e in evals for t in trains[:1500])
    assert worst < 0.7, f"an eval prompt has a near-duplicate in train (Jaccard {worst:.2f})"


def test_same_log_config_and_seed_give_the_same_bytes(demo_log, tmp_path):
    cfg = config(demo_log, tmp_path)
    run_sample(cfg, tmp_path / "a", RUN_DATE)
    run_sample(cfg, tmp_path / "b", RUN_DATE)
    for name in ("prompts.parquet", "quarantine.parquet"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    other_seed = config(demo_log, tmp_path, "sampling.seed=1")
    run_sample(other_seed, tmp_path / "c", RUN_DATE)
    ids = lambda run: set(pq.read_table(tmp_path / run / "prompts.parquet")["prompt_id"].to_pylist())  # noqa: E731
    assert ids("a") != ids("c"), "the seed must change which prompts are drawn"


def test_jsonl_export_samples_the_same_prompts_as_the_database(demo_log, tmp_path):
    run_sample(config(demo_log, tmp_path), tmp_path / "db", RUN_DATE)
    jsonl = config(demo_log, tmp_path, f"source.url={demo_log / 'production.jsonl'}")  # the same knobs, the other source
    run_sample(jsonl, tmp_path / "jsonl", RUN_DATE)
    table = lambda run: pq.read_table(tmp_path / run / "prompts.parquet").select(["prompt_id", "split", "messages"])  # noqa: E731
    assert table("db").equals(table("jsonl"))


def test_budget_is_stratified_by_route(demo_log, tmp_path):
    record = run_sample(config(demo_log, tmp_path, "sampling.budget=200"), tmp_path / "p", RUN_DATE)
    sampled = record["funnel"]["sampled"]
    assert sum(sampled.values()) == 200
    # proportional to traffic: ticket-triage has half the requests
    assert 90 <= sampled["ticket-triage"] <= 110 and 40 <= sampled["invoice-extract"] <= 60
    equal = run_sample(config(demo_log, tmp_path, "sampling.budget=200", "sampling.allocation=equal"), tmp_path / "e", RUN_DATE)
    assert sorted(equal["funnel"]["sampled"].values()) == [66, 67, 67]
    capped = run_sample(config(demo_log, tmp_path, "sampling.budget=200", "sampling.route_cap=50"), tmp_path / "c", RUN_DATE)
    assert capped["funnel"]["sampled"] == {"invoice-extract": 50, "support-reply": 50, "ticket-triage": 50}


def test_window_and_route_filter_select_exactly_their_rows(demo_log, tmp_path):
    cfg = config(demo_log, tmp_path, TAKE_ALL, "sampling.window.start=2026-11-10", "sampling.window.end=2026-11-12T12:00:00",
                 "sampling.routes=[invoice-extract]")
    record = run_sample(cfg, tmp_path / "w", RUN_DATE)
    prompts = pq.read_table(tmp_path / "w" / "prompts.parquet").to_pylist()
    quarantine = pq.read_table(tmp_path / "w" / "quarantine.parquet").to_pylist()
    rows = [json.loads(line) for line in (demo_log / "production.jsonl").read_text().splitlines()]
    from tasks.sampling.validate import parse_time

    def inside(r):
        try:
            t = parse_time(r["created_at"])
        except (KeyError, TypeError, ValueError):
            return False
        return "2026-11-10" <= t.isoformat() < "2026-11-12T12:00:00"

    expected = {r["request_id"] for r in rows if inside(r) and r.get("route") == "invoice-extract"}
    seen = {p["request_id"] for p in prompts} | {q["request_id"] for q in quarantine}
    assert expected and expected <= seen
    # Beyond them only rows whose time or route is unknown (quarantined: the window cannot vouch for them).
    unknown = {"missing_field:route", "missing_field:created_at", "wrong_type:created_at"}
    assert {q["reason"] for q in quarantine if q["request_id"] not in expected} <= unknown
    assert {p["route"] for p in prompts} == {"invoice-extract"}
    assert record["funnel"]["other_route"] > 0 and record["funnel"]["outside_window"] > 4000


def test_the_database_filters_the_window_and_routes_without_changing_the_sample(demo_log, tmp_path):
    """Issue 23: the window and routes go into the SQL (rows outside are counted there, never fetched); the JSONL
    export, every line of which is parsed, gives the same funnel, prompts and quarantined rows."""
    knobs = (TAKE_ALL, "sampling.window.start=2026-11-10", "sampling.window.end=2026-11-12T12:00:00",
             "sampling.routes=[invoice-extract]")
    db = run_sample(config(demo_log, tmp_path, *knobs), tmp_path / "db", RUN_DATE)
    js = run_sample(config(demo_log, tmp_path, f"source.url={demo_log / 'production.jsonl'}", *knobs), tmp_path / "js", RUN_DATE)
    assert db["inputs"]["pushdown"]["window"] == db["inputs"]["pushdown"]["routes"] == "sql (sqlite)"
    assert db["funnel"]["fetched"] < 0.1 * db["funnel"]["read"] and js["funnel"]["fetched"] == js["funnel"]["read"]
    for key in ("read", "outside_window", "other_route", "quarantined", "valid", "duplicates", "traffic", "sampled"):
        assert db["funnel"][key] == js["funnel"][key], key
    table = lambda run: pq.read_table(tmp_path / run / "prompts.parquet").select(["prompt_id", "split", "messages"])  # noqa: E731
    assert table("db").equals(table("js"))
    rows = lambda run: pq.read_table(tmp_path / run / "quarantine.parquet").select(["row", "request_id", "reason"])  # noqa: E731
    assert rows("db").equals(rows("js"))


def test_earlier_runs_prompts_are_not_sampled_again(demo_log, tmp_path):
    first = run_sample(config(demo_log, tmp_path, "sampling.budget=300"), tmp_path / "runs" / "day1", RUN_DATE)
    second = run_sample(config(demo_log, tmp_path, "sampling.budget=300"), tmp_path / "runs" / "day2", date(2026, 11, 24))
    day1 = set(pq.read_table(tmp_path / "runs" / "day1" / "prompts.parquet")["prompt_id"].to_pylist())
    day2 = set(pq.read_table(tmp_path / "runs" / "day2" / "prompts.parquet")["prompt_id"].to_pylist())
    assert len(day1) == len(day2) == 300 and not day1 & day2
    assert second["funnel"]["duplicates"]["earlier_run"] >= 300  # the 300 themselves, plus their near copies
    assert first["earlier_runs_prompts"] == 0 and second["earlier_runs_prompts"] == 300


def test_missing_table_bad_url_and_empty_window_fail_clearly(demo_log, tmp_path):
    with pytest.raises(SourceError, match=r"source.table 'nope' not found in sqlite:///.*; tables there: requests"):
        run_sample(config(demo_log, tmp_path, "source.table=nope"), tmp_path / "r", RUN_DATE)
    bad_url = load_config(REPO / "configs/demo.yaml", ["source.url=ftp:/nowhere/log", f"store.root={tmp_path}"])
    with pytest.raises(SourceError, match=r"neither a database URL .* nor a file ending in"):
        run_sample(bad_url, tmp_path / "r", RUN_DATE)
    missing_db = load_config(REPO / "configs/demo.yaml", [f"source.url=sqlite:///{tmp_path}/none.db"])
    with pytest.raises(SourceError, match=r"no database file at"):
        run_sample(missing_db, tmp_path / "r", RUN_DATE)
    assert not (tmp_path / "none.db").exists(), "a missing SQLite file must not be created"
    empty = config(demo_log, tmp_path, "sampling.window.start=2025-01-01", "sampling.window.end=2025-01-02")
    with pytest.raises(SampleError, match=r"no requests between 2025-01-01 00:00 and 2025-01-02 00:00 .* the log's requests span 2026-10-2"):
        run_sample(empty, tmp_path / "r", RUN_DATE)


def test_cli_prints_the_funnel_and_one_line_errors(demo_log, tmp_path):
    url = f"source.url=sqlite:///{demo_log / 'production.db'}"
    ok = run_cli("sample", "-o", url, "-o", "sampling.budget=50", "--run-dir", str(tmp_path / "cli"))
    assert ok.returncode == 0, ok.stderr
    assert "quarantined (invalid)" in ok.stdout and "train 4" in ok.stdout and "duplicate (near)" in ok.stdout
    assert (tmp_path / "cli" / "stage-sample.json").is_file()
    bad = run_cli("sample", "-o", url, "-o", "source.table=nope", "--run-dir", str(tmp_path / "bad"))
    assert bad.returncode == 1
    assert "error: source.table 'nope' not found" in bad.stderr and "Traceback" not in bad.stderr
    bad_date = run_cli("sample", "-o", url, "--run-date", "23/11/2026", "--run-dir", str(tmp_path / "bad"))
    assert bad_date.returncode == 1 and "expected YYYY-MM-DD" in bad_date.stderr


def test_parquet_source_and_a_malformed_jsonl_line(demo_log, tmp_path):
    import pyarrow as pa

    rows = [json.loads(line) for line in (demo_log / "production.jsonl").read_text().splitlines()[:300]]
    clean = [r for r in rows if isinstance(r.get("messages"), list) and all(isinstance(m.get("content"), str) for m in r["messages"])
             and isinstance(r.get("prompt_tokens"), int) and isinstance(r.get("latency_ms"), int) and "created_at" in r
             and r["created_at"].startswith("2026")]
    table = pa.Table.from_pylist([{**r, "messages": json.dumps(r["messages"])} for r in clean])
    pq.write_table(table, tmp_path / "log.parquet")
    cfg = load_config(REPO / "configs/demo.yaml", [f"source.url={tmp_path / 'log.parquet'}", f"store.root={tmp_path}", TAKE_ALL])
    record = run_sample(cfg, tmp_path / "pq", RUN_DATE)
    assert record["funnel"]["read"] == len(clean) and record["funnel"]["valid"] > 0.9 * len(clean)

    lines = (demo_log / "production.jsonl").read_text().splitlines()[:50]
    lines[10] = lines[10][: len(lines[10]) // 2]  # a log writer killed mid-line
    (tmp_path / "log.jsonl").write_text("\n".join(lines) + "\n")
    cfg = load_config(REPO / "configs/demo.yaml", [f"source.url={tmp_path / 'log.jsonl'}", f"store.root={tmp_path}", TAKE_ALL])
    run_sample(cfg, tmp_path / "js", RUN_DATE)
    quarantine = pq.read_table(tmp_path / "js" / "quarantine.parquet").to_pylist()
    broken = [q for q in quarantine if q["reason"] == "bad_json:row"]
    assert len(broken) == 1 and broken[0]["row"] == 11 and "line 11 is not JSON" in broken[0]["detail"]


def test_control_characters_are_removed_and_a_reused_request_id_is_quarantined(tmp_path):
    """Written by hand, not by the demo generator: a terminal's colour codes and a NUL inside a ticket, an OSC
    hyperlink, and one request_id logged twice for two different tickets."""
    def row(rid, text, minute):
        return {"request_id": rid, "created_at": f"2026-11-20T10:{minute:02d}:00Z", "route": "ticket-triage",
                "messages": [{"role": "user", "content": text}]}

    log = tmp_path / "log.jsonl"
    log.write_text("\n".join(json.dumps(r) for r in [
        row("r1", "Printer \x1b[31mERROR\x1b[0m on floor 3\x00, please help us fix it today", 1),
        row("r2", "Login fails: \x1b]8;;http://x.example\x07click here\x1b]8;;\x07 gives a blank page", 2),
        row("r3", "My invoice for October is missing the VAT number, can you resend it", 3),
        row("r3", "Completely different ticket about a refund for a duplicate charge", 4),
        row("r4", "Same id twice with the same words is only a duplicate of itself", 5),
        row("r4", "Same id twice with the same words is only a duplicate of itself", 6),
    ]) + "\n")
    cfg = load_config(REPO / "configs/demo.yaml", [f"source.url={log}", f"store.root={tmp_path}", TAKE_ALL,
                                                   "sampling.languages={}", "sampling.dedup_earlier_runs=false",
                                                   "curation.history_nights=0"])
    record = run_sample(cfg, tmp_path / "run", RUN_DATE)
    prompts = {p["request_id"]: p for p in pq.read_table(tmp_path / "run" / "prompts.parquet").to_pylist()}
    quarantine = pq.read_table(tmp_path / "run" / "quarantine.parquet").to_pylist()
    users = [p["user"] for p in prompts.values()]
    assert not any(c in u for u in users for c in ("\x1b", "\x00", "\x07")), users
    assert "Printer ERROR on floor 3, please help us fix it today" in users
    assert "Login fails: click here gives a blank page" in users
    # by hand: ESC[31m 5 + ESC[0m 4 + NUL 1; ESC]8;;http://x.example BEL 22 + ESC]8;; BEL 6
    assert record["funnel"]["control_chars_removed"] == {"rows": 2, "chars": 38}
    reused = [q for q in quarantine if q["reason"] == "request_id_reused"]
    assert [q["request_id"] for q in reused] == ["r3"] and "refund" in reused[0]["raw"]
    assert "r4" in prompts and not any(q["reason"] == "request_id_reused" and q["request_id"] == "r4" for q in quarantine)


@pytest.mark.parametrize("url", ["postgresql://etl:hunter2@127.0.0.1:1/prod", "mysql+pymysql://etl:hunter2@127.0.0.1:1/prod",
                                 "s3://etl:hunter2@logs-bucket/production.jsonl", "sqlite:///no/such/hunter2-free.db?x=1"])
def test_a_password_in_source_url_is_never_echoed(url):
    from distillery.config import SourceConfig
    from tasks.sampling.sources import SourceError, read_source, redact

    with pytest.raises(SourceError) as failed:
        read_source(SourceConfig(url=url))
    assert "hunter2" not in str(failed.value).replace("hunter2-free", ""), str(failed.value)
    assert redact("postgresql://etl:hunter2@db:5432/prod") == "postgresql://etl:***@db:5432/prod"
