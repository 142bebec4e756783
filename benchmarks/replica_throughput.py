"""Does labeling scale with teacher replicas? The label stage over K fake replicas (teacher.endpoints), K = 1, 2, 4, 8.

    .venv/bin/python benchmarks/replica_throughput.py                 # ~1.5 min on 2 cores
    .venv/bin/python benchmarks/replica_throughput.py --replicas 1 2 4 8 --concurrency 8 --latency-s 1.0 --waves 8

Each replica is a tests/fake_teacher.py process answering after a fixed latency (POST /control delay_s), so the
figure is how well the stage spreads work over replicas, not a model's speed. Every run is the whole stage,
run_label (tasks/labeling/stage.py) into a fresh label store, with teacher.concurrency requests in flight per
replica; K replicas get waves x K x concurrency prompts, so each run lasts about `waves` latencies whatever K.
Throughput is prompts / run_label's wall time (its fixed costs count against it); the ratio compares K replicas
with K times the single replica's throughput (target: >= 0.9 up to K = 8).

The fake latency is long on purpose: the work per request here is the client's and the fake servers' CPU, ~1-2 ms
in all, so at K = 8 x 8 in flight / 1 s = 64 requests/s the whole benchmark needs a fraction of 2 cores. Each run's
CPU seconds (this process and the fake servers) over its wall time are printed as `cpu_cores_used`: well below 2,
the cores are not what limits it. Rounds alternate the order of K; each K's median round counts.

The last stdout line is one JSON document.
"""

import argparse
import json
import logging
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import psutil  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

from benchmarks.label_throughput import control, sampled_prompts, start_fake_teacher  # noqa: E402
from distillery.config import load_config  # noqa: E402
from tasks.labeling.stage import run_label  # noqa: E402


def config(urls: list[str], store_root: Path, concurrency: int):
    return load_config(ROOT / "configs/demo.yaml", [f"teacher.endpoints={json.dumps([u + '/v1' for u in urls])}",
                                                    "teacher.model=fake-teacher", f"teacher.concurrency={concurrency}",
                                                    f"store.root={store_root}"])


def cpu_s(procs: list[psutil.Process]) -> float:
    return sum(t.user + t.system for t in (p.cpu_times() for p in procs))


def time_run(fakes: list, prompts: Path, work: Path, name: str, k: int, concurrency: int, latency_s: float) -> dict:
    run_dir = work / name
    run_dir.mkdir()
    shutil.copy(prompts, run_dir / "prompts.parquet")
    used = fakes[:k]
    for _, url in used:
        control(url, reset=True, delay_s=latency_s)
    cfg = config([url for _, url in used], work / f"{name}-store", concurrency)  # fresh store: every prompt is sent
    watched = [psutil.Process()] + [psutil.Process(proc.pid) for proc, _ in used]
    cpu_before, started = cpu_s(watched), time.monotonic()
    record = run_label(cfg, run_dir)
    wall = time.monotonic() - started
    cpu = cpu_s(watched) - cpu_before
    assert record["status"] == "ok" and record["prompts_unlabeled"] == 0, record
    answered = [r["answered"] for r in record["replicas"]]
    return {"prompts": record["prompts_labeled"], "wall_s": wall, "req_s": record["prompts_labeled"] / wall,
            "labeling_req_s": record["prompts_labeled"] / max(record["throughput"]["labeling_s"], 0.1),
            "cpu_cores_used": cpu / wall, "answered_min": min(answered), "answered_max": max(answered)}


def subset(prompts: Path, n: int, out: Path) -> Path:
    table = pq.read_table(prompts)
    assert table.num_rows >= n, f"sampled {table.num_rows} prompts, need {n}"
    pq.write_table(table.slice(0, n), out)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicas", type=int, nargs="+", default=[1, 2, 4, 8])
    parser.add_argument("--concurrency", type=int, default=8, help="teacher.concurrency: in flight per replica")
    parser.add_argument("--latency-s", type=float, default=1.0, help="fixed per-request latency of each fake replica")
    parser.add_argument("--waves", type=int, default=8, help="prompts per run = waves x K x concurrency")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    os.chdir(ROOT)  # the routes' schema paths are relative to the repo root

    biggest = max(args.replicas)
    fakes = []
    try:
        fakes = [start_fake_teacher() for _ in range(biggest)]
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            all_prompts = sampled_prompts(work, args.waves * biggest * args.concurrency)
            prompts = {k: subset(all_prompts, args.waves * k * args.concurrency, work / f"prompts-{k}.parquet")
                       for k in args.replicas}
            time_run(fakes, prompts[min(args.replicas)], work, "warmup", min(args.replicas), args.concurrency, 0.05)
            runs: dict[int, list[dict]] = {k: [] for k in args.replicas}
            for i in range(args.rounds):
                for k in (args.replicas if i % 2 == 0 else reversed(args.replicas)):
                    runs[k].append(time_run(fakes, prompts[k], work, f"k{k}-r{i}", k, args.concurrency, args.latency_s))
                    print(f"round {i} K={k}: {runs[k][-1]}", file=sys.stderr)
    finally:
        for proc, _ in fakes:
            proc.kill()
            proc.wait()

    req_s = {k: statistics.median(r["req_s"] for r in rs) for k, rs in runs.items()}
    one = req_s[min(args.replicas)] / min(args.replicas)
    ratio = {k: req_s[k] / (k * one) for k in args.replicas}
    print(json.dumps({
        "benchmark": "replica_throughput", "concurrency_per_replica": args.concurrency, "latency_s": args.latency_s,
        "waves": args.waves, "rounds": args.rounds,
        "prompts": {k: runs[k][0]["prompts"] for k in args.replicas},
        "req_s": {k: round(v, 2) for k, v in req_s.items()},
        "ideal_req_s": {k: round(k * args.concurrency / args.latency_s, 2) for k in args.replicas},
        "labeling_only_req_s": {k: round(statistics.median(r["labeling_req_s"] for r in runs[k]), 2) for k in args.replicas},
        "ratio_to_k_x_single": {k: round(v, 3) for k, v in ratio.items()},
        "answered_per_replica_min_max": {k: [min(r["answered_min"] for r in runs[k]), max(r["answered_max"] for r in runs[k])]
                                         for k in args.replicas},
        "cpu_cores_used_max": round(max(r["cpu_cores_used"] for rs in runs.values() for r in rs), 2),
        "passes": all(v >= 0.9 for v in ratio.values())}))


if __name__ == "__main__":
    main()
