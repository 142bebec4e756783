"""Kill anywhere: `distillery demo` on a tiny config, SIGKILLed inside each of the 7 stages in turn (at a
failpoint, distillery/failpoints.py: the worst moment of each stage) and started again after each kill, ends
with the same outputs as an uninterrupted run; no label is lost or paid twice; the vLLM servers the killed
runs left behind are stopped; a corrupt output is noticed and made again, not read as complete."""

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import psutil
import pyarrow.parquet as pq
import pytest

from tests.conftest import REPO, run_cli

pytestmark = [pytest.mark.slow, pytest.mark.timeout(2400)]
RUN_DATE = "2026-11-20"
# (stage, failpoint): each kill lands where a stage has written part of its work and committed none of its record
KILLS = [("sample", "sample.written"), ("label", "label.commit@5"), ("curate", "curate.written"),
         ("train", "train.registered"), ("export", "export.served"), ("evaluate", "evaluate.answered"),
         ("report", "report.written")]


def overrides(store, teacher_url: str, student: str, demo_log) -> list[str]:
    """The tiny config of tests/integration/test_nightly_deployment.py, one request at a time to the teacher."""
    knobs = [f"source.url=sqlite:///{demo_log / 'production.db'}", f"store.root={store}", "sampling.budget=24",
             f"teacher.endpoint={teacher_url}/v1", "teacher.model=fake-teacher", "teacher.concurrency=1",
             "curation.filters=[truncated, empty, schema]", "curation.min_examples=6", f"student.model={student}",
             "student.training.max_steps=2", "student.training.batch_size=4", "evaluation.judge.calibration_items=2",
             "evaluation.max_items=4", "evaluation.include_base=false",  # baselines: test_evaluate.py; here a vLLM start
             "export.parity_prompts=1", "export.compare_naive=false",
             "export.min_positions=1", "export.min_token_agreement=0.8"]  # one prompt: orchestration is tested here
    return [arg for knob in knobs for arg in ("-o", knob)]


