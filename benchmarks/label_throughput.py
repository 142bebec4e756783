"""Does the label stage keep the teacher as busy as a bare async client would? Same prompts, same concurrency, same server.

    .venv/bin/python benchmarks/label_throughput.py                          # ~1 min on 2 cores
    .venv/bin/python benchmarks/label_throughput.py --prompts 400 --concurrency 32 --latency-s 0.2 --raw httpx

The server is tests/fake_teacher.py with a fixed per-request latency (POST /control delay_s), so the figure is the
orchestration overhead of the stage, not the model's speed. (a) is the whole stage, run_label (tasks/labeling/stage.py:
routes planned, a ReplicaPool of one endpoint with teacher.concurrency, each answer committed to the SQLite label
store, labels.parquet and stage-label.json written) into a temporary store; (b) sends the very same requests
(messages_for + plan.params) through `chat.completions.create` of one AsyncOpenAI client (or httpx.AsyncClient with
--raw httpx) under an asyncio.Semaphore of the same size. Rounds alternate raw/stage (and which goes first) in this one
process; each side's median round counts (the ratio of the best rounds is printed too; every round goes to stderr).
The stage's time is the whole run_label call: its fixed costs (reading prompts, opening the store, the server's
model id, writing labels.parquet) count against it.

The stage posts a body it serialised itself with httpx (models/client_pool.py), so against the SDK's `create`
(which walks every body, JSON schema included, in Python) the ratio can exceed 1; --raw httpx is the stricter
baseline.

Target (issue): stage_req_s / raw_req_s >= 0.95. The last stdout line is one JSON document.
"""

import argparse
import asyncio
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from distillery.config import load_config  # noqa: E402
from distillery.routes import messages_for, plan_route  # noqa: E402
from models.vllm_server import free_port  # noqa: E402
from tasks.labeling.stage import run_label  # noqa: E402
from tasks.sampling.stage import run_sample  # noqa: E402


def start_fake_teacher() -> tuple[subprocess.Popen, str]:
    """tests/fake_teacher.py on a free port, as the fake_teacher fixture in tests/conftest.py starts it."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, str(ROOT / "tests/fake_teacher.py"), str(port)], cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            httpx.get(f"{url}/stats", timeout=1)
            return proc, url
        except httpx.HTTPError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                raise SystemExit(f"the fake teacher at {url} did not start")
            time.sleep(0.1)


def control(url: str, **state) -> dict:
    r = httpx.post(f"{url}/control", json=state, timeout=5)
    r.raise_for_status()
    return r.json()


def max_in_flight(url: str) -> int:
    return httpx.get(f"{url}/stats", timeout=5).json()["max_in_flight"]


def sampled_prompts(work: Path, n: int) -> Path:
    """prompts.parquet of n prompts from a freshly generated demo log, by the project's own sample stage."""
    subprocess.run([sys.executable, str(ROOT / "data/generate_demo_log.py"), "--out", str(work / "log")], check=True,
                   stdout=subprocess.DEVNULL)
    cfg = load_config(ROOT / "configs/demo.yaml", [f"source.url=sqlite:///{work / 'log' / 'production.db'}",
                                                   f"sampling.budget={n}", f"store.root={work / 'sample-store'}"])
    run_sample(cfg, work / "sampled", date(2026, 11, 23))
    return work / "sampled" / "prompts.parquet"


def config(url: str, store_root: Path, concurrency: int):
    return load_config(ROOT / "configs/demo.yaml", [f"teacher.endpoint={url}/v1", "teacher.model=fake-teacher",
                                                    f"teacher.concurrency={concurrency}", f"store.root={store_root}"])


def time_stage(url: str, prompts_path: Path, work: Path, name: str, concurrency: int, latency_s: float) -> dict:
    run_dir = work / name
    run_dir.mkdir()
    (run_dir / "prompts.parquet").write_bytes(prompts_path.read_bytes())
    cfg = config(url, work / f"{name}-store", concurrency)  # a fresh label store: every prompt is sent
    control(url, reset=True, delay_s=latency_s)  # reset also zeroes the server's stats (max_in_flight)
    started = time.monotonic()
    record = run_label(cfg, run_dir)
    wall = time.monotonic() - started
    assert record["status"] == "ok" and record["prompts_unlabeled"] == 0, record
    return {"wall_s": wall, "requests": record["requests"]["sent"], "labeling_s": record["throughput"]["labeling_s"],
            "server_max_in_flight": max_in_flight(url)}


