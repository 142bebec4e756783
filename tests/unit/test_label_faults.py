"""The label stage against a small OpenAI-compatible server of our own that fails, hangs and stalls on request."""

import shutil
import time
from datetime import date

import httpx
import pyarrow.parquet as pq
import pytest

from distillery.config import load_config
from tasks.labeling.stage import LabelError, run_label
from tasks.sampling.stage import run_sample
from tests.conftest import REPO

N_PROMPTS = 30


@pytest.fixture(scope="module")
def sampled(demo_log, tmp_path_factory):
    run = tmp_path_factory.mktemp("sampled")
    cfg = load_config(REPO / "configs/demo.yaml", [f"source.url=sqlite:///{demo_log / 'production.db'}",
                                                   f"sampling.budget={N_PROMPTS}", f"store.root={run}"])
    run_sample(cfg, run, date(2026, 11, 23))
    return run / "prompts.parquet"


@pytest.fixture
def run(sampled, tmp_path, fake_teacher, monkeypatch):
    """A run folder holding the sampled prompts, a fresh label store, and the fake teacher reset to 'ok'."""
    monkeypatch.chdir(REPO)  # the routes' schema paths are relative to the repo root
    shutil.copy(sampled, tmp_path / "prompts.parquet")
    control(fake_teacher, reset=True)
    return tmp_path


def control(url: str, **state) -> None:
    httpx.post(f"{url}/control", json=state, timeout=5).raise_for_status()


def seen(url: str) -> dict:
    return httpx.get(f"{url}/stats", timeout=5).json()


def config(url: str, run, *overrides: str):
    return load_config(REPO / "configs/demo.yaml", [f"teacher.endpoint={url}/v1", "teacher.model=fake-teacher",
                                                    f"store.root={run}", "teacher.retry_backoff_s=0.05", *overrides])


def labels(run) -> list[dict]:
    return pq.read_table(run / "labels.parquet").to_pylist()


def test_in_flight_requests_never_exceed_the_bound(fake_teacher, run):
    control(fake_teacher, delay_s=0.3)
    record = run_label(config(fake_teacher, run, "teacher.concurrency=4"), run)
    assert seen(fake_teacher)["max_in_flight"] == 4 and record["requests"]["max_in_flight"] == 4
    assert record["prompts_labeled"] == N_PROMPTS and len(labels(run)) == N_PROMPTS
    first = labels(run)[0]
    assert first["finish_reason"] == "stop" and first["prompt_tokens"] > 0 and first["completion_tokens"] == 3


def test_rerun_makes_no_request_and_changes_nothing(fake_teacher, run):
    run_label(config(fake_teacher, run), run)
    before = (run / "labels.parquet").read_bytes()
    control(fake_teacher, reset=True)
    record = run_label(config(fake_teacher, run), run)
    assert seen(fake_teacher)["requests"] == 0 and record["requests"]["sent"] == 0
    assert record["already_labeled"] == N_PROMPTS and (run / "labels.parquet").read_bytes() == before
    # Another generation config is another label: the same prompts are asked again.
    run_label(config(fake_teacher, run, "teacher.routes.support-reply.max_tokens=50"), run)
    assert 0 < seen(fake_teacher)["requests"] < N_PROMPTS


def test_5xx_is_retried_a_bounded_number_of_times(fake_teacher, run):
    control(fake_teacher, mode="fail", count=3)
    record = run_label(config(fake_teacher, run, "teacher.concurrency=1"), run)
    assert record["requests"]["retries"] == 3 and record["requests"]["sent"] == N_PROMPTS + 3
    assert record["prompts_labeled"] == N_PROMPTS
    assert max(label["attempts"] for label in labels(run)) == 4


def test_a_teacher_that_keeps_failing_stops_the_stage_and_keeps_what_was_committed(fake_teacher, run):
    run_label(config(fake_teacher, run), run)  # everything labeled once ...
    control(fake_teacher, reset=True, mode="fail", count=-1)
    with pytest.raises(LabelError, match=r"teacher at http://127.0.0.1:\d+/v1 kept failing: 2 retries exhausted; last error "
                                         r"HTTP 503 Service Unavailable.*Committed labels are kept"):
        run_label(config(fake_teacher, run, "teacher.max_retries=2", "teacher.routes.support-reply.max_tokens=50"), run)
    assert seen(fake_teacher)["requests"] <= 3 * 32  # bounded: at most (1 + retries) per request in flight
    # ... and nothing committed was lost: the first config's labels are all still there, without a request.
    record = run_label(config(fake_teacher, run), run)
    assert record["requests"]["sent"] == 0 and len(labels(run)) == N_PROMPTS