def demo(args: list[str], api_url: str, failpoint: str | None = None):
    env = {"PREFECT_API_URL": api_url, "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    if failpoint:
        env["DISTILLERY_FAILPOINT"] = failpoint
    return run_cli("demo", *args, "--run-date", RUN_DATE, env=env, timeout=900)


def the_run(store):
    (run,) = (store / "runs").iterdir()
    return run


def outputs(store) -> dict:
    """What a run made, in the terms that must not depend on how often it was killed."""
    run = the_run(store)
    labels = {(r["prompt_id"], r["sample_index"]): r["text"] for r in pq.read_table(run / "labels.parquet").to_pylist()}
    (registry,) = (store / "registry").iterdir()
    status = json.loads((registry / "status.json").read_text())
    ab = json.loads((run / "ab.json").read_text())
    return {"prompts": sha(run / "prompts.parquet"), "labels": labels, "train": sha(run / "train.parquet"),
            "versions": sorted(p.name for p in registry.glob("v0*")),
            "adapter": sha(registry / "v0001" / "adapter_model.safetensors"),
            "champion": status["champion"], "exports": sorted(status.get("exports", {})),
            "decision": ab["decision"]["action"], "counts": ab["counts"],
            "report": sorted(p.name for p in run.iterdir() if p.name.startswith(("report", "cost")))}


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def label_requests(teacher_url: str) -> int:
    stats = httpx.get(f"{teacher_url}/stats").json()
    return stats["requests"] - stats["pairwise"]  # the judge's pairwise calls are not labels


def vllm_servers_for(store) -> list[int]:
    return [p.pid for p in psutil.process_iter(["cmdline"])
            if p.info["cmdline"] and "--served-model-name" in p.info["cmdline"]
            and str(store) in " ".join(p.info["cmdline"])]


@pytest.fixture(scope="module")
def api_url(prefect_server):
    from prefect.settings import PREFECT_API_URL

    return PREFECT_API_URL.value()


def test_a_run_killed_inside_every_stage_resumes_to_the_same_outputs(api_url, fake_teacher, small_model, demo_log,
                                                                      tmp_path):
    httpx.post(f"{fake_teacher}/control", json={"reset": True}).raise_for_status()
    straight = demo(overrides(tmp_path / "straight", fake_teacher, small_model, demo_log), api_url)
    assert straight.returncode == 0, straight.stdout[-3000:] + straight.stderr[-3000:]
    expected = outputs(tmp_path / "straight")
    prompts = json.loads((the_run(tmp_path / "straight") / "stage-label.json").read_text())["prompts"]

    httpx.post(f"{fake_teacher}/control", json={"reset": True}).raise_for_status()
    store = tmp_path / "killed"
    args = overrides(store, fake_teacher, small_model, demo_log)
    logs = {}
    for stage, point in KILLS:
        killed = demo(args, api_url, failpoint=point)
        assert killed.returncode == -signal.SIGKILL, (stage, killed.stdout[-2000:], killed.stderr[-3000:])
        logs[stage] = killed.stdout + killed.stderr
    assert label_requests(fake_teacher) == prompts, "the labeling kill lost no answer it had paid for"
    resumed = demo(args, api_url)
    assert resumed.returncode == 0, resumed.stdout[-3000:] + resumed.stderr[-3000:]

    assert outputs(store) == expected
    assert label_requests(fake_teacher) == prompts  # every label paid exactly once over 8 starts
    # The vLLM servers the kills left running were adopted by the next start of the same model, then stopped:
    assert "adopting vLLM server" in logs["evaluate"]  # the export's parity server (the export ran again)
    assert "adopting vLLM server" in logs["report"]  # the evaluation's student server (it evaluated again)
    assert vllm_servers_for(store) == []
    attempts = [json.loads(x) for x in (the_run(store) / "attempts.jsonl").read_text().splitlines()]
    killed_attempts = [a for a in attempts if a["outcome"] == "started"
                       and not any(b.get("attempt") == a["attempt"] and b["outcome"] != "started" for b in attempts)]
    assert sorted(a["stage"] for a in killed_attempts) == sorted(stage for stage, _ in KILLS)
    cost = (the_run(store) / "cost.csv").read_text()
    assert re.search(r"evaluation: \d more attempt\(s\) \(0 failed, 1 killed\)", cost)  # its seconds are billed

    # A damaged output is not read as complete: the stage that made it notices the bytes and makes it again.
    run = the_run(store)
    for name in ("prompts.parquet", "train.parquet"):
        data = (run / name).read_bytes()
        (run / name).write_bytes(data[: len(data) // 2])
    repaired = demo(args, api_url)
    assert repaired.returncode == 0, repaired.stdout[-3000:] + repaired.stderr[-3000:]
    assert outputs(store) == expected
    assert label_requests(fake_teacher) == prompts
    assert os.environ.get("DISTILLERY_FAILPOINT") is None


def test_a_killed_demo_leaves_no_prefect_server_behind_for_long(tmp_path, demo_log):
    """Without `make serve`, `distillery demo` runs on a temporary Prefect server of its own; SIGKILLed, it
    cannot stop it. The next demo stops that server before starting its own."""
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env.update(PREFECT_HOME=str(tmp_path / "prefect-home"), PREFECT_SERVER_ANALYTICS_ENABLED="false",
               DISTILLERY_FAILPOINT="sample.written", DISTILLERY_PREFECT_DIR=str(tmp_path / "no-make-serve"))
    args = ["demo", "-o", f"store.root={tmp_path / 'store'}", "-o", f"source.url=sqlite:///{demo_log / 'production.db'}",
            "-o", "sampling.budget=10", "-o", "student.model=demo:smollm2-135m-instruct",
            "-o", "teacher.model=demo:smollm2-135m-instruct", "--run-date", RUN_DATE]
    servers = []
    for attempt in range(2):
        out = tmp_path / f"demo-{attempt}.out"  # a file, not a pipe: the orphaned server would hold a pipe open
        with out.open("w") as sink:
            killed = subprocess.run([str(Path(sys.executable).with_name("distillery")), *args], cwd=REPO, env=env,
                                    stdout=sink, stderr=subprocess.STDOUT, timeout=300)
        assert killed.returncode == -signal.SIGKILL, out.read_text()[-3000:]
        (record,) = (Path(os.environ["DISTILLERY_STATE_DIR"]) / "prefect-servers").glob("*.json")
        servers.append(json.loads(record.read_text())["pid"])
    assert "stopping the temporary Prefect server pid %d" % servers[0] in " ".join(out.read_text().split())
    assert not psutil.pid_exists(servers[0]) or psutil.Process(servers[0]).status() == psutil.STATUS_ZOMBIE
    psutil.Process(servers[1]).kill()  # the second kill's server: the next demo would stop it