def requests_for(url: str, prompts_path: Path, concurrency: int) -> list[dict]:
    """The request bodies the stage sends: the same route plans and messages."""
    import pyarrow.parquet as pq

    cfg = config(url, Path(tempfile.gettempdir()) / "unused", concurrency)
    prompts = pq.read_table(prompts_path).to_pylist()
    plans = {route: plan_route(cfg, route) for route in {p["route"] for p in prompts}}
    return [{"model": "fake-teacher", "messages": messages_for(p, plans[p["route"]]), **plans[p["route"]].params} for p in prompts]


async def raw_run(url: str, bodies: list[dict], concurrency: int, client_kind: str) -> float:
    gate = asyncio.Semaphore(concurrency)
    if client_kind == "openai":
        from openai import AsyncOpenAI

        client = AsyncOpenAI(base_url=f"{url}/v1", api_key="EMPTY", max_retries=0, timeout=300)

        async def one(body: dict) -> None:
            async with gate:
                r = await client.chat.completions.create(**body)
                assert r.choices[0].message.content is not None
    else:
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        client = httpx.AsyncClient(base_url=f"{url}/v1", timeout=300, limits=limits)

        async def one(body: dict) -> None:
            async with gate:
                r = await client.post("/chat/completions", json=body)
                r.raise_for_status()
                assert r.json()["choices"][0]["message"]["content"] is not None

    started = time.monotonic()
    try:
        await asyncio.gather(*(one(b) for b in bodies))
    finally:
        await client.close() if client_kind == "openai" else await client.aclose()
    return time.monotonic() - started


def time_raw(url: str, bodies: list[dict], concurrency: int, client_kind: str, latency_s: float) -> dict:
    control(url, reset=True, delay_s=latency_s)
    wall = asyncio.run(raw_run(url, bodies, concurrency, client_kind))
    return {"wall_s": wall, "requests": len(bodies), "server_max_in_flight": max_in_flight(url)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prompts", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--latency-s", type=float, default=0.2, help="fixed per-request latency of the fake teacher")
    parser.add_argument("--rounds", type=int, default=4, help="alternating raw/stage rounds; the median of each counts")
    parser.add_argument("--raw", choices=("openai", "httpx"), default="openai",
                        help="baseline client: the same SDK as ClientPool (isolates the stage) or bare httpx")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    os.chdir(ROOT)  # the routes' schema paths are relative to the repo root

    proc, url = start_fake_teacher()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            prompts_path = sampled_prompts(work, args.prompts)
            bodies = requests_for(url, prompts_path, args.concurrency)
            # warm-up: imports, the server's first connections
            time_raw(url, bodies[: args.concurrency * 2], args.concurrency, args.raw, args.latency_s)
            raw, stage = [], []
            for i in range(args.rounds):
                first_raw = i % 2 == 0  # alternate which goes first: neither always runs right after the other
                if first_raw:
                    raw.append(time_raw(url, bodies, args.concurrency, args.raw, args.latency_s))
                stage.append(time_stage(url, prompts_path, work, f"run{i}", args.concurrency, args.latency_s))
                if not first_raw:
                    raw.append(time_raw(url, bodies, args.concurrency, args.raw, args.latency_s))
                print(f"round {i}: raw {raw[-1]}, stage {stage[-1]}", file=sys.stderr)
    finally:
        proc.kill()
        proc.wait()
    n = len(bodies)
    raw_req_s = statistics.median(n / r["wall_s"] for r in raw)
    stage_req_s = statistics.median(s["requests"] / s["wall_s"] for s in stage)
    ratio = stage_req_s / raw_req_s
    best_ratio = max(s["requests"] / s["wall_s"] for s in stage) / max(n / r["wall_s"] for r in raw)
    print(json.dumps({"benchmark": "label_throughput", "prompts": n, "concurrency": args.concurrency, "latency_s": args.latency_s,
                      "raw_client": args.raw, "stage_req_s": round(stage_req_s, 1), "raw_req_s": round(raw_req_s, 1),
                      "ideal_req_s": round(args.concurrency / args.latency_s, 1) if args.latency_s else None,
                      "stage_labeling_only_req_s": round(statistics.median(s["requests"] / max(s["labeling_s"], 0.1) for s in stage), 1),
                      "ratio_best_of_each": round(best_ratio, 3), "rounds": args.rounds,
                      "server_max_in_flight": {"raw": max(r["server_max_in_flight"] for r in raw),
                                               "stage": max(s["server_max_in_flight"] for s in stage)},
                      "ratio": round(ratio, 3), "passes": ratio >= 0.95}))


if __name__ == "__main__":
    main()