def test_request_timeout_is_honoured(fake_teacher, run):
    control(fake_teacher, mode="hang")
    started = time.monotonic()
    with pytest.raises(LabelError, match=r"kept failing: 1 retries exhausted; last error ReadTimeout"):
        run_label(config(fake_teacher, run, "teacher.request_timeout_s=1", "teacher.max_retries=1"), run)
    assert time.monotonic() - started < 30


def test_watchdog_fires_when_the_teacher_accepts_but_never_answers(fake_teacher, run):
    control(fake_teacher, answer_then_hang=5)
    started = time.monotonic()
    # 5 s: long enough that a busy machine (both cores taken by a demo) does not stall the first 5 answers
    with pytest.raises(LabelError, match=r"accepted \d+ requests but answered none in \d+ s \(teacher.stall_timeout_s = 5\)"):
        run_label(config(fake_teacher, run, "teacher.stall_timeout_s=5", "teacher.concurrency=2"), run)
    assert time.monotonic() - started < 30
    assert len(labels(run)) == 5, "the answers before the stall are committed and written"
    # The teacher recovers: the next run asks only for what is missing.
    control(fake_teacher, reset=True)
    record = run_label(config(fake_teacher, run), run)
    assert seen(fake_teacher)["requests"] == N_PROMPTS - 5 and record["already_labeled"] == 5
    assert len(labels(run)) == N_PROMPTS and len({x["prompt_id"] for x in labels(run)}) == N_PROMPTS


def test_a_4xx_is_recorded_not_retried(fake_teacher, run):
    table = pq.read_table(run / "prompts.parquet").to_pylist()
    table[0]["user"] = table[0]["user"] + " BAD-REQUEST"
    import json

    import pyarrow as pa

    messages = json.loads(table[0]["messages"])
    messages[-1]["content"] += " BAD-REQUEST"
    table[0]["messages"] = json.dumps(messages)
    pq.write_table(pa.Table.from_pylist(table), run / "prompts.parquet")
    record = run_label(config(fake_teacher, run), run)
    assert record["requests"]["failures"] == {"http_400": 1} and record["requests"]["retries"] == 0
    assert record["prompts_labeled"] == N_PROMPTS - 1 and record["prompts_unlabeled"] == 1
    assert seen(fake_teacher)["requests"] == N_PROMPTS



def test_n_samples_per_prompt_are_stored_once_each(fake_teacher, run):
    record = run_label(config(fake_teacher, run, "teacher.routes.ticket-triage.n=3", "teacher.routes.ticket-triage.temperature=0.8"), run)
    rows = labels(run)
    triage = [x for x in rows if x["route"] == "ticket-triage"]
    assert triage and {x["sample_index"] for x in triage} == {0, 1, 2}
    assert len({(x["prompt_id"], x["sample_index"]) for x in rows}) == len(rows) == record["labels"]
    assert seen(fake_teacher)["requests"] == N_PROMPTS, "n samples come from one request"


def test_stage_commands_name_the_missing_input(tmp_path):
    from tests.conftest import run_cli

    for command, missing in (("label", "prompts.parquet"), ("curate", "prompts.parquet"), ("train", "train.parquet")):
        result = run_cli(command, "--run-dir", str(tmp_path))
        assert result.returncode == 1, result.stderr
        assert f"{tmp_path / missing} does not exist: run the" in result.stderr and "Traceback" not in result.stderr


def test_one_endpoint_is_one_replica_in_the_record_with_its_model_looked_up_beside_the_requests(fake_teacher, run):
    control(fake_teacher, mode="fail", count=2)
    record = run_label(config(fake_teacher, run, "teacher.concurrency=1"), run)
    (only,) = record["replicas"]
    assert only["endpoint"] == f"{fake_teacher}/v1" and only["status"] == "ok" and only["server_model"] == "fake-teacher"
    assert only["sent"] == seen(fake_teacher)["requests"] == N_PROMPTS + 2 and only["answered"] == N_PROMPTS
    assert only["failed"] == only["retries"] == 2 and only["requeued"] == 0
    assert record["server_model"] == "fake-teacher" and record["endpoint"] == f"{fake_teacher}/v1"
